package engine

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/builtin"
	"github.com/expr-lang/expr/conf"
)

// expr's replace and join are not charged to the VM's memory budget, and
// repeat is charged only after it has built its result, so nested calls
// (replace(replace(s, "x", s), "x", s)...) could build gigabytes within one
// evaluation. The engine replaces them with versions that work out the
// length of the result first and refuse one over Limits.MaxValueBytes, or
// over what is left of the evaluation's budget (see budget.go). The other
// builtins that return text as large as their input are charged after
// the call.

// exprFuncs returns the function options of templates loaded with the
// given MaxValueBytes.
func exprFuncs(maxValueBytes int) []expr.Option {
	opts := make([]expr.Option, 0, len(funcOptions)+len(jsonBodyOptions)+len(concatOptions)+len(budgetedNames))
	opts = append(opts, funcOptions...)
	opts = append(opts, jsonBodyOptions...)
	sized := map[string]func([]any) (int, bool){"replace": replaceSize, "repeat": repeatSize, "join": joinSize}
	for _, name := range budgetedNames {
		opts = append(opts, budgetedBuiltin(name, maxValueBytes, sized[name]))
	}
	opts = append(opts, concatOptions...)
	opts = append(opts, concatOption())
	return opts
}

// budgetedBuiltin overrides expr's builtin name (same behaviour, and the
// same types plus the patched ones taking the budget first). When size
// is set, it first computes the length of the result and refuses it when
// over max or over the budget left (size returns ok false when it cannot
// tell, on bad arguments: the builtin then reports the error itself);
// otherwise the text returned is charged after the call.
func budgetedBuiltin(name string, max int, size func(args []any) (n int, ok bool)) expr.Option {
	orig := builtin.Builtins[builtin.Index[name]]
	fn := &builtin.Function{
		Name:  name,
		Types: withBudgetTypes(orig.Types),
		Func: func(args ...any) (any, error) {
			b, args := budgetArg(args)
			if size != nil {
				if n, ok := size(args); ok {
					if n > max {
						return nil, &LimitError{Setting: "MaxValueBytes", Message: fmt.Sprintf("%s: the result would be %d bytes, more than the limit of %d", name, n, max)}
					}
					if b != nil {
						if err := b.charge(name, n); err != nil {
							return nil, err
						}
					}
				}
				return callBuiltin(orig, args)
			}
			v, err := callBuiltin(orig, args)
			if text, ok := v.(string); ok && err == nil && b != nil {
				if err := b.charge(name, len(text)); err != nil {
					return nil, err
				}
			}
			return v, err
		},
	}
	return func(c *conf.Config) {
		if c.Functions == nil {
			c.Functions = conf.FunctionsTable{}
		}
		c.Functions[name] = fn
	}
}

func callBuiltin(f *builtin.Function, args []any) (any, error) {
	switch {
	case f.Safe != nil:
		v, _, err := f.Safe(args...)
		return v, err
	case f.Fast != nil:
		if len(args) != 1 {
			return nil, fmt.Errorf("invalid number of arguments for %s (expected 1, got %d)", f.Name, len(args))
		}
		return f.Fast(args[0]), nil
	}
	return f.Func(args...)
}

// tooBig stands for a length that overflowed: over any limit.
const tooBig = int(^uint(0) >> 2)

func replaceSize(args []any) (int, bool) {
	if len(args) < 3 {
		return 0, false
	}
	s, ok1 := args[0].(string)
	old, ok2 := args[1].(string)
	repl, ok3 := args[2].(string)
	if !ok1 || !ok2 || !ok3 {
		return 0, false
	}
	n := strings.Count(s, old)
	if old == "" {
		n = utf8.RuneCountInString(s) + 1
	}
	if len(args) == 4 {
		if limit, ok := args[3].(int); ok && limit >= 0 && limit < n {
			n = limit
		}
	}
	grow := len(repl) - len(old)
	if grow <= 0 {
		return len(s), true
	}
	if n > 0 && grow > (tooBig-len(s))/n {
		return tooBig, true
	}
	return len(s) + n*grow, true
}

func repeatSize(args []any) (int, bool) {
	if len(args) != 2 {
		return 0, false
	}
	s, ok := args[0].(string)
	n, ok2 := toInt(args[1])
	if !ok || !ok2 || n < 0 {
		return 0, false
	}
	if n > 0 && len(s) > tooBig/n {
		return tooBig, true
	}
	return len(s) * n, true
}

func joinSize(args []any) (int, bool) {
	glue := ""
	if len(args) == 2 {
		g, ok := args[1].(string)
		if !ok {
			return 0, false
		}
		glue = g
	}
	total, count := 0, 0
	add := func(s string) {
		if total < tooBig {
			total += len(s)
		}
		count++
	}
	switch list := args[0].(type) {
	case []string:
		for _, s := range list {
			add(s)
		}
	case []any:
		for _, v := range list {
			s, ok := v.(string)
			if !ok {
				return 0, false
			}
			add(s)
		}
	default:
		return 0, false
	}
	if count > 1 {
		total += (count - 1) * len(glue)
	}
	return total, true
}
