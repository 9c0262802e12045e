package routes_test

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/store"
)

// TestPhoneNumberGuideFlow runs the flows of the official "Phone Numbers via
// API" guide through the real router: search, reserve, activate, route, port
// with FOC, cancel, release.
func TestPhoneNumberGuideFlow(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)

	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "TN-1", "accountName": "Numbers Corp",
		"accountType": "ADVANCED", "timeZone": "US/Mountain"}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)
	ann := c.create(A+"/user", map[string]any{"firstName": "Ann", "lastName": "Numbers", "extension": "2001"}, http.StatusOK)
	annID := ann["id"].(string)

	// validate the service address: it comes back as a customer service record
	v := c.do(http.MethodGet, "/v2/address/validate?"+url.Values{"address": {"100 Main St, Salt Lake City, UT"},
		"country": {"USA"}, "postalCode": {"84101"}}.Encode(), nil, http.StatusOK).Map(t)
	csr, _ := v["customerServiceRecord"].(map[string]any)
	if v["valid"] != true || csr["streetNumber"] != "100" || csr["streetName"] != "MAIN" || csr["streetSuffix"] != "ST" || v["latitude"] == nil {
		t.Fatalf("validate: %v", v)
	}
	csr["businessName"], csr["customerType"] = "Numbers Corp", "BUSINESS"

	// search by postal code, reserve two hits (the guide's path and the spec's)
	var hits []map[string]any
	c.do(http.MethodGet, alphaP+"/telephonenumber/search?q=84101&maxResults=5", nil, http.StatusOK).Decode(t, &hits)
	if len(hits) != 5 || hits[0]["matchesZip"] != true || hits[0]["rateCenter"] != "SALT LAKE CITY" || hits[0]["isInInventory"] != true {
		t.Fatalf("search: %v", hits)
	}
	tn, tn2 := hits[0]["phoneNumber"].(string), hits[1]["phoneNumber"].(string)
	c.do(http.MethodPut, A+"/telephonenumber/"+tn+"/reserve", nil, http.StatusNoContent)
	res := c.do(http.MethodPut, alphaP+"/telephonenumber/"+tn2+"/reserve", nil, http.StatusOK).Map(t)
	if res["reserved"] != true || res["tn"] != tn2 {
		t.Fatalf("reserve: %v", res)
	}
	again := login(t, srv, fatest.AdminUser) // another session of the same user renews the reservation
	again.do(http.MethodPut, alphaP+"/telephonenumber/"+tn2+"/reserve", nil, http.StatusOK)

	// E911 prevalidation, then activation routed to Ann
	body := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"listed": false, "type": "NOT_LIST_NOT_PUBLISH"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": tn, "referenceType": "END_USER", "referenceId": annID}}}
	pre := c.do(http.MethodPut, alphaP+"/account/e911/prevalidate", body, http.StatusOK).Map(t)
	if pre["valid"] != "VALID" {
		t.Fatalf("e911 prevalidate: %v", pre)
	}
	act := c.create(A+"/telephonenumber", body, http.StatusOK)
	nums := act["telephoneNumbers"].([]any)
	if act["id"] == nil || act["accountId"] != acct["id"] || nums[0].(map[string]any)["id"] != tn || nums[0].(map[string]any)["functionType"] != "ELS" {
		t.Fatalf("activation: %v", act)
	}
	n := c.do(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t)
	if n["carrierStatus"] != "ACTIVE" || n["referenceId"] != annID || n["e911Address"] == nil {
		t.Fatalf("activated number: %v", n)
	}
	ev := c.do(http.MethodGet, A+"/reference/"+tn+"/type/ACTIVATION", nil, http.StatusOK).Map(t)
	if ev["activationStatusType"] != "COMPLETED" || len(ev["logs"].([]any)) != 2 {
		t.Fatalf("activation event: %v", ev)
	}
	acctByTN := c.do(http.MethodGet, A[:len(alphaP)]+"/account/"+tn+"?accountIdType=PhoneNumber", nil, http.StatusOK).Map(t)
	if acctByTN["id"] != acct["id"] {
		t.Fatalf("account by phone number: %v", acctByTN)
	}

	// route: caller id for Ann
	d := c.do(http.MethodPut, A+"/telephonenumber/"+tn+"/destination", map[string]any{"referenceType": "END_USER",
		"referenceId": annID, "assignAsCallerId": true, "ringType": "Ring3"}, http.StatusOK).Map(t)
	if d["telephoneNumber"] != tn || d["assignAsCallerId"] != true {
		t.Fatalf("destination: %v", d)
	}
	u := c.do(http.MethodGet, A+"/user/"+annID, nil, http.StatusOK).Map(t)
	if u["callerIdConfig"].(map[string]any)["callerIdNumber"] != tn {
		t.Fatalf("caller id: %v", u["callerIdConfig"])
	}

	// a held activation waits for the release
	held := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
		"holdActivation": true, "telephoneNumbers": []any{map[string]any{"phoneNumber": tn2}}}
	c.create(A+"/telephonenumber", held, http.StatusOK)
	if ev = c.do(http.MethodGet, A+"/reference/"+tn2+"/type/ACTIVATION", nil, http.StatusOK).Map(t); ev["activationStatusType"] != "ON_HOLD" {
		t.Fatalf("held: %v", ev)
	}
	ev = c.do(http.MethodPut, A+"/reference/"+tn2+"/type/ACTIVATION", map[string]any{"activationStatusType": "IN_PROGRESS"}, http.StatusOK).Map(t)
	if ev["activationStatusType"] != "COMPLETED" {
		t.Fatalf("released: %v", ev)
	}

	// port with FOC: prevalidate, port, trigger only on the FOC date
	portTN := "15055550142"
	portBody := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
		"telephoneNumbers": []any{map[string]any{"phoneNumber": portTN}}}
	avail := c.do(http.MethodPost, alphaP+"/account/prevalidate", portBody, http.StatusOK).Map(t)
	crd, _ := avail["earliestCRD"].(string)
	if avail["serviceAvailable"] != true || crd == "" {
		t.Fatalf("port prevalidate: %v", avail)
	}
	portBody["port"] = map[string]any{"crdDate": crd, "portingAuthorizedName": "Ann Numbers", "billingTelephoneNumber": portTN}
	pact := c.create(A+"/telephonenumber", portBody, http.StatusOK)
	port := pact["port"].(map[string]any)
	portID := port["id"].(string)
	if port["status"] != "PORT_PENDING" {
		t.Fatalf("port: %v", port)
	}
	port = c.do(http.MethodGet, A+"/port/"+portID, nil, http.StatusOK).Map(t)
	if port["focDate"] != crd+"T00:00:00.000Z" {
		t.Fatalf("FOC: %v", port)
	}
	ev = c.do(http.MethodGet, A+"/reference/"+portID+"/type/PORT_REQUEST", nil, http.StatusOK).Map(t)
	if ev["activationStatusType"] != "FOC_RECEIVED" || len(ev["logs"].([]any)) != 3 {
		t.Fatalf("port event: %v", ev)
	}
	c.fails(http.MethodPut, A+"/port/"+portID+"/triggerport", nil, http.StatusBadRequest, "TriggerPortOnlyOnFocDate")
	foc, err := time.Parse(time.DateOnly, crd)
	if err != nil {
		t.Fatalf("earliestCRD %q: %v", crd, err)
	}
	srv.Clock().Advance(foc.Add(time.Hour).Sub(srv.Clock().Now()))
	c = login(t, srv, fatest.AdminUser) // the old token idled out over those days
	c.do(http.MethodPut, A+"/port/"+portID+"/triggerport", nil, http.StatusOK)
	if n = c.do(http.MethodGet, A+"/telephonenumber/"+portTN, nil, http.StatusOK).Map(t); n["carrierStatus"] != "ACTIVE" || n["portId"] != portID {
		t.Fatalf("ported number: %v", n)
	}

	// cancel: a second port is cancelled and its number leaves the platform
	portBody["telephoneNumbers"] = []any{map[string]any{"phoneNumber": "15055550143"}}
	port2 := c.create(A+"/telephonenumber", portBody, http.StatusOK)["port"].(map[string]any)["id"].(string)
	c.do(http.MethodDelete, A+"/port/"+port2+"/cancelport", nil, http.StatusNoContent)
	if p := c.do(http.MethodGet, A+"/port/"+port2, nil, http.StatusOK).Map(t); p["status"] != "CANCEL_PORT_COMPLETE" {
		t.Fatalf("cancelled port: %v", p)
	}
	c.fails(http.MethodGet, A+"/telephonenumber/15055550143", nil, http.StatusNotFound, "EntityNotFound")

	// release: the number leaves the account, cools down, is recovered
	c.do(http.MethodDelete, A+"/telephonenumber/"+tn, nil, http.StatusNoContent)
	inv := c.do(http.MethodGet, alphaP+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t)
	if inv["isInInventory"] != false || inv["cooldownExpireDate"] == nil || inv["accountId"] != nil {
		t.Fatalf("cooldown: %v", inv)
	}
	if inv = c.do(http.MethodPut, alphaP+"/telephonenumber/"+tn+"/cooldown/recover", nil, http.StatusOK).Map(t); inv["isInInventory"] != true {
		t.Fatalf("recovered: %v", inv)
	}

	// every step is in statussearch
	page := c.do(http.MethodGet, alphaP+"/telephonenumber/statussearch?accountId="+acct["id"].(string), nil, http.StatusOK).Map(t)
	if page["totalRecords"] != float64(5) {
		t.Fatalf("statussearch: %v", page)
	}
	numbers := c.do(http.MethodGet, A+"/telephonenumber", nil, http.StatusOK)
	var list []map[string]any
	numbers.Decode(t, &list)
	if len(list) != 2 {
		t.Fatalf("numbers left on the account: %v", list)
	}
}

