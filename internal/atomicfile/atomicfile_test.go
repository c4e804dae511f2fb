package atomicfile

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteFunc(t *testing.T) {
	errWrite := errors.New("encoder failed")
	tests := []struct {
		name     string
		sub      string // path below the temp dir
		old      string // content already there; "" = none
		opts     Options
		write    func(io.Writer) error
		want     string // content after; "" = file absent
		wantErr  error  // matched with errors.Is; nil = success
		anyErr   bool   // some error, not a specific one
		wantPerm fs.FileMode
	}{
		{name: "new file default mode", sub: "a.json", opts: Options{},
			write: text("hello"), want: "hello", wantPerm: 0o600},
		{name: "replaces old content", sub: "a.json", old: "old", opts: Options{Pattern: ".tmp-*.json", Sync: true},
			write: text("new"), want: "new", wantPerm: 0o600},
		{name: "other mode", sub: "a.json", opts: Options{Perm: 0o644},
			write: text("x"), want: "x", wantPerm: 0o644},
		{name: "creates the directory", sub: "d/e/a.json", opts: Options{DirPerm: 0o700},
			write: text("x"), want: "x", wantPerm: 0o600},
		{name: "missing directory without DirPerm", sub: "d/a.json", opts: Options{},
			write: text("x"), wantErr: fs.ErrNotExist},
		{name: "write error keeps the old file", sub: "a.json", old: "old", opts: Options{},
			write: func(w io.Writer) error { io.WriteString(w, "half"); return errWrite }, want: "old", wantErr: errWrite, wantPerm: 0o600},
		{name: "bad pattern", sub: "a.json", opts: Options{Pattern: "x/*"},
			write: text("x"), anyErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			root := t.TempDir()
			path := filepath.Join(root, filepath.FromSlash(tc.sub))
			if tc.old != "" {
				if err := os.WriteFile(path, []byte(tc.old), 0o600); err != nil {
					t.Fatal(err)
				}
			}
			err := WriteFunc(path, tc.opts, tc.write)
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("error = %v, want %v", err, tc.wantErr)
			case tc.anyErr && err == nil:
				t.Fatal("no error")
			case tc.wantErr == nil && !tc.anyErr && err != nil:
				t.Fatalf("error = %v", err)
			}
			got, rerr := os.ReadFile(path)
			if tc.want == "" {
				if !errors.Is(rerr, fs.ErrNotExist) {
					t.Fatalf("file exists (%q, %v), want none", got, rerr)
				}
			} else {
				if rerr != nil || string(got) != tc.want {
					t.Fatalf("content = %q, %v; want %q", got, rerr, tc.want)
				}
				if fi, err := os.Stat(path); err != nil {
					t.Fatal(err)
				} else if runtime.GOOS != "windows" && fi.Mode().Perm() != tc.wantPerm {
					t.Errorf("mode = %v, want %v", fi.Mode().Perm(), tc.wantPerm)
				}
			}
			// No temporary file is left behind, whatever happened.
			var left []string
			filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && p != path {
					left = append(left, p)
				}
				return nil
			})
			if len(left) > 0 {
				t.Errorf("left behind: %v", left)
			}
		})
	}
}

func TestWritePattern(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "tok.json")
	var tmpName string
	err := WriteFunc(path, Options{Pattern: ".tmp-*.json"}, func(w io.Writer) error {
		tmpName = w.(*os.File).Name()
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// auth removes crash leftovers by this glob: the temp name must match it.
	if ok, _ := filepath.Match(filepath.Join(dir, ".tmp-*.json"), tmpName); !ok {
		t.Errorf("temporary file %s does not match .tmp-*.json", tmpName)
	}
	if err := Write(path, []byte("data"), Options{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "data" {
		t.Errorf("Write: content = %q", b)
	}
}

func text(s string) func(io.Writer) error {
	return func(w io.Writer) error {
		_, err := io.WriteString(w, s)
		return err
	}
}
