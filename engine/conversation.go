package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/graph"
)

// Message is one message of a conversation, as a chat platform delivers it.
type Message struct {
	// ID is the platform's delivery id (optional). The same ID delivered
	// twice is handled once: the second delivery gets the first one's Turn
	// back (with Turn.Replay set) and sends nothing. A conversation
	// remembers its last 8 message ids.
	ID string
	// Text is what the user typed: the answer to the question waiting,
	// the magic code of a sign-in, or a cancel word.
	Text string
}

// Bounds on what a host passes in: keys and ids are store keys and log
// fields, a text is an answer.
const (
	maxConversationKeyBytes = 512
	maxMessageIDBytes       = 256
	maxMessageTextBytes     = 16 << 10
	// maxRecentMessages is how many message ids (and their turns) a
	// conversation remembers for deduplication.
	maxRecentMessages = 8
	// maxStoredTurnBytes bounds one remembered turn; a bigger one is kept
	// without its outputs (Turn.OutputsDropped).
	maxStoredTurnBytes = 16 << 10
	// convRecordVersion is the version of SessionRecord.Data's format.
	convRecordVersion = 1
)

// ErrAbandonedWrite is the cause of a flow ended because the engine that
// was sending its write stopped (a crash, a store that failed) before it
// recorded the outcome: the write may have been sent, so it is never sent
// again. Turn.Err wraps it in a *graph.MaybeSentError.
var ErrAbandonedWrite = errors.New("the engine handling this turn stopped before recording whether its write was applied")

// errTurnLost stops a session whose turn another delivery claimed first.
var errTurnLost = errors.New("engine: another delivery claimed this turn")

// convRecord is SessionRecord.Data: the conversation as the engine keeps it.
type convRecord struct {
	V int `json:"v"`
	// State is the paused session (its own seq equals the record's Seq),
	// or nothing when no flow is running.
	State json.RawMessage `json:"state,omitempty"`
	// Claim is a write in flight: set, under a new Seq, before the write is
	// sent; replaced when its outcome is recorded.
	Claim *claimRecord `json:"claim,omitempty"`
	// Last is the conversation's current turn (what Conversation returns).
	// It and the turns of Recent stay raw JSON (a storedTurn) until one is
	// replayed: a message decodes and encodes none but its own.
	Last json.RawMessage `json:"last,omitempty"`
	// Recent are the latest message ids handled, oldest first.
	Recent []recentMessage `json:"recent,omitempty"`
}

type claimRecord struct {
	Message  string `json:"msg,omitempty"`
	Session  string `json:"session"`
	Template string `json:"template"`
	Step     string `json:"step"`
	Pos      string `json:"pos"`
	Method   string `json:"method"`
	Path     string `json:"path"`
	// Until is when the claim counts as abandoned (Unix milliseconds of
	// the engine's clock): the engine holding it gives up before then.
	Until int64 `json:"until"`
}

type recentMessage struct {
	ID   string          `json:"id"`
	Turn json.RawMessage `json:"turn"`
}

// StartFlow starts t in the conversation key of store, in answer to the
// message msgID (optional; deduplicated like Message.ID). A flow paused in
// that conversation is replaced: it ends without sending anything more.
// While another engine is sending a write in that conversation the Turn is
// KindBusy and nothing starts; after an abandoned write (see HandleMessage)
// the new flow starts and its first Messages say that the old write may
// have been applied.
//
// Like HandleMessage, the new flow claims its turn in the store before any
// write. The error is for misuse (as Start's) and for the store's errors.
func (e *Engine) StartFlow(ctx context.Context, store SessionStore, key string, t *Template, opts StartOptions, msgID string) (*Turn, error) {
	if err := checkConversation(store, key, msgID); err != nil {
		return nil, err
	}
	if err := e.checkStart(t, opts); err != nil {
		return nil, err
	}
	return e.handle(ctx, store, key, msgID, true, func(rec SessionRecord, cr *convRecord) (*session, func(*session) *Turn, *Turn, error) {
		s, early := e.startSession(t, opts)
		s.seq = rec.Seq + 1
		if c := cr.Claim; c != nil {
			s.turn.Messages = append(s.turn.Messages, abandonedNote(c))
		}
		return s, func(s *session) *Turn {
			if early != nil {
				return early
			}
			return s.run(ctx)
		}, nil, nil
	})
}

