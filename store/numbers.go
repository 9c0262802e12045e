package store

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
)

// ReservationTTL is how long a reservation holds a number (server clock).
const ReservationTTL = 30 * time.Minute

// DefaultSearchResults is how many numbers a search answers when maxResults
// is not given.
const DefaultSearchResults = 15

// Where a number stands in its partition (our own bookkeeping, not a wire
// field): in the inventory, on an account, or cooling down after leaving one.
const (
	NumberInInventory = "INVENTORY"
	NumberOnAccount   = "ASSIGNED"
	NumberInCooldown  = "COOLDOWN"
)

// How a number came to the partition.
const (
	OriginInventory = ""
	OriginPort      = "PORT"
	OriginBYOTN     = "BYOTN"
)

// RateCenter is RateCenterX: one prefix (1NPANXX) and where it is.
type RateCenter struct {
	Prefix              string   `json:"prefix"`
	ReorderName         string   `json:"reorderName,omitempty"`
	OriginalReorderName string   `json:"originalReorderName,omitempty"`
	Name                string   `json:"name,omitempty"`
	AbbrName            string   `json:"abbrName,omitempty"`
	Msa                 string   `json:"msa,omitempty"`
	Zips                []string `json:"zips"`
	Wireless            bool     `json:"wireless"`
	State               string   `json:"state,omitempty"`
	Country             string   `json:"country,omitempty"`
	Portable            bool     `json:"portable"`
	ServiceAvailable    bool     `json:"serviceAvailable"`
	InboundCarrierType  string   `json:"inboundCarrierType,omitempty"`
}

// RateCenterRecord is a rate center as fixtures give it: the wire fields and
// the coordinates latitude/longitude searches measure from.
type RateCenterRecord struct {
	RateCenter
	Latitude  float64 `json:"latitude,omitempty"`
	Longitude float64 `json:"longitude,omitempty"`
}

// NumberRecord is one telephone number as the store keeps it (and as
// fixtures and snapshots hold it). OnAccount is set while the number is on an
// account.
type NumberRecord struct {
	PartitionID           string         `json:"partitionId"`
	PhoneNumber           string         `json:"phoneNumber"`
	Status                string         `json:"status,omitempty"`
	Origin                string         `json:"origin,omitempty"`
	FunctionType          string         `json:"functionType,omitempty"`
	CarrierID             string         `json:"carrierId,omitempty"`
	ReservedBy            string         `json:"reservedBy,omitempty"`
	ReservedTime          string         `json:"reservedTime,omitempty"`
	CooldownExpireDate    string         `json:"cooldownExpireDate,omitempty"`
	CooldownRecoveredDate string         `json:"cooldownRecoveredDate,omitempty"`
	ActivationDate        int64          `json:"activationDate,omitempty"`
	OnAccount             *AccountNumber `json:"onAccount,omitempty"`
}

// TelephoneNumberView is TelephoneNumberViewX: a number of the partition
// inventory or a search hit.
type TelephoneNumberView struct {
	PartitionID           string   `json:"partitionId"`
	PhoneNumber           string   `json:"phoneNumber"`
	RateCenter            string   `json:"rateCenter,omitempty"`
	RateCenterReorderName string   `json:"rateCenterReorderName,omitempty"`
	State                 string   `json:"state,omitempty"`
	Country               string   `json:"country,omitempty"`
	Prefix                string   `json:"prefix,omitempty"`
	AccountID             string   `json:"accountId,omitempty"`
	CarrierID             string   `json:"carrierId,omitempty"`
	CooldownExpireDate    string   `json:"cooldownExpireDate,omitempty"`
	CooldownRecoveredDate string   `json:"cooldownRecoveredDate,omitempty"`
	FunctionType          string   `json:"functionType,omitempty"`
	MatchesZip            *bool    `json:"matchesZip,omitempty"`
	Distance              *float64 `json:"distance,omitempty"`
	Byotn                 bool     `json:"byotn"`
	ActivationDate        int64    `json:"activationDate,omitempty"`
	IsInInventory         bool     `json:"isInInventory"`
	OperationalStatus     string   `json:"operationalStatus,omitempty"`
	ID                    string   `json:"id"`
	Port                  bool     `json:"port"`
}

