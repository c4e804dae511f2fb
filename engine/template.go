package engine

import (
	"sort"
	"strings"

	"github.com/runflow/runflow/engine/input"
)

// Template is a loaded, checked and compiled template. It is immutable and
// safe for concurrent use by any number of sessions.
type Template struct {
	source      string
	hash        string
	id          string
	title       string
	description string
	version     int
	scopes      []string
	scopePos    []Pos
	inputs      []*inputDef
	inputByName map[string]*inputDef
	userSteps   *block
	stepsPos    Pos
	main        *block
	blocks      map[string]*block
	stepByID    map[string]*step
	stepByKey   map[string]*step
	outputs     []*outputDef
	keepSteps   map[string]bool // step ids whose results expressions read
	// bodyPaths, wholeBody and keepWholeBodies say what a state keeps of
	// step bodies (keep.go).
	bodyPaths       map[string][]string
	wholeBody       map[string]bool
	keepWholeBodies bool
	needHeaders     bool // some expression may read steps.<id>.headers
	needItems       bool // some expression may read items, count or truncated
	usesSession     bool // some expression reads session (or $env)
	usesNow         bool // some expression reads now (or $env)
	warnings        []Problem
	// cancelWords replace Config.CancelWords when the template declares
	// cancel_words (normalised; empty: none).
	cancelWords map[string]bool

	// decoding scratch
	stepCount   int
	pendingAsks []pendingAsk
}

type pendingAsk struct {
	step *step
	name string
	pos  Pos
}

// ID returns the template's id.
func (t *Template) ID() string { return t.id }

// Name returns the template's human title.
func (t *Template) Name() string { return t.title }

// Description returns the template's description.
func (t *Template) Description() string { return t.description }

// Version returns the template's informational version (0 when not given).
func (t *Template) Version() int { return t.version }

// Scopes returns the Graph permissions the template declares.
func (t *Template) Scopes() []string { return append([]string(nil), t.scopes...) }

// Hash returns the template's version: a hash of its parsed, normalised
// content, in which comments, key order, quoting and whitespace outside
// values do not count. A saved state resumes only on a template of the
// same id and hash; an Engine may hold several hashes of one id (Add), so
// that sessions started on an older version finish on it.
func (t *Template) Hash() string { return t.hash }

// Source returns the file name the template was loaded from.
func (t *Template) Source() string { return t.source }

// Warnings returns the warnings found when loading the template.
func (t *Template) Warnings() []Problem { return append([]Problem(nil), t.warnings...) }

// InputInfo describes one input, for `runflow describe` and form builders.
type InputInfo struct {
	Name, Type, Prompt, Hint string
	Required                 bool
	// Default is the default's source text ("" when none).
	Default string
	// Choices are the static options of a choice input.
	Choices []input.Option
	// ChoicesFromSteps is true when the options are computed while running.
	ChoicesFromSteps bool
	// AskStep is the key of the ask step that asks the input; "" means it
	// is asked at the start.
	AskStep string
	// MaxSize and Accept bound a file or files input (see Question).
	MaxSize int64
	Accept  []string
	// List holds the item rules of a list input (max_items,
	// min_item_length, max_item_length); zero for other types.
	List input.ListRules
}

// Inputs describes the template's inputs in declaration order. Prompt and
// Hint are the source text (they may hold ${ } expressions).
func (t *Template) Inputs() []InputInfo {
	out := make([]InputInfo, 0, len(t.inputs))
	for _, in := range t.inputs {
		info := InputInfo{Name: in.name, Type: string(in.typ), Required: in.required, Default: in.defaultSrc, Choices: in.staticChoices(), ChoicesFromSteps: in.choicesFrom != nil}
		if len(info.Choices) == 0 {
			info.Choices = nil
		}
		info.Prompt = valueSource(in.prompt)
		info.Hint = valueSource(in.hint)
		if in.askStep != nil {
			info.AskStep = in.askStep.key
		}
		info.MaxSize, info.Accept = in.fileLimits()
		info.List = in.listRules
		out = append(out, info)
	}
	return out
}

