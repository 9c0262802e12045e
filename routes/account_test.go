package routes_test

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

const alphaP = "/v2/partition/" + fatest.AlphaPartition

// caller is a logged-in test client.
type caller struct {
	t   *testing.T
	srv *fatest.Server
	tok string
}

func login(t *testing.T, srv *fatest.Server, user string) caller {
	return caller{t: t, srv: srv, tok: srv.Login(t, user, fatest.Password)}
}

// do calls and fails the test unless the status is want.
func (c caller) do(method, path string, body any, want int) *fatest.Resp {
	c.t.Helper()
	r := c.srv.Call(c.t, method, path, body, fatest.Auth(c.tok))
	if r.Status != want {
		c.t.Fatalf("%s %s: %d %s, want %d", method, path, r.Status, r.Body, want)
	}
	return r
}

// fails calls and checks Alianza's error envelope.
func (c caller) fails(method, path string, body any, status int, code string) *fatest.Resp {
	c.t.Helper()
	r := c.do(method, path, body, status)
	st, msgs, _ := r.Envelope(c.t)
	if st != status || len(msgs) != 1 || msgs[0] != code {
		c.t.Fatalf("%s %s: envelope %d %v, want %d %s", method, path, st, msgs, status, code)
	}
	return r
}

func (c caller) create(path string, body any, want int) map[string]any {
	c.t.Helper()
	return c.do(http.MethodPost, path, body, want).Map(c.t)
}

