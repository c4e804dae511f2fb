package engine

import "testing"

// TestStepKindsRoundTrip: every kind key decodes to a distinct constant
// whose String is the key again, and nothing else decodes.
func TestStepKindsRoundTrip(t *testing.T) {
	seen := map[stepKind]string{}
	for _, key := range stepKinds {
		k, ok := stepKindOf(key)
		if !ok || k == 0 {
			t.Errorf("stepKindOf(%q) = %v, %v", key, k, ok)
			continue
		}
		if prev, dup := seen[k]; dup {
			t.Errorf("%q and %q decode to the same kind %d", prev, key, k)
		}
		seen[k] = key
		if k.String() != key {
			t.Errorf("stepKindOf(%q).String() = %q", key, k.String())
		}
	}
	want := map[stepKind]string{stepHTTP: "http", stepSet: "set", stepIf: "if", stepSwitch: "switch", stepForeach: "foreach",
		stepAsk: "ask", stepConfirm: "confirm", stepSay: "say", stepEnd: "end", stepFail: "fail"}
	for k, key := range want {
		if k.String() != key {
			t.Errorf("%d.String() = %q, want %q", k, k.String(), key)
		}
	}
	for _, key := range []string{"", "HTTP", "loop", "id"} {
		if k, ok := stepKindOf(key); ok {
			t.Errorf("stepKindOf(%q) = %v, true; want unknown", key, k)
		}
	}
	if got := stepKind(0).String(); got != "unknown" {
		t.Errorf("stepKind(0).String() = %q", got)
	}
}
