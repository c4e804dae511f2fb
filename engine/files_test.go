package engine

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/tidwall/gjson"

	"github.com/runflow/runflow/auth"
	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/graph"
	"github.com/runflow/runflow/sandbox"
)

// fileTemplate attaches files inline, or through a draft and an upload
// session when they total more than the inline limit.
const fileTemplate = `inputs:
  - name: files
    type: files
    prompt: Which files?
    max_size: 8MB
    accept: ["text/*", "application/octet-stream"]
steps:
  - confirm: Send ${ inputs.files } (${ len(inputs.files) } files)?
  - if: ${ sum(map(inputs.files, .size)) <= 3000000 }
    then:
      - id: inline
        http:
          method: POST
          path: /me/sendMail
          body:
            message:
              subject: Files
              toRecipients: [{emailAddress: {address: MeganB@contoso.onmicrosoft.com}}]
              attachments: '${ map(inputs.files, {{"@odata.type": "#microsoft.graph.fileAttachment", "name": .name, "contentType": .content_type, "contentBytes": #}}) }'
          success: [202]
    else:
      - id: draft
        http:
          method: POST
          path: /me/messages
          body: {subject: Files, toRecipients: [{emailAddress: {address: MeganB@contoso.onmicrosoft.com}}]}
      - foreach: ${ inputs.files }
        as: file
        steps:
          - if: ${ file.size < 3145728 }
            then:
              - http:
                  method: POST
                  path: /me/messages/${ json(steps.draft.body, 'id') }/attachments
                  body: {"@odata.type": "#microsoft.graph.fileAttachment", name: '${ file.name }', contentType: '${ file.content_type }', contentBytes: '${ file }'}
            else:
              - id: session
                http:
                  method: POST
                  path: /me/messages/${ json(steps.draft.body, 'id') }/attachments/createUploadSession
                  body: {AttachmentItem: {attachmentType: file, name: '${ file.name }', size: '${ file.size }', contentType: '${ file.content_type }'}}
              - id: put
                http:
                  method: PUT
                  upload:
                    url: ${ json(steps.session.body, 'uploadUrl') }
                    file: ${ file }
      - id: send
        http:
          method: POST
          path: /me/messages/${ json(steps.draft.body, 'id') }/send
output:
  names: ${ inputs.files }
  described: ${ toJSON(inputs.files) }
`