// TelephoneNumberReserved is TelephoneNumberReservedX.
type TelephoneNumberReserved struct {
	TN           string `json:"tn"`
	ReservedTime string `json:"reservedTime"`
	Reserved     bool   `json:"reserved"`
	ID           string `json:"id"`
}

// numberBook is the part of the store about telephone numbers: rate
// centers, numbers, ports and service activation events, with their indexes.
type numberBook struct {
	rateCenters     map[string]*RateCenterRecord        // by prefix
	numbers         map[string]*NumberRecord            // by number (platform-wide)
	numsByPartition map[string]map[string]*NumberRecord // partition -> number -> record
	numsByAccount   map[string]map[string]*NumberRecord // account -> number -> record
	ports           map[string]*Port
	events          map[string]*ActivationEvent
	eventOrder      []string          // creation order
	eventByRef      map[string]string // account \x00 serviceType \x00 referenceId -> latest event id
	geo             geography         // the rate centers as places (see geo.go)
	serviceNumbers  map[string]string // customer-service number -> the partition using it
}

func newNumberBook() numberBook {
	return numberBook{
		rateCenters: map[string]*RateCenterRecord{}, numbers: map[string]*NumberRecord{},
		numsByPartition: map[string]map[string]*NumberRecord{}, numsByAccount: map[string]map[string]*NumberRecord{},
		ports: map[string]*Port{}, events: map[string]*ActivationEvent{}, eventByRef: map[string]string{},
	}
}

