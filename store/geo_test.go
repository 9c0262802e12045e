package store_test

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/fakealianza/fakealianza/fixtures"
	"github.com/fakealianza/fakealianza/store"
)

const (
	geoPartition = "fakePartitionAlpha0001"
	geoAccount   = "fakeAcct00000000000003" // BETA-3001: ADVANCED, no numbers
)

var geoActor = store.Actor{UserName: "geo@example.com", UserID: "geo", UserType: "ManagementUser"}

// fixtureStore is the default seed in a store, and the seed.
func fixtureStore(t testing.TB) (*store.Store, store.State) {
	t.Helper()
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	s, err := store.New(seed, store.NewClock())
	if err != nil {
		t.Fatal(err)
	}
	return s, seed
}

// miles is the great-circle distance (the test's own formula).
func miles(lat1, lon1, lat2, lon2 float64) float64 {
	r := math.Pi / 180
	a := math.Pow(math.Sin((lat2-lat1)*r/2), 2) + math.Cos(lat1*r)*math.Cos(lat2*r)*math.Pow(math.Sin((lon2-lon1)*r/2), 2)
	return 2 * 3958.8 * math.Asin(math.Sqrt(a))
}

func parseLatLong(t *testing.T, lat, long string) (float64, float64) {
	t.Helper()
	la, err := strconv.ParseFloat(lat, 64)
	if err != nil {
		t.Fatalf("latitude %q: %v", lat, err)
	}
	lo, err := strconv.ParseFloat(long, 64)
	if err != nil {
		t.Fatalf("longitude %q: %v", long, err)
	}
	return la, lo
}

// nearestCenter is the rate center whose coordinates are nearest the point.
func nearestCenter(rcs []store.RateCenterRecord, lat, long float64) (store.RateCenterRecord, float64) {
	best, bestD := rcs[0], math.Inf(1)
	for _, rc := range rcs {
		if d := miles(lat, long, rc.Latitude, rc.Longitude); d < bestD {
			best, bestD = rc, d
		}
	}
	return best, bestD
}

// geoAddress is one generated address: the one-line form and the postal
// code parameter (empty: the line names only city and state).
type geoAddress struct{ line, postal string }

// addressesIn generates a spread of addresses in a rate center: for each of
// its zips several streets (with and without directionals, suffixes in both
// forms, units), and some with no postal code at all.
func addressesIn(r *rand.Rand, rc store.RateCenterRecord) []geoAddress {
	streets := []string{"MAIN", "Elm", "Canyon View", "Center", "1st", "Oak Hollow"}
	suffixes := []string{"St", "Street", "Ave", "Rd", "Blvd", "Way", ""}
	dirs := []string{"", "", "N", "SW"}
	units := []string{"", "", "", " Apt 4", " Suite 210"}
	street := func() string {
		return strings.Join(strings.Fields(fmt.Sprintf("%d %s %s %s%s", 1+r.IntN(9999), dirs[r.IntN(len(dirs))],
			streets[r.IntN(len(streets))], suffixes[r.IntN(len(suffixes))], units[r.IntN(len(units))])), " ")
	}
	var out []geoAddress
	for _, zip := range rc.Zips {
		for range 4 {
			postal := zip
			if len(zip) == 3 { // a forward sortation area: a full Canadian code in it
				postal = fmt.Sprintf("%s %d%c%d", zip, r.IntN(10), 'A'+rune(r.IntN(26)), r.IntN(10))
			}
			out = append(out, geoAddress{fmt.Sprintf("%s, %s, %s", street(), rc.Name, rc.State), postal})
		}
	}
	for range 2 {
		out = append(out, geoAddress{fmt.Sprintf("%s, %s, %s", street(), strings.ToLower(rc.Name), rc.State), ""})
	}
	return out
}

// available is every number of a rate center the partition's inventory
// offers now (a prefix search, independent of the geography).
func available(t *testing.T, s *store.Store, prefix string) []string {
	t.Helper()
	hits, err := s.SearchNumbers(geoPartition, store.NumberSearch{Type: store.SearchTN, Q: prefix, MaxResults: 10000})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.PhoneNumber
	}
	return out
}

func countryOfRateCenter(rc store.RateCenterRecord) string {
	if rc.Country == "" {
		return "USA"
	}
	return rc.Country
}

