package engine

import (
	"encoding/json"
	"errors"

	"github.com/runflow/runflow/graph"
)

// storedTurn is a Turn as a conversation record keeps it, to answer a
// message delivered twice and Conversation. Errors keep their kind and the
// fields a host shows (errors.As finds the same types), not their causes'
// whole chains.
type storedTurn struct {
	Kind           TurnKind        `json:"kind"`
	Status         Status          `json:"status,omitempty"`
	Question       *Question       `json:"question,omitempty"`
	SignIn         *SignIn         `json:"sign_in,omitempty"`
	Outputs        []storedOutput  `json:"outputs,omitempty"`
	OutputsDropped bool            `json:"outputs_dropped,omitempty"`
	Messages       []string        `json:"messages,omitempty"`
	Err            *storedError    `json:"err,omitempty"`
	DryRun         *PlannedRequest `json:"dry_run,omitempty"`
	Session        string          `json:"session,omitempty"`
	Seq            uint64          `json:"seq,omitempty"`
	Template       string          `json:"template,omitempty"`
}

type storedOutput struct {
	Name    string   `json:"name"`
	Value   any      `json:"value"`
	Columns []string `json:"columns,omitempty"`
}

// storedError is a flow's error: the FlowError's step and position, and
// the cause's kind and fields.
type storedError struct {
	Step    string `json:"step,omitempty"`
	Pos     string `json:"pos,omitempty"`
	Kind    string `json:"kind,omitempty"`
	Message string `json:"msg"`
	// graph.Error
	Status    int    `json:"status,omitempty"`
	Code      string `json:"code,omitempty"`
	RequestID string `json:"request_id,omitempty"`
	// graph.MaybeSentError
	Method   string `json:"method,omitempty"`
	URL      string `json:"url,omitempty"`
	Attempts int    `json:"attempts,omitempty"`
	// InputError, MissingInputsError, LimitError
	Input   string   `json:"input,omitempty"`
	Names   []string `json:"names,omitempty"`
	Setting string   `json:"setting,omitempty"`
}

// storeTurn makes the record of t; outputs that would make it bigger than
// maxStoredTurnBytes are left out (OutputsDropped).
func storeTurn(t *Turn) *storedTurn {
	st := &storedTurn{Kind: t.Kind, Status: t.Status, Question: t.Question, SignIn: t.SignIn, Messages: t.Messages,
		DryRun: t.DryRun, Session: t.Session, Seq: t.Seq, Template: t.Template, OutputsDropped: t.OutputsDropped}
	if t.Err != nil {
		st.Err = storeError(t.Err)
	}
	size := 0
	for _, o := range t.Outputs {
		v, err := encodeValue(o.Value)
		if err != nil {
			st.Outputs, st.OutputsDropped = nil, true
			break
		}
		st.Outputs = append(st.Outputs, storedOutput{Name: o.Name, Value: v, Columns: o.Columns})
		if size >= 0 {
			b, err := json.Marshal(v)
			size += len(b)
			if err != nil || size > maxStoredTurnBytes {
				st.Outputs, st.OutputsDropped = nil, true
				break
			}
		}
	}
	return st
}

func storeError(err error) *storedError {
	se := &storedError{Message: err.Error()}
	var fe *FlowError
	if errors.As(err, &fe) {
		se.Step, se.Pos, err = fe.Step, fe.Pos, fe.Err
		se.Message = err.Error()
	}
	var (
		maybe   *graph.MaybeSentError
		gerr    *graph.Error
		inErr   *InputError
		missing *MissingInputsError
		failErr *FailStepError
		limErr  *LimitError
	)
	switch {
	case errors.As(err, &maybe):
		se.Kind, se.Method, se.URL, se.Attempts = "maybe-sent", maybe.Method, maybe.URL, maybe.Attempts
		if maybe.Cause != nil {
			se.Message = maybe.Cause.Error()
		}
	case errors.As(err, &gerr):
		se.Kind, se.Status, se.Code, se.RequestID, se.Message = "graph", gerr.Status, gerr.Code, gerr.RequestID, gerr.Message
	case errors.As(err, &inErr):
		se.Kind, se.Input, se.Attempts, se.Message = "input", inErr.Input, inErr.Attempts, inErr.Message
	case errors.As(err, &missing):
		se.Kind, se.Names = "missing", missing.Names
	case errors.As(err, &failErr):
		se.Kind, se.Message = "fail", failErr.Message
	case errors.As(err, &limErr):
		se.Kind, se.Setting, se.Message = "limit", limErr.Setting, limErr.Message
	}
	return se
}

func (se *storedError) err() error {
	var cause error
	switch se.Kind {
	case "maybe-sent":
		var inner error = errors.New(se.Message)
		if se.Message == ErrAbandonedWrite.Error() {
			inner = ErrAbandonedWrite
		}
		cause = &graph.MaybeSentError{Method: se.Method, URL: se.URL, Attempts: se.Attempts, Cause: inner}
	case "graph":
		cause = &graph.Error{Status: se.Status, Code: se.Code, Message: se.Message, RequestID: se.RequestID}
	case "input":
		cause = &InputError{Input: se.Input, Message: se.Message, Attempts: se.Attempts}
	case "missing":
		cause = &MissingInputsError{Names: se.Names}
	case "fail":
		cause = &FailStepError{Message: se.Message}
	case "limit":
		cause = &LimitError{Setting: se.Setting, Message: se.Message}
	default:
		cause = errors.New(se.Message)
	}
	return &FlowError{Step: se.Step, Pos: se.Pos, Err: cause}
}

// turn rebuilds the Turn.
func (st *storedTurn) turn() *Turn {
	t := &Turn{Kind: st.Kind, Status: st.Status, Question: st.Question, SignIn: st.SignIn, Messages: st.Messages,
		DryRun: st.DryRun, Session: st.Session, Seq: st.Seq, Template: st.Template, OutputsDropped: st.OutputsDropped}
	if st.Err != nil {
		t.Err = st.Err.err()
	}
	for _, o := range st.Outputs {
		v, err := decodeValue(o.Value, 0)
		if err != nil {
			t.Outputs, t.OutputsDropped = nil, true
			break
		}
		t.Outputs = append(t.Outputs, Output{Name: o.Name, Value: v, Columns: o.Columns})
	}
	return t
}
