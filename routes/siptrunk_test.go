package routes_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// h6 is a server with an admin token and one account in partition Alpha;
// everything, accounts and users included, goes through the router.
type h6 struct {
	t    *testing.T
	srv  *fatest.Server
	tok  string
	acct string
	base string // /v2/partition/{p}/account/{a}
}

func newH6(t *testing.T) *h6 {
	t.Helper()
	srv := fatest.New(t)
	h := &h6{t: t, srv: srv, tok: srv.Admin(t)}
	h.acct = h.account("H6-1")
	h.base = h.acctBase(h.acct)
	return h
}

func (h *h6) account(number string) string {
	h.t.Helper()
	r := h.call(http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account", map[string]any{
		"accountNumber": number, "accountName": "Trunk Co " + number, "accountType": "ADVANCED",
	})
	h.want(r, http.StatusOK, "")
	return r.Map(h.t)["id"].(string)
}

func (h *h6) user(acct, username, ext string) store.EndUser {
	h.t.Helper()
	r := h.call(http.MethodPost, h.acctBase(acct)+"/user", map[string]any{
		"username": username, "firstName": "Pat", "lastName": "Jones", "extension": ext,
	})
	h.want(r, http.StatusOK, "")
	var u store.EndUser
	r.Decode(h.t, &u)
	return u
}

func (h *h6) acctBase(acct string) string {
	return "/v2/partition/" + fatest.AlphaPartition + "/account/" + acct
}

func (h *h6) call(method, path string, body any) *fatest.Resp {
	h.t.Helper()
	return h.srv.Call(h.t, method, path, body, fatest.Auth(h.tok))
}

// want checks a status; for errors it also checks the message code.
func (h *h6) want(r *fatest.Resp, status int, code string) {
	h.t.Helper()
	if r.Status != status {
		h.t.Fatalf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	if code != "" {
		_, msgs, _ := r.Envelope(h.t)
		if len(msgs) != 1 || msgs[0] != code {
			h.t.Fatalf("messages %v, want [%s]", msgs, code)
		}
	}
}

func trunkBody(name, user string) map[string]any {
	return map[string]any{"trunkName": name, "sipUsername": user, "sipPassword": "s3cret!", "concurrentCalls": 5}
}

func (h *h6) trunk(acct, name, user string) map[string]any {
	h.t.Helper()
	r := h.call(http.MethodPost, h.acctBase(acct)+"/siptrunk_2", trunkBody(name, user))
	h.want(r, http.StatusOK, "")
	return r.Map(h.t)
}

func TestSipTrunkLifecycle(t *testing.T) {
	h := newH6(t)
	tr := h.trunk(h.acct, "Main PBX", "mainpbx01")
	id, _ := tr["id"].(string)
	if len(id) != 22 || tr["accountId"] != h.acct || tr["partitionId"] != fatest.AlphaPartition {
		t.Fatalf("ids: %v", tr)
	}
	if tr["sipProxyServer"] != store.DefaultSipTrunkProxyServer || tr["sipPassword"] != "s3cret!" ||
		tr["lockedOut"] != false || tr["localServicesEnabled"] != false {
		t.Fatalf("server fields: %v", tr)
	}
	if tns, ok := tr["telephoneNumbers"].([]any); !ok || len(tns) != 0 {
		t.Errorf("telephoneNumbers should be [] with no numbers routed: %v", tr)
	}

	r := h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil)
	h.want(r, http.StatusOK, "")
	var list []map[string]any
	h.call(http.MethodGet, h.base+"/siptrunk_2", nil).Decode(t, &list)
	if len(list) != 1 || list[0]["id"] != id {
		t.Fatalf("list: %v", list)
	}

	// PUT without sipPassword keeps the old one; client sipProxyServer is ignored.
	put := map[string]any{"trunkName": "Main PBX", "sipUsername": "mainpbx01", "concurrentCalls": 8,
		"sipProxyServer": "evil.example.com", "lockedOut": true}
	r = h.call(http.MethodPut, h.base+"/siptrunk_2/"+id, put)
	// the spec requires sipPassword in a body: PUT answers 400 without it
	h.want(r, http.StatusBadRequest, "SipPasswordRequired")
	put["sipPassword"] = "n3wpass"
	r = h.call(http.MethodPut, h.base+"/siptrunk_2/"+id, put)
	h.want(r, http.StatusOK, "")
	got := r.Map(t)
	if got["concurrentCalls"] != float64(8) || got["sipProxyServer"] != store.DefaultSipTrunkProxyServer ||
		got["lockedOut"] != false || got["sipPassword"] != "n3wpass" {
		t.Fatalf("after PUT: %v", got)
	}

	r = h.call(http.MethodPatch, h.base+"/siptrunk_2/"+id, map[string]any{"maxBurstCalls": 2, "primaryTn": "18015550123"})
	h.want(r, http.StatusOK, "")
	got = r.Map(t)
	if got["maxBurstCalls"] != float64(2) || got["primaryTn"] != "18015550123" || got["trunkName"] != "Main PBX" {
		t.Fatalf("after PATCH: %v", got)
	}

	h.want(h.call(http.MethodDelete, h.base+"/siptrunk_2/"+id, nil), http.StatusNoContent, "")
	r = h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil)
	h.want(r, http.StatusNotFound, "EntityNotFound")
	if _, _, data := r.Envelope(t); fmt.Sprint(data) != fmt.Sprint(map[string]any{"type": "SipTrunk", "id": id}) {
		t.Errorf("data %v", data)
	}
	// the SIP username is free again
	h.trunk(h.acct, "Again", "mainpbx01")
}