// ValidTN reports whether tn is an 11-digit number starting with 1.
func ValidTN(tn string) bool {
	if len(tn) != 11 || tn[0] != '1' {
		return false
	}
	for _, r := range tn {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func tnNotFound(tn string) *Error { return NotFound("TelephoneNumber", tn) }

// SetNumberCooldownDays overrides every partition's tnDeleteCooldownDays
// (0 goes back to the partition's own setting).
func (s *Store) SetNumberCooldownDays(days int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.tnCooldownDays = days
}

func (s *Store) cooldownDays(partitionID string) int {
	if s.tnCooldownDays > 0 {
		return s.tnCooldownDays
	}
	if p, ok := s.partitions[partitionID]; ok && p.TnDeleteCooldownDays > 0 {
		return p.TnDeleteCooldownDays
	}
	return 30
}

// indexNumber files a record under its partition and account (a number
// leaves an account through takeOffAccount). Lock held.
func (s *Store) indexNumber(n *NumberRecord) {
	s.numbers[n.PhoneNumber] = n
	if s.numsByPartition[n.PartitionID] == nil {
		s.numsByPartition[n.PartitionID] = map[string]*NumberRecord{}
	}
	s.numsByPartition[n.PartitionID][n.PhoneNumber] = n
	if n.OnAccount != nil {
		if s.numsByAccount[n.OnAccount.AccountID] == nil {
			s.numsByAccount[n.OnAccount.AccountID] = map[string]*NumberRecord{}
		}
		s.numsByAccount[n.OnAccount.AccountID][n.PhoneNumber] = n
	}
}

// takeOffAccount drops a number from its account's index. Lock held.
func (s *Store) takeOffAccount(n *NumberRecord) {
	if n.OnAccount != nil {
		delete(s.numsByAccount[n.OnAccount.AccountID], n.PhoneNumber)
		s.forgetBusinessLineNumber(n.OnAccount.AccountID, n.PhoneNumber)
	}
	n.OnAccount = nil
}

// dropNumber removes a number from the platform. Lock held.
func (s *Store) dropNumber(n *NumberRecord) {
	s.takeOffAccount(n)
	delete(s.numsByPartition[n.PartitionID], n.PhoneNumber)
	delete(s.numbers, n.PhoneNumber)
}

// settle applies what server time has done to a number: an expired
// reservation lapses, an expired cooldown returns the number to the
// inventory. Lock held (write).
func (s *Store) settle(n *NumberRecord) { settleAt(n, s.clock.Now()) }

// settleAt is settle at a given instant (one clock read for a whole list).
func settleAt(n *NumberRecord, now time.Time) {
	if n.ReservedBy != "" {
		if t, err := time.Parse(timeLayout, n.ReservedTime); err != nil || !now.Before(t.Add(ReservationTTL)) {
			n.ReservedBy, n.ReservedTime = "", ""
		}
	}
	if n.Status == NumberInCooldown {
		if t, err := time.Parse(timeLayout, n.CooldownExpireDate); err != nil || !now.Before(t) {
			n.Status, n.CooldownExpireDate = NumberInInventory, ""
		}
	}
}

// partitionNumber finds a number of a partition, settled. Lock held (write).
func (s *Store) partitionNumber(partitionID, tn string) (*NumberRecord, error) {
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	n, ok := s.numbers[tn]
	if !ok || n.PartitionID != partitionID {
		return nil, tnNotFound(tn)
	}
	s.settle(n)
	return n, nil
}

// settledPartition settles every number of a partition and returns them by
// number. Lock held (write).
func (s *Store) settledPartition(partitionID string) []*NumberRecord {
	m := s.numsByPartition[partitionID]
	out := make([]*NumberRecord, 0, len(m))
	now := s.clock.Now()
	for _, n := range m {
		settleAt(n, now)
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *NumberRecord) int { return cmp.Compare(a.PhoneNumber, b.PhoneNumber) })
	return out
}

func (s *Store) numberView(n *NumberRecord) TelephoneNumberView {
	v := TelephoneNumberView{
		PartitionID: n.PartitionID, PhoneNumber: n.PhoneNumber, Prefix: n.PhoneNumber[:7],
		CarrierID: n.CarrierID, CooldownRecoveredDate: n.CooldownRecoveredDate,
		FunctionType: cmp.Or(n.FunctionType, "ELS"), Byotn: n.Origin == OriginBYOTN,
		ActivationDate: n.ActivationDate, IsInInventory: n.Status == NumberInInventory,
		ID: n.PhoneNumber, Port: n.Origin == OriginPort,
	}
	if n.Status == NumberInCooldown {
		v.CooldownExpireDate = n.CooldownExpireDate
	}
	if rc, ok := s.rateCenters[v.Prefix]; ok {
		v.RateCenter, v.RateCenterReorderName, v.State, v.Country = rc.Name, rc.ReorderName, rc.State, rc.Country
	}
	if n.OnAccount != nil {
		v.AccountID, v.OperationalStatus = n.OnAccount.AccountID, n.OnAccount.OperationalStatus
	}
	return v
}

// Inventory lists every number of a partition, whatever its state.
func (s *Store) Inventory(partitionID string) ([]TelephoneNumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	return s.inventoryViews(partitionID), nil
}

// inventoryViews lists every number of a partition, by number, after moving
// their lifecycles on. Lock held (write).
func (s *Store) inventoryViews(partitionID string) []TelephoneNumberView {
	s.lifecycleSweep(KindActivation)
	s.lifecycleSweep(KindPort)
	list := s.settledPartition(partitionID)
	out := make([]TelephoneNumberView, len(list))
	for i, n := range list {
		out[i] = s.numberView(n)
	}
	return out
}

// InventoryNumber returns one number of a partition.
func (s *Store) InventoryNumber(partitionID, tn string) (TelephoneNumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.partitionNumber(partitionID, tn)
	if err != nil {
		return TelephoneNumberView{}, err
	}
	return s.numberView(n), nil
}

// AddInventoryNumber puts a new number into a partition's inventory.
func (s *Store) AddInventoryNumber(partitionID string, in TelephoneNumberView) (TelephoneNumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return TelephoneNumberView{}, NotFound("Partition", partitionID)
	}
	return s.addInventoryNumber(partitionID, in)
}

// addInventoryNumber is AddInventoryNumber in a partition that exists. Lock
// held (write).
func (s *Store) addInventoryNumber(partitionID string, in TelephoneNumberView) (TelephoneNumberView, error) {
	tn := in.PhoneNumber
	switch {
	case tn == "":
		return TelephoneNumberView{}, Invalid("PhoneNumberRequired")
	case !ValidTN(tn):
		return TelephoneNumberView{}, invalidField("phoneNumber")
	}
	if _, dup := s.numbers[tn]; dup {
		return TelephoneNumberView{}, InvalidWith("TelephoneNumberAlreadyExists", NumberRef(tn))
	}
	if s.serviceNumbers[tn] != "" {
		return TelephoneNumberView{}, InvalidWith("TelephoneNumberInUse", NumberRef(tn))
	}
	n := &NumberRecord{PartitionID: partitionID, PhoneNumber: tn, Status: NumberInInventory,
		FunctionType: cmp.Or(in.FunctionType, "ELS"), CarrierID: in.CarrierID}
	if in.Byotn {
		n.Origin = OriginBYOTN
	}
	s.indexNumber(n)
	return s.numberView(n), nil
}

