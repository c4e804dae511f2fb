package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestGolden runs the CLI in-process against the built-in sandbox (fixed
// clock, fresh data) and compares every output and exit code with
// testdata/golden. Each case is independent: its own config directory.
func TestGolden(t *testing.T) {
	badTemplate := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(badTemplate, []byte("id: Bad_ID\nname: Broken\nscopes: [Mail.Send]\nsteps:\n  - htp: {}\n  - say: Hello ${ inputs.nobody }\n  - id: send\n    http:\n      method: POST\n      path: /me/sendMail\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		args  []string
		stdin string
		tty   bool
		vars  map[string]string
	}{
		{name: "list", args: []string{"list"}},
		{name: "run-help", args: []string{"run", "-h"}},
		{name: "describe-create-event", args: []string{"describe", "create-event"}},
		{name: "run-list-events", args: []string{"run", "list-events", "--sandbox"}},
		{name: "run-list-events-window-json", args: []string{"run", "list-events", "--sandbox", "--set", "from=today", "--set", "to=2026-06-16", "--output", "json"}},
		{name: "run-agenda-zone", args: []string{"run", "agenda", "--sandbox", "--zone", "Europe/Berlin"}},
		{name: "run-list-todo-lists-json", args: []string{"run", "list-todo-lists", "--sandbox", "--output", "json"}},
		{name: "run-whoami"},
		{name: "run-send-mail-missing-inputs", args: []string{"run", "send-mail", "--sandbox", "--no-input"}},
		{name: "run-send-mail-needs-yes", args: []string{"run", "send-mail", "--sandbox", "--set", "to=frannis@contoso.com", "--set", "subject=Hi", "--set", "body=Hello"}},
		{name: "run-send-mail-dry-run-json", args: []string{"run", "send-mail", "--sandbox", "--set", "to= frannis@contoso.com ; danas@contoso.com", "--set", "subject=Lunch?", "--set", "body=<p>Noon?</p>", "--set", "html=yes", "--dry-run", "--output", "json"}},
		{name: "run-create-event-dry-run", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Lunch", "--set", "start=tomorrow 12:00", "--set", "attendees=samanthab@contoso.onmicrosoft.com", "--dry-run"}},
		{name: "run-create-event-bad-preset", args: []string{"run", "create-event", "--sandbox", "--set", "subject=Lunch", "--set", "start=the day after the party", "--no-input"}},
		{name: "run-unknown-input", args: []string{"run", "whoami", "--sandbox", "--set", "nmae=x"}},
		{name: "run-unknown-template", args: []string{"run", "list-event", "--sandbox"}},
		{name: "run-no-backend", args: []string{"run", "whoami"}},
		{name: "run-graph-url-without-token", args: []string{"run", "whoami"}, vars: map[string]string{"RUNFLOW_GRAPH_URL": "http://127.0.0.1:9/v1.0"}},
		{name: "run-graph-url-plain-http", args: []string{"run", "whoami", "--graph-url", "http://graph.example.com/v1.0", "--token", "t0ken-value"}},
		{name: "run-graph-url-no-version", args: []string{"run", "whoami", "--graph-url", "https://graph.microsoft.com", "--token", "t0ken-value"}},
		{name: "run-sandbox-and-token", args: []string{"run", "whoami", "--sandbox", "--token", "t0ken-value"}},
		{name: "run-bad-flag", args: []string{"run", "whoami", "--sandbx"}},
		{name: "run-bad-output", args: []string{"run", "whoami", "--sandbox", "--output", "yaml"}},
		{name: "run-bad-zone", args: []string{"run", "whoami", "--sandbox", "--zone", "Mars/Olympus"}},
		{name: "run-two-templates", args: []string{"run", "whoami", "agenda"}},
		{name: "run-create-event-interactive", args: []string{"run", "create-event", "--sandbox"}, tty: true,
			stdin: "Team lunch\nthe day after\ntomorrow 12:00\n11:00\n\nalexw@, AlexW@contoso.onmicrosoft.com\nAlexW@contoso.onmicrosoft.com\nFourth Coffee\nSee you there.\nBring the plan.\n\nno\n"},
		{name: "run-send-mail-interactive-declined", args: []string{"run", "send-mail", "--sandbox", "--set", "cc=none", "--set", "html=no"}, tty: true,
			stdin: "frannis@contoso.com\nLunch?\nNoon at the new place.\n\n\nn\n"},
		{name: "validate-errors", args: []string{"validate", badTemplate}},
		{name: "run-template-with-errors", args: []string{"run", badTemplate, "--sandbox"}},
		{name: "describe-file-json", args: []string{"describe", "../../templates/create-todo-list.yaml", "--output", "json"}},
		{name: "list-json", args: []string{"list", "--output", "json"}},
		{name: "run-list-messages-from", args: []string{"run", "list-messages", "--sandbox", "--set", "max=3", "--set", "from=AlexW@contoso.onmicrosoft.com"}},
		{name: "run-list-tasks-by-name", args: []string{"run", "list-tasks", "--sandbox", "--set", "list=tasks", "--set", "completed=yes"}},
		{name: "validate-builtins", args: []string{"validate", "../../templates/whoami.yaml", "../../templates/send-mail.yaml"}},
		{name: "unknown-command", args: []string{"lst"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if tc.args == nil {
				tc.args = []string{"run", "whoami", "--sandbox"}
			}
			c := newCLI(t)
			c.tty = tc.tty
			for k, v := range tc.vars {
				c.vars[k] = v
			}
			o := c.run(tc.stdin, tc.args...)
			got := strings.ReplaceAll(transcript(tc.args, o), badTemplate, "bad.yaml")
			golden(t, tc.name+".txt", got)
		})
	}
}

// The overview lists every registered command with its summary (not a
// golden file: the auth commands register themselves from their own files).
func TestHelpListsEveryCommand(t *testing.T) {
	c := newCLI(t)
	help := c.run("", "help").wantCode(t, 0).stdout
	bare := c.run("").wantCode(t, 2)
	if bare.stderr != help {
		t.Errorf("runflow with no command should print the overview on stderr; got %q", bare.stderr)
	}
	for _, name := range commandNames() {
		cmd := commands[name]
		if !strings.Contains(help, "runflow "+name) || !strings.Contains(help, cmd.summary) {
			t.Errorf("help does not list %q with its summary:\n%s", name, help)
		}
		// Every command answers -h with its usage on stdout and exit 0.
		o := c.run("", name, "-h")
		if name == "sandbox" {
			o = c.run("", name, "help")
		}
		if o.code != 0 || !strings.Contains(o.stdout, "Usage: runflow "+name) {
			t.Errorf("runflow %s -h: exit %d, stdout %q", name, o.code, o.stdout)
		}
	}
}
