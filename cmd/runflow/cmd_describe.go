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
		args:    "ID|FILE [--output text|json]",
		summary: "show a template's inputs (types, defaults), scopes and steps",
		run:     runDescribe,
	})
}

func runDescribe(_ context.Context, e *env, args []string) error {
	c := commands["describe"]
	fs := newFlagSet(c.name)
	output := fs.String("output", "text", "output `FORMAT`: text or json")
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
	t, err := resolveTemplate(pos[0])
	if err != nil {
		return err
	}
	if *output == "json" {
		return describeJSON(e.stdout, t)
	}
	return describeText(e.stdout, t)
}

func describeText(w io.Writer, t *engine.Template) error {
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
	for _, s := range t.Steps() {
		indent := strings.Repeat("  ", s.Depth+1)
		line := indent + s.Kind
		if s.Summary != "" {
			line += " " + cleanText(s.Summary)
		}
		if s.ID != "" && !strings.HasPrefix(s.ID, "#") {
			line += "   [" + s.ID + "]"
		}
		b.WriteString(truncate(line, 120) + "\n")
	}
	fmt.Fprintf(&b, "\nRun it:  runflow run %s --sandbox\n", t.ID())
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
	for _, s := range t.Steps() {
		doc.Steps = append(doc.Steps, stepDoc{ID: s.ID, Kind: s.Kind, Summary: s.Summary, Depth: s.Depth})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(doc)
}