// DeleteInventoryNumber removes a number that is on no account.
func (s *Store) DeleteInventoryNumber(partitionID, tn string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.partitionNumber(partitionID, tn)
	if err != nil {
		return err
	}
	if n.Status == NumberOnAccount {
		return InvalidWith("TelephoneNumberAlreadyOnAccount", NumberRef(tn))
	}
	s.dropNumber(n)
	return nil
}

// Reserve holds an inventory number for a management user for
// ReservationTTL of server time. The same user may renew it.
func (s *Store) Reserve(partitionID, tn, userID string) (TelephoneNumberReserved, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.partitionNumber(partitionID, tn)
	if err != nil {
		return TelephoneNumberReserved{}, err
	}
	if err := s.checkAvailable(n, userID); err != nil {
		return TelephoneNumberReserved{}, err
	}
	n.ReservedBy, n.ReservedTime = userID, s.now()
	return TelephoneNumberReserved{TN: tn, ReservedTime: n.ReservedTime, Reserved: true, ID: tn}, nil
}

// ReleaseReservation ends a reservation; releasing an unreserved number is
// a no-op, releasing someone else's is refused.
func (s *Store) ReleaseReservation(partitionID, tn, userID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.partitionNumber(partitionID, tn)
	if err != nil {
		return err
	}
	if n.ReservedBy != "" && n.ReservedBy != userID {
		return InvalidWith("TelephoneNumberAlreadyReserved", NumberRef(tn))
	}
	n.ReservedBy, n.ReservedTime = "", ""
	return nil
}

// checkAvailable says why an inventory number cannot be taken by userID (a
// partition's customer-service number is never offered).
// Lock held; n settled.
func (s *Store) checkAvailable(n *NumberRecord, userID string) error {
	switch {
	case n.Status == NumberOnAccount:
		return InvalidWith("TelephoneNumberAlreadyOnAccount", NumberRef(n.PhoneNumber))
	case n.Status == NumberInCooldown:
		return InvalidWith("TelephoneNumberInCooldown", NumberRef(n.PhoneNumber))
	case n.ReservedBy != "" && n.ReservedBy != userID:
		return InvalidWith("TelephoneNumberAlreadyReserved", NumberRef(n.PhoneNumber))
	case s.serviceNumbers[n.PhoneNumber] != "":
		return InvalidWith("TelephoneNumberInUse", NumberRef(n.PhoneNumber))
	}
	return nil
}

// RecoverCooldown returns a cooling-down number to the inventory now.
func (s *Store) RecoverCooldown(partitionID, tn string) (TelephoneNumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, err := s.partitionNumber(partitionID, tn)
	if err != nil {
		return TelephoneNumberView{}, err
	}
	if n.Status != NumberInCooldown {
		return TelephoneNumberView{}, InvalidWith("TelephoneNumberNotInCooldown", NumberRef(tn))
	}
	n.Status, n.CooldownExpireDate, n.CooldownRecoveredDate = NumberInInventory, "", s.now()
	return s.numberView(n), nil
}

// RateCenterOf returns the rate center of a number's prefix.
func (s *Store) RateCenterOf(partitionID, tn string) (RateCenter, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return RateCenter{}, NotFound("Partition", partitionID)
	}
	if !ValidTN(tn) {
		return RateCenter{}, invalidField("tn")
	}
	rc, ok := s.rateCenters[tn[:7]]
	if !ok {
		return RateCenter{}, NotFound("RateCenter", tn[:7])
	}
	out := deepCopy(rc.RateCenter)
	out.Zips = orEmpty(out.Zips)
	return out, nil
}

// Search types of tnSearch.
const (
	SearchPostalCodeOrTN   = "POSTALCODE_OR_TN"
	SearchTN               = "TN"
	SearchPostalCode       = "POSTALCODE"
	SearchLatLong          = "LAT_LONG"
	SearchRateCenter       = "RATECENTER"
	SearchRateCenterCarrer = "RATECENTER_CARRIER"
)

