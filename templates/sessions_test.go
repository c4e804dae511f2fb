package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/sandbox"
)

// botClock is a clock shared by the sandbox and the engine, moved by tests.
type botClock struct{ ns atomic.Int64 }

func (c *botClock) now() time.Time      { return time.Unix(0, c.ns.Load()).UTC() }
func (c *botClock) add(d time.Duration) { c.ns.Add(int64(d)) }

// bot is one engine on a sandbox and a memory store, as a bot runs it.
type bot struct {
	t     *testing.T
	sb    *sandbox.Server
	eng   *engine.Engine
	store *engine.MemorySessionStore
	clock *botClock
	n     int
}

// start1 is Wednesday 25 November 2026, 10:00 UTC (02:00 in the sandbox
// mailbox's Pacific zone).
var start1 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func newBot(t *testing.T, cfg engine.Config) *bot {
	t.Helper()
	b := &bot{t: t, store: new(engine.MemorySessionStore), clock: &botClock{}}
	b.clock.ns.Store(start1.UnixNano())
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: b.clock.now, TokenLifetime: 1000 * time.Hour})
	b.sb = sb
	all, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	var scopes []string
	for _, tp := range all {
		scopes = append(scopes, tp.Scopes()...)
	}
	cfg.GraphURL, cfg.HTTPClient, cfg.Auth, cfg.Now, cfg.Templates = ts.URL+"/v1.0", ts.Client(), auth.Static(sb.Token(scopes...)), b.clock.now, all
	if b.eng, err = engine.New(cfg); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bot) start(id string, opts engine.StartOptions) *engine.Turn {
	b.t.Helper()
	tp, err := Get(id)
	if err != nil {
		b.t.Fatal(err)
	}
	turn, err := b.eng.StartFlow(context.Background(), b.store, "conv", tp, opts, "")
	if err != nil {
		b.t.Fatal(err)
	}
	return turn
}

func (b *bot) say(text string) *engine.Turn {
	b.t.Helper()
	b.n++
	turn, err := b.eng.HandleMessage(context.Background(), b.store, "conv", engine.Message{ID: fmt.Sprint("m", b.n), Text: text})
	if err != nil {
		b.t.Fatal(err)
	}
	return turn
}

// writes are the requests other than GET the sandbox received.
func (b *bot) writes() []string {
	var out []string
	for _, r := range b.sb.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, r.Method+" "+r.Path)
		}
	}
	return out
}

// goodAnswer answers a built-in's question acceptably.
func goodAnswer(q *engine.Question) string {
	switch {
	case q.Type == "confirm":
		return "yes"
	case len(q.Choices) > 0:
		return "1"
	}
	switch q.Input {
	case "subject", "title", "name":
		return "Lunch"
	case "start":
		return "tomorrow 9am"
	case "to":
		return "AlexW@contoso.onmicrosoft.com"
	case "body":
		return "See you there."
	}
	return "" // the default, or nothing for an optional input
}

// Each cancel word, at each question of each built-in flow, ends the flow
// as cancelled with nothing sent; the answers before it are good ones.
func TestCancelWordsAtEveryQuestion(t *testing.T) {
	words := []string{"cancel", "STOP", " Quit ", "never   mind!", "/cancel", "Never mind."}
	asked := 0
	defer func() {
		if asked < 25 {
			t.Errorf("cancelled at %d questions in all; the built-ins ask at least 25", asked)
		}
	}()
	for _, id := range IDs() {
		for i := 0; ; i++ {
			b := newBot(t, engine.Config{})
			turn := b.start(id, engine.StartOptions{})
			for k := 0; k < i && turn.Kind == engine.KindQuestion; k++ {
				turn = b.say(goodAnswer(turn.Question))
			}
			if turn.Kind != engine.KindQuestion {
				if i == 0 && id != "list-todo-lists" && id != "whoami" {
					t.Errorf("%s asks nothing", id)
				}
				break
			}
			asked++
			before := len(b.writes())
			word := words[i%len(words)]
			q := turn.Question
			turn = b.say(word)
			if turn.Kind != engine.KindDone || turn.Status != engine.StatusCancelled {
				t.Errorf("%s, question %d (%s %s): %q gave %v %s %v", id, i+1, q.Type, q.Input, word, turn.Kind, turn.Status, turn.Err)
			}
			if w := b.writes(); len(w) != before || len(w) != 0 {
				t.Errorf("%s, question %d: %q sent %v", id, i+1, word, w)
			}
			if next := b.say("anything"); next.Kind != engine.KindIdle {
				t.Errorf("%s: after cancelling, %v", id, next.Kind)
			}
		}
	}
}

// A quoted cancel word is data; a template's cancel_words and the
// engine's replace the default list.
func TestCancelWordsQuotedAndReplaced(t *testing.T) {
	b := newBot(t, engine.Config{})
	b.start("create-todo-list", engine.StartOptions{})
	turn := b.say(`"Stop"`)
	if turn.Kind != engine.KindDone || turn.Status != engine.StatusCompleted || turn.Outputs[0].Value != "Stop" {
		t.Fatalf("quoted stop: %+v", turn)
	}
	b = newBot(t, engine.Config{CancelWords: []string{"abbrechen"}})
	b.start("create-todo-list", engine.StartOptions{})
	if turn := b.say("Abbrechen"); turn.Status != engine.StatusCancelled {
		t.Fatalf("configured word: %+v", turn)
	}
	b.start("create-todo-list", engine.StartOptions{})
	if turn := b.say("stop"); turn.Status != engine.StatusCompleted || turn.Outputs[0].Value != "stop" {
		t.Fatalf("default word with a configured list: %+v", turn)
	}
	b = newBot(t, engine.Config{CancelWords: []string{}})
	b.start("create-todo-list", engine.StartOptions{})
	if turn := b.say("cancel"); turn.Status != engine.StatusCompleted {
		t.Fatalf("cancel words off: %+v", turn)
	}
}

