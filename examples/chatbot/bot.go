package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/runflow/runflow/engine"
)

// Limits on what a message may carry: ids and text come from outside.
const (
	maxIDBytes   = 256
	maxTextRunes = 4000
)

// DefaultSessionTTL is how long a paused flow waits for its next answer.
const DefaultSessionTTL = 24 * time.Hour

// Commands a user can type at any time.
const (
	cmdHelp   = "/help"
	cmdCancel = "/cancel"
)

// Message is one chat message from a user in a conversation.
type Message struct {
	// Conversation identifies the chat (a channel, a 1:1 chat).
	Conversation string `json:"conversation"`
	// User identifies the person writing, as the chat platform knows
	// them; it is also the subject of their sign-in.
	User string `json:"user"`
	// Text is what they wrote.
	Text string `json:"text"`
}

// MessageError says why a message was refused before reaching a flow.
type MessageError struct {
	Field, Problem string
}

func (e *MessageError) Error() string { return "message: " + e.Field + ": " + e.Problem }

// BotConfig configures a Bot.
type BotConfig struct {
	// Engine runs the flows; its auth provider signs the users in.
	// It must know every template of Templates (engine.Config.Templates),
	// so that Resume finds them.
	Engine *engine.Engine
	// Templates are the flows a user may start, by id or name.
	Templates []*engine.Template
	// Sessions keeps paused flows between messages.
	Sessions SessionStore
	// SessionTTL is how long a paused flow waits for an answer (default
	// DefaultSessionTTL); older ones are discarded.
	SessionTTL time.Duration
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Log receives one event per message: ids, template and outcome; never
	// the text (it may be a magic code) and never a token.
	Log *slog.Logger
}

// Bot runs flows for chat users: a message either starts a flow (the id or
// name of a template), answers the paused flow's question, or is a
// command. It is safe for concurrent use: messages of different users and
// conversations run in parallel, messages of the same user in the same
// conversation one after the other.
type Bot struct {
	cfg   BotConfig
	locks keyLocks
}

