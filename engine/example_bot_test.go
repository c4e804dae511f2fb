package engine_test

// The snippets of docs/embedding.md, kept true by running them: a chat bot
// that starts a flow when a user names it, keeps its conversations in a
// SessionStore, sends a sign-in link and takes the magic code back, lets
// the user cancel, and answers a redelivered message once.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing/fstest"

	"golang.org/x/oauth2"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/templates"
)

// bot is the whole host: one Engine for every conversation, and a
// SessionStore where the conversations live between messages (a
// MemorySessionStore here; several replicas share a Redis or database
// store, see engine/storetest).
type bot struct {
	eng   *engine.Engine
	store engine.SessionStore
}

// onMessage handles one message (its platform id and text) of user in
// conv and returns the answer.
func (b *bot) onMessage(ctx context.Context, conv, user, id, text string) string {
	// One conversation per member of a chat: in a group, each answers
	// their own flow, with their own sign-in.
	key := conv + "/" + user
	msg := engine.Message{ID: id, Text: text}
	turn, err := b.eng.HandleMessage(ctx, b.store, key, msg)
	if err == nil && turn.Kind == engine.KindIdle {
		t, ok := findTemplate(b.eng, text)
		if !ok {
			return "Type the name of a flow, e.g. create-todo-list."
		}
		turn, err = b.eng.StartFlow(ctx, b.store, key, t, engine.StartOptions{Subject: user, Conversation: conv}, id)
	}
	if err != nil {
		// The conversation's flow cannot go on here (its template is not
		// loaded in this version, or the record is damaged), or the store
		// failed. Begin again.
		_ = b.store.Delete(ctx, key)
		if errors.Is(err, engine.ErrTemplateChanged) {
			return "That flow was updated meanwhile; please start it again."
		}
		return "That flow cannot go on: " + err.Error()
	}
	said := strings.Join(turn.Messages, "\n")
	if said != "" {
		said += "\n"
	}
	switch turn.Kind {
	case engine.KindQuestion:
		return said + showQuestion(turn.Question)
	case engine.KindSignIn:
		if turn.SignIn.URL == "" { // the same sign-in still waits: a mistyped code
			return "Not yet: " + turn.SignIn.Reason
		}
		return said + "Please sign in: " + turn.SignIn.URL + "\nthen type the code the page shows."
	case engine.KindDone:
		if turn.Status == engine.StatusCancelled {
			return said + "Cancelled; nothing more was sent."
		}
		return strings.TrimSuffix(said, "\n")
	case engine.KindBusy:
		return "Still working on your previous message."
	default: // engine.KindFailed
		return said + "Sorry: " + describeFailure(turn.Err)
	}
}

// findTemplate finds a template by id among those the engine knows.
func findTemplate(eng *engine.Engine, text string) (*engine.Template, bool) {
	for _, t := range eng.Templates() {
		if strings.EqualFold(strings.TrimSpace(text), t.ID()) {
			return t, true
		}
	}
	return nil, false
}

// showQuestion numbers the choices; the user may answer with the number,
// the value or the label.
func showQuestion(q *engine.Question) string {
	var b strings.Builder
	if q.Error != "" { // the previous answer was refused
		b.WriteString(q.Error + "\n")
	}
	b.WriteString(q.Text)
	for i, c := range q.Choices {
		label := c.Label
		if label == "" {
			label = c.Value
		}
		fmt.Fprintf(&b, "\n%d. %s", i+1, label)
	}
	return b.String()
}

// describeFailure tells the typed errors of a failed turn apart.
func describeFailure(err error) string {
	var (
		gerr    *graph.Error
		inErr   *engine.InputError
		failErr *engine.FailStepError
		missing *engine.MissingInputsError
		flowErr *engine.FlowError
	)
	switch {
	case errors.As(err, &gerr):
		msg := fmt.Sprintf("Graph answered %d %s: %s", gerr.Status, gerr.Code, gerr.Message)
		if errors.As(err, &flowErr) {
			msg += " (step " + flowErr.Step + ")"
		}
		return msg
	case errors.As(err, &inErr):
		return "no valid answer for " + inErr.Input
	case errors.As(err, &failErr):
		return failErr.Message
	case errors.As(err, &missing):
		return "missing " + strings.Join(missing.Names, ", ")
	}
	return err.Error()
}

// codeSignIn stands in for auth.BotSignIn, which sends a real sign-in link
// and shows a random code on the bot's callback page: here every user
// signs in with the code 123456.
type codeSignIn struct {
	mu       sync.Mutex
	signedIn map[string]bool
}

func (p *codeSignIn) Token(_ context.Context, req auth.Request) (*oauth2.Token, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.signedIn[req.Subject] {
		return nil, &auth.SignInRequiredError{URL: "https://login.example/authorize?state=signed", Reason: "sign in to continue", MagicCode: true}
	}
	return &oauth2.Token{AccessToken: "token-of-" + req.Subject, TokenType: "Bearer"}, nil
}