// TestGeographyProperty: for every fixture rate center and a spread of
// generated addresses in it, validation answers a point inside the rate
// center; a LAT_LONG search there finds that rate center's numbers first
// (asked for as many numbers as it has available, it finds exactly those);
// a postal-code search of the address's code finds them too; activating one
// with the validated address stores the validated coordinates as its E911
// address, and the number's rate-center data is that rate center.
func TestGeographyProperty(t *testing.T) {
	s, seed := fixtureStore(t)
	r := rand.New(rand.NewPCG(20, 20))
	checked := 0
	for _, rc := range seed.RateCenters {
		if rc.Latitude == 0 && rc.Longitude == 0 {
			continue
		}
		for _, addr := range addressesIn(r, rc) {
			name := fmt.Sprintf("%s: %q %q", rc.Name, addr.line, addr.postal)
			v := s.ValidateAddress(addr.line, countryOfRateCenter(rc), addr.postal)
			if !v.Valid || v.CustomerServiceRecord == nil || len(v.RequiredFields) != 0 {
				t.Fatalf("%s: not valid: %+v", name, v)
			}
			csr := *v.CustomerServiceRecord
			if addr.postal == "" && !slices.Contains(rc.Zips, strings.Fields(csr.PostalCode)[0]) {
				t.Fatalf("%s: derived postal code %q is not one of %v", name, csr.PostalCode, rc.Zips)
			}
			lat, long := parseLatLong(t, v.Latitude, v.Longitude)
			near, d := nearestCenter(seed.RateCenters, lat, long)
			if near.Prefix != rc.Prefix || d > 5 {
				t.Fatalf("%s: point %v,%v is %.2f miles from %s, nearest %s", name, lat, long, d, rc.Name, near.Name)
			}
			again := s.ValidateAddress(addr.line, countryOfRateCenter(rc), addr.postal)
			if again.Latitude != v.Latitude || again.Longitude != v.Longitude {
				t.Fatalf("%s: validated twice to %s,%s and %s,%s", name, v.Latitude, v.Longitude, again.Latitude, again.Longitude)
			}

			want := available(t, s, rc.Prefix)
			if len(want) == 0 {
				t.Fatalf("%s: the fixture offers no number there", name)
			}
			hits, err := s.SearchNumbers(geoPartition, store.NumberSearch{Type: store.SearchLatLong, Lat: &lat, Long: &long, MaxResults: len(want)})
			if err != nil {
				t.Fatal(err)
			}
			got := make([]string, len(hits))
			for i, h := range hits {
				got[i] = h.PhoneNumber
				if h.Prefix != rc.Prefix || h.RateCenter != rc.Name || h.State != rc.State || h.Distance == nil || *h.Distance > 5 {
					t.Fatalf("%s: LAT_LONG hit of another place: %+v", name, h)
				}
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Fatalf("%s: LAT_LONG found %v, the rate center has %v", name, got, want)
			}
			byZip, err := s.SearchNumbers(geoPartition, store.NumberSearch{Type: store.SearchPostalCode, Q: csr.PostalCode})
			if err != nil || len(byZip) == 0 {
				t.Fatalf("%s: postal-code search %q: %v %v", name, csr.PostalCode, byZip, err)
			}
			for _, h := range byZip {
				if h.Prefix != rc.Prefix || h.MatchesZip == nil || !*h.MatchesZip {
					t.Fatalf("%s: postal-code hit %+v", name, h)
				}
			}

			tn := hits[checked%len(hits)].PhoneNumber
			csr.BusinessName, csr.CustomerType = "Geo Test", "BUSINESS"
			_, err = s.CreateAccountNumbers(geoPartition, geoAccount, store.Activation{CustomerServiceRecord: &csr,
				DirectoryListing: &store.DirectoryListing{Type: "NOT_LIST_NOT_PUBLISH"},
				TelephoneNumbers: []store.BareNumber{{PhoneNumber: tn}}}, geoActor)
			if err != nil {
				t.Fatalf("%s: activate %s: %v", name, tn, err)
			}
			n, err := s.AccountNumber(geoPartition, geoAccount, tn)
			if err != nil {
				t.Fatal(err)
			}
			if e := n.E911Address; e == nil || e.Latitude != v.Latitude || e.Longitude != v.Longitude {
				t.Fatalf("%s: activation stored E911 %+v, validation answered %s,%s", name, n.E911Address, v.Latitude, v.Longitude)
			}
			rcOf, err := s.RateCenterOf(geoPartition, tn)
			if err != nil || rcOf.Prefix != rc.Prefix {
				t.Fatalf("%s: rate center of %s: %+v %v", name, tn, rcOf, err)
			}
			// back to the inventory for the next address
			if err := s.DeleteAccountNumber(geoPartition, geoAccount, tn, geoActor); err != nil {
				t.Fatal(err)
			}
			if _, err := s.RecoverCooldown(geoPartition, tn); err != nil {
				t.Fatal(err)
			}
			checked++
		}
	}
	if checked < 40 {
		t.Fatalf("only %d addresses checked", checked)
	}
	t.Logf("%d addresses in %d rate centers: validated, searched, activated", checked, len(seed.RateCenters))
}