// HandleMessage handles one message of the conversation key of store, end
// to end: it loads the conversation, resumes its paused flow with
// msg.Text, and saves the outcome with a compare-and-swap on the record's
// Seq. A turn that sends a write (any method but GET) first claims the
// turn in the store, and only the engine that claimed it sends. So two
// deliveries of one message, two replicas handling one conversation at
// once, or a replayed message never send a write twice: the loser sends
// nothing, reads the record again and answers from it (Turn.Replay set),
// or with KindBusy while the winner's write is in flight.
//
// With no flow running the Turn is KindIdle and nothing is stored. An
// engine that stopped while sending a write leaves its claim in the store:
// once the claim is older than Limits.FlowTimeout plus Limits.ClaimGrace
// (a minute unless set), the next message ends that flow as failed with a
// *graph.MaybeSentError wrapping ErrAbandonedWrite, and the write is never
// sent again.
//
// The error is for the store's errors and for a conversation whose flow
// cannot be resumed here (as Resume's: ErrTemplateChanged,
// ErrUnknownTemplate, *StateError); the record is then left as it is, for
// an engine that knows the template, or for StartFlow to replace.
func (e *Engine) HandleMessage(ctx context.Context, store SessionStore, key string, msg Message) (*Turn, error) {
	if err := checkConversation(store, key, msg.ID); err != nil {
		return nil, err
	}
	if len(msg.Text) > maxMessageTextBytes {
		return nil, fmt.Errorf("engine: the message text is %d bytes, more than %d", len(msg.Text), maxMessageTextBytes)
	}
	return e.handle(ctx, store, key, msg.ID, false, func(rec SessionRecord, cr *convRecord) (*session, func(*session) *Turn, *Turn, error) {
		if len(cr.State) == 0 {
			return nil, nil, &Turn{Kind: KindIdle, Seq: rec.Seq}, nil
		}
		s, err := e.restore(cr.State)
		if err != nil {
			return nil, nil, nil, err
		}
		if s.seq != rec.Seq {
			return nil, nil, nil, badState("the state is of turn %d but the conversation is at turn %d: a replayed or misplaced state", s.seq, rec.Seq)
		}
		s.seq = rec.Seq + 1
		return s, func(s *session) *Turn { return s.resume(ctx, msg.Text) }, nil, nil
	})
}

// Conversation returns the current turn of the conversation key without
// changing it: the question or sign-in waiting, or how the last flow ended
// (both with Replay set), KindBusy while a write is in flight, or KindIdle
// when no flow ever ran.
func (e *Engine) Conversation(ctx context.Context, store SessionStore, key string) (*Turn, error) {
	if err := checkConversation(store, key, ""); err != nil {
		return nil, err
	}
	rec, cr, err := loadConversation(ctx, store, key)
	if err != nil {
		return nil, err
	}
	return e.currentTurn(rec, cr), nil
}

// prepareFunc makes the session that handles a message and how to run it,
// or the turn that answers it at once (not stored).
type prepareFunc func(rec SessionRecord, cr *convRecord) (*session, func(*session) *Turn, *Turn, error)

// handle is what StartFlow and HandleMessage share: load, replay a known
// message, respect or end a claim, run with the claim hook, swap.
func (e *Engine) handle(ctx context.Context, store SessionStore, key, msgID string, starting bool, prepare prepareFunc) (*Turn, error) {
	rec, cr, err := loadConversation(ctx, store, key)
	if err != nil {
		return nil, err
	}
	if t := cr.replay(msgID); t != nil {
		return t, nil
	}
	if c := cr.Claim; c != nil {
		if e.now().UnixMilli() < c.Until {
			return &Turn{Kind: KindBusy, Session: c.Session, Seq: rec.Seq, Template: c.Template}, nil
		}
		if !starting {
			return e.endAbandoned(ctx, store, key, msgID, rec, cr)
		}
	}
	s, run, now, err := prepare(rec, cr)
	if err != nil || s == nil {
		return now, err
	}
	s.deadline = time.Now().Add(e.lim.FlowTimeout)
	base, claimed := rec.Seq, false
	s.claim = func(ctx context.Context, st *step, method, path string) error {
		next := &convRecord{V: convRecordVersion, Last: cr.Last, Recent: cr.Recent, Claim: &claimRecord{
			Message: msgID, Session: s.sessionID(), Template: s.t.id, Step: st.key, Pos: s.stepPos(st),
			Method: method, Path: path, Until: e.now().Add(e.lim.FlowTimeout + e.lim.ClaimGrace).UnixMilli(),
		}}
		data, err := next.encode()
		if err != nil {
			return fmt.Errorf("claiming the turn before the write: %v", err)
		}
		ok, err := store.CompareAndSwap(ctx, key, base, SessionRecord{Seq: base + 1, Data: data})
		if err != nil {
			return fmt.Errorf("claiming the turn before the write: %w", err)
		}
		if !ok {
			return errTurnLost
		}
		claimed = true
		s.seq = base + 2
		return nil
	}
	turn := run(s)
	s.claim = nil
	if s.lost {
		return e.reread(ctx, store, key, msgID)
	}
	turn.Session, turn.Seq, turn.Template = s.sessionID(), s.seq, s.t.id
	last, err := json.Marshal(storeTurn(turn))
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %v", err)
	}
	next := &convRecord{V: convRecordVersion, State: turn.State, Last: last, Recent: addRecent(cr.Recent, msgID, last)}
	data, err := next.encode()
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %v", err)
	}
	expected := base
	if claimed {
		expected = base + 1
	}
	ok, err := store.CompareAndSwap(ctx, key, expected, SessionRecord{Seq: s.seq, Data: data})
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %w", err)
	}
	turn.State = nil
	if !ok {
		if claimed {
			// Our claim was taken as abandoned (this engine ran past
			// FlowTimeout and the grace): the store says "may have been
			// sent", which is true. This turn is what really happened.
			return turn, nil
		}
		return e.reread(ctx, store, key, msgID)
	}
	return turn, nil
}

