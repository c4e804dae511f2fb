package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/runflow/runflow/auth"
)

// step is one message of a scripted conversation and what the reply must
// be.
type step struct {
	text     string
	kind     string
	contains []string
}

func (h *harness) script(conv, user string, steps []step) {
	h.t.Helper()
	for i, s := range steps {
		r := h.send(conv, user, s.text)
		if r.Kind != s.kind {
			h.t.Fatalf("message %d %q: reply kind %q, want %q\n%s", i+1, s.text, r.Kind, s.kind, r.Text)
		}
		for _, want := range s.contains {
			if !strings.Contains(r.Text, want) {
				h.t.Fatalf("message %d %q: reply %q does not contain %q", i+1, s.text, r.Text, want)
			}
		}
	}
}

func TestCreateTodoListConversation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.preAuthorize("u-adele")
	h.script("c1", "u-adele", []step{
		{"hello", KindInfo, []string{"create-todo-list: Create a To Do list", "/cancel"}},
		{"Create-Todo-List", KindQuestion, []string{"What should the list be called?"}},
		// "-" is the empty answer; the list name is required.
		{"-", KindQuestion, []string{"An answer is needed.", "What should the list be called?", "(try 2 of 3)"}},
		{"   ", KindQuestion, []string{"(try 3 of 3)"}},
		{"Weekend chores", KindDone, []string{`Created the list "Weekend chores".`, "name: Weekend chores", "id: "}},
		// The flow is over: the next message starts nothing by itself.
		{"Weekend chores", KindInfo, []string{"I can run these flows"}},
	})
	if names := h.listNames(""); !contains(names, "Weekend chores") {
		t.Fatalf("the sandbox's lists are %v, want the new one", names)
	}
	if n := h.listCreations(); n != 1 {
		t.Fatalf("%d POST /me/todo/lists, want 1", n)
	}
}

func TestChoicesAndConfirm(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.preAuthorize("u1")
	// list-tasks asks which list, with choices fetched from Graph.
	r := h.send("c", "u1", "list-tasks")
	if r.Kind != KindQuestion || !contains(r.Choices, "Groceries") || !strings.Contains(r.Text, "\n1. ") {
		t.Fatalf("list-tasks: %+v, want a numbered choice of the demo lists", r)
	}
	n := 0
	for i, c := range r.Choices {
		if c == "Groceries" {
			n = i + 1
		}
	}
	h.script("c", "u1", []step{
		{fmt.Sprint(n), KindQuestion, []string{"Include completed tasks?", `Send - to keep "no".`}},
		{"-", KindQuestion, []string{"How many tasks at most?"}},
		{"-", KindDone, []string{"Coffee beans", "Oat milk"}},
	})
	// send-mail ends with a confirmation; "no" changes nothing.
	h.script("c", "u1", []step{
		{"send-mail", KindQuestion, []string{"Who should receive it?"}},
		{"alexw@contoso.onmicrosoft.com", KindQuestion, []string{"Anyone in copy?", "Send - to skip."}},
		{"-", KindQuestion, []string{"What is the subject?"}},
		{"Lunch", KindQuestion, []string{"What should the message say?"}},
		{"At noon?", KindQuestion, []string{"Is the message HTML?", `Send - to keep "no"`}},
		{"-", KindQuestion, []string{"Any files to attach?", "Send - to skip."}},
		{"-", KindQuestion, []string{`Send "Lunch" to alexw@contoso.onmicrosoft.com?`, "1. yes", "2. no"}},
		{"no", KindDone, []string{"Cancelled: nothing was changed."}},
	})
	for _, req := range h.sb.Requests() {
		if strings.HasSuffix(req.Path, "/sendMail") {
			t.Fatalf("a mail was sent after the user said no: %s %s", req.Method, req.Path)
		}
	}
}

