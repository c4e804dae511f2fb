package reliability

import "testing"

// TestLimitErrorsNameTheirSetting: issue 6 asks that every limit's error
// name the limit, so that an operator knows which setting to raise. Each
// case reaches one limit (the scenarios of limits_test.go) and checks that
// the error names its engine.Limits field.
func TestLimitErrorsNameTheirSetting(t *testing.T) {
	small, dflt := templateOverLimit(t)
	step, flow := timeoutsHit(t)
	_, e := limitEngine(t, engineLimitsState)
	for _, c := range []struct {
		setting string
		err     error
	}{
		{"MaxForeach", foreachOverLimit(t)},
		{"MaxExprNodes", exprOverLimit(t)},
		{"MaxMemory", memoryOverLimit(t)},
		{"MaxTemplateBytes", small},
		{"MaxTemplateBytes", dflt},
		{"MaxStateBytes", resumeOverLimit(t, e)},
		{"StepTimeout", step},
		{"FlowTimeout", flow},
		{"MaxValueBytes", valueOverLimit(t)},
		{"MaxAliasNodes", aliasesOverLimit(t)},
	} {
		wantNamed(t, c.err, c.setting)
	}
}
