// Package templates holds runflow's built-in templates: YAML files embedded
// in the binary, loaded and checked once, and looked up by id.
//
// The seed's five actions are list-events, list-todo-lists,
// create-todo-list, create-event and send-mail; list-tasks, create-task,
// list-messages, whoami, agenda and next-meeting go beyond them, and so do
// find-time, respond-event and complete-task. Each file
// is named after its id and is tested by the flow tests in
// testdata/flows/<id>/.
package templates

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"
	"sync"

	"github.com/runflow/runflow/engine"
)

// FS holds the built-in template files, one <id>.yaml each.
//
//go:embed *.yaml
var FS embed.FS

// ErrNotFound is wrapped by the error Get returns for an unknown id.
var ErrNotFound = errors.New("no built-in template")

var loaded = sync.OnceValues(loadAll)

// Load returns every built-in template, compiled, sorted by id. The
// templates are loaded once and shared: a compiled template is immutable.
func Load() ([]*engine.Template, error) {
	ts, err := loaded()
	if err != nil {
		return nil, err
	}
	return append([]*engine.Template(nil), ts...), nil
}

// Get returns the built-in template with the given id. For an unknown id
// the error wraps ErrNotFound and names the closest ids.
func Get(id string) (*engine.Template, error) {
	ts, err := loaded()
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		if t.ID() == id {
			return t, nil
		}
	}
	return nil, fmt.Errorf("%w with id %q; the built-in templates are %s", ErrNotFound, id, strings.Join(IDs(), ", "))
}

// IDs returns the ids of the built-in templates, sorted.
func IDs() []string {
	names, _ := fs.Glob(FS, "*.yaml")
	ids := make([]string, 0, len(names))
	for _, n := range names {
		ids = append(ids, strings.TrimSuffix(n, ".yaml"))
	}
	sort.Strings(ids)
	return ids
}

// Source returns the YAML text of the built-in template with the given id.
func Source(id string) ([]byte, error) {
	data, err := FS.ReadFile(id + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("%w with id %q", ErrNotFound, id)
	}
	return data, nil
}

func loadAll() ([]*engine.Template, error) {
	names, err := fs.Glob(FS, "*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	out := make([]*engine.Template, 0, len(names))
	for _, n := range names {
		t, err := engine.LoadFS(FS, n)
		if err != nil {
			return nil, fmt.Errorf("built-in template %s: %w", n, err)
		}
		if want := strings.TrimSuffix(path.Base(n), ".yaml"); t.ID() != want {
			return nil, fmt.Errorf("built-in template %s: its id is %q; a built-in file is named after its id", n, t.ID())
		}
		out = append(out, t)
	}
	return out, nil
}
