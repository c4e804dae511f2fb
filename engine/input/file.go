package input

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The file types: a local file given by the person (the CLI reads a path)
// or by the host (a bot passes the bytes it received).
const (
	File  Type = "file"  // one file (FileValue)
	Files Type = "files" // a list of files ([]FileValue, never nil)
)

// Bounds of file inputs. A template's max_size may ask for less than
// MaxFileBytes, never more.
const (
	// MaxFileBytes is the largest file an input accepts: 150 MB, the most
	// Microsoft Graph attaches to a message through an upload session.
	MaxFileBytes = 150 << 20
	// DefaultMaxFileBytes is a file input's size limit when the template
	// gives no max_size: 35 MB, Exchange Online's default message size.
	DefaultMaxFileBytes = 35 << 20
	// MaxFiles is the most files one files input takes.
	MaxFiles = 20
	// MaxFileNameBytes bounds a file's name.
	MaxFileNameBytes = 255
)

// FileValue is the value of a file input: what expressions read (name,
// content_type, size, sha256) and the bytes, which only the engine reads
// (through Content) to send them. It has no methods, so expressions cannot
// reach the bytes.
type FileValue struct {
	// Name is the file's base name, e.g. "report.pdf".
	Name string `expr:"name" json:"name"`
	// ContentType is its media type, e.g. "application/pdf".
	ContentType string `expr:"content_type" json:"content_type"`
	// Size is its length in bytes.
	Size int `expr:"size" json:"size"`
	// SHA256 is the hex SHA-256 of the bytes.
	SHA256 string `expr:"sha256" json:"sha256"`

	data []byte
	// ref names the bytes in a host's file store while a session is saved
	// (engine.FileStore); data is nil until they are fetched.
	ref string
}

// Ref returns where f's bytes are kept in a file store ("" when f holds
// them).
func Ref(f FileValue) string { return f.ref }

// WithRef returns f noting that its bytes are kept in a file store under
// ref; keep, when false, drops the bytes (a saved file waiting to be
// fetched).
func WithRef(f FileValue, ref string, keep bool) FileValue {
	f.ref = ref
	if !keep {
		f.data = nil
	}
	return f
}

// NewFile makes a file value of data. An empty contentType is taken from
// the name's extension, else sniffed from the bytes.
func NewFile(name, contentType string, data []byte) FileValue {
	sum := sha256.Sum256(data)
	if contentType == "" {
		contentType = DetectContentType(name, data)
	}
	return FileValue{Name: name, ContentType: contentType, Size: len(data), SHA256: hex.EncodeToString(sum[:]), data: data}
}

// DetectContentType guesses a file's media type from its name's extension,
// else from its first bytes (net/http's sniffing).
func DetectContentType(name string, data []byte) string {
	if ct := mime.TypeByExtension(strings.ToLower(path.Ext(name))); ct != "" {
		return ct
	}
	return http.DetectContentType(data)
}

// Content returns the bytes of f (shared, not copied: do not modify).
func Content(f FileValue) []byte { return f.data }

// WithContent returns f holding data, after checking that data is the
// file f describes (same size and SHA-256): how a file's bytes come back
// from where they were kept while a session was saved.
func WithContent(f FileValue, data []byte) (FileValue, error) {
	sum := sha256.Sum256(data)
	if len(data) != f.Size || hex.EncodeToString(sum[:]) != f.SHA256 {
		return FileValue{}, fmt.Errorf("input: the bytes of file %q are not the ones given (size or SHA-256 differs)", f.Name)
	}
	f.data, f.ref = data, ""
	return f, nil
}

// FileAnswer is the JSON form of a file answered as text: what a host
// sends as the answer to a file question (Engine.Resume takes text), and
// what a preset map holds. Base64 is the standard encoding of the bytes.
type FileAnswer struct {
	Name        string `json:"name"`
	ContentType string `json:"content_type,omitempty"`
	Base64      string `json:"base64"`
}

// EncodeFileAnswer writes files as the text answer of a file (one file)
// or files (several) question.
func EncodeFileAnswer(files ...FileValue) string {
	out := make([]FileAnswer, len(files))
	for i, f := range files {
		out[i] = FileAnswer{Name: f.Name, ContentType: f.ContentType, Base64: base64.StdEncoding.EncodeToString(f.data)}
	}
	var b []byte
	if len(out) == 1 {
		b, _ = json.Marshal(out[0])
	} else {
		b, _ = json.Marshal(out)
	}
	return string(b)
}

