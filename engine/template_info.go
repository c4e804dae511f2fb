package engine

import "sort"

// UnknownInputs returns the names in values that are not inputs of the
// template, sorted: what Start refuses, for a caller that wants to say so
// in its own words before it starts anything.
func (t *Template) UnknownInputs(values map[string]any) []string {
	var out []string
	for name := range values {
		if _, ok := t.inputByName[name]; !ok {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// HasConfirm reports whether the template has a confirm step, at any
// depth. A run that cannot ask needs StartOptions.AutoConfirm (or DryRun)
// to get past it.
func (t *Template) HasConfirm() bool {
	for _, s := range t.stepByKey {
		if s.kind == stepConfirm {
			return true
		}
	}
	return false
}
