package routes_test

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// The seed's voice products on the Acme account.
const (
	acme            = "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	seedBusinessLn  = "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c01"
	seedHuntGroup   = "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c02"
	seedSpecialtyLn = "5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c03"
	seedPlan        = "fakePlanAlphaStandard1"
)

var uuidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

type voiceClient struct {
	t   *testing.T
	srv *fatest.Server
	tok string
}

func newVoiceClient(t *testing.T) *voiceClient {
	srv := fatest.New(t)
	return &voiceClient{t: t, srv: srv, tok: srv.Admin(t)}
}

func (c *voiceClient) call(method, path string, body any) *fatest.Resp {
	c.t.Helper()
	return c.srv.Call(c.t, method, path, body, fatest.Auth(c.tok))
}

// want asserts a status and returns the response.
func (c *voiceClient) want(status int, method, path string, body any) *fatest.Resp {
	c.t.Helper()
	r := c.call(method, path, body)
	if r.Status != status {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, status)
	}
	return r
}

// specialtyError decodes a SpecialtyLineErrorResponse.
func specialtyError(t *testing.T, r *fatest.Resp) (code, message, trace string) {
	t.Helper()
	var e struct{ ErrorCode, Message, TraceID string }
	r.Decode(t, &e)
	var raw map[string]any
	r.Decode(t, &raw)
	if _, ok := raw["status"]; ok {
		t.Fatalf("specialty-line error in the envelope: %s", r.Body)
	}
	return e.ErrorCode, e.Message, raw["traceId"].(string)
}

func specialtyBody(mods map[string]any) map[string]any {
	b := map[string]any{
		"name": "Gate", "callerId": "18015550103", "e911CallbackNumber": "18015550103",
		"callingPlanIds": []string{seedPlan},
	}
	for k, v := range mods {
		if v == nil {
			delete(b, k)
		} else {
			b[k] = v
		}
	}
	return b
}

// A specialty line is created with 201: a UUID, the MAC lower-cased, the
// SIP password echoed, credentials generated when left out, and
// linkedPhoneNumbers absent until a number routes to it.
func TestSpecialtyLineCreate(t *testing.T) {
	c := newVoiceClient(t)
	r := c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{
		"macAddress": "00:AA:BB:CC:DD:EE", "portNumber": 2, "deviceType": "SIP_4_Port_MTA",
		"sipUsername": "gate-line-01", "sipPassword": "gateSecret9",
	}))
	m := r.Map(t)
	id, _ := m["id"].(string)
	if !uuidPattern.MatchString(id) || m["macAddress"] != "00:aa:bb:cc:dd:ee" || m["sipPassword"] != "gateSecret9" ||
		m["sipUsername"] != "gate-line-01" || m["deviceId"] == nil || m["portNumber"] != float64(2) {
		t.Fatalf("created %v", m)
	}
	if _, ok := m["linkedPhoneNumbers"]; ok {
		t.Fatalf("linkedPhoneNumbers before any number routes: %v", m)
	}
	gen := c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{"name": "Bare"})).Map(t)
	if u, _ := gen["sipUsername"].(string); len(u) < 8 {
		t.Fatalf("generated sipUsername %v", gen)
	}
	if p, _ := gen["sipPassword"].(string); len(p) < 6 {
		t.Fatalf("generated sipPassword %v", gen)
	}
	var list []map[string]any
	c.want(http.StatusOK, http.MethodGet, acme+"/specialty-line", nil).Decode(t, &list)
	if len(list) != 3 {
		t.Fatalf("list: %d lines, want the seed's and two new", len(list))
	}
	got := c.want(http.StatusOK, http.MethodGet, acme+"/specialty-line/"+id, nil).Map(t)
	if got["name"] != "Gate" || !slices.Equal(anyStrings(got["callingPlanIds"]), []string{seedPlan}) {
		t.Fatalf("read %v", got)
	}
}

func anyStrings(v any) []string {
	l, _ := v.([]any)
	out := make([]string, 0, len(l))
	for _, x := range l {
		s, _ := x.(string)
		out = append(out, s)
	}
	return out
}