// NewBot checks cfg and returns a Bot.
func NewBot(cfg BotConfig) (*Bot, error) {
	if cfg.Engine == nil || cfg.Sessions == nil {
		return nil, errors.New("chatbot: BotConfig needs an Engine and a Sessions store")
	}
	if len(cfg.Templates) == 0 {
		return nil, errors.New("chatbot: BotConfig.Templates is empty: the bot would have nothing to run")
	}
	ids := map[string]bool{}
	for _, t := range cfg.Templates {
		if ids[strings.ToLower(t.ID())] {
			return nil, fmt.Errorf("chatbot: two templates have the id %q", t.ID())
		}
		ids[strings.ToLower(t.ID())] = true
	}
	cfg.Templates = append([]*engine.Template(nil), cfg.Templates...)
	sort.Slice(cfg.Templates, func(i, j int) bool { return cfg.Templates[i].ID() < cfg.Templates[j].ID() })
	if cfg.SessionTTL <= 0 {
		cfg.SessionTTL = DefaultSessionTTL
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Bot{cfg: cfg}, nil
}

// Handle answers one message. The error is for a refused message
// (*MessageError) or a failure of the session store; everything a user
// can cause, including a failed flow, is a Reply.
func (b *Bot) Handle(ctx context.Context, m Message) (Reply, error) {
	if err := checkMessage(m); err != nil {
		return Reply{}, err
	}
	key := SessionKey{Conversation: m.Conversation, User: m.User}
	unlock := b.locks.lock(key)
	defer unlock()

	text := strings.TrimSpace(m.Text)
	sess, notice, err := b.load(ctx, key)
	if err != nil {
		return Reply{}, err
	}
	if notice != "" && !strings.HasPrefix(text, "/") && b.find(text) == nil {
		// The answer was for the expired flow: do not take it as anything
		// else.
		return Reply{Kind: KindInfo, Text: notice + "\n" + b.helpText()}, nil
	}

	switch strings.ToLower(text) {
	case cmdHelp:
		return withNotice(notice, Reply{Kind: KindInfo, Text: b.helpText()}), nil
	case cmdCancel:
		if sess == nil {
			return withNotice(notice, Reply{Kind: KindInfo, Text: "Nothing to cancel.\n" + b.helpText()}), nil
		}
		if err := b.cfg.Sessions.Delete(ctx, key); err != nil {
			return Reply{}, err
		}
		b.cfg.Log.Info("chatbot: flow cancelled by the user", "conversation", m.Conversation, "user", m.User, "template", sess.Template)
		return Reply{Kind: KindInfo, Text: fmt.Sprintf("Stopped %s. Nothing more will be done.", sess.Template)}, nil
	}

	if sess != nil {
		return b.resume(ctx, key, sess, text)
	}
	t := b.find(text)
	if t == nil {
		return withNotice(notice, Reply{Kind: KindInfo, Text: b.helpText()}), nil
	}
	turn, err := b.cfg.Engine.Start(ctx, t, engine.StartOptions{Subject: m.User, Conversation: m.Conversation})
	if err != nil {
		return Reply{}, fmt.Errorf("chatbot: starting %s: %w", t.ID(), err)
	}
	now := b.cfg.Now()
	r, err := b.record(ctx, key, &Session{Template: t.ID(), Started: now}, t.Name(), turn)
	return withNotice(notice, r), err
}

// load returns the paused session of key, if any. A record that cannot be
// read, or that waited longer than SessionTTL, is deleted; for an expired
// one, notice tells the user.
func (b *Bot) load(ctx context.Context, key SessionKey) (sess *Session, notice string, err error) {
	sess, err = b.cfg.Sessions.Load(ctx, key)
	if err != nil {
		// A record that cannot be read cannot be resumed: forget it rather
		// than refuse every later message of this user.
		b.cfg.Log.Warn("chatbot: discarding an unreadable session", "conversation", key.Conversation, "user", key.User, "error", err.Error())
		if derr := b.cfg.Sessions.Delete(ctx, key); derr != nil {
			return nil, "", errors.Join(err, derr)
		}
		return nil, "", nil
	}
	if sess == nil || b.cfg.Now().Sub(sess.Updated) <= b.cfg.SessionTTL {
		return sess, "", nil
	}
	if err := b.cfg.Sessions.Delete(ctx, key); err != nil {
		return nil, "", err
	}
	b.cfg.Log.Info("chatbot: session expired", "conversation", key.Conversation, "user", key.User, "template", sess.Template)
	return nil, fmt.Sprintf("Your %s flow waited more than %s for an answer and was stopped.", sess.Template, humanDuration(b.cfg.SessionTTL)), nil
}

// Prune drops the sessions that waited longer than SessionTTL, when the
// store can (Pruner); Handle drops an expired one anyway when its user
// comes back, so this only keeps abandoned sessions from piling up.
func (b *Bot) Prune(ctx context.Context) (int, error) {
	p, ok := b.cfg.Sessions.(Pruner)
	if !ok {
		return 0, nil
	}
	n, err := p.Prune(ctx, b.cfg.Now().Add(-b.cfg.SessionTTL))
	if n > 0 {
		b.cfg.Log.Info("chatbot: expired sessions removed", "count", n)
	}
	if err != nil {
		b.cfg.Log.Warn("chatbot: removing expired sessions failed", "error", err.Error())
	}
	return n, err
}

// resume feeds the answer to the paused flow.
func (b *Bot) resume(ctx context.Context, key SessionKey, sess *Session, text string) (Reply, error) {
	answer := text
	if answer == skipAnswer {
		answer = ""
	}
	turn, err := b.cfg.Engine.Resume(ctx, sess.State, answer)
	if err != nil {
		if ctx.Err() != nil {
			return Reply{}, ctx.Err()
		}
		// The state cannot be resumed: nothing else can be done with it.
		if derr := b.cfg.Sessions.Delete(ctx, key); derr != nil {
			return Reply{}, errors.Join(err, derr)
		}
		b.cfg.Log.Warn("chatbot: a saved flow could not be resumed", "conversation", key.Conversation, "user", key.User, "template", sess.Template, "error", err.Error())
		return Reply{Kind: KindFailed, Text: resumeFailure(sess.Template, err)}, nil
	}
	return b.record(ctx, key, sess, b.flowName(sess.Template), turn)
}

// record saves or forgets the session after a turn and builds the reply.
func (b *Bot) record(ctx context.Context, key SessionKey, sess *Session, flow string, turn *engine.Turn) (Reply, error) {
	b.cfg.Log.Info("chatbot: turn", "conversation", key.Conversation, "user", key.User, "template", sess.Template, "turn", turn.Kind.String(), "status", string(turn.Status))
	if turn.Kind == engine.KindFailed {
		b.cfg.Log.Warn("chatbot: flow failed", "conversation", key.Conversation, "user", key.User, "template", sess.Template, "error", failureText(turn.Err))
	}
	reply := replyFor(flow, turn)
	if turn.Kind == engine.KindQuestion || turn.Kind == engine.KindSignIn {
		sess.State = turn.State
		sess.Updated = b.cfg.Now()
		if err := b.cfg.Sessions.Save(ctx, key, sess); err != nil {
			return Reply{}, fmt.Errorf("chatbot: saving the paused flow: %w", err)
		}
		return reply, nil
	}
	if err := b.cfg.Sessions.Delete(ctx, key); err != nil {
		return Reply{}, fmt.Errorf("chatbot: the flow ended but its saved state could not be removed: %w", err)
	}
	return reply, nil
}

func resumeFailure(template string, err error) string {
	var se *engine.StateError
	switch {
	case errors.Is(err, engine.ErrTemplateChanged):
		return fmt.Sprintf("The %s flow was updated while it waited for you, so it cannot go on. Type %s to start it again.", template, template)
	case errors.Is(err, engine.ErrUnknownTemplate):
		return fmt.Sprintf("The %s flow is no longer available.", template)
	case errors.As(err, &se):
		// The reason (an unsigned or altered state, a format version...)
		// is for the operator and goes to the log, not to the chat.
		return fmt.Sprintf("Your %s flow could not be resumed: its saved state was refused (damaged, changed outside the bot, or saved by another version of it), so it was dropped. Type %s to start it again.", template, template)
	}
	return fmt.Sprintf("Your %s flow could not be resumed. Type %s to start it again.", template, template)
}

// find returns the template named by text (its id or name, ignoring case),
// or nil.
func (b *Bot) find(text string) *engine.Template {
	for _, t := range b.cfg.Templates {
		if strings.EqualFold(text, t.ID()) || strings.EqualFold(text, t.Name()) {
			return t
		}
	}
	return nil
}

// flowName is the human name of the template with the given id, or the id
// when the engine no longer knows it.
func (b *Bot) flowName(id string) string {
	for _, t := range b.cfg.Engine.Templates() {
		if t.ID() == id {
			return t.Name()
		}
	}
	return id
}

func (b *Bot) helpText() string {
	var s strings.Builder
	s.WriteString("I can run these flows; type one's name to start it:")
	for _, t := range b.cfg.Templates {
		fmt.Fprintf(&s, "\n- %s: %s", t.ID(), t.Name())
	}
	fmt.Fprintf(&s, "\nWhile a flow runs, answer its questions; %s stops it.", cmdCancel)
	return s.String()
}

// humanDuration writes whole hours and minutes as words ("24 hours").
func humanDuration(d time.Duration) string {
	unit := func(n int64, word string) string {
		if n == 1 {
			return "1 " + word
		}
		return fmt.Sprintf("%d %ss", n, word)
	}
	switch {
	case d%time.Hour == 0:
		return unit(int64(d/time.Hour), "hour")
	case d%time.Minute == 0:
		return unit(int64(d/time.Minute), "minute")
	}
	return d.String()
}

func withNotice(notice string, r Reply) Reply {
	if notice != "" {
		r.Text = notice + "\n" + r.Text
	}
	return r
}

// checkMessage refuses ids and text the bot will not handle.
func checkMessage(m Message) error {
	for _, f := range []struct{ name, value string }{{"conversation", m.Conversation}, {"user", m.User}} {
		switch {
		case f.value == "":
			return &MessageError{f.name, "is required"}
		case len(f.value) > maxIDBytes:
			return &MessageError{f.name, fmt.Sprintf("is %d bytes, more than %d", len(f.value), maxIDBytes)}
		case !utf8.ValidString(f.value) || strings.IndexFunc(f.value, unicode.IsControl) >= 0:
			return &MessageError{f.name, "must be printable UTF-8 text"}
		}
	}
	switch {
	case !utf8.ValidString(m.Text):
		return &MessageError{"text", "is not valid UTF-8"}
	case utf8.RuneCountInString(m.Text) > maxTextRunes:
		return &MessageError{"text", fmt.Sprintf("has %d characters, more than %d", utf8.RuneCountInString(m.Text), maxTextRunes)}
	}
	return nil
}