// endAbandoned ends a flow whose write was claimed and never recorded.
func (e *Engine) endAbandoned(ctx context.Context, store SessionStore, key, msgID string, rec SessionRecord, cr *convRecord) (*Turn, error) {
	turn := abandonedTurn(cr.Claim)
	turn.Seq = rec.Seq + 1
	last, err := json.Marshal(storeTurn(turn))
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %v", err)
	}
	next := &convRecord{V: convRecordVersion, Last: last, Recent: addRecent(cr.Recent, msgID, last)}
	data, err := next.encode()
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %v", err)
	}
	ok, err := store.CompareAndSwap(ctx, key, rec.Seq, SessionRecord{Seq: turn.Seq, Data: data})
	if err != nil {
		return nil, fmt.Errorf("engine: saving the conversation: %w", err)
	}
	if !ok {
		return e.reread(ctx, store, key, msgID)
	}
	return turn, nil
}

func abandonedTurn(c *claimRecord) *Turn {
	return &Turn{Kind: KindFailed, Status: StatusFailed, Session: c.Session, Template: c.Template, Err: &FlowError{Step: c.Step, Pos: c.Pos,
		Err: &graph.MaybeSentError{Method: c.Method, URL: c.Path, Attempts: 1, Cause: ErrAbandonedWrite}}}
}

func abandonedNote(c *claimRecord) string {
	return fmt.Sprintf("The previous flow (%s) stopped while sending %s %s: it may have been applied, and it was not sent again.", c.Template, c.Method, c.Path)
}

// reread answers a delivery that lost the race from the record as it is.
func (e *Engine) reread(ctx context.Context, store SessionStore, key, msgID string) (*Turn, error) {
	rec, cr, err := loadConversation(ctx, store, key)
	if err != nil {
		return nil, err
	}
	if t := cr.replay(msgID); t != nil {
		return t, nil
	}
	return e.currentTurn(rec, cr), nil
}

// currentTurn is the turn a record stands at.
func (e *Engine) currentTurn(rec SessionRecord, cr *convRecord) *Turn {
	if c := cr.Claim; c != nil {
		if e.now().UnixMilli() < c.Until {
			return &Turn{Kind: KindBusy, Session: c.Session, Seq: rec.Seq, Template: c.Template}
		}
		t := abandonedTurn(c)
		t.Seq = rec.Seq
		return t
	}
	if len(cr.Last) == 0 {
		return &Turn{Kind: KindIdle, Seq: rec.Seq}
	}
	return replayed(cr.Last)
}

// replay returns the turn already given to message id, or nil.
func (cr *convRecord) replay(id string) *Turn {
	if id == "" {
		return nil
	}
	for i := len(cr.Recent) - 1; i >= 0; i-- {
		if r := cr.Recent[i]; r.ID == id && len(r.Turn) > 0 {
			return replayed(r.Turn)
		}
	}
	return nil
}

// replayed decodes a remembered turn; one that does not decode (a record
// written by a newer engine) is a failed turn saying so.
func replayed(raw json.RawMessage) *Turn {
	var st storedTurn
	if err := json.Unmarshal(raw, &st); err != nil {
		return &Turn{Kind: KindFailed, Status: StatusFailed, Replay: true, Err: &FlowError{Err: badState("the remembered turn cannot be read (%v)", err)}}
	}
	t := st.turn()
	t.Replay = true
	return t
}

