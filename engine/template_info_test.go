package engine

import (
	"slices"
	"testing"
)

func TestUnknownInputs(t *testing.T) {
	tp := mustLoad(t, "../testdata/templates/all-steps.yaml")
	if got := tp.UnknownInputs(map[string]any{"mode": "add", "title": "x"}); got != nil {
		t.Errorf("known inputs reported unknown: %v", got)
	}
	got := tp.UnknownInputs(map[string]any{"mode": "add", "zeta": 1, "alpha": nil, "tilte": "x"})
	if want := []string{"alpha", "tilte", "zeta"}; !slices.Equal(got, want) {
		t.Errorf("UnknownInputs = %v, want %v (sorted)", got, want)
	}
}

func TestHasConfirm(t *testing.T) {
	if !mustLoad(t, "../testdata/templates/all-steps.yaml").HasConfirm() {
		t.Error("all-steps has a confirm step at the top level")
	}
	nested := mustLoadBytes(t, `id: nested
name: Nested
description: A confirmation inside a branch.
scopes: []
inputs:
  - name: sure
    type: boolean
    prompt: Sure?
    default: false
steps:
  - if: ${ inputs.sure }
    then:
      - confirm: Really?
  - say: Done.
`)
	if !nested.HasConfirm() {
		t.Error("a confirm step inside an if is not reported")
	}
	none := mustLoadBytes(t, `id: none
name: None
description: Says something.
scopes: []
steps:
  - say: Hello.
`)
	if none.HasConfirm() {
		t.Error("a template without a confirm step reports one")
	}
}
