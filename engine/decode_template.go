package engine

import (
	"go.yaml.in/yaml/v3"
)

// decodeTemplate decodes the document root into t.
func (d *decoder) decodeTemplate(root *yaml.Node, t *Template) {
	doc := root
	if doc.Kind == yaml.DocumentNode {
		if len(doc.Content) == 0 {
			d.ps.errorf(posOf(doc), "the template is empty: expected a mapping with id, name, description, scopes and steps")
			return
		}
		doc = doc.Content[0]
	}
	kvs, ok := d.mapping(doc, "template", topKeys)
	if !ok {
		return
	}
	have := map[string]bool{}
	for _, kv := range kvs {
		have[kv.key] = true
		switch kv.key {
		case "id":
			if s, ok := d.str(kv.value, "id"); ok {
				if !isTemplateID(s) {
					d.ps.errorf(posOf(d.resolve(kv.value)), "id %q must be lower-case letters, digits and dashes, starting with a letter or digit", s)
				}
				t.id = s
			}
		case "name":
			t.title, _ = d.str(kv.value, "name")
		case "description":
			t.description, _ = d.str(kv.value, "description")
		case "version":
			t.version, _ = d.integer(kv.value, "version", 0, 1<<31-1)
		case "scopes":
			scopes, poss, _ := d.strList(kv.value, "scopes")
			seen := map[string]bool{}
			for i, s := range scopes {
				switch {
				case !isScopeName(s):
					d.ps.errorf(poss[i], "scope %q is not a Graph permission name such as Mail.Send", s)
				case seen[s]:
					d.ps.errorf(poss[i], "scope %q is listed twice", s)
				default:
					seen[s] = true
					t.scopes = append(t.scopes, s)
					t.scopePos = append(t.scopePos, poss[i])
				}
			}
		case "cancel_words":
			words, poss, ok := d.strList(kv.value, "cancel_words")
			if ok {
				t.cancelWords = map[string]bool{}
			}
			for i, w := range words {
				norm := normalizeAnswer(w)
				switch {
				case norm == "":
					d.ps.errorf(poss[i], "cancel word %q is empty", w)
				case len(norm) > maxCancelWordBytes:
					d.ps.errorf(poss[i], "cancel word %q is longer than %d bytes", w, maxCancelWordBytes)
				default:
					t.cancelWords[norm] = true
				}
			}
		case "inputs":
			d.decodeInputs(kv.value, t)
		case "steps":
			t.userSteps = d.decodeSteps(kv.value, "steps", t)
			t.stepsPos = posOf(d.resolve(kv.value))
		case "output":
			d.decodeOutput(kv.value, t)
		}
	}
	for _, k := range []string{"id", "name", "description", "scopes", "steps"} {
		if !have[k] {
			d.ps.errorf(posOf(doc), "template: missing required key %q", k)
		}
	}
}

func (d *decoder) decodeOutput(n *yaml.Node, t *Template) {
	kvs, ok := d.mapping(n, "output", nil)
	if !ok {
		return
	}
	for _, kv := range kvs {
		o := &outputDef{name: kv.key, pos: kv.kpos}
		v := d.resolve(kv.value)
		if isLongOutput(v) {
			fields, _ := d.mapping(v, "output "+kv.key, outputLongKeys)
			for _, f := range fields {
				switch f.key {
				case "value":
					o.val = d.decodeValue(f.value, "output "+kv.key)
				case "columns":
					o.columns, _, _ = d.strList(f.value, "output "+kv.key+" columns")
				}
			}
			if o.val == nil {
				d.ps.errorf(posOf(v), "output %s: missing required key \"value\"", kv.key)
				continue
			}
		} else {
			o.val = d.decodeValue(v, "output "+kv.key)
		}
		t.outputs = append(t.outputs, o)
	}
}

// isLongOutput tells the long form {value, columns} from a literal map: it
// has a value key and no key but value and columns.
func isLongOutput(n *yaml.Node) bool {
	if n.Kind != yaml.MappingNode {
		return false
	}
	hasValue := false
	for i := 0; i+1 < len(n.Content); i += 2 {
		switch n.Content[i].Value {
		case "value":
			hasValue = true
		case "columns":
		default:
			return false
		}
	}
	return hasValue
}
