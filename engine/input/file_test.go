package input

import (
	"encoding/base64"
	"reflect"
	"strings"
	"testing"
)

func TestFileAnswers(t *testing.T) {
	hello := base64.StdEncoding.EncodeToString([]byte("hello"))
	for _, c := range []struct {
		name   string
		typ    Type
		answer any
		ctx    Context
		want   []string // names of the files
		err    string   // part of the message to the person
	}{
		{"JSON answer", File, `{"name":"a.txt","content_type":"text/plain","base64":"` + hello + `"}`, Context{}, []string{"a.txt"}, ""},
		{"JSON list", Files, `[{"name":"a.txt","base64":"` + hello + `"},{"name":"b.pdf","base64":""}]`, Context{}, []string{"a.txt", "b.pdf"}, ""},
		{"map with bytes", File, map[string]any{"name": "a.bin", "bytes": []byte{1, 2, 3}}, Context{}, []string{"a.bin"}, ""},
		{"FileValue", Files, []FileValue{NewFile("x.png", "", []byte("\x89PNG\r\n\x1a\n"))}, Context{}, []string{"x.png"}, ""},
		{"a path is not a file", File, "/etc/passwd", Context{}, nil, "got text"},
		{"too large", File, map[string]any{"name": "a.bin", "bytes": make([]byte, 11)}, Context{MaxFileBytes: 10}, nil, "at most 10 bytes"},
		{"too large as base64", File, `{"name":"a","base64":"` + base64.StdEncoding.EncodeToString(make([]byte, 2000)) + `"}`, Context{MaxFileBytes: 1024}, nil, "at most 1 KB"},
		{"answer text over the bound", File, strings.Repeat(" ", base64.StdEncoding.EncodedLen(1024)+64<<10+1), Context{MaxFileBytes: 1024}, nil, "too large"},
		{"bad base64", File, `{"name":"a","base64":"***"}`, Context{}, nil, "not valid base64"},
		{"no content", File, `{"name":"a"}`, Context{}, nil, "no content"},
		{"unknown key", File, `{"name":"a","base64":"","path":"/etc/passwd"}`, Context{}, nil, `"path" is not one of its keys`},
		{"no name", File, `{"base64":"` + hello + `"}`, Context{}, nil, "needs a name"},
		{"a path as name", File, `{"name":"../x","base64":""}`, Context{}, nil, "holds a path"},
		{"control character", File, `{"name":"a\u0007b","base64":""}`, Context{}, nil, "control character"},
		{"two for one", File, `[{"name":"a","base64":""},{"name":"b","base64":""}]`, Context{}, nil, "one file, got 2"},
		{"not accepted", File, `{"name":"a.txt","base64":""}`, Context{Accept: []string{"image/*", "application/pdf"}}, nil, "accepted: image/*, application/pdf"},
		{"accepted wildcard", File, `{"name":"a.png","base64":""}`, Context{Accept: []string{"image/*"}}, []string{"a.png"}, ""},
		{"too many", Files, "[" + strings.Repeat(`{"name":"a","base64":""},`, MaxFiles) + `{"name":"a","base64":""}]`, Context{}, nil, "Too many files"},
		{"required", Files, "none", Context{Required: true}, nil, "needed"},
		{"a number", File, 3.0, Context{}, nil, "got a number"},
	} {
		t.Run(c.name, func(t *testing.T) {
			v, err := FromJSON(c.typ, c.answer, c.ctx)
			if c.err != "" {
				wantUserError(t, err, c.err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			switch x := v.(type) {
			case FileValue:
				got = []string{x.Name}
			case []FileValue:
				for _, f := range x {
					got = append(got, f.Name)
				}
			default:
				t.Fatalf("value %T", v)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("files %v, want %v", got, c.want)
			}
		})
	}
}

func TestFileValue(t *testing.T) {
	f := NewFile("report.pdf", "", []byte("%PDF-1.7 ..."))
	if f.ContentType != "application/pdf" || f.Size != 12 || len(f.SHA256) != 64 {
		t.Errorf("%+v", f)
	}
	if g := NewFile("noext", "", []byte("plain words")); !strings.HasPrefix(g.ContentType, "text/plain") {
		t.Errorf("sniffed %q", g.ContentType)
	}
	// The text answer round-trips through EncodeFileAnswer.
	v, err := Parse(File, EncodeFileAnswer(f), Context{})
	if err != nil || string(Content(v.(FileValue))) != "%PDF-1.7 ..." || v.(FileValue).SHA256 != f.SHA256 {
		t.Errorf("round trip: %v %v", v, err)
	}
	meta := f
	meta.data = nil
	if _, err := WithContent(meta, []byte("%PDF-1.7 !!!")); err == nil {
		t.Error("WithContent took other bytes of the same size")
	}
	if back, err := WithContent(meta, []byte("%PDF-1.7 ...")); err != nil || string(Content(back)) != "%PDF-1.7 ..." {
		t.Errorf("WithContent: %v", err)
	}
	if Format(Files, []FileValue{f, NewFile("b.txt", "", nil)}) != "report.pdf, b.txt" {
		t.Errorf("Format %q", Format(Files, []FileValue{f}))
	}
}

func TestParseByteSize(t *testing.T) {
	for in, want := range map[string]int64{"1048576": 1 << 20, "3MB": 3 << 20, "3 MiB": 3 << 20, "512kb": 512 << 10, "1GB": 1 << 30, "10B": 10} {
		if got, err := ParseByteSize(in); err != nil || got != want {
			t.Errorf("ParseByteSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "MB", "-1", "1.5MB", "3 TB", "99999999999GB"} {
		if _, err := ParseByteSize(bad); err == nil {
			t.Errorf("ParseByteSize(%q) accepted", bad)
		}
	}
	if !Accepts([]string{"text/*"}, "text/plain; charset=utf-8") || Accepts([]string{"text/plain"}, "text/html") || !Accepts(nil, "x/y") {
		t.Error("Accepts")
	}
}
