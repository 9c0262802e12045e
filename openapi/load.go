package openapi

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	yaml "go.yaml.in/yaml/v4"

	"github.com/fakealianza/fakealianza/openapi/internal/blockyaml"
)

// Reading the spec is most of a server's start, so a document written the
// way ours is (block YAML, see internal/blockyaml) takes a fast path: our own
// parser builds the node tree, kin-openapi decodes its components and slices
// of its paths on all cores at once, then resolves references and validates
// the whole as usual. Any other document, and any document the fast path
// cannot finish, is loaded by kin-openapi's own loader, whose error is the
// one reported. A test holds both paths to the same document.

// decoded is a document whose references are not yet resolved.
type decoded struct {
	doc  *openapi3.T
	fast bool
}

// decode reads raw, on the fast path when it can.
func decode(raw []byte) (*decoded, error) {
	if doc, err := decodeFast(raw); err == nil {
		return &decoded{doc: doc, fast: true}, nil
	}
	doc, err := loadOne(raw)
	if err != nil {
		return nil, err
	}
	return &decoded{doc: doc}, nil
}

// resolve resolves references (loadOne already did, the fast path has not).
func (d *decoded) resolve() error {
	if !d.fast {
		return nil
	}
	return openapi3.NewLoader().ResolveRefsIn(d.doc, nil)
}

// validate checks the resolved document (loadOne already did).
func (d *decoded) validate() error {
	if !d.fast {
		return nil
	}
	return d.doc.Validate(context.Background())
}

// loadOne is kin-openapi's own load and validation of a document.
func loadOne(raw []byte) (*openapi3.T, error) {
	doc, err := openapi3.NewLoader().LoadFromData(raw)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse spec: %w", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		return nil, fmt.Errorf("openapi: invalid spec: %w", err)
	}
	return doc, nil
}

var errNotFast = errors.New("openapi: not for the fast path")

// decodeFast builds the node tree with blockyaml and decodes it in pieces
// on every core: the components, slices of the paths, and the rest.
func decodeFast(raw []byte) (*openapi3.T, error) {
	root, err := blockyaml.Parse(raw)
	if err != nil {
		return nil, err
	}
	top := root.Content[0]
	if top.Kind != yaml.MappingNode {
		return nil, errNotFast
	}
	if err := prepare(top); err != nil {
		return nil, err
	}
	// The rest of the document, without its paths and components.
	shell := *top
	shell.Content = nil
	var paths, components *yaml.Node
	for i := 0; i+1 < len(top.Content); i += 2 {
		switch k, v := top.Content[i], top.Content[i+1]; k.Value {
		case "paths":
			paths = v
		case "components":
			components = v
		default:
			shell.Content = append(shell.Content, k, v)
		}
	}
	if paths == nil || paths.Kind != yaml.MappingNode || components == nil || components.Kind != yaml.MappingNode {
		return nil, errNotFast
	}
	chunks := pathChunks(paths, lines(components))
	var (
		wg     sync.WaitGroup
		errs   = make([]error, len(chunks)+1)
		pieces = make([]openapi3.Paths, len(chunks))
		comps  openapi3.Components
	)
	for i, c := range chunks {
		wg.Go(func() { errs[i] = pieces[i].UnmarshalYAML(c) })
	}
	wg.Go(func() { errs[len(chunks)] = comps.UnmarshalYAML(components) })
	doc := &openapi3.T{}
	shellErr := doc.UnmarshalYAML(&shell)
	wg.Wait()
	if err := errors.Join(append(errs, shellErr)...); err != nil {
		return nil, err
	}
	all := &pieces[0]
	for i := 1; i < len(pieces); i++ {
		for path, item := range pieces[i].Map() {
			if all.Value(path) != nil {
				return nil, errNotFast
			}
			all.Set(path, item)
		}
		if len(pieces[i].Extensions) > 0 {
			return nil, errNotFast
		}
	}
	for _, item := range all.Map() {
		if item.Ref != "" {
			// A path item that is a reference changes its operations when
			// resolved; the server reads operations before that.
			return nil, errNotFast
		}
	}
	doc.Paths, doc.Components = all, &comps
	return doc, nil
}

// lines is how many lines a block node spans, as a measure of its work.
func lines(n *yaml.Node) int {
	last := n
	for len(last.Content) > 0 {
		last = last.Content[len(last.Content)-1]
	}
	return last.Line - n.Line + 1
}

// pathChunks cuts the paths mapping into slices of about the size of the
// components, so that no piece holds the others up for long.
func pathChunks(paths *yaml.Node, size int) []*yaml.Node {
	size = max(size, 200)
	var chunks []*yaml.Node
	for i := 0; i < len(paths.Content); {
		c := *paths
		start := paths.Content[i].Line
		j := i
		for j < len(paths.Content) && (j == i || paths.Content[j].Line-start < size) {
			j += 2
		}
		c.Content = paths.Content[i:j]
		c.Line, c.Column = paths.Content[i].Line, paths.Content[i].Column
		chunks = append(chunks, &c)
		i = j
	}
	if len(chunks) == 0 {
		c := *paths
		chunks = append(chunks, &c)
	}
	return chunks
}

// prepare does to the tree what kin-openapi does before it decodes one:
// mapping keys are read as the text they were written in, timestamps as
// strings, and infinities and NaN are refused. (Tags and aliases blockyaml
// does not produce need nothing.)
func prepare(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!timestamp":
			n.Tag = "!!str"
		case "!!float":
			if f, err := strconv.ParseFloat(strings.TrimPrefix(n.Value, "+"), 64); err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return errNotFast
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode || k.Tag == "!!null" {
				return errNotFast
			}
			k.Tag = "!!str"
		}
	}
	for _, c := range n.Content {
		if err := prepare(c); err != nil {
			return err
		}
	}
	return nil
}
