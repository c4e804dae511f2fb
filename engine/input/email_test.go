package input

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseEmail(t *testing.T) {
	good := map[string]string{
		"  ada@example.com  ":                  "ada@example.com",
		"Ada.Lovelace@Example.COM":             "Ada.Lovelace@Example.COM",
		"first.last+tag@sub.example.co.uk":     "first.last+tag@sub.example.co.uk",
		"o'brien@example.ie":                   "o'brien@example.ie",
		"Ada Lovelace <ada@example.com>":       "ada@example.com",
		`"Lovelace, Ada" <ada@example.com>`:    "ada@example.com",
		"<ada@example.com>":                    "ada@example.com",
		"Ada Q. Lovelace <ada@example.com>":    "ada@example.com", // net/mail refuses the dot; we still find the address
		"jürgen@müller.de":                     "jürgen@müller.de",
		"x@xn--mller-kva.de":                   "x@xn--mller-kva.de",
		"ada@example.com;":                     "ada@example.com",
		strings.Repeat("a", 64) + "@ex.com":    strings.Repeat("a", 64) + "@ex.com",
		"a@" + strings.Repeat("b", 63) + ".io": "a@" + strings.Repeat("b", 63) + ".io",
	}
	for answer, want := range good {
		v, err := Parse(Email, answer, Context{Required: true})
		if err != nil || v != want {
			t.Errorf("email %q = %#v, %v; want %q", answer, v, err, want)
		}
	}
	long := strings.Repeat("a", 60) + "@" + strings.Repeat("b", 60) + "." + strings.Repeat("c", 60) + "." + strings.Repeat("d", 60) + "." + strings.Repeat("e", 10) + ".com"
	bad := map[string][]string{
		"John Doe":                             {`"John Doe" is not an email address`, "name@example.com"},
		"ada":                                  {"no @"},
		"ada@":                                 {"domain after @ is missing"},
		"@example.com":                         {"part before @ is missing"},
		"ada@@example.com":                     {"more than one @"},
		"ada@example":                          {`"example" needs a dot`},
		"ada @example.com":                     {"contains a space"},
		"ada@exa mple.com":                     {"contains a space"},
		".ada@example.com":                     {"start or end with a dot"},
		"ada..l@example.com":                   {"two dots in a row"},
		"ada(x)@example.com":                   {`'('`, "not allowed before @"},
		`"ada l"@example.com`:                  {"contains a space"},
		"ada@exam_ple.com":                     {`'_'`, "not allowed in the domain"},
		"ada@-example.com":                     {"hyphen"},
		"ada@example..com":                     {"empty part"},
		"ada@example.c":                        {"top-level domain"},
		"ada@1.2.3.4":                          {"top-level domain"},
		"ada@[1.2.3.4]":                        {"not allowed in the domain"},
		"Ada <>":                               {"between < and > is missing"},
		"Ada <ada@example.com":                 {"Name <name@example.com>"},
		"a@b.com, c@d.com":                     {"one email address only", "found 2"},
		strings.Repeat("a", 65) + "@x.io":      {"longer than 64"},
		long:                                   {"longer than 254"},
		"a@" + strings.Repeat("b", 64) + ".io": {"longer than 63"},
	}
	for answer, fragments := range bad {
		_, err := Parse(Email, answer, Context{Required: true})
		wantUserError(t, err, fragments...)
	}
}

func TestParseEmails(t *testing.T) {
	tests := []struct {
		answer string
		want   []string
	}{
		{"ada@example.com", []string{"ada@example.com"}},
		// The seed's sample data: stray spaces around addresses.
		{" ada@example.com , grace@example.com ", []string{"ada@example.com", "grace@example.com"}},
		{"ada@example.com;grace@example.com; linus@example.org", []string{"ada@example.com", "grace@example.com", "linus@example.org"}},
		{"Ada@Example.com, ada@example.COM, grace@example.com, ADA@EXAMPLE.COM", []string{"Ada@Example.com", "grace@example.com"}},
		{`"Lovelace, Ada" <ada@example.com>, Grace Hopper <grace@example.com>`, []string{"ada@example.com", "grace@example.com"}},
		{"ada@example.com,, ,grace@example.com,", []string{"ada@example.com", "grace@example.com"}},
	}
	for _, tc := range tests {
		v, err := Parse(Emails, tc.answer, Context{Required: true})
		if err != nil || !reflect.DeepEqual(v, tc.want) {
			t.Errorf("emails %q = %#v, %v; want %q", tc.answer, v, err, tc.want)
		}
	}
	bad := map[string][]string{
		"ada@example.com, bob@":               {`Address 2, "bob@", is not an email address`, "domain after @ is missing"},
		"ada@example.com; John Doe; x@y.com":  {`Address 2, "John Doe"`},
		"ada@example.com grace@example.com":   {"Address 1", "contains a space"},
		", , ;":                               {"At least one email address"},
		"nobody":                              {`Address 1, "nobody"`},
		strings.Repeat("a@example.com,", 300): nil, // duplicates collapse: fine
	}
	for answer, fragments := range bad {
		v, err := Parse(Emails, answer, Context{Required: true})
		if fragments == nil {
			if err != nil || len(v.([]string)) != 1 {
				t.Errorf("300 duplicates: %v, %v", v, err)
			}
			continue
		}
		wantUserError(t, err, fragments...)
	}
	var many []string
	for i := 0; i <= MaxEmails; i++ {
		many = append(many, fmt.Sprintf("u%d@ex.io", i))
	}
	_, err := Parse(Emails, strings.Join(many, ","), Context{})
	wantUserError(t, err, "Too many addresses", "500")
	v, err := Parse(Emails, strings.Join(many[:MaxEmails], ","), Context{})
	if err != nil || len(v.([]string)) != MaxEmails {
		t.Errorf("%d addresses: %v", MaxEmails, err)
	}
}

func TestSplitAddressList(t *testing.T) {
	tests := map[string][]string{
		`a@x.io, b@x.io`:                       {"a@x.io", "b@x.io"},
		`"Doe; Jane" <j@x.io>; k@x.io`:         {`"Doe; Jane" <j@x.io>`, "k@x.io"},
		`"Quote \" , inside" <q@x.io>, r@x.io`: {`"Quote \" , inside" <q@x.io>`, "r@x.io"},
		`<a,b@x.io>, c@x.io`:                   {"<a,b@x.io>", "c@x.io"},
		` , ;`:                                 nil,
	}
	for in, want := range tests {
		if got := splitAddressList(in); !reflect.DeepEqual(got, want) {
			t.Errorf("splitAddressList(%q) = %q, want %q", in, got, want)
		}
	}
}