func TestCooldownDaysOption(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.TNCooldownDays = 2 })
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	c.do(http.MethodDelete, A+"/telephonenumber/18015550103", nil, http.StatusNoContent)
	inv := c.do(http.MethodGet, alphaP+"/telephonenumber/18015550103", nil, http.StatusOK).Map(t)
	exp, err := time.Parse(time.RFC3339, inv["cooldownExpireDate"].(string))
	if err != nil || exp.Sub(srv.Clock().Now()) > 48*time.Hour || exp.Sub(srv.Clock().Now()) < 47*time.Hour {
		t.Fatalf("cooldown of 2 days: %v %v", inv, err)
	}
	srv.Clock().Advance(48 * time.Hour)
	c = login(t, srv, fatest.AdminUser)
	if inv = c.do(http.MethodGet, alphaP+"/telephonenumber/18015550103", nil, http.StatusOK).Map(t); inv["isInInventory"] != true {
		t.Fatalf("back in the inventory: %v", inv)
	}
}

func TestNumberErrorsThroughTheRouter(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	csr := map[string]any{"streetNumber": "1", "streetName": "MAIN", "city": "SALT LAKE CITY", "state": "UT", "country": "USA", "postalCode": "84101"}
	act := func(tn string, extra map[string]any) map[string]any {
		b := map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"},
			"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}
		for k, v := range extra {
			b[k] = v
		}
		return b
	}
	// fixture numbers are on the fixture accounts
	n := c.do(http.MethodGet, A+"/telephonenumber/18015550101", nil, http.StatusOK).Map(t)
	if n["referenceId"] != "fakeUser00000000000001" || n["carrierStatus"] != "ACTIVE" {
		t.Fatalf("fixture number: %v", n)
	}
	c.fails(http.MethodGet, alphaP+"/telephonenumber/19995550100", nil, 404, "EntityNotFound")
	c.fails(http.MethodGet, A+"/telephonenumber/18015550120", nil, 404, "EntityNotFound") // in inventory, not on the account
	c.fails(http.MethodPost, A+"/telephonenumber", act("19995550100", nil), 400, "TelephoneNumberNotInInventory")
	c.fails(http.MethodPost, "/v2/partition/"+fatest.AlphaPartition+"/account/fakeAcct00000000000003/telephonenumber",
		act("18015550101", nil), 400, "TelephoneNumberAlreadyOnAccount")
	c.fails(http.MethodPost, A+"/telephonenumber", act("18015550120", map[string]any{"e911Address": map[string]any{"streetName": "INVALID RD"}}),
		400, "InvalidE911Address")
	c.fails(http.MethodPut, A+"/telephonenumber/18015550101/destination", map[string]any{"referenceType": "SIP_TRUNK", "referenceId": "nope"},
		400, "InvalidReferenceId")
	c.fails(http.MethodPut, A+"/telephonenumber/18015550101/destination", map[string]any{"referenceType": "PHONE"},
		400, "InvalidValueForField:referenceType")
	c.fails(http.MethodGet, alphaP+"/telephonenumber/search?type=TN&q=abc", nil, 422, "InvalidSearchTerm")
	c.fails(http.MethodGet, alphaP+"/telephonenumber/search?type=NPA&q=801", nil, 400, "InvalidValueForField:type")
	c.fails(http.MethodPost, alphaP+"/telephonenumber", map[string]any{"phoneNumber": "18015550101"}, 400, "TelephoneNumberAlreadyExists")
	c.fails(http.MethodPost, alphaP+"/telephonenumber", map[string]any{"phoneNumber": "8015550999"}, 400, "InvalidValueForField:phoneNumber")
	created := c.do(http.MethodPost, alphaP+"/telephonenumber", map[string]any{"phoneNumber": "18015550999"}, http.StatusCreated).Map(t)
	if created["isInInventory"] != true || created["rateCenter"] != "SALT LAKE CITY" {
		t.Fatalf("created: %v", created)
	}
	c.do(http.MethodDelete, alphaP+"/telephonenumber/18015550999", nil, http.StatusNoContent)
	c.fails(http.MethodPut, A+"/reference/18015550101/type/ACTIVATION", map[string]any{"activationStatusType": "COMPLETED"},
		400, "InvalidValueForField:activationStatusType")
	c.fails(http.MethodPut, A+"/reference/18015550101/type/PORT_REQUEST", map[string]any{"activationStatusType": "CANCELLED"},
		400, "InvalidValueForField:serviceType")
	c.fails(http.MethodGet, A+"/port/nope", nil, 404, "EntityNotFound")
	c.fails(http.MethodGet, alphaP+"/ratecenter/19995550100", nil, 404, "EntityNotFound")
	rc := c.do(http.MethodGet, alphaP+"/ratecenter/13035550100", nil, http.StatusOK).Map(t)
	av := c.do(http.MethodGet, alphaP+"/telephonenumber/13035550100/availability", nil, http.StatusOK).Map(t)
	if rc["name"] != "DENVER" || av["state"] != "CO" {
		t.Fatalf("rate center %v availability %v", rc, av)
	}

	// permissions and scope
	reader := login(t, srv, fatest.ReaderUser)
	reader.do(http.MethodGet, alphaP+"/telephonenumber/search?q=84101", nil, http.StatusOK)
	reader.fails(http.MethodPut, alphaP+"/telephonenumber/18015550120/reserve", nil, 403, "InsufficientPermissions")
	reader.fails(http.MethodDelete, A+"/telephonenumber/18015550101", nil, 403, "InsufficientPermissions")
	bravo := login(t, srv, fatest.BravoAdminUser)
	bravo.fails(http.MethodGet, alphaP+"/telephonenumber", nil, 400, "NotPermitted")
	var bravoNums []store.TelephoneNumberView
	bravo.do(http.MethodGet, "/v2/partition/"+fatest.BravoPartition+"/telephonenumber", nil, http.StatusOK).Decode(t, &bravoNums)
	for _, x := range bravoNums {
		if x.PartitionID != fatest.BravoPartition {
			t.Fatalf("bravo sees %v", x)
		}
	}
	bravo.fails(http.MethodGet, "/v2/partition/"+fatest.BravoPartition+"/telephonenumber/18015550120", nil, 404, "EntityNotFound")

	// address rules
	for _, tc := range []struct {
		addr, postal string
		valid        bool
		required     int
	}{
		{"100 Main St, Salt Lake City, UT", "84101", true, 0},
		{"100 Invalid St, Salt Lake City, UT", "84101", false, 0},
		{"100 Main St Apt, Salt Lake City, UT", "84101", false, 2},
		{"Main St, Salt Lake City, UT", "84101", false, 1},
		{"100 Main St, Salt Lake City, UT", "8410", false, 0},
	} {
		v := c.do(http.MethodGet, "/v2/address/validate?"+url.Values{"address": {tc.addr}, "country": {"USA"}, "postalCode": {tc.postal}}.Encode(), nil, 200).Map(t)
		if v["valid"] != tc.valid || len(v["requiredFields"].([]any)) != tc.required {
			t.Errorf("validate %q %q: %v", tc.addr, tc.postal, v)
		}
	}
	var sugg []string
	c.do(http.MethodGet, "/v2/address/typeahead?"+url.Values{"address": {"100 Main St Apt, Salt Lake City, UT"}, "country": {"USA"}}.Encode(), nil, 200).Decode(t, &sugg)
	if len(sugg) != 3 || sugg[0] != "100 MAIN ST APARTMENT 1, SALT LAKE CITY, UT 84101" { // the postal code of SALT LAKE CITY, UT
		t.Fatalf("typeahead: %q", sugg)
	}
	c.fails(http.MethodGet, "/v2/address/validate?address=x", nil, 400, "CountryRequired")
}