// eventStart is the start sent to Graph in the last POST /me/events.
func (b *bot) eventStart() (string, string) {
	b.t.Helper()
	reqs := b.sb.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Method == http.MethodPost && strings.HasSuffix(reqs[i].Path, "/events") {
			var body struct {
				Start struct{ DateTime, TimeZone string }
			}
			if err := json.Unmarshal(reqs[i].Body, &body); err != nil {
				b.t.Fatal(err)
			}
			return body.Start.DateTime, body.Start.TimeZone
		}
	}
	b.t.Fatal("no event was created")
	return "", ""
}

// createEvent answers create-event up to its end with start as the start.
func (b *bot) createEvent(start string, wait time.Duration) *engine.Turn {
	b.t.Helper()
	turn := b.say("Lunch")
	if turn.Kind != engine.KindQuestion || turn.Question.Input != "start" {
		b.t.Fatalf("after the subject: %+v", turn)
	}
	b.clock.add(wait)
	turn = b.say(start)
	for turn.Kind == engine.KindQuestion && turn.Question.Error == "" {
		turn = b.say("")
	}
	return turn
}

// Relative answers are read against the time of the answer: "tomorrow
// 9am" typed 23 or 47 hours after the flow started is the day after the
// answer, in the mailbox's zone (the sandbox's is Pacific).
func TestRelativeAnswersUseTheAnswerTime(t *testing.T) {
	for _, c := range []struct {
		wait time.Duration
		want string
	}{
		{0, "2026-11-26T09:00:00.0000000"},              // answered Wed 02:00 PST
		{23 * time.Hour, "2026-11-27T09:00:00.0000000"}, // answered Thu 01:00 PST
		{47 * time.Hour, "2026-11-28T09:00:00.0000000"}, // answered Fri 01:00 PST
		{71 * time.Hour, "2026-11-29T09:00:00.0000000"}, // Sat
	} {
		t.Run(c.wait.String(), func(t *testing.T) {
			b := newBot(t, engine.Config{})
			b.start("create-event", engine.StartOptions{})
			turn := b.createEvent("tomorrow 9am", c.wait)
			if turn.Kind != engine.KindDone || turn.Status != engine.StatusCompleted {
				t.Fatalf("%+v", turn)
			}
			if got, zone := b.eventStart(); got != c.want || zone != "Pacific Standard Time" {
				t.Errorf("start sent = %s %s, want %s Pacific Standard Time", got, zone, c.want)
			}
		})
	}
}

// "today 9am" typed two days later, after 9am, is in the past: create-event
// asks again, saying so, and nothing is sent.
func TestPastStartIsAskedAgain(t *testing.T) {
	b := newBot(t, engine.Config{})
	b.start("create-event", engine.StartOptions{})
	b.say("Lunch")
	b.clock.add(48*time.Hour + 8*time.Hour) // Fri 10:00 PST
	turn := b.say("today 9am")
	if turn.Kind != engine.KindQuestion || turn.Question.Input != "start" || !strings.Contains(turn.Question.Error, "in the past") || !strings.Contains(turn.Question.Error, "Fri 27 Nov 2026 10:00") {
		t.Fatalf("a past start: %+v %+v", turn, turn.Question)
	}
	if w := b.writes(); len(w) != 0 {
		t.Fatalf("sent %v", w)
	}
	turn = b.say("today 11am")
	if turn.Kind != engine.KindQuestion || turn.Question.Input != "end" {
		t.Fatalf("a future start: %+v", turn.Question)
	}
}

// A conversation's zone (IANA or Windows) is the zone answers are read and
// shown in; Graph still gets the mailbox's zone.
func TestConversationZone(t *testing.T) {
	for _, c := range []struct{ zone, shown, want string }{
		{"", "Pacific Standard Time", "2026-12-01T15:00:00.0000000"},
		{"Europe/Paris", "Europe/Paris", "2026-12-01T06:00:00.0000000"},
		{"Romance Standard Time", "Romance Standard Time", "2026-12-01T06:00:00.0000000"},
		{"Asia/Tokyo", "Asia/Tokyo", "2026-11-30T22:00:00.0000000"},
	} {
		t.Run(c.zone, func(t *testing.T) {
			b := newBot(t, engine.Config{})
			b.start("create-event", engine.StartOptions{Zone: c.zone})
			turn := b.createEvent("2026-12-01 15:00", 0)
			if turn.Kind != engine.KindDone {
				t.Fatalf("%+v", turn)
			}
			if got, zone := b.eventStart(); got != c.want || zone != "Pacific Standard Time" {
				t.Errorf("start sent = %s %s, want %s Pacific Standard Time", got, zone, c.want)
			}
			if msg := strings.Join(turn.Messages, "\n"); !strings.Contains(msg, "Tue 1 Dec 2026 15:00 ("+c.shown+")") {
				t.Errorf("messages = %q, want the start shown in %s", msg, c.shown)
			}
		})
	}
	b := newBot(t, engine.Config{})
	tp, _ := Get("create-event")
	if _, err := b.eng.StartFlow(context.Background(), b.store, "conv", tp, engine.StartOptions{Zone: "Mars/Olympus"}, ""); err == nil || !strings.Contains(err.Error(), "Mars/Olympus") {
		t.Errorf("a bad zone: %v", err)
	}
}
