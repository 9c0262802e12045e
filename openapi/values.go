package openapi

import (
	"regexp"
	"regexp/syntax"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/google/uuid"
)

// maxDepth bounds how deep Shape and Zero follow nested and recursive
// schemas.
const maxDepth = 8

// Zero is the plainest value a schema accepts: its default, else its first
// enum literal, else a value of its type that keeps its constraints
// (lengths, bounds, formats, required fields).
func Zero(ref *openapi3.SchemaRef) any { return zero(ref, 0) }

// Shape fits v to a schema: an object keeps the properties the schema names
// (values shaped in turn), absent ones take their default, and required ones
// with no value their Zero; a value of the wrong type becomes the Zero; an
// enum string that is no literal of the enum becomes the first literal.
// A response built this way is one the schema describes.
func Shape(ref *openapi3.SchemaRef, v any) any { return shape(ref, v, 0) }

// flat merges an allOf into one schema and, of a oneOf or anyOf, picks the
// subtype v is (see variant).
func flat(ref *openapi3.SchemaRef, v any) *openapi3.Schema { return flatTo(ref, v, 0) }

func flatTo(ref *openapi3.SchemaRef, v any, depth int) *openapi3.Schema {
	if ref == nil || ref.Value == nil {
		return nil
	}
	s := ref.Value
	if depth > maxDepth || len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 {
		return s
	}
	out := *s
	out.Properties = openapi3.Schemas{}
	for k, p := range s.Properties {
		out.Properties[k] = p
	}
	out.Required = append([]string(nil), s.Required...)
	// tag is the discriminator's property and the literal naming the
	// subtype this schema turns out to be.
	var tag, literal string
	parts := []*openapi3.SchemaRef{}
	for _, p := range s.AllOf {
		if p.Value != nil && names(p.Value, s) {
			// The base of this subtype: its own fields, not its subtypes.
			base := *p.Value
			base.OneOf, base.AnyOf = nil, nil
			parts = append(parts, &openapi3.SchemaRef{Value: &base})
			if d := p.Value.Discriminator; d != nil {
				tag, literal = d.PropertyName, subtypeName(p.Value, s)
			}
			continue
		}
		parts = append(parts, p)
	}
	if alts := cmpOr(s.OneOf, s.AnyOf); len(alts) > 0 {
		alt := variant(s, alts, v, depth)
		parts = append(parts, alt)
		if d := s.Discriminator; d != nil {
			tag, literal = d.PropertyName, subtypeName(s, alt.Value)
		}
	}
	out.AllOf, out.OneOf, out.AnyOf = nil, nil, nil
	for _, p := range parts {
		f := flatTo(p, v, depth+1)
		if f == nil {
			continue
		}
		for k, v := range f.Properties {
			out.Properties[k] = v
		}
		out.Required = append(out.Required, f.Required...)
		if out.Type == nil || len(out.Type.Slice()) == 0 {
			out.Type = f.Type
		}
		if out.Items == nil {
			out.Items = f.Items
		}
		if len(out.Enum) == 0 {
			out.Enum = f.Enum
		}
		if out.Format == "" {
			out.Format = f.Format
		}
	}
	// The tag names the subtype picked, where the tag's enum has its name.
	if p := out.Properties[tag]; p != nil && p.Value != nil && inEnum(p.Value.Enum, literal) {
		one := *p.Value
		one.Enum, one.Default = []any{literal}, nil
		out.Properties[tag] = &openapi3.SchemaRef{Value: &one}
	}
	return &out
}

// variant is the subtype of s (one of alts) that v is: the one its
// discriminator names, else the first whose required fields v all has,
// else the first.
func variant(s *openapi3.Schema, alts openapi3.SchemaRefs, v any, depth int) *openapi3.SchemaRef {
	m, _ := v.(map[string]any)
	if m == nil {
		return alts[0]
	}
	if d := s.Discriminator; d != nil {
		if want, ok := m[d.PropertyName].(string); ok {
			for _, a := range alts {
				if subtypeName(s, a.Value) == want {
					return a
				}
			}
		}
		return alts[0]
	}
	for _, a := range alts {
		f := flatTo(a, nil, depth+1)
		if f != nil && !slices.ContainsFunc(f.Required, func(k string) bool { _, ok := m[k]; return !ok }) {
			return a
		}
	}
	return alts[0]
}

