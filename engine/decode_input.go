package engine

import (
	"strings"

	"github.com/runflow/runflow/engine/input"

	"go.yaml.in/yaml/v3"
)

func (d *decoder) decodeInputs(n *yaml.Node, t *Template) {
	items, ok := d.seq(n, "inputs")
	if !ok {
		return
	}
	for _, it := range items {
		in := d.decodeInput(it)
		if in == nil {
			continue
		}
		if prev, dup := t.inputByName[in.name]; dup {
			d.ps.errorf(in.pos, "input %q is declared twice (first at line %d)", in.name, prev.pos.Line)
			continue
		}
		t.inputByName[in.name] = in
		t.inputs = append(t.inputs, in)
	}
}

func (d *decoder) decodeInput(n *yaml.Node) *inputDef {
	n = d.resolve(n)
	kvs, ok := d.mapping(n, "input", inputKeys)
	if !ok {
		return nil
	}
	in := &inputDef{pos: posOf(n), required: true}
	have := map[string]*yaml.Node{}
	for _, kv := range kvs {
		have[kv.key] = kv.value
	}
	what := "input"
	if v, ok := have["name"]; ok {
		if s, ok := d.str(v, "input name"); ok {
			if !isName(s) {
				d.ps.errorf(posOf(d.resolve(v)), "input name %q must be lower-case letters, digits and _, starting with a letter or _", s)
			}
			in.name = s
			what = "input " + s
		}
	} else {
		d.ps.errorf(in.pos, "input: missing required key \"name\"")
	}
	if v, ok := have["type"]; ok {
		if s, ok := d.str(v, what+" type"); ok {
			if typ, known := input.ParseType(s); !known {
				d.ps.errorf(posOf(d.resolve(v)), "%s: unknown type %q%s", what, s, didYouMean(s, inputTypes))
			} else {
				in.typ = typ
			}
		}
	} else {
		d.ps.errorf(in.pos, "%s: missing required key \"type\"", what)
	}
	for _, kv := range kvs {
		switch kv.key {
		case "prompt":
			in.prompt = d.decodeTextNode(kv.value, what+" prompt")
		case "hint":
			in.hint = d.decodeTextNode(kv.value, what+" hint")
		case "required":
			in.required, _ = d.boolean(kv.value, what+" required")
		case "default":
			in.def = d.decodeValue(kv.value, what+" default")
			if r := d.resolve(kv.value); r.Kind == yaml.ScalarNode {
				in.defaultSrc = r.Value
			}
		case "zone":
			in.zone = d.decodeTextNode(kv.value, what+" zone")
		case "validate":
			d.decodeRules(kv.value, in, what)
		case "max_attempts":
			in.maxAttempts, _ = d.integer(kv.value, what+" max_attempts", 1, 100)
		case "choices":
			d.decodeChoices(kv.value, in, what)
		case "choices_from":
			d.decodeChoicesFrom(kv.value, in, what)
		case "max_items":
			in.listRules.MaxItems, _ = d.integer(kv.value, what+" max_items", 1, input.MaxListItems)
		case "min_item_length":
			in.listRules.MinItemLength, _ = d.integer(kv.value, what+" min_item_length", 1, input.MaxLineBytes)
		case "max_item_length":
			in.listRules.MaxItemLength, _ = d.integer(kv.value, what+" max_item_length", 1, input.MaxLineBytes)
		case "relative_to":
			in.relativeTo = d.decodeExprNode(kv.value, what+" relative_to")
		case "future":
			in.future, _ = d.boolean(kv.value, what+" future")
		case "max_size", "accept":
			d.decodeFileOption(kv.key, kv.value, in, what) // decode_file.go
		}
	}
	for _, k := range []string{"max_items", "min_item_length", "max_item_length"} {
		if v, ok := have[k]; ok && in.typ != "" && in.typ != "list" {
			d.ps.errorf(posOf(d.resolve(v)), "%s: %s is only for list inputs", what, k)
		}
	}
	if r := in.listRules; r.MinItemLength > 0 && r.MaxItemLength > 0 && r.MinItemLength > r.MaxItemLength {
		d.ps.errorf(posOf(d.resolve(have["min_item_length"])), "%s: min_item_length %d is more than max_item_length %d", what, r.MinItemLength, r.MaxItemLength)
	}
	if v, ok := have["relative_to"]; ok && in.typ != "" && in.typ != "time" && in.typ != "datetime" {
		d.ps.errorf(posOf(d.resolve(v)), "%s: relative_to is only for time and datetime inputs", what)
	}
	if _, ok := have["prompt"]; !ok {
		d.ps.errorf(in.pos, "%s: missing required key \"prompt\"", what)
	}
	isChoice := in.typ == "choice"
	_, hasChoices := have["choices"]
	_, hasFrom := have["choices_from"]
	switch {
	case isChoice && !hasChoices && !hasFrom:
		d.ps.errorf(in.pos, "%s: a choice input needs choices or choices_from", what)
	case isChoice && hasChoices && hasFrom:
		d.ps.errorf(posOf(d.resolve(have["choices_from"])), "%s: give choices or choices_from, not both", what)
	case !isChoice && in.typ != "" && (hasChoices || hasFrom):
		d.ps.errorf(in.pos, "%s: choices are only for inputs of type choice", what)
	}
	if v, ok := have["zone"]; ok && in.typ != "" && in.typ != "date" && in.typ != "time" && in.typ != "datetime" {
		d.ps.errorf(posOf(d.resolve(v)), "%s: zone is only for date, time and datetime inputs", what)
	}
	if v, ok := have["future"]; ok && in.typ != "" && in.typ != "date" && in.typ != "time" && in.typ != "datetime" {
		d.ps.errorf(posOf(d.resolve(v)), "%s: future is only for date, time and datetime inputs", what)
	}
	d.checkFileInput(in, have, what) // decode_file.go
	if in.name == "" {
		return nil
	}
	return in
}