// TestAddressPlacement: the rules of geo.go for addresses outside the
// rate centers' zips, and what validation asks for when it cannot place one.
func TestAddressPlacement(t *testing.T) {
	s, seed := fixtureStore(t)
	cases := []struct {
		name, line, country, postal string
		wantRC                      string // the rate center the point is in; "" invalid
		wantPostal                  string // the CSR's postal code
		required                    []string
	}{
		{"known zip", "100 Main St, Salt Lake City, UT", "USA", "84101", "SALT LAKE CITY", "84101", nil},
		{"ZIP+4", "100 Main St, Salt Lake City, UT", "USA", "84111-1234", "SALT LAKE CITY", "84111-1234", nil},
		{"zip on the line", "100 Main St, Denver, CO 80205", "USA", "", "DENVER", "80205", nil},
		{"unknown zip: the nearest known one", "100 N State St, Lindon, UT", "USA", "84042", "SALT LAKE CITY", "84042", nil},
		{"unknown zip: nearest by value", "1 Congress Ave, Round Rock, TX", "USA", "78664", "AUSTIN", "78664", nil},
		{"unknown zip, known city", "100 Center St, Provo, UT", "USA", "84606", "PROVO", "84606", nil},
		{"MSA city", "100 Center St, Orem, UT", "USA", "", "PROVO", "84601", nil},
		{"no postal code: city and state", "100 Main St, Austin, TX", "USA", "", "AUSTIN", "78701", nil},
		{"no postal code: Canadian city", "100 King St W, Toronto, ON", "CAN", "", "TORONTO", "M5V 1A1", nil},
		{"Canadian code in a known area", "100 King St W, Toronto, ON", "CAN", "M5H 2N2", "TORONTO", "M5H 2N2", nil},
		{"unknown Canadian code", "1 Rue Principale, Gatineau, QC", "CAN", "J8X 1A1", "TORONTO", "J8X 1A1", nil},
		{"no postal code, unknown city", "100 Main St, Lindon, UT", "USA", "", "", "", []string{"postalCode"}},
		{"no postal code, city of another state", "100 Main St, Austin, UT", "USA", "", "", "", []string{"postalCode"}},
		{"nothing but a street", "100 Main St", "USA", "", "", "", []string{"city", "state", "postalCode"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v := s.ValidateAddress(c.line, c.country, c.postal)
			if c.wantRC == "" {
				if v.Valid || !slices.Equal(v.RequiredFields, c.required) {
					t.Fatalf("want invalid asking for %v: %+v", c.required, v)
				}
				return
			}
			if !v.Valid || v.CustomerServiceRecord == nil || v.CustomerServiceRecord.PostalCode != c.wantPostal {
				t.Fatalf("want valid with postal code %q: %+v", c.wantPostal, v)
			}
			lat, long := parseLatLong(t, v.Latitude, v.Longitude)
			if near, d := nearestCenter(seed.RateCenters, lat, long); near.Name != c.wantRC || d > 5 {
				t.Fatalf("point %v,%v: %.2f miles from %s, want inside %s", lat, long, d, near.Name, c.wantRC)
			}
			if again := s.ValidateAddress(c.line, c.country, c.postal); again.Latitude != v.Latitude || again.Longitude != v.Longitude {
				t.Fatalf("not deterministic: %s,%s then %s,%s", v.Latitude, v.Longitude, again.Latitude, again.Longitude)
			}
		})
	}
}

