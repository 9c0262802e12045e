package routes_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestBundleActivation: the deprecated one-call activations make the
// account, the user, the device line (owned by the user) and the number
// (routed to the user, or a port) with the rules of each create and answer
// them with the fields the server filled; a step refused leaves nothing of
// the earlier ones (no account, user, line, number or history), so the same
// request corrected succeeds.
func TestBundleActivation(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	v := c.do(http.MethodGet, "/v2/address/validate?"+url.Values{"address": {"100 Main St, Salt Lake City, UT"},
		"country": {"USA"}, "postalCode": {"84101"}}.Encode(), nil, http.StatusOK).Map(t)
	csr := v["customerServiceRecord"].(map[string]any)
	csr["businessName"], csr["customerType"] = "Bundle Co", "BUSINESS"
	var hits []map[string]any
	c.do(http.MethodGet, alphaP+"/telephonenumber/search?q=84101&maxResults=4", nil, http.StatusOK).Decode(t, &hits)
	if len(hits) != 4 {
		t.Fatalf("search: %v", hits)
	}
	number := func(tn string) map[string]any {
		return map[string]any{"phoneNumber": tn, "customerServiceRecord": csr,
			"directoryListing": map[string]any{"type": "NOT_LIST_NOT_PUBLISH"}}
	}
	bundle := func(acctNumber, username, mac, tn string) map[string]any {
		b := map[string]any{
			"user":                   map[string]any{"username": username, "firstName": "Bun", "lastName": "Dle", "extension": "2001"},
			"device":                 map[string]any{"deviceTypeId": "VVX400", "deviceName": "Desk", "macAddress": mac},
			"telephoneNumberAccount": number(tn),
		}
		if acctNumber != "" {
			b["account"] = map[string]any{"accountNumber": acctNumber, "accountName": "Bundle Co", "accountType": "ADVANCED",
				"billingCycleDay": 1, "timeZone": "US/Mountain", "extensionLength": 4}
		}
		return b
	}
	// as is the caller for a subtest (a failure ends the subtest)
	as := func(t *testing.T) caller { return caller{t: t, srv: srv, tok: c.tok} }
	accountByNumber := func(t *testing.T, n string) []any {
		var l []any
		as(t).do(http.MethodGet, alphaP+"/account/search?q="+n, nil, http.StatusOK).Decode(t, &l)
		return l
	}
	checkMade := func(t *testing.T, out map[string]any, acct, tn string) {
		t.Helper()
		c := as(t)
		A := alphaP + "/account/" + acct
		u, _ := out["user"].(map[string]any)
		d, _ := out["device"].(map[string]any)
		n, _ := out["telephoneNumberAccount"].(map[string]any)
		if u == nil || d == nil || n == nil || len(u["id"].(string)) != 22 || u["voicemailBoxId"] == nil || u["mustChangePassword"] != true {
			t.Fatalf("answer %v", out)
		}
		if d["userId"] != u["id"] || d["sipUsername"] != d["id"] || d["accountId"] != acct {
			t.Fatalf("device %v, user %s", d, u["id"])
		}
		if n["phoneNumber"] != tn || n["referenceType"] != "END_USER" || n["referenceId"] != u["id"] || n["accountId"] != acct {
			t.Fatalf("number %v", n)
		}
		c.do(http.MethodGet, A+"/user/"+u["id"].(string), nil, http.StatusOK)
		c.do(http.MethodGet, A+"/deviceline/"+d["id"].(string), nil, http.StatusOK)
		if got := c.do(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t); got["referenceId"] != u["id"] {
			t.Fatalf("the number routes to %v", got["referenceId"])
		}
	}
	history := func(t *testing.T, acct string) float64 {
		return as(t).do(http.MethodGet, alphaP+"/account/"+acct+"/accounthistorysearch", nil, http.StatusOK).Map(t)["totalRecords"].(float64)
	}
	tn := func(i int) string { return hits[i]["phoneNumber"].(string) }

	// what the store holds of the kinds a bundle makes
	held := func() [3]int {
		st := srv.Store().Snapshot()
		return [3]int{len(st.Accounts), len(st.EndUsers), len(st.VoicemailBoxes)}
	}
	before := held()

	// refused at each step of an account activation: nothing stays
	for _, tc := range []struct {
		name   string
		edit   func(b map[string]any)
		status int
		code   string
	}{
		{"the account", func(b map[string]any) { b["account"].(map[string]any)["billingCycleDay"] = 40 }, 400, "InvalidValueForField:billingCycleDay"},
		{"the user", func(b map[string]any) { b["user"].(map[string]any)["extension"] = "12" }, 400, "InvalidExtension"},
		{"the device", func(b map[string]any) { b["device"].(map[string]any)["macAddress"] = "XYZ" }, 400, "InvalidMacAddress"},
		{"the number", func(b map[string]any) { b["telephoneNumberAccount"].(map[string]any)["phoneNumber"] = "15559990000" }, 400, "TelephoneNumberNotInInventory"},
		{"the number's listing", func(b map[string]any) { delete(b["telephoneNumberAccount"].(map[string]any), "directoryListing") }, 400, "DirectoryListingRequired"},
	} {
		t.Run("refused at "+tc.name, func(t *testing.T) {
			b := bundle("BUNDLE-1", "bundle@example.com", "0004F2BB0001", tn(0))
			tc.edit(b)
			as(t).fails(http.MethodPost, alphaP+"/account/activation", b, tc.status, tc.code)
			if got := accountByNumber(t, "BUNDLE-1"); len(got) != 0 {
				t.Fatalf("an account stayed: %v", got)
			}
			if now := held(); now != before {
				t.Fatalf("accounts, users, boxes %v, were %v", now, before)
			}
		})
	}

	// the same request, valid, makes everything; the username, MAC and
	// number the refused ones named were free
	out := c.do(http.MethodPost, alphaP+"/account/activation", bundle("BUNDLE-1", "bundle@example.com", "0004F2BB0001", tn(0)), http.StatusOK).Map(t)
	acct, _ := out["account"].(map[string]any)
	if acct == nil || len(acct["id"].(string)) != 22 || acct["status"] != "ACTIVE" || acct["accountNumber"] != "BUNDLE-1" || out["holdActivation"] != false {
		t.Fatalf("account activation: %v", out)
	}
	acctID := acct["id"].(string)
	checkMade(t, out, acctID, tn(0))
	if h := history(t, acctID); h != 4 {
		t.Fatalf("history: %v records, want 4 (account, user, device, number)", h)
	}
	c.fails(http.MethodPost, alphaP+"/account/activation", map[string]any{"holdActivation": true}, 400, "AccountRequired")

	// on an existing account: a refused step leaves the account as it was
	A := alphaP + "/account/" + acctID
	users := func(t *testing.T) int {
		var l []any
		as(t).do(http.MethodGet, A+"/user", nil, http.StatusOK).Decode(t, &l)
		return len(l)
	}
	for _, tc := range []struct {
		name string
		body map[string]any
		code string
	}{
		{"an extension in use", bundle("", "second@example.com", "0004F2BB0002", tn(1)), "ExtensionAlreadyInUse"},
		{"a MAC in use", func() map[string]any {
			b := bundle("", "second@example.com", "0004F2BB0001", tn(1))
			b["user"].(map[string]any)["extension"] = "2002"
			return b
		}(), "DuplicateMACAddressLineNumber"},
		{"a number on an account", func() map[string]any {
			b := bundle("", "second@example.com", "0004F2BB0002", tn(0))
			b["user"].(map[string]any)["extension"] = "2002"
			return b
		}(), "TelephoneNumberAlreadyOnAccount"},
	} {
		t.Run("user activation refused: "+tc.name, func(t *testing.T) {
			as(t).fails(http.MethodPost, A+"/user/activation", tc.body, http.StatusBadRequest, tc.code)
			if n, h := users(t), history(t, acctID); n != 1 || h != 4 {
				t.Fatalf("after a refusal: %d users, %v history records", n, h)
			}
			if now, want := held(), [3]int{before[0] + 1, before[1] + 1, before[2] + 1}; now != want {
				t.Fatalf("accounts, users, boxes %v, want %v", now, want)
			}
		})
	}
	b := bundle("", "second@example.com", "0004F2BB0002", tn(1))
	b["user"].(map[string]any)["extension"] = "2002"
	out = c.do(http.MethodPost, A+"/user/activation", b, http.StatusOK).Map(t)
	if out["account"] != nil {
		t.Fatalf("a user activation answers no account: %v", out)
	}
	checkMade(t, out, acctID, tn(1))
	if n, h := users(t), history(t, acctID); n != 2 || h != 7 {
		t.Fatalf("after a user activation: %d users, %v history records", n, h)
	}
	c.fails(http.MethodPost, alphaP+"/account/nope/user/activation", b, http.StatusNotFound, "EntityNotFound")

	// a port instead of an inventory number
	v2 := c.do(http.MethodPost, alphaP+"/account/prevalidate", map[string]any{"customerServiceRecord": csr,
		"directoryListing": map[string]any{"type": "PORTED"}, "telephoneNumbers": []any{map[string]any{"phoneNumber": "15055550188"}}}, http.StatusOK).Map(t)
	p := bundle("BUNDLE-2", "ported@example.com", "0004F2BB0003", "15055550188")
	p["telephoneNumberAccount"].(map[string]any)["directoryListing"] = map[string]any{"type": "PORTED"}
	p["port"] = map[string]any{"crdDate": v2["earliestCRD"], "portingAuthorizedName": "Por Ted"}
	out = c.do(http.MethodPost, alphaP+"/account/activation", p, http.StatusOK).Map(t)
	port, _ := out["port"].(map[string]any)
	n, _ := out["telephoneNumberAccount"].(map[string]any)
	if port == nil || port["status"] != "PORT_PENDING" || n["portId"] != port["id"] || n["carrierStatus"] != "PORT_PENDING" {
		t.Fatalf("port activation: %v", out)
	}
}
