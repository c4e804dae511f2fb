package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/templates"
)

// looksLikeFile reports whether ref names a file rather than a built-in id.
func looksLikeFile(ref string) bool {
	if strings.ContainsAny(ref, `/\`) || strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") {
		return true
	}
	if _, err := os.Stat(ref); err == nil {
		return true
	}
	return false
}

// resolveTemplate loads a built-in template by id, or a template file by
// path. A template with errors gives a template error (exit 2) listing
// every problem with its file:line:col.
func resolveTemplate(ref string) (*engine.Template, error) {
	if ref == "" {
		return nil, usageErrorf("want a template id or file (see 'runflow list')")
	}
	if !looksLikeFile(ref) {
		t, err := templates.Get(ref)
		if errors.Is(err, templates.ErrNotFound) {
			msg := fmt.Sprintf("no built-in template %q", ref)
			if s := suggest(ref, templates.IDs()); s != "" {
				msg += fmt.Sprintf("; did you mean %q?", s)
			}
			return nil, usageErrorf("%s (see 'runflow list', or give a template file path)", msg)
		}
		if err != nil {
			return nil, templateError(err)
		}
		return t, nil
	}
	t, err := engine.LoadFile(ref)
	if err != nil {
		var le *engine.LoadError
		if errors.As(err, &le) {
			return nil, templateError(fmt.Errorf("template %s has errors:\n%s", ref, le.Error()))
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, usageErrorf("template file %s does not exist", ref)
		}
		return nil, templateError(err)
	}
	return t, nil
}
