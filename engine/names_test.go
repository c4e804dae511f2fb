package engine

import (
	"regexp"
	"testing"
)

// The name checks were regular expressions; these are those expressions,
// kept as the reference the byte-by-byte checks must agree with.
var nameReferences = []struct {
	name  string
	check func(string) bool
	re    *regexp.Regexp
}{
	{"isTemplateID", isTemplateID, regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)},
	{"isName", isName, regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)},
	{"isScopeName", isScopeName, regexp.MustCompile(`^[A-Za-z][A-Za-z0-9._\-]*$`)},
	{"isPlainPath", isPlainPath, regexp.MustCompile(`^[A-Za-z0-9_$-]+(\.[A-Za-z0-9_$-]+)*$`)},
}

var nameSamples = []string{
	"", "a", "A", "0", "_", "-", ".", "$", "send-mail", "send_mail", "Send-mail", "-send", "send-",
	"2fa", "_x", "x_1", "x-1", "x.y", "Mail.Send", "User.ReadBasic.All", "mail.send", "Mail..Send",
	"Mail.Send.", ".Mail", "a b", "é", "aé", "value.0.name", "value..name", "value.", ".value",
	"$count", "a$b", "a*b", "a?b", "a#b", "a|b", "a@b", "a\\.b", "a\x00", "ZZ", "z9-_.",
}

func TestNameChecksAgreeWithTheirPatterns(t *testing.T) {
	for _, ref := range nameReferences {
		for _, s := range nameSamples {
			if got, want := ref.check(s), ref.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern %s says %v", ref.name, s, got, ref.re, want)
			}
		}
	}
}

func FuzzNameChecks(f *testing.F) {
	for _, s := range nameSamples {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, ref := range nameReferences {
			if got, want := ref.check(s), ref.re.MatchString(s); got != want {
				t.Errorf("%s(%q) = %v, the pattern %s says %v", ref.name, s, got, ref.re, want)
			}
		}
	})
}
