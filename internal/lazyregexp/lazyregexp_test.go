package lazyregexp

import (
	"regexp"
	"slices"
	"sync"
	"testing"
)

func TestSameAnswersAsRegexp(t *testing.T) {
	tests := []struct {
		pattern, input, repl string
	}{
		{`^([0-9]{4})-([0-9]{1,2})$`, "2026-12", ""},
		{`^([0-9]{4})-([0-9]{1,2})$`, "26-12", ""},
		{`\s+`, "a  b\tc", " "},
		{`AADSTS(\d+)`, "error AADSTS50126: bad", "<$1>"},
		{`(?s)<(script|style)[^>]*>.*?</(script|style)>|<[^>]*>`, "<p>hi<script>x</script></p>", ""},
	}
	for _, tt := range tests {
		lazy, eager := New(tt.pattern), regexp.MustCompile(tt.pattern)
		if got, want := lazy.MatchString(tt.input), eager.MatchString(tt.input); got != want {
			t.Errorf("%q.MatchString(%q) = %v, want %v", tt.pattern, tt.input, got, want)
		}
		if got, want := lazy.FindStringSubmatch(tt.input), eager.FindStringSubmatch(tt.input); !slices.Equal(got, want) {
			t.Errorf("%q.FindStringSubmatch(%q) = %q, want %q", tt.pattern, tt.input, got, want)
		}
		if got, want := lazy.ReplaceAllString(tt.input, tt.repl), eager.ReplaceAllString(tt.input, tt.repl); got != want {
			t.Errorf("%q.ReplaceAllString(%q, %q) = %q, want %q", tt.pattern, tt.input, tt.repl, got, want)
		}
		if lazy.String() != tt.pattern {
			t.Errorf("String() = %q, want %q", lazy.String(), tt.pattern)
		}
	}
}

func TestCompiledOnFirstUseOnly(t *testing.T) {
	r := &Regexp{str: `^a+$`} // as New builds it outside a test binary
	if r.rx != nil {
		t.Fatal("compiled before use")
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if !r.MatchString("aaa") {
				t.Error("no match")
			}
		})
	}
	wg.Wait()
	if first := r.Regexp(); first != r.Regexp() {
		t.Error("compiled twice")
	}
}

func TestNewCompilesAtOnceInTests(t *testing.T) {
	if !inTest {
		t.Fatal("inTest is false in a test binary")
	}
	defer func() {
		if recover() == nil {
			t.Error("New with a bad pattern did not panic in a test binary")
		}
	}()
	New(`(`)
}
