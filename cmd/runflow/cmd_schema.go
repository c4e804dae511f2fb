package main

import (
	"context"

	"github.com/runflow/runflow/engine"
)

func init() {
	register(&command{
		name:    "schema",
		summary: "print the JSON Schema of the template format (for editors)",
		run:     runSchema,
	})
}

func runSchema(_ context.Context, e *env, args []string) error {
	c := commands["schema"]
	fs := newFlagSet(c.name)
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("schema takes no arguments (got %q)", pos[0])
	}
	schema := engine.JSONSchema()
	if len(schema) > 0 && schema[len(schema)-1] != '\n' {
		schema = append(schema, '\n')
	}
	_, err = e.stdout.Write(schema)
	return err
}
