package engine

import (
	"errors"
	"fmt"
	"time"

	"github.com/runflow/runflow/engine/input"
)

// execAsk handles an ask step (explicit, or implicit for a start input) on
// arrival: a preset or, without questions, the default; else a question.
func (s *session) execAsk(st *step) action {
	in := st.ask
	if v, ok := s.presets[in.name]; ok {
		delete(s.presets, in.name)
		val, msg, err := s.accept(in, v, true)
		if err != nil {
			return s.fail(st, err)
		}
		if msg == "" {
			s.setInput(in.name, val)
			s.advance()
			return actNext
		}
		if s.opts.NoInput {
			return s.fail(st, &InputError{Input: in.name, Message: msg})
		}
		return s.ask(st, msg)
	}
	if s.opts.NoInput {
		if in.required && in.def == nil {
			return s.fail(st, &MissingInputsError{Names: []string{in.name}})
		}
		val, msg, err := s.accept(in, "", false)
		if err != nil {
			return s.fail(st, err)
		}
		if msg != "" {
			return s.fail(st, &InputError{Input: in.name, Message: msg})
		}
		s.setInput(in.name, val)
		s.advance()
		return actNext
	}
	return s.ask(st, "")
}

// answerAsk takes the answer to the question of an ask step.
func (s *session) answerAsk(st *step, answer string) action {
	in := st.ask
	val, msg, err := s.accept(in, answer, false)
	if err != nil {
		return s.fail(st, err)
	}
	if msg == "" {
		s.setInput(in.name, val)
		s.advance()
		return actNext
	}
	if s.attempt >= s.maxAttempts(in) {
		return s.fail(st, &InputError{Input: in.name, Message: msg, Attempts: s.attempt})
	}
	return s.ask(st, msg)
}

func (s *session) maxAttempts(in *inputDef) int {
	if in != nil && in.maxAttempts > 0 {
		return in.maxAttempts
	}
	return s.e.lim.MaxAttempts
}

// ask pauses with the question of st; problem is why the last answer was
// refused.
func (s *session) ask(st *step, problem string) action {
	in := st.ask
	s.attempt++
	q := &Question{Input: in.name, Type: string(in.typ), Attempt: s.attempt, MaxAttempts: s.maxAttempts(in), Error: problem, Required: in.required, StepID: st.key}
	q.MaxSize, q.Accept = in.fileLimits()
	var err error
	if q.Text, err = s.evalText(in.prompt); err != nil {
		return s.fail(st, err)
	}
	if q.Hint, err = s.evalText(in.hint); err != nil {
		return s.fail(st, err)
	}
	ctx, err := s.inputContext(in)
	if err != nil {
		return s.fail(st, err)
	}
	if in.typ == input.Choice {
		if len(ctx.Choices) == 0 {
			return s.fail(st, fmt.Errorf("input %s: there are no options to choose from", in.name))
		}
		q.Choices = ctx.Choices
	}
	if in.def != nil {
		dv, err := s.defaultValue(in, ctx)
		if err != nil {
			return s.fail(st, err)
		}
		q.Default = input.Format(in.typ, dv)
		q.Required = false
	}
	s.wait = "input"
	s.turn.Kind = KindQuestion
	s.turn.Question = q
	return s.pause()
}

// fixedInputContext is the part of in's context that needs no
// evaluation: the session's clock and zone, whether an answer is needed,
// the list and file rules.
func (s *session) fixedInputContext(in *inputDef) input.Context {
	return input.Context{Now: s.now, Zone: s.zone, Required: in.required && in.def == nil, List: in.listRules,
		MaxFileBytes: in.maxSize, Accept: in.accept}
}

// inputContext builds what input.Parse needs for in: the zone, the options.
func (s *session) inputContext(in *inputDef) (input.Context, error) {
	ctx := s.fixedInputContext(in)
	if in.zone != nil {
		name, err := s.evalText(in.zone)
		if err != nil {
			return ctx, err
		}
		if name != "" {
			loc, err := zoneArg("input "+in.name+" zone", name)
			if err != nil {
				return ctx, err
			}
			ctx.Zone = loc
		}
	}
	if in.relativeTo != nil {
		v, err := s.eval(in.relativeTo)
		if err != nil {
			return ctx, err
		}
		if base, ok := v.(time.Time); ok {
			ctx.Base = base
		}
	}
	if in.typ == input.Choice {
		if in.choicesFrom == nil {
			ctx.Choices = in.staticChoices()
		} else {
			opts, err := s.choicesFrom(in)
			if err != nil {
				return ctx, err
			}
			ctx.Choices = opts
		}
	}
	return ctx, nil
}

func (s *session) choicesFrom(in *inputDef) ([]input.Option, error) {
	cf := in.choicesFrom
	v, err := s.eval(cf.items)
	if err != nil {
		return nil, err
	}
	items, err := asList(v)
	if err != nil {
		return nil, fmt.Errorf("input %s choices_from items: %v", in.name, err)
	}
	if len(items) > s.e.lim.MaxForeach {
		return nil, &LimitError{Setting: "MaxForeach", Message: fmt.Sprintf("input %s: %d options, more than the maximum of %d", in.name, len(items), s.e.lim.MaxForeach)}
	}
	defer delete(s.env, "item")
	out := make([]input.Option, 0, len(items))
	for _, it := range items {
		s.env["item"] = it
		val, err := s.evalText(cf.value)
		if err != nil {
			return nil, err
		}
		label := ""
		if cf.label != nil {
			if label, err = s.evalText(cf.label); err != nil {
				return nil, err
			}
		}
		out = append(out, input.Option{Value: val, Label: label})
	}
	return out, nil
}

