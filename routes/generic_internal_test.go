package routes

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakealianza/fakealianza/openapi"
	"github.com/fakealianza/fakealianza/store"
)

// A generic create fills the fields its partition holds defaults for, where
// the object's schema has them and the request leaves them out (a JSON null
// is left out); a given value wins, and the partition's value comes before
// the schema's own default.
func TestGenericCreateTakesPartitionDefaults(t *testing.T) {
	const pid = "fakePartitionDefault01"
	st, err := store.New(store.State{Partitions: []store.Partition{{
		ID: pid, Name: "Defaults", DefaultTimeZone: "US/Eastern", DefaultHoldTimeoutSeconds: 45,
		DefaultExtensionLength: 3, DefaultSimpleDialingBehaviorType: "SEVEN_DIGIT",
		DefaultAdvancedDialingBehaviorType: "DIAL_NINE_TEN_DIGIT", DefaultDirectoryListingType: "LIST_PUBLISH",
	}}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &api{deps: Deps{Store: st}}
	str := func() *openapi3.SchemaRef { return openapi3.NewStringSchema().NewRef() }
	hold := openapi3.NewIntegerSchema()
	hold.Default = int64(180)
	full := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{
		"id": str(), "name": str(), "accountType": str(), "timeZone": str(), "dialingBehaviorType": str(),
		"directoryListingType": str(), "holdTimeoutSeconds": hold.NewRef(),
		"extensionLength": openapi3.NewIntegerSchema().NewRef(),
	}}
	bare := &openapi3.Schema{Type: &openapi3.Types{openapi3.TypeObject}, Properties: openapi3.Schemas{"id": str(), "name": str()}}
	plan := func(s *openapi3.Schema) *genericPlan {
		return &genericPlan{
			op:   &openapi.Operation{ID: "createThing", Method: http.MethodPost, Path: "/v2/partition/{partitionId}/thing"},
			kind: genCreate, status: http.StatusOK, resp: s.NewRef(), idField: "id",
		}
	}
	fromPartition := map[string]any{
		"timeZone": "US/Eastern", "holdTimeoutSeconds": 45, "extensionLength": 3,
		"dialingBehaviorType": "DIAL_NINE_TEN_DIGIT", "directoryListingType": "LIST_PUBLISH",
	}
	for _, c := range []struct {
		name   string
		schema *openapi3.Schema
		body   string
		want   map[string]any // the fields checked; nil: absent
	}{
		{"nothing given", full, `{}`, fromPartition},
		{"a simple account's dialing", full, `{"accountType":"SIMPLE"}`, map[string]any{"dialingBehaviorType": "SEVEN_DIGIT"}},
		{"given values win", full, `{"timeZone":"US/Pacific","holdTimeoutSeconds":60,"extensionLength":5}`,
			map[string]any{"timeZone": "US/Pacific", "holdTimeoutSeconds": 60, "extensionLength": 5, "directoryListingType": "LIST_PUBLISH"}},
		{"null is not given", full, `{"timeZone":null,"dialingBehaviorType":null}`,
			map[string]any{"timeZone": "US/Eastern", "dialingBehaviorType": "DIAL_NINE_TEN_DIGIT"}},
		{"only fields the schema has", bare, `{}`, map[string]any{"timeZone": nil, "holdTimeoutSeconds": nil}},
	} {
		r := &Request{
			Request: httptest.NewRequest(http.MethodPost, "/v2/partition/"+pid+"/thing", nil),
			Vars:    map[string]string{"partitionId": pid}, Body: []byte(c.body),
		}
		resp, err := a.serveGeneric(plan(c.schema), r)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, _ := resp.Body.(map[string]any)
		for k, want := range c.want {
			if v, w := fmt.Sprint(got[k]), fmt.Sprint(want); v != w {
				t.Errorf("%s: %s = %s, want %s", c.name, k, v, w)
			}
		}
		// What the answer says is what was stored.
		o, ok := st.GenericGet("/v2/partition/" + pid + "/thing/" + got["id"].(string))
		if b1, b2 := fmt.Sprint(o.Body["timeZone"]), fmt.Sprint(got["timeZone"]); !ok || b1 != b2 {
			t.Errorf("%s: stored timeZone %s, answered %s", c.name, b1, b2)
		}
	}
}