// valueSource returns a text value as written.
func valueSource(v *value) string {
	if v == nil {
		return ""
	}
	switch v.kind {
	case valExpr:
		return "${ " + v.expr.src + " }"
	case valInterp:
		var b strings.Builder
		for _, p := range v.parts {
			if p.expr != nil {
				b.WriteString("${ " + p.expr.src + " }")
			} else {
				b.WriteString(p.text)
			}
		}
		return b.String()
	}
	return textOf(v.lit)
}

// StepInfo describes one step, for `runflow describe`.
type StepInfo struct {
	// ID is the author's id, or "#n" (the step's number in the file).
	ID string
	// Kind is the step kind: http, set, if, switch, foreach, ask, confirm,
	// say, end or fail.
	Kind string
	// Summary is a one-line description, e.g. "POST /me/todo/lists".
	Summary string
	// Depth is the nesting level (0 for top-level steps).
	Depth int
}

// Steps lists the template's steps in document order, nested steps after
// their parent with a greater Depth.
func (t *Template) Steps() []StepInfo {
	var out []StepInfo
	var walk func(b *block, depth int)
	walk = func(b *block, depth int) {
		if b == nil {
			return
		}
		for _, s := range b.steps {
			if s.synthetic {
				continue
			}
			out = append(out, StepInfo{ID: s.key, Kind: s.kind.String(), Summary: s.summary(), Depth: depth})
			for _, child := range s.children() {
				walk(child, depth+1)
			}
		}
	}
	walk(t.userSteps, 0)
	return out
}

func (s *step) summary() string {
	switch s.kind {
	case stepHTTP:
		if s.http != nil {
			return s.http.summary
		}
	case stepSet:
		names := make([]string, len(s.set))
		for i, v := range s.set {
			names[i] = v.name
		}
		sort.Strings(names)
		return joinComma(names)
	case stepIf:
		if s.cond != nil {
			return s.cond.src
		}
	case stepSwitch:
		if s.subject != nil {
			return s.subject.src
		}
	case stepForeach:
		if s.items != nil {
			return s.as + " in " + s.items.src
		}
	case stepAsk:
		if s.ask != nil {
			return s.ask.name
		}
	case stepConfirm, stepSay, stepFail:
		return valueSource(s.text)
	}
	return ""
}

func joinComma(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += ", "
		}
		out += x
	}
	return out
}

// MissingInputs returns the names of required inputs that have no default
// and no value in inputs, in declaration order: all of them, so that a
// caller can ask for everything at once.
func (t *Template) MissingInputs(inputs map[string]any) []string {
	var out []string
	for _, in := range t.inputs {
		if !in.required || in.def != nil {
			continue
		}
		if v, ok := inputs[in.name]; ok && v != nil {
			if s, isStr := v.(string); !isStr || s != "" {
				continue
			}
		}
		out = append(out, in.name)
	}
	return out
}

func (t *Template) inputNames() []string {
	out := make([]string, len(t.inputs))
	for i, in := range t.inputs {
		out[i] = in.name
	}
	return out
}

func (t *Template) stepIDs() []string {
	out := make([]string, 0, len(t.stepByID))
	for id := range t.stepByID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// index gives every block a stable key and records every step by key.
func (t *Template) index() {
	t.blocks = map[string]*block{}
	t.stepByKey = map[string]*step{}
	var walk func(b *block)
	walk = func(b *block) {
		t.blocks[b.key] = b
		for _, s := range b.steps {
			t.stepByKey[s.key] = s
			if s.then != nil {
				s.then.key = s.key + "/then"
			}
			if s.els != nil {
				s.els.key = s.key + "/else"
			}
			if s.defaultBlk != nil {
				s.defaultBlk.key = s.key + "/default"
			}
			if s.body != nil {
				s.body.key = s.key + "/do"
			}
			for i, cs := range s.cases {
				cs.body.key = s.key + "/case" + itoa(i)
			}
			for i, r := range s.onError {
				if r.body != nil {
					r.body.key = s.key + "/on_error" + itoa(i)
				}
			}
			for _, child := range s.children() {
				walk(child)
			}
		}
	}
	walk(t.main)
}
