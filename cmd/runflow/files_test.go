package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/runflow/runflow/sandbox"
)

// sentAttachments reads the CLI sandbox's data file and returns the names
// and bytes of the attachments of the newest message in Sent Items.
func sentAttachments(t *testing.T, configDir string) map[string][]byte {
	t.Helper()
	s := sandbox.New(sandbox.Options{})
	if err := s.LoadFile(filepath.Join(configDir, "sandbox.json")); err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := s.Save(&buf); err != nil {
		t.Fatal(err)
	}
	d, err := sandbox.ReadData(&buf)
	if err != nil {
		t.Fatal(err)
	}
	me := d.Users[0]
	var newest map[string]any
	for _, m := range me.Messages {
		if m["parentFolderId"] == sandbox.FolderID(me.User.ID, "sentitems") {
			newest = m
		}
	}
	out := map[string][]byte{}
	if newest == nil {
		return out
	}
	atts, _ := newest["attachments"].([]any)
	for _, a := range atts {
		am := a.(map[string]any)
		b, _ := base64.StdEncoding.DecodeString(am["contentBytes"].(string))
		out[am["name"].(string)] = b
	}
	return out
}

// send-mail attaches local files named with --set: inline when small,
// through a draft and an upload session when large; both arrive whole.
func TestSendMailAttachmentsFromPaths(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "notes.txt")
	big := filepath.Join(dir, "deck.bin")
	os.WriteFile(small, []byte("meeting notes"), 0o600)
	bigData := bytes.Repeat([]byte("0123456789abcdef"), 220_000) // 3.5 MB
	os.WriteFile(big, bigData, 0o600)
	base := []string{"run", "send-mail", "--sandbox", "--yes", "--no-input", "--output", "json", "--set", "to=AlexW@contoso.onmicrosoft.com", "--set", "subject=Files", "--set", "body=Attached."}
	for _, c := range []struct {
		name  string
		files string
		want  map[string][]byte
	}{
		{"inline", small, map[string][]byte{"notes.txt": []byte("meeting notes")}},
		{"upload session", big + ", " + small, map[string][]byte{"notes.txt": []byte("meeting notes"), "deck.bin": bigData}},
	} {
		t.Run(c.name, func(t *testing.T) {
			cli := newCLI(t)
			o := cli.run("", append(base, "--set", "attachments="+c.files)...).wantCode(t, 0)
			if !strings.Contains(o.stdout, `"status": "completed"`) {
				t.Fatalf("stdout %s", o.stdout)
			}
			got := sentAttachments(t, cli.configDir)
			if len(got) != len(c.want) {
				t.Fatalf("%d attachments sent, want %d", len(got), len(c.want))
			}
			for name, data := range c.want {
				if !bytes.Equal(got[name], data) {
					t.Errorf("%s: %d bytes arrived, want %d", name, len(got[name]), len(data))
				}
			}
		})
	}
}

// A file is checked before anything is read or sent: missing, not a
// regular file, or over max_size (35 MB for send-mail).
func TestFileInputErrors(t *testing.T) {
	dir := t.TempDir()
	huge := filepath.Join(dir, "huge.bin")
	f, _ := os.Create(huge)
	f.Truncate(35<<20 + 1) // sparse: the size is checked, nothing is read
	f.Close()
	var five []string // 5 × 35 MB, sparse: more than the 150 MB files may total
	for i := range 5 {
		p := filepath.Join(dir, fmt.Sprintf("part%d.bin", i))
		f, _ := os.Create(p)
		f.Truncate(35 << 20)
		f.Close()
		five = append(five, p)
	}
	base := []string{"run", "send-mail", "--sandbox", "--yes", "--no-input", "--set", "to=AlexW@contoso.onmicrosoft.com", "--set", "subject=Files", "--set", "body=Attached."}
	for _, c := range []struct{ path, want string }{
		{strings.Join(five, ","), "the files total more than 150 MB"},
		{filepath.Join(dir, "missing.txt"), "no such file or directory"},
		{dir, "is not a regular file"},
		{huge, "is 35.0 MB (36700161 bytes): at most 35 MB"},
	} {
		cli := newCLI(t)
		o := cli.run("", append(base, "--set", "attachments="+c.path)...).wantCode(t, 2)
		if !strings.Contains(o.stderr, c.want) || !strings.Contains(o.stderr, "nothing was sent") {
			t.Errorf("%s: stderr %q, want %q", c.path, o.stderr, c.want)
		}
		if _, err := os.Stat(filepath.Join(cli.configDir, "sandbox.json")); err == nil {
			if n := len(sentAttachments(t, cli.configDir)); n != 0 {
				t.Errorf("%s: a message with attachments was sent", c.path)
			}
		}
	}
}

// Typed at the prompt, a path is read by the CLI (a bad one is asked
// again) and the file reaches the engine as its bytes.
func TestFilePrompt(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "notes.txt")
	os.WriteFile(small, []byte("typed path"), 0o600)
	cli := newCLI(t)
	cli.tty = true
	o := cli.run(filepath.Join(dir, "nope.txt")+"\n"+small+"\nyes\n", "run", "send-mail", "--sandbox", "--set", "to=AlexW@contoso.onmicrosoft.com",
		"--set", "cc=none", "--set", "subject=Typed", "--set", "body=Attached.", "--set", "html=no").wantCode(t, 0)
	for _, want := range []string{"Any files to attach?", "(the path of a file; several separated by commas, at most 35 MB)", "✗ file " + filepath.Join(dir, "nope.txt"), `with notes.txt? [y/n]`} {
		if !strings.Contains(o.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, o.stderr)
		}
	}
	if got := sentAttachments(t, cli.configDir); string(got["notes.txt"]) != "typed path" {
		t.Errorf("attachments %v", got)
	}
}
