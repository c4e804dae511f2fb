package templates

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// readmeRow is a row of the README's table of built-ins:
// | `id` | what it does | Scope.One, Scope.Two |
var readmeRow = regexp.MustCompile("^\\| `([a-z0-9-]+)` \\| .* \\| ([A-Za-z0-9., ]+) \\|$")

// TestReadmeTableListsEveryBuiltin keeps the README's table of built-in
// templates true: one row per built-in, none for a template that does not
// exist, each with the scopes the template declares. The table is prose
// for people, so it is checked, not generated.
func TestReadmeTableListsEveryBuiltin(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string][]string{}
	var order []string
	for _, line := range strings.Split(string(readme), "\n") {
		m := readmeRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		if _, dup := rows[m[1]]; dup {
			t.Errorf("README: %s has two rows", m[1])
		}
		var scopes []string
		for _, s := range strings.Split(m[2], ",") {
			scopes = append(scopes, strings.TrimSpace(s))
		}
		slices.Sort(scopes)
		rows[m[1]] = scopes
		order = append(order, m[1])
	}
	if len(rows) == 0 {
		t.Fatal("README: no table row of the form | `id` | what | scopes | found")
	}
	for _, id := range IDs() {
		tpl, err := Get(id)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := rows[id]
		if !ok {
			t.Errorf("README: the table of built-ins has no row for %s", id)
			continue
		}
		want := tpl.Scopes()
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("README: %s's row says scopes %v; the template declares %v", id, got, want)
		}
	}
	for _, id := range order {
		if !slices.Contains(IDs(), id) {
			t.Errorf("README: the table of built-ins has a row for %s, which is not a built-in", id)
		}
	}
	// The seed's five come first, as the text above the table says.
	seed := []string{"list-events", "list-todo-lists", "create-todo-list", "create-event", "send-mail"}
	if len(order) < len(seed) || !slices.Equal(order[:len(seed)], seed) {
		t.Errorf("README: the table starts %v, want the seed's five first: %v", order[:min(len(order), len(seed))], seed)
	}
}
