package engine

import (
	"context"
	"strings"
	"testing"
)

// A template's cancel_words replace the engine's, at questions and
// confirmations alike; [] turns them off.
func TestTemplateCancelWords(t *testing.T) {
	const body = `
inputs:
  - name: what
    type: string
    prompt: What?
steps:
  - ask: what
  - confirm: Sure?
  - say: got ${ inputs.what }
`
	for _, c := range []struct {
		name, words string
		answers     []string
		status      Status
		said        string
	}{
		{"default at ask", "", []string{"Never Mind"}, StatusCancelled, ""},
		{"default at confirm", "", []string{"x", "/CANCEL"}, StatusCancelled, ""},
		{"default quoted", "", []string{"“stop”", "yes"}, StatusCompleted, "got stop"},
		{"default single-quoted", "", []string{" 'quit' ", "yes"}, StatusCompleted, "got quit"},
		{"quotes kept on other text", "", []string{`"hello"`, "yes"}, StatusCompleted, `got "hello"`},
		{"word inside an answer", "", []string{"stop the line", "yes"}, StatusCompleted, "got stop the line"},
		{"template word", "cancel_words: [halt, Genug]\n", []string{"genug"}, StatusCancelled, ""},
		{"template word at confirm", "cancel_words: [halt, Genug]\n", []string{"x", "HALT"}, StatusCancelled, ""},
		{"template replaces default", "cancel_words: [halt]\n", []string{"stop", "yes"}, StatusCompleted, "got stop"},
		{"template turns off", "cancel_words: []\n", []string{"cancel", "yes"}, StatusCompleted, "got cancel"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tp := loadInline(t, c.words+body)
			g := newFakeGraph(t)
			e := newTestEngine(t, g, nil, tp)
			turn, err := e.Start(context.Background(), tp, StartOptions{})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range c.answers {
				if turn.Kind != KindQuestion {
					t.Fatalf("not asking before %q: %+v", a, turn)
				}
				if turn, err = e.Resume(context.Background(), turn.State, a); err != nil {
					t.Fatal(err)
				}
			}
			if turn.Kind != KindDone || turn.Status != c.status || strings.Join(turn.Messages, "|") != c.said {
				t.Errorf("got %v %s %q, want done %s %q", turn.Kind, turn.Status, turn.Messages, c.status, c.said)
			}
		})
	}
}

func TestCancelWordsAndFutureLoadErrors(t *testing.T) {
	for _, c := range []struct{ src, want string }{
		{"cancel_words: ['  ']\nsteps: [{say: x}]\n", "empty"},
		{"cancel_words: [" + strings.Repeat("x", 70) + "]\nsteps: [{say: x}]\n", "longer than 64"},
		{"cancel_words: stop\nsteps: [{say: x}]\n", "cancel_words"},
		{"inputs: [{name: a, type: string, prompt: p, future: true}]\nsteps: [{say: x}]\n", "future is only for date"},
		{"inputs: [{name: a, type: date, prompt: p, future: maybe}]\nsteps: [{say: x}]\n", "future"},
	} {
		_, err := Load("edge.yaml", []byte("id: edge\nname: Edge\ndescription: d.\nscopes: [User.Read]\n"+c.src))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want an error about %q", c.src, err, c.want)
		}
	}
}

// future: a date before today, or a time before now (of the answer), is
// asked again; today and later times are taken. A preset in the past
// fails a run that may not ask.
func TestFutureInputs(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: day, type: date, prompt: "Which day?", future: true}
  - {name: at, type: datetime, prompt: "When?", future: true}
steps:
  - say: ${ inputs.day } ${ inputs.at }
`)
	g := newFakeGraph(t)
	e := newTestEngine(t, g, nil, tp) // the clock is fixedNow, Wed 25 Nov 2026 10:00 UTC
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ answer, input, problem string }{
		{"yesterday", "day", "Tue 24 Nov 2026 is in the past (today is Wed 25 Nov 2026)"},
		{"today", "at", ""},
		{"2026-11-25 09:59", "at", "Wed 25 Nov 2026 09:59 is in the past (it is now Wed 25 Nov 2026 10:00, UTC)"},
		{"10:00", "at", "is in the past"},
	} {
		if turn, err = e.Resume(context.Background(), turn.State, c.answer); err != nil {
			t.Fatal(err)
		}
		if turn.Kind != KindQuestion || turn.Question.Input != c.input || !strings.Contains(turn.Question.Error, c.problem) || (c.problem == "") != (turn.Question.Error == "") {
			t.Fatalf("%q: %+v", c.answer, turn.Question)
		}
	}
	if turn, err = e.Resume(context.Background(), turn.State, "in 2 hours"); err != nil || turn.Kind != KindDone {
		t.Fatalf("a future time: %v %+v", err, turn)
	}
	run := runInline(t, g, tp, StartOptions{Inputs: map[string]any{"day": "yesterday", "at": "tomorrow 9am"}}, Limits{})
	wantFailure(t, run, "in the past")
}
