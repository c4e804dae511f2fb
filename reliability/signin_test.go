package reliability

import (
	"testing"
	"time"

	"github.com/runflow/runflow/engine"
)

const (
	adeleUPN = "AdeleV@contoso.onmicrosoft.com" // the sandbox's demo user
	alexUPN  = "AlexW@contoso.onmicrosoft.com"  // another user of its directory
)

// TestForwardedSignInLinkAttachesNothing: Adele's bot conversation sends
// her a sign-in link mid-flow; the link is forwarded and Alex signs in with
// it. Alex's account is not attached to Adele's conversation (the flow
// waits for the magic code shown to Alex, and a wrong code is refused),
// Alex cannot use the code in his own conversation, the link works once,
// and nothing is written to either mailbox.
func TestForwardedSignInLinkAttachesNothing(t *testing.T) {
	br := newBotRig(t)
	e := br.engine(t, nil)
	ctx := ctxTimeout(t, 30*time.Second)
	adele := engine.StartOptions{Subject: "adele-chat-id", Conversation: "conv-adele", Inputs: map[string]any{"name": "forwarded"}}
	alex := engine.StartOptions{Subject: "alex-chat-id", Conversation: "conv-alex", Inputs: map[string]any{"name": "forwarded"}}

	turn, err := e.Start(ctx, builtin(t, "create-todo-list"), adele)
	if err != nil || turn.Kind != engine.KindSignIn || turn.SignIn.URL == "" || !turn.SignIn.MagicCode {
		t.Fatalf("Adele's flow: %v %+v, want a sign-in link with a magic code", err, turn)
	}
	adeleState, link := turn.State, turn.SignIn.URL

	br.sb.ApproveSignIns(alexUPN) // the forwarded link is opened by Alex
	status, page, alexCode := br.open(t, link)
	if status != 200 || alexCode == "" {
		t.Fatalf("Alex's sign-in: %d %s", status, page)
	}

	// Adele's conversation: any code but the one Alex saw is refused.
	for _, guess := range []string{"000000", "123456", ""} {
		turn, err = e.Resume(ctx, adeleState, guess)
		if err != nil || turn.Kind != engine.KindSignIn {
			t.Fatalf("Adele types %q: %v %+v, want the sign-in asked again", guess, err, turn)
		}
		adeleState = turn.State
	}

	// Alex's own conversation: the code belongs to Adele's.
	turn, err = e.Start(ctx, builtin(t, "create-todo-list"), alex)
	if err != nil || turn.Kind != engine.KindSignIn {
		t.Fatalf("Alex's flow: %v %+v", err, turn)
	}
	turn, err = e.Resume(ctx, turn.State, alexCode)
	if err != nil || turn.Kind != engine.KindSignIn {
		t.Errorf("Alex types the code in his own conversation: %v %+v, want the sign-in asked again", err, turn)
	}

	// The link is single-use.
	if status, _, code := br.open(t, link); status == 200 && code != "" {
		t.Error("the sign-in link worked a second time")
	}

	for _, mb := range br.data(t).Users {
		for _, l := range mb.TodoLists {
			if l.List["displayName"] == "forwarded" {
				t.Errorf("a list was created in %s's mailbox", mb.User.UserPrincipalName)
			}
		}
	}
}
