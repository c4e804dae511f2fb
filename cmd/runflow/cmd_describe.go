package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/runflow/runflow/engine"
)

func init() {
	register(&command{
		name:    "describe",
		args:    "ID|FILE [--output text|json] [--format text|mermaid|dot]",
		summary: "show a template's inputs (types, defaults), scopes and steps, or draw it",
		run:     runDescribe,
	})
}

func runDescribe(_ context.Context, e *env, args []string) error {
	c := commands["describe"]
	fs := newFlagSet(c.name)
	output := fs.String("output", "text", "output `FORMAT`: text or json")
	format := fs.String("format", "text", "with --output text: `KIND` text, or a flowchart in mermaid or dot (Graphviz)")
	pos, err := parseArgs(c, fs, e, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return usageErrorf("describe wants one template id or file, got %d arguments", len(pos))
	}
	if *output != "text" && *output != "json" {
		return usageErrorf("--output %q: want text or json", *output)
	}
	switch *format {
	case "text", "mermaid", "dot":
	default:
		return usageErrorf("--format %q: want text, mermaid or dot", *format)
	}
	if *format != "text" && *output != "text" {
		return usageErrorf("--format %s draws the flow as text: it cannot be combined with --output %s", *format, *output)
	}
	t, err := resolveTemplate(pos[0])
	if err != nil {
		return err
	}
	switch {
	case *output == "json":
		return describeJSON(e.stdout, t)
	case *format == "mermaid":
		return writeMermaid(e.stdout, buildFlowGraph(t))
	case *format == "dot":
		return writeDot(e.stdout, buildFlowGraph(t))
	}
	ref := t.ID()
	if looksLikeFile(pos[0]) {
		ref = shellWord(pos[0])
	}
	return describeText(e.stdout, t, ref)
}

// describeText prints the template for people; ref is how to name it in
// the "Run it" line (its id, or the file path it was given as).
func describeText(w io.Writer, t *engine.Template, ref string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s\n", t.ID(), cleanText(t.Name()))
	fmt.Fprintf(&b, "%s\n\n", cleanText(t.Description()))
	fmt.Fprintf(&b, "Scopes: %s\n", strings.Join(t.Scopes(), ", "))
	inputs := t.Inputs()
	if len(inputs) == 0 {
		b.WriteString("\nInputs: none\n")
	} else {
		b.WriteString("\nInputs:\n")
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  NAME\tTYPE\tREQUIRED\tDEFAULT\tQUESTION")
		for _, in := range inputs {
			req := "yes"
			if !in.Required {
				req = "no"
			}
			def := in.Default
			if def == "" {
				def = "-"
			}
			typ := in.Type
			if len(in.Choices) > 0 {
				opts := make([]string, len(in.Choices))
				for i, c := range in.Choices {
					opts[i] = c.Value
				}
				typ += " (" + strings.Join(opts, "|") + ")"
			} else if in.ChoicesFromSteps {
				typ += " (from Graph)"
			}
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\n", in.Name, typ, req, cleanText(def), cleanText(in.Prompt))
		}
		tw.Flush()
	}
	b.WriteString("\nSteps:\n")
	describeSteps(&b, t.Flow(), 1)
	fmt.Fprintf(&b, "\nRun it:  runflow run %s --sandbox\n", ref)
	_, err := io.WriteString(w, b.String())
	return err
}

func describeJSON(w io.Writer, t *engine.Template) error {
	type inputDoc struct {
		Name             string   `json:"name"`
		Type             string   `json:"type"`
		Required         bool     `json:"required"`
		Default          string   `json:"default,omitempty"`
		Prompt           string   `json:"prompt"`
		Hint             string   `json:"hint,omitempty"`
		Choices          []string `json:"choices,omitempty"`
		ChoicesFromSteps bool     `json:"choices_from_steps,omitempty"`
		AskedBy          string   `json:"asked_by,omitempty"`
	}
	type stepDoc struct {
		ID      string `json:"id"`
		Kind    string `json:"kind"`
		Summary string `json:"summary,omitempty"`
		Depth   int    `json:"depth"`
		// Branch is the block of the parent step the step is in: then,
		// else, case <value>, default, each <as>, on error <status>.
		Branch string `json:"branch,omitempty"`
	}
	doc := struct {
		ID          string     `json:"id"`
		Name        string     `json:"name"`
		Description string     `json:"description"`
		Scopes      []string   `json:"scopes"`
		Inputs      []inputDoc `json:"inputs"`
		Steps       []stepDoc  `json:"steps"`
	}{ID: t.ID(), Name: t.Name(), Description: t.Description(), Scopes: t.Scopes(), Inputs: []inputDoc{}, Steps: []stepDoc{}}
	for _, in := range t.Inputs() {
		d := inputDoc{Name: in.Name, Type: in.Type, Required: in.Required, Default: in.Default, Prompt: in.Prompt, Hint: in.Hint, ChoicesFromSteps: in.ChoicesFromSteps, AskedBy: in.AskStep}
		for _, c := range in.Choices {
			d.Choices = append(d.Choices, c.Value)
		}
		doc.Inputs = append(doc.Inputs, d)
	}
	var walk func(steps []engine.FlowStep, depth int, branch string)
	walk = func(steps []engine.FlowStep, depth int, branch string) {
		for _, s := range steps {
			doc.Steps = append(doc.Steps, stepDoc{ID: s.Key, Kind: s.Kind, Summary: s.Summary, Depth: depth, Branch: branch})
			for _, br := range s.Branches {
				walk(br.Steps, depth+1, br.Label)
			}
		}
	}
	walk(t.Flow(), 0, "")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}

// describeSteps writes steps nested under their parents; the blocks of an
// if (then, else), a switch (each case, default) and an http step's
// on_error rules are each introduced by their label, so that the two
// branches of an if do not read as one sequence.
func describeSteps(b *strings.Builder, steps []engine.FlowStep, depth int) {
	for _, s := range steps {
		indent := strings.Repeat("  ", depth)
		line := indent + s.Kind
		if s.Summary != "" {
			line += " " + cleanText(s.Summary)
		}
		if s.ID != "" {
			line += "   [" + s.ID + "]"
		}
		b.WriteString(truncate(line, 120) + "\n")
		for _, br := range s.Branches {
			if br.Kind == "each" {
				describeSteps(b, br.Steps, depth+1)
				continue
			}
			label := cleanText(br.Label) + ":"
			if br.Continue {
				label += " continue"
			} else if len(br.Steps) == 0 {
				label += " nothing"
			}
			b.WriteString(truncate(indent+"  "+label, 120) + "\n")
			describeSteps(b, br.Steps, depth+2)
		}
	}
}

// shellWord quotes a path for a shell command line when it needs it.
func shellWord(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
