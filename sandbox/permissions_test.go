package sandbox

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/internal/graphref"
	"github.com/runflow/runflow/templates"
)

// TestEveryRouteHasPermissions: every route resolves to an operation
// graphref knows, for delegated and app-only tokens alike, so that no route
// goes without permissions; and none borrows the permissions of the user
// entity (GET /me allows User.Read) by being unknown below it.
func TestEveryRouteHasPermissions(t *testing.T) {
	all := append(slices.Clone(routes), directoryRoute)
	for i := range all {
		rt := &all[i]
		var ops []string
		if i == len(all)-1 {
			ops = []string{opDirectory}
		} else {
			ops = []string{rt.operation(false), rt.operation(true)}
		}
		if rt.pattern == "" {
			ops = append(ops, opOtherUser)
		}
		names := 0
		for _, op := range ops {
			o, ok := graphref.Find(op)
			if !ok {
				t.Errorf("%s: graphref does not know it: add it to internal/graphref/documented.go with its docs page", op)
				continue
			}
			if o.Op == "GET /me" && rt.pattern != "" {
				t.Errorf("%s: found only as %s, the user entity above it", op, o.Op)
			}
			names += len(o.DelegatedNames()) + len(o.ApplicationNames())
		}
		if names == 0 {
			t.Errorf("%s %s: no permission allows it", rt.method, rt.pattern)
		}
	}
}

// TestBuiltinTemplatesAgreeWithTheEngine runs each built-in template's
// requests through both the engine's scope check and the sandbox: for
// every permission name the data knows, the engine accepts it as a declared
// scope for the request exactly when the sandbox serves the request to a
// token holding only it (delegated on /me, or app-only on /users/{id}).
// Each template's own scopes get every one of its requests through. (The
// sandbox imports nothing of the engine; only this test does.)
func TestBuiltinTemplatesAgreeWithTheEngine(t *testing.T) {
	tmpls, err := templates.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := New(Options{Now: func() time.Time { return testNow }, MaxConcurrentPerMailbox: -1})
	userID := s.Users()[0].ID
	candidates := permissionNames()
	seen := map[string]bool{}
	for _, tmpl := range tmpls {
		for _, st := range tmpl.Steps() {
			op, ok := stepOperation(st)
			if !ok || seen[op] {
				continue
			}
			seen[op] = true
			t.Run(tmpl.ID()+" "+op, func(t *testing.T) {
				if !s.serves(t, op, s.Token(tmpl.Scopes()...), "/me") {
					t.Errorf("the template's scopes %v do not get %s through the sandbox", tmpl.Scopes(), op)
				}
				for _, p := range candidates {
					byEngine := engineAllows(t, op, p)
					bySandbox := s.serves(t, op, s.Token(p), "/me") || s.serves(t, op, s.AppToken(p), "/users/"+userID)
					if byEngine != bySandbox {
						t.Errorf("%s: the engine allows it %v, the sandbox %v", p, byEngine, bySandbox)
					}
				}
			})
		}
	}
	if len(seen) < 10 {
		t.Errorf("only %d requests found in the built-in templates", len(seen))
	}
}

// stepOperation turns an http step's summary ("POST /me/events/{inputs.event}/accept")
// into its operation ("POST /me/events/{id}/accept"); uploads to a
// pre-authenticated URL have none.
func stepOperation(st engine.StepInfo) (string, bool) {
	method, path, ok := strings.Cut(st.Summary, " ")
	if st.Kind != "http" || !ok || !strings.HasPrefix(path, "/") {
		return "", false
	}
	segs := strings.Split(path, "/")
	for i, seg := range segs {
		if strings.Contains(seg, "{") {
			segs[i] = "{id}"
		}
	}
	return method + " " + strings.Join(segs, "/"), true
}

// permissionNames are the names of every permission graphref knows.
func permissionNames() []string {
	var names []string
	for _, o := range append(slices.Clone(graphref.Operations()), graphref.Documented()...) {
		for _, n := range o.All() {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	slices.Sort(names)
	return names
}

// engineAllows reports whether the engine's check accepts scope as the
// declared scopes of a template making the request op.
func engineAllows(t *testing.T, op, scope string) bool {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	src := "id: x\nname: x\ndescription: x\nscopes: [" + scope + "]\ninputs:\n  - {name: id, type: string, prompt: Id}\nsteps:\n  - http: {method: " + method + ", path: \"" + strings.ReplaceAll(path, "{id}", "${ inputs.id }") + "\"}\n"
	_, err := engine.Load("x.yaml", []byte(src))
	if err != nil && !strings.Contains(err.Error(), "is not allowed by the declared scopes") {
		t.Fatalf("%s: %v", op, err)
	}
	return err == nil
}

// serves reports whether the sandbox lets token through to op under
// subject (/me or /users/{id}): any answer but 403. Ids are well formed and
// unknown, so an authorized request ends in 404 or 400 without changing
// anything.
func (s *Server) serves(t *testing.T, op, token, subject string) bool {
	t.Helper()
	method, path, _ := strings.Cut(op, " ")
	path = strings.ReplaceAll(strings.Replace(path, "/me", subject, 1), "{id}", newItemID())
	req := httptest.NewRequest(method, "/v1.0"+path, strings.NewReader("{}"))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	return rec.Code != http.StatusForbidden
}