func fileEngine(t *testing.T, ts string, tok string, files FileStore, chunk int) *Engine {
	t.Helper()
	e, err := New(Config{GraphURL: ts + "/v1.0", Auth: auth.Static(tok), Now: func() time.Time { return fixedNow }, Files: files,
		Graph: GraphOptions{UploadChunkBytes: chunk}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func sentAttachments(t *testing.T, sb *sandbox.Server, ts, tok string) [][]byte {
	t.Helper()
	c, err := graph.New(graph.Config{BaseURL: ts + "/v1.0", Auth: auth.Static(tok)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	list, err := c.Do(ctx, &graph.Request{Method: "GET", Path: "/me/mailFolders/sentitems/messages", Query: map[string][]string{"$top": {"1"}}})
	if err != nil {
		t.Fatal(err)
	}
	id := gjson.GetBytes(list.Body, "value.0.id").Str
	atts, err := c.Do(ctx, &graph.Request{Method: "GET", Path: "/me/messages/" + graph.PathSegment(id) + "/attachments"})
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, a := range gjson.GetBytes(atts.Body, "value").Array() {
		b, _ := base64.StdEncoding.DecodeString(a.Get("contentBytes").Str)
		out = append(out, b)
	}
	return out
}

func TestFileInputsInlineAndUploaded(t *testing.T) {
	tp := loadInlineScopes(t, "[Mail.Send, Mail.ReadWrite]", fileTemplate)
	small := []byte("hello, attachments")
	big := bytes.Repeat([]byte("0123456789"), 350_000) // 3.5 MB: over the inline limit
	for _, c := range []struct {
		name  string
		files []any
		store FileStore
	}{
		{"inline, bytes in the state", []any{map[string]any{"name": "a.txt", "bytes": small}}, nil},
		{"upload session, bytes in a store", []any{map[string]any{"name": "big.bin", "content_type": "application/octet-stream", "base64": base64.StdEncoding.EncodeToString(big)},
			map[string]any{"name": "a.txt", "bytes": small}}, &MemoryFiles{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return fixedNow }})
			tok := sb.Token("Mail.Send", "Mail.ReadWrite")
			e := fileEngine(t, ts.URL, tok, c.store, 1<<20)
			turn, err := e.Start(context.Background(), tp, StartOptions{Inputs: map[string]any{"files": c.files}})
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != KindQuestion || turn.Question.Type != "confirm" {
				t.Fatalf("turn %v %v", turn.Kind, turn.Err)
			}
			if c.store != nil && len(turn.State) > 4096 {
				t.Errorf("with a file store the state is %d bytes", len(turn.State))
			}
			if c.store != nil && strings.Contains(string(turn.State), base64.StdEncoding.EncodeToString(small)) {
				t.Error("the state holds a file's bytes although a store is set")
			}
			// Resumed by another engine sharing the store (as after a restart
			// of a process whose store survives).
			e2 := fileEngine(t, ts.URL, tok, c.store, 1<<20)
			e2.Add(tp)
			turn, err = e2.Resume(context.Background(), turn.State, "yes")
			if err != nil {
				t.Fatal(err)
			}
			if turn.Kind != KindDone || turn.Status != StatusCompleted {
				t.Fatalf("turn %v %v %v", turn.Kind, turn.Status, turn.Err)
			}
			got := sentAttachments(t, sb, ts.URL, tok)
			if len(got) != len(c.files) {
				t.Fatalf("%d attachments sent, want %d", len(got), len(c.files))
			}
			for _, b := range got {
				if !bytes.Equal(b, small) && !bytes.Equal(b, big) {
					t.Errorf("an attachment of %d bytes is neither file", len(b))
				}
			}
			if names := textOf(turn.Outputs[0].Value); !strings.Contains(names, "a.txt") {
				t.Errorf("output names %q", names)
			}
			if d := textOf(turn.Outputs[1].Value); strings.Contains(d, base64.StdEncoding.EncodeToString(small)) || !strings.Contains(d, `"sha256"`) {
				t.Errorf("toJSON of files shows %s", d)
			}
			for _, r := range sb.Requests() {
				if strings.HasPrefix(r.Path, "/api/") && r.Header.Get("Authorization") != "" {
					t.Error("the token went to the upload URL")
				}
			}
		})
	}
}

func TestFileStateBounds(t *testing.T) {
	tp := loadInlineScopes(t, "[Mail.Send, Mail.ReadWrite]", fileTemplate)
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return fixedNow }})
	tok := sb.Token("Mail.Send")
	e := fileEngine(t, ts.URL, tok, nil, 0)
	big := map[string]any{"name": "big.bin", "content_type": "application/octet-stream", "bytes": make([]byte, 2<<20)}
	turn, _ := e.Start(context.Background(), tp, StartOptions{Inputs: map[string]any{"files": []any{big}}})
	var le *LimitError
	if turn.Kind != KindFailed || !errors.As(turn.Err, &le) || le.Setting != "MaxStateBytes" {
		t.Fatalf("a 2 MB file kept in the state: %v %v", turn.Kind, turn.Err)
	}
	// A state whose file bytes were changed is refused.
	small := map[string]any{"name": "a.txt", "bytes": []byte("original")}
	turn, _ = e.Start(context.Background(), tp, StartOptions{Inputs: map[string]any{"files": []any{small}}})
	orig := base64.StdEncoding.EncodeToString([]byte("original"))
	forged := strings.Replace(string(turn.State), orig, base64.StdEncoding.EncodeToString([]byte("forgery!")), 1)
	if forged == string(turn.State) {
		t.Fatal("the bytes are not in the state")
	}
	if _, err := e.Resume(context.Background(), []byte(forged), "yes"); err == nil || !strings.Contains(err.Error(), "not the ones given") {
		t.Errorf("forged file bytes: %v", err)
	}
	// A state naming a stored file cannot be resumed without the store.
	withStore := fileEngine(t, ts.URL, tok, &MemoryFiles{}, 0)
	turn, _ = withStore.Start(context.Background(), tp, StartOptions{Inputs: map[string]any{"files": []any{small}}})
	if _, err := e.Resume(context.Background(), turn.State, "yes"); err == nil || !strings.Contains(err.Error(), "Config.Files") {
		t.Errorf("stored file without a store: %v", err)
	}
	// Refused presets are the person's mistakes, said plainly.
	for _, c := range []struct {
		file any
		want string
	}{
		{map[string]any{"name": "x.pdf", "bytes": []byte("%PDF")}, "accepted: text/*, application/octet-stream"},
		{map[string]any{"name": "big.txt", "bytes": make([]byte, 8<<20+1)}, "at most 8 MB"},
		{"/etc/passwd", "got text"},
	} {
		turn, _ = e.Run(context.Background(), tp, StartOptions{Inputs: map[string]any{"files": c.file}, AutoConfirm: true})
		var ie *InputError
		if turn.Kind != KindFailed || !errors.As(turn.Err, &ie) || !strings.Contains(ie.Message, c.want) {
			t.Errorf("%v: %v %v, want an input error with %q", c.file, turn.Kind, turn.Err, c.want)
		}
	}
}