func TestCancelAndHelp(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.script("c", "u", []step{
		{"/cancel", KindInfo, []string{"Nothing to cancel."}},
		{"create-todo-list", KindQuestion, []string{"What should the list be called?"}},
		{"/help", KindInfo, []string{"I can run these flows"}},
		// /help does not end the flow: the question still waits.
		{"/CANCEL", KindInfo, []string{"Stopped create-todo-list."}},
		{"Groceries", KindInfo, []string{"I can run these flows"}},
	})
	if n := h.listCreations(); n != 0 {
		t.Fatalf("%d lists created, want none", n)
	}
}

// TestSignInMidConversation: the flow asks its question, then needs a token
// at its http step; the user gets a link, signs in through the sandbox's
// /authorize, is shown a code on the bot's callback page, types it, and the
// flow goes on from the step that needed the token.
func TestSignInMidConversation(t *testing.T) {
	dir := t.TempDir()
	sessions := NewDirSessions(filepath.Join(dir, "sessions"))
	tokens := auth.NewFileStore(filepath.Join(dir, "tokens"))
	h := newHarness(t, harnessOptions{sessions: sessions, tokens: tokens})

	h.script("conv-1", "u-adele", []step{
		{"create-todo-list", KindQuestion, []string{"What should the list be called?"}},
	})
	r := h.send("conv-1", "u-adele", "Trip to Lisbon")
	if r.Kind != KindSignIn || r.SignInURL == "" || !strings.Contains(r.Text, r.SignInURL) || !strings.Contains(r.Text, "6-digit code") {
		t.Fatalf("answer: %+v, want a sign-in link asking for the code", r)
	}
	q := linkParams(t, r.SignInURL)
	if !strings.HasPrefix(r.SignInURL, h.sbURL+"/"+h.sb.TenantID()+"/oauth2/v2.0/authorize?") ||
		q.Get("redirect_uri") != h.botURL+callbackPath || q.Get("code_challenge_method") != "S256" ||
		strings.Contains(r.SignInURL, "u-adele") || strings.Contains(r.SignInURL, "conv-1") {
		t.Fatalf("link %s: want the sandbox's /authorize, the bot's callback, PKCE, and no user or conversation id", r.SignInURL)
	}
	if n := h.listCreations(); n != 0 {
		t.Fatalf("%d lists created before sign-in", n)
	}

	status, page, code := h.follow(r.SignInURL, demoUPN)
	if status != http.StatusOK || code == "" {
		t.Fatalf("callback page %d %q, want a magic code", status, page)
	}
	// The link works once.
	if status, _, again := h.follow(r.SignInURL, demoUPN); status == http.StatusOK || again != "" {
		t.Fatalf("reusing the link: %d with code %q, want a refusal", status, again)
	}
	wrong := "000000"
	if code == wrong {
		wrong = "111111"
	}
	r = h.send("conv-1", "u-adele", wrong)
	if r.Kind != KindSignIn || r.SignInURL != "" || !strings.Contains(r.Text, "tries left") {
		t.Fatalf("wrong code: %+v, want the same sign-in waiting (no new link)", r)
	}
	r = h.send("conv-1", "u-adele", code[:3]+" "+code[3:])
	if r.Kind != KindDone || !strings.Contains(r.Text, `Created the list "Trip to Lisbon".`) {
		t.Fatalf("typing the code: %+v, want the flow to finish", r)
	}
	if n := h.listCreations(); n != 1 {
		t.Fatalf("%d POST /me/todo/lists, want exactly 1", n)
	}
	if !contains(h.listNames(""), "Trip to Lisbon") {
		t.Fatal("the list is not in the signed-in user's mailbox")
	}

	// The grant is kept for the user: the next flow needs no sign-in.
	h.script("conv-2", "u-adele", []step{
		{"create-todo-list", KindQuestion, nil},
		{"Books", KindDone, []string{`Created the list "Books".`}},
	})

}