// CompleteSignIn implements auth.SignInCompleter: the engine passes it the
// answer to a sign-in turn.
func (p *codeSignIn) CompleteSignIn(_ context.Context, req auth.Request, answer string) error {
	if strings.TrimSpace(answer) != "123456" {
		return &auth.SignInRequiredError{Reason: "that is not the code shown after signing in", MagicCode: true}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.signedIn == nil {
		p.signedIn = map[string]bool{}
	}
	p.signedIn[req.Subject] = true
	return nil
}

// todoGraph answers POST /v1.0/me/todo/lists like Microsoft Graph does,
// and refuses the list name "Forbidden" with a 403.
func todoGraph() *httptest.Server {
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			DisplayName string `json:"displayName"`
		}
		_ = json.NewDecoder(r.Body).Decode(&body)
		w.Header().Set("Content-Type", "application/json")
		if body.DisplayName == "Forbidden" {
			w.WriteHeader(http.StatusForbidden)
			fmt.Fprint(w, `{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}`)
			return
		}
		w.WriteHeader(http.StatusCreated)
		_ = json.NewEncoder(w).Encode(map[string]string{"id": "AAMkList", "displayName": body.DisplayName})
	}))
}

// Example_bot is a conversation with a chat bot: the user names a flow,
// answers its question, signs in when the flow first needs a token, types
// the code, and the flow goes on from the step that needed it.
func Example_bot() {
	srv := todoGraph()
	defer srv.Close()

	builtins, err := templates.Load() // compiled once, shared by every session
	if err != nil {
		panic(err)
	}
	eng, err := engine.New(engine.Config{
		GraphURL:   srv.URL + "/v1.0",
		HTTPClient: srv.Client(),
		Auth:       &codeSignIn{}, // a bot uses auth.NewBotSignIn
		Templates:  builtins,      // the versions conversations may be on
	})
	if err != nil {
		panic(err)
	}
	b := &bot{eng: eng, store: new(engine.MemorySessionStore)}
	ctx := context.Background()
	for i, text := range []string{"hello", "create-todo-list", "", "Groceries", "000000", "123456", "create-todo-list", "Forbidden", "create-todo-list", "never mind"} {
		fmt.Printf("> %q\n%s\n", text, b.onMessage(ctx, "conv-1", "user-1", fmt.Sprint("msg-", i), text))
	}
	// The chat platform delivers the last answer again: same id, same
	// answer, nothing sent twice.
	fmt.Println(b.onMessage(ctx, "conv-1", "user-1", "msg-9", "never mind"))
	// Output:
	// > "hello"
	// Type the name of a flow, e.g. create-todo-list.
	// > "create-todo-list"
	// What should the list be called?
	// > ""
	// An answer is needed.
	// What should the list be called?
	// > "Groceries"
	// Please sign in: https://login.example/authorize?state=signed
	// then type the code the page shows.
	// > "000000"
	// Not yet: that is not the code shown after signing in
	// > "123456"
	// Created the list "Groceries".
	// > "create-todo-list"
	// What should the list be called?
	// > "Forbidden"
	// Sorry: Graph answered 403 ErrorAccessDenied: Access is denied. Check credentials and try again. (step create)
	// > "create-todo-list"
	// What should the list be called?
	// > "never mind"
	// Cancelled; nothing more was sent.
	// Cancelled; nothing more was sent.
}

// Example_botOwnTemplates loads a bot's own templates next to the
// built-ins, from an fs.FS (an embed.FS in a real program), and shows
// what a template that does not load reports.
func Example_botOwnTemplates() {
	fsys := fstest.MapFS{
		"flows/hello.yaml": {Data: []byte(`
id: hello
name: Say hello
description: Greets the user by name.
scopes: []
inputs:
  - name: who
    type: string
    prompt: Who are you?
steps:
  - say: Hello, ${ inputs.who }!
`)},
		"flows/broken.yaml": {Data: []byte(`
id: broken
name: Broken
description: Misspells its input.
scopes: []
inputs:
  - name: who
    type: string
    prompt: Who are you?
steps:
  - say: Hello, ${ inputs.hwo }!
`)},
	}
	hello, err := engine.LoadFS(fsys, "flows/hello.yaml")
	if err != nil {
		panic(err)
	}
	_, err = engine.LoadFS(fsys, "flows/broken.yaml")
	var lerr *engine.LoadError
	if errors.As(err, &lerr) {
		for _, p := range lerr.Problems {
			fmt.Println(p)
		}
	}

	eng, _ := engine.New(engine.Config{GraphURL: "https://graph.microsoft.com/v1.0", Auth: auth.Static("unused"), Templates: []*engine.Template{hello}})
	b := &bot{eng: eng, store: new(engine.MemorySessionStore)}
	fmt.Println(b.onMessage(context.Background(), "c", "u", "", "hello"))
	fmt.Println(b.onMessage(context.Background(), "c", "u", "", "Ada"))
	// Output:
	// flows/broken.yaml:11:27: unknown input "hwo"; did you mean "who"?
	// Who are you?
	// Hello, Ada!
}
