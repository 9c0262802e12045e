package routes_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/fakealianza/fakealianza/fatest"
)

// TestValidateSearchActivateFlow is a new integrator's provisioning flow
// through the real router: validate the customer's address, search the
// inventory near the coordinates validation answered, activate a hit with
// that address; the number's E911 address carries the same coordinates and
// its rate center is the one the address is in.
func TestValidateSearchActivateFlow(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	acct := c.create(alphaP+"/account", map[string]any{"accountNumber": "GEO-1", "accountName": "Geo Corp",
		"accountType": "ADVANCED", "timeZone": "US/Mountain"}, http.StatusOK)
	A := alphaP + "/account/" + acct["id"].(string)

	cases := []struct {
		address, postalCode, country string
		rateCenter, wantPostal       string
	}{
		{"100 Main St, Salt Lake City, UT", "84101", "USA", "SALT LAKE CITY", "84101"},
		{"100 N State St, Lindon, UT", "84042", "USA", "SALT LAKE CITY", "84042"}, // unknown zip: the nearest known one
		{"45 Center St, Provo, UT", "", "USA", "PROVO", "84601"},                  // no postal code: derived
		{"1600 Congress Ave, Austin, TX 78701", "", "USA", "AUSTIN", "78701"},
		{"100 King St W, Toronto, ON", "M5V 3L9", "CAN", "TORONTO", "M5V 3L9"},
	}
	for i, tc := range cases {
		t.Run(tc.address, func(t *testing.T) {
			q := url.Values{"address": {tc.address}, "country": {tc.country}}
			if tc.postalCode != "" {
				q.Set("postalCode", tc.postalCode)
			}
			v := c.do(http.MethodGet, "/v2/address/validate?"+q.Encode(), nil, http.StatusOK).Map(t)
			csr, ok := v["customerServiceRecord"].(map[string]any)
			lat, long := v["latitude"], v["longitude"]
			if v["valid"] != true || !ok || csr["postalCode"] != tc.wantPostal || lat == nil || long == nil {
				t.Fatalf("validate: %v", v)
			}

			var hits []map[string]any
			c.do(http.MethodGet, fmt.Sprintf("%s/telephonenumber/search?type=LAT_LONG&lat=%s&long=%s&maxResults=5", alphaP, lat, long),
				nil, http.StatusOK).Decode(t, &hits)
			if len(hits) == 0 {
				t.Fatal("LAT_LONG search at the validated point found nothing")
			}
			for _, h := range hits {
				if h["rateCenter"] != tc.rateCenter || h["distance"].(float64) > 5 {
					t.Fatalf("hit outside %s: %v", tc.rateCenter, h)
				}
			}

			tn := hits[0]["phoneNumber"].(string)
			csr["businessName"], csr["customerType"] = fmt.Sprintf("Geo %d", i), "BUSINESS"
			c.create(A+"/telephonenumber", map[string]any{"customerServiceRecord": csr,
				"directoryListing": map[string]any{"listed": false, "type": "NOT_LIST_NOT_PUBLISH"},
				"telephoneNumbers": []any{map[string]any{"phoneNumber": tn}}}, http.StatusOK)
			n := c.do(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t)
			e, _ := n["e911Address"].(map[string]any)
			if e == nil || e["latitude"] != lat || e["longitude"] != long || e["postalCode"] != tc.wantPostal {
				t.Fatalf("E911 address %v, validation answered %v,%v", n["e911Address"], lat, long)
			}
			corr := c.do(http.MethodGet, A+"/telephonenumber/"+tn+"/911-address/correction", nil, http.StatusOK).Map(t)
			if corr["latitude"] != lat || corr["longitude"] != long {
				t.Fatalf("the correction moved the address: %v", corr)
			}
			rc := c.do(http.MethodGet, alphaP+"/ratecenter/"+tn, nil, http.StatusOK).Map(t)
			if rc["name"] != tc.rateCenter {
				t.Fatalf("rate center of %s: %v", tn, rc)
			}
		})
	}
}
