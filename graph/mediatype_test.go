package graph

import (
	"mime"
	"testing"
)

// checkMediaTypeAgrees fails when parseMediaType and mime.ParseMediaType
// disagree on ct's media type or on whether it is valid.
func checkMediaTypeAgrees(t *testing.T, ct string) {
	t.Helper()
	got, gotErr := parseMediaType(ct)
	want, _, wantErr := mime.ParseMediaType(ct)
	if (gotErr == nil) != (wantErr == nil) || (gotErr == nil && got != want) {
		t.Fatalf("parseMediaType(%q) = %q, %v; mime.ParseMediaType gives %q, %v", ct, got, gotErr, want, wantErr)
	}
}

func TestParseMediaTypeAgreesWithMime(t *testing.T) {
	for _, ct := range []string{
		"application/json", "text/html", "application/problem+json", "image/gif",
		"application/json; charset=utf-8", "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8",
		"Application/JSON", "application/json ", " application/json", "application/", "/json", "application",
		"application/json/x", "a/b c", "text/{x}", "application/json;", "application/json; charset", "",
		"application/js\x00on", "application/jsön",
	} {
		checkMediaTypeAgrees(t, ct)
	}
	if !isPlainMediaType("application/json") {
		t.Error(`"application/json" should skip mime.ParseMediaType`)
	}
}

// FuzzParseMediaType: the shortcut never disagrees with mime.ParseMediaType.
func FuzzParseMediaType(f *testing.F) {
	for _, s := range []string{"application/json", "text/html; charset=utf-8", "Application/Json", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(checkMediaTypeAgrees)
}