// TestAddressPointIgnoresSpelling: case, suffix form and unit do not move an
// address; another street of the same zip is elsewhere in the rate center.
func TestAddressPointIgnoresSpelling(t *testing.T) {
	s, _ := fixtureStore(t)
	point := func(line string) string {
		v := s.ValidateAddress(line, "USA", "84101")
		if !v.Valid {
			t.Fatalf("%q: %+v", line, v)
		}
		return v.Latitude + "," + v.Longitude
	}
	base := point("100 Main St, Salt Lake City, UT")
	for _, line := range []string{"100 MAIN STREET, SALT LAKE CITY, UT", "100 main st apt 7, salt lake city, ut"} {
		if p := point(line); p != base {
			t.Errorf("%q at %s, want %s", line, p, base)
		}
	}
	if p := point("200 Main St, Salt Lake City, UT"); p == base {
		t.Errorf("another house at the same point %s", p)
	}
}

// TestUnservedCountry: with no rate center of a country, its addresses
// cannot be placed: validation asks for a postal code, E911 prevalidation
// and activation refuse them with the reason.
func TestUnservedCountry(t *testing.T) {
	seed, err := fixtures.Default()
	if err != nil {
		t.Fatal(err)
	}
	seed.RateCenters = slices.DeleteFunc(seed.RateCenters, func(rc store.RateCenterRecord) bool { return rc.Country == "CAN" })
	seed.TelephoneNumbers = slices.DeleteFunc(seed.TelephoneNumbers, func(n store.NumberRecord) bool { return strings.HasPrefix(n.PhoneNumber, "1416") })
	s, err := store.New(seed, store.NewClock())
	if err != nil {
		t.Fatal(err)
	}
	v := s.ValidateAddress("100 King St W, Toronto, ON", "CAN", "M5V 3L9")
	if v.Valid || !slices.Equal(v.RequiredFields, []string{"postalCode"}) {
		t.Fatalf("validate: %+v", v)
	}
	csr := &store.CustomerServiceRecord{Address: store.Address{BusinessName: "North", StreetNumber: "100", StreetName: "KING",
		City: "TORONTO", State: "ON", Country: "CAN", PostalCode: "M5V 3L9"}, CustomerType: "BUSINESS"}
	in := store.Activation{CustomerServiceRecord: csr, DirectoryListing: &store.DirectoryListing{Type: "NOT_LIST_NOT_PUBLISH"},
		TelephoneNumbers: []store.BareNumber{{PhoneNumber: "18015550120"}}}
	pre, err := s.PrevalidateE911(geoPartition, in)
	if err != nil || pre.Valid != "INVALID" || !slices.Equal(pre.Errors, []string{"AddressNotServed"}) {
		t.Fatalf("prevalidate: %+v %v", pre, err)
	}
	_, err = s.CreateAccountNumbers(geoPartition, geoAccount, in, geoActor)
	wantCode(t, err, 400, "InvalidE911Address")
}

// TestPostalCodeSearchOutsideTheZips: a postal code no rate center lists
// finds the rate center its addresses are placed in, matchesZip false; a
// full Canadian code finds its forward sortation area's rate center.
func TestPostalCodeSearchOutsideTheZips(t *testing.T) {
	s, _ := fixtureStore(t)
	cases := []struct {
		q, prefix string
		matches   bool
	}{
		{"84042", "1801555", false},
		{"78664", "1512555", false},
		{"84604", "1385555", true},
		{"M5V 3L9", "1416555", true},
		{"M5V", "1416555", true},
	}
	for _, c := range cases {
		hits, err := s.SearchNumbers(geoPartition, store.NumberSearch{Type: store.SearchPostalCode, Q: c.q})
		if err != nil || len(hits) == 0 {
			t.Fatalf("%s: %v %v", c.q, hits, err)
		}
		for _, h := range hits {
			if h.Prefix != c.prefix || h.MatchesZip == nil || *h.MatchesZip != c.matches {
				t.Fatalf("%s: hit %+v, want prefix %s matchesZip %v", c.q, h, c.prefix, c.matches)
			}
		}
	}
}

// TestFixtureE911AddressesArePlaced: the E911 coordinates the fixture
// numbers carry are the point validation answers for their address.
func TestFixtureE911AddressesArePlaced(t *testing.T) {
	s, seed := fixtureStore(t)
	seen := 0
	for _, n := range seed.TelephoneNumbers {
		if n.OnAccount == nil || n.OnAccount.E911Address == nil {
			continue
		}
		e := n.OnAccount.E911Address
		line := strings.Join(strings.Fields(strings.Join([]string{e.StreetNumber, e.PreDirectional, e.StreetName, e.StreetSuffix,
			e.PostDirectional}, " ")), " ") + ", " + e.City + ", " + e.State
		v := s.ValidateAddress(line, e.Country, e.PostalCode)
		if !v.Valid || v.Latitude != e.Latitude || v.Longitude != e.Longitude {
			t.Errorf("%s: E911 at %s,%s; %q validates to %s,%s", n.PhoneNumber, e.Latitude, e.Longitude, line, v.Latitude, v.Longitude)
		}
		seen++
	}
	if seen == 0 {
		t.Fatal("no fixture number has an E911 address")
	}
}

