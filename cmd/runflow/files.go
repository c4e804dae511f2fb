package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// File inputs on the command line: --set attachments=a.pdf,b.png (or a list
// in --input) and typed answers name local files by path. The CLI reads
// them, never more than the input's max_size (checked on the file's size
// before reading, and again while reading), and gives the engine their
// bytes; the engine itself never opens a path.

// readFileInputs replaces the paths given for file and files inputs by the
// files they name.
func readFileInputs(t *engine.Template, values map[string]any) error {
	for _, in := range t.Inputs() {
		if in.Type != "file" && in.Type != "files" {
			continue
		}
		v, ok := values[in.Name]
		if !ok {
			continue
		}
		var paths []string
		switch x := v.(type) {
		case string:
			paths = splitPaths(x)
		case []any:
			for i, it := range x {
				s, ok := it.(string)
				if !ok {
					return usageErrorf("input %s: item %d is not a path", in.Name, i+1)
				}
				paths = append(paths, s)
			}
		default:
			return usageErrorf("input %s: give the path of a file", in.Name)
		}
		files, err := readLocalFiles(paths, in.MaxSize)
		if err != nil {
			return usageErrorf("input %s: %v; nothing was sent", in.Name, err)
		}
		if in.Type == "file" && len(files) == 1 {
			values[in.Name] = files[0]
			continue
		}
		values[in.Name] = files // the engine says if a file input got several
	}
	return nil
}

// splitPaths splits comma-separated paths; "none" and "" are no file.
func splitPaths(s string) []string {
	if t := strings.TrimSpace(s); t == "" || strings.EqualFold(t, "none") {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// readLocalFiles reads files, each at most max bytes.
func readLocalFiles(paths []string, max int64) ([]input.FileValue, error) {
	if len(paths) > input.MaxFiles {
		return nil, fmt.Errorf("%d files: at most %d", len(paths), input.MaxFiles)
	}
	// All sizes are checked before any file is read: together the files
	// may not pass the most a files input takes.
	var total int64
	for _, p := range paths {
		if fi, err := os.Stat(p); err == nil {
			if total += fi.Size(); total > input.MaxFileBytes {
				return nil, fmt.Errorf("the files total more than %s", input.ByteSize(input.MaxFileBytes))
			}
		}
	}
	files := []input.FileValue{}
	for _, p := range paths {
		f, err := readLocalFile(p, max)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return files, nil
}

// readLocalFile reads one regular file of at most max bytes: its size is
// checked before it is read, and the read stops one byte past max (a file
// that grows meanwhile is refused too).
func readLocalFile(path string, max int64) (input.FileValue, error) {
	if max <= 0 {
		max = input.DefaultMaxFileBytes
	}
	fi, err := os.Stat(path)
	if err != nil {
		return input.FileValue{}, fmt.Errorf("file %s: %w", path, unwrapPathError(err))
	}
	if !fi.Mode().IsRegular() {
		return input.FileValue{}, fmt.Errorf("%s is not a regular file", path)
	}
	if fi.Size() > max {
		return input.FileValue{}, fmt.Errorf("file %s is %s: at most %s", path, input.ByteSize(fi.Size()), input.ByteSize(max))
	}
	f, err := os.Open(path)
	if err != nil {
		return input.FileValue{}, fmt.Errorf("file %s: %w", path, unwrapPathError(err))
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return input.FileValue{}, fmt.Errorf("reading %s: %w", path, unwrapPathError(err))
	}
	if int64(len(data)) > max {
		return input.FileValue{}, fmt.Errorf("file %s grew past %s while it was read", path, input.ByteSize(max))
	}
	return input.NewFile(filepath.Base(path), "", data), nil
}

func unwrapPathError(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// askFiles reads the paths typed for a file question and answers with the
// files' bytes; a path that cannot be read is asked again, up to the
// question's attempts.
func (p *prompter) askFiles(ctx context.Context, q *engine.Question) (string, error) {
	for attempt := 1; ; attempt++ {
		line, err := p.readLine(ctx)
		if err != nil {
			return "", err
		}
		paths := splitPaths(line)
		if len(paths) == 0 {
			return strings.TrimSpace(line), nil // empty or "none": the engine decides
		}
		files, err := readLocalFiles(paths, q.MaxSize)
		if err == nil {
			return input.EncodeFileAnswer(files...), nil
		}
		if attempt >= max(q.MaxAttempts, 1) {
			return "", err
		}
		fmt.Fprintf(p.out, "  ✗ %s\n> ", cleanText(err.Error()))
	}
}
