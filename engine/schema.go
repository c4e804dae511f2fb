package engine

import _ "embed"

//go:embed template.schema.json
var jsonSchema []byte

// JSONSchema returns the JSON Schema (draft-07) of the template format, for
// editors (`# yaml-language-server: $schema=...`) and `runflow schema`.
// The returned slice is a copy.
func JSONSchema() []byte { return append([]byte(nil), jsonSchema...) }