func isFileType(t Type) bool { return t == File || t == Files }

// maxFileAnswerBytes bounds a file answer's text: the base64 of the
// largest files allowed, plus room for names.
func maxFileAnswerBytes(t Type, c Context) int {
	n := c.maxFile()
	if t == Files {
		n = min(n*MaxFiles, MaxFileBytes) // the files total at most MaxFileBytes
	}
	return base64.StdEncoding.EncodedLen(n) + 64<<10
}

func (c Context) maxFile() int {
	if c.MaxFileBytes <= 0 || c.MaxFileBytes > MaxFileBytes {
		if c.MaxFileBytes > MaxFileBytes {
			return MaxFileBytes
		}
		return DefaultMaxFileBytes
	}
	return int(c.MaxFileBytes)
}

// parseFileAnswer reads the text answer of a file question: the JSON of
// a FileAnswer (or, for Files, a list of them). The engine never reads a
// path: a typed path is the CLI's business, which reads it and answers
// with its bytes.
func parseFileAnswer(t Type, answer string, c Context) (any, error) {
	if len(answer) > maxFileAnswerBytes(t, c) {
		return nil, errorf("The file is too large: at most %s.", byteSize(c.maxFile()))
	}
	if !utf8.ValidString(answer) {
		return nil, errorf("The answer is not valid UTF-8 text.")
	}
	if strings.IndexByte(answer, 0) >= 0 {
		return nil, errorf("The answer contains a NUL character.")
	}
	trimmed := strings.TrimSpace(answer)
	if trimmed == "" || (t == Files && strings.EqualFold(trimmed, "none")) {
		if c.Required {
			return nil, errorf("A file is needed here.")
		}
		if t == Files {
			return []FileValue{}, nil
		}
		return nil, nil
	}
	if trimmed[0] != '{' && trimmed[0] != '[' {
		return nil, errorf("Expected %s, given as {\"name\": ..., \"content_type\": ..., \"base64\": ...}, got text.", expected(t))
	}
	var v any
	if err := json.Unmarshal([]byte(trimmed), &v); err != nil {
		return nil, errorf("The file answer is not valid JSON: %v.", err)
	}
	return fileFromJSON(t, v, c)
}

// fileSchema is the JSON Schema of a file given as JSON: its name, its
// media type and its bytes in base64, the way a host answers a file
// question (FileAnswer).
func fileSchema() map[string]any {
	return map[string]any{"type": "object", "required": []any{"name", "base64"}, "properties": map[string]any{
		"name":         map[string]any{"type": "string"},
		"content_type": map[string]any{"type": "string"},
		"base64":       map[string]any{"type": "string", "contentEncoding": "base64"},
	}}
}

// fileFromJSON accepts a preset or decoded answer: FileValue, []FileValue,
// a map {name, content_type, bytes ([]byte) or base64 (text)} or a list of
// them.
func fileFromJSON(t Type, v any, c Context) (any, error) {
	var items []any
	switch x := v.(type) {
	case nil:
		return parseFileAnswer(t, "", c)
	case string:
		return parseFileAnswer(t, x, c)
	case FileValue, map[string]any:
		items = []any{x}
	case []FileValue:
		for _, f := range x {
			items = append(items, f)
		}
	case []any:
		items = x
	default:
		return nil, errorf("Expected %s, got %s.", expected(t), describe(v))
	}
	if t == File && len(items) != 1 {
		return nil, errorf("Expected one file, got %d.", len(items))
	}
	if len(items) > MaxFiles {
		return nil, errorf("Too many files: at most %d.", MaxFiles)
	}
	if len(items) == 0 && c.Required {
		return nil, errorf("A file is needed here.")
	}
	out := make([]FileValue, 0, len(items))
	total := 0
	for i, it := range items {
		f, err := oneFile(it, c)
		if err != nil {
			if len(items) > 1 {
				err.Message = fmt.Sprintf("File %d: %s", i+1, err.Message)
			}
			return nil, err
		}
		if total += f.Size; total > MaxFileBytes {
			return nil, errorf("The files total %s: at most %s in all.", byteSize(total), byteSize(MaxFileBytes))
		}
		out = append(out, f)
	}
	if t == File {
		return out[0], nil
	}
	return out, nil
}

