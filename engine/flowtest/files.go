package flowtest

import (
	"bytes"
	"encoding/json"

	"go.yaml.in/yaml/v3"
)

// File inputs in flow files: a file is given as the JSON a host would
// answer ({name, content_type, base64}), which the engine reads like any
// answer, or, for files too large to write out, as
// {generated_file: {name, content_type, size}}: size bytes of a fixed
// pattern, made when the case runs.

// maxGeneratedFile bounds a generated file (the largest file input takes
// 150 MB; flow tests need far less).
const maxGeneratedFile = 40 << 20

// generatedPattern fills generated files.
var generatedPattern = []byte("runflow flow test file content. ")

// hasMapping reports whether a YAML sequence holds a mapping.
func hasMapping(n *yaml.Node) bool {
	for _, c := range n.Content {
		if resolve(c).Kind == yaml.MappingNode {
			return true
		}
	}
	return false
}

// generatedFiles expands the generated files in an input value: it
// returns the value to preset (maps with the bytes) and true when the
// value held one.
func generatedFiles(raw json.RawMessage) (any, bool) {
	if len(raw) == 0 || (raw[0] != '{' && raw[0] != '[') {
		return nil, false
	}
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return nil, false
	}
	switch x := v.(type) {
	case map[string]any:
		return generatedFile(x)
	case []any:
		found := false
		out := make([]any, len(x))
		for i, it := range x {
			m, ok := it.(map[string]any)
			if !ok {
				return nil, false
			}
			if g, ok := generatedFile(m); ok {
				out[i], found = g, true
				continue
			}
			out[i] = m
		}
		return out, found
	}
	return nil, false
}

// generatedFile makes the file a {generated_file: {...}} describes.
func generatedFile(m map[string]any) (any, bool) {
	g, ok := m["generated_file"].(map[string]any)
	if !ok || len(m) != 1 {
		return nil, false
	}
	size, _ := g["size"].(float64)
	if size < 0 || size > maxGeneratedFile {
		size = 0
	}
	n := int(size)
	data := bytes.Repeat(generatedPattern, n/len(generatedPattern)+1)[:n]
	out := map[string]any{"name": g["name"], "bytes": data}
	if ct, ok := g["content_type"]; ok {
		out["content_type"] = ct
	}
	return out, true
}
