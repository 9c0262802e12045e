package store

import (
	"cmp"
	"net/http"
	"regexp"
	"slices"
	"strings"
)

// SpecialtyLine is a specialty line (SpecialtyLineResponseDto): an analog
// port of an MTA with its own SIP credentials, caller id and E911 callback
// number. linkedPhoneNumbers is derived: the account's numbers routed to it
// (null while none is).
type SpecialtyLine struct {
	ID                 string        `json:"id"`
	AccountID          string        `json:"accountId"`
	PartitionID        string        `json:"partitionId"`
	Name               string        `json:"name"`
	LinkedPhoneNumbers []string      `json:"linkedPhoneNumbers,omitempty"`
	CallerID           string        `json:"callerId"`
	E911CallbackNumber string        `json:"e911CallbackNumber"`
	CallingPlanIDs     []string      `json:"callingPlanIds"`
	DeviceType         string        `json:"deviceType,omitempty"`
	DeviceID           string        `json:"deviceId,omitempty"`
	MacAddress         string        `json:"macAddress,omitempty"`
	PortNumber         int           `json:"portNumber,omitempty"`
	SipUsername        string        `json:"sipUsername"`
	SipPassword        string        `json:"sipPassword"`
	CallingPlans       []CallingPlan `json:"callingPlans,omitempty"`
}

// specialtyDeviceTypes are the MTAs a specialty line sits on, with their
// port counts.
var specialtyDeviceTypes = map[string]int{
	"SIP_2_Port_MTA": 2, "SIP_4_Port_MTA": 4, "SIP_8_Port_MTA": 8, "SIP_24_Port_MTA": 24,
	"SIP_50_Port_MTA": 50, "SIP_50_Port_ATA": 50,
}

var macPattern = regexp.MustCompile(`^[0-9a-f]{12}$`)

// DeviceAlreadyExists is the specialty-line service's 409.
const deviceExistsMessage = "Device already exists: MAC and Port combination must be unique"

// bareMac is a MAC without separators, lower-cased.
func bareMac(mac string) string {
	return strings.ToLower(strings.NewReplacer(":", "", "-", "", ".", "").Replace(mac))
}

// validateSpecialtyLine checks a specialty line and fills what the server
// sets. old is the stored line on update. Lock held.
func (s *Store) validateSpecialtyLine(l *SpecialtyLine, a *Account, old *SpecialtyLine) error {
	switch {
	case strings.TrimSpace(l.Name) == "":
		return Invalid("NameRequired")
	case l.CallerID == "":
		return Invalid("CallerIdRequired")
	case l.E911CallbackNumber == "":
		return Invalid("E911CallbackNumberRequired")
	case len(l.CallingPlanIDs) == 0:
		return Invalid("CallingPlanIdsRequired")
	case !ValidTN(l.CallerID):
		return invalidField("callerId")
	case !ValidTN(l.E911CallbackNumber):
		return invalidField("e911CallbackNumber")
	}
	for _, id := range l.CallingPlanIDs {
		if p, ok := s.planProducts[id]; !ok || p.PartitionID != a.PartitionID || s.archivedPlans[id] {
			return InvalidWith("InvalidValueForField:callingPlanIds", EntityRef{Type: "CallingPlanProduct", ID: id})
		}
	}
	if l.DeviceType != "" {
		if _, ok := specialtyDeviceTypes[l.DeviceType]; !ok {
			return NotFound("DeviceType", l.DeviceType)
		}
	}
	if l.MacAddress != "" {
		mac := bareMac(l.MacAddress)
		if !macPattern.MatchString(mac) {
			return invalidField("macAddress")
		}
		l.MacAddress = strings.ToLower(l.MacAddress)
		if l.DeviceType == "" {
			l.DeviceType = "SIP_4_Port_MTA"
		}
		if l.PortNumber == 0 {
			l.PortNumber = 1
		}
		if l.PortNumber < 1 || l.PortNumber > specialtyDeviceTypes[l.DeviceType] {
			return invalidField("portNumber")
		}
		for _, oid := range s.slByMac[mac] {
			if other := s.specialtyLines[oid]; old == nil || other.ID != old.ID {
				if other.PortNumber == l.PortNumber {
					return &Error{Status: http.StatusConflict, Code: "DeviceAlreadyExists", Message: deviceExistsMessage}
				}
				l.DeviceID = other.DeviceID // ports of one MTA share its device
			}
		}
		for _, bid := range s.blByMac[mac] {
			if s.businessLines[bid].PortAssignment.PortNumber == l.PortNumber {
				return &Error{Status: http.StatusConflict, Code: "DeviceAlreadyExists", Message: deviceExistsMessage}
			}
		}
		if l.DeviceID == "" {
			l.DeviceID = NewID()
			if old != nil && bareMac(old.MacAddress) == mac {
				l.DeviceID = old.DeviceID
			}
		}
	} else if l.PortNumber != 0 {
		return Invalid("MacAddressRequired")
	} else {
		l.DeviceID = ""
	}
	if l.SipUsername != "" {
		if !sipUsernamePattern.MatchString(l.SipUsername) {
			return invalidField("sipUsername")
		}
		if (old == nil || !strings.EqualFold(old.SipUsername, l.SipUsername)) && s.sipUsernameTaken(l.PartitionID, l.SipUsername) {
			return Invalid("SipUsernameInUse")
		}
	}
	if l.SipPassword != "" && len(l.SipPassword) < 6 {
		return invalidField("sipPassword")
	}
	return nil
}

