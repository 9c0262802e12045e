package store

import (
	"cmp"
	"hash/fnv"
	"math"
	"slices"
	"strconv"
	"strings"
)

// Geography. Every place the emulator invents comes from one source: the
// store's rate centers, with their zips, cities (name, abbreviated and
// reorder names, the cities of the MSA), state, country and coordinates.
// Address validation, the coordinates of E911 addresses, LAT_LONG and
// postal-code searches and the rate-center data of numbers (inventory views
// and CDRs) all read it, so they agree with each other.
//
// A rate center covers a disc around its coordinates: geoRadiusMiles, or
// less where another rate center is near (never more than 0.4 of the way to
// the nearest other one), so a point of the disc is nearer its own rate
// center than any other. An address is placed in a rate center by:
//  1. its postal code, when a rate center lists it (a Canadian code also by
//     its first three characters, the forward sortation area);
//  2. else its city and state, when they name a rate center;
//  3. else the known postal code of its country nearest to its own (the
//     longest common beginning, then the nearest value).
//
// Its point is then fixed by a hash of the postal code and street (number,
// directionals, name, suffix; not the unit): the same address always gets the
// same point, and different streets of one rate center are spread over its
// disc. An address of a country no rate center (with coordinates) is in
// cannot be placed: it is invalid.

// geoRadiusMiles is the largest radius of a rate center's disc.
const geoRadiusMiles = 5.0

// geoPlace is the point an address was placed at.
type geoPlace struct {
	lat, long float64 // rounded to the wire's 6 decimals
}

// geography indexes the rate centers that have coordinates.
type geography struct {
	centers []*RateCenterRecord          // by prefix
	byZip   map[string]*RateCenterRecord // normalised zip -> first rate center (by prefix) listing it
	zips    []string                     // the keys of byZip, sorted
}

// newGeography indexes the rate centers (any order) that have coordinates.
func newGeography(rcs map[string]*RateCenterRecord) geography {
	g := geography{byZip: map[string]*RateCenterRecord{}}
	for _, rc := range rcs {
		if hasCoordinates(rc) {
			g.centers = append(g.centers, rc)
		}
	}
	slices.SortFunc(g.centers, func(a, b *RateCenterRecord) int { return cmp.Compare(a.Prefix, b.Prefix) })
	for _, rc := range g.centers {
		for _, z := range rc.Zips {
			if z = normalZip(z); z != "" && g.byZip[z] == nil {
				g.byZip[z] = rc
				g.zips = append(g.zips, z)
			}
		}
	}
	slices.Sort(g.zips)
	return g
}

func hasCoordinates(rc *RateCenterRecord) bool {
	return rc != nil && !(rc.Latitude == 0 && rc.Longitude == 0)
}

// normalZip is a postal code as the geography compares it: upper case, no
// spaces, a ZIP+4 cut to its ZIP.
func normalZip(code string) string {
	z := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if len(z) == 10 && z[5] == '-' {
		z = z[:5]
	}
	return z
}

// countryOf reads a country as the geography compares it: CAN (also CA) or
// USA (also empty).
func countryOf(c string) string {
	switch strings.ToUpper(strings.TrimSpace(c)) {
	case "CAN", "CA":
		return "CAN"
	}
	return "USA"
}

// zipsMatch: the same code, or one is a Canadian forward sortation area
// (three characters) the other starts with.
func zipsMatch(a, b string) bool {
	a, b = normalZip(a), normalZip(b)
	return a == b || len(a) == 3 && len(b) == 6 && strings.HasPrefix(b, a) || len(b) == 3 && len(a) == 6 && strings.HasPrefix(a, b)
}

// byPostalCode is the rate center listing a postal code (or its forward
// sortation area).
func (g *geography) byPostalCode(code string) *RateCenterRecord {
	z := normalZip(code)
	if rc := g.byZip[z]; rc != nil {
		return rc
	}
	if len(z) == 6 {
		return g.byZip[z[:3]]
	}
	return nil
}

