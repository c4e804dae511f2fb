package main

import (
	"io"
	"unicode/utf8"
)

// Every byte the CLI prints goes through a cleanWriter: Main wraps the
// env's stdout and stderr once, so no message, error, table, prompt or
// trace line, whatever it holds, can drive the terminal. The text may come
// from Graph (a mail subject interpolated into a fail: message), from a
// template or from an answer; cleaning at the printing boundary, rather
// than at each place that formats text, covers the places added later.

// cleanWriter removes control characters from what it writes: C0 controls
// other than newline and tab (escape sequences lose their ESC and print as
// plain text; a carriage return cannot overwrite a line), DEL, the C1
// controls (U+0080..U+009F, an 8-bit CSI among them) and the bidirectional
// overrides and isolates (U+202A..U+202E, U+2066..U+2069), which can make
// text read backwards. Bytes that are not UTF-8 become U+FFFD. A rune cut
// between two writes is held until the next one.
type cleanWriter struct {
	w       io.Writer
	pending []byte // the start of a rune cut at the end of the last write
	buf     []byte
}

// newCleanWriter wraps w; a *cleanWriter is returned as it is.
func newCleanWriter(w io.Writer) io.Writer {
	if w == nil {
		return nil
	}
	if _, ok := w.(*cleanWriter); ok {
		return w
	}
	return &cleanWriter{w: w}
}

// Write writes the clean form of p and reports len(p) written unless the
// underlying writer fails.
func (c *cleanWriter) Write(p []byte) (int, error) {
	in := p
	if len(c.pending) > 0 {
		in = append(c.pending, p...)
		c.pending = nil
	}
	out := c.buf[:0]
	for i := 0; i < len(in); {
		b := in[i]
		if b < utf8.RuneSelf {
			if b >= 0x20 && b != 0x7f || b == '\n' || b == '\t' {
				out = append(out, b)
			}
			i++
			continue
		}
		if !utf8.FullRune(in[i:]) {
			// Hold a cut rune for the next write.
			c.pending = append([]byte(nil), in[i:]...)
			break
		}
		r, size := utf8.DecodeRune(in[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			out = utf8.AppendRune(out, utf8.RuneError)
		case !unsafeRune(r):
			out = append(out, in[i:i+size]...)
		}
		i += size
	}
	c.buf = out[:0]
	if len(out) > 0 {
		if _, err := c.w.Write(out); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// writeRaw writes s as it is, past the cleaning: only for the control
// sequences the CLI makes itself (erasing the progress line).
func writeRaw(w io.Writer, s string) {
	io.WriteString(uncleaned(w), s)
}

// uncleaned returns the writer under a cleanWriter, for a protocol stream
// that a program reads rather than a terminal and whose bytes must arrive
// as sent: runflow mcp's JSON-RPC messages (JSON escapes the C0 controls
// itself).
func uncleaned(w io.Writer) io.Writer {
	if c, ok := w.(*cleanWriter); ok {
		return c.w
	}
	return w
}

// withCleanOutput returns a copy of e whose stdout and stderr clean what
// is written to them.
func (e *env) withCleanOutput() *env {
	c := *e
	c.stdout = newCleanWriter(e.stdout)
	c.stderr = newCleanWriter(e.stderr)
	return &c
}
