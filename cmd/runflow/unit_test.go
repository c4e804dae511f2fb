package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"golang.org/x/oauth2"
)

func TestParseArgsInterleaved(t *testing.T) {
	tests := []struct {
		args    []string
		wantPos []string
		wantSet []string
		wantV   bool
	}{
		{[]string{"list-events", "--sandbox"}, []string{"list-events"}, nil, false},
		{[]string{"-v", "x", "--set", "a=1", "y", "--set=b=2"}, []string{"x", "y"}, []string{"a=1", "b=2"}, true},
		{[]string{"x", "--", "-v", "--set"}, []string{"x", "-v", "--set"}, nil, false},
	}
	for _, tt := range tests {
		c := &command{name: "t"}
		fs := newFlagSet("t")
		var sets setFlag
		fs.Var(&sets, "set", "")
		v := fs.Bool("v", false, "")
		fs.Bool("sandbox", false, "")
		pos, err := parseArgs(c, fs, &env{}, tt.args)
		if err != nil {
			t.Fatalf("%v: %v", tt.args, err)
		}
		var gotSets []string
		for _, p := range sets.pairs {
			gotSets = append(gotSets, p[0]+"="+p[1])
		}
		if !slices.Equal(pos, tt.wantPos) || !slices.Equal(gotSets, tt.wantSet) || *v != tt.wantV {
			t.Errorf("%v: positional %v sets %v -v %v", tt.args, pos, gotSets, *v)
		}
	}
}

func TestSetFlagRejectsMissingName(t *testing.T) {
	var f setFlag
	for _, bad := range []string{"novalue", "=x", "  =x"} {
		if err := f.Set(bad); err == nil {
			t.Errorf("Set(%q) accepted", bad)
		}
	}
	if err := f.Set("to=a@x.com, b@x.com"); err != nil || f.pairs[0] != [2]string{"to", "a@x.com, b@x.com"} {
		t.Errorf("Set: %v %v", err, f.pairs)
	}
}

func TestCheckGraphURL(t *testing.T) {
	tests := []struct {
		url    string
		wantOK bool
	}{
		{"https://graph.microsoft.com/v1.0", true},
		{"http://127.0.0.1:8080/v1.0", true},
		{"http://[::1]:8080/v1.0", true},
		{"http://localhost:8080/beta", true},
		{"http://graph.example.com/v1.0", false}, // a token in clear text over a network
		{"https://graph.microsoft.com", false},   // no version
		{"https://graph.microsoft.com/", false},
		{"graph.microsoft.com/v1.0", false},
		{"https://user:pw@graph.microsoft.com/v1.0", false},
		{"https://graph.microsoft.com/v1.0?x=1", false},
		{"ftp://graph.microsoft.com/v1.0", false},
	}
	for _, tt := range tests {
		err := checkGraphURL(tt.url)
		if (err == nil) != tt.wantOK {
			t.Errorf("checkGraphURL(%q) = %v, want ok=%v", tt.url, err, tt.wantOK)
		}
		if err != nil && exitCodeOf(err) != exitUsage {
			t.Errorf("checkGraphURL(%q): exit code %d, want 2", tt.url, exitCodeOf(err))
		}
		if err != nil && strings.Contains(err.Error(), "pw") {
			t.Errorf("checkGraphURL(%q) error shows the password: %v", tt.url, err)
		}
	}
}

func TestFormatValue(t *testing.T) {
	pst, _ := time.LoadLocation("America/Los_Angeles")
	at := time.Date(2026, 6, 16, 12, 0, 0, 0, pst)
	tests := []struct {
		v    any
		loc  *time.Location
		want string
	}{
		{nil, nil, "-"},
		{"", nil, "-"},
		{true, nil, "yes"},
		{false, nil, "no"},
		{float64(3), nil, "3"},
		{2.5, nil, "2.5"},
		{int64(-4), nil, "-4"},
		{at, nil, "Tue 16 Jun 2026 12:00"},
		{at, time.UTC, "Tue 16 Jun 2026 19:00"},
		{time.Date(2026, 6, 16, 0, 0, 0, 0, pst), nil, "Tue 16 Jun 2026"},
		{90 * time.Minute, nil, "1h30m0s"},
		{[]string{"a@x.com", "b@x.com"}, nil, "a@x.com, b@x.com"},
		{[]any{}, nil, "-"},
		{map[string]any{"k": "v"}, nil, `{"k":"v"}`},
		{"evil\x1b[2Jsubject\r\nline", nil, "evil[2Jsubject  line"},
		{"invoice\u202Efdp.exe", nil, "invoicefdp.exe"},
	}
	for _, tt := range tests {
		if got := formatValue(tt.v, textStyle{loc: tt.loc}); got != tt.want {
			t.Errorf("formatValue(%#v) = %q, want %q", tt.v, got, tt.want)
		}
	}
}