// specialtyLine finds a line of an account. Lock held.
func (s *Store) specialtyLine(partitionID, accountID, id string) (*Account, *SpecialtyLine, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	l, ok := s.specialtyLines[id]
	if !ok || l.AccountID != a.ID {
		return nil, nil, NotFound("SpecialtyLine", id)
	}
	return a, l, nil
}

// tnsRoutedTo lists the account's numbers routed to (refType, refID), sorted;
// nil when none is. Lock held.
func (s *Store) tnsRoutedTo(accountID, refType, refID string) []string {
	var out []string
	for tn, n := range s.numsByAccount[accountID] {
		if on := n.OnAccount; on != nil && on.ReferenceType == refType && on.ReferenceID == refID {
			out = append(out, tn)
		}
	}
	slices.Sort(out)
	return out
}

func (s *Store) specialtyLineOut(l *SpecialtyLine) SpecialtyLine {
	out := deepCopy(*l)
	out.LinkedPhoneNumbers = s.tnsRoutedTo(l.AccountID, "SPECIALTY_LINE", l.ID)
	out.CallingPlanIDs = planProductIDs(l.CallingPlans)
	out.CallingPlans = nil
	return out
}

// SpecialtyLines lists an account's specialty lines, by id.
func (s *Store) SpecialtyLines(partitionID, accountID string) ([]SpecialtyLine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []SpecialtyLine{}
	for _, id := range s.kidsOf(a.ID).specialtyLines {
		out = append(out, s.specialtyLineOut(s.specialtyLines[id]))
	}
	slices.SortFunc(out, func(x, y SpecialtyLine) int { return cmp.Compare(x.ID, y.ID) })
	return out, nil
}

// SpecialtyLine returns one line.
func (s *Store) SpecialtyLine(partitionID, accountID, id string) (SpecialtyLine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, l, err := s.specialtyLine(partitionID, accountID, id)
	if err != nil {
		return SpecialtyLine{}, err
	}
	return s.specialtyLineOut(l), nil
}

// CreateSpecialtyLine adds a line; SIP credentials left out are generated,
// and each calling plan product becomes a plan of the line.
func (s *Store) CreateSpecialtyLine(partitionID, accountID string, in SpecialtyLine) (SpecialtyLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return SpecialtyLine{}, err
	}
	l := deepCopy(in)
	l.ID, l.AccountID, l.PartitionID, l.LinkedPhoneNumbers, l.DeviceID = NewUUID(), a.ID, a.PartitionID, nil, ""
	if err := s.validateSpecialtyLine(&l, a, nil); err != nil {
		return SpecialtyLine{}, err
	}
	if l.SipUsername == "" {
		l.SipUsername = s.freeSipUsername(l.PartitionID)
	}
	if l.SipPassword == "" {
		l.SipPassword = strings.ReplaceAll(NewID(), "-", "x")[:16]
	}
	l.CallingPlans = s.plansFor(l.CallingPlanIDs, "SPECIALTY_LINE", l.ID)
	s.insertSpecialtyLine(&l)
	return s.specialtyLineOut(&l), nil
}

// freeSipUsername makes a SIP username nobody in the partition holds. Lock
// held.
func (s *Store) freeSipUsername(partitionID string) string {
	for {
		name := "sl" + strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(NewID()))[:14]
		if !s.sipUsernameTaken(partitionID, name) {
			return name
		}
	}
}

