package openapi

import (
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// Shape and Zero follow a discriminator: the subtype the tag names gives
// the fields kept, the required ones filled, and the tag itself.
func TestShapeFollowsTheSubtype(t *testing.T) {
	s, err := Parse(Embedded(), EmbeddedGeneric())
	if err != nil {
		t.Fatal(err)
	}
	schema := func(name string) *openapi3.SchemaRef {
		if op, ok := s.Operation(name); ok {
			return op.Route().Operation.Responses.Value("200").Value.Content.Get("application/json").Schema
		}
		return s.Doc.Components.Schemas[name]
	}
	cases := []struct {
		name, schema string
		in           any
		want         any
	}{
		{"another subtype's field dropped", "RingTimeoutConfiguration",
			map[string]any{"@type": "UnlimitedRingTimeoutConfiguration", "timeoutSeconds": 5.0},
			map[string]any{"@type": "UnlimitedRingTimeoutConfiguration"}},
		{"own fields kept, required filled", "RingTimeoutConfiguration",
			map[string]any{"@type": "LimitedRingTimeoutConfiguration", "timeoutSeconds": 5.0},
			map[string]any{"@type": "LimitedRingTimeoutConfiguration", "timeoutSeconds": 5.0,
				"noAnswerAction": map[string]any{"@type": "BusyRingFailoverAction"}}},
		{"a subtype's required field", "RingFailoverAction",
			map[string]any{"@type": "ForwardRingFailoverAction"},
			map[string]any{"@type": "ForwardRingFailoverAction", "forwardToPhoneNumber": "0"}},
		{"an unknown tag is the first subtype", "RingFailoverAction",
			map[string]any{"@type": "Nothing", "forwardToPhoneNumber": "1"},
			map[string]any{"@type": "BusyRingFailoverAction"}},
		{"a subtype named directly keeps its tag", "VoicemailRingFailoverAction",
			map[string]any{},
			map[string]any{"@type": "VoicemailRingFailoverAction"}},
		{"no discriminator: the first subtype whose required fields are there", "deviceGraph",
			map[string]any{"tnas": []any{}, "macAddress": "00AABBCCDDEE"},
			map[string]any{"tnas": []any{}, "macAddress": "00AABBCCDDEE"}},
		{"no discriminator, no subtype's required fields: the first", "deviceGraph",
			map[string]any{"macAddress": "00AABBCCDDEE"},
			map[string]any{"telephoneNumbers": []any{}, "macAddress": "00AABBCCDDEE"}},
	}
	for _, c := range cases {
		if got := Shape(schema(c.schema), c.in); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s: Shape(%s, %v) = %v, want %v", c.name, c.schema, c.in, got, c.want)
		}
	}
	// Zero's tag names the subtype whose fields it holds.
	if got, want := Zero(schema("RingTimeoutConfiguration")), map[string]any{
		"@type": "LimitedRingTimeoutConfiguration", "noAnswerAction": map[string]any{"@type": "BusyRingFailoverAction"},
	}; !reflect.DeepEqual(got, want) {
		t.Errorf("Zero = %v, want %v", got, want)
	}
}

// Zero's strings keep their schema's pattern and lengths, also where no
// stock candidate does.
func TestZeroStringKeepsThePattern(t *testing.T) {
	for _, c := range []struct {
		pattern   string
		minLength uint64
		want      string
	}{
		{`\*d+`, 0, "*d"}, // the vendor's star code (a literal d)
		{`^\*\d+$`, 0, "*1"},
		{`^[A-F0-9]{12}$`, 0, "111111111111"},
		{`^(ab|cd)-x?[0-9]+$`, 0, "ab-1"},
		{`^\d{3}-\d{4}$`, 0, "111-1111"},
		{`^#\d+$`, 4, "#111"},
		{`^[a-z]+$`, 0, "a"},
	} {
		s := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeString}, Pattern: c.pattern, MinLength: c.minLength}
		if got := Zero(&openapi3.SchemaRef{Value: s}); got != c.want {
			t.Errorf("Zero(pattern %q, minLength %d) = %q, want %q", c.pattern, c.minLength, got, c.want)
		}
	}
}
