package flowtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// DefaultTimeout bounds one case when Options.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// Resolver turns a flow test's `template` into a compiled template. ref is
// the text of the file's template key; caseDir the directory of the flow
// test file, against which relative paths are read.
type Resolver func(ref string, caseDir string) (*engine.Template, error)

// Options configure Run and RunDir.
type Options struct {
	// Resolve finds templates. Nil means PathResolver (paths only).
	Resolve Resolver
	// Timeout bounds one case; zero means DefaultTimeout.
	Timeout time.Duration
	// Limits are passed to the engine; zero fields take the engine defaults.
	Limits engine.Limits
}

// PathResolver loads ref as a template file path, relative to caseDir
// unless absolute. Callers that know built-in templates try their ids first
// and fall back to it.
func PathResolver(ref, caseDir string) (*engine.Template, error) {
	path := ref
	if !filepath.IsAbs(path) {
		path = filepath.Join(caseDir, ref)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("%q is neither a built-in template id nor a template file (%s: %v)", ref, path, errors.Unwrap(err))
	}
	return engine.LoadFile(path)
}

// IDResolver returns a Resolver that reads refs that look like paths
// (ending in .yaml or .yml, or holding a slash) as files with PathResolver,
// and gives every other ref to byID, for example a lookup of built-in
// templates.
func IDResolver(byID func(id string) (*engine.Template, error)) Resolver {
	return func(ref, caseDir string) (*engine.Template, error) {
		if IsTemplatePath(ref) {
			return PathResolver(ref, caseDir)
		}
		return byID(ref)
	}
}

