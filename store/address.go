package store

import (
	"fmt"
	"slices"
	"strings"
)

// Address is AddressX (NENA address elements).
type Address struct {
	ID                           string `json:"id,omitempty"`
	FirstName                    string `json:"firstName,omitempty"`
	MiddleInitial                string `json:"middleInitial,omitempty"`
	LastName                     string `json:"lastName,omitempty"`
	BusinessName                 string `json:"businessName,omitempty"`
	StreetNumber                 string `json:"streetNumber,omitempty"`
	StreetNumberSuffix           string `json:"streetNumberSuffix,omitempty"`
	PreDirectional               string `json:"preDirectional,omitempty"`
	StreetName                   string `json:"streetName,omitempty"`
	StreetSuffix                 string `json:"streetSuffix,omitempty"`
	PostDirectional              string `json:"postDirectional,omitempty"`
	City                         string `json:"city,omitempty"`
	State                        string `json:"state,omitempty"`
	Country                      string `json:"country,omitempty"`
	PostalCode                   string `json:"postalCode,omitempty"`
	SecondaryLocationDescription string `json:"secondaryLocationDescription,omitempty"`
	Unit                         string `json:"unit,omitempty"`
}

// CustomerServiceRecord is CustomerServiceRecordX: the subscriber's name and
// service address.
type CustomerServiceRecord struct {
	Address
	CustomerType       string `json:"customerType,omitempty"`
	FirstNameSecondary string `json:"firstNameSecondary,omitempty"`
	BlockCustomerName  bool   `json:"blockCustomerName"`
	CustomerName       string `json:"customerName,omitempty"`
}

// E911Address is E911AddressX: where emergency services are sent.
type E911Address struct {
	Address
	CustomerType string `json:"customerType,omitempty"`
	Latitude     string `json:"latitude,omitempty"`
	Longitude    string `json:"longitude,omitempty"`
	Language     string `json:"language,omitempty"`
}

// DirectoryListing is DirectoryListingX.
type DirectoryListing struct {
	Listed  bool     `json:"listed"`
	Type    string   `json:"type,omitempty"`
	Address *Address `json:"address,omitempty"`
}

// AddressValidation is AddressValidationX.
type AddressValidation struct {
	RequiredFields        []string               `json:"requiredFields"`
	CustomerServiceRecord *CustomerServiceRecord `json:"customerServiceRecord,omitempty"`
	Latitude              string                 `json:"latitude,omitempty"`
	Longitude             string                 `json:"longitude,omitempty"`
	Valid                 bool                   `json:"valid"`
}

// E911Prevalidation is E911PrevalidateResponseX.
type E911Prevalidation struct {
	Valid               string    `json:"valid"`
	Errors              []string  `json:"errors"`
	AddressAlternatives []Address `json:"addressAlternatives"`
	Address             *Address  `json:"address,omitempty"`
}

// The emulator's address rules (documented in the README): an address is
// invalid when its street or city contains "INVALID"; it needs a street
// number, a street name, a city, a state and a postal code of its country's
// form; a secondary location (APT, SUITE, UNIT...) needs a unit number; it
// must be in a country some rate center is in (geo.go places it).

var suffixAbbr = map[string]string{
	"STREET": "ST", "AVENUE": "AVE", "ROAD": "RD", "DRIVE": "DR", "BOULEVARD": "BLVD", "LANE": "LN",
	"COURT": "CT", "PLACE": "PL", "CIRCLE": "CIR", "HIGHWAY": "HWY", "PARKWAY": "PKWY", "TERRACE": "TER",
}

var streetSuffixes = []string{"ST", "AVE", "RD", "DR", "BLVD", "LN", "WAY", "CT", "PL", "CIR", "HWY", "PKWY", "TER",
	"STREET", "AVENUE", "ROAD", "DRIVE", "BOULEVARD", "LANE", "COURT", "PLACE", "CIRCLE", "HIGHWAY", "PARKWAY", "TERRACE"}

var directionals = []string{"N", "NE", "E", "SE", "S", "SW", "W", "NW"}

