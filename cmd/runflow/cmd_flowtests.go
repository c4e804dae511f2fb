package main

import (
	"context"
	"fmt"
	"time"

	"github.com/runflow/runflow/engine/flowtest"
	"github.com/runflow/runflow/templates"
)

func init() {
	register(&command{
		name:    "test",
		args:    "[DIR|FILE]...",
		summary: "run flow tests (*.flow.yaml; default: testdata/flows)",
		run:     runTest,
	})
}

func runTest(ctx context.Context, e *env, args []string) error {
	c := commands["test"]
	fs := newFlagSet(c.name)
	verbose := fs.Bool("v", false, "list every flow test, not only the failures")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		pos = []string{"testdata/flows"}
	}
	opts := flowtest.Options{Resolve: flowtest.IDResolver(templates.Get)}
	var passed, failed int
	start := time.Now()
	for _, dir := range pos {
		files, err := flowtest.FindFiles(dir)
		if err != nil {
			return usageErrorf("test: %v", err)
		}
		if len(files) == 0 {
			return usageErrorf("test: no *.flow.yaml file under %s", dir)
		}
		for _, f := range files {
			if err := ctx.Err(); err != nil {
				return &exitError{code: exitCancelled, err: err}
			}
			res := flowtest.RunFile(ctx, f, opts)
			if res.Passed() {
				passed++
				if *verbose {
					fmt.Fprintf(e.stdout, "ok   %s\n", f)
				}
				continue
			}
			failed++
			fmt.Fprint(e.stdout, res.String())
			if s := res.String(); len(s) > 0 && s[len(s)-1] != '\n' {
				fmt.Fprintln(e.stdout)
			}
		}
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed (%s)\n", passed, failed, time.Since(start).Round(time.Millisecond))
	if failed > 0 {
		return &exitError{code: exitFailed, err: fmt.Errorf("%d flow %s failed", failed, pluralWord(failed, "test")), reported: false}
	}
	return nil
}
