package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/file"
	"go.yaml.in/yaml/v3"

	"github.com/runflow/runflow/internal/yamlerr"
)

// Load parses, checks and compiles a template. name is the file name used
// in problem positions. When the template has errors the error is a
// *LoadError listing every problem; warnings alone do not fail (see
// Template.Warnings and Check).
func Load(name string, src []byte) (*Template, error) {
	return LoadWithLimits(name, src, Limits{})
}

// LoadWithLimits is Load with the template size and expression size limits
// of lim (zero fields take the defaults).
func LoadWithLimits(name string, src []byte, lim Limits) (*Template, error) {
	t, ps := load(name, src, lim.withDefaults())
	if ps.hasErrors() {
		return nil, &LoadError{Problems: ps.sorted()}
	}
	t.warnings = ps.sorted()
	return t, nil
}

// LoadFile loads the template in the file at path.
func LoadFile(path string) (*Template, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return Load(path, src)
}

// LoadFS loads the template at path in fsys (for example an embed.FS).
func LoadFS(fsys fs.FS, path string) (*Template, error) {
	src, err := fs.ReadFile(fsys, path)
	if err != nil {
		return nil, fmt.Errorf("engine: %w", err)
	}
	return Load(path, src)
}

// Check returns every problem in a template, errors and warnings, sorted by
// position. An empty result means the template is clean.
func Check(name string, src []byte) []Problem {
	_, ps := load(name, src, DefaultLimits())
	return ps.sorted()
}

func load(name string, src []byte, lim Limits) (*Template, *problems) {
	ps := &problems{file: name}
	t := &Template{
		source:      name,
		inputByName: map[string]*inputDef{},
		stepByID:    map[string]*step{},
		keepSteps:   map[string]bool{},
	}
	sum := sha256.Sum256(src)
	t.hash = hex.EncodeToString(sum[:16])
	if len(src) > lim.MaxTemplateBytes {
		ps.limitf(Pos{}, "MaxTemplateBytes", "the template is %d bytes, more than the limit of %d (Limits.MaxTemplateBytes)", len(src), lim.MaxTemplateBytes)
		return t, ps
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			ps.errorf(Pos{Line: 1, Col: 1}, "the template is empty: expected a mapping with id, name, description, scopes and steps")
			return t, ps
		}
		line, col, msg := yamlerr.Describe(err, src)
		ps.errorf(Pos{Line: line, Col: col}, "YAML: %s", msg)
		return t, ps
	}
	// The version counts what the template says, not how it is written.
	if h := canonicalHash(&root, len(src)+lim.MaxAliasNodes); h != "" {
		t.hash = h
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		ps.errorf(posOf(&extra), "a template is one YAML document; remove the second one (---)")
	}
	d := &decoder{ps: ps, aliasLimit: lim.MaxAliasNodes, aliasBudget: lim.MaxAliasNodes, maxDepth: lim.MaxExpressionDepth, lines: strings.Split(string(src), "\n")}
	d.decodeTemplate(&root, t)
	c := &checker{t: t, ps: ps, maxNodes: lim.MaxExprNodes, funcs: exprFuncs(lim.MaxValueBytes)}
	c.run()
	t.index()
	t.pendingAsks = nil
	return t, ps
}

func asFileError(err error) (*file.Error, bool) {
	var fe *file.Error
	ok := errors.As(err, &fe)
	return fe, ok
}

func itoa(i int) string { return strconv.Itoa(i) }