func TestFileQuestionAndAnswer(t *testing.T) {
	tp := loadInlineScopes(t, "[Mail.Send, Mail.ReadWrite]", fileTemplate)
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return fixedNow }})
	e := fileEngine(t, ts.URL, sb.Token("Mail.Send"), &MemoryFiles{}, 0)
	turn, err := e.Start(context.Background(), tp, StartOptions{})
	if err != nil {
		t.Fatal(err)
	}
	q := turn.Question
	if q == nil || q.Type != "files" || q.MaxSize != 8<<20 || strings.Join(q.Accept, ",") != "text/*,application/octet-stream" {
		t.Fatalf("question %+v", q)
	}
	turn, _ = e.Resume(context.Background(), turn.State, "/home/me/notes.txt")
	if turn.Question == nil || !strings.Contains(turn.Question.Error, "got text") {
		t.Fatalf("a path typed to the engine: %+v", turn.Question)
	}
	turn, _ = e.Resume(context.Background(), turn.State, input.EncodeFileAnswer(input.NewFile("notes.txt", "", []byte("notes"))))
	if turn.Question == nil || turn.Question.Type != "confirm" || turn.Question.Text != "Send notes.txt (1 files)?" {
		t.Fatalf("after the file: %+v", turn.Question)
	}
	if info := tp.Inputs()[0]; info.MaxSize != 8<<20 || len(info.Accept) != 2 {
		t.Errorf("InputInfo %+v", info)
	}
}