func addRecent(recent []recentMessage, id string, t json.RawMessage) []recentMessage {
	if id == "" {
		return recent
	}
	out := make([]recentMessage, 0, maxRecentMessages)
	if n := len(recent) - (maxRecentMessages - 1); n > 0 {
		recent = recent[n:]
	}
	out = append(out, recent...)
	return append(out, recentMessage{ID: id, Turn: t})
}

// loadConversation loads and decodes the record of key.
func loadConversation(ctx context.Context, store SessionStore, key string) (SessionRecord, *convRecord, error) {
	rec, err := store.Load(ctx, key)
	if err != nil {
		return rec, nil, fmt.Errorf("engine: loading the conversation: %w", err)
	}
	cr, err := decodeConvRecord(rec)
	return rec, cr, err
}

func decodeConvRecord(rec SessionRecord) (*convRecord, error) {
	cr := &convRecord{}
	if rec.Seq == 0 {
		return cr, nil
	}
	if err := cr.decode(rec.Data); err != nil {
		return nil, badState("the conversation record is not the engine's (%v)", err)
	}
	if cr.V != convRecordVersion {
		return nil, badState("conversation record version %d is not supported (this engine reads version %d)", cr.V, convRecordVersion)
	}
	if len(cr.Recent) > maxRecentMessages {
		return nil, badState("the conversation record remembers %d messages, more than %d", len(cr.Recent), maxRecentMessages)
	}
	return cr, nil
}

// encode writes the record by hand: its state and turns are JSON already,
// and encoding/json would check and copy each of them again.
func (cr *convRecord) encode() ([]byte, error) {
	n := len(cr.State) + len(cr.Last) + 64
	for _, r := range cr.Recent {
		n += len(r.ID) + len(r.Turn) + 20
	}
	b := make([]byte, 0, n)
	b = append(b, `{"v":`...)
	b = strconv.AppendInt(b, int64(cr.V), 10)
	if len(cr.State) > 0 {
		b = append(b, `,"state":`...)
		b = append(b, cr.State...)
	}
	if cr.Claim != nil {
		claim, err := json.Marshal(cr.Claim)
		if err != nil {
			return nil, err
		}
		b = append(b, `,"claim":`...)
		b = append(b, claim...)
	}
	if len(cr.Last) > 0 {
		b = append(b, `,"last":`...)
		b = append(b, cr.Last...)
	}
	if len(cr.Recent) > 0 {
		b = append(b, `,"recent":[`...)
		for i, r := range cr.Recent {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"id":`...)
			b = appendJSONString(b, r.ID)
			b = append(b, `,"turn":`...)
			b = append(b, r.Turn...)
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	return append(b, '}'), nil
}

// decode reads a record; its state and turns stay raw.
func (cr *convRecord) decode(data []byte) error {
	text := string(data)
	if !gjson.Valid(text) {
		return errors.New("not JSON")
	}
	root := gjson.Parse(text)
	if !root.IsObject() {
		return errors.New("not a JSON object")
	}
	var err error
	root.ForEach(func(k, v gjson.Result) bool {
		switch k.Str {
		case "v":
			var n int64
			n, err = jsonInt("v", v)
			cr.V = int(n)
		case "state":
			cr.State = rawObject(v)
		case "claim":
			if v.IsObject() {
				cr.Claim = &claimRecord{}
				err = json.Unmarshal([]byte(v.Raw), cr.Claim)
			}
		case "last":
			cr.Last = rawObject(v)
		case "recent":
			if !v.IsArray() {
				err = errors.New("recent: not a list")
				break
			}
			v.ForEach(func(_, m gjson.Result) bool {
				if len(cr.Recent) > maxRecentMessages {
					return false
				}
				r := recentMessage{ID: m.Get("id").Str, Turn: rawObject(m.Get("turn"))}
				cr.Recent = append(cr.Recent, r)
				return true
			})
		default:
			err = fmt.Errorf("unknown field %q", k.Str)
		}
		return err == nil
	})
	return err
}

// rawObject is v's JSON when it is an object, else nothing.
func rawObject(v gjson.Result) json.RawMessage {
	if !v.IsObject() {
		return nil
	}
	return json.RawMessage(v.Raw)
}

func checkConversation(store SessionStore, key, msgID string) error {
	switch {
	case store == nil:
		return errors.New("engine: a SessionStore is required")
	case key == "":
		return errors.New("engine: the conversation key is empty")
	case len(key) > maxConversationKeyBytes:
		return fmt.Errorf("engine: the conversation key is %d bytes, more than %d", len(key), maxConversationKeyBytes)
	case len(msgID) > maxMessageIDBytes:
		return fmt.Errorf("engine: the message id is %d bytes, more than %d", len(msgID), maxMessageIDBytes)
	}
	return nil
}
