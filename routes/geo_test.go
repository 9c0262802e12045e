package routes_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
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
			// a new E911 address without coordinates is placed where validation places it
			moved := map[string]any{}
			for k, v := range csr {
				moved[k] = v
			}
			moved["streetNumber"] = "7"
			q.Set("address", "7"+tc.address[strings.IndexByte(tc.address, ' '):])
			v7 := c.do(http.MethodGet, "/v2/address/validate?"+q.Encode(), nil, http.StatusOK).Map(t)
			c.do(http.MethodPut, A+"/telephonenumber/"+tn, map[string]any{"e911Address": moved}, http.StatusOK)
			e7 := c.do(http.MethodGet, A+"/telephonenumber/"+tn, nil, http.StatusOK).Map(t)["e911Address"].(map[string]any)
			if v7["valid"] != true || e7["latitude"] != v7["latitude"] || e7["longitude"] != v7["longitude"] || e7["latitude"] == lat {
				t.Fatalf("E911 address moved to number 7 is at %v,%v; validation of %q answered %v", e7["latitude"], e7["longitude"], q.Get("address"), v7)
			}
			rc := c.do(http.MethodGet, alphaP+"/ratecenter/"+tn, nil, http.StatusOK).Map(t)
			if rc["name"] != tc.rateCenter {
				t.Fatalf("rate center of %s: %v", tn, rc)
			}
		})
	}
}

// TestZipCodesOfACity: the postal codes of a city are its rate centers'
// zips, each at a point a LAT_LONG search finds that rate center's numbers
// at; a city no rate center names has none.
func TestZipCodesOfACity(t *testing.T) {
	srv := fatest.New(t)
	c := login(t, srv, fatest.AdminUser)
	cases := []struct {
		state, city, rateCenter string
		zips                    []string
	}{
		{"UT", "Salt Lake City", "SALT LAKE CITY", []string{"84101", "84102", "84111"}},
		{"ut", "OREM", "PROVO", []string{"84601", "84604"}}, // a city of the rate center's MSA
		{"TX", "Austin", "AUSTIN", []string{"78701", "78702", "78704"}},
		{"CO", "Austin", "", nil},
		{"ON", "Toronto", "", nil}, // US cities only
	}
	for _, tc := range cases {
		var got []map[string]any
		c.do(http.MethodGet, "/v2/address/state/"+tc.state+"/city/"+url.PathEscape(tc.city)+"/zipcode", nil, http.StatusOK).Decode(t, &got)
		if len(got) != len(tc.zips) {
			t.Fatalf("%s, %s: %v, want %v", tc.city, tc.state, got, tc.zips)
		}
		for i, z := range got {
			if z["zipCode"] != tc.zips[i] {
				t.Fatalf("%s, %s: %v, want %v", tc.city, tc.state, got, tc.zips)
			}
			var hits []map[string]any
			c.do(http.MethodGet, fmt.Sprintf("%s/telephonenumber/search?type=LAT_LONG&lat=%v&long=%v&maxResults=3", alphaP, z["latitude"], z["longitude"]),
				nil, http.StatusOK).Decode(t, &hits)
			if len(hits) == 0 || hits[0]["rateCenter"] != tc.rateCenter {
				t.Fatalf("%s at %v,%v: %v", z["zipCode"], z["latitude"], z["longitude"], hits)
			}
		}
	}
}
