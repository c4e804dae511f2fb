package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/runflow/runflow/engine"
)

func init() {
	register(&command{
		name:    "validate",
		args:    "FILE...",
		summary: "check template files and report every problem as file:line:col",
		run:     runValidate,
	})
}

// maxValidateBytes bounds a file read by validate (the engine refuses
// larger templates anyway; this stops a huge file being read in full).
const maxValidateBytes = 8 << 20

func runValidate(_ context.Context, e *env, args []string) error {
	c := commands["validate"]
	fs := newFlagSet(c.name)
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) == 0 {
		return usageErrorf("validate wants at least one template file (usage: runflow validate FILE...)")
	}
	var errorsFound, warnings int
	for _, path := range pos {
		src, err := readLimited(path, maxValidateBytes)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", path, err)
			errorsFound++
			continue
		}
		problems := engine.Check(path, src)
		fileErrors := 0
		for _, p := range problems {
			fmt.Fprintln(e.stdout, cleanText(p.String()))
			if p.Severity == engine.Error {
				fileErrors++
			} else {
				warnings++
			}
		}
		if fileErrors == 0 {
			fmt.Fprintf(e.stderr, "%s: ok\n", path)
		}
		errorsFound += fileErrors
	}
	if errorsFound > 0 {
		return &exitError{code: exitUsage, err: fmt.Errorf("%d %s, %d %s", errorsFound, pluralWord(errorsFound, "error"), warnings, pluralWord(warnings, "warning"))}
	}
	return nil
}

func readLimited(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.IsDir() {
		return nil, errors.New("is a directory; give template files")
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%d bytes, more than the %d a template may have", fi.Size(), limit)
	}
	return os.ReadFile(path)
}

func pluralWord(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}