func TestProvisioningFlow(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)

	acct := c.create(alphaP+"/account", map[string]any{
		"id": "ignored", "accountNumber": "FLOW-1", "accountName": "Flow Corp", "billingCycleDay": 3,
		"timeZone": "US/Eastern", "accountType": "ADVANCED", "platformType": "CPE2",
		"dialingBehaviorType": "DIAL_NINE_TEN_DIGIT", "extensionLength": 4,
	}, http.StatusOK)
	id, _ := acct["id"].(string)
	if id == "ignored" || len(id) != 22 || acct["status"] != "ACTIVE" || acct["holdTimeoutSeconds"] != float64(180) ||
		acct["endUserCount"] != float64(0) || acct["routePlanId"] == nil || acct["holdMusicMediaId"] != nil {
		t.Fatalf("account: %v", acct)
	}
	A := alphaP + "/account/" + id

	ann := c.create(A+"/user", map[string]any{
		"username": "ann@flow.example.com", "firstName": "Ann", "lastName": "Flow", "extension": "2001",
		"emailAddress": "ann@flow.example.com",
	}, http.StatusOK)
	annID := ann["id"].(string)
	if ann["mustChangePassword"] != true || ann["languageTag"] != "en-US" || ann["timeZone"] != "US/Eastern" || ann["voicemailBoxId"] == nil {
		t.Fatalf("user defaults: %v", ann)
	}
	plans := ann["callingPlans"].([]any)
	plan := plans[0].(map[string]any)
	if len(plans) != 1 || plan["callingPlanProductId"] != "fakePlanAlphaStandard1" || plan["secondsRemaining"] != float64(2000*60) ||
		plan["referenceType"] != "END_USER" || plan["referenceId"] != annID {
		t.Fatalf("user plan: %v", plans)
	}
	bob := c.create(A+"/user", map[string]any{"firstName": "Bob", "lastName": "Flow", "extension": "2002"}, http.StatusOK)
	bobID := bob["id"].(string)

	line := c.create(A+"/deviceline", map[string]any{
		"id": "mine", "deviceTypeId": "VVX400", "deviceName": "Ann desk", "macAddress": "0004f2AABB01",
		"lineNumber": 1, "userId": annID, "sipPassword": "s3cret!", "faxEnabled": false,
	}, http.StatusCreated)
	lineID := line["id"].(string)
	if lineID == "mine" || line["sipUsername"] != lineID || line["macAddress"] != "0004f2AABB01" || line["emergencyNumber"] != "" {
		t.Fatalf("line: %v", line)
	}
	if _, ok := line["sipPassword"]; ok {
		t.Fatal("sipPassword returned")
	}
	c.create(A+"/deviceline", map[string]any{"deviceTypeId": "VVX400", "deviceName": "Ann desk", "macAddress": "0004F2AABB01",
		"lineNumber": 2, "userId": annID, "sipUsername": "flow-ann-2"}, http.StatusCreated)
	c.create(A+"/user/"+bobID+"/device", map[string]any{"deviceTypeId": "SPA112", "deviceName": "Bob ATA", "macAddress": "C8D719000001", "lineNumber": 1}, http.StatusCreated)

	// read everything back
	var users []map[string]any
	c.do(http.MethodGet, A+"/user", nil, http.StatusOK).Decode(t, &users)
	if len(users) != 2 || users[0]["id"] != annID || len(users[0]["devices"].([]any)) != 2 || len(users[1]["devices"].([]any)) != 1 {
		t.Fatalf("users: %v", users)
	}
	if got := c.do(http.MethodGet, A, nil, http.StatusOK).Map(t); got["endUserCount"] != float64(2) {
		t.Fatalf("endUserCount %v", got["endUserCount"])
	}
	var lines []map[string]any
	c.do(http.MethodGet, A+"/deviceline?filterType=OWNING_USERID&filter="+annID, nil, http.StatusOK).Decode(t, &lines)
	if len(lines) != 2 {
		t.Fatalf("ann's lines: %v", lines)
	}
	c.do(http.MethodGet, A+"/device/0004f2aabb01", nil, http.StatusOK).Decode(t, &lines)
	if len(lines) != 2 || lines[0]["lineNumber"] != float64(1) {
		t.Fatalf("by mac: %v", lines)
	}
	for _, k := range []string{"Id", "AccountNumber", "MacAddress"} {
		key := map[string]string{"Id": id, "AccountNumber": "FLOW-1", "MacAddress": "0004F2AABB01"}[k]
		if got := c.do(http.MethodGet, alphaP+"/account/"+key+"?accountIdType="+k, nil, http.StatusOK).Map(t); got["id"] != id {
			t.Fatalf("by %s: %v", k, got)
		}
	}
	if got := c.do(http.MethodGet, A+"/user/ANN@flow.example.com?idType=UserName", nil, http.StatusOK).Map(t); got["id"] != annID {
		t.Fatalf("by username: %v", got)
	}

	// update: PUT replaces, PATCH merges
	put := c.do(http.MethodPut, A, map[string]any{"accountNumber": "FLOW-1", "accountName": "Flow Corporation",
		"accountType": "ADVANCED", "billingCycleDay": 9, "extensionLength": 4, "timeZone": "US/Eastern"}, http.StatusOK).Map(t)
	if put["accountName"] != "Flow Corporation" || put["billingCycleDay"] != float64(9) || put["dialingBehaviorType"] != "OPEN_DIAL_PLAN" || put["id"] != id {
		t.Fatalf("put: %v", put)
	}
	patched := c.do(http.MethodPatch, A+"/user/"+annID, map[string]any{"firstName": "Anne",
		"callHandlingSettings": map[string]any{"doNotDisturbEnabled": true}}, http.StatusOK).Map(t)
	h := patched["callHandlingSettings"].(map[string]any)
	if patched["firstName"] != "Anne" || patched["lastName"] != "Flow" || h["doNotDisturbEnabled"] != true || h["callWaitingEnabled"] != true {
		t.Fatalf("patch merge: %v", patched)
	}
	c.do(http.MethodPatch, A+"/deviceline/"+lineID, map[string]any{"deviceName": "Anne desk"}, http.StatusOK)

	// delete a user: its lines go with it
	c.do(http.MethodDelete, A+"/user/"+bobID, nil, http.StatusNoContent)
	c.do(http.MethodGet, A+"/deviceline", nil, http.StatusOK).Decode(t, &lines)
	if len(lines) != 2 {
		t.Fatalf("lines after user delete: %v", lines)
	}
	c.do(http.MethodDelete, A+"/deviceline/"+lineID, nil, http.StatusNoContent)
	c.fails(http.MethodGet, A+"/deviceline/"+lineID, nil, http.StatusNotFound, "EntityNotFound")

	// history: newest first, paged
	page := c.do(http.MethodGet, A+"/accounthistorysearch?maxResult=3", nil, http.StatusOK).Map(t)
	results := page["results"].([]any)
	first := results[0].(map[string]any)
	if page["totalRecords"] != float64(12) || len(results) != 3 || first["action"] != "DELETE" || first["accountHistoryType"] != "DEVICE" ||
		first["userName"] != fatest.AdminUser || first["userType"] != "ManagementUser" || first["partitionName"] != "Alpha Voice" {
		t.Fatalf("history page: %v", page)
	}
	page = c.do(http.MethodGet, A+"/accounthistorysearch?accountHistoryType=USER&firstResultIndex=1", nil, http.StatusOK).Map(t)
	if page["totalRecords"] != float64(4) || len(page["results"].([]any)) != 3 {
		t.Fatalf("USER history: %v", page)
	}
	for _, r := range c.do(http.MethodGet, A+"/accounthistorysearch?maxResult=50", nil, http.StatusOK).Map(t)["results"].([]any) {
		if strings.Contains(fmt.Sprint(r), "s3cret") {
			t.Fatal("history leaks the SIP password")
		}
	}

	// delete the account: everything under it goes, its names are free again
	c.do(http.MethodDelete, A, nil, http.StatusOK)
	c.fails(http.MethodGet, A, nil, http.StatusNotFound, "EntityNotFound")
	c.fails(http.MethodGet, A+"/user", nil, http.StatusNotFound, "EntityNotFound")
	if free := c.do(http.MethodGet, alphaP+"/account/validateproperties?accountnumber=FLOW-1&macaddress=0004F2AABB01&username=ann@flow.example.com&sipusername=flow-ann-2", nil, http.StatusOK); string(free.Body) != "true" {
		t.Fatalf("names not free after delete: %s", free.Body)
	}
	page = c.do(http.MethodGet, alphaP+"/account/accounthistorysearch?accountNumber=FLOW-1&maxResult=1", nil, http.StatusOK).Map(t)
	if page["totalRecords"] != float64(13) || page["results"].([]any)[0].(map[string]any)["action"] != "DELETE" {
		t.Fatalf("history after delete: %v", page)
	}
}

