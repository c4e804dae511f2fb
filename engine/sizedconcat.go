package engine

import (
	"fmt"
	"reflect"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
)

// expr's concat builds its whole result before it charges the VM's memory
// budget: concat(r, r, ...) with fifty ranges of a million numbers
// allocated 5 GB before MaxMemory refused it. The engine's concat counts
// the elements first and charges them to the evaluation's share of
// Limits.MaxMemory (one unit an element, as expr counts), refusing a
// result that would not fit.

// concatOption overrides expr's concat.
func concatOption() expr.Option {
	orig := builtin.Builtins[builtin.Index["concat"]]
	fn := &builtin.Function{
		Name: "concat",
		Func: func(args ...any) (any, error) {
			b, args := budgetArg(args)
			if b != nil {
				n := 0
				for _, a := range args {
					if v := reflect.ValueOf(a); v.Kind() == reflect.Slice || v.Kind() == reflect.Array {
						n += v.Len()
					}
				}
				if n > b.elemsLeft {
					return nil, &LimitError{Setting: "MaxMemory", Message: fmt.Sprintf("concat: the result would hold %d elements, more than the %d units left of the expression's memory budget", n, b.elemsLeft)}
				}
				b.elemsLeft -= n
			}
			return callBuiltin(orig, args)
		},
		Validate: func(types []reflect.Type) (reflect.Type, error) {
			if len(types) > 0 && types[0] == budgetType {
				types = types[1:]
			}
			return orig.Validate(types)
		},
	}
	return func(c *conf.Config) {
		if c.Functions == nil {
			c.Functions = conf.FunctionsTable{}
		}
		c.Functions["concat"] = fn
	}
}