// names reports whether base lists sub among its oneOf/anyOf subtypes.
func names(base, sub *openapi3.Schema) bool {
	for _, r := range append(slices.Clone(base.OneOf), base.AnyOf...) {
		if r.Value == sub {
			return true
		}
	}
	return false
}

// subtypeName is the discriminator literal of base's subtype sub: its key
// in the discriminator's mapping, else the name of the schema it refers to.
func subtypeName(base, sub *openapi3.Schema) string {
	for _, r := range append(slices.Clone(base.OneOf), base.AnyOf...) {
		if r.Value != sub {
			continue
		}
		if d := base.Discriminator; d != nil {
			for k, m := range d.Mapping {
				if m.Ref == r.Ref || "#/components/schemas/"+m.Ref == r.Ref {
					return k
				}
			}
		}
		return r.Ref[strings.LastIndexByte(r.Ref, '/')+1:]
	}
	return ""
}

func cmpOr[T any](a, b []T) []T {
	if len(a) > 0 {
		return a
	}
	return b
}

func typeOf(s *openapi3.Schema) string {
	if s.Type != nil && len(s.Type.Slice()) > 0 {
		return s.Type.Slice()[0]
	}
	switch {
	case len(s.Properties) > 0 || s.AdditionalProperties.Schema != nil:
		return openapi3.TypeObject
	case s.Items != nil:
		return openapi3.TypeArray
	}
	return ""
}

func zero(ref *openapi3.SchemaRef, depth int) any {
	s := flat(ref, nil)
	if s == nil {
		return nil
	}
	if s.Default != nil {
		return s.Default
	}
	if len(s.Enum) > 0 {
		return s.Enum[0]
	}
	switch typeOf(s) {
	case openapi3.TypeString:
		return zeroString(s)
	case openapi3.TypeInteger, openapi3.TypeNumber:
		n := 0.0
		if s.Min != nil {
			n = *s.Min
			if b := s.ExclusiveMin.Bool; b != nil && *b {
				n++
			}
		}
		if s.Max != nil && n > *s.Max {
			n = *s.Max
		}
		if typeOf(s) == openapi3.TypeInteger {
			return int64(n)
		}
		return n
	case openapi3.TypeBoolean:
		return false
	case openapi3.TypeArray:
		out := []any{}
		if s.MinItems > 0 && depth < maxDepth {
			for range min(s.MinItems, 3) {
				out = append(out, zero(s.Items, depth+1))
			}
		}
		return out
	case openapi3.TypeObject:
		if depth >= maxDepth {
			return map[string]any{}
		}
		return shape(ref, nil, depth)
	}
	return ""
}

var patternCandidates = []string{"", "a", "0", "1", "abc", "a1", "A", "2025", "1234567890", "12345678901", "AAAA", "en-US", "a-1"}

func zeroString(s *openapi3.Schema) string {
	switch s.Format {
	case "date-time":
		return time.Now().UTC().Format("2006-01-02T15:04:05.000Z")
	case "date":
		return time.Now().UTC().Format("2006-01-02")
	case "uuid":
		return uuid.NewString()
	case "email":
		return "user@example.com"
	case "uri", "url":
		return "https://example.com/"
	case "byte":
		return ""
	}
	// The rest depends on the schema alone (its bounds and pattern, whose
	// compiling is the cost): worked out once per schema of the spec.
	if c, ok := plainZeros.Load(s); ok {
		return c.(string)
	}
	c := plainZero(s)
	plainZeros.Store(s, c)
	return c
}

// plainZeros caches plainZero by schema.
var plainZeros sync.Map // *openapi3.Schema -> string

// plainZero is the plainest string a schema with no format takes: a stock
// value that fits its bounds and pattern, else one its pattern spells out.
func plainZero(s *openapi3.Schema) string {
	want := int(s.MinLength)
	var re *regexp.Regexp
	if s.Pattern != "" {
		var err error
		if re, err = regexp.Compile(s.Pattern); err != nil {
			return strings.Repeat("a", want)
		}
	}
	fit := func(c string) bool {
		if len(c) < want || (s.MaxLength != nil && uint64(len(c)) > *s.MaxLength) {
			return false
		}
		return re == nil || re.MatchString(c)
	}
	for _, c := range patternCandidates {
		if fit(c) {
			return c
		}
	}
	if c, ok := patternExample(s.Pattern); ok {
		if pad := want - len(c); pad > 0 && c != "" {
			c += strings.Repeat(c[len(c)-1:], pad) // often a repeat the minimum length asks more of
		}
		if fit(c) {
			return c
		}
	}
	if want > 0 {
		return strings.Repeat("a", want)
	}
	return ""
}