// cityNames are the names of places a rate center answers to, upper case.
func cityNames(rc *RateCenterRecord) []string {
	names := []string{rc.Name, rc.AbbrName, rc.ReorderName}
	msa, _, _ := strings.Cut(rc.Msa, ",")
	names = append(names, strings.Split(msa, "-")...)
	for i := range names {
		names[i] = strings.Join(strings.Fields(strings.ToUpper(names[i])), " ")
	}
	return names
}

// namesCity: the rate center is in the state and the city is its name or
// one of its MSA cities (city already upper case, single spaces).
func namesCity(rc *RateCenterRecord, city, state, country string) bool {
	return strings.EqualFold(rc.State, strings.TrimSpace(state)) && countryOf(rc.Country) == countryOf(country) &&
		slices.Contains(cityNames(rc), city)
}

// byCity is the first rate center (by prefix) of the state whose name, or
// one of whose MSA cities, is the city.
func (g *geography) byCity(city, state, country string) *RateCenterRecord {
	city = strings.Join(strings.Fields(strings.ToUpper(city)), " ")
	if city == "" || strings.TrimSpace(state) == "" {
		return nil
	}
	for _, rc := range g.centers {
		if namesCity(rc, city, state, country) {
			return rc
		}
	}
	return nil
}

// Zipcode is ZipcodeX.
type Zipcode struct {
	ZipCode   string  `json:"zipCode"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
}

// ZipCodes answers GET /v2/address/state/{state}/city/{city}/zipcode: the
// zips of the US rate centers the city and state name, by zip, each at the
// point an address of that zip without a street is placed at.
func (s *Store) ZipCodes(state, city string) []Zipcode {
	s.mu.RLock()
	defer s.mu.RUnlock()
	city = strings.Join(strings.Fields(strings.ToUpper(city)), " ")
	out := []Zipcode{}
	for _, z := range s.geo.zips {
		rc := s.geo.byZip[z]
		if !namesCity(rc, city, state, "USA") {
			continue
		}
		if p, ok := s.geo.locate(Address{PostalCode: z, City: city, State: rc.State, Country: "USA"}); ok {
			out = append(out, Zipcode{ZipCode: z, Latitude: p.lat, Longitude: p.long})
		}
	}
	return out
}

// derivedPostalCode is the postal code an address of a rate center gets
// when none was given: its first zip (a forward sortation area alone is
// completed with 1A1).
func derivedPostalCode(rc *RateCenterRecord) string {
	for _, z := range rc.Zips {
		switch z = strings.ToUpper(strings.TrimSpace(z)); {
		case len(z) == 3 && countryOf(rc.Country) == "CAN":
			return z + " 1A1"
		case z != "":
			return z
		}
	}
	return ""
}

// zipValue orders postal codes of one form: the first five characters read
// in base 36.
func zipValue(z string) int64 {
	z = (z + "00000")[:5]
	v, err := strconv.ParseInt(strings.ToLower(z), 36, 64)
	if err != nil {
		return 0
	}
	return v
}

func commonPrefix(a, b string) int {
	n := 0
	for n < len(a) && n < len(b) && a[n] == b[n] {
		n++
	}
	return n
}

// nearestZip is the rate center of the known postal code of the country
// nearest to code: the longest common beginning, then the nearest value,
// then the smaller code.
func (g *geography) nearestZip(code, country string) *RateCenterRecord {
	z := normalZip(code)
	var best *RateCenterRecord
	bestPrefix, bestDiff := -1, int64(0)
	for _, k := range g.zips {
		rc := g.byZip[k]
		if countryOf(rc.Country) != countryOf(country) {
			continue
		}
		p, d := commonPrefix(k, z), zipValue(k)-zipValue(z)
		if d < 0 {
			d = -d
		}
		if p > bestPrefix || p == bestPrefix && d < bestDiff {
			best, bestPrefix, bestDiff = rc, p, d
		}
	}
	return best
}

// rateCenterOfAddress places an address in a rate center (see the rules
// above); nil when its country has none.
func (g *geography) rateCenterOfAddress(a Address) *RateCenterRecord {
	if rc := g.byPostalCode(a.PostalCode); rc != nil && countryOf(rc.Country) == countryOf(a.Country) {
		return rc
	}
	if rc := g.byCity(a.City, a.State, a.Country); rc != nil {
		return rc
	}
	if normalZip(a.PostalCode) == "" {
		return nil
	}
	return g.nearestZip(a.PostalCode, a.Country)
}

// radius is the radius in miles of a rate center's disc.
func (g *geography) radius(rc *RateCenterRecord) float64 {
	r := geoRadiusMiles
	for _, o := range g.centers {
		if d := milesBetween(rc.Latitude, rc.Longitude, o.Latitude, o.Longitude); d > 0.01 {
			r = math.Min(r, 0.4*d)
		}
	}
	return r
}

// streetKey is what fixes an address's point inside its rate center: the
// postal code and the street, in one spelling whatever the case and suffix
// form.
func streetKey(a Address) string {
	up := func(s string) string { return strings.Join(strings.Fields(strings.ToUpper(s)), " ") }
	suffix := up(a.StreetSuffix)
	if abbr, ok := suffixAbbr[suffix]; ok {
		suffix = abbr
	}
	return strings.Join([]string{normalZip(a.PostalCode), up(a.StreetNumber), up(a.StreetNumberSuffix),
		up(a.PreDirectional), up(a.StreetName), suffix, up(a.PostDirectional)}, "|")
}

// locate places an address: the point inside its rate center.
func (g *geography) locate(a Address) (geoPlace, bool) {
	rc := g.rateCenterOfAddress(a)
	if rc == nil {
		return geoPlace{}, false
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(streetKey(a)))
	v := h.Sum64()
	u, w := float64(v>>32)/(1<<32), float64(v&0xffffffff)/(1<<32)
	// uniform over 90% of the disc: the rounding below stays inside it
	d := 0.9 * g.radius(rc) * math.Sqrt(u)
	theta := 2 * math.Pi * w
	lat := rc.Latitude + d*math.Cos(theta)/milesPerDegree
	long := rc.Longitude + d*math.Sin(theta)/(milesPerDegree*math.Cos(rc.Latitude*math.Pi/180))
	return geoPlace{lat: round6(lat), long: round6(long)}, true
}

// milesPerDegree is the length of a degree of latitude (and of longitude at
// the equator) on the sphere milesBetween measures.
const milesPerDegree = 3958.8 * math.Pi / 180

func round6(f float64) float64 { return math.Round(f*1e6) / 1e6 }

// wire gives a point's coordinates as the API writes them.
func (p geoPlace) wire() (lat, long string) {
	return strconv.FormatFloat(p.lat, 'f', 6, 64), strconv.FormatFloat(p.long, 'f', 6, 64)
}

// checkE911 applies the address rules to an E911 address and fills in the
// coordinates of one that has none. Lock held.
func (s *Store) checkE911(e *E911Address) error {
	if errs, _ := s.addressProblems(e.Address); len(errs) > 0 {
		return InvalidWith("InvalidE911Address", Detail{"errors": errs})
	}
	return s.locateE911(e)
}

// locateE911 fills in the coordinates of an E911 address that has none.
// Lock held.
func (s *Store) locateE911(e *E911Address) error {
	if e.Latitude != "" && e.Longitude != "" {
		return nil
	}
	p, ok := s.geo.locate(e.Address)
	if !ok {
		return InvalidWith("InvalidE911Address", Detail{"errors": []string{errNotServed}})
	}
	e.Latitude, e.Longitude = p.wire()
	return nil
}

// errNotServed: no rate center of the address's country.
const errNotServed = "AddressNotServed"
