package engine

import "strings"

// OutputInfo describes one named output of a template, for tool and form
// builders (the MCP server's outputSchema).
type OutputInfo struct {
	Name string
	// Input is the input whose value the output is, when the output is
	// exactly ${ inputs.NAME }; "" otherwise. The output then has that
	// input's type.
	Input string
	// Columns are the columns of an output that is a list of records.
	Columns []string
}

// Outputs describes the template's outputs in declaration order.
func (t *Template) Outputs() []OutputInfo {
	out := make([]OutputInfo, 0, len(t.outputs))
	for _, o := range t.outputs {
		info := OutputInfo{Name: o.name, Columns: append([]string(nil), o.columns...)}
		if o.val != nil && o.val.kind == valExpr && o.val.expr != nil {
			if name, ok := strings.CutPrefix(strings.TrimSpace(o.val.expr.src), "inputs."); ok {
				if _, known := t.inputByName[name]; known {
					info.Input = name
				}
			}
		}
		out = append(out, info)
	}
	return out
}
