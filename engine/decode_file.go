package engine

import (
	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/engine/input"
	"github.com/runflow/runflow/internal/lazyregexp"
)

// The keys of file and files inputs: max_size and accept.

var (
	// mediaRange is a media type or a wildcard of one: "application/pdf",
	// "image/*", "*/*".
	mediaRange = lazyregexp.New(`^(\*/\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/(\*|[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}))$`)
)

func (d *decoder) decodeFileOption(key string, n *yaml.Node, in *inputDef, what string) {
	r := d.resolve(n)
	switch key {
	case "max_size":
		if r.Kind != yaml.ScalarNode || r.Tag == "!!null" {
			d.ps.errorf(posOf(r), "%s max_size must be a size such as 10MB, not %s", what, kindName(r))
			return
		}
		size, err := input.ParseByteSize(r.Value)
		switch {
		case err != nil:
			d.ps.errorf(posOf(r), "%s max_size: %v", what, err)
		case size < 1 || size > input.MaxFileBytes:
			d.ps.errorf(posOf(r), "%s max_size must be from 1 byte to 150MB (the most Graph attaches to a message), got %s", what, r.Value)
		default:
			in.maxSize = size
		}
	case "accept":
		items, ok := d.seq(n, what+" accept")
		if !ok {
			return
		}
		for _, it := range items {
			s, ok := d.str(it, what+" accept item")
			if !ok {
				continue
			}
			if !mediaRange.MatchString(s) {
				d.ps.errorf(posOf(d.resolve(it)), "%s accept: %q is not a media type such as application/pdf or image/*", what, s)
				continue
			}
			in.accept = append(in.accept, s)
		}
	}
}

// checkFileInput reports file options on other types, and a default on a
// file input (a file comes from the person or the host, never from the
// template).
func (d *decoder) checkFileInput(in *inputDef, have map[string]*yaml.Node, what string) {
	isFile := in.typ == input.File || in.typ == input.Files
	for _, k := range []string{"max_size", "accept"} {
		if v, ok := have[k]; ok && in.typ != "" && !isFile {
			d.ps.errorf(posOf(d.resolve(v)), "%s: %s is only for file and files inputs", what, k)
		}
	}
	if v, ok := have["default"]; ok && isFile {
		d.ps.errorf(posOf(d.resolve(v)), "%s: a file input takes no default (leave it optional with required: false)", what)
	}
}

// fileLimits are the bounds a question or InputInfo shows for a file
// input (zero for other types).
func (in *inputDef) fileLimits() (int64, []string) {
	if in.typ != input.File && in.typ != input.Files {
		return 0, nil
	}
	max := in.maxSize
	if max == 0 {
		max = input.DefaultMaxFileBytes
	}
	return max, append([]string(nil), in.accept...)
}
