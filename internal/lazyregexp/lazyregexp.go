// Package lazyregexp is a regexp.Regexp compiled on first use, so that a
// package-level pattern costs nothing at program start: `runflow version`
// does not pay for the patterns of the date parser or the profile loader.
// It follows Go's own internal/lazyregexp (used by cmd/go).
package lazyregexp

import (
	"os"
	"regexp"
	"strings"
	"sync"
)

// Regexp is a regexp.Regexp compiled from its source on first use. Its
// methods are those of regexp.Regexp; it is safe for concurrent use.
type Regexp struct {
	str  string
	once sync.Once
	rx   *regexp.Regexp
}

// inTest is true in a test binary: there, New compiles at once, so that a
// bad pattern panics when the package is loaded by its tests rather than
// on the first input that reaches it.
var inTest = len(os.Args) > 0 && strings.HasSuffix(strings.TrimSuffix(os.Args[0], ".exe"), ".test")

// New returns a Regexp for str, which must compile (it panics, as
// regexp.MustCompile does, when it is first used otherwise).
func New(str string) *Regexp {
	r := &Regexp{str: str}
	if inTest {
		r.Regexp()
	}
	return r
}

// Regexp returns the compiled expression.
func (r *Regexp) Regexp() *regexp.Regexp {
	r.once.Do(func() { r.rx = regexp.MustCompile(r.str) })
	return r.rx
}

// MatchString is regexp.Regexp.MatchString.
func (r *Regexp) MatchString(s string) bool { return r.Regexp().MatchString(s) }

// FindStringSubmatch is regexp.Regexp.FindStringSubmatch.
func (r *Regexp) FindStringSubmatch(s string) []string { return r.Regexp().FindStringSubmatch(s) }

// ReplaceAllString is regexp.Regexp.ReplaceAllString.
func (r *Regexp) ReplaceAllString(src, repl string) string {
	return r.Regexp().ReplaceAllString(src, repl)
}

// String returns the source text.
func (r *Regexp) String() string { return r.str }
