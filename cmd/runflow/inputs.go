package main

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"

	"go.yaml.in/yaml/v3"
)

// maxInputFileBytes bounds a --input file.
const maxInputFileBytes = 1 << 20

// setFlag collects repeated --set name=value flags, in order.
type setFlag struct{ pairs [][2]string }

func (f *setFlag) String() string { return "" }

func (f *setFlag) Set(s string) error {
	name, value, ok := strings.Cut(s, "=")
	name = strings.TrimSpace(name)
	if !ok || name == "" {
		return fmt.Errorf("want name=value, got %q", s)
	}
	f.pairs = append(f.pairs, [2]string{name, value})
	return nil
}

// collectInputs merges the values of a --input file (if any) with --set
// values; --set wins. Values stay as given (text from --set; strings,
// numbers, booleans or lists from the file): the engine parses and validates
// them exactly like typed answers.
func collectInputs(inputFile string, sets *setFlag, stdin io.Reader) (map[string]any, error) {
	values := map[string]any{}
	if inputFile != "" {
		fromFile, err := readInputFile(inputFile, stdin)
		if err != nil {
			return nil, err
		}
		for k, v := range fromFile {
			values[k] = v
		}
	}
	for _, p := range sets.pairs {
		values[p[0]] = p[1]
	}
	return values, nil
}

// readInputFile reads a JSON or YAML mapping of input names to values; "-"
// reads stdin.
func readInputFile(path string, stdin io.Reader) (map[string]any, error) {
	var r io.Reader
	name := path
	if path == "-" {
		r, name = stdin, "stdin"
	} else {
		f, err := os.Open(path)
		if err != nil {
			return nil, usageErrorf("--input: %v", err)
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputFileBytes+1))
	if err != nil {
		return nil, usageErrorf("--input %s: %v", name, err)
	}
	if len(data) > maxInputFileBytes {
		return nil, usageErrorf("--input %s: larger than %d bytes", name, maxInputFileBytes)
	}
	return parseInputData(name, data)
}

// parseInputData decodes the JSON or YAML mapping of a --input file.
func parseInputData(name string, data []byte) (map[string]any, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return map[string]any{}, nil
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, usageErrorf("--input %s: not JSON or YAML: %v", name, err)
	}
	doc := &node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		doc = doc.Content[0]
	}
	if doc.Kind != yaml.MappingNode {
		return nil, usageErrorf("--input %s:%d:%d: want a mapping of input names to values, like {\"name\": \"Groceries\"}", name, doc.Line, doc.Column)
	}
	values := map[string]any{}
	for i := 0; i+1 < len(doc.Content); i += 2 {
		k, v := doc.Content[i], doc.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Value == "" {
			return nil, usageErrorf("--input %s:%d:%d: an input name must be a non-empty string", name, k.Line, k.Column)
		}
		if _, dup := values[k.Value]; dup {
			return nil, usageErrorf("--input %s:%d:%d: input %q is given twice", name, k.Line, k.Column, k.Value)
		}
		var val any
		if err := v.Decode(&val); err != nil {
			return nil, usageErrorf("--input %s:%d:%d: %v", name, v.Line, v.Column, err)
		}
		values[k.Value] = val
	}
	return values, nil
}