// Every rule of the specialty-line service answers its own error body.
func TestSpecialtyLineErrors(t *testing.T) {
	c := newVoiceClient(t)
	cases := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"no name", specialtyBody(map[string]any{"name": nil}), 400, "NameRequired"},
		{"no callerId", specialtyBody(map[string]any{"callerId": nil}), 400, "CallerIdRequired"},
		{"no e911CallbackNumber", specialtyBody(map[string]any{"e911CallbackNumber": nil}), 400, "E911CallbackNumberRequired"},
		{"no callingPlanIds", specialtyBody(map[string]any{"callingPlanIds": nil}), 400, "CallingPlanIdsRequired"},
		{"empty callingPlanIds", specialtyBody(map[string]any{"callingPlanIds": []string{}}), 400, "CallingPlanIdsRequired"},
		{"unknown plan", specialtyBody(map[string]any{"callingPlanIds": []string{"nope"}}), 400, "InvalidValueForField:callingPlanIds"},
		{"plan of another partition", specialtyBody(map[string]any{"callingPlanIds": []string{"fakePlanBravoStandard1"}}), 400, "InvalidValueForField:callingPlanIds"},
		{"bad callerId", specialtyBody(map[string]any{"callerId": "555"}), 400, "InvalidValueForField:callerId"},
		{"bad MAC", specialtyBody(map[string]any{"macAddress": "zz:zz"}), 400, "InvalidValueForField:macAddress"},
		{"port beyond the MTA", specialtyBody(map[string]any{"macAddress": "001122334455", "deviceType": "SIP_2_Port_MTA", "portNumber": 3}), 400, "InvalidValueForField:portNumber"},
		{"port without MAC", specialtyBody(map[string]any{"portNumber": 1}), 400, "MacAddressRequired"},
		{"MAC and port taken", specialtyBody(map[string]any{"macAddress": "00-1A-2B-3C-4D-5E", "portNumber": 1}), 409, "DeviceAlreadyExists"},
		{"SIP username taken by a trunk", specialtyBody(map[string]any{"sipUsername": "ACME-PBX-TRUNK"}), 400, "SipUsernameInUse"},
		{"SIP username taken by a specialty line", specialtyBody(map[string]any{"sipUsername": "acme-elevator-1"}), 400, "SipUsernameInUse"},
		{"short SIP password", specialtyBody(map[string]any{"sipPassword": "abc"}), 400, "InvalidValueForField:sipPassword"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := c.want(tc.status, http.MethodPost, acme+"/specialty-line", tc.body)
			code, msg, trace := specialtyError(t, r)
			if code != tc.code || msg == "" || trace == "" {
				t.Fatalf("error %q %q %q, want %s", code, msg, trace, tc.code)
			}
			if tc.status == http.StatusConflict && msg != "Device already exists: MAC and Port combination must be unique" {
				t.Fatalf("409 message %q", msg)
			}
		})
	}
	// Another port of the same MTA is fine and shares its device.
	r := c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line",
		specialtyBody(map[string]any{"macAddress": "001A2B3C4D5E", "portNumber": 2})).Map(t)
	if r["deviceId"] != "fakeMta000000000000001" || r["macAddress"] != "001a2b3c4d5e" {
		t.Fatalf("second port: %v", r)
	}
	r404 := c.want(http.StatusNotFound, http.MethodGet, acme+"/specialty-line/nope", nil)
	if code, _, _ := specialtyError(t, r404); code != "EntityNotFound" {
		t.Fatalf("404 code %s", code)
	}
}

// validate-sip-username answers from the state: device lines, trunks and
// specialty lines share one namespace.
func TestValidateSipUsername(t *testing.T) {
	c := newVoiceClient(t)
	cases := []struct {
		username string
		status   int
		body     string
	}{
		{"acme-pbx-trunk", 200, "false"},  // a trunk's
		{"ACME-ELEVATOR-1", 200, "false"}, // a specialty line's, any case
		{"brand-new-name", 200, "true"},
		{"short", 400, ""},
	}
	for _, tc := range cases {
		r := c.want(tc.status, http.MethodPost, "/v2/rpc/specialty-line/validate-sip-username", map[string]any{"username": tc.username})
		if tc.status == 200 && string(r.Body) != tc.body {
			t.Errorf("%s: %s, want %s", tc.username, r.Body, tc.body)
		}
		if tc.status == 400 {
			if code, _, _ := specialtyError(t, r); code != "InvalidSipUsername" {
				t.Errorf("%s: code %s", tc.username, code)
			}
		}
	}
	// The namespace is the partition's: Alpha's names are free in Bravo.
	bravo := &voiceClient{t: t, srv: c.srv, tok: c.srv.Login(t, fatest.BravoAdminUser, fatest.Password)}
	for _, name := range []string{"acme-pbx-trunk", "ACME-ELEVATOR-1"} {
		if r := bravo.want(200, http.MethodPost, "/v2/rpc/specialty-line/validate-sip-username", map[string]any{"username": name}); string(r.Body) != "true" {
			t.Errorf("%s in Bravo: %s, want true", name, r.Body)
		}
	}
	// Once a line takes the name, it is no longer free; deleting frees it.
	id := c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line",
		specialtyBody(map[string]any{"sipUsername": "brand-new-name"})).Map(t)["id"].(string)
	if r := c.want(200, http.MethodPost, "/v2/rpc/specialty-line/validate-sip-username", map[string]any{"username": "brand-new-name"}); string(r.Body) != "false" {
		t.Fatalf("after create: %s", r.Body)
	}
	c.want(http.StatusNoContent, http.MethodDelete, acme+"/specialty-line/"+id, nil)
	if r := c.want(200, http.MethodPost, "/v2/rpc/specialty-line/validate-sip-username", map[string]any{"username": "brand-new-name"}); string(r.Body) != "true" {
		t.Fatalf("after delete: %s", r.Body)
	}
}