// secondaryWords maps the words of a one-line address that start a
// secondary location to secondaryLocationDescription literals.
var secondaryWords = map[string]string{
	"APT": "APARTMENT", "APARTMENT": "APARTMENT", "SUITE": "SUITE", "STE": "SUITE", "UNIT": "UNIT",
	"BLDG": "BUILDING", "BUILDING": "BUILDING", "FL": "FLOOR", "FLOOR": "FLOOR", "RM": "ROOM", "ROOM": "ROOM",
	"LOT": "LOT", "OFFICE": "OFFICE", "TRLR": "TRAILER", "TRAILER": "TRAILER", "#": "UNIT",
}

// postalCodeFits checks a postal code against its country's form.
func postalCodeFits(code, country string) bool {
	c := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	switch strings.ToUpper(country) {
	case "CAN", "CA":
		return len(c) == 6 && isPostalCode(c)
	default:
		return (len(c) == 5 || len(c) == 10) && isPostalCode(c)
	}
}

// addressProblems applies the address rules to a structured address: the
// error codes, and the fields that must be added. Lock held.
func (s *Store) addressProblems(a Address) (errs, required []string) {
	up := strings.ToUpper(a.StreetName + " " + a.City)
	if strings.Contains(up, "INVALID") {
		errs = append(errs, "AddressNotFound")
	}
	if strings.TrimSpace(a.StreetNumber) == "" {
		errs, required = append(errs, "StreetNumberRequired"), append(required, "streetNumber")
	}
	if strings.TrimSpace(a.StreetName) == "" {
		errs, required = append(errs, "StreetNameRequired"), append(required, "streetName")
	}
	if strings.TrimSpace(a.City) == "" {
		errs, required = append(errs, "CityRequired"), append(required, "city")
	}
	if strings.TrimSpace(a.State) == "" {
		errs, required = append(errs, "StateRequired"), append(required, "state")
	}
	switch {
	case strings.TrimSpace(a.PostalCode) == "":
		errs, required = append(errs, "PostalCodeRequired"), append(required, "postalCode")
	case !postalCodeFits(a.PostalCode, a.Country):
		errs = append(errs, "InvalidPostalCode")
	default:
		if _, ok := s.geo.locate(a); !ok {
			errs, required = append(errs, errNotServed), append(required, "postalCode")
		}
	}
	if a.SecondaryLocationDescription != "" && strings.TrimSpace(a.Unit) == "" {
		errs, required = append(errs, "UnitRequired"), append(required, "unit")
	}
	return errs, required
}

// parseOneLine reads "123 N Main St Apt 4, Springfield, UT" into address
// elements. needsUnit is set when a secondary word has no unit after it.
func parseOneLine(line, postalCode, country string) (a Address, needsUnit bool) {
	parts := strings.Split(line, ",")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	words := strings.Fields(strings.ToUpper(parts[0]))
	if len(words) > 0 && isDigits(strings.TrimRight(words[0], "ABCDEFGHIJKLMNOPQRSTUVWXYZ")) {
		a.StreetNumber, words = words[0], words[1:]
	}
	if len(words) > 1 && slices.Contains(directionals, words[0]) {
		a.PreDirectional, words = words[0], words[1:]
	}
	for i, w := range words {
		if desc, ok := secondaryWords[w]; ok && i > 0 {
			a.SecondaryLocationDescription = desc
			if i+1 < len(words) {
				a.Unit = strings.Join(words[i+1:], " ")
			} else {
				needsUnit = true
			}
			words = words[:i]
			break
		}
	}
	if n := len(words); n > 1 && slices.Contains(directionals, words[n-1]) {
		a.PostDirectional, words = words[n-1], words[:n-1]
	}
	if n := len(words); n > 1 && slices.Contains(streetSuffixes, words[n-1]) {
		a.StreetSuffix, words = words[n-1], words[:n-1]
	}
	a.StreetName = strings.Join(words, " ")
	if len(parts) > 1 {
		a.City = strings.ToUpper(parts[1])
	}
	if len(parts) > 2 {
		f := strings.Fields(strings.ToUpper(parts[2]))
		if len(f) > 0 {
			a.State = f[0]
		}
		if len(f) > 1 && postalCode == "" {
			postalCode = strings.Join(f[1:], " ")
		}
	}
	a.PostalCode, a.Country = strings.ToUpper(strings.TrimSpace(postalCode)), country
	return a, needsUnit
}

