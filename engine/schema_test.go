package engine

import (
	"encoding/json"
	"sort"
	"strings"
	"testing"
)

// draft07Keywords are the schema keywords editors support; the schema uses
// no others.
var draft07Keywords = map[string]bool{
	"$schema": true, "$id": true, "$ref": true, "$comment": true, "title": true, "description": true, "default": true,
	"examples": true, "type": true, "enum": true, "const": true, "properties": true, "additionalProperties": true,
	"required": true, "items": true, "additionalItems": true, "minItems": true, "maxItems": true, "uniqueItems": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "pattern": true,
	"minLength": true, "maxLength": true, "minProperties": true, "maxProperties": true, "propertyNames": true,
	"patternProperties": true, "dependencies": true, "anyOf": true, "oneOf": true, "allOf": true, "not": true,
	"if": true, "then": true, "else": true, "definitions": true, "format": true, "contains": true, "multipleOf": true,
}

func loadSchema(t *testing.T) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(JSONSchema(), &s); err != nil {
		t.Fatalf("the schema is not JSON: %v", err)
	}
	return s
}

func keysOf(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sortedStrings(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}

// TestSchemaMatchesDecoder keeps the JSON Schema in step with the keys the
// Go decoder accepts, concept by concept.
func TestSchemaMatchesDecoder(t *testing.T) {
	s := loadSchema(t)
	defs := s["definitions"].(map[string]any)
	props := func(obj map[string]any) []string {
		if obj["additionalProperties"] != false {
			t.Errorf("%v: additionalProperties must be false so that editors flag unknown keys", obj["properties"])
		}
		return keysOf(obj["properties"].(map[string]any))
	}
	check := func(what string, got, want []string) {
		if strings.Join(got, ",") != strings.Join(sortedStrings(want), ",") {
			t.Errorf("%s: schema has %v, decoder accepts %v", what, got, sortedStrings(want))
		}
	}
	check("template", props(s), topKeys)
	check("input", props(defs["input"].(map[string]any)), inputKeys)
	check("rule", props(defs["rule"].(map[string]any)), ruleKeys)
	check("choice", props(defs["choice"].(map[string]any)), choiceKeys)
	check("choices_from", props(defs["choices_from"].(map[string]any)), choicesFromKeys)
	check("http", props(defs["http"].(map[string]any)), httpKeys)
	check("paging", props(defs["paging"].(map[string]any)), pagingKeys)
	check("on_error", props(defs["on_error"].(map[string]any)), onErrorKeys)
	check("case", props(defs["case"].(map[string]any)), caseKeys)
	check("output_long", props(defs["output_long"].(map[string]any)), outputLongKeys)
	var refs []string
	for _, alt := range defs["step"].(map[string]any)["oneOf"].([]any) {
		refs = append(refs, alt.(map[string]any)["$ref"].(string))
	}
	if len(refs) != len(stepKinds) {
		t.Errorf("step oneOf has %d kinds, decoder %d", len(refs), len(stepKinds))
	}
	for _, kind := range stepKinds {
		def, ok := defs["step_"+kind].(map[string]any)
		if !ok {
			t.Errorf("no definition for step kind %s", kind)
			continue
		}
		check("step "+kind, props(def), append([]string{kind}, stepExtraKeys[kind]...))
	}
	types := defs["input"].(map[string]any)["properties"].(map[string]any)["type"].(map[string]any)["enum"].([]any)
	var names []string
	for _, ty := range types {
		names = append(names, ty.(string))
	}
	check("input types", sortedStrings(names), inputTypes)
}

// TestSchemaUsesDraft07Only checks every keyword is one editors know.
func TestSchemaUsesDraft07Only(t *testing.T) {
	var walk func(path string, v any)
	walk = func(path string, v any) {
		switch x := v.(type) {
		case map[string]any:
			for k, child := range x {
				if !draft07Keywords[k] {
					t.Errorf("%s: %q is not a draft-07 keyword", path, k)
				}
				switch k {
				case "properties", "definitions", "patternProperties":
					for name, sub := range child.(map[string]any) {
						walk(path+"/"+k+"/"+name, sub)
					}
				case "enum", "const", "default", "examples", "required":
				default:
					walk(path+"/"+k, child)
				}
			}
		case []any:
			for _, it := range x {
				walk(path, it)
			}
		}
	}
	walk("#", loadSchema(t))
}
