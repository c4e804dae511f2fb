package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/runflow/runflow/engine"
)

// A template drawn as a flowchart (`runflow describe --format mermaid|dot`):
// the inputs asked at the start, then every step, with its branches
// (if/else, switch cases, on_error rules), loops (foreach, with the edge
// back), confirmations (yes goes on, no ends the flow) and the Graph
// calls with their method and path. The graph is built once and written
// in either syntax.

// shape is how a node is drawn.
type shape int

const (
	shapeStep     shape = iota // a rectangle: set, say
	shapeTerminal              // a stadium: start, done, cancelled, fail, end
	shapeDecision              // a diamond: if, switch, confirm
	shapeInput                 // a parallelogram: inputs and ask steps
	shapeLoop                  // a hexagon: foreach
	shapeCall                  // a rectangle with double sides: an http call
)

type flowNode struct {
	id    string
	label string
	shape shape
	class string // "call", "failed", "finished": how it is coloured
}

type flowEdge struct {
	from, to string
	label    string
	back     bool // a loop's edge back to its foreach
}

type flowGraph struct {
	title string
	nodes []flowNode
	edges []flowEdge
	n     int
}

// exit is an edge still to be drawn from a node, with its label.
type exit struct {
	from, label string
}

// maxLabelRunes bounds a node's label: a picture, not the source.
const maxLabelRunes = 60

func buildFlowGraph(t *engine.Template) *flowGraph {
	g := &flowGraph{title: t.ID() + ": " + cleanText(t.Name())}
	start := g.node("start", shapeTerminal, "")
	exits := []exit{{from: start}}
	for _, in := range t.Inputs() {
		if in.AskStep != "" {
			continue
		}
		n := g.node(inputLabel(in.Name, in.Type, in.Required), shapeInput, "")
		g.connect(exits, n)
		exits = []exit{{from: n}}
	}
	inputs := map[string]engine.InputInfo{}
	for _, in := range t.Inputs() {
		inputs[in.Name] = in
	}
	exits = g.block(t.Flow(), exits, inputs)
	if len(exits) > 0 {
		done := g.node("done", shapeTerminal, "finished")
		g.connect(exits, done)
	}
	return g
}

func inputLabel(name, typ string, required bool) string {
	s := "ask " + name + " (" + typ
	if !required {
		s += ", optional"
	}
	return s + ")"
}

func (g *flowGraph) node(label string, sh shape, class string) string {
	g.n++
	id := "n" + strconv.Itoa(g.n)
	g.nodes = append(g.nodes, flowNode{id: id, label: shortLabel(label), shape: sh, class: class})
	return id
}

func (g *flowGraph) connect(from []exit, to string) {
	for _, e := range from {
		g.edges = append(g.edges, flowEdge{from: e.from, to: to, label: e.label})
	}
}

// block adds the steps, entered from entries; it returns the exits of the
// block (none when every path ends).
func (g *flowGraph) block(steps []engine.FlowStep, entries []exit, inputs map[string]engine.InputInfo) []exit {
	exits := entries
	for _, s := range steps {
		if len(exits) == 0 {
			break // unreachable; the checker refuses such templates
		}
		exits = g.step(s, exits, inputs)
	}
	return exits
}

func (g *flowGraph) step(s engine.FlowStep, entries []exit, inputs map[string]engine.InputInfo) []exit {
	switch s.Kind {
	case "http":
		label := s.Method + " " + s.Path
		if s.Paging {
			label += " (all pages)"
		}
		if s.ID != "" {
			label += " [" + s.ID + "]"
		}
		n := g.node(label, shapeCall, "call")
		g.connect(entries, n)
		out := []exit{{from: n}}
		for _, b := range s.Branches {
			if b.Continue {
				out = append(out, exit{from: n, label: b.Label + ": continue"})
				continue
			}
			out = append(out, g.block(b.Steps, []exit{{from: n, label: b.Label}}, inputs)...)
		}
		return out
	case "set":
		n := g.node("set "+strings.Join(s.Vars, ", "), shapeStep, "")
		g.connect(entries, n)
		return []exit{{from: n}}
	case "if":
		n := g.node("if "+s.Condition, shapeDecision, "")
		g.connect(entries, n)
		var out []exit
		hasElse := false
		for _, b := range s.Branches {
			label := "yes"
			if b.Kind == "else" {
				label, hasElse = "no", true
			}
			out = append(out, g.block(b.Steps, []exit{{from: n, label: label}}, inputs)...)
		}
		if !hasElse {
			out = append(out, exit{from: n, label: "no"})
		}
		return out
	case "switch":
		n := g.node("switch "+s.Condition, shapeDecision, "")
		g.connect(entries, n)
		var out []exit
		hasDefault := false
		for _, b := range s.Branches {
			label := "= " + b.Value
			if b.Kind == "default" {
				label, hasDefault = "other", true
			}
			out = append(out, g.block(b.Steps, []exit{{from: n, label: label}}, inputs)...)
		}
		if !hasDefault {
			out = append(out, exit{from: n, label: "other"})
		}
		return out
	case "foreach":
		n := g.node("for each "+s.As+" in "+s.Condition, shapeLoop, "")
		g.connect(entries, n)
		for _, b := range s.Branches {
			body := g.block(b.Steps, []exit{{from: n, label: "each"}}, inputs)
			for _, e := range body {
				g.edges = append(g.edges, flowEdge{from: e.from, to: n, label: e.label, back: true})
			}
		}
		return []exit{{from: n, label: "done"}}
	case "ask":
		in := inputs[s.Input]
		n := g.node(inputLabel(s.Input, in.Type, in.Required), shapeInput, "")
		g.connect(entries, n)
		return []exit{{from: n}}
	case "confirm":
		n := g.node("confirm: "+s.Text, shapeDecision, "")
		g.connect(entries, n)
		cancelled := g.node("cancelled", shapeTerminal, "finished")
		g.edges = append(g.edges, flowEdge{from: n, to: cancelled, label: "no"})
		return []exit{{from: n, label: "yes"}}
	case "say":
		n := g.node("say: "+s.Text, shapeStep, "")
		g.connect(entries, n)
		return []exit{{from: n}}
	case "end":
		n := g.node("end", shapeTerminal, "finished")
		g.connect(entries, n)
		return nil
	case "fail":
		n := g.node("fail: "+s.Text, shapeTerminal, "failed")
		g.connect(entries, n)
		return nil
	}
	n := g.node(s.Kind, shapeStep, "")
	g.connect(entries, n)
	return []exit{{from: n}}
}