// decodeTextNode decodes a scalar that is always text (a prompt, a message):
// expressions inside are interpolated.
func (d *decoder) decodeTextNode(n *yaml.Node, what string) *value {
	r := d.resolve(n)
	if r.Kind != yaml.ScalarNode || r.Tag == "!!null" {
		d.ps.errorf(posOf(r), "%s must be a string, not %s", what, kindName(r))
		return &value{kind: valLiteral, pos: posOf(r), lit: ""}
	}
	return d.decodeText(r, what, false)
}

func (d *decoder) decodeRules(n *yaml.Node, in *inputDef, what string) {
	items, ok := d.seq(n, what+" validate")
	if !ok {
		return
	}
	for _, it := range items {
		it = d.resolve(it)
		kvs, ok := d.mapping(it, what+" validate rule", ruleKeys)
		if !ok {
			continue
		}
		r := rule{pos: posOf(it)}
		hasCheck := false
		for _, kv := range kvs {
			switch kv.key {
			case "check":
				hasCheck = true
				r.check = d.decodeExprNode(kv.value, what+" validate check")
			case "message":
				r.message = d.decodeTextNode(kv.value, what+" validate message")
			}
		}
		if !hasCheck {
			d.ps.errorf(r.pos, "%s validate rule: missing required key \"check\"", what)
			continue
		}
		if r.message == nil {
			d.ps.errorf(r.pos, "%s validate rule: missing required key \"message\"", what)
			continue
		}
		if r.check == nil {
			continue
		}
		in.validate = append(in.validate, r)
	}
}

// decodeExprNode decodes a scalar that must be exactly one ${ ... }.
func (d *decoder) decodeExprNode(n *yaml.Node, what string) *expression {
	r := d.resolve(n)
	if r.Kind != yaml.ScalarNode || r.Tag != "!!str" {
		d.ps.errorf(posOf(r), "%s must be an expression ${ ... }, not %s", what, kindName(r))
		return nil
	}
	v := d.decodeText(r, what, true)
	if v.kind != valExpr {
		if v.kind == valLiteral && !strings.Contains(r.Value, "${") {
			d.ps.errorf(posOf(r), "%s must be an expression ${ ... }, not the text %q", what, r.Value)
		} else if v.kind == valInterp {
			d.ps.errorf(posOf(r), "%s must be exactly one expression ${ ... } with no text around it", what)
		}
		return nil
	}
	return v.expr
}

func (d *decoder) decodeChoices(n *yaml.Node, in *inputDef, what string) {
	items, ok := d.seq(n, what+" choices")
	if !ok {
		return
	}
	if len(items) == 0 {
		d.ps.errorf(posOf(d.resolve(n)), "%s choices: the list is empty", what)
	}
	seen := map[string]bool{}
	for _, it := range items {
		it = d.resolve(it)
		var c choiceDef
		if it.Kind == yaml.MappingNode {
			kvs, _ := d.mapping(it, what+" choice", choiceKeys)
			for _, kv := range kvs {
				switch kv.key {
				case "value":
					c.value, _ = d.str(kv.value, what+" choice value")
				case "label":
					c.label, _ = d.str(kv.value, what+" choice label")
				}
			}
			if c.value == "" {
				d.ps.errorf(posOf(it), "%s choice: missing required key \"value\"", what)
				continue
			}
		} else {
			s, ok := d.str(it, what+" choice")
			if !ok {
				continue
			}
			c.value = s
		}
		if c.label == "" {
			c.label = c.value
		}
		if seen[strings.ToLower(c.value)] {
			d.ps.errorf(posOf(it), "%s: choice %q is listed twice", what, c.value)
			continue
		}
		seen[strings.ToLower(c.value)] = true
		in.choices = append(in.choices, c)
	}
}

func (d *decoder) decodeChoicesFrom(n *yaml.Node, in *inputDef, what string) {
	n = d.resolve(n)
	kvs, ok := d.mapping(n, what+" choices_from", choicesFromKeys)
	if !ok {
		return
	}
	cf := &choicesFrom{pos: posOf(n)}
	for _, kv := range kvs {
		switch kv.key {
		case "items":
			cf.items = d.decodeExprNode(kv.value, what+" choices_from items")
		case "value":
			cf.value = d.decodeTextNode(kv.value, what+" choices_from value")
		case "label":
			cf.label = d.decodeTextNode(kv.value, what+" choices_from label")
		}
	}
	for _, k := range []string{"items", "value"} {
		found := false
		for _, kv := range kvs {
			found = found || kv.key == k
		}
		if !found {
			d.ps.errorf(cf.pos, "%s choices_from: missing required key %q", what, k)
		}
	}
	if cf.items != nil && cf.value != nil {
		in.choicesFrom = cf
	}
}