// defaultValue evaluates the default of in as a value of its type.
func (s *session) defaultValue(in *inputDef, ctx input.Context) (any, error) {
	raw, err := s.evalValue(in.def)
	if err != nil {
		return nil, err
	}
	ctx.Required = false
	if d, ok := raw.(time.Duration); ok && in.typ == input.Duration {
		return d, nil
	}
	v, err := input.FromJSON(in.typ, raw, ctx)
	if err != nil {
		return nil, fmt.Errorf("input %s: the default is not a valid %s: %v", in.name, in.typ, err)
	}
	return v, nil
}

// accept parses and validates a value for in: an answer string or, when
// preset, a JSON-like value. It returns the value, or the message to show
// the user, or an error that ends the flow (a broken expression).
func (s *session) accept(in *inputDef, raw any, preset bool) (any, string, error) {
	ctx, err := s.inputContext(in)
	if err != nil {
		return nil, "", err
	}
	var v any
	if preset {
		v, err = input.FromJSON(in.typ, raw, ctx)
	} else {
		v, err = input.Parse(in.typ, raw.(string), ctx)
	}
	if err != nil {
		var ie *input.Error
		if errors.As(err, &ie) {
			return nil, ie.Message, nil
		}
		return nil, "", err
	}
	if isBlank(v) && in.def != nil {
		if v, err = s.defaultValue(in, ctx); err != nil {
			return nil, "", err
		}
	}
	if v == nil {
		v = in.typ.Zero()
	}
	if in.future {
		if msg := s.inPast(in, v, ctx); msg != "" {
			return nil, msg, nil
		}
	}
	if in.choicesFrom != nil {
		if chosen, ok := v.(string); ok && chosen != "" {
			item, found, err := s.chosenItem(in, chosen)
			if err != nil {
				return nil, "", err
			}
			if found {
				s.setVar(choiceItemVar(in.name), item)
			}
		}
	}
	if len(in.validate) == 0 {
		return v, "", nil
	}
	s.env["value"] = v
	defer delete(s.env, "value")
	for _, r := range in.validate {
		ok, err := s.evalBool(r.check)
		if err != nil {
			return nil, "", err
		}
		if !ok {
			msg, err := s.evalText(r.message)
			if err != nil {
				return nil, "", err
			}
			if answer, typed := raw.(string); typed && !preset {
				msg += readAs(answer, v, in.typ)
			}
			return nil, msg, nil
		}
	}
	return v, "", nil
}

func isBlank(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []string:
		return len(x) == 0
	case []input.FileValue:
		return len(x) == 0
	}
	return false
}

// execConfirm handles a confirm step on arrival.
func (s *session) execConfirm(st *step) action {
	if s.opts.AutoConfirm {
		s.advance()
		return actNext
	}
	text, err := s.evalText(st.text)
	if err != nil {
		return s.fail(st, err)
	}
	if s.opts.NoInput {
		return s.fail(st, fmt.Errorf("confirm %q needs an answer; run with AutoConfirm (--yes) to answer yes", text))
	}
	return s.askConfirm(st, text, "")
}

func (s *session) askConfirm(st *step, text, problem string) action {
	s.attempt++
	s.wait = "confirm"
	s.turn.Kind = KindQuestion
	s.turn.Question = &Question{Type: "confirm", Text: text, Attempt: s.attempt, MaxAttempts: s.e.lim.MaxAttempts, Error: problem, Required: true, StepID: st.key}
	return s.pause()
}

func (s *session) answerConfirm(st *step, answer string) action {
	v, err := input.Parse(input.Boolean, answer, input.Context{Required: true})
	if err == nil {
		if v.(bool) {
			s.advance()
			return actNext
		}
		return s.cancelled()
	}
	msg := err.Error()
	if s.attempt >= s.e.lim.MaxAttempts {
		return s.fail(st, &InputError{Input: "confirm", Message: msg, Attempts: s.attempt})
	}
	text, terr := s.evalText(st.text)
	if terr != nil {
		return s.fail(st, terr)
	}
	return s.askConfirm(st, text, msg)
}

// inPast says why a value of a future input is refused: a time before now,
// or a date before today, in the zone the answer was read in.
func (s *session) inPast(in *inputDef, v any, ctx input.Context) string {
	t, ok := v.(time.Time)
	if !ok || t.IsZero() {
		return ""
	}
	now := s.now.In(ctx.Zone)
	if in.typ == input.Date {
		y, m, d := now.Date()
		if t.Before(time.Date(y, m, d, 0, 0, 0, 0, ctx.Zone)) {
			return fmt.Sprintf("%s is in the past (today is %s); give today or a later day.", t.Format("Mon 2 Jan 2006"), now.Format("Mon 2 Jan 2006"))
		}
		return ""
	}
	if !t.After(s.now) {
		return fmt.Sprintf("%s is in the past (it is now %s, %s); give a later time.", t.In(ctx.Zone).Format("Mon 2 Jan 2006 15:04"), now.Format("Mon 2 Jan 2006 15:04"), ctx.Zone)
	}
	return ""
}
