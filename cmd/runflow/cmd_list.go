package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/runflow/runflow/templates"
)

func init() {
	register(&command{
		name:    "list",
		args:    "[--output text|json]",
		summary: "list the built-in templates",
		run:     runList,
	})
}

func runList(_ context.Context, e *env, args []string) error {
	c := commands["list"]
	fs := newFlagSet(c.name)
	output := fs.String("output", "text", "output `FORMAT`: text or json")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return usageErrorf("list takes no arguments (got %q)", pos[0])
	}
	ts, err := templates.Load()
	if err != nil {
		return templateError(err)
	}
	switch *output {
	case "json":
		type entry struct {
			ID          string   `json:"id"`
			Name        string   `json:"name"`
			Description string   `json:"description"`
			Scopes      []string `json:"scopes"`
		}
		list := make([]entry, 0, len(ts))
		for _, t := range ts {
			list = append(list, entry{ID: t.ID(), Name: t.Name(), Description: t.Description(), Scopes: t.Scopes()})
		}
		enc := json.NewEncoder(e.stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(list)
	case "text":
		tw := tabwriter.NewWriter(e.stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tDESCRIPTION")
		for _, t := range ts {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", t.ID(), cleanText(t.Name()), cleanText(t.Description()))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, "\nRun one:  runflow run ID --sandbox      Details:  runflow describe ID")
		return nil
	}
	return usageErrorf("--output %q: want text or json", *output)
}