// numberOnTrunk activates an inventory number on an account, routed to a
// trunk, and returns it.
func (h *h6) numberOnTrunk(acct, trunkID string) string {
	h.t.Helper()
	v := h.call(http.MethodGet, "/v2/address/validate?"+url.Values{"address": {"100 Main St, Salt Lake City, UT"},
		"country": {"USA"}, "postalCode": {"84101"}}.Encode(), nil)
	h.want(v, http.StatusOK, "")
	var hits []map[string]any
	h.call(http.MethodGet, "/v2/partition/"+fatest.AlphaPartition+"/telephonenumber/search?q=84101&maxResults=1", nil).Decode(h.t, &hits)
	if len(hits) != 1 {
		h.t.Fatalf("no number in inventory: %v", hits)
	}
	tn := hits[0]["phoneNumber"].(string)
	r := h.call(http.MethodPost, h.acctBase(acct)+"/telephonenumber", map[string]any{
		"customerServiceRecord": v.Map(h.t)["customerServiceRecord"],
		"directoryListing":      map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers":      []any{map[string]any{"phoneNumber": tn, "referenceType": "SIP_TRUNK", "referenceId": trunkID}},
	})
	h.want(r, http.StatusOK, "")
	return tn
}

// Numbers route to trunks of their own account; a trunk lists its numbers,
// and deleting it leaves them with no route.
func TestSipTrunkTelephoneNumbers(t *testing.T) {
	h := newH6(t)
	id := h.trunk(h.acct, "Main", "mainpbx01")["id"].(string)
	tn := h.numberOnTrunk(h.acct, id)
	if m := h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil).Map(t); fmt.Sprint(m["telephoneNumbers"]) != "["+tn+"]" {
		t.Fatalf("trunk numbers: %v", m)
	}
	other := h.account("H6-2")
	oid := h.trunk(other, "Elsewhere", "elsewhere1")["id"].(string)
	r := h.call(http.MethodPut, h.base+"/telephonenumber/"+tn+"/destination", map[string]any{"referenceType": "SIP_TRUNK", "referenceId": oid})
	h.want(r, http.StatusBadRequest, "InvalidReferenceId")
	h.want(h.call(http.MethodDelete, h.base+"/siptrunk_2/"+id, nil), http.StatusNoContent, "")
	if m := h.call(http.MethodGet, h.base+"/telephonenumber/"+tn, nil).Map(t); m["referenceType"] != nil || m["referenceId"] != nil {
		t.Fatalf("number still routed to a deleted trunk: %v", m)
	}
}

