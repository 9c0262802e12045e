package routes_test

import (
	"net/http"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestSwaps: the per-user device swap moves the device and frees the old
// MAC; the calling plan swaps replace the plans of an account or an end
// user with one of the new product.
func TestSwaps(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	u := c.create(A+"/user", map[string]any{"lastName": "Swapper", "extension": "2600"}, http.StatusOK)["id"].(string)
	other := c.create(A+"/user", map[string]any{"lastName": "Other", "extension": "2601"}, http.StatusOK)["id"].(string)
	line := c.create(A+"/user/"+u+"/device", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Desk", "macAddress": "0004F2C0FFEE", "lineNumber": 1}, http.StatusCreated)["id"].(string)
	S := A + "/user/" + u + "/device/" + line + "/swap"

	for _, c2 := range []struct {
		name, path string
		body       map[string]any
		code       string
	}{
		{"a MAC in use", S, map[string]any{"macAddress": "c8d71903a0b1", "deviceTypeId": "VVX400", "deviceName": "x"}, "DuplicateMACAddress"},
		{"a bad MAC", S, map[string]any{"macAddress": "nope", "deviceTypeId": "VVX400", "deviceName": "x"}, "InvalidMacAddress"},
		// the per-user swap declares no 404: what is not there is a 400
		{"an unknown device type", S, map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "NOPE", "deviceName": "x"}, "EntityNotFound"},
		{"another user's line", A + "/user/" + other + "/device/" + line + "/swap", map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "VVX400", "deviceName": "x"}, "EntityNotFound"},
	} {
		t.Run(c2.name, func(t *testing.T) {
			c := login(t, srv, fatest.AdminUser)
			c.fails(http.MethodPost, c2.path, c2.body, http.StatusBadRequest, c2.code)
		})
	}
	sw := c.do(http.MethodPost, S, map[string]any{"macAddress": "0004F2C0FFEF", "deviceTypeId": "VVX500", "deviceName": "New desk"}, http.StatusOK).Map(t)
	if sw["id"] != line || sw["macAddress"] != "0004F2C0FFEF" || sw["deviceTypeId"] != "VVX500" || sw["userId"] != u {
		t.Fatalf("swap: %v", sw)
	}
	if got := c.do(http.MethodGet, A+"/deviceline/"+line, nil, http.StatusOK).Map(t); got["macAddress"] != "0004F2C0FFEF" {
		t.Fatalf("stored line after the swap: %v", got)
	}
	c.fails(http.MethodGet, A+"/device/0004F2C0FFEE", nil, http.StatusNotFound, "EntityNotFound")
	// the old MAC is free again
	c.create(A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Reuse", "macAddress": "0004F2C0FFEE", "lineNumber": 1, "userId": other}, http.StatusCreated)

	plans := func(query string) []map[string]any {
		var list []map[string]any
		c.do(http.MethodGet, A+"/callingplan?"+query, nil, http.StatusOK).Decode(t, &list)
		return list
	}
	for _, c2 := range []struct {
		name, path, query, refType, refID string
	}{
		{"account", A + "/callingplanswap", "referenceType=ACCOUNT", "ACCOUNT", "fakeAcct00000000000001"},
		{"end user", A + "/user/" + u + "/callingplanswap", "referenceType=END_USER&referenceId=" + u, "END_USER", u},
	} {
		t.Run(c2.name, func(t *testing.T) {
			c := login(t, srv, fatest.AdminUser)
			if before := plans(c2.query); len(before) == 0 || before[0]["callingPlanProductId"] == "fakePlanAlphaUnlimitd1" {
				t.Fatalf("plans before %v", before)
			}
			var got []map[string]any
			c.do(http.MethodPost, c2.path, map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1", "newMinutesUsed": 10}, http.StatusOK).Decode(t, &got)
			after := plans(c2.query)
			if len(got) != 1 || len(after) != 1 || after[0]["id"] != got[0]["id"] ||
				got[0]["callingPlanProductId"] != "fakePlanAlphaUnlimitd1" || got[0]["referenceType"] != c2.refType ||
				got[0]["referenceId"] != c2.refID || got[0]["secondsRemaining"] != float64((50000-10)*60) {
				t.Fatalf("swap answered %v, stored %v", got, after)
			}
			c.fails(http.MethodPost, c2.path, map[string]any{"newMinutesUsed": 1}, http.StatusBadRequest, "CallingPlanProductIdRequired")
			c.fails(http.MethodPost, c2.path, map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1", "newMinutesUsed": -1}, http.StatusBadRequest, "InvalidValueForField:newMinutesUsed")
		})
	}
	// the account swap declares a 404; the end user's swap a 400 only
	c.fails(http.MethodPost, A+"/callingplanswap", map[string]any{"swapCallingPlanProductId": "nope"}, http.StatusNotFound, "EntityNotFound")
	c.fails(http.MethodPost, A+"/user/nobody/callingplanswap", map[string]any{"swapCallingPlanProductId": "fakePlanAlphaUnlimitd1"}, http.StatusBadRequest, "EntityNotFound")
	if list := plans("referenceType=END_USER&referenceId=" + other); len(list) != 1 || list[0]["callingPlanProductId"] == "fakePlanAlphaUnlimitd1" {
		t.Fatalf("another user's plans changed: %v", list)
	}
}
