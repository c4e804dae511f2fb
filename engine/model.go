package engine

import (
	"net/url"
	"slices"

	"github.com/runflow/runflow/engine/input"
)

// The template model: what the decoder builds from YAML and the checker
// compiles. After Load it is never modified, so sessions share it freely.

// Keys the decoder accepts, per YAML concept. The JSON Schema test checks
// that engine/template.schema.json lists exactly these.
var (
	topKeys         = []string{"id", "name", "description", "version", "scopes", "cancel_words", "inputs", "steps", "output"}
	inputKeys       = []string{"name", "type", "prompt", "hint", "required", "default", "zone", "validate", "max_attempts", "choices", "choices_from", "future", "max_items", "min_item_length", "max_item_length", "relative_to", "max_size", "accept"}
	ruleKeys        = []string{"check", "message"}
	choiceKeys      = []string{"value", "label"}
	choicesFromKeys = []string{"items", "value", "label"}
	stepKinds       = []string{"http", "set", "if", "switch", "foreach", "ask", "confirm", "say", "end", "fail"}
	httpKeys        = []string{"method", "path", "query", "headers", "body", "success", "paging", "upload"}
	uploadKeys      = []string{"url", "file"}
	pagingKeys      = []string{"max_pages", "max_items"}
	onErrorKeys     = []string{"status", "code", "steps", "continue"}
	caseKeys        = []string{"value", "steps"}
	outputLongKeys  = []string{"value", "columns"}
	// stepExtraKeys are the keys allowed beside each kind key.
	stepExtraKeys = map[string][]string{
		"http":    {"id", "on_error"},
		"set":     {"id"},
		"if":      {"id", "then", "else"},
		"switch":  {"id", "cases", "default"},
		"foreach": {"id", "as", "max", "steps"},
		"ask":     {"id"},
		"confirm": {"id"},
		"say":     {"id"},
		"end":     {"id"},
		"fail":    {"id"},
	}
)

// stepKind is what a step does: the one kind key of its mapping. The
// decoder turns the key into a stepKind once; everything after it switches
// on the constant, so a new kind is a new constant here and a case where
// each switch must handle it.
type stepKind uint8

// The step kinds, in the order of stepKinds.
const (
	stepHTTP stepKind = iota + 1
	stepSet
	stepIf
	stepSwitch
	stepForeach
	stepAsk
	stepConfirm
	stepSay
	stepEnd
	stepFail
)

// stepKindOf returns the kind whose key is key.
func stepKindOf(key string) (stepKind, bool) {
	i := slices.Index(stepKinds, key)
	return stepKind(i + 1), i >= 0
}

// String returns the kind's key, as templates write it.
func (k stepKind) String() string {
	if k == 0 || int(k) > len(stepKinds) {
		return "unknown"
	}
	return stepKinds[k-1]
}

// inputTypes are the names of the input types the language knows, for
// did-you-mean (package input holds the types themselves).
var inputTypes = inputTypeNames()

func inputTypeNames() []string {
	types := input.Types()
	names := make([]string, len(types))
	for i, t := range types {
		names[i] = string(t)
	}
	return names
}

type inputDef struct {
	name        string
	typ         input.Type // "" when the template names no known type
	pos         Pos
	prompt      *value // string template
	hint        *value // string template, may be nil
	required    bool
	def         *value // may be nil
	zone        *value // may be nil
	validate    []rule
	maxAttempts int  // 0: the engine's default
	future      bool // a date or time before now is asked again
	choices     []choiceDef
	choicesFrom *choicesFrom
	askStep     *step // nil: asked at start
	listRules   input.ListRules
	// relativeTo (datetime and time inputs) is the time a bare time of
	// day or a duration in an answer is read against, e.g. the start of
	// an event for its end.
	relativeTo *expression
	maxSize    int64    // file, files: bytes per file (0: input.DefaultMaxFileBytes)
	accept     []string // file, files: accepted media types
	defaultSrc string
}

type rule struct {
	check   *expression
	message *value
	pos     Pos
}

type choiceDef struct {
	value, label string
}

type choicesFrom struct {
	items        *expression
	value, label *value
	pos          Pos
}

// block is a list of steps with a stable key, used by the cursor.
type block struct {
	key   string
	steps []*step
}

type step struct {
	key  string // stable id: the author's id, or "#n" in document order
	id   string // the author's id, "" when none
	kind stepKind
	pos  Pos
	// synthetic marks the implicit ask steps of start inputs.
	synthetic bool

	http    *httpSpec
	onError []*errorRule

	set []setVar

	cond       *expression // if
	then, els  *block
	subject    *expression // switch
	cases      []*switchCase
	defaultBlk *block

	items   *expression // foreach
	as      string
	max     int
	body    *block
	maxPos  Pos
	asPos   Pos
	ask     *inputDef // ask
	text    *value    // confirm, say, fail
	endSpec bool
}

type setVar struct {
	name string
	pos  Pos
	val  *value
}

type switchCase struct {
	text string // the case value's text form
	pos  Pos
	body *block
}

type httpSpec struct {
	method  string
	path    *value // string template; interpolations are escaped as path segments
	pathPos Pos
	query   []namedValue
	// literalQuery is query made once at load when every value is a
	// literal; requests share it (the graph client only reads Query).
	literalQuery url.Values
	headers      []namedValue
	body         *value
	success      []int
	paging       *pagingSpec
	summary      string
	pattern      string // method + path with {id} for interpolations, for the scopes check
	absolute     bool
	upload       *uploadSpec // PUT of a file to an upload session (upload.go); no path
}

type pagingSpec struct {
	maxPages *value
	maxItems *value
}

type namedValue struct {
	name string
	pos  Pos
	val  *value
}

type errorRule struct {
	statuses []int
	codes    []string
	body     *block
	cont     bool
	pos      Pos
}

type outputDef struct {
	name    string
	pos     Pos
	val     *value
	columns []string
}