func TestWriteTextTable(t *testing.T) {
	var b bytes.Buffer
	res := result{
		Messages: []string{"Two lists.\nSecond line \x07"},
		Outputs: []outputItem{
			{Name: "lists", Columns: []string{"name", "is_default"}, Value: []any{
				map[string]any{"name": "Tasks", "is_default": true, "id": "hidden"},
				map[string]any{"name": strings.Repeat("x", 80), "is_default": false},
			}},
			{Name: "empty", Columns: []string{"name"}, Value: []any{}},
			{Name: "count", Value: float64(2)},
		},
	}
	if err := writeText(&b, res, textStyle{maxCell: 20}); err != nil {
		t.Fatal(err)
	}
	want := "Two lists.\nSecond line \n\nlists (2):\nNAME                  IS DEFAULT\nTasks                 yes\nxxxxxxxxxxxxxxxxxxx…  no\n\nempty: none\n\ncount:  2\n"
	if b.String() != want {
		t.Errorf("writeText:\n%q\nwant\n%q", b.String(), want)
	}
}

func TestReadInputFileErrors(t *testing.T) {
	dir := t.TempDir()
	cases := map[string]string{
		"dup.yaml":   "name: a\nname: b\n",
		"list.json":  `["a"]`,
		"broken.yml": "name: [unclosed\n",
	}
	for file, content := range cases {
		path := filepath.Join(dir, file)
		os.WriteFile(path, []byte(content), 0o600)
		if _, err := readInputFile(path, nil); err == nil || exitCodeOf(err) != exitUsage || !strings.Contains(err.Error(), file) {
			t.Errorf("%s: error %v, want a usage error naming the file", file, err)
		}
	}
	big := filepath.Join(dir, "big.json")
	os.WriteFile(big, bytes.Repeat([]byte(" "), maxInputFileBytes+1), 0o600)
	if _, err := readInputFile(big, nil); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("big file: %v", err)
	}
	good := filepath.Join(dir, "good.json")
	os.WriteFile(good, []byte(`{"max": 5, "to": ["a@x.com"], "html": true}`), 0o600)
	v, err := readInputFile(good, nil)
	if err != nil || v["max"] != 5 || v["html"] != true {
		t.Errorf("good file: %v %v", v, err)
	}
}

func TestReadBoundedLine(t *testing.T) {
	r := bufio.NewReaderSize(strings.NewReader(strings.Repeat("a", 100)+"\nnext\r\nlast"), 16)
	if _, err := readBoundedLine(r, 50); err == nil {
		t.Fatal("a 100-byte line passed a 50-byte limit")
	}
	for _, want := range []string{"next", "last"} {
		got, err := readBoundedLine(r, 50)
		if err != nil || got != want {
			t.Fatalf("got %q, %v; want %q", got, err, want)
		}
	}
	if _, err := readBoundedLine(r, 50); !errors.Is(err, errEndOfInput) {
		t.Fatalf("at the end: %v, want errEndOfInput", err)
	}
}

func TestPlannedRequestRedaction(t *testing.T) {
	p := &engine.PlannedRequest{
		Method: "POST",
		URL:    "https://graph.microsoft.com/v1.0/me/things?access_token=abc123&$top=5",
		Header: http.Header{"Authorization": {"Bearer abc123"}, "X-Api-Key": {"k-123"}, "Prefer": {`outlook.timezone="UTC"`}},
		Body:   []byte(`{"name":"ok","client_secret":"s3cr3t","nested":[{"password":"p4ss","value":1}]}`),
	}
	var b bytes.Buffer
	if err := writePlanned(&b, p); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, secret := range []string{"abc123", "k-123", "s3cr3t", "p4ss"} {
		if strings.Contains(out, secret) {
			t.Errorf("dry-run output shows %q:\n%s", secret, out)
		}
	}
	for _, keep := range []string{"$top=5", `outlook.timezone="UTC"`, `"name": "ok"`, `"value": 1`} {
		if !strings.Contains(out, keep) {
			t.Errorf("dry-run output lost %q:\n%s", keep, out)
		}
	}
}