// Numbers route to business lines, hunt groups and specialty lines of the
// account; the target's GET shows its numbers (specialty lines); deleting
// the target unroutes them.
func TestNumbersRouteToVoiceProducts(t *testing.T) {
	c := newVoiceClient(t)
	const tn = "18015550103"
	route := func(refType, refID string) *fatest.Resp {
		return c.call(http.MethodPut, acme+"/telephonenumber/"+tn+"/destination", map[string]any{"referenceType": refType, "referenceId": refID})
	}
	routed := func() (string, string) {
		m := c.want(http.StatusOK, http.MethodGet, acme+"/telephonenumber/"+tn, nil).Map(t)
		rt, _ := m["referenceType"].(string)
		ri, _ := m["referenceId"].(string)
		return rt, ri
	}
	// Objects of another account are refused.
	other := c.want(http.StatusOK, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account",
		map[string]any{"accountName": "Other", "accountType": "ADVANCED", "accountNumber": "OTH-1"}).Map(t)["id"].(string)
	otherLine := c.want(http.StatusOK, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account/"+other+"/business-line",
		map[string]any{"name": "Elsewhere", "accountId": other, "partitionId": fatest.AlphaPartition}).Map(t)["id"].(string)
	cg := c.want(http.StatusCreated, http.MethodPost, acme+"/group", map[string]any{"name": "Sales"}).Map(t)["id"].(string)
	ivr := c.want(http.StatusOK, http.MethodPost, acme+"/ivr", map[string]any{"name": "Main menu", "ivrComponents": []any{}, "ivrComponentMappings": []any{}}).Map(t)["id"].(string)
	fax := c.want(http.StatusOK, http.MethodPost, acme+"/vfax", map[string]any{"name": "Fax"}).Map(t)["id"].(string)

	refused := []struct{ refType, refID string }{
		{"BUSINESS_LINE", "nope"}, {"BUSINESS_LINE", otherLine}, {"BUSINESS_LINE_HUNT_GROUP", seedBusinessLn},
		{"SPECIALTY_LINE", seedBusinessLn}, {"CALL_GROUP", "nope"}, {"IVR", fax}, {"VFAX", cg}, {"CALL_QUEUE", "x"},
	}
	for _, rc := range refused {
		r := route(rc.refType, rc.refID)
		if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != "InvalidReferenceId" {
			t.Errorf("route to %s %s: %d %s", rc.refType, rc.refID, r.Status, r.Body)
		}
	}
	targets := []struct {
		refType, refID, deletePath string
	}{
		{"SPECIALTY_LINE", seedSpecialtyLn, acme + "/specialty-line/" + seedSpecialtyLn},
		{"BUSINESS_LINE_HUNT_GROUP", seedHuntGroup, acme + "/business-line-hunt-group/" + seedHuntGroup},
		{"BUSINESS_LINE", seedBusinessLn, acme + "/business-line/" + seedBusinessLn},
		{"CALL_GROUP", cg, acme + "/group/" + cg},
		{"AUTO_ATTENDANT", ivr, ""},
		{"IVR", ivr, acme + "/ivr/" + ivr},
		{"VFAX", fax, acme + "/vfax/" + fax},
	}
	for _, tg := range targets {
		t.Run(tg.refType, func(t *testing.T) {
			if r := route(tg.refType, tg.refID); r.Status/100 != 2 {
				t.Fatalf("route: %d %s", r.Status, r.Body)
			}
			if rt, ri := routed(); rt != tg.refType || ri != tg.refID {
				t.Fatalf("routed to %s %s", rt, ri)
			}
			if tg.refType == "SPECIALTY_LINE" {
				m := c.want(http.StatusOK, http.MethodGet, acme+"/specialty-line/"+tg.refID, nil).Map(t)
				if !slices.Equal(anyStrings(m["linkedPhoneNumbers"]), []string{tn}) {
					t.Fatalf("linkedPhoneNumbers %v", m["linkedPhoneNumbers"])
				}
			}
			if tg.deletePath == "" {
				return
			}
			if r := c.call(http.MethodDelete, tg.deletePath, nil); r.Status/100 != 2 {
				t.Fatalf("delete: %d %s", r.Status, r.Body)
			}
			if rt, ri := routed(); rt != "" || ri != "" {
				t.Fatalf("after the target's delete still routed to %s %s", rt, ri)
			}
		})
	}
}