func TestSipTrunkRules(t *testing.T) {
	h := newH6(t)
	other := h.account("H6-2")
	h.trunk(h.acct, "Main PBX", "mainpbx01")
	cases := []struct {
		name string
		edit func(m map[string]any)
		code string
	}{
		{"no trunkName", func(m map[string]any) { delete(m, "trunkName") }, "TrunkNameRequired"},
		{"blank trunkName", func(m map[string]any) { m["trunkName"] = "  " }, "TrunkNameRequired"},
		{"no sipUsername", func(m map[string]any) { delete(m, "sipUsername") }, "SipUsernameRequired"},
		{"short sipUsername", func(m map[string]any) { m["sipUsername"] = "abc1234" }, "InvalidValueForField:sipUsername"},
		{"long sipUsername", func(m map[string]any) { m["sipUsername"] = strings.Repeat("a", 37) }, "InvalidValueForField:sipUsername"},
		{"bad char sipUsername", func(m map[string]any) { m["sipUsername"] = "user name!" }, "InvalidValueForField:sipUsername"},
		{"no sipPassword", func(m map[string]any) { delete(m, "sipPassword") }, "SipPasswordRequired"},
		{"short sipPassword", func(m map[string]any) { m["sipPassword"] = "12345" }, "InvalidValueForField:sipPassword"},
		{"no concurrentCalls", func(m map[string]any) { delete(m, "concurrentCalls") }, "ConcurrentCallsRequired"},
		{"zero concurrentCalls", func(m map[string]any) { m["concurrentCalls"] = 0 }, "InvalidValueForField:concurrentCalls"},
		{"duplicate name", func(m map[string]any) { m["trunkName"] = "main pbx" }, "DuplicateTrunkName"},
		{"duplicate sipUsername", func(m map[string]any) { m["sipUsername"] = "MAINPBX01" }, "SipUsernameInUse"},
		{"ip auth without ip", func(m map[string]any) { m["ipBasedAuthEnabled"] = true }, "IpAddressRequired"},
		{"bad ip", func(m map[string]any) { m["ipAddress"] = "300.1.1.1" }, "InvalidValueForField:ipAddress"},
		{"bad port", func(m map[string]any) { m["ipAddress"] = "192.0.2.1"; m["portNumber"] = 70000 }, "InvalidValueForField:portNumber"},
		{"unknown group", func(m map[string]any) { m["sipTrunkGroupId"] = "nope" }, "EntityNotFound"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := trunkBody("Second", "second001")
			c.edit(b)
			r := h.call(http.MethodPost, h.base+"/siptrunk_2", b)
			status := http.StatusBadRequest
			if c.code == "EntityNotFound" {
				status = http.StatusNotFound
			}
			h.want(r, status, c.code)
		})
	}
	// the SIP username namespace is platform-wide: another account cannot reuse it
	h.want(h.call(http.MethodPost, h.acctBase(other)+"/siptrunk_2", trunkBody("Other", "MainPbx01")), http.StatusBadRequest, "SipUsernameInUse")
	// the trunk name is unique per account only
	h.trunk(other, "Main PBX", "otherpbx1")

	// an address and port belong to one trunk
	b := trunkBody("IP one", "iptrunk01")
	b["ipBasedAuthEnabled"], b["ipAddress"], b["portNumber"] = true, "192.0.2.10", 5060
	h.want(h.call(http.MethodPost, h.base+"/siptrunk_2", b), http.StatusOK, "")
	b = trunkBody("IP two", "iptrunk02")
	b["ipBasedAuthEnabled"], b["ipAddress"] = true, "192.0.2.10" // port 0 means 5060
	h.want(h.call(http.MethodPost, h.base+"/siptrunk_2", b), http.StatusBadRequest, "IpAddressAndPortInUse")

	// PATCH is checked by the store with the same codes
	id := h.trunk(h.acct, "Patchy", "patchy001")["id"].(string)
	for patch, code := range map[string]string{
		`{"sipPassword":"123"}`:       "InvalidValueForField:sipPassword",
		`{"trunkName":"MAIN PBX"}`:    "DuplicateTrunkName",
		`{"concurrentCalls":-1}`:      "InvalidValueForField:concurrentCalls",
		`{"sipUsername":"x"}`:         "InvalidValueForField:sipUsername",
		`{"sipUsername":"iptrunk01"}`: "SipUsernameInUse",
		`{"concurrentCalls":"many"}`:  "InvalidValueForField:concurrentCalls",
	} {
		h.want(h.call(http.MethodPatch, h.base+"/siptrunk_2/"+id, patch), http.StatusBadRequest, code)
	}
	// a null in a PATCH is a key not given: nothing changes
	r := h.call(http.MethodPatch, h.base+"/siptrunk_2/"+id, `{"trunkName":null,"concurrentCalls":null}`)
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["trunkName"] != "Patchy" || m["concurrentCalls"] == nil {
		t.Fatalf("PATCH with nulls changed the trunk: %v", m)
	}
	// unknown trunk, unknown account
	h.want(h.call(http.MethodPatch, h.base+"/siptrunk_2/nope", `{}`), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, h.acctBase("nope")+"/siptrunk_2", nil), http.StatusNotFound, "EntityNotFound")
	// a trunk of another account is not found through this one
	oid := h.trunk(other, "Elsewhere", "elsewhere1")["id"].(string)
	h.want(h.call(http.MethodGet, h.base+"/siptrunk_2/"+oid, nil), http.StatusNotFound, "EntityNotFound")
}