// shortLabel cleans a label and bounds it to maxLabelRunes.
func shortLabel(s string) string {
	s = strings.Join(strings.Fields(cleanText(s)), " ")
	if utf8.RuneCountInString(s) > maxLabelRunes {
		r := []rune(s)
		s = string(r[:maxLabelRunes-1]) + "…"
	}
	return s
}

// writeMermaid writes g as a Mermaid flowchart (GitHub renders it in a
// ```mermaid block).
func writeMermaid(w io.Writer, g *flowGraph) error {
	var b strings.Builder
	// The title is YAML front matter: written as a JSON string, which
	// YAML reads as it is.
	title, _ := json.Marshal(mermaidText(g.title))
	fmt.Fprintf(&b, "---\ntitle: %s\n---\n", title)
	b.WriteString("flowchart TD\n")
	for _, n := range g.nodes {
		label := `"` + mermaidText(n.label) + `"`
		var open, close string
		switch n.shape {
		case shapeTerminal:
			open, close = "([", "])"
		case shapeDecision:
			open, close = "{", "}"
		case shapeInput:
			open, close = "[/", "/]"
		case shapeLoop:
			open, close = "{{", "}}"
		case shapeCall:
			open, close = "[[", "]]"
		default:
			open, close = "[", "]"
		}
		fmt.Fprintf(&b, "  %s%s%s%s\n", n.id, open, label, close)
	}
	for _, e := range g.edges {
		arrow := "-->"
		if e.back {
			arrow = "-.->"
		}
		if e.label != "" {
			fmt.Fprintf(&b, "  %s %s|\"%s\"| %s\n", e.from, arrow, mermaidText(e.label), e.to)
		} else {
			fmt.Fprintf(&b, "  %s %s %s\n", e.from, arrow, e.to)
		}
	}
	// (Mermaid reserves "end": the classes have other names.)
	b.WriteString("  classDef call fill:#e8f0fe,stroke:#1a73e8\n")
	b.WriteString("  classDef failed fill:#fce8e6,stroke:#d93025\n")
	b.WriteString("  classDef finished fill:#e6f4ea,stroke:#188038\n")
	for _, class := range []string{"call", "failed", "finished"} {
		var ids []string
		for _, n := range g.nodes {
			if n.class == class {
				ids = append(ids, n.id)
			}
		}
		if len(ids) > 0 {
			fmt.Fprintf(&b, "  class %s %s\n", strings.Join(ids, ","), class)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mermaidText escapes text for a quoted Mermaid label: quotes and the
// characters Mermaid reads as markup become entity codes.
func mermaidText(s string) string {
	return strings.NewReplacer(`"`, "#quot;", "<", "#lt;", ">", "#gt;", "|", "#124;", "`", "#96;", "#", "#35;").Replace(s)
}

// writeDot writes g in Graphviz's DOT language.
func writeDot(w io.Writer, g *flowGraph) error {
	var b strings.Builder
	b.WriteString("digraph flow {\n")
	fmt.Fprintf(&b, "  label=%s;\n  labelloc=t;\n", dotString(g.title))
	b.WriteString("  node [fontname=\"Helvetica\", fontsize=11];\n  edge [fontname=\"Helvetica\", fontsize=10];\n")
	for _, n := range g.nodes {
		attrs := []string{"label=" + dotString(n.label)}
		switch n.shape {
		case shapeTerminal:
			attrs = append(attrs, "shape=box", `style="rounded,filled"`)
		case shapeDecision:
			attrs = append(attrs, "shape=diamond")
		case shapeInput:
			attrs = append(attrs, "shape=parallelogram")
		case shapeLoop:
			attrs = append(attrs, "shape=hexagon")
		case shapeCall:
			attrs = append(attrs, "shape=box", "peripheries=2", "style=filled")
		default:
			attrs = append(attrs, "shape=box")
		}
		switch n.class {
		case "call":
			attrs = append(attrs, `fillcolor="#e8f0fe"`)
		case "failed":
			attrs = append(attrs, `fillcolor="#fce8e6"`)
		case "finished":
			attrs = append(attrs, `fillcolor="#e6f4ea"`)
		default:
			if n.shape == shapeTerminal {
				attrs = append(attrs, `fillcolor="#f1f3f4"`)
			}
		}
		fmt.Fprintf(&b, "  %s [%s];\n", n.id, strings.Join(attrs, ", "))
	}
	for _, e := range g.edges {
		var attrs []string
		if e.label != "" {
			attrs = append(attrs, "label="+dotString(e.label))
		}
		if e.back {
			attrs = append(attrs, "style=dashed", "constraint=false")
		}
		if len(attrs) > 0 {
			fmt.Fprintf(&b, "  %s -> %s [%s];\n", e.from, e.to, strings.Join(attrs, ", "))
		} else {
			fmt.Fprintf(&b, "  %s -> %s;\n", e.from, e.to)
		}
	}
	b.WriteString("}\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// dotString is s as a DOT quoted string.
func dotString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