// patternExample is the shortest string the pattern's syntax spells out
// (each repeat at its least, one for a +, the first branch of an
// alternation, the first character of a class), when the pattern parses.
func patternExample(pattern string) (string, bool) {
	if pattern == "" {
		return "", false
	}
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return "", false
	}
	var b strings.Builder
	var spell func(re *syntax.Regexp, depth int)
	spell = func(re *syntax.Regexp, depth int) {
		if depth > 32 {
			return
		}
		switch re.Op {
		case syntax.OpLiteral:
			b.WriteString(string(re.Rune))
		case syntax.OpCharClass:
			if len(re.Rune) > 0 {
				b.WriteRune(classRune(re.Rune))
			}
		case syntax.OpAnyChar, syntax.OpAnyCharNotNL:
			b.WriteByte('a')
		case syntax.OpCapture:
			spell(re.Sub[0], depth+1)
		case syntax.OpPlus:
			spell(re.Sub[0], depth+1)
		case syntax.OpRepeat:
			for range min(re.Min, 64) {
				spell(re.Sub[0], depth+1)
			}
		case syntax.OpConcat:
			for _, sub := range re.Sub {
				spell(sub, depth+1)
			}
		case syntax.OpAlternate:
			spell(re.Sub[0], depth+1)
		}
	}
	spell(re, 0)
	return b.String(), true
}

// classRune is a readable rune of a character class (pairs of bounds): a
// digit, letter or the first rune it holds.
func classRune(ranges []rune) rune {
	for _, pref := range []rune{'1', 'a', 'A', '0'} {
		for i := 0; i+1 < len(ranges); i += 2 {
			if ranges[i] <= pref && pref <= ranges[i+1] {
				return pref
			}
		}
	}
	return ranges[0]
}

func shape(ref *openapi3.SchemaRef, v any, depth int) any {
	s := flat(ref, v)
	if s == nil {
		return v
	}
	if depth > maxDepth {
		return zeroFlat(s)
	}
	switch typeOf(s) {
	case openapi3.TypeObject:
		m, _ := v.(map[string]any)
		out := map[string]any{}
		if len(s.Properties) == 0 {
			// A map: keep the entries, shaped by the value schema if any.
			for k, e := range m {
				if e == nil {
					continue
				}
				if as := s.AdditionalProperties.Schema; as != nil {
					e = shape(as, e, depth+1)
				}
				out[k] = e
			}
			return out
		}
		required := map[string]bool{}
		for _, r := range s.Required {
			required[r] = true
		}
		for k, p := range s.Properties {
			if pv, ok := m[k]; ok && pv != nil {
				out[k] = shape(p, pv, depth+1)
				continue
			}
			if p.Value != nil && p.Value.Default != nil {
				out[k] = p.Value.Default
			} else if required[k] {
				out[k] = zero(p, depth+1)
			}
		}
		return out
	case openapi3.TypeArray:
		l, ok := v.([]any)
		if !ok {
			return zero(ref, depth)
		}
		out := make([]any, 0, len(l))
		for _, e := range l {
			out = append(out, shape(s.Items, e, depth+1))
		}
		return out
	case openapi3.TypeString:
		str, ok := v.(string)
		if !ok {
			return zero(ref, depth)
		}
		if len(s.Enum) > 0 && !inEnum(s.Enum, str) {
			return s.Enum[0]
		}
		return str
	case openapi3.TypeInteger:
		if f, ok := v.(float64); ok && f == float64(int64(f)) {
			return v
		}
		if _, ok := v.(int64); ok {
			return v
		}
		return zero(ref, depth)
	case openapi3.TypeNumber:
		switch v.(type) {
		case float64, int64, int:
			return v
		}
		return zero(ref, depth)
	case openapi3.TypeBoolean:
		if _, ok := v.(bool); ok {
			return v
		}
		return zero(ref, depth)
	}
	if v == nil {
		return zeroFlat(s)
	}
	return v
}

func zeroFlat(s *openapi3.Schema) any {
	return zero(&openapi3.SchemaRef{Value: s}, maxDepth+1)
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if e == v {
			return true
		}
	}
	return false
}