// NumberSearch is a tnSearch question.
type NumberSearch struct {
	Type         string
	Q            string
	Lat, Long    *float64
	MaxResults   int
	FunctionType string
	CarrierID    string
}

// latLongRadiusMiles is how far a LAT_LONG search reaches.
const latLongRadiusMiles = 100

func errSearchTerm() *Error { return Errorf(422, "InvalidSearchTerm") }

func isDigits(s string) bool {
	return s != "" && strings.IndexFunc(s, func(r rune) bool { return r < '0' || r > '9' }) < 0
}

// isPostalCode accepts a US ZIP (5 digits, optional +4) or a Canadian
// postal code (A1A 1A1, or its first half).
func isPostalCode(q string) bool {
	q = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(q), " ", ""))
	if len(q) == 5 && isDigits(q) {
		return true
	}
	if len(q) == 10 && q[5] == '-' && isDigits(q[:5]) && isDigits(q[6:]) {
		return true
	}
	if len(q) != 3 && len(q) != 6 {
		return false
	}
	for i, r := range q {
		if i%2 == 0 && !unicode.IsLetter(r) || i%2 == 1 && !unicode.IsDigit(r) {
			return false
		}
	}
	return true
}

// SearchNumbers answers tnSearch: available inventory numbers (not on an
// account, not cooling down, not reserved, not a partition's
// customer-service number) matching the question, by number
// (by distance for LAT_LONG).
func (s *Store) SearchNumbers(partitionID string, q NumberSearch) ([]TelephoneNumberView, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	term := strings.TrimSpace(q.Q)
	kind := cmp.Or(q.Type, SearchPostalCodeOrTN)
	if kind == SearchPostalCodeOrTN {
		kind = SearchTN
		if isPostalCode(term) && !(len(term) == 5 && s.anyPrefix(term)) {
			kind = SearchPostalCode
		}
	}
	var match func(n *NumberRecord, rc *RateCenterRecord, h *searchHit) bool
	switch kind {
	case SearchTN:
		digits := strings.Map(func(r rune) rune {
			if strings.ContainsRune("()-. +", r) {
				return -1
			}
			return r
		}, term)
		if !isDigits(digits) || len(digits) > 11 {
			return nil, errSearchTerm()
		}
		if len(digits) == 10 || digits[0] != '1' {
			digits = "1" + digits
		}
		match = func(n *NumberRecord, _ *RateCenterRecord, _ *searchHit) bool {
			return strings.HasPrefix(n.PhoneNumber, digits)
		}
	case SearchPostalCode:
		if !isPostalCode(term) {
			return nil, errSearchTerm()
		}
		zip := normalZip(term)
		listing := map[*RateCenterRecord]bool{} // the rate centers that list the code
		for _, rc := range s.rateCenters {
			if slices.ContainsFunc(rc.Zips, func(z string) bool { return zipsMatch(z, zip) }) {
				listing[rc] = true
			}
		}
		// a postal code no rate center lists finds the numbers of the rate
		// center its addresses are placed in (geo.go), matchesZip false
		var near *RateCenterRecord
		if len(listing) == 0 {
			country := "USA"
			if !isDigits(zip) {
				country = "CAN"
			}
			near = s.geo.rateCenterOfAddress(Address{PostalCode: zip, Country: country})
		}
		match = func(_ *NumberRecord, rc *RateCenterRecord, h *searchHit) bool {
			if rc == nil {
				return false
			}
			h.zip = listing[rc]
			return h.zip || rc == near
		}
	case SearchRateCenter, SearchRateCenterCarrer:
		if term == "" {
			return nil, errSearchTerm()
		}
		name, state, _ := strings.Cut(term, ",")
		name, state = strings.TrimSpace(name), strings.TrimSpace(state)
		match = func(n *NumberRecord, rc *RateCenterRecord, _ *searchHit) bool {
			if rc == nil || !(strings.EqualFold(rc.Name, name) || strings.EqualFold(rc.ReorderName, name) || strings.EqualFold(rc.AbbrName, name)) {
				return false
			}
			if state != "" && !strings.EqualFold(rc.State, state) {
				return false
			}
			return kind != SearchRateCenterCarrer || q.CarrierID == "" || n.CarrierID == q.CarrierID
		}
	case SearchLatLong:
		if q.Lat == nil || q.Long == nil || math.Abs(*q.Lat) > 90 || math.Abs(*q.Long) > 180 {
			return nil, errSearchTerm()
		}
		match = func(_ *NumberRecord, rc *RateCenterRecord, h *searchHit) bool {
			if rc == nil || rc.Latitude == 0 && rc.Longitude == 0 {
				return false
			}
			h.dist = math.Round(milesBetween(*q.Lat, *q.Long, rc.Latitude, rc.Longitude)*10) / 10
			return h.dist <= latLongRadiusMiles
		}
	default:
		return nil, errSearchTerm()
	}
	ft := cmp.Or(q.FunctionType, "ELS")
	var hits []searchHit
	var h searchHit // one, reused: match writes into it
	now := s.clock.Now()
	for _, n := range s.numsByPartition[partitionID] {
		settleAt(n, now)
		if n.Status != NumberInInventory || n.ReservedBy != "" || cmp.Or(n.FunctionType, "ELS") != ft {
			continue
		}
		if q.CarrierID != "" && kind != SearchRateCenterCarrer && n.CarrierID != q.CarrierID {
			continue
		}
		h = searchHit{n: n}
		if match(n, s.rateCenters[n.PhoneNumber[:7]], &h) && s.serviceNumbers[n.PhoneNumber] == "" {
			hits = append(hits, h)
		}
	}
	slices.SortFunc(hits, func(a, b searchHit) int {
		if kind == SearchLatLong {
			if c := cmp.Compare(a.dist, b.dist); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.n.PhoneNumber, b.n.PhoneNumber)
	})
	limit := q.MaxResults
	if limit <= 0 {
		limit = DefaultSearchResults
	}
	if len(hits) > limit {
		hits = hits[:limit]
	}
	out := make([]TelephoneNumberView, len(hits))
	for i, h := range hits {
		out[i] = s.numberView(h.n)
		if kind == SearchPostalCode {
			out[i].MatchesZip = &hits[i].zip
		}
		if kind == SearchLatLong {
			out[i].Distance = &hits[i].dist
		}
	}
	return out, nil
}