func TestSuggest(t *testing.T) {
	names := []string{"list", "describe", "run", "validate"}
	for in, want := range map[string]string{"lst": "list", "rn": "run", "valdate": "validate", "zzzzzz": ""} {
		if got := suggest(in, names); got != want {
			t.Errorf("suggest(%q) = %q, want %q", in, got, want)
		}
	}
}

// signInProvider always asks for a sign-in, as a profile with nobody
// signed in does.
type signInProvider struct{}

func (signInProvider) Token(context.Context, auth.Request) (*oauth2.Token, error) {
	return nil, &auth.SignInRequiredError{URL: "https://login.example.invalid/authorize?x=1", Reason: "nobody is signed in", Scopes: []string{"User.Read"}}
}

// A run that reaches a sign-in exits 3 and says where to sign in; the
// profile (here the env's profileBackend hook) is what provides the token.
func TestSignInNeeded(t *testing.T) {
	g := newFakeGraph(t, nil)
	c := newCLI(t)
	var gotSel profileSelection
	c.hooks.profileBackend = func(_ context.Context, _ *env, sel profileSelection, scopes []string) (profileRun, error) {
		gotSel = sel
		if !slices.Equal(scopes, []string{"User.Read"}) {
			t.Errorf("profile asked for scopes %v, want the template's", scopes)
		}
		return profileRun{auth: signInProvider{}, graphURL: g.url()}, nil
	}
	o := c.run("", "run", "whoami", "--profile", "work").wantCode(t, 3)
	if gotSel.Name != "work" {
		t.Errorf("profile selection = %+v", gotSel)
	}
	if !strings.Contains(o.stderr, "https://login.example.invalid/authorize?x=1") {
		t.Errorf("stderr does not say where to sign in:\n%s", o.stderr)
	}
	if n := len(g.requests()); n != 0 {
		t.Errorf("%d requests sent without a token", n)
	}
	c.hooks.profileBackend = func(context.Context, *env, profileSelection, []string) (profileRun, error) {
		return profileRun{}, &auth.SignInRequiredError{Reason: "run 'runflow auth login'"}
	}
	o = c.run("", "run", "whoami").wantCode(t, 3)
	if !strings.Contains(o.stderr, "runflow auth login") {
		t.Errorf("stderr = %q", o.stderr)
	}
}

// On a terminal stderr, reads draw a progress line that is erased before
// the result; on a pipe nothing is drawn.
func TestProgressOnlyOnTerminal(t *testing.T) {
	var stdout, stderr bytes.Buffer
	c := newCLI(t)
	e := &env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, stderrTTY: true,
		getenv: func(string) string { return "" }, configDir: func() (string, error) { return c.configDir, nil }, now: func() time.Time { return testNow }}
	if code := Main(context.Background(), []string{"run", "list-todo-lists", "--sandbox"}, e); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "1 request to Graph, 1 page, 3 items") || !strings.HasSuffix(stderr.String(), "\r") {
		t.Errorf("no erased progress line on a terminal: %q", stderr.String())
	}
	o := c.run("", "run", "list-todo-lists", "--sandbox").wantCode(t, 0)
	if o.stderr != "" {
		t.Errorf("progress drawn on a pipe: %q", o.stderr)
	}
}

func TestPromptShowsQuestion(t *testing.T) {
	var out bytes.Buffer
	p := newPrompter(strings.NewReader(""), &out)
	p.show(&engine.Question{Input: "end", Type: "datetime", Text: "When does it end?", Hint: "e.g. 10am", Default: "2026-11-26T12:30:00-08:00",
		Attempt: 2, MaxAttempts: 3, Error: "The end must be after the start.", Required: true})
	want := "  ✗ The end must be after the start. (attempt 2 of 3)\n? When does it end?\n  e.g. 10am\n  (Enter for Thu 26 Nov 2026 12:30)\n> "
	if out.String() != want {
		t.Errorf("show:\n%q\nwant\n%q", out.String(), want)
	}
	out.Reset()
	p.show(&engine.Question{Type: "confirm", Text: "Send \x1b[31mit\x1b[0m?"})
	if got := out.String(); got != "? Send [31mit[0m? [y/n] " {
		t.Errorf("confirm: %q (escape sequences must be stripped)", got)
	}
}

// flakyProvider asks for a sign-in until signedIn is set, then gives a token.
type flakyProvider struct{ signedIn *bool }