// wantCode fails unless err is a store error with that status and code.
func wantCode(t *testing.T, err error, status int, code string) {
	t.Helper()
	var se *store.Error
	if !errors.As(err, &se) || se.Status != status || se.Code != code {
		t.Fatalf("got %v, want %d %s", err, status, code)
	}
}

// TestCustomerServiceNumberIsNeverOffered: the number a partition uses as
// its customer-service number is not offered by any inventory: searches
// skip it, reservation, activation and adding it to an inventory are
// refused. The fixture's numbers are in no inventory at all.
func TestCustomerServiceNumberIsNeverOffered(t *testing.T) {
	_, seed := fixtureStore(t)
	// The fixtures set none (a partition's answer leaves the key out when
	// unset); give each partition one that no inventory holds.
	for i := range seed.Partitions {
		seed.Partitions[i].CustomerServiceNumber = fmt.Sprintf("1385555019%d", i)
	}
	s, err := store.New(seed, store.NewClock())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range seed.Partitions {
		csn := p.CustomerServiceNumber
		for _, q := range seed.Partitions {
			if _, err := s.InventoryNumber(q.ID, csn); err == nil {
				t.Errorf("%s's customer-service number %s is in %s's inventory", p.ID, csn, q.ID)
			}
		}
		_, err := s.AddInventoryNumber(geoPartition, store.TelephoneNumberView{PhoneNumber: csn})
		wantCode(t, err, 400, "TelephoneNumberInUse")
	}

	// a state whose customer-service number is an inventory number
	seed.Partitions[0].CustomerServiceNumber = "18015550120"
	s, err = store.New(seed, store.NewClock())
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []store.NumberSearch{{Q: "18015550120"}, {Q: "84101", MaxResults: 1000}, {Type: store.SearchRateCenter, Q: "SALT LAKE CITY", MaxResults: 1000}} {
		hits, err := s.SearchNumbers(geoPartition, q)
		if err != nil {
			t.Fatal(err)
		}
		for _, h := range hits {
			if h.PhoneNumber == "18015550120" {
				t.Fatalf("search %+v offers the customer-service number", q)
			}
		}
	}
	_, err = s.Reserve(geoPartition, "18015550120", geoActor.UserID)
	wantCode(t, err, 400, "TelephoneNumberInUse")
	v := s.ValidateAddress("100 Main St, Salt Lake City, UT", "USA", "84101")
	_, err = s.CreateAccountNumbers(geoPartition, geoAccount, store.Activation{CustomerServiceRecord: v.CustomerServiceRecord,
		DirectoryListing: &store.DirectoryListing{Type: "NOT_LIST_NOT_PUBLISH"},
		TelephoneNumbers: []store.BareNumber{{PhoneNumber: "18015550120"}}}, geoActor)
	wantCode(t, err, 400, "TelephoneNumberInUse")
}