func TestSipTrunkValidateIPPort(t *testing.T) {
	h := newH6(t)
	b := trunkBody("IP one", "iptrunk01")
	b["ipBasedAuthEnabled"], b["ipAddress"], b["portNumber"] = true, "192.0.2.10", 5070
	r := h.call(http.MethodPost, h.base+"/siptrunk_2", b)
	h.want(r, http.StatusOK, "")
	id := r.Map(t)["id"].(string)
	v := h.base + "/siptrunk_2/validate"
	for q, want := range map[string]string{
		"?ip=192.0.2.10&port=5070":               "false",
		"?ip=192.0.2.10&port=5071":               "true",
		"?ip=192.0.2.11&port=5070":               "true",
		"?ip=192.0.2.10&port=5070&trunkId=" + id: "true",
	} {
		r := h.call(http.MethodGet, v+q, nil)
		h.want(r, http.StatusOK, "")
		if string(r.Body) != want {
			t.Errorf("%s: %s, want %s", q, r.Body, want)
		}
	}
	h.want(h.call(http.MethodGet, v+"?ip=nope&port=5060", nil), http.StatusBadRequest, "InvalidValueForField:ip")
	h.want(h.call(http.MethodGet, v+"?ip=192.0.2.1&port=0", nil), http.StatusBadRequest, "InvalidValueForField:port")
	h.want(h.call(http.MethodGet, v+"?port=5060", nil), http.StatusBadRequest, "IpRequired")
}

func TestSipTrunkForwardRegistrationUnlock(t *testing.T) {
	h := newH6(t)
	id := h.trunk(h.acct, "Main", "mainpbx01")["id"].(string)
	backup := h.trunk(h.acct, "Backup", "backup001")["id"].(string)
	u := h.user(h.acct, "fwd@example.com", "2001")
	fw := h.base + "/siptrunk_2/" + id + "/forward"

	r := h.call(http.MethodGet, fw, nil)
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["sipTrunkId"] != id || m["accountId"] != h.acct || len(m) != 3 {
		t.Fatalf("empty rules: %v", m)
	}
	rules := map[string]any{
		"forwardAlways":             map[string]any{"referenceType": "TELEPHONE", "referenceId": "18015550199", "enabled": false},
		"forwardOnFailure":          []any{map[string]any{"referenceType": "SIP_TRUNK", "referenceId": backup}},
		"forwardOnCapacityExceeded": []any{map[string]any{"referenceType": "END_USER", "referenceId": u.ID}, map[string]any{"referenceType": "BUSY"}},
	}
	h.want(h.call(http.MethodPut, fw, rules), http.StatusNoContent, "")
	m := h.call(http.MethodGet, fw, nil).Map(t)
	if fmt.Sprint(m["forwardOnFailure"]) != fmt.Sprint(rules["forwardOnFailure"]) ||
		m["forwardAlways"].(map[string]any)["referenceId"] != "18015550199" || len(m["forwardOnCapacityExceeded"].([]any)) != 2 {
		t.Fatalf("rules: %v", m)
	}
	for _, c := range []struct {
		ref    map[string]any
		status int
		code   string
	}{
		{map[string]any{"referenceType": "SIP_TRUNK", "referenceId": id}, 400, "InvalidValueForField:referenceId"},
		{map[string]any{"referenceType": "SIP_TRUNK", "referenceId": "nope"}, 404, "EntityNotFound"},
		{map[string]any{"referenceType": "END_USER", "referenceId": "nope"}, 404, "EntityNotFound"},
		{map[string]any{"referenceType": "VOICEMAIL", "referenceId": "nope"}, 404, "EntityNotFound"},
		{map[string]any{"referenceType": "TELEPHONE", "referenceId": "12ab"}, 400, "InvalidValueForField:referenceId"},
		{map[string]any{"referenceType": "CARRIER_PIGEON"}, 400, "InvalidValueForField:referenceType"},
	} {
		h.want(h.call(http.MethodPut, fw, map[string]any{"forwardOnFailure": []any{c.ref}}), c.status, c.code)
	}
	h.want(h.call(http.MethodPut, h.base+"/siptrunk_2/nope/forward", rules), http.StatusNotFound, "EntityNotFound")

	// registration and lock-out are staged through the admin API
	reg := h.base + "/siptrunk_2/" + id + "/registrationstatus"
	if m := h.call(http.MethodGet, reg, nil).Map(t); m["registered"] != false || m["lockedOut"] != false {
		t.Fatalf("fresh registration: %v", m)
	}
	h.want(h.srv.Call(t, http.MethodPut, "/__admin/siptrunk/"+id+"/status", map[string]any{"registered": true, "lockedOut": true}), http.StatusOK, "")
	h.want(h.srv.Call(t, http.MethodPut, "/__admin/siptrunk/nope/status", map[string]any{"registered": true}), http.StatusNotFound, "EntityNotFound")
	if m := h.call(http.MethodGet, reg, nil).Map(t); m["registered"] != true || m["lockedOut"] != true {
		t.Fatalf("staged registration: %v", m)
	}
	if m := h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil).Map(t); m["lockedOut"] != true {
		t.Fatalf("trunk not locked: %v", m)
	}
	r = h.call(http.MethodPut, h.base+"/siptrunk_2/"+id+"/unlock", nil)
	h.want(r, http.StatusOK, "")
	if r.Map(t)["lockedOut"] != false {
		t.Fatalf("unlock: %s", r.Body)
	}
	if m := h.call(http.MethodGet, reg, nil).Map(t); m["registered"] != true || m["lockedOut"] != false {
		t.Fatalf("after unlock: %v", m)
	}
}