// plansFor attaches one plan per product id. Lock held.
func (s *Store) plansFor(productIDs []string, refType, refID string) []CallingPlan {
	out := make([]CallingPlan, 0, len(productIDs))
	for _, id := range productIDs {
		out = append(out, s.newCallingPlan(s.planProducts[id], refType, refID))
	}
	return out
}

func (s *Store) insertSpecialtyLine(l *SpecialtyLine) {
	s.specialtyLines[l.ID] = l
	k := s.kidsOf(l.AccountID)
	k.specialtyLines = append(k.specialtyLines, l.ID)
	s.claimSipUsername(l.PartitionID, l.SipUsername, l.ID)
	if l.MacAddress != "" {
		mac := bareMac(l.MacAddress)
		s.slByMac[mac] = append(s.slByMac[mac], l.ID)
	}
}

// UpdateSpecialtyLine replaces a line's fields; credentials left out stay.
func (s *Store) UpdateSpecialtyLine(partitionID, accountID, id string, in SpecialtyLine) (SpecialtyLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, old, err := s.specialtyLine(partitionID, accountID, id)
	if err != nil {
		return SpecialtyLine{}, err
	}
	l := deepCopy(in)
	l.ID, l.AccountID, l.PartitionID, l.LinkedPhoneNumbers, l.DeviceID = old.ID, old.AccountID, old.PartitionID, nil, ""
	if err := s.validateSpecialtyLine(&l, a, old); err != nil {
		return SpecialtyLine{}, err
	}
	if l.SipUsername == "" {
		l.SipUsername = old.SipUsername
	}
	if l.SipPassword == "" {
		l.SipPassword = old.SipPassword
	}
	l.CallingPlans = nil
	for _, pid := range l.CallingPlanIDs {
		kept := false
		for _, p := range old.CallingPlans {
			if p.CallingPlanProductID == pid {
				l.CallingPlans, kept = append(l.CallingPlans, p), true
				break
			}
		}
		if !kept {
			l.CallingPlans = append(l.CallingPlans, s.newCallingPlan(s.planProducts[pid], "SPECIALTY_LINE", l.ID))
		}
	}
	s.unindexSpecialtyLine(old)
	*old = l
	s.insertSpecialtyLine(old)
	return s.specialtyLineOut(old), nil
}

// DeleteSpecialtyLine removes a line; its numbers lose their route.
func (s *Store) DeleteSpecialtyLine(partitionID, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, l, err := s.specialtyLine(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.removeSpecialtyLine(l)
	return nil
}

// removeSpecialtyLine drops a line and every reference to it. Lock held.
func (s *Store) removeSpecialtyLine(l *SpecialtyLine) {
	s.unrouteNumbers(l.AccountID, "SPECIALTY_LINE", l.ID)
	s.unindexSpecialtyLine(l)
	delete(s.specialtyLines, l.ID)
}

// unindexSpecialtyLine takes a line out of the indexes insertSpecialtyLine
// fills. Lock held.
func (s *Store) unindexSpecialtyLine(l *SpecialtyLine) {
	s.releaseSipUsername(l.PartitionID, l.SipUsername, l.ID)
	k := s.kidsOf(l.AccountID)
	k.specialtyLines = dropID(k.specialtyLines, l.ID)
	if l.MacAddress != "" {
		mac := bareMac(l.MacAddress)
		if s.slByMac[mac] = dropID(s.slByMac[mac], l.ID); len(s.slByMac[mac]) == 0 {
			delete(s.slByMac, mac)
		}
	}
}

// SipUsernameAvailable answers validate-sip-username: whether no device
// line, trunk or specialty line of the partition holds the name. A name that could never be
// valid is a 400.
func (s *Store) SipUsernameAvailable(partitionID, name string) (bool, error) {
	if name == "" {
		return false, Invalid("UsernameRequired")
	}
	if !sipUsernamePattern.MatchString(name) {
		return false, &Error{Status: http.StatusBadRequest, Code: "InvalidSipUsername",
			Message: "SIP username must be 8 to 36 characters of letters, digits, '-', '_' or '.'"}
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return !s.sipUsernameTaken(partitionID, name), nil
}

// planProductIDs are the products of a line's plans: callingPlanIds follows
// the plans PUT/DELETE A/callingplan attach and detach.
func planProductIDs(plans []CallingPlan) []string {
	out := make([]string, len(plans))
	for i, p := range plans {
		out[i] = p.CallingPlanProductID
	}
	return out
}