// searchHit is a number a search matched, with what the match measured.
type searchHit struct {
	n    *NumberRecord
	zip  bool
	dist float64
}

// anyPrefix tells a 5-digit number prefix from a ZIP: true when some rate
// center's prefix starts with 1 followed by those digits. Lock held.
func (s *Store) anyPrefix(digits string) bool {
	for p := range s.rateCenters {
		if strings.HasPrefix(p, "1"+digits) {
			return true
		}
	}
	return false
}

func milesBetween(lat1, lon1, lat2, lon2 float64) float64 {
	const r = 3958.8
	rad := math.Pi / 180
	dlat, dlon := (lat2-lat1)*rad, (lon2-lon1)*rad
	a := math.Sin(dlat/2)*math.Sin(dlat/2) + math.Cos(lat1*rad)*math.Cos(lat2*rad)*math.Sin(dlon/2)*math.Sin(dlon/2)
	return 2 * r * math.Asin(math.Sqrt(a))
}

// loadNumbers checks and indexes rate centers and numbers; accounts are
// loaded already, end users not yet (routes are checked by
// checkLoadedRoutes).
func (s *Store) loadNumbers(st State) error {
	s.numberBook = newNumberBook()
	for i := range st.RateCenters {
		rc := st.RateCenters[i]
		if len(rc.Prefix) != 7 || rc.Prefix[0] != '1' || !isDigits(rc.Prefix) {
			return fmt.Errorf("rate center %d: prefix must be 1NPANXX", i)
		}
		if _, dup := s.rateCenters[rc.Prefix]; dup {
			return fmt.Errorf("rate center %s: duplicate prefix", rc.Prefix)
		}
		s.rateCenters[rc.Prefix] = &rc
	}
	s.geo = newGeography(s.rateCenters)
	s.serviceNumbers = map[string]string{}
	for _, p := range s.partitions {
		if p.CustomerServiceNumber != "" {
			s.serviceNumbers[p.CustomerServiceNumber] = p.ID
		}
	}
	// Sized up front: a million numbers load without the maps regrowing.
	s.numbers = make(map[string]*NumberRecord, len(st.TelephoneNumbers))
	perPartition := map[string]int{}
	for i := range st.TelephoneNumbers {
		perPartition[st.TelephoneNumbers[i].PartitionID]++
	}
	for id, n := range perPartition {
		if _, ok := s.partitions[id]; ok {
			s.numsByPartition[id] = make(map[string]*NumberRecord, n)
		}
	}
	for i := range st.TelephoneNumbers {
		// The records stay where the state holds them (load owns st): a
		// million numbers are one allocation, not a million.
		n := &st.TelephoneNumbers[i]
		p, ok := s.partitions[n.PartitionID]
		if !ok || !ValidTN(n.PhoneNumber) {
			return fmt.Errorf("telephone number %d: an 11-digit number starting with 1 and a known partition are required", i)
		}
		n.PartitionID = p.ID // one string for the partition's numbers, not one each
		if _, dup := s.numbers[n.PhoneNumber]; dup {
			return fmt.Errorf("telephone number %s: duplicate", n.PhoneNumber)
		}
		if n.Status == "" {
			n.Status = NumberInInventory
			if n.OnAccount != nil {
				n.Status = NumberOnAccount
			}
		}
		if (n.Status == NumberOnAccount) != (n.OnAccount != nil) {
			return fmt.Errorf("telephone number %s: status %s and onAccount disagree", n.PhoneNumber, n.Status)
		}
		if a := n.OnAccount; a != nil {
			acct, ok := s.accounts[a.AccountID]
			if !ok || acct.PartitionID != n.PartitionID {
				return fmt.Errorf("telephone number %s: unknown account %q in its partition", n.PhoneNumber, a.AccountID)
			}
			s.fillAccountNumber(n, a)
		}
		s.indexNumber(n)
	}
	for i := range st.Ports {
		p := st.Ports[i]
		if p.ID == "" {
			return fmt.Errorf("port %d: id is required", i)
		}
		s.ports[p.ID] = &p
	}
	for i := range st.ActivationEvents {
		e := st.ActivationEvents[i]
		if e.ID == "" {
			return fmt.Errorf("activation event %d: id is required", i)
		}
		s.events[e.ID] = &e
		s.eventOrder = append(s.eventOrder, e.ID)
		s.eventByRef[eventKey(e.AccountID, e.ServiceType, e.ReferenceID)] = e.ID
	}
	slices.SortStableFunc(s.eventOrder, func(a, b string) int {
		return cmp.Compare(s.events[a].CreatedDate, s.events[b].CreatedDate)
	})
	return nil
}