// TestNumberOperationsAnswerTheSpec walks the operations the guide flow
// leaves out, so each response is checked against the spec.
func TestNumberOperationsAnswerTheSpec(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	A := alphaP + "/account/fakeAcct00000000000001"
	tn := "18015550101"

	// E911
	corr := c.do(http.MethodGet, A+"/telephonenumber/"+tn+"/911-address/correction", nil, http.StatusOK).Map(t)
	if corr["streetName"] != "MAIN" || corr["streetSuffix"] != "ST" {
		t.Fatalf("correction: %v", corr)
	}
	c.do(http.MethodPut, A+"/telephonenumber/"+tn, map[string]any{"referenceType": "END_USER", "referenceId": "fakeUser00000000000001",
		"e911Address": map[string]any{"streetNumber": "9", "streetName": "Elm", "streetSuffix": "Street", "city": "Salt Lake City",
			"state": "UT", "country": "USA", "postalCode": "84102"}}, http.StatusOK)
	n := c.do(http.MethodPut, A+"/telephonenumber/"+tn+"/911-address/correction/accept", nil, http.StatusOK).Map(t)
	if e := n["e911Address"].(map[string]any); e["streetName"] != "ELM" || e["streetSuffix"] != "ST" || e["latitude"] == nil {
		t.Fatalf("accepted correction: %v", e)
	}
	n = c.do(http.MethodPut, A+"/telephonenumber/"+tn+"/911-address/original/accept?latitude=40.1&longitude=-111.2", nil, http.StatusOK).Map(t)
	if e := n["e911Address"].(map[string]any); e["latitude"] != "40.1" || e["longitude"] != "-111.2" {
		t.Fatalf("original: %v", e)
	}
	c.fails(http.MethodPut, A+"/telephonenumber/"+tn, map[string]any{"e911Address": map[string]any{"streetName": "Elm"}}, 400, "InvalidE911Address")
	us := c.do(http.MethodGet, A+"/telephonenumber/"+tn+"/911-address/usages", nil, http.StatusOK).Map(t)
	if users := us["users"].([]any); len(users) != 1 || users[0] != "fakeUser00000000000001" {
		t.Fatalf("usages: %v", us)
	}
	bad := c.do(http.MethodPut, alphaP+"/account/e911/prevalidate", map[string]any{"e911Address": map[string]any{"streetNumber": "1",
		"streetName": "MAIN", "city": "X", "state": "UT", "country": "USA", "postalCode": "84101", "secondaryLocationDescription": "SUITE"}}, http.StatusOK).Map(t)
	if bad["valid"] != "INVALID" || len(bad["addressAlternatives"].([]any)) != 3 {
		t.Fatalf("e911 prevalidate: %v", bad)
	}
	c.fails(http.MethodPut, alphaP+"/account/e911/prevalidate", map[string]any{}, 400, "E911AddressRequired")

	// PATCH a number, list the account's numbers and the inventory
	n = c.do(http.MethodPatch, A+"/telephonenumber/"+tn, map[string]any{"canAcceptSMS": true, "ringType": "Ring1"}, http.StatusOK).Map(t)
	if n["canAcceptSMS"] != true || n["ringType"] != "Ring1" || n["referenceId"] != "fakeUser00000000000001" {
		t.Fatalf("patch: %v", n)
	}
	var mine, inv []map[string]any
	c.do(http.MethodGet, A+"/telephonenumber", nil, http.StatusOK).Decode(t, &mine)
	c.do(http.MethodGet, alphaP+"/telephonenumber", nil, http.StatusOK).Decode(t, &inv)
	if len(mine) != 3 || len(inv) < 100 {
		t.Fatalf("lists: %d on the account, %d in the partition", len(mine), len(inv))
	}

	// reservations on the spec path
	c.do(http.MethodPut, alphaP+"/telephonenumber/18015550130/reserve", nil, http.StatusOK)
	login(t, srv, fatest.ReaderUser).do(http.MethodGet, alphaP+"/telephonenumber/18015550130", nil, http.StatusOK)
	c.do(http.MethodDelete, alphaP+"/telephonenumber/18015550130/reserve", nil, http.StatusNoContent)

	// a port, edited by PUT and PATCH, then the account goes with its numbers
	if err := srv.Store().SetLifecycleMode(store.KindPort, store.LifecycleMode{Mode: store.ModeManual}); err != nil {
		t.Fatal(err)
	}
	csr := map[string]any{"lastName": "Port", "streetNumber": "1", "streetName": "MAIN", "city": "SALT LAKE CITY", "state": "UT", "country": "USA", "postalCode": "84101"}
	pact := c.create(A+"/telephonenumber", map[string]any{"customerServiceRecord": csr, "directoryListing": map[string]any{"type": "PORTED"},
		"port": map[string]any{"crdDate": "2030-01-07"}, "telephoneNumbers": []any{map[string]any{"phoneNumber": "15055550150"}}}, http.StatusOK)
	pid := pact["port"].(map[string]any)["id"].(string)
	p := c.do(http.MethodGet, A+"/port/"+pid, nil, http.StatusOK).Map(t)
	p["wirelessPin"] = "1234"
	p = c.do(http.MethodPut, A+"/port/"+pid, p, http.StatusOK).Map(t)
	if p["wirelessPin"] != "1234" || p["status"] != "PORT_PENDING" {
		t.Fatalf("put port: %v", p)
	}
	if p = c.do(http.MethodPatch, A+"/port/"+pid, map[string]any{"crdDate": "2030-01-08"}, http.StatusOK).Map(t); p["crdDate"] != "2030-01-08T00:00:00.000Z" {
		t.Fatalf("patch port: %v", p)
	}
	if _, err := srv.Store().AdvanceLifecycle(store.KindPort, pid); err != nil {
		t.Fatal(err)
	}
	c.fails(http.MethodPut, A+"/port/"+pid+"/triggerport", nil, 400, "PortNotReadyToTrigger")
	page := c.do(http.MethodGet, alphaP+"/telephonenumber/statussearch?eventType=PORT_REQUEST&statusType=IN_PROGRESS&maxResult=1", nil, http.StatusOK).Map(t)
	if page["totalRecords"] != float64(1) {
		t.Fatalf("statussearch: %v", page)
	}
	hist := c.do(http.MethodGet, A+"/accounthistorysearch?accountHistoryType=PHONE_NUMBER", nil, http.StatusOK).Map(t)
	if hist["totalRecords"].(float64) < 3 {
		t.Fatalf("number history: %v", hist)
	}
	c.do(http.MethodDelete, A, nil, http.StatusOK)
	if v := c.do(http.MethodGet, alphaP+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t); v["cooldownExpireDate"] == nil {
		t.Fatalf("a deleted account's number: %v", v)
	}
	c.fails(http.MethodGet, alphaP+"/telephonenumber/15055550150", nil, 404, "EntityNotFound")
}