func oneFile(v any, c Context) (FileValue, *Error) {
	var f FileValue
	switch x := v.(type) {
	case FileValue:
		if x.data == nil && x.Size > 0 {
			return f, errorf("The file %s has no content.", quote(x.Name))
		}
		f = x
	case map[string]any:
		for k := range x {
			switch k {
			case "name", "content_type", "bytes", "base64":
			default:
				return f, errorf("A file is {name, content_type, base64} (or bytes); %q is not one of its keys.", k)
			}
		}
		name, _ := x["name"].(string)
		ct, _ := x["content_type"].(string)
		var data []byte
		switch b := x["bytes"].(type) {
		case []byte:
			data = b
		case nil:
			s, ok := x["base64"].(string)
			if !ok {
				return f, errorf("The file %s has no content: give base64 (text) or bytes.", quote(name))
			}
			if base64.StdEncoding.DecodedLen(len(s)) > c.maxFile()+3 {
				return f, errorf("The file %s is too large: at most %s.", quote(name), byteSize(c.maxFile()))
			}
			d, err := base64.StdEncoding.DecodeString(s)
			if err != nil {
				return f, errorf("The content of file %s is not valid base64.", quote(name))
			}
			data = d
		default:
			return f, errorf("The bytes of file %s are %s, not bytes.", quote(name), describe(b))
		}
		if len(data) > c.maxFile() {
			return f, errorf("The file %s is %s: at most %s.", quote(name), byteSize(len(data)), byteSize(c.maxFile()))
		}
		f = NewFile(name, ct, data)
	default:
		return f, errorf("Expected a file, got %s.", describe(v))
	}
	if msg := checkFileName(f.Name); msg != "" {
		return f, errorf("%s", msg)
	}
	if f.Size > c.maxFile() {
		return f, errorf("The file %s is %s: at most %s.", quote(f.Name), byteSize(f.Size), byteSize(c.maxFile()))
	}
	if !Accepts(c.Accept, f.ContentType) {
		return f, errorf("The file %s is of type %s; accepted: %s.", quote(f.Name), f.ContentType, strings.Join(c.Accept, ", "))
	}
	return f, nil
}

// checkFileName refuses names that are empty, too long, not UTF-8, or hold
// a path or a control character (a name travels into Graph and mail
// clients as it is).
func checkFileName(name string) string {
	switch {
	case strings.TrimSpace(name) == "":
		return "A file needs a name."
	case len(name) > MaxFileNameBytes:
		return fmt.Sprintf("The file name is too long: at most %d bytes.", MaxFileNameBytes)
	case !utf8.ValidString(name):
		return "The file name is not valid UTF-8."
	case strings.ContainsAny(name, "/\\"):
		return fmt.Sprintf("The file name %s holds a path: give the name alone.", quote(name))
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return fmt.Sprintf("The file name %s holds a control character.", quote(name))
		}
	}
	return ""
}

// Accepts reports whether a media type is among accept: exact types
// ("application/pdf") or wildcards ("image/*", "*/*"), parameters
// ignored, any case. An empty accept takes every type.
func Accepts(accept []string, contentType string) bool {
	if len(accept) == 0 {
		return true
	}
	ct, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		ct = strings.ToLower(strings.TrimSpace(contentType))
	}
	major, _, _ := strings.Cut(ct, "/")
	for _, a := range accept {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == "*/*" || a == ct || (strings.HasSuffix(a, "/*") && strings.TrimSuffix(a, "/*") == major) {
			return true
		}
	}
	return false
}

// ParseByteSize reads a size as a template writes it: a whole number of
// bytes, or a number with KB, MB or GB (binary multiples, as Graph's "3
// MB" is 3 × 2^20 bytes; KiB, MiB, GiB also accepted).
func ParseByteSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	mult := int64(1)
	upper := strings.ToUpper(t)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KIB", 1 << 10}, {"MIB", 1 << 20}, {"GIB", 1 << 30}, {"KB", 1 << 10}, {"MB", 1 << 20}, {"GB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(upper, u.suffix) {
			t, mult = strings.TrimSpace(t[:len(t)-len(u.suffix)]), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > (1<<40)/mult {
		return 0, fmt.Errorf("%q is not a size: write bytes (1048576) or a whole number with KB, MB or GB (10MB)", s)
	}
	return n * mult, nil
}

// byteSize writes n for people: "3 MB", "512 KB", "12 bytes".
func byteSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MB", n>>20)
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB (%d bytes)", float64(n)/(1<<20), n)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KB", n>>10)
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB (%d bytes)", float64(n)/(1<<10), n)
	}
	return fmt.Sprintf("%d bytes", n)
}

// ByteSize writes a size for people, e.g. "3 MB" (binary multiples).
func ByteSize(n int64) string { return byteSize(int(n)) }