func TestUploadStepRules(t *testing.T) {
	sb, ts := sandbox.NewTestServer(t, sandbox.Options{Now: func() time.Time { return fixedNow }})
	tok := sb.Token("Mail.ReadWrite")
	tp := loadInlineScopes(t, "[Mail.ReadWrite]", `inputs:
  - name: file
    type: file
    prompt: File?
  - name: url
    type: string
    prompt: URL?
steps:
  - id: put
    http:
      method: PUT
      upload: {url: '${ inputs.url }', file: '${ inputs.file }'}
`)
	file := map[string]any{"name": "a.bin", "bytes": []byte("abc")}
	for _, c := range []struct{ url, want string }{
		{"https://evil.example.com/api/v2.0/x?authtoken=1", "not a host Graph's upload sessions use"},
		{"http://outlook.office.com/api/x", "over https only"},
		{"not a url", "not an absolute URL"},
	} {
		turn, _ := fileEngine(t, ts.URL, tok, nil, 0).Run(context.Background(), tp, StartOptions{Inputs: map[string]any{"file": file, "url": c.url}})
		if turn.Kind != KindFailed || !strings.Contains(turn.Err.Error(), c.want) {
			t.Errorf("%s: %v %v", c.url, turn.Kind, turn.Err)
		}
	}
	if n := len(sb.Requests()); n != 0 {
		t.Errorf("%d requests reached the sandbox", n)
	}
	// A dry run stops before the upload and shows no authtoken.
	turn, _ := fileEngine(t, ts.URL, tok, nil, 0).Run(context.Background(), tp, StartOptions{DryRun: true,
		Inputs: map[string]any{"file": file, "url": "https://outlook.office.com/api/v2.0/Users('a')/Messages('b')/AttachmentSessions('c')?authtoken=SECRET"}})
	if turn.Status != StatusDryRun || turn.DryRun.Method != "PUT" || strings.Contains(turn.DryRun.URL, "SECRET") || turn.DryRun.Header.Get("Content-Range") != "bytes 0-2/3" {
		t.Errorf("dry run %v %+v", turn.Status, turn.DryRun)
	}
	for _, c := range []struct{ src, want string }{
		{"  - {name: n, type: string, prompt: Name, max_size: 1MB}\n", "max_size is only for file and files inputs"},
		{"  - {name: n, type: file, prompt: Name, max_size: 200MB}\n", "from 1 byte to 150MB"},
		{"  - {name: n, type: file, prompt: Name, max_size: lots}\n", "is not a size"},
		{"  - {name: n, type: file, prompt: Name, accept: [pdf]}\n", `"pdf" is not a media type`},
		{"  - {name: n, type: file, prompt: Name, default: x}\n", "takes no default"},
	} {
		_, err := Load("f.yaml", []byte("id: f\nname: F\ndescription: F.\nscopes: [Mail.Send]\ninputs:\n"+c.src+"steps:\n  - say: hi\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.src, err, c.want)
		}
	}
	for _, c := range []struct{ http, want string }{
		{"method: POST\n      upload: {url: '${ \"x\" }', file: '${ \"y\" }'}", "an upload is a PUT"},
		{"method: PUT\n      path: /me\n      upload: {url: '${ \"x\" }', file: '${ \"y\" }'}", "takes no path"},
		{"method: PUT\n      upload: {url: '${ \"x\" }'}", `missing required key "file"`},
		{"method: PUT\n      upload: {url: https://x, file: '${ \"y\" }'}", "must be an expression"},
	} {
		_, err := Load("f.yaml", []byte("id: f\nname: F\ndescription: F.\nscopes: [Mail.Send]\nsteps:\n  - http:\n      "+c.http+"\n"))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: %v, want %q", c.http, err, c.want)
		}
	}
}

func TestMemoryFiles(t *testing.T) {
	m := &MemoryFiles{MaxBytes: 10}
	a, err := m.PutFile([]byte("12345"))
	if err != nil {
		t.Fatal(err)
	}
	// A session saved at every turn puts the same bytes again: kept once.
	if b, err := m.PutFile([]byte("12345")); err != nil || b != a {
		t.Errorf("same bytes again: %q, %v; want %q", b, err, a)
	}
	if _, err := m.PutFile([]byte("678901")); err == nil || !strings.Contains(err.Error(), "MaxBytes") {
		t.Errorf("over MaxBytes: %v", err)
	}
	if got, err := m.GetFile(a); err != nil || string(got) != "12345" {
		t.Errorf("GetFile: %q, %v", got, err)
	}
	if _, err := m.GetFile("not-a-ref"); err == nil {
		t.Error("an unknown reference was found")
	}
	if len(a) != 32 {
		t.Errorf("reference %q is not 128 random bits in hex", a)
	}
}

// A file input's fields are read as documented (inputs.f.name), with their
// types checked at load; a misspelt field is a load error, not a crash of
// the expression compiler.
func TestFileFieldsInExpressions(t *testing.T) {
	tp := loadInline(t, `
inputs:
  - {name: f, type: file, prompt: "A file?"}
steps:
  - say: ${ inputs.f.name } is ${ inputs.f.size + 0 } bytes of ${ inputs.f.content_type }, ${ len(inputs.f.sha256) } hex digits
`)
	turn := runInline(t, newFakeGraph(t), tp, StartOptions{Inputs: map[string]any{"f": input.NewFile("a.txt", "text/plain", []byte("hello"))}}, Limits{})
	if turn.Kind != KindDone || len(turn.Messages) != 1 || turn.Messages[0] != "a.txt is 5 bytes of text/plain, 64 hex digits" {
		t.Fatalf("turn %v %v %q", turn.Kind, turn.Err, turn.Messages)
	}
	_, err := Load("t.yaml", []byte("id: t\nname: t\ninputs:\n  - {name: f, type: file, prompt: \"A file?\"}\nsteps:\n  - say: ${ inputs.f.nmae }\n"))
	if err == nil || !strings.Contains(err.Error(), "unknown field nmae") || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("a misspelt file field: %v; want an unknown-field error without a stack", err)
	}
	_, err = Load("t.yaml", []byte("id: t\nname: t\ninputs:\n  - {name: f, type: file, prompt: \"A file?\"}\nsteps:\n  - say: ${ inputs.f.size + \"x\" }\n"))
	if err == nil || strings.Contains(err.Error(), "goroutine") {
		t.Errorf("a file's size added to a text: %v; want a type error", err)
	}
}