// Business lines: callerIdName is filled, their numbers must be the
// account's, call handling reads and writes.
func TestBusinessLineRules(t *testing.T) {
	c := newVoiceClient(t)
	base := acme + "/business-line"
	line := func(mods map[string]any) map[string]any {
		b := map[string]any{"name": "Shop Floor", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition}
		for k, v := range mods {
			b[k] = v
		}
		return b
	}
	hidden := c.want(http.StatusOK, http.MethodPost, base, line(nil)).Map(t)
	if hidden["callerIdName"] != "ANONYMOUS" || !uuidPattern.MatchString(hidden["id"].(string)) {
		t.Fatalf("hidden caller id: %v", hidden)
	}
	shown := c.want(http.StatusOK, http.MethodPost, base, line(map[string]any{"callerIdVisible": true, "callerIdPhoneNumber": "18015550102"})).Map(t)
	if shown["callerIdName"] != "SHOP FLOOR" || shown["callerIdPhoneNumber"] != "18015550102" {
		t.Fatalf("visible caller id: %v", shown)
	}
	cases := []struct {
		name string
		body map[string]any
		code string
	}{
		{"no name", line(map[string]any{"name": " "}), "NameRequired"},
		{"caller id of another account", line(map[string]any{"callerIdPhoneNumber": "18015550110"}), "InvalidValueForField:callerIdPhoneNumber"},
		{"callback not on the account", line(map[string]any{"emergencyCallbackPhoneNumber": "18015550100"}), "InvalidValueForField:emergencyCallbackPhoneNumber"},
	}
	for _, tc := range cases {
		r := c.call(http.MethodPost, base, tc.body)
		if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != tc.code {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
	id := shown["id"].(string)
	upd := c.want(http.StatusOK, http.MethodPut, base+"/"+id, line(map[string]any{"name": "Dock", "callerIdVisible": false})).Map(t)
	if upd["callerIdName"] != "ANONYMOUS" || upd["name"] != "Dock" {
		t.Fatalf("update: %v", upd)
	}
	ch := c.want(http.StatusOK, http.MethodGet, base+"/"+id+"/call-handling", nil).Map(t)
	if ch["activeCallHandling"] != "RING_LINE" || ch["callWaitingEnabled"] != true {
		t.Fatalf("default call handling %v", ch)
	}
	fwd := map[string]any{
		"activeCallHandling": "FORWARD", "forwardToPhoneNumber": "18015559999", "callWaitingEnabled": false,
		"busyFailoverAction":         map[string]any{"@type": "VoicemailRingFailoverAction"},
		"unregisteredFailoverAction": map[string]any{"@type": "BusyRingFailoverAction"},
		"ringTimeoutConfiguration":   map[string]any{"@type": "UnlimitedRingTimeoutConfiguration"},
	}
	c.want(http.StatusOK, http.MethodPut, base+"/"+id+"/call-handling", fwd)
	if got := c.want(http.StatusOK, http.MethodGet, base+"/"+id+"/call-handling", nil).Map(t); got["activeCallHandling"] != "FORWARD" || got["forwardToPhoneNumber"] != "18015559999" {
		t.Fatalf("call handling read back %v", got)
	}
	// Subtypes keep their own fields and lose any other (the answer is
	// validated strictly: an echoed stray field fails it).
	limited := map[string]any{
		"activeCallHandling": "RING_LINE", "callWaitingEnabled": true,
		"busyFailoverAction":         map[string]any{"@type": "ForwardRingFailoverAction", "forwardToPhoneNumber": "18015559998", "stray": 1},
		"unregisteredFailoverAction": map[string]any{"@type": "BusyRingFailoverAction", "forwardToPhoneNumber": "18015559998"},
		"ringTimeoutConfiguration": map[string]any{"@type": "LimitedRingTimeoutConfiguration", "timeoutSeconds": 20,
			"noAnswerAction": map[string]any{"@type": "VoicemailRingFailoverAction"}},
	}
	got := c.want(http.StatusOK, http.MethodPut, base+"/"+id+"/call-handling", limited).Map(t)
	for path, want := range map[string]any{
		"busyFailoverAction.forwardToPhoneNumber":         "18015559998",
		"busyFailoverAction.stray":                        nil,
		"unregisteredFailoverAction.forwardToPhoneNumber": nil,
		"ringTimeoutConfiguration.timeoutSeconds":         float64(20),
		"ringTimeoutConfiguration.noAnswerAction.@type":   "VoicemailRingFailoverAction",
	} {
		if v, _ := lookup(got, path); v != want {
			t.Errorf("call handling %s = %v, want %v", path, v, want)
		}
	}
	delete(fwd, "forwardToPhoneNumber")
	if r := c.call(http.MethodPut, base+"/"+id+"/call-handling", fwd); r.Status != 400 {
		t.Fatalf("FORWARD without a number: %d %s", r.Status, r.Body)
	}
	// A number that leaves the account leaves the line's caller id.
	other := c.want(http.StatusOK, http.MethodPost, base, line(map[string]any{"callerIdPhoneNumber": "18015550103"})).Map(t)["id"].(string)
	c.want(http.StatusNoContent, http.MethodDelete, acme+"/telephonenumber/18015550103", nil)
	if m := c.want(http.StatusOK, http.MethodGet, base+"/"+other, nil).Map(t); m["callerIdPhoneNumber"] != nil {
		t.Fatalf("caller id after the number left: %v", m)
	}
}

// Hunt groups: three configurations, members business lines of the same
// account, a deleted line leaves its groups.
func TestHuntGroupRules(t *testing.T) {
	c := newVoiceClient(t)
	base := acme + "/business-line-hunt-group"
	mk := func(name string) string {
		return c.want(http.StatusOK, http.MethodPost, acme+"/business-line",
			map[string]any{"name": name, "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition}).Map(t)["id"].(string)
	}
	l1, l2 := mk("One"), mk("Two")
	group := func(conf map[string]any) map[string]any {
		return map[string]any{"name": "Hunt", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition, "huntingConfiguration": conf}
	}
	ok := []map[string]any{
		{"@type": "LinearHuntingConfiguration", "ringTimeoutSeconds": 15, "members": []any{
			map[string]any{"businessLineId": l2, "sequenceOrder": 1}, map[string]any{"businessLineId": l1, "sequenceOrder": 0}}},
		{"@type": "SequentialHuntingConfiguration", "members": []any{
			map[string]any{"businessLineId": l1, "sequenceOrder": 0, "ringTimeoutSeconds": 10}, map[string]any{"businessLineId": l2, "sequenceOrder": 1, "ringTimeoutSeconds": 5}}},
		{"@type": "SimultaneousHuntingConfiguration", "ringTimeoutSeconds": 30, "members": []any{l1, l2}},
	}
	var ids []string
	for _, conf := range ok {
		m := c.want(http.StatusOK, http.MethodPost, base, group(conf)).Map(t)
		hc, _ := m["huntingConfiguration"].(map[string]any)
		members, _ := hc["members"].([]any)
		if hc["@type"] != conf["@type"] || len(members) != 2 {
			t.Fatalf("created %v", m)
		}
		if first, isObj := members[0].(map[string]any); isObj && first["businessLineId"] != l1 {
			t.Fatalf("members not in sequence order: %v", members)
		}
		ids = append(ids, m["id"].(string))
	}
	other := c.want(http.StatusOK, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account",
		map[string]any{"accountName": "Other", "accountType": "ADVANCED", "accountNumber": "OTH-2"}).Map(t)["id"].(string)
	foreign := c.want(http.StatusOK, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account/"+other+"/business-line",
		map[string]any{"name": "Foreign", "accountId": other, "partitionId": fatest.AlphaPartition}).Map(t)["id"].(string)
	bad := []struct {
		name string
		conf map[string]any
		code string
	}{
		{"member of another account", map[string]any{"@type": "SimultaneousHuntingConfiguration", "ringTimeoutSeconds": 5, "members": []any{foreign}}, "InvalidBusinessLineId"},
		{"unknown member", map[string]any{"@type": "SimultaneousHuntingConfiguration", "ringTimeoutSeconds": 5, "members": []any{"5f0c7a52-0000-4000-8000-000000000000"}}, "InvalidBusinessLineId"},
		{"member twice", map[string]any{"@type": "SimultaneousHuntingConfiguration", "ringTimeoutSeconds": 5, "members": []any{l1, l1}}, "DuplicateMember"},
		{"linear without timeout", map[string]any{"@type": "LinearHuntingConfiguration", "members": []any{map[string]any{"businessLineId": l1, "sequenceOrder": 0}}}, "RingTimeoutSecondsRequired"},
	}
	for _, b := range bad {
		r := c.call(http.MethodPost, base, group(b.conf))
		if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != b.code {
			t.Errorf("%s: %d %s", b.name, r.Status, r.Body)
		}
	}
	// Deleting l2 takes it out of every group; deleting l1 too empties them
	// and they go.
	c.want(http.StatusOK, http.MethodDelete, acme+"/business-line/"+l2, nil)
	for _, id := range ids {
		m := c.want(http.StatusOK, http.MethodGet, base+"/"+id, nil).Map(t)
		members, _ := m["huntingConfiguration"].(map[string]any)["members"].([]any)
		if len(members) != 1 {
			t.Fatalf("group %s after deleting a member: %v", id, members)
		}
	}
	c.want(http.StatusOK, http.MethodDelete, acme+"/business-line/"+l1, nil)
	for _, id := range ids {
		c.want(http.StatusNotFound, http.MethodGet, base+"/"+id, nil)
	}
	if r := c.want(http.StatusOK, http.MethodGet, base+"/"+seedHuntGroup, nil); r.Status != http.StatusOK {
		t.Fatal("the seed's group went with other lines")
	}
}

// Calling plans reference specialty lines: the line's plans are listed by
// reference, a plan added shows in callingPlanIds, the last one stays.
func TestSpecialtyLineCallingPlans(t *testing.T) {
	c := newVoiceClient(t)
	var plans []map[string]any
	c.want(http.StatusOK, http.MethodGet, acme+"/callingplan?referenceType=SPECIALTY_LINE&referenceId="+seedSpecialtyLn, nil).Decode(t, &plans)
	if len(plans) != 1 || plans[0]["callingPlanProductId"] != seedPlan || plans[0]["referenceType"] != "SPECIALTY_LINE" {
		t.Fatalf("plans %v", plans)
	}
	mod := func(product string) map[string]any {
		return map[string]any{"referenceType": "SPECIALTY_LINE", "referenceId": seedSpecialtyLn, "callingPlanProductId": product}
	}
	if r := c.call(http.MethodPut, acme+"/callingplan", mod("fakePlanAlphaBusiness1")); r.Status/100 != 2 {
		t.Fatalf("add plan: %d %s", r.Status, r.Body)
	}
	m := c.want(http.StatusOK, http.MethodGet, acme+"/specialty-line/"+seedSpecialtyLn, nil).Map(t)
	if !slices.Equal(anyStrings(m["callingPlanIds"]), []string{seedPlan, "fakePlanAlphaBusiness1"}) {
		t.Fatalf("callingPlanIds %v", m["callingPlanIds"])
	}
	if r := c.call(http.MethodDelete, acme+"/callingplan", mod("fakePlanAlphaBusiness1")); r.Status/100 != 2 {
		t.Fatalf("remove plan: %d %s", r.Status, r.Body)
	}
	r := c.call(http.MethodDelete, acme+"/callingplan", mod(seedPlan))
	if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != "CallingPlanIdsRequired" {
		t.Fatalf("removing the last plan: %d %s", r.Status, r.Body)
	}
}

// Call, paging and pickup groups and parking spots are stored generically
// but with their references checked and their deletion refused while in use.
func TestAccountGroupReferences(t *testing.T) {
	c := newVoiceClient(t)
	const user, user2 = "fakeUser00000000000001", "fakeUser00000000000002"
	other := c.want(http.StatusOK, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account",
		map[string]any{"accountName": "Other", "accountType": "ADVANCED", "accountNumber": "OTH-3"}).Map(t)["id"].(string)
	foreignGroup := c.want(http.StatusCreated, http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account/"+other+"/group",
		map[string]any{"name": "Theirs"}).Map(t)["id"].(string)
	bad := []struct {
		name, path string
		body       map[string]any
		code       string
	}{
		{"unknown user member", "/group", map[string]any{"name": "G", "type": "USER", "memberIds": []string{"nope"}}, "InvalidMemberId"},
		{"user of another account", "/group", map[string]any{"name": "G", "type": "USER", "memberIds": []string{"fakeUser00000000000004"}}, "InvalidMemberId"},
		{"user as a device member", "/group", map[string]any{"name": "G", "type": "DEVICE", "memberIds": []string{user}}, "InvalidMemberId"},
		{"paging group of an unknown group", "/grouppaging", map[string]any{"name": "P", "groupIds": []string{"nope"}}, "InvalidGroupId"},
		{"pickup group of another account's group", "/grouppickup", map[string]any{"name": "K", "groupIds": []string{foreignGroup}}, "InvalidGroupId"},
	}
	for _, b := range bad {
		r := c.call(http.MethodPost, acme+b.path, b.body)
		if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != b.code {
			t.Errorf("%s: %d %s", b.name, r.Status, r.Body)
		}
	}
	g := c.want(http.StatusCreated, http.MethodPost, acme+"/group",
		map[string]any{"name": "Sales", "type": "USER", "memberIds": []string{user, user2}}).Map(t)["id"].(string)
	pg := c.want(http.StatusOK, http.MethodPost, acme+"/grouppaging", map[string]any{"name": "Overhead", "groupIds": []string{g}}).Map(t)["id"].(string)
	r := c.call(http.MethodDelete, acme+"/group/"+g, nil)
	if status, msgs, data := r.Envelope(t); status != 400 || msgs[0] != "CallGroupInUse" || data.(map[string]any)["id"] != pg {
		t.Fatalf("delete a group in use: %d %s", r.Status, r.Body)
	}
	ivr := map[string]any{"name": "Menu", "ivrComponents": []any{map[string]any{"id": "c1", "type": "INCOMING"},
		map[string]any{"id": "c2", "type": "USER", "userId": user}},
		"ivrComponentMappings": []any{map[string]any{"fromIvrComponentId": "c1", "toIvrComponentId": "c2"}}}
	menu := c.want(http.StatusOK, http.MethodPost, acme+"/ivr", ivr).Map(t)["id"].(string)
	ivr["ivrComponentMappings"] = []any{map[string]any{"fromIvrComponentId": "c1", "toIvrComponentId": "c9"}}
	r = c.call(http.MethodPost, acme+"/ivr", ivr)
	if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != "InvalidValueForField:ivrComponentMappings" {
		t.Fatalf("IVR mapping to a missing component: %d %s", r.Status, r.Body)
	}
	ivr["ivrComponentMappings"] = []any{}
	ivr["ivrComponents"] = []any{map[string]any{"id": "c2", "type": "USER", "userId": "fakeUser00000000000004"}}
	r = c.call(http.MethodPost, acme+"/ivr", ivr)
	if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != "InvalidMemberId" {
		t.Fatalf("IVR ringing another account's user: %d %s", r.Status, r.Body)
	}
	// A deleted end user leaves the group and the IVR; the state still loads.
	c.want(http.StatusNoContent, http.MethodDelete, acme+"/user/"+user, nil)
	comps := c.want(http.StatusOK, http.MethodGet, acme+"/ivr/"+menu, nil).Map(t)["ivrComponents"].([]any)
	if _, still := comps[1].(map[string]any)["userId"]; still {
		t.Fatalf("IVR component after its user's delete: %v", comps[1])
	}
	if err := c.srv.Store().Restore(c.srv.Store().Snapshot()); err != nil {
		t.Fatalf("the state after the deletes does not load: %v", err)
	}
	if m := c.want(http.StatusOK, http.MethodGet, acme+"/group/"+g, nil).Map(t); !slices.Equal(anyStrings(m["memberIds"]), []string{user2}) {
		t.Fatalf("members after a user's delete: %v", m["memberIds"])
	}
	c.want(http.StatusNoContent, http.MethodDelete, acme+"/grouppaging/"+pg, nil)
	if r := c.call(http.MethodDelete, acme+"/group/"+g, nil); r.Status/100 != 2 {
		t.Fatalf("delete a group no longer in use: %d %s", r.Status, r.Body)
	}
	c.want(http.StatusOK, http.MethodPost, acme+"/callpark", map[string]any{"name": "Spot 1", "spotNumber": "701"})
	r = c.call(http.MethodPost, acme+"/callpark", map[string]any{"name": "Spot 1 again", "spotNumber": "701"})
	if status, msgs, _ := r.Envelope(t); status != 400 || msgs[0] != "DuplicateSpotNumber" {
		t.Fatalf("duplicate spot: %d %s", r.Status, r.Body)
	}
}

// The business-line, specialty-line and virtual-fax reports list what the
// state holds; the vfax summary counts the fax lines.
func TestVoiceReports(t *testing.T) {
	c := newVoiceClient(t)
	month := thisMonth(c.srv.Clock())
	c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{"name": "Pool Phone"}))
	c.want(http.StatusOK, http.MethodPost, acme+"/business-line",
		map[string]any{"name": "Loading Bay", "accountId": "fakeAcct00000000000001", "partitionId": fatest.AlphaPartition})
	fax := c.want(http.StatusOK, http.MethodPost, acme+"/vfax", map[string]any{"name": "Office Fax"}).Map(t)["id"].(string)
	c.want(http.StatusOK, http.MethodPut, acme+"/telephonenumber/18015550103/destination", map[string]any{"referenceType": "VFAX", "referenceId": fax})
	if m := c.want(http.StatusOK, http.MethodGet, pAlpha+"/report/vfax", nil).Map(t); m["totalCount"] != float64(1) {
		t.Fatalf("vfax summary %v", m)
	}
	h := &h6{t: t, srv: c.srv, tok: c.tok}
	cases := []struct {
		report string
		column string
		want   []string
	}{
		{"businesslines/csv_2" + month, "name", []string{"Front Desk", "Loading Bay"}},
		{"specialtylines/csv_2" + month, "name", []string{"Elevator Phone", "Pool Phone"}},
		{"vfax/csv_2" + month, "telephoneNumber", []string{"18015550103"}},
	}
	for _, tc := range cases {
		rows := h.output(h.job(tc.report)["id"].(string))
		if got := column(rows, tc.column); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %s %v, want %v", tc.report, tc.column, got, tc.want)
		}
	}
}

// Concurrent creates of the same MAC and port: exactly one wins, the others
// answer 409, and the SIP username namespace ends with one holder.
func TestSpecialtyLineConcurrentCreates(t *testing.T) {
	c := newVoiceClient(t)
	const n = 8
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := c.srv.Call(t, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{
				"macAddress": "00:aa:00:00:00:01", "portNumber": 1, "sipUsername": fmt.Sprintf("race-line-%02d", i)}), fatest.Auth(c.tok))
			statuses <- r.Status
		}()
	}
	wg.Wait()
	close(statuses)
	got := map[int]int{}
	for s := range statuses {
		got[s]++
	}
	if got[http.StatusCreated] != 1 || got[http.StatusConflict] != n-1 {
		t.Fatalf("statuses %v, want one 201 and %d 409", got, n-1)
	}
}