// checkLoadedRoutes checks the routing of loaded numbers once the end users
// and SIP trunks they may ring are loaded.
func (s *Store) checkLoadedRoutes() error {
	for _, n := range s.numbers {
		if a := n.OnAccount; a != nil {
			if err := s.checkRoutingTarget(a.AccountID, a.ReferenceType, a.ReferenceID); err != nil {
				return fmt.Errorf("telephone number %s: %w", n.PhoneNumber, err)
			}
		}
	}
	return nil
}

// resumeLifecycles tracks again every activation and port that was moving
// on by itself when the state was loaded. Lock held.
func (s *Store) resumeLifecycles() {
	for _, id := range s.eventOrder {
		e := s.events[id]
		switch {
		case e.ServiceType == "ACTIVATION" && (e.ActivationStatusType == "PENDING" || e.ActivationStatusType == "IN_PROGRESS"):
			s.lifecycleStart(KindActivation, e.ID)
		case e.ServiceType == "PORT_REQUEST" && (e.ActivationStatusType == "PENDING" || e.ActivationStatusType == "IN_PROGRESS"):
			s.lifecycleStart(KindPort, e.ReferenceID)
		}
	}
}

// snapshotNumbers writes the numbers part of the store into st. Lock held.
func (s *Store) snapshotNumbers(st *State) {
	st.RateCenters = sortedValues(s.rateCenters, func(r *RateCenterRecord) string { return r.Prefix })
	st.TelephoneNumbers = sortedValues(s.numbers, func(n *NumberRecord) string { return n.PhoneNumber })
	st.Ports = sortedValues(s.ports, func(p *Port) string { return p.ID })
	for _, id := range s.eventOrder {
		st.ActivationEvents = append(st.ActivationEvents, *s.events[id])
	}
}
