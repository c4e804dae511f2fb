package engine

// expr's parser descends once per bracket: an expression nested a few
// hundred thousand deep overflows the goroutine stack, a fatal error no
// recover catches, and a smaller one allocates its whole tree before
// Limits.MaxExprNodes is checked. So the nesting of an expression's
// source is measured first, in one pass without allocating, and an
// expression nested deeper than Limits.MaxExpressionDepth is refused
// before expr sees it.

// nestingTooDeep returns the byte offset in src of the first bracket,
// parenthesis or brace that opens a level deeper than max, and true; or
// 0 and false when src stays within max. Brackets inside string literals
// ("...", '...' with backslash escapes, `...` without) do not count.
// Unbalanced closing brackets only lower the depth: expr reports them.
func nestingTooDeep(src string, max int) (int, bool) {
	depth := 0
	var quote byte
	for i := 0; i < len(src); i++ {
		c := src[i]
		if quote != 0 {
			switch {
			case c == '\\' && quote != '`':
				i++
			case c == quote:
				quote = 0
			}
			continue
		}
		switch c {
		case '"', '\'', '`':
			quote = c
		case '(', '[', '{':
			depth++
			if depth > max {
				return i, true
			}
		case ')', ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return 0, false
}