func (p flakyProvider) Token(context.Context, auth.Request) (*oauth2.Token, error) {
	if !*p.signedIn {
		return nil, &auth.SignInRequiredError{URL: "https://login.example.invalid/authorize", Reason: "sign in first"}
	}
	return &oauth2.Token{AccessToken: "tok-after-sign-in", TokenType: "Bearer"}, nil
}

// On a terminal, a sign-in the flow asks for goes through the profile's
// sign-in (profileRun.signIn), and the flow resumes at the same step.
func TestInteractiveSignInResumes(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{"GET /me": {status: 200, body: `{"displayName":"Adele Vance","userPrincipalName":"AdeleV@contoso.com"}`}})
	signedIn := false
	var asked *engine.SignIn
	signIn := func(_ context.Context, s *engine.SignIn) (string, error) {
		asked = s
		signedIn = true
		return "", nil
	}
	c := newCLI(t)
	c.hooks.profileBackend = func(context.Context, *env, profileSelection, []string) (profileRun, error) {
		return profileRun{auth: flakyProvider{&signedIn}, graphURL: g.url(), signIn: signIn}, nil
	}
	c.tty = true
	o := c.run("", "run", "whoami").wantCode(t, 0)
	if asked == nil || asked.URL != "https://login.example.invalid/authorize" {
		t.Errorf("sign-in hook called with %+v", asked)
	}
	if !strings.Contains(o.stdout, "Signed in as Adele Vance") {
		t.Errorf("stdout = %q", o.stdout)
	}
	// Without a terminal the hook is not used: exit 3.
	signedIn, asked = false, nil
	c.tty = false
	c.run("", "run", "whoami").wantCode(t, 3)
	if asked != nil {
		t.Errorf("sign-in hook called without a terminal: %+v", asked)
	}
}

// A signed-in profile's token is never sent to a Graph URL given on the
// command line or in the environment that is not the profile's own.
func TestProfileTokenStaysWithItsGraph(t *testing.T) {
	g := newFakeGraph(t, map[string]fakeAnswer{"GET /me": {status: 200, body: `{"displayName":"Adele Vance"}`}})
	c := newCLI(t)
	c.hooks.profileBackend = func(context.Context, *env, profileSelection, []string) (profileRun, error) {
		return profileRun{auth: auth.Static("profile-token-123456")}, nil // the profile's Graph: Microsoft's
	}
	o := c.run("", "run", "whoami", "--graph-url", g.url()).wantCode(t, 3)
	if !strings.Contains(o.stderr, "needs a token") {
		t.Errorf("stderr = %q", o.stderr)
	}
	c.vars["RUNFLOW_GRAPH_URL"] = g.url()
	c.run("", "run", "whoami").wantCode(t, 3)
	if n := len(g.requests()); n != 0 {
		t.Fatalf("the profile's token went to %s (%d requests)", g.url(), n)
	}
	// A profile that names this Graph may use it.
	c.hooks.profileBackend = func(context.Context, *env, profileSelection, []string) (profileRun, error) {
		return profileRun{auth: auth.Static("profile-token-123456"), graphURL: g.url() + "/"}, nil
	}
	c.run("", "run", "whoami").wantCode(t, 0)
	if reqs := g.requests(); len(reqs) != 1 || reqs[0].header.Get("Authorization") != "Bearer profile-token-123456" {
		t.Errorf("requests = %+v", reqs)
	}
}

// The progress transport counts a page's items and passes every body on
// byte for byte, large ones (beyond what it peeks at) uncounted.
func TestProgressTransportPassesBodiesThrough(t *testing.T) {
	big := `{"value":[` + strings.Repeat(`"x",`, maxProgressPeek/4) + `"x"]}`
	bodies := map[string]string{"/small": `{"value":[1,2,3],"@odata.nextLink":"n"}`, "/big": big, "/object": `{"id":"1"}`}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, bodies[r.URL.Path])
	}))
	defer srv.Close()
	tr := &tracer{}
	client := withProgress(nil, tr)
	for _, path := range []string{"/small", "/big", "/object"} {
		resp, err := client.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if string(got) != bodies[path] {
			t.Errorf("%s: body changed (%d bytes, want %d)", path, len(got), len(bodies[path]))
		}
	}
	if tr.pages != 1 || tr.items != 3 {
		t.Errorf("counted %d pages, %d items; want 1 page of 3 items", tr.pages, tr.items)
	}
}