func TestSipTrunkLegacyAlias(t *testing.T) {
	h := newH6(t)
	r := h.call(http.MethodPost, h.base+"/siptrunk", trunkBody("Old style", "oldstyle1"))
	h.want(r, http.StatusOK, "")
	id := r.Map(t)["id"].(string)
	h.want(h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil), http.StatusOK, "")
	newID := h.trunk(h.acct, "New style", "newstyle1")["id"].(string)
	var list []map[string]any
	h.call(http.MethodGet, h.base+"/siptrunk", nil).Decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("alias list: %v", list)
	}
	h.want(h.call(http.MethodPatch, h.base+"/siptrunk/"+newID, map[string]any{"concurrentCalls": 3}), http.StatusOK, "")
	h.want(h.call(http.MethodGet, h.base+"/siptrunk/"+newID+"/forward", nil), http.StatusOK, "")
	h.want(h.call(http.MethodGet, h.base+"/siptrunk/"+newID+"/registrationstatus", nil), http.StatusOK, "")
	h.want(h.call(http.MethodDelete, h.base+"/siptrunk/"+id, nil), http.StatusNoContent, "")
	h.want(h.call(http.MethodGet, h.base+"/siptrunk_2/"+id, nil), http.StatusNotFound, "EntityNotFound")
}

