package routes_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/openapi"
)

// properties lists a schema's fields, allOf members' included.
func properties(s *openapi3.Schema) openapi3.Schemas {
	out := openapi3.Schemas{}
	for _, part := range s.AllOf {
		if part.Value != nil {
			for k, v := range properties(part.Value) {
				out[k] = v
			}
		}
	}
	for k, v := range s.Properties {
		out[k] = v
	}
	return out
}

// withNulls returns body with a JSON null for every field the schema knows
// and body leaves out, at every depth (objects inside arrays too).
func withNulls(s *openapi3.Schema, body any) any {
	switch v := body.(type) {
	case map[string]any:
		out := map[string]any{}
		for name, ps := range properties(s) {
			given, ok := v[name]
			if !ok {
				out[name] = nil
				continue
			}
			out[name] = withNulls(ps.Value, given)
		}
		for name, given := range v {
			if _, ok := out[name]; !ok {
				out[name] = given
			}
		}
		return out
	case []any:
		if s.Items == nil || s.Items.Value == nil {
			return v
		}
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = withNulls(s.Items.Value, e)
		}
		return out
	}
	return body
}

// nullBody is body with nulls everywhere operation opID's request schema
// allows a field.
func nullBody(t *testing.T, spec *openapi.Spec, opID string, body map[string]any) map[string]any {
	t.Helper()
	op, ok := spec.Operation(opID)
	if !ok || op.Route().Operation.RequestBody == nil {
		t.Fatalf("operation %s has no request body in the spec", opID)
	}
	mt := op.Route().Operation.RequestBody.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		t.Fatalf("operation %s has no JSON body schema", opID)
	}
	out := withNulls(mt.Schema.Value, body).(map[string]any)
	nulls := 0
	for _, v := range out {
		if v == nil {
			nulls++
		}
	}
	if nulls == 0 {
		t.Fatalf("%s: no null added to %v", opID, body)
	}
	return out
}