// readAddress parses a one-line address and, when it has no postal code,
// gives it the one of the rate center its city and state name. Lock held.
func (s *Store) readAddress(line, country, postalCode string) (a Address, needsUnit bool) {
	a, needsUnit = parseOneLine(line, postalCode, country)
	if a.PostalCode == "" {
		if rc := s.geo.byCity(a.City, a.State, a.Country); rc != nil {
			a.PostalCode = derivedPostalCode(rc)
		}
	}
	return a, needsUnit
}

// ValidateAddress answers GET /v2/address/validate with the emulator's
// deterministic rules: a valid address comes back with the point geo.go
// places it at.
func (s *Store) ValidateAddress(line, country, postalCode string) AddressValidation {
	out := AddressValidation{RequiredFields: []string{}}
	if country == "UNK" {
		return out
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, needsUnit := s.readAddress(line, country, postalCode)
	errs, required := s.addressProblems(a)
	if needsUnit {
		// the secondary word was read, its unit is missing: both fields are asked for
		required = append(required, "secondaryLocationDescription")
	}
	if len(errs) > 0 {
		out.RequiredFields = append(out.RequiredFields, required...)
		return out
	}
	p, _ := s.geo.locate(a) // addressProblems has placed it
	out.Valid = true
	out.Latitude, out.Longitude = p.wire()
	out.CustomerServiceRecord = &CustomerServiceRecord{Address: a}
	return out
}

// TypeAhead answers GET /v2/address/typeahead: the input completed into one
// line (and, when it needs a unit, three suggested units); nothing for an
// address the rules call invalid. A missing postal code is derived as
// validation derives it.
func (s *Store) TypeAhead(line, country, postalCode string) []string {
	if country == "UNK" || strings.Contains(strings.ToUpper(line), "INVALID") || strings.TrimSpace(line) == "" {
		return []string{}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, needsUnit := s.readAddress(line, country, postalCode)
	street := strings.Join(strings.Fields(strings.Join([]string{a.StreetNumber, a.PreDirectional, a.StreetName,
		a.StreetSuffix, a.PostDirectional}, " ")), " ")
	tail := strings.Join(strings.Fields(strings.Join([]string{a.City, a.State, a.PostalCode}, " ")), " ")
	if a.City != "" {
		tail = a.City + ", " + strings.TrimSpace(strings.TrimPrefix(tail, a.City))
	}
	join := func(s string) string {
		if tail == "" {
			return s
		}
		return s + ", " + tail
	}
	if needsUnit {
		out := make([]string, 3)
		for i := range out {
			out[i] = join(fmt.Sprintf("%s %s %d", street, a.SecondaryLocationDescription, i+1))
		}
		return out
	}
	if a.Unit != "" {
		street += " " + a.SecondaryLocationDescription + " " + a.Unit
	}
	return []string{join(street)}
}

// PrevalidateE911 answers PUT P/account/e911/prevalidate: the activation's
// E911 address (or, without one, its CSR address) against the rules.
func (s *Store) PrevalidateE911(partitionID string, in Activation) (E911Prevalidation, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return E911Prevalidation{}, NotFound("Partition", partitionID)
	}
	var a Address
	switch {
	case in.E911Address != nil:
		a = in.E911Address.Address
	case in.CustomerServiceRecord != nil:
		a = in.CustomerServiceRecord.Address
	default:
		return E911Prevalidation{}, Invalid("E911AddressRequired")
	}
	out := E911Prevalidation{Valid: "VALID", Errors: []string{}, AddressAlternatives: []Address{}, Address: &a}
	errs, _ := s.addressProblems(a)
	if len(errs) == 0 {
		return out, nil
	}
	out.Valid, out.Errors = "INVALID", errs
	if slices.Contains(errs, "UnitRequired") && len(errs) == 1 {
		for i := 1; i <= 3; i++ {
			alt := a
			alt.Unit = fmt.Sprint(i)
			out.AddressAlternatives = append(out.AddressAlternatives, alt)
		}
	}
	return out, nil
}