// TestNoSecretsInSessionsOrLog: a flow that asks a question after the
// sign-in (list-tasks reads the lists, then asks which one) is saved with
// the user signed in; neither that state nor the log holds a token or the
// magic code.
func TestNoSecretsInSessionsOrLog(t *testing.T) {
	dir := t.TempDir()
	sessions := NewDirSessions(filepath.Join(dir, "sessions"))
	tokens := auth.NewFileStore(filepath.Join(dir, "tokens"))
	h := newHarness(t, harnessOptions{sessions: sessions, tokens: tokens})
	r := h.send("c", "u", "list-tasks")
	if r.Kind != KindSignIn {
		t.Fatalf("%+v, want a sign-in first", r)
	}
	status, _, code := h.follow(r.SignInURL, demoUPN)
	if status != http.StatusOK || code == "" {
		t.Fatal("no magic code")
	}
	if r = h.send("c", "u", code); r.Kind != KindQuestion || !contains(r.Choices, "Groceries") {
		t.Fatalf("after the code: %+v, want the question with the lists", r)
	}
	st, err := tokens.Load(context.Background(), "sandbox-bot", "u")
	if err != nil || st.AccessToken == "" || st.RefreshToken == "" {
		t.Fatalf("stored grant: %v %v, want access and refresh tokens", st, err)
	}
	secrets := map[string]string{"access token": st.AccessToken, "refresh token": st.RefreshToken, "magic code": code}
	data, err := os.ReadFile(sessions.Path(SessionKey{"c", "u"}))
	if err != nil {
		t.Fatal(err)
	}
	checkNoSecrets(t, "the saved session", string(data), secrets)
	checkNoSecrets(t, "the log", h.log.String(), secrets)
	if !strings.Contains(h.log.String(), "chatbot: turn") {
		t.Fatal("nothing was logged: the check above proves nothing")
	}
}

func checkNoSecrets(t *testing.T, where, text string, secrets map[string]string) {
	t.Helper()
	for name, s := range secrets {
		if s != "" && strings.Contains(text, s) {
			t.Errorf("%s contains the %s", where, name)
		}
	}
}

// TestStateSurvivesRestart: paused flows live in the directory store and
// grants in the token file store, so a new bot process picks up where the
// old one stopped.
func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	h := newHarness(t, harnessOptions{
		sessions: NewDirSessions(filepath.Join(dir, "sessions")),
		tokens:   auth.NewFileStore(filepath.Join(dir, "tokens")),
	})
	h.script("c", "u", []step{{"create-todo-list", KindQuestion, []string{"What should the list be called?"}}})
	h.restart()
	r := h.send("c", "u", "Garden")
	// The new instance asks for the sign-in (links waiting for use are
	// kept in memory, so this one is made after the restart).
	r = h.signIn(r, "c", "u", demoUPN)
	if r.Kind != KindDone || !strings.Contains(r.Text, `"Garden"`) {
		t.Fatalf("after restart and sign-in: %+v, want done", r)
	}

	h.script("c", "u", []step{{"create-todo-list", KindQuestion, nil}})
	h.restart()
	h.script("c", "u", []step{{"Music", KindDone, []string{`Created the list "Music".`}}})
	names := h.listNames("")
	if !contains(names, "Garden") || !contains(names, "Music") {
		t.Fatalf("lists %v, want Garden and Music", names)
	}
}