// TestNullIsNotGiven sends every core create with a JSON null in each field
// its schema allows (and server-owned fields set): each succeeds as if those
// keys were left out, and the server's own fields win.
func TestNullIsNotGiven(t *testing.T) {
	spec, err := openapi.Load()
	if err != nil {
		t.Fatal(err)
	}
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)

	acct := c.create(alphaP+"/account", nullBody(t, spec, "createAccount", map[string]any{
		"id": "string", "partitionId": "fakePartitionBravo0002", "endUserCount": 42,
		"accountNumber": "NULL-1", "accountName": "Nulls Corp", "timeZone": "US/Eastern", "accountType": "ADVANCED",
		"callingPlans": []any{map[string]any{"callingPlanProductId": "fakePlanAlphaStandard1"}},
	}), http.StatusOK)
	acctID, _ := acct["id"].(string)
	if acctID == "string" || len(acctID) != 22 || acct["partitionId"] != fatest.AlphaPartition ||
		acct["endUserCount"] != float64(0) || acct["accountName"] != "Nulls Corp" || acct["status"] != "ACTIVE" {
		t.Fatalf("account: %v", acct)
	}
	A := alphaP + "/account/" + acctID

	user := c.create(A+"/user", nullBody(t, spec, "createEndUser", map[string]any{
		"id": nil, "voicemailBoxId": nil, "accountId": "someone-else", "welcomeEmailSent": "2001-01-01T00:00:00.000Z",
		"firstName": "Nia", "lastName": "Null",
		"extension": "2001", "username": "nia@nulls.example.com",
		"callingPlans":         []any{map[string]any{"id": nil, "callingPlanProductId": "fakePlanAlphaStandard1"}},
		"callerIdConfig":       map[string]any{"externalCallerIdVisible": true},
		"callHandlingSettings": map[string]any{"doNotDisturbEnabled": false},
	}), http.StatusOK)
	userID, _ := user["id"].(string)
	if len(userID) != 22 || user["accountId"] != acctID || user["voicemailBoxId"] == nil || user["firstName"] != "Nia" ||
		user["welcomeEmailSent"] == "2001-01-01T00:00:00.000Z" {
		t.Fatalf("end user: %v", user)
	}

	line := c.create(A+"/deviceline", nullBody(t, spec, "createDevice", map[string]any{
		"id": "mine", "emergencyNumberReservationId": nil, "deviceTypeId": "VVX400", "deviceName": "Nia desk",
		"macAddress": "0004F2ABCD01", "lineNumber": 1, "userId": userID,
	}), http.StatusCreated)
	if id, _ := line["id"].(string); id == "mine" || len(id) != 22 || line["userId"] != userID || line["emergencyNumber"] != "" {
		t.Fatalf("device line: %v", line)
	}

	au := c.create(A+"/accountuser", nullBody(t, spec, "createAccountUser", map[string]any{
		"id": "x", "username": "boss@nulls.example.com", "firstName": "Bos", "lastName": "Null",
	}), http.StatusOK)
	if id, _ := au["id"].(string); id == "x" || au["username"] != "boss@nulls.example.com" {
		t.Fatalf("account user: %v", au)
	}

	trunk := c.create(A+"/siptrunk_2", nullBody(t, spec, "createSipTrunk", map[string]any{
		"id": "x", "trunkName": "Null PBX", "sipUsername": "nullpbx01", "sipPassword": "s3cret!", "concurrentCalls": 3,
	}), http.StatusOK)
	if id, _ := trunk["id"].(string); id == "x" || trunk["trunkName"] != "Null PBX" || trunk["concurrentCalls"] != float64(3) {
		t.Fatalf("trunk: %v", trunk)
	}

	csr, tn := serviceAddress(c, "Nulls Corp")
	act := c.create(A+"/telephonenumber", nullBody(t, spec, "createOrAddTelephoneNumberToAccount", map[string]any{
		"id": "x", "customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": tn, "referenceType": "END_USER", "referenceId": userID}},
	}), http.StatusOK)
	nums, _ := act["telephoneNumbers"].([]any)
	if act["id"] == "x" || len(nums) != 1 || nums[0].(map[string]any)["id"] != tn {
		t.Fatalf("activation: %v", act)
	}

	// a PATCH with nulls changes nothing it names
	got := c.do(http.MethodPatch, A, map[string]any{"accountName": nil, "timeZone": nil, "customField": "c-1"}, http.StatusOK).Map(t)
	if got["accountName"] != "Nulls Corp" || got["timeZone"] != "US/Eastern" || got["customField"] != "c-1" {
		t.Fatalf("patch with nulls: %v", got)
	}
	// what is given is still validated
	c.fails(http.MethodPost, A+"/user", map[string]any{"firstName": "Nia", "lastName": "Null", "id": nil, "extension": "20x1"},
		http.StatusBadRequest, "InvalidExtension")
}

// serviceAddress validates a Salt Lake City address as a business's customer
// service record and finds a free number near it.
func serviceAddress(c caller, business string) (csr map[string]any, tn string) {
	c.t.Helper()
	v := c.do(http.MethodGet, "/v2/address/validate?"+url.Values{"address": {"100 Main St, Salt Lake City, UT"},
		"country": {"USA"}, "postalCode": {"84101"}}.Encode(), nil, http.StatusOK).Map(c.t)
	csr, _ = v["customerServiceRecord"].(map[string]any)
	if csr == nil {
		c.t.Fatalf("validate: %v", v)
	}
	csr["businessName"], csr["customerType"] = business, "BUSINESS"
	var hits []map[string]any
	c.do(http.MethodGet, alphaP+"/telephonenumber/search?q=84101&maxResults=1", nil, http.StatusOK).Decode(c.t, &hits)
	if len(hits) != 1 {
		c.t.Fatalf("search: %v", hits)
	}
	return csr, hits[0]["phoneNumber"].(string)
}