func TestAccountErrors(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	ok := map[string]any{"accountNumber": "ERR-1", "accountName": "Err Inc", "accountType": "ADVANCED"}
	c.create(alphaP+"/account", ok, http.StatusOK)
	with := func(k string, v any) map[string]any {
		m := map[string]any{"accountNumber": "ERR-2", "accountName": "Err Two", "accountType": "ADVANCED"}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	cases := []struct {
		body map[string]any
		code string
	}{
		{with("accountName", nil), "AccountNameRequired"},
		{with("accountNumber", "ERR-1"), "DuplicateAccountNumber"},
		{with("billingCycleDay", 29), "InvalidValueForField:billingCycleDay"},
		{with("billingCycleDay", 0), "InvalidValueForField:billingCycleDay"},
		{with("extensionLength", 2), "InvalidValueForField:extensionLength"},
		{with("extensionLength", 7), "InvalidValueForField:extensionLength"},
		{with("timeZone", "Europe/Berlin"), "InvalidValueForField:timeZone"},
		{with("accountType", "MEDIUM"), "InvalidValueForField:accountType"},
		{with("platformType", "CPE3"), "InvalidValueForField:platformType"},
		{with("status", "GONE"), "InvalidValueForField:status"},
		{with("regulatoryType", "MILITARY"), "InvalidValueForField:regulatoryType"},
		{with("dialingBehaviorType", "NINE"), "InvalidValueForField:dialingBehaviorType"},
		{map[string]any{"accountNumber": "ERR-3", "accountName": "Home", "accountType": "SIMPLE", "dialingBehaviorType": "DIAL_NINE_SEVEN_DIGIT"}, "InvalidValueForField:dialingBehaviorType"},
	}
	for _, tc := range cases {
		c.fails(http.MethodPost, alphaP+"/account", tc.body, http.StatusBadRequest, tc.code)
	}
	r := c.fails(http.MethodGet, alphaP+"/account/nope", nil, http.StatusNotFound, "EntityNotFound")
	if _, _, data := r.Envelope(t); fmt.Sprint(data) != "map[id:nope type:Account]" {
		t.Fatalf("data %v", data)
	}
	var list []map[string]any
	c.do(http.MethodGet, alphaP+"/account", nil, http.StatusOK).Decode(t, &list)
	acct := list[0]
	for _, a := range list {
		if a["accountNumber"] == "ERR-1" {
			acct = a
		}
	}
	A := alphaP + "/account/" + acct["id"].(string)
	c.fails(http.MethodPatch, A, map[string]any{"extensionLength": 5}, http.StatusBadRequest, "ExtensionLengthCannotBeChanged")
	c.fails(http.MethodPatch, A, map[string]any{"billingCycleDay": "soon"}, http.StatusBadRequest, "InvalidValueForField:billingCycleDay")
	c.fails(http.MethodGet, A+"?accountIdType=Nickname", nil, http.StatusBadRequest, "InvalidValueForField:accountIdType")
	c.fails(http.MethodGet, alphaP+"/account/000000000000?accountIdType=MacAddress", nil, http.StatusNotFound, "EntityNotFound")
}

func TestEndUserAndDeviceErrors(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001" // Acme, ADVANCED, from the fixtures
	ann := "fakeUser00000000000001"
	users := []struct {
		body   map[string]any
		status int
		code   string
	}{
		{map[string]any{"username": "ANN.OWNER@acme.example.com", "lastName": "Dup", "extension": "2100"}, 400, "DuplicateUsername"},
		{map[string]any{"lastName": "", "extension": "2100"}, 400, "InvalidLastName"},
		{map[string]any{"lastName": "R2D2", "extension": "2100"}, 400, "InvalidLastName"},
		{map[string]any{"lastName": "Noext"}, 400, "ExtensionRequired"},
		{map[string]any{"lastName": "Nine", "extension": "9100"}, 400, "InvalidExtension"},
		{map[string]any{"lastName": "Long", "extension": "21000"}, 400, "InvalidExtension"},
		{map[string]any{"lastName": "Same", "extension": "2001"}, 400, "ExtensionAlreadyInUse"},
		{map[string]any{"lastName": "Zone", "extension": "2100", "timeZone": "Mars/Base"}, 400, "InvalidValueForField:timeZone"},
	}
	for _, u := range users {
		c.fails(http.MethodPost, A+"/user", u.body, u.status, u.code)
	}
	// usernames are unique across partitions
	bravo := login(t, srv, fatest.BravoAdminUser)
	bAcct := bravo.create("/v2/partition/"+fatest.BravoPartition+"/account", map[string]any{"accountNumber": "B-1", "accountName": "Bravo One", "accountType": "ADVANCED", "extensionLength": 4}, http.StatusOK)
	bravo.fails(http.MethodPost, "/v2/partition/"+fatest.BravoPartition+"/account/"+bAcct["id"].(string)+"/user",
		map[string]any{"username": "ann.owner@ACME.example.com", "lastName": "Other", "extension": "2001"}, 400, "DuplicateUsername")

	// SIMPLE: one user, one device line
	H := alphaP + "/account/fakeAcct00000000000002" // a SIMPLE account
	c.fails(http.MethodPost, H+"/user", map[string]any{"lastName": "Second"}, 400, "SimpleAccountUserLimitReached")
	c.fails(http.MethodPost, H+"/deviceline", map[string]any{"deviceTypeId": "SPA112", "deviceName": "x", "macAddress": "c8d71903b2c4", "lineNumber": 2, "userId": "fakeUser00000000000004"}, 400, "SimpleAccountDeviceLimitReached")

	base := func(k string, v any) map[string]any {
		m := map[string]any{"deviceTypeId": "VVX400", "deviceName": "Spare", "macAddress": "0004F2A10001", "lineNumber": 2, "userId": ann}
		m[k] = v
		return m
	}
	lines := []struct {
		body   map[string]any
		status int
		code   string
	}{
		{base("macAddress", "0004F2A1"), 400, "InvalidMacAddress"},
		{base("macAddress", "00:04:F2:A1:00"), 400, "InvalidMacAddress"},
		{base("macAddress", "0004F2A1000G"), 400, "InvalidMacAddress"},
		{base("lineNumber", 13), 400, "InvalidLineNumber"},
		{base("lineNumber", 1), 400, "DuplicateMACAddressLineNumber"},
		{base("macAddress", "c8d71903b2c4"), 400, "DuplicateMACAddress"},
		{base("deviceTypeId", "VVX500"), 400, "InvalidDeviceTypeForMac"},
		{base("sipUsername", "fakeLine00000000000001"), 400, "SipUsernameInUse"},
		{base("deviceTypeId", "SIP_50_Port_MTA"), 404, "EntityNotFound"},
		{base("userId", "fakeUser00000000000004"), 404, "EntityNotFound"},
	}
	for _, l := range lines {
		r := c.fails(http.MethodPost, A+"/deviceline", l.body, l.status, l.code)
		if l.code == "InvalidMacAddress" || l.code == "InvalidLineNumber" {
			if _, _, data := r.Envelope(t); data != float64(400) {
				t.Errorf("%s: data %v, want 400", l.code, data)
			}
		}
	}
	r := c.fails(http.MethodPost, A+"/deviceline", base("deviceTypeId", "SIP_50_Port_MTA"), 404, "EntityNotFound")
	if _, _, data := r.Envelope(t); fmt.Sprint(data) != "map[id:SIP_50_Port_MTA type:DeviceType]" {
		t.Fatalf("data %v", data)
	}
	// Bravo's partition allows only some device types
	bUser := bravo.create("/v2/partition/"+fatest.BravoPartition+"/account/"+bAcct["id"].(string)+"/user",
		map[string]any{"lastName": "Other", "extension": "2001"}, http.StatusOK)
	bravo.fails(http.MethodPost, "/v2/partition/"+fatest.BravoPartition+"/account/"+bAcct["id"].(string)+"/deviceline",
		map[string]any{"deviceTypeId": "VVX500", "deviceName": "x", "macAddress": "0004F2B00001", "lineNumber": 1, "userId": bUser["id"]}, 400, "DeviceTypeNotAllowed")

	// the per-user path only sees that user's lines
	c.fails(http.MethodGet, A+"/user/fakeUser00000000000002/device/fakeLine00000000000001", nil, 404, "EntityNotFound")
	c.fails(http.MethodDelete, A+"/user/fakeUser00000000000002/device/fakeLine00000000000001", nil, 404, "EntityNotFound")
	if got := c.do(http.MethodGet, A+"/user/"+ann+"/device/fakeLine00000000000001", nil, 200).Map(t); got["userId"] != ann {
		t.Fatalf("per-user line: %v", got)
	}
	c.do(http.MethodDelete, A+"/user/"+ann+"/device/fakeLine00000000000001", nil, 200)

	// swap moves a device to new hardware
	S := A + "/deviceline/fakeLine00000000000002/swap"
	if r := c.do(http.MethodGet, S+"/prevalidate?macaddress=c8d71903a0b1", nil, 200); string(r.Body) != "false" {
		t.Fatalf("prevalidate a used MAC: %s", r.Body)
	}
	if r := c.do(http.MethodGet, S+"/prevalidate?macaddress=0004F2A1FFFF", nil, 200); string(r.Body) != "true" {
		t.Fatalf("prevalidate a free MAC: %s", r.Body)
	}
	c.fails(http.MethodPost, S, map[string]any{"macAddress": "c8d71903a0b1", "deviceTypeId": "VVX500", "deviceName": "x"}, 400, "DuplicateMACAddress")
	c.fails(http.MethodPost, S, map[string]any{"macAddress": "0004F2A1FFFF", "deviceTypeId": "NOPE", "deviceName": "x"}, 404, "EntityNotFound")
	c.fails(http.MethodPost, S, map[string]any{"macAddress": "0004F2A1FFFF", "deviceName": "x"}, 400, "DeviceTypeIdRequired")
	sw := c.do(http.MethodPost, S, map[string]any{"macAddress": "0004F2A1FFFF", "deviceTypeId": "VVX400", "deviceName": "New desk"}, 200).Map(t)
	if sw["macAddress"] != "0004F2A1FFFF" || sw["deviceTypeId"] != "VVX400" || sw["deviceName"] != "New desk" {
		t.Fatalf("swap: %v", sw)
	}
	c.fails(http.MethodGet, A+"/device/0004F2A10002", nil, 404, "EntityNotFound")
}

func TestConcurrentCreatesHaveOneWinner(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000003" // Beta Dental: ADVANCED, extension length 3
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			r := srv.Call(t, http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": "RACE-1", "accountName": "Race", "accountType": "SIMPLE"}, fatest.Auth(c.tok))
			mu.Lock()
			codes[fmt.Sprint("account ", r.Status)]++
			mu.Unlock()
		}()
		go func() {
			defer wg.Done()
			r := srv.Call(t, http.MethodPost, A+"/user", map[string]any{"username": "race@example.com", "lastName": "Racer", "extension": fmt.Sprint(300 + i)}, fatest.Auth(c.tok))
			mu.Lock()
			codes[fmt.Sprint("user ", r.Status)]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if codes["account 200"] != 1 || codes["account 400"] != 19 || codes["user 200"] != 1 || codes["user 400"] != 19 {
		t.Fatalf("outcomes: %v", codes)
	}
}

func TestReadOnlyUserCannotWrite(t *testing.T) {
	srv := fatest.New(t)
	r := login(t, srv, fatest.ReaderUser)
	r.do(http.MethodGet, alphaP+"/account", nil, http.StatusOK)
	r.do(http.MethodGet, alphaP+"/account/fakeAcct00000000000001/accounthistorysearch", nil, http.StatusOK)
	r.do(http.MethodPost, alphaP+"/account", map[string]any{"accountNumber": "RO-1", "accountName": "Read Only", "accountType": "SIMPLE"}, http.StatusForbidden)
	r.do(http.MethodDelete, alphaP+"/account/fakeAcct00000000000001", nil, http.StatusForbidden)
	r.do(http.MethodPut, alphaP+"/callingplanproduct/fakePlanAlphaStandard1", map[string]any{"name": "x"}, http.StatusForbidden)
	r.do(http.MethodGet, "/v2/ref/devicetype", nil, http.StatusOK)
}

func TestPartitionsDoNotSeeEachOther(t *testing.T) {
	srv := fatest.New(t)
	b := login(t, srv, fatest.BravoAdminUser)
	bP := "/v2/partition/" + fatest.BravoPartition
	// Bravo's token cannot reach Alpha's partition at all
	b.fails(http.MethodGet, alphaP+"/account", nil, http.StatusBadRequest, "NotPermitted")
	// an Alpha account id under Bravo's partition is not found, never leaked
	b.fails(http.MethodGet, bP+"/account/fakeAcct00000000000001", nil, http.StatusNotFound, "EntityNotFound")
	b.fails(http.MethodGet, bP+"/account/ACME-1001?accountIdType=AccountNumber", nil, http.StatusNotFound, "EntityNotFound")
	b.fails(http.MethodGet, bP+"/callingplanproduct/fakePlanAlphaStandard1", nil, http.StatusNotFound, "EntityNotFound")
	var hits []any
	b.do(http.MethodGet, bP+"/account/search?q=acme", nil, http.StatusOK).Decode(t, &hits)
	if len(hits) != 0 {
		t.Fatalf("Bravo finds Alpha accounts: %v", hits)
	}
	// the same account number is fine in another partition
	b.create(bP+"/account", map[string]any{"accountNumber": "ACME-1001", "accountName": "Bravo Acme", "accountType": "SIMPLE"}, http.StatusOK)
}

func TestAccountSearch(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	var hits []map[string]any
	c.do(http.MethodGet, alphaP+"/account/search?q=ACME", nil, http.StatusOK).Decode(t, &hits)
	if len(hits) != 1 {
		t.Fatalf("hits %v", hits)
	}
	h := hits[0]
	m := h["matches"].(map[string]any)
	if h["accountNumber"] != "ACME-1001" || h["type"] != "ADVANCED" || h["accountStatus"] != "ACTIVE" || h["platformType"] != "CPE2" ||
		m["accountnumber"] != "ACME-1001" || m["accountname"] != "Acme Plumbing" {
		t.Fatalf("hit %v", h)
	}
	c.do(http.MethodGet, alphaP+"/account/search?q=rivera", nil, http.StatusOK).Decode(t, &hits)
	if len(hits) != 1 || len(hits[0]["matches"].(map[string]any)) != 1 {
		t.Fatalf("name-only hit %v", hits)
	}
}

func TestCallingPlans(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	CPP := alphaP + "/callingplanproduct"
	var list []map[string]any
	c.do(http.MethodGet, CPP, nil, http.StatusOK).Decode(t, &list)
	if len(list) != 3 {
		t.Fatalf("products %v", list)
	}
	gold := c.create(CPP, map[string]any{"id": "x", "name": "Gold 500", "planMinutes": 500, "defaultPlan": true}, http.StatusOK)
	goldID := gold["id"].(string)
	if goldID == "x" || gold["partitionId"] != fatest.AlphaPartition {
		t.Fatalf("product %v", gold)
	}
	if got := c.do(http.MethodGet, CPP+"/fakePlanAlphaStandard1", nil, http.StatusOK).Map(t); got["defaultPlan"] != false {
		t.Fatalf("old default kept its flag: %v", got)
	}
	c.fails(http.MethodPost, CPP, map[string]any{"planMinutes": 5}, http.StatusBadRequest, "NameRequired")
	c.fails(http.MethodPost, CPP, map[string]any{"name": "Bad", "rateTypeFor411": "PER_DAY"}, http.StatusBadRequest, "InvalidValueForField:rateTypeFor411")
	c.do(http.MethodPatch, CPP+"/"+goldID, map[string]any{"planMinutes": 600}, http.StatusOK)

	// a new end user gets the new default, with planMinutes*60 seconds
	A := alphaP + "/account/fakeAcct00000000000001"
	u := c.create(A+"/user", map[string]any{"lastName": "Golden", "extension": "2500"}, http.StatusOK)
	p := u["callingPlans"].([]any)[0].(map[string]any)
	if p["callingPlanProductId"] != goldID || p["planMinutes"] != float64(600) || p["secondsRemaining"] != float64(36000) {
		t.Fatalf("user plan %v", p)
	}

	// account-level plans
	added := c.do(http.MethodPut, A+"/callingplan", map[string]any{"referenceType": "END_USER", "referenceId": u["id"], "callingPlanProductId": "fakePlanAlphaUnlimitd1"}, http.StatusOK).Map(t)
	if added["referenceId"] != u["id"] || added["secondsRemaining"] != float64(50000*60) {
		t.Fatalf("added %v", added)
	}
	c.fails(http.MethodPut, A+"/callingplan", map[string]any{"referenceType": "END_USER", "referenceId": u["id"], "callingPlanProductId": "fakePlanAlphaUnlimitd1"}, http.StatusBadRequest, "DuplicateCallingPlan")
	c.fails(http.MethodPut, A+"/callingplan", map[string]any{"referenceType": "END_USER", "referenceId": "nobody", "callingPlanProductId": goldID}, http.StatusNotFound, "EntityNotFound")
	c.do(http.MethodGet, A+"/callingplan?referenceType=END_USER&referenceId="+u["id"].(string), nil, http.StatusOK).Decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("user plans %v", list)
	}
	c.do(http.MethodGet, A+"/callingplan?referenceType=ACCOUNT", nil, http.StatusOK).Decode(t, &list)
	if len(list) != 1 || list[0]["callingPlanProductId"] != "fakePlanAlphaBusiness1" {
		t.Fatalf("account plans %v", list)
	}
	removed := c.do(http.MethodDelete, A+"/callingplan", map[string]any{"referenceType": "END_USER", "referenceId": u["id"], "callingPlanProductId": "fakePlanAlphaUnlimitd1"}, http.StatusOK).Map(t)
	if removed["id"] != added["id"] {
		t.Fatalf("removed %v", removed)
	}

	// archive: gone from the list, still readable, no longer the default
	c.do(http.MethodDelete, CPP+"/"+goldID+"/archive-callingplan", nil, http.StatusOK)
	c.do(http.MethodGet, CPP, nil, http.StatusOK).Decode(t, &list)
	if len(list) != 3 {
		t.Fatalf("after archive %v", list)
	}
	c.do(http.MethodGet, CPP+"?includeArchived=true", nil, http.StatusOK).Decode(t, &list)
	if len(list) != 4 {
		t.Fatalf("with archived %v", list)
	}
	c.fails(http.MethodPut, A+"/callingplan", map[string]any{"referenceType": "ACCOUNT", "callingPlanProductId": goldID}, http.StatusBadRequest, "CallingPlanProductArchived")
}

func TestDeviceTypesAndLineStatus(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	var types []map[string]any
	c.do(http.MethodGet, "/v2/ref/devicetype", nil, http.StatusOK).Decode(t, &types)
	if len(types) != 10 {
		t.Fatalf("types %v", types)
	}
	// A partition's own types, read by its own admin.
	login(t, srv, fatest.BravoAdminUser).do(http.MethodGet, "/v2/ref/devicetype?partitionid="+fatest.BravoPartition, nil, http.StatusOK).Decode(t, &types)
	if len(types) != 5 {
		t.Fatalf("Bravo's types %v", types)
	}
	if got := c.do(http.MethodGet, "/v2/ref/devicetype/SPA112", nil, http.StatusOK).Map(t); got["numLines"] != float64(2) {
		t.Fatalf("SPA112 %v", got)
	}
	c.fails(http.MethodGet, "/v2/ref/devicetype/SIP_50_Port_MTA", nil, http.StatusNotFound, "EntityNotFound")
	L := alphaP + "/account/fakeAcct00000000000001/deviceline/fakeLine00000000000001"
	if got := c.do(http.MethodGet, L+"/registrationstatus", nil, http.StatusOK).Map(t); got["registered"] != false {
		t.Fatalf("registration %v", got)
	}
	if got := c.do(http.MethodGet, L+"/provisioningstatus", nil, http.StatusOK).Map(t); got["success"] != false || got["macAddress"] != "0004F2A10001" {
		t.Fatalf("provisioning %v", got)
	}
}

func TestUserActions(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	U := A + "/user/fakeUser00000000000001"
	c.do(http.MethodPatch, U, map[string]any{"mustChangePassword": false, "pinLockedOut": true}, http.StatusOK)
	if got := c.do(http.MethodPut, U+"/resetpassword", nil, http.StatusOK).Map(t); got["mustChangePassword"] != true {
		t.Fatalf("reset %v", got)
	}
	if got := c.do(http.MethodPut, U+"/unlockvm?resetPin=true", nil, http.StatusOK).Map(t); got["pinLockedOut"] != false {
		t.Fatalf("unlock %v", got)
	}
	c.do(http.MethodPost, U+"/send-welcome-email", nil, http.StatusNoContent)
	c.do(http.MethodPost, A+"/send-welcome-email", nil, http.StatusOK)
	c.do(http.MethodGet, A+"/user/prevalidate/email/new.person@acme.example.com", nil, http.StatusOK)
	c.do(http.MethodGet, A+"/user/prevalidate/email/ann.owner@acme.example.com?userId=fakeUser00000000000001", nil, http.StatusOK)
	c.fails(http.MethodGet, A+"/user/prevalidate/email/ann.owner@acme.example.com", nil, http.StatusBadRequest, "EmailAddressInUse")
	c.fails(http.MethodGet, A+"/user/prevalidate/email/not-an-address", nil, http.StatusBadRequest, "InvalidEmailAddress")

	// account users
	AU := A + "/accountuser"
	au := c.create(AU, map[string]any{"username": "second.boss@acme.example.com", "firstName": "Sam", "lastName": "Boss"}, http.StatusOK)
	c.fails(http.MethodPost, AU, map[string]any{"username": "bob.tech@acme.example.com", "firstName": "Bob", "lastName": "Again"}, http.StatusBadRequest, "DuplicateUsername")
	c.fails(http.MethodPost, AU, map[string]any{"username": "x@acme.example.com", "firstName": "Xavier", "lastName": "12345"}, http.StatusBadRequest, "InvalidLastName")
	c.fails(http.MethodPost, AU, map[string]any{"username": "x@acme.example.com", "firstName": "Mo", "lastName": "Boss"}, http.StatusBadRequest, "InvalidFirstName")
	if got := c.do(http.MethodGet, AU+"/second.boss@acme.example.com?idType=UserName", nil, http.StatusOK).Map(t); got["id"] != au["id"] {
		t.Fatalf("by username %v", got)
	}
	if got := c.do(http.MethodPatch, AU+"/"+au["id"].(string), map[string]any{"firstName": "Samantha"}, http.StatusOK).Map(t); got["firstName"] != "Samantha" || got["lastName"] != "Boss" {
		t.Fatalf("patch %v", got)
	}
	c.do(http.MethodPut, AU+"/"+au["id"].(string)+"/resetpassword", nil, http.StatusOK)
	if r := c.do(http.MethodDelete, AU+"/"+au["id"].(string), nil, http.StatusOK); string(r.Body) != `"deleted"` {
		t.Fatalf("delete body %s", r.Body)
	}
	c.fails(http.MethodGet, AU+"/"+au["id"].(string), nil, http.StatusNotFound, "EntityNotFound")
}

func TestGetEditPutRoundTrips(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	for _, path := range []string{A, A + "/user/fakeUser00000000000001", A + "/deviceline/fakeLine00000000000001", A + "/accountuser/fakeAcctUser0000000001", alphaP + "/callingplanproduct/fakePlanAlphaBusiness1"} {
		before := c.do(http.MethodGet, path, nil, http.StatusOK).Map(t)
		edited := map[string]any{}
		for k, v := range before {
			edited[k] = v
		}
		key := "deviceName"
		switch {
		case path == A:
			key = "accountName"
		case strings.Contains(path, "/user/"), strings.Contains(path, "/accountuser/"):
			key = "firstName"
		case strings.Contains(path, "callingplanproduct"):
			key = "name"
		}
		edited[key] = "Edited Value"
		after := c.do(http.MethodPut, path, edited, http.StatusOK).Map(t)
		for k, v := range before {
			if k == key {
				continue
			}
			if fmt.Sprint(after[k]) != fmt.Sprint(v) {
				t.Errorf("%s: %s changed from %v to %v", path, k, v, after[k])
			}
		}
		if after[key] != "Edited Value" {
			t.Errorf("%s: %s = %v", path, key, after[key])
		}
	}
}
