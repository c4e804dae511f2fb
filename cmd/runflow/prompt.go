package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"time"

	"github.com/runflow/runflow/engine"
	"github.com/runflow/runflow/engine/input"
)

// maxAnswerBytes bounds one typed answer.
const maxAnswerBytes = 64 << 10

// errEndOfInput is stdin closing at a prompt (Ctrl-D): the run is cancelled.
var errEndOfInput = errors.New("no answer: the input ended")

// prompter asks the engine's questions on a terminal: the question on
// stderr (stdout is for results), the answer from stdin.
type prompter struct {
	in  *bufio.Reader
	out io.Writer
}

func newPrompter(in io.Reader, out io.Writer) *prompter {
	return &prompter{in: bufio.NewReader(in), out: out}
}

// ask shows q and returns the answer typed. It returns ctx's error when the
// user interrupts, and errEndOfInput when stdin ends.
func (p *prompter) ask(ctx context.Context, q *engine.Question) (string, error) {
	p.show(q)
	switch input.Type(q.Type) {
	case input.Text:
		return p.readText(ctx)
	case input.File, input.Files:
		return p.askFiles(ctx, q) // files.go
	}
	return p.readLine(ctx)
}

// show prints the question: the error that refused the previous answer,
// the text, the hint, numbered choices and the default.
func (p *prompter) show(q *engine.Question) {
	var b strings.Builder
	if q.Error != "" {
		fmt.Fprintf(&b, "  ✗ %s", cleanText(q.Error))
		if q.MaxAttempts > 0 {
			fmt.Fprintf(&b, " (attempt %d of %d)", q.Attempt, q.MaxAttempts)
		}
		b.WriteString("\n")
	}
	text := cleanText(q.Text)
	if q.Type == "confirm" {
		fmt.Fprintf(&b, "? %s [y/n] ", text)
		io.WriteString(p.out, b.String())
		return
	}
	fmt.Fprintf(&b, "? %s\n", text)
	if q.Hint != "" {
		fmt.Fprintf(&b, "  %s\n", cleanText(q.Hint))
	}
	for i, c := range q.Choices {
		label := c.Label
		if label == "" {
			label = c.Value
		}
		fmt.Fprintf(&b, "  %d) %s\n", i+1, cleanText(label))
	}
	switch {
	case q.Default != "":
		fmt.Fprintf(&b, "  (Enter for %s)\n", cleanText(readableDefault(q)))
	case !q.Required:
		b.WriteString("  (optional: Enter to skip)\n")
	}
	switch typ := input.Type(q.Type); typ {
	case input.Text:
		b.WriteString("  (end with an empty line)\n")
	case input.File, input.Files:
		fmt.Fprintf(&b, "  (the path of a file%s, at most %s)\n", map[bool]string{true: "; several separated by commas"}[typ == input.Files], input.ByteSize(q.MaxSize))
	}
	b.WriteString("> ")
	io.WriteString(p.out, b.String())
}

// readText reads lines until an empty line (or the end of input after some
// text).
func (p *prompter) readText(ctx context.Context) (string, error) {
	var lines []string
	size := 0
	for {
		line, err := p.readLine(ctx)
		if errors.Is(err, errEndOfInput) && len(lines) > 0 {
			break
		}
		if err != nil {
			return "", err
		}
		if line == "" {
			break
		}
		size += len(line) + 1
		if size > maxAnswerBytes {
			return "", fmt.Errorf("the answer is longer than %d bytes", maxAnswerBytes)
		}
		lines = append(lines, line)
		io.WriteString(p.out, "  ")
	}
	return strings.Join(lines, "\n"), nil
}

// readLine reads one line without its line ending, giving up when ctx ends
// (the read goes on in the background; the process is about to exit).
func (p *prompter) readLine(ctx context.Context) (string, error) {
	type result struct {
		line string
		err  error
	}
	ch := make(chan result, 1)
	go func() {
		line, err := readBoundedLine(p.in, maxAnswerBytes)
		ch <- result{line, err}
	}()
	select {
	case <-ctx.Done():
		io.WriteString(p.out, "\n")
		return "", ctx.Err()
	case r := <-ch:
		return r.line, r.err
	}
}

// readBoundedLine reads up to a newline, refusing lines longer than limit.
func readBoundedLine(r *bufio.Reader, limit int) (string, error) {
	var b []byte
	for {
		chunk, err := r.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > limit {
			// Drop the rest of the line so the next prompt starts clean.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = r.ReadSlice('\n')
			}
			return "", fmt.Errorf("the answer is longer than %d bytes", limit)
		}
		switch {
		case err == nil:
			return strings.TrimRight(string(b), "\r\n"), nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if len(b) == 0 {
				return "", errEndOfInput
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		default:
			return "", err
		}
	}
}

// readableDefault shows a date or time default the way dates are shown
// elsewhere ("Thu 26 Nov 2026 12:30") instead of RFC 3339.
func readableDefault(q *engine.Question) string {
	typ := input.Type(q.Type)
	if typ.GoType() != reflect.TypeFor[time.Time]() {
		return q.Default
	}
	t, err := time.Parse(time.RFC3339, q.Default)
	switch {
	case err != nil:
		return q.Default
	case typ == input.Time:
		return t.Format("15:04")
	}
	return formatTime(t, nil)
}