// A business line's device is an MTA port: a known device type, a MAC, a
// port the type has; business lines and specialty lines share the ports.
func TestBusinessLinePortAssignment(t *testing.T) {
	c := newVoiceClient(t)
	port := acme + "/business-line/" + seedBusinessLn + "/port-assignment"
	c.want(http.StatusNotFound, http.MethodGet, port, nil)
	bad := []struct {
		name   string
		body   map[string]any
		status int
		code   string
	}{
		{"unknown device type", map[string]any{"deviceTypeId": "NOPE", "macAddress": "001122334455"}, 404, "EntityNotFound"},
		{"no MAC", map[string]any{"deviceTypeId": "SIP_4_Port_MTA"}, 400, "MacAddressRequired"},
		{"bad MAC", map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "0011"}, 400, "InvalidValueForField:macAddress"},
		{"port beyond the type", map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "001122334455", "portNumber": 5}, 400, "InvalidValueForField:portNumber"},
		{"a specialty line's port", map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "00:1A:2B:3C:4D:5E", "portNumber": 1}, 400, "DuplicateMACAddressLineNumber"},
	}
	for _, b := range bad {
		r := c.call(http.MethodPost, port, b.body)
		if status, msgs, _ := r.Envelope(t); status != b.status || msgs[0] != b.code {
			t.Errorf("%s: %d %s", b.name, r.Status, r.Body)
		}
	}
	m := c.want(http.StatusOK, http.MethodPost, port, map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "00:1a:2b:3c:4d:5e", "portNumber": 2}).Map(t)
	if m["businessLineId"] != seedBusinessLn || m["portNumber"] != float64(2) {
		t.Fatalf("assigned %v", m)
	}
	if r := c.call(http.MethodPost, port, map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "001122334455"}); r.Status != 400 {
		t.Fatalf("a second assignment: %d %s", r.Status, r.Body)
	}
	// The port is taken for specialty lines too.
	r := c.want(http.StatusConflict, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{"macAddress": "001A2B3C4D5E", "portNumber": 2}))
	if code, _, _ := specialtyError(t, r); code != "DeviceAlreadyExists" {
		t.Fatalf("specialty line on a business line's port: %s", code)
	}
	c.want(http.StatusOK, http.MethodPut, port, map[string]any{"deviceTypeId": "SIP_4_Port_MTA", "macAddress": "001A2B3C4D5E", "portNumber": 3})
	// The expanded views show the line with its call handling and device.
	ex := c.want(http.StatusOK, http.MethodGet, acme+"/business-line/"+seedBusinessLn+"/views/expanded", nil).Map(t)
	dev, _ := ex["device"].(map[string]any)
	ch, _ := ex["callHandling"].(map[string]any)
	if ex["name"] != "Front Desk" || dev["portNumber"] != float64(3) || dev["macAddress"] != "001A2B3C4D5E" || ch["activeCallHandling"] != "RING_LINE" {
		t.Fatalf("expanded view %v", ex)
	}
	var all []map[string]any
	c.want(http.StatusOK, http.MethodGet, acme+"/business-line/views/expanded", nil).Decode(t, &all)
	if len(all) != 1 || all[0]["id"] != seedBusinessLn {
		t.Fatalf("expanded list %v", all)
	}
	c.want(http.StatusCreated, http.MethodPost, acme+"/specialty-line", specialtyBody(map[string]any{"macAddress": "001A2B3C4D5E", "portNumber": 2}))
	c.want(http.StatusOK, http.MethodDelete, port, nil)
	c.want(http.StatusNotFound, http.MethodGet, port, nil)
}