// TestCDRPlacesAgreeWithTheStore: every party of the generated calls is
// placed where the store places its number (the rate center of its
// prefix, when the store has one), and no off-net party is a number the
// platform holds or a partition's customer-service number.
func TestCDRPlacesAgreeWithTheStore(t *testing.T) {
	s, seed := fixtureStore(t)
	csn := map[string]bool{}
	for _, p := range seed.Partitions {
		csn[p.CustomerServiceNumber] = true
	}
	held := func(tn string) bool {
		for _, p := range seed.Partitions {
			if _, err := s.InventoryNumber(p.ID, tn); err == nil {
				return true
			}
		}
		return false
	}
	// a Toronto number among the subscribers too
	v := s.ValidateAddress("100 King St W, Toronto, ON", "CAN", "M5V 3L9")
	v.CustomerServiceRecord.BusinessName, v.CustomerServiceRecord.CustomerType = "Acme North", "BUSINESS"
	if _, err := s.CreateAccountNumbers(geoPartition, "fakeAcct00000000000001", store.Activation{CustomerServiceRecord: v.CustomerServiceRecord,
		DirectoryListing: &store.DirectoryListing{Type: "NOT_LIST_NOT_PUBLISH"},
		TelephoneNumbers: []store.BareNumber{{PhoneNumber: "14165550100", ReferenceType: "END_USER", ReferenceID: "fakeUser00000000000001"}}},
		geoActor); err != nil {
		t.Fatal(err)
	}
	type party struct{ number, city, abbr, state, country, location, category string }
	checked, offNet, known, canadian := 0, 0, 0, 0
	for _, acct := range []string{"fakeAcct00000000000001", "fakeAcct00000000000002"} {
		page, err := s.SearchCDRs(geoPartition, acct, store.CDRQuery{To: s.Clock().Now(), Max: 100000})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range page.Results {
			parties := []party{
				{r.OrigNumber, r.OrigCityName, r.OrigAbbrRCName, r.OrigState, r.OrigCountry, r.OrigLocation, r.OrigCallCategory},
				{r.TermNumber, r.TermCityName, r.TermAbbrRCName, r.TermState, r.TermCountry, r.TermLocation, r.TermCallCategory},
				{r.AccountBillableNumber, r.AccountBillableCityName, r.AccountBillableAbbrRCName, r.AccountBillableState,
					r.AccountBillableCountry, r.AccountBillableLocation, "OnNet"},
			}
			if r.ForwardingNumber != "" {
				parties = append(parties, party{r.ForwardingNumber, r.ForwardingNumberCityName, r.ForwardingNumberAbbrRCName,
					r.ForwardingNumberState, r.ForwardingNumberCountry, r.ForwardingNumberLocation, "OffNet"})
			}
			for _, p := range parties {
				checked++
				if p.category == "OffNet" {
					offNet++
					if held(p.number) || csn[p.number] {
						t.Fatalf("record %s: off-net party %s is a number the platform uses", r.ID, p.number)
					}
				}
				if len(p.number) != 11 || p.state == "" {
					continue
				}
				if p.location != p.city+", "+p.state {
					t.Fatalf("record %s: %s located %q, city %q state %q", r.ID, p.number, p.location, p.city, p.state)
				}
				rc, err := s.RateCenterOf(geoPartition, p.number)
				if err != nil {
					continue // a prefix the store has no rate center for
				}
				known++
				if rc.Country == "CAN" {
					canadian++
				}
				wantCountry := map[string]string{"CAN": "CA"}[rc.Country]
				if wantCountry == "" {
					wantCountry = "US"
				}
				if p.state != rc.State || p.abbr != rc.AbbrName || p.country != wantCountry {
					t.Fatalf("record %s: %s placed %s %s %s, its rate center is %s %s %s", r.ID, p.number, p.abbr, p.state,
						p.country, rc.AbbrName, rc.State, rc.Country)
				}
			}
		}
	}
	if checked < 200 || offNet < 50 || known < 100 || canadian < 5 {
		t.Fatalf("too few parties checked: %d, %d off-net, %d in known rate centers, %d Canadian", checked, offNet, known, canadian)
	}
	t.Logf("%d parties: %d off-net, %d in the store's rate centers (%d Canadian)", checked, offNet, known, canadian)
}

// FuzzValidateAddress: whatever the input, validation and typeahead answer
// without panicking, and a valid address is at a point inside a rate center.
func FuzzValidateAddress(f *testing.F) {
	s, seed := fixtureStore(f)
	for _, c := range [][3]string{
		{"100 Main St, Salt Lake City, UT", "USA", "84101"}, {"1 N State St Apt, Lindon, UT 84042", "USA", ""},
		{"100 King St W, Toronto, ON", "CAN", "M5V 3L9"}, {", , ,", "USA", "-----"}, {"9 Z, Q, ZZ", "CAN", "Z9Z9Z9"},
	} {
		f.Add(c[0], c[1], c[2])
	}
	f.Fuzz(func(t *testing.T, line, country, postal string) {
		s.TypeAhead(line, country, postal)
		v := s.ValidateAddress(line, country, postal)
		if !v.Valid {
			return
		}
		lat, long := parseLatLong(t, v.Latitude, v.Longitude)
		if _, d := nearestCenter(seed.RateCenters, lat, long); d > 5 {
			t.Fatalf("%q %q %q: valid at %v,%v, %.1f miles from any rate center", line, country, postal, lat, long, d)
		}
	})
}
