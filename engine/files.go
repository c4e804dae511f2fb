package engine

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"sync"

	"github.com/runflow/runflow/engine/input"
)

// File inputs (types file and files) hold bytes that may be megabytes.
// A saved state must stay small, so when Config.Files is set the bytes go
// to that store and the state keeps a reference (a random id) with the
// file's name, type, size and SHA-256; the bytes are checked against that
// SHA-256 when the session resumes. A file given as a preset
// (StartOptions.Inputs) is read at Start, so it too waits in the store
// while earlier questions are asked. Without a store the bytes are kept in
// the state itself, base64, and Limits.MaxStateBytes (1 MiB by default)
// bounds them: a flow that pauses after a larger file fails with a
// *LimitError naming MaxStateBytes. A flow that never pauses after its
// files (Run, or every question before them) never saves them.

// FileStore keeps the bytes of file inputs while a session is saved. Put
// returns a reference the state keeps; Get returns the bytes again. A
// reference must be hard to guess (the state names it), and a store shared
// by several processes must give every one of them the same bytes.
type FileStore interface {
	PutFile(data []byte) (ref string, err error)
	GetFile(ref string) ([]byte, error)
}

// MemoryFiles is a FileStore in the process's memory, for a CLI or a
// single-process host: paused sessions resume only in the same process.
// It holds at most MaxBytes in all (0 means 512 MiB) and refuses more;
// the same bytes put again (a session saved at every turn) are kept once.
type MemoryFiles struct {
	// MaxBytes bounds the bytes held.
	MaxBytes int64

	mu    sync.Mutex
	files map[string][]byte
	bySum map[[32]byte]string
	total int64
}

// PutFile keeps data under a new random reference.
func (m *MemoryFiles) PutFile(data []byte) (string, error) {
	limit := m.MaxBytes
	if limit <= 0 {
		limit = 512 << 20
	}
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return "", err
	}
	ref := hex.EncodeToString(id[:])
	sum := sha256.Sum256(data)
	m.mu.Lock()
	defer m.mu.Unlock()
	if known, ok := m.bySum[sum]; ok {
		return known, nil
	}
	if m.total+int64(len(data)) > limit {
		return "", fmt.Errorf("engine: the file store holds %d bytes and cannot take %d more (MemoryFiles.MaxBytes is %d)", m.total, len(data), limit)
	}
	if m.files == nil {
		m.files, m.bySum = map[string][]byte{}, map[[32]byte]string{}
	}
	m.files[ref] = data
	m.bySum[sum] = ref
	m.total += int64(len(data))
	return ref, nil
}

// GetFile returns the bytes kept under ref.
func (m *MemoryFiles) GetFile(ref string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	data, ok := m.files[ref]
	if !ok {
		return nil, fmt.Errorf("engine: no file %q in the store", ref)
	}
	return data, nil
}

// encodeFile is a file's saved form: {"$f": {name, content_type, size,
// sha256, data}}, or with ref instead of data when its bytes are in the
// engine's FileStore.
func encodeFile(f input.FileValue) map[string]any {
	m := map[string]any{"name": f.Name, "content_type": f.ContentType, "size": float64(f.Size), "sha256": f.SHA256}
	if ref := input.Ref(f); ref != "" {
		m["ref"] = ref
	} else {
		m["data"] = base64.StdEncoding.EncodeToString(input.Content(f))
	}
	return map[string]any{"$f": m}
}

func encodeFiles(fs []input.FileValue) map[string]any {
	out := make([]any, len(fs))
	for i, f := range fs {
		out[i] = encodeFile(f)
	}
	return map[string]any{"$F": out}
}

// decodeFileTag reads what encodeFile wrote ("$f") or a list of them
// ("$F"). A stored file comes back without its bytes, to be fetched by
// loadFiles.
func decodeFileTag(tag string, raw any) (any, error) {
	if tag == "$F" {
		list, ok := raw.([]any)
		if !ok || len(list) > input.MaxFiles {
			return nil, errors.New("malformed file list")
		}
		out := make([]input.FileValue, len(list))
		for i, it := range list {
			m, ok := it.(map[string]any)
			if !ok || len(m) != 1 || m["$f"] == nil {
				return nil, errors.New("malformed file list")
			}
			f, err := decodeFileTag("$f", m["$f"])
			if err != nil {
				return nil, err
			}
			out[i] = f.(input.FileValue)
		}
		return out, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return nil, errors.New("malformed file")
	}
	name, _ := m["name"].(string)
	ct, _ := m["content_type"].(string)
	sum, _ := m["sha256"].(string)
	size, _ := m["size"].(float64)
	if size < 0 || size > input.MaxFileBytes || size != float64(int(size)) {
		return nil, fmt.Errorf("file %q: bad size", name)
	}
	meta := input.FileValue{Name: name, ContentType: ct, Size: int(size), SHA256: sum}
	if ref, isRef := m["ref"].(string); isRef {
		if ref == "" || len(ref) > 256 {
			return nil, fmt.Errorf("file %q: bad reference", name)
		}
		return input.WithRef(meta, ref, false), nil
	}
	s, _ := m["data"].(string)
	if base64.StdEncoding.DecodedLen(len(s)) > input.MaxFileBytes+3 {
		return nil, fmt.Errorf("file %q: too large", name)
	}
	data, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("file %q: bad data", name)
	}
	return input.WithContent(meta, data)
}