// A state whose voice products or groups name what is gone does not load.
func TestStateWithDanglingVoiceReferencesIsRefused(t *testing.T) {
	c := newVoiceClient(t)
	base := "/v2/partition/" + fatest.AlphaPartition + "/account/fakeAcct00000000000001"
	cases := []struct {
		name, overlay string
	}{
		{"paging group of a missing call group", `{"generic":[{"path":"` + base + `/grouppaging/pg1","collection":"` + base + `/grouppaging","template":"/v2/partition/{partitionId}/account/{accountId}/grouppaging/{id}","id":"pg1","partitionId":"` + fatest.AlphaPartition + `","body":{"id":"pg1","groupIds":["gone"]}}]}`},
		{"hunt group of a missing line", `{"businessLineHuntGroups":[{"id":"5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c09","partitionId":"` + fatest.AlphaPartition + `","accountId":"fakeAcct00000000000001","name":"H","huntingConfiguration":{"@type":"SimultaneousHuntingConfiguration","ringTimeoutSeconds":5,"members":["5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c99"]}}]}`},
		{"specialty line on a taken SIP username", `{"specialtyLines":[{"id":"5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c08","partitionId":"` + fatest.AlphaPartition + `","accountId":"fakeAcct00000000000001","name":"S","callerId":"18015550103","e911CallbackNumber":"18015550103","callingPlanIds":["fakePlanAlphaStandard1"],"sipUsername":"acme-pbx-trunk","sipPassword":"secret99"}]}`},
	}
	for _, tc := range cases {
		err := c.srv.Store().Overlay([]byte(tc.overlay))
		var se *store.Error
		if !errors.As(err, &se) || se.Code != "InvalidState" {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	// The same kinds with valid references load.
	ok := `{"businessLineHuntGroups":[{"id":"5f0c7a52-3a8e-4c1e-9b1d-6a1f2e3d4c09","partitionId":"` + fatest.AlphaPartition + `","accountId":"fakeAcct00000000000001","name":"H","huntingConfiguration":{"@type":"SimultaneousHuntingConfiguration","ringTimeoutSeconds":5,"members":["` + seedBusinessLn + `"]}}]}`
	if err := c.srv.Store().Overlay([]byte(ok)); err != nil {
		t.Fatalf("a valid hunt group: %v", err)
	}
}