// IsTemplatePath reports whether a flow test's template ref is a file path
// (ends in .yaml or .yml, or holds a slash) rather than a built-in id.
func IsTemplatePath(ref string) bool {
	return strings.HasSuffix(ref, ".yaml") || strings.HasSuffix(ref, ".yml") || strings.ContainsAny(ref, `/\`)
}

// RunDir runs every *.flow.yaml file under dir, in lexical order, and
// returns one Result per file. A file that does not load gives a failed
// Result listing its problems. The error is for a directory that cannot be
// walked or holds no flow test.
func RunDir(dir string, opts Options) ([]*Result, error) {
	files, err := FindFiles(dir)
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("flowtest: no *.flow.yaml file under %s", dir)
	}
	results := make([]*Result, 0, len(files))
	for _, f := range files {
		results = append(results, RunFile(context.Background(), f, opts))
	}
	return results, nil
}

// FindFiles lists the *.flow.yaml files under dir (or dir itself when it is
// such a file), sorted.
func FindFiles(dir string) ([]string, error) {
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(d.Name(), ".flow.yaml") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("flowtest: %w", err)
	}
	sort.Strings(files)
	return files, nil
}

// RunFile loads and runs one flow test file. A file that does not load
// gives a failed Result with one failure per problem.
func RunFile(ctx context.Context, path string, opts Options) *Result {
	c, err := LoadFile(path)
	if err != nil {
		res := &Result{File: path}
		var le *LoadError
		if errors.As(err, &le) {
			for _, p := range le.Problems {
				res.Failures = append(res.Failures, Failure{Line: p.Line, Where: "file", Message: p.Message})
			}
		} else {
			res.Failures = append(res.Failures, Failure{Where: "file", Message: err.Error()})
		}
		return res
	}
	return Run(ctx, c, opts)
}

// Run executes one case against its own loopback Graph server and reports
// every difference from what the file expects.
func Run(ctx context.Context, c *Case, opts Options) *Result {
	r := &runner{c: c, opts: opts, rec: &recorder{}, res: &Result{File: c.File, Description: c.Description}}
	r.run(ctx)
	r.res.Failures = r.rec.list()
	return r.res
}

// runner holds one case's run.
type runner struct {
	c    *Case
	opts Options
	rec  *recorder
	res  *Result
	auth *testAuth
	srv  *fakeGraph
	cfg  engine.Config

	messages []string // every message said, in order
}

func (r *runner) run(ctx context.Context) {
	c := r.c
	timeout := r.opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	resolve := r.opts.Resolve
	if resolve == nil {
		resolve = PathResolver
	}
	tpl, err := resolve(c.Template, filepath.Dir(c.File))
	if err != nil {
		r.rec.add(c.TemplateLine, "template", "%v", err)
		return
	}
	zone, err := input.LoadZone(c.Zone)
	if err != nil {
		r.rec.add(c.Line["zone"], "zone", "%v", err)
		return
	}

	r.auth = newTestAuth(c.Auth)
	r.srv = newFakeGraph(c.Graph, r.auth.token, c.Now, r.rec)
	defer r.srv.Close()
	now := c.Now
	r.cfg = engine.Config{
		GraphURL:   r.srv.BaseURL(),
		HTTPClient: r.srv.srv.Client(),
		Auth:       r.auth,
		Zone:       zone,
		Now:        func() time.Time { return now },
		Limits:     r.opts.Limits,
		Templates:  []*engine.Template{tpl},
	}
	eng, err := engine.New(r.cfg)
	if err != nil {
		r.rec.add(0, "engine", "%v", err)
		return
	}

	turn, err := eng.Start(ctx, tpl, engine.StartOptions{
		Inputs:      r.presets(),
		User:        c.User,
		NoInput:     c.NoInput,
		AutoConfirm: c.AutoConfirm,
		DryRun:      c.DryRun,
		Zone:        c.ConversationZone,
	})
	if err != nil {
		r.rec.add(c.Line["inputs"], "start", "the engine refused to start: %v", err)
		return
	}
	used := 0
	for {
		if used == 0 {
			r.checkNoToken("start", turn)
		} else {
			r.checkNoToken(fmt.Sprintf("after turn %d", used), turn)
		}
		r.messages = append(r.messages, turn.Messages...)
		if turn.Kind != engine.KindQuestion && turn.Kind != engine.KindSignIn {
			break
		}
		r.res.Turns++
		if used >= len(c.Turns) {
			r.rec.add(c.Line["turns"], fmt.Sprintf("turn %d", used+1), "the flow paused with %s, but the file has no more turns (it lists %d)",
				describeTurn(turn), len(c.Turns))
			return
		}
		want := c.Turns[used]
		used++
		where := fmt.Sprintf("turn %d", used)
		r.checkTurn(where, want, turn)
		if turn.Kind == engine.KindSignIn && want.Kind == TurnSignIn {
			r.auth.completeInBrowser()
		}
		state, ok := r.roundTrip(where, want.Line, turn.State)
		if !ok {
			return
		}
		// A fresh engine proves that nothing but the saved state carries
		// the session from one turn to the next.
		eng, err = engine.New(r.cfg)
		if err != nil {
			r.rec.add(0, "engine", "%v", err)
			return
		}
		turn, err = eng.Resume(ctx, state, want.Answer)
		if err != nil {
			r.rec.add(want.Line, where, "resuming from the saved state failed: %v", err)
			return
		}
	}
	for i := used; i < len(c.Turns); i++ {
		r.rec.add(c.Turns[i].Line, fmt.Sprintf("turn %d", i+1), "expected %s, but the flow had already ended (%s)",
			describeWant(c.Turns[i]), describeEnd(turn))
	}
	r.res.Status = string(turn.Status)
	r.checkEnd(turn)
}

// presets converts the file's inputs as `runflow run --set` would: scalars
// as the text typed, lists as lists of text.
func (r *runner) presets() map[string]any {
	if len(r.c.Inputs) == 0 {
		return nil
	}
	out := make(map[string]any, len(r.c.Inputs))
	for _, in := range r.c.Inputs {
		if files, ok := generatedFiles(in.JSON); ok { // files.go
			out[in.Name] = files
			continue
		}
		var list []string
		if len(in.JSON) > 0 && in.JSON[0] == '[' && json.Unmarshal(in.JSON, &list) == nil {
			out[in.Name] = list
			continue
		}
		out[in.Name] = in.Text
	}
	return out
}

// roundTrip turns the saved state into generic JSON and back, as a store
// that knows nothing of the engine would, and checks it holds no token.
func (r *runner) roundTrip(where string, line int, state []byte) ([]byte, bool) {
	if len(state) == 0 {
		r.rec.add(line, where, "the paused turn has no saved state")
		return nil, false
	}
	if bytes.Contains(state, []byte(r.auth.token)) {
		r.rec.add(line, where, "the saved state contains the access token")
	}
	v, err := decodeJSON(state)
	if err != nil {
		r.rec.add(line, where, "the saved state is not JSON: %v", err)
		return nil, false
	}
	out, err := json.Marshal(v)
	if err != nil {
		r.rec.add(line, where, "the saved state does not survive a JSON round trip: %v", err)
		return nil, false
	}
	return out, true
}

// checkNoToken fails when the token shows in what a turn hands out.
func (r *runner) checkNoToken(where string, t *engine.Turn) {
	tok := r.auth.token
	leak := func(what, s string) {
		if strings.Contains(s, tok) {
			r.rec.add(0, where, "the access token appears in %s", what)
		}
	}
	for _, m := range t.Messages {
		leak("a message", m)
	}
	if t.Err != nil {
		leak("the error", t.Err.Error())
	}
	for _, o := range t.Outputs {
		b, _ := json.Marshal(o.Value)
		leak("output "+o.Name, string(b))
	}
	if t.Question != nil {
		leak("the question", t.Question.Text+" "+t.Question.Error+" "+t.Question.Hint)
	}
	if t.SignIn != nil {
		leak("the sign-in request", t.SignIn.URL+" "+t.SignIn.Reason)
	}
	if t.DryRun != nil {
		leak("the dry-run request", t.DryRun.URL+" "+fmt.Sprint(t.DryRun.Header)+" "+string(t.DryRun.Body))
	}
}