func TestCompilerFaultHidesTheStack(t *testing.T) {
	msg := "runtime error: invalid memory address or nil pointer dereference\ngoroutine 18 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26"
	got := compilerFault(msg)
	if strings.Contains(got, "goroutine") || strings.Contains(got, "debug.Stack") || !strings.HasPrefix(got, "runtime error: invalid memory address") {
		t.Errorf("compilerFault = %q", got)
	}
	if plain := "unknown name x (1:1)"; compilerFault(plain) != plain {
		t.Errorf("an ordinary message changed: %q", compilerFault(plain))
	}
}

// TestFilePresetKeptInTheStore: a file given as a preset for an input the
// flow reaches after a question is kept in Config.Files while the session
// is saved, as an answered file is, not carried in the state as base64;
// it reaches its input intact when the flow resumes.
func TestFilePresetKeptInTheStore(t *testing.T) {
	tp := loadInlineScopes(t, "[]", `inputs:
  - {name: to, type: email, prompt: "To whom?"}
  - {name: report, type: file, prompt: "Which file?", max_size: 4MB}
steps:
  - say: sending ${ inputs.report.name } to ${ inputs.to }
output:
  size: ${ inputs.report.size }
  sha256: ${ inputs.report.sha256 }
`)
	data := bytes.Repeat([]byte("quarterly figures\n"), 2<<20/18)
	preset := map[string]any{"report": map[string]any{"name": "q3.txt", "content_type": "text/plain", "base64": base64.StdEncoding.EncodeToString(data)}}
	e, err := New(Config{GraphURL: "https://graph.microsoft.com/v1.0", Auth: auth.Static("test-token"), Now: func() time.Time { return fixedNow }, Files: &MemoryFiles{}})
	if err != nil {
		t.Fatal(err)
	}
	turn, err := e.Start(context.Background(), tp, StartOptions{Inputs: preset})
	if err != nil || turn.Kind != KindQuestion {
		t.Fatalf("start: %v %v, want the question for to", turn.Kind, err)
	}
	if len(turn.State) > 4<<10 {
		t.Errorf("the paused state is %d bytes: the 2 MB preset is in it, not in the file store", len(turn.State))
	}
	turn, err = e.Resume(context.Background(), turn.State, "megan@contoso.com")
	if err != nil || turn.Kind != KindDone {
		t.Fatalf("resume: %v %v %v", turn.Kind, turn.Err, err)
	}
	sum := sha256.Sum256(data)
	if got := fmt.Sprint(turn.Outputs[0].Value, " ", turn.Outputs[1].Value); got != fmt.Sprint(len(data), " ", hex.EncodeToString(sum[:])) {
		t.Errorf("outputs %s, want the preset's size and SHA-256", got)
	}

	// A preset that is not a file stays as given: its input reports it.
	bad := map[string]any{"report": map[string]any{"name": "q3.txt", "base64": "not base64!"}}
	turn, _ = e.Start(context.Background(), tp, StartOptions{Inputs: bad})
	turn, _ = e.Resume(context.Background(), turn.State, "megan@contoso.com")
	if turn.Kind != KindQuestion || (turn.Question.Input != "report" || !strings.Contains(turn.Question.Error, "not valid base64")) {
		t.Errorf("a bad file preset: %v %+v, want its question saying the base64 is not valid", turn.Kind, turn.Question)
	}
}
