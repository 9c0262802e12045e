package openapi

import (
	"bytes"
	"context"
	"fmt"

	"github.com/getkin/kin-openapi/openapi3"
)

// loadDoc parses and validates a document. Parsing is most of a server's
// start, so a document laid out the usual way (top-level keys at column 0,
// path entries at two spaces under "paths:") is cut into two halves that
// share everything but the paths; both are loaded and validated at once on
// two cores, then the second half's paths join the first. Anything else is
// loaded in one piece. Both ways give the same operations (a test says so).
func loadDoc(raw []byte) (*openapi3.T, error) {
	a, b, ok := splitPaths(raw)
	if !ok {
		return loadOne(raw)
	}
	type result struct {
		doc *openapi3.T
		err error
	}
	second := make(chan result, 1)
	go func() {
		d, err := loadOne(b)
		second <- result{d, err}
	}()
	docA, errA := loadOne(a)
	rb := <-second
	if errA != nil || rb.err != nil {
		// Report against the whole document, not a half of it.
		return loadOne(raw)
	}
	for path, item := range rb.doc.Paths.Map() {
		if docA.Paths.Value(path) != nil {
			return loadOne(raw)
		}
		docA.Paths.Set(path, item)
	}
	return docA, nil
}

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

// splitPaths cuts the document into two whose "paths:" blocks each hold
// about half of the path entries; everything else is in both.
func splitPaths(raw []byte) (a, b []byte, ok bool) {
	lines := bytes.SplitAfter(raw, []byte("\n"))
	start, end := -1, len(lines)
	for i, l := range lines {
		top := len(l) > 0 && l[0] != ' ' && l[0] != '#' && l[0] != '\n'
		switch {
		case top && bytes.HasPrefix(l, []byte("paths:")) && bytes.TrimSpace(l[len("paths:"):]) == nil:
			start = i + 1
		case top && start >= 0 && i > start && end == len(lines):
			end = i
		}
	}
	if start < 0 {
		return nil, nil, false
	}
	var entries []int // line indexes of "  /path:" entries
	for i := start; i < end; i++ {
		if l := lines[i]; bytes.HasPrefix(l, []byte("  /")) || bytes.HasPrefix(l, []byte("  '/")) || bytes.HasPrefix(l, []byte("  \"/")) {
			entries = append(entries, i)
		}
	}
	if len(entries) < 8 || entries[0] != firstContent(lines, start, end) {
		return nil, nil, false
	}
	cut := entries[len(entries)/2]
	join := func(parts ...[][]byte) []byte {
		var buf bytes.Buffer
		for _, p := range parts {
			for _, l := range p {
				buf.Write(l)
			}
		}
		return buf.Bytes()
	}
	a = join(lines[:cut], lines[end:])
	b = join(lines[:start], lines[cut:])
	return a, b, true
}

// firstContent is the first line in [from, to) that is not blank or a comment.
func firstContent(lines [][]byte, from, to int) int {
	for i := from; i < to; i++ {
		t := bytes.TrimSpace(lines[i])
		if len(t) > 0 && t[0] != '#' {
			return i
		}
	}
	return -1
}