// mapFiles applies fn to every file in v (a session value: an input, a
// preset, a variable, a loop item), in place where v is a container, and
// returns v with the files fn returned.
func mapFiles(v any, depth int, fn func(input.FileValue) (input.FileValue, error)) (any, error) {
	if depth > maxCodecDepth {
		return nil, errors.New("values nested too deeply")
	}
	switch x := v.(type) {
	case input.FileValue:
		return fn(x)
	case []input.FileValue:
		for i, f := range x {
			g, err := fn(f)
			if err != nil {
				return nil, err
			}
			x[i] = g
		}
	case []any:
		for i, it := range x {
			w, err := mapFiles(it, depth+1, fn)
			if err != nil {
				return nil, err
			}
			x[i] = w
		}
	case map[string]any:
		for k, it := range x {
			w, err := mapFiles(it, depth+1, fn)
			if err != nil {
				return nil, err
			}
			x[k] = w
		}
	}
	return v, nil
}

// sessionFiles applies fn to the files of a session's inputs, presets,
// variables and loop items.
func sessionFiles(maps []map[string]any, items [][]any, fn func(input.FileValue) (input.FileValue, error)) error {
	for _, m := range maps {
		if _, err := mapFiles(m, 0, fn); err != nil {
			return err
		}
	}
	for _, it := range items {
		if _, err := mapFiles(it, 0, fn); err != nil {
			return err
		}
	}
	return nil
}

// storeFiles puts the bytes of the session's files into the engine's
// FileStore (once per file: a file keeps its reference), so that the
// state saves references (no store: the bytes are saved).
func (s *session) storeFiles() error {
	store := s.e.cfg.Files
	if store == nil {
		return nil
	}
	var items [][]any
	for _, f := range s.stack {
		items = append(items, f.items)
	}
	return sessionFiles([]map[string]any{s.inputs, s.presets, s.vars}, items, func(f input.FileValue) (input.FileValue, error) {
		if input.Ref(f) != "" {
			return f, nil
		}
		ref, err := store.PutFile(input.Content(f))
		if err != nil {
			return f, fmt.Errorf("keeping file %q: %w", f.Name, err)
		}
		return input.WithRef(f, ref, true), nil
	})
}

// readFilePreset reads the preset v of a file input into its files now,
// not when the input is reached, so that a state saved before then keeps
// the bytes in Config.Files and only a reference itself, as for an answer.
// A preset that does not read as the input's files is kept as given: its
// question, when reached, reports what is wrong as before.
func (s *session) readFilePreset(name string, v any) any {
	in := s.t.inputByName[name]
	if in == nil || (in.typ != input.File && in.typ != input.Files) {
		return v
	}
	f, err := input.FromJSON(in.typ, v, s.fixedInputContext(in))
	if err != nil {
		return v
	}
	return f
}

// loadFiles fetches the bytes of a restored session's stored files and
// checks them against their SHA-256.
func (e *Engine) loadFiles(s *session, cursor []parsedFrame) error {
	var items [][]any
	for _, f := range cursor {
		items = append(items, f.Items)
	}
	return sessionFiles([]map[string]any{s.inputs, s.presets, s.vars}, items, func(f input.FileValue) (input.FileValue, error) {
		ref := input.Ref(f)
		if ref == "" || input.Content(f) != nil {
			return f, nil
		}
		if e.cfg.Files == nil {
			return f, fmt.Errorf("file %q is kept in a file store, and this engine has none (Config.Files)", f.Name)
		}
		data, err := e.cfg.Files.GetFile(ref)
		if err != nil {
			return f, fmt.Errorf("file %q: %w", f.Name, err)
		}
		g, err := input.WithContent(f, data)
		if err != nil {
			return f, err
		}
		return input.WithRef(g, ref, true), nil
	})
}

// withFileBytes replaces the files in a value about to be sent as a JSON
// body by the base64 of their bytes (Edm.Binary, as Graph's contentBytes
// takes them). Elsewhere (text, toJSON, output) a file shows its
// name, content_type, size and sha256 only. Containers are copied only
// when they hold a file.
func withFileBytes(v any) (any, bool) {
	switch x := v.(type) {
	case input.FileValue:
		return base64.StdEncoding.EncodeToString(input.Content(x)), true
	case []input.FileValue:
		out := make([]any, len(x))
		for i, f := range x {
			out[i], _ = withFileBytes(f)
		}
		return out, true
	case []any:
		var out []any
		for i, it := range x {
			if w, changed := withFileBytes(it); changed {
				if out == nil {
					out = append([]any(nil), x...)
				}
				out[i] = w
			}
		}
		if out != nil {
			return out, true
		}
	case map[string]any:
		var out map[string]any
		for k, it := range x {
			if w, changed := withFileBytes(it); changed {
				if out == nil {
					out = make(map[string]any, len(x))
					for k2, v2 := range x {
						out[k2] = v2
					}
				}
				out[k] = w
			}
		}
		if out != nil {
			return out, true
		}
	}
	return v, false
}

// fileMeta is how a file shows outside a body: its description.
func fileMeta(f input.FileValue) map[string]any {
	return map[string]any{"name": f.Name, "content_type": f.ContentType, "size": f.Size, "sha256": f.SHA256}
}