// TestForwardedLinkDoesNotAttach: Mallory's conversation asks for a sign-in
// and she sends the link to Adele, who signs in. The callback page shows the
// code to Adele only; without it Mallory's conversation gets nothing, and
// after three wrong guesses the sign-in is thrown away.
func TestForwardedLinkDoesNotAttach(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.script("conv-m", "mallory", []step{{"create-todo-list", KindQuestion, nil}})
	r := h.send("conv-m", "mallory", "Stolen")
	if r.Kind != KindSignIn || r.SignInURL == "" {
		t.Fatalf("want a sign-in link, got %+v", r)
	}
	status, _, adelesCode := h.follow(r.SignInURL, demoUPN) // Adele opens the forwarded link
	if status != http.StatusOK || adelesCode == "" {
		t.Fatalf("Adele's sign-in: %d, no code", status)
	}
	// Adele typing the code into her own conversation finishes nothing:
	// the sign-in belongs to Mallory's.
	h.script("conv-a", "adele", []step{{adelesCode, KindInfo, []string{"I can run these flows"}}})

	guesses := []string{"123456", "654321", "999999"}
	for i, g := range guesses {
		if g == adelesCode {
			guesses[i] = "000001"
		}
	}
	for i, g := range guesses {
		r = h.send("conv-m", "mallory", g)
		if r.Kind != KindSignIn {
			t.Fatalf("guess %d: %+v, want the sign-in still required", i+1, r)
		}
	}
	// The third wrong code discarded the sign-in: a new link is offered,
	// and Adele's code no longer works either.
	if r.SignInURL == "" || !strings.Contains(r.Text, "too many wrong codes") {
		t.Fatalf("after 3 wrong codes: %+v, want a new link", r)
	}
	r = h.send("conv-m", "mallory", adelesCode)
	if r.Kind != KindSignIn {
		t.Fatalf("Adele's code after the sign-in was discarded: %+v, want a refusal", r)
	}
	if _, err := h.tokens.Load(context.Background(), "sandbox-bot", "mallory"); err == nil {
		t.Fatal("Mallory has a grant")
	}
	if n := h.listCreations(); n != 0 || contains(h.listNames(""), "Stolen") {
		t.Fatalf("%d lists created in Adele's mailbox by Mallory's flow", n)
	}
}

// TestSomeoneElseSignsIn: a user who signs in with another account acts on
// that account's mailbox, never on the account of the link's maker.
func TestSignInAsAnotherAccount(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	alex := userID(t, h.sb, "AlexW@contoso.onmicrosoft.com")
	h.script("c", "u-alex", []step{{"create-todo-list", KindQuestion, nil}})
	r := h.signIn(h.send("c", "u-alex", "Alex's list"), "c", "u-alex", "AlexW@contoso.onmicrosoft.com")
	if r.Kind != KindDone {
		t.Fatalf("%+v, want done", r)
	}
	if !contains(h.listNames(alex), "Alex's list") || contains(h.listNames(""), "Alex's list") {
		t.Fatal("the list must be in Alex's mailbox and only there")
	}
}

// TestConcurrentConversations runs many conversations at once (under
// -race in CI), and two answers of one user at the same moment: they are
// handled one after the other, so exactly one of them names the list.
func TestConcurrentConversations(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	const users = 12
	for i := range users {
		h.preAuthorize(fmt.Sprintf("user-%d", i))
	}
	var wg sync.WaitGroup
	errs := make(chan error, users)
	for i := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := Message{Conversation: fmt.Sprintf("conv-%d", i), User: fmt.Sprintf("user-%d", i)}
			for _, want := range []struct{ text, kind string }{
				{"create-todo-list", KindQuestion}, {fmt.Sprintf("List %d", i), KindDone},
			} {
				m.Text = want.text
				r, status, body := h.post(m)
				if status != http.StatusOK || r.Kind != want.kind {
					errs <- fmt.Errorf("%s %q: %d %s", m.User, m.Text, status, body)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	names := h.listNames("")
	for i := range users {
		if !contains(names, fmt.Sprintf("List %d", i)) {
			t.Errorf("List %d is missing", i)
		}
	}

	h.script("same", "user-0", []step{{"create-todo-list", KindQuestion, nil}})
	replies := make([]Reply, 2)
	for i, text := range []string{"Racing A", "Racing B"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			replies[i], _, _ = h.post(Message{Conversation: "same", User: "user-0", Text: text})
		}()
	}
	wg.Wait()
	kinds := map[string]int{}
	for _, r := range replies {
		kinds[r.Kind]++
	}
	if kinds[KindDone] != 1 || kinds[KindInfo] != 1 {
		t.Fatalf("two answers at once: replies %+v, want one done and one help", replies)
	}
	names = h.listNames("")
	if contains(names, "Racing A") == contains(names, "Racing B") {
		t.Fatalf("lists %v: want exactly one of Racing A and Racing B", names)
	}
	if n := h.current.bot.locks.active(); n != 0 {
		t.Fatalf("%d conversation locks left after all messages", n)
	}
}