func TestSipTrunkGroups(t *testing.T) {
	h := newH6(t)
	a := h.trunk(h.acct, "A", "trunk-a01")["id"].(string)
	b := h.trunk(h.acct, "B", "trunk-b01")["id"].(string)
	g := h.base + "/siptrunkgroup"

	r := h.call(http.MethodPost, g, map[string]any{"name": "East", "sipTrunksIds": []string{a, b},
		"unreachableForward": []any{map[string]any{"referenceType": "BUSY"}}})
	h.want(r, http.StatusCreated, "")
	grp := r.Map(t)
	gid := grp["id"].(string)
	if fmt.Sprint(grp["sipTrunksIds"]) != fmt.Sprint([]any{a, b}) {
		t.Fatalf("members: %v", grp)
	}
	if m := h.call(http.MethodGet, h.base+"/siptrunk_2/"+a, nil).Map(t); m["sipTrunkGroupId"] != gid {
		t.Fatalf("trunk not in group: %v", m)
	}
	h.want(h.call(http.MethodPost, g, map[string]any{"name": "EAST"}), http.StatusBadRequest, "DuplicateName")
	h.want(h.call(http.MethodPost, g, map[string]any{"name": " "}), http.StatusBadRequest, "NameRequired")
	h.want(h.call(http.MethodPost, g, map[string]any{}), http.StatusBadRequest, "NameRequired")
	h.want(h.call(http.MethodPost, g, map[string]any{"name": "West", "sipTrunksIds": []string{"nope"}}), http.StatusNotFound, "EntityNotFound")

	// PUT replaces the member list: b leaves
	r = h.call(http.MethodPut, g+"/"+gid, map[string]any{"name": "East 2", "sipTrunksIds": []string{a}})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["name"] != "East 2" || fmt.Sprint(m["sipTrunksIds"]) != fmt.Sprint([]any{a}) {
		t.Fatalf("after PUT: %v", m)
	}
	if m := h.call(http.MethodGet, h.base+"/siptrunk_2/"+b, nil).Map(t); m["sipTrunkGroupId"] != nil {
		t.Fatalf("b still in group: %v", m)
	}
	// a trunk joins through its own sipTrunkGroupId too
	h.want(h.call(http.MethodPatch, h.base+"/siptrunk_2/"+b, map[string]any{"sipTrunkGroupId": gid}), http.StatusOK, "")
	var groups []map[string]any
	h.call(http.MethodGet, g, nil).Decode(t, &groups)
	if len(groups) != 1 || len(groups[0]["sipTrunksIds"].([]any)) != 2 {
		t.Fatalf("list: %v", groups)
	}
	h.want(h.call(http.MethodGet, g+"/"+gid, nil), http.StatusOK, "")

	// the group's forwarding rules have an endpoint of their own
	fw := g + "/" + gid + "/forward"
	if m := h.call(http.MethodGet, fw, nil).Map(t); m["sipTrunkGroupId"] != gid || m["unreachableForward"] != nil { // the PUT above dropped it
		t.Fatalf("group forward: %v", m)
	}
	r = h.call(http.MethodPut, fw, map[string]any{"unconditionalForward": map[string]any{"referenceType": "SIP_TRUNK", "referenceId": b, "enabled": true}})
	h.want(r, http.StatusOK, "")
	if m := r.Map(t); m["unreachableForward"] != nil || m["unconditionalForward"].(map[string]any)["referenceId"] != b {
		t.Fatalf("group forward after PUT: %v", m)
	}
	if m := h.call(http.MethodGet, g+"/"+gid, nil).Map(t); m["name"] != "East 2" || m["unconditionalForward"] == nil {
		t.Fatalf("group after forward PUT: %v", m)
	}
	h.want(h.call(http.MethodPut, fw, map[string]any{"capacityForward": []any{map[string]any{"referenceType": "END_USER", "referenceId": "nope"}}}), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodGet, g+"/nope/forward", nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodDelete, g+"/"+gid, nil), http.StatusNoContent, "")
	h.want(h.call(http.MethodGet, g+"/"+gid, nil), http.StatusNotFound, "EntityNotFound")
	h.want(h.call(http.MethodPut, g+"/"+gid, map[string]any{"name": "x"}), http.StatusNotFound, "EntityNotFound")
	if m := h.call(http.MethodGet, h.base+"/siptrunk_2/"+a, nil).Map(t); m["sipTrunkGroupId"] != nil {
		t.Fatalf("a still in deleted group: %v", m)
	}
}

func TestSipTrunkPermissionsAndScope(t *testing.T) {
	h := newH6(t)
	id := h.trunk(h.acct, "Main", "mainpbx01")["id"].(string)
	reader := h.srv.Login(t, fatest.ReaderUser, fatest.Password)
	r := h.srv.Call(t, http.MethodGet, h.base+"/siptrunk_2/"+id, nil, fatest.Auth(reader))
	h.want(r, http.StatusOK, "")
	r = h.srv.Call(t, http.MethodPost, h.base+"/siptrunk_2", trunkBody("X", "xtrunk001"), fatest.Auth(reader))
	h.want(r, http.StatusForbidden, "InsufficientPermissions")
	r = h.srv.Call(t, http.MethodPost, h.base+"/siptrunkgroup", map[string]any{"name": "G"}, fatest.Auth(reader))
	h.want(r, http.StatusForbidden, "InsufficientPermissions")
	bravo := h.srv.Login(t, fatest.BravoAdminUser, fatest.Password)
	r = h.srv.Call(t, http.MethodGet, h.base+"/siptrunk_2", nil, fatest.Auth(bravo))
	h.want(r, http.StatusBadRequest, "NotPermitted")
	r = h.srv.Call(t, http.MethodGet, h.base+"/siptrunk_2", nil)
	if r.Status != http.StatusUnauthorized {
		t.Fatalf("no token: %d", r.Status)
	}
}
