package store

import (
	"cmp"
	"slices"
	"strings"
)

// AccountNumber is TelephoneNumberAccountV2X: a number on an account.
type AccountNumber struct {
	PhoneNumber           string                 `json:"phoneNumber"`
	ReferenceType         string                 `json:"referenceType,omitempty"`
	ReferenceID           string                 `json:"referenceId,omitempty"`
	FunctionType          string                 `json:"functionType,omitempty"`
	CanAcceptSMS          bool                   `json:"canAcceptSMS"`
	OperationalStatus     string                 `json:"operationalStatus,omitempty"`
	PortID                string                 `json:"portId,omitempty"`
	ServicePackageType    string                 `json:"servicePackageType,omitempty"`
	AccountID             string                 `json:"accountId,omitempty"`
	PartitionID           string                 `json:"partitionId,omitempty"`
	CustomerServiceRecord *CustomerServiceRecord `json:"customerServiceRecord,omitempty"`
	CarrierStatus         string                 `json:"carrierStatus,omitempty"`
	OrderVersion          string                 `json:"orderVersion,omitempty"`
	E911Address           *E911Address           `json:"e911Address,omitempty"`
	TemporaryNumber       string                 `json:"temporaryNumber,omitempty"`
	DirectoryListing      *DirectoryListing      `json:"directoryListing,omitempty"`
	AssignAsCallerID      bool                   `json:"assignAsCallerId"`
	ByotnCarrierID        string                 `json:"byotnCarrierId,omitempty"`
	RingType              string                 `json:"ringType,omitempty"`
	CarrierID             string                 `json:"carrierId,omitempty"`
	TollFree              bool                   `json:"tollFree"`
	ID                    string                 `json:"id,omitempty"`
}

// BareNumber is TelephoneNumberAccountBareX: one number of an activation.
type BareNumber struct {
	PhoneNumber        string `json:"phoneNumber"`
	ReferenceType      string `json:"referenceType,omitempty"`
	ReferenceID        string `json:"referenceId,omitempty"`
	FunctionType       string `json:"functionType,omitempty"`
	CanAcceptSMS       bool   `json:"canAcceptSMS"`
	OperationalStatus  string `json:"operationalStatus,omitempty"`
	PortID             string `json:"portId,omitempty"`
	ServicePackageType string `json:"servicePackageType,omitempty"`
	TollFree           bool   `json:"tollFree"`
	ID                 string `json:"id,omitempty"`
}

// Destination is TelephoneNumberDestinationX: where a number rings.
type Destination struct {
	PartitionID      string `json:"partitionId,omitempty"`
	AccountID        string `json:"accountId,omitempty"`
	TelephoneNumber  string `json:"telephoneNumber,omitempty"`
	ReferenceID      string `json:"referenceId,omitempty"`
	ReferenceType    string `json:"referenceType,omitempty"`
	RingType         string `json:"ringType,omitempty"`
	AssignAsCallerID bool   `json:"assignAsCallerId"`
	ID               string `json:"id,omitempty"`
}

// NumberUsages is TelephoneNumberUsagesX: the end users of an account that
// use a number (routed to them or as their caller id).
type NumberUsages struct {
	PartitionID string   `json:"partitionId"`
	AccountID   string   `json:"accountId"`
	PhoneNumber string   `json:"phoneNumber"`
	Users       []string `json:"users"`
}

// fillAccountNumber sets the fields a number on an account always has. Lock held.
func (s *Store) fillAccountNumber(n *NumberRecord, a *AccountNumber) {
	acct := s.accounts[a.AccountID]
	a.PhoneNumber, a.ID, a.PartitionID = n.PhoneNumber, n.PhoneNumber, acct.PartitionID
	a.FunctionType = cmp.Or(a.FunctionType, n.FunctionType, "ELS")
	a.CarrierStatus = cmp.Or(a.CarrierStatus, "ACTIVE")
	a.OperationalStatus = cmp.Or(a.OperationalStatus, "ACTIVE")
	n.OnAccount = a
	n.Status = NumberOnAccount
}

// accountNumberOut is the caller's copy; a route to a user who is gone
// reads as no route. Lock held.
func (s *Store) accountNumberOut(n *NumberRecord) AccountNumber {
	return deepCopy(*n.OnAccount)
}

// unrouteNumbers leaves the numbers routed to a deleted end user or trunk
// without a route (they ring busy, as a number with no reference does), so
// no number ever points at an object that is gone. Lock held.
func (s *Store) unrouteNumbers(accountID, refType, refID string) {
	for _, n := range s.numsByAccount[accountID] {
		if on := n.OnAccount; on != nil && on.ReferenceType == refType && on.ReferenceID == refID {
			on.ReferenceType, on.ReferenceID, on.AssignAsCallerID = "", "", false
		}
	}
}

// accountNumber finds a number on an account and takes any activation step
// now due. Lock held (write).
func (s *Store) accountNumber(partitionID, accountID, tn string) (*Account, *NumberRecord, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	n, ok := s.numsByAccount[a.ID][tn]
	if !ok {
		return nil, nil, tnNotFound(tn)
	}
	if id, ok := s.eventByRef[eventKey(a.ID, "ACTIVATION", tn)]; ok {
		s.lifecycleRead(id)
	}
	if n.OnAccount != nil && n.OnAccount.PortID != "" {
		s.lifecycleRead(n.OnAccount.PortID)
	}
	return a, n, nil
}

// AccountNumbers lists the numbers of an account, by number.
func (s *Store) AccountNumbers(partitionID, accountID string) ([]AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	s.lifecycleSweep(KindActivation)
	s.lifecycleSweep(KindPort)
	list := make([]*NumberRecord, 0, len(s.numsByAccount[a.ID]))
	for _, n := range s.numsByAccount[a.ID] {
		list = append(list, n)
	}
	slices.SortFunc(list, func(x, y *NumberRecord) int { return cmp.Compare(x.PhoneNumber, y.PhoneNumber) })
	out := make([]AccountNumber, len(list))
	for i, n := range list {
		out[i] = s.accountNumberOut(n)
	}
	return out, nil
}

// AccountNumber returns one number of an account.
func (s *Store) AccountNumber(partitionID, accountID, tn string) (AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return AccountNumber{}, err
	}
	return s.accountNumberOut(n), nil
}

// Enums of a number on an account.
var (
	referenceTypes = []string{"SIP_TRUNK", "END_USER", "IVR", "LINE_APPEARANCE", "LINE_HUNTGROUP", "TELEPHONE",
		"VFAX", "BUSINESS_LINE", "BUSINESS_LINE_HUNT_GROUP", "CALL_GROUP", "CALL_QUEUE", "AUTO_ATTENDANT",
		"SPECIALTY_LINE", "CONTACT_CENTER"}
	operationalStatues = []string{"ACTIVE", "STAGED"}
)

// checkRoutingTarget is the one place that decides whether a number of an
// account may ring (referenceType, referenceId). No reference at all is
// allowed (the number rings busy). END_USER and SIP_TRUNK must name an
// object of the account; targets whose objects the emulator does not model
// yet are refused like an unknown id: never a faked success. Lock held.
func (s *Store) checkRoutingTarget(accountID, refType, refID string) error {
	if refType == "" && refID == "" {
		return nil
	}
	if refType == "" {
		return Invalid("ReferenceTypeRequired")
	}
	if !slices.Contains(referenceTypes, refType) {
		return invalidField("referenceType")
	}
	switch refType {
	case "END_USER":
		if u, ok := s.endUsers[refID]; ok && u.AccountID == accountID {
			return nil
		}
	case "SIP_TRUNK":
		if s.sipTrunkInAccount(accountID, refID) {
			return nil
		}
	case "BUSINESS_LINE":
		if l, ok := s.businessLines[refID]; ok && l.AccountID == accountID {
			return nil
		}
	case "BUSINESS_LINE_HUNT_GROUP":
		if g, ok := s.huntGroups[refID]; ok && g.AccountID == accountID {
			return nil
		}
	case "SPECIALTY_LINE":
		if l, ok := s.specialtyLines[refID]; ok && l.AccountID == accountID {
			return nil
		}
	default:
		if coll, ok := genericRouteTargets[refType]; ok && refID != "" {
			if a, ok := s.accounts[accountID]; ok {
				if _, ok := s.generic[genericTargetPath(a, coll, refID)]; ok {
					return nil
				}
			}
		}
	}
	return InvalidWith("InvalidReferenceId", EntityRef{Type: refType, ID: refID})
}

// genericRouteTargets are the routing targets the generic engine stores:
// referenceType -> the account collection its objects live in.
var genericRouteTargets = map[string]string{
	"CALL_GROUP": "group", "IVR": "ivr", "AUTO_ATTENDANT": "ivr", "VFAX": "vfax",
}

// genericTargetPath is where the generic engine keeps a routing target.
func genericTargetPath(a *Account, collection, id string) string {
	return "/v2/partition/" + a.PartitionID + "/account/" + a.ID + "/" + collection + "/" + id
}

// unrouteGeneric unroutes the numbers of a generic routing target that is
// going away (path is its object's path). Lock held.
func (s *Store) unrouteGeneric(path string) {
	o, ok := s.generic[path]
	if !ok || o.ID == "" {
		return
	}
	parts := strings.Split(strings.TrimPrefix(path, "/"), "/")
	// v2 partition P account A collection ID
	if len(parts) != 7 || parts[1] != "partition" || parts[3] != "account" {
		return
	}
	for refType, coll := range genericRouteTargets {
		if coll == parts[5] {
			s.unrouteNumbers(parts[4], refType, o.ID)
		}
	}
}

// routeTargetExists reports whether a routing target is an object of the
// account. Lock held.
func (s *Store) routeTargetExists(accountID, refType, refID string) bool {
	return refType != "" && s.checkRoutingTarget(accountID, refType, refID) == nil
}

// applyRoute validates and stores a number's destination; assignAsCallerId
// makes the number the end user's caller id. Lock held.
func (s *Store) applyRoute(a *Account, n *NumberRecord, d Destination) error {
	if err := s.checkRoutingTarget(a.ID, d.ReferenceType, d.ReferenceID); err != nil {
		return err
	}
	if d.RingType != "" && !slices.Contains(ringTypes, d.RingType) {
		return invalidField("ringType")
	}
	if d.AssignAsCallerID && d.ReferenceType != "END_USER" {
		return Invalid("AssignAsCallerIdRequiresEndUser")
	}
	on := n.OnAccount
	on.ReferenceType, on.ReferenceID, on.AssignAsCallerID = d.ReferenceType, d.ReferenceID, d.AssignAsCallerID
	if d.RingType != "" {
		on.RingType = d.RingType
	}
	if d.AssignAsCallerID {
		u := s.endUsers[d.ReferenceID]
		if u.CallerIDConfig == nil {
			u.CallerIDConfig = &CallerIDConfig{ExternalCallerIDVisible: true}
		}
		u.CallerIDConfig.CallerIDNumber = n.PhoneNumber
	}
	return nil
}

// SetDestination routes a number of an account (PUT .../destination).
func (s *Store) SetDestination(partitionID, accountID, tn string, d Destination, by Actor) (Destination, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return Destination{}, err
	}
	if d.TelephoneNumber != "" && d.TelephoneNumber != tn {
		return Destination{}, invalidField("telephoneNumber")
	}
	before := deepCopy(*n.OnAccount)
	if err := s.applyRoute(a, n, d); err != nil {
		return Destination{}, err
	}
	s.logHistory(a, by, "UPDATE", "PHONE_NUMBER", "Telephone", tn, tn, &before, n.OnAccount)
	on := n.OnAccount
	return Destination{PartitionID: a.PartitionID, AccountID: a.ID, TelephoneNumber: tn, ReferenceID: on.ReferenceID,
		ReferenceType: on.ReferenceType, RingType: on.RingType, AssignAsCallerID: on.AssignAsCallerID, ID: tn}, nil
}

// UpdateAccountNumber replaces the client-owned fields of a number on an
// account (PUT): route, ring type, caller id, CSR, E911 address, directory
// listing, SMS, service package, operational status.
func (s *Store) UpdateAccountNumber(partitionID, accountID, tn string, in AccountNumber, by Actor) (AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return AccountNumber{}, err
	}
	return s.replaceAccountNumber(a, n, in, by)
}

// PatchAccountNumber merges the given keys into a number on an account.
func (s *Store) PatchAccountNumber(partitionID, accountID, tn string, patch map[string]any, by Actor) (AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return AccountNumber{}, err
	}
	cur := s.accountNumberOut(n)
	in, err := patched(&cur, patch)
	if err != nil {
		return AccountNumber{}, err
	}
	return s.replaceAccountNumber(a, n, in, by)
}

// replaceAccountNumber validates the new version and stores it; a record
// (CSR, E911 address, directory listing) left out keeps its stored value.
// Lock held.
func (s *Store) replaceAccountNumber(a *Account, n *NumberRecord, in AccountNumber, by Actor) (AccountNumber, error) {
	old := n.OnAccount
	if in.OperationalStatus != "" && !slices.Contains(operationalStatues, in.OperationalStatus) {
		return AccountNumber{}, invalidField("operationalStatus")
	}
	if in.E911Address != nil {
		if err := s.checkE911(in.E911Address); err != nil {
			return AccountNumber{}, err
		}
	}
	next := deepCopy(*old)
	next.CustomerServiceRecord, next.E911Address, next.DirectoryListing = in.CustomerServiceRecord, in.E911Address, in.DirectoryListing
	next.CanAcceptSMS, next.ServicePackageType = in.CanAcceptSMS, in.ServicePackageType
	next.OperationalStatus = cmp.Or(in.OperationalStatus, old.OperationalStatus)
	next.TemporaryNumber = in.TemporaryNumber
	if next.CustomerServiceRecord == nil {
		next.CustomerServiceRecord = old.CustomerServiceRecord
	}
	if next.E911Address == nil {
		next.E911Address = old.E911Address
	}
	if next.DirectoryListing == nil {
		next.DirectoryListing = old.DirectoryListing
	}
	before := deepCopy(*old)
	n.OnAccount = &next
	if err := s.applyRoute(a, n, Destination{ReferenceType: in.ReferenceType, ReferenceID: in.ReferenceID,
		RingType: in.RingType, AssignAsCallerID: in.AssignAsCallerID}); err != nil {
		n.OnAccount = old
		return AccountNumber{}, err
	}
	s.numsByAccount[a.ID][n.PhoneNumber] = n
	s.logHistory(a, by, "UPDATE", "PHONE_NUMBER", "Telephone", n.PhoneNumber, n.PhoneNumber, &before, n.OnAccount)
	return s.accountNumberOut(n), nil
}

// DeleteAccountNumber takes a number off an account into cooldown. A number
// whose port is still open must have its port cancelled first.
func (s *Store) DeleteAccountNumber(partitionID, accountID, tn string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return err
	}
	if p, ok := s.ports[n.OnAccount.PortID]; ok && portOpen(s.portEvent(p)) {
		return InvalidWith("TelephoneNumberPortInProgress", EntityRef{Type: "Port", ID: p.ID})
	}
	s.logHistory(a, by, "DELETE", "PHONE_NUMBER", "Telephone", tn, tn, n.OnAccount, nil)
	s.releaseNumber(a, n)
	return nil
}

// releaseNumber takes a number off its account: a pending activation is
// cancelled, the users and device lines that show it stop doing so, and the
// number cools down for the partition's cooldown days. Lock held.
func (s *Store) releaseNumber(a *Account, n *NumberRecord) {
	tn := n.PhoneNumber
	if id, ok := s.eventByRef[eventKey(a.ID, "ACTIVATION", tn)]; ok {
		if e := s.events[id]; !activationDone(e) {
			s.lifecycleStop(id)
			s.eventStep(e, "CANCELLED", "ACTIVATION", "activation cancelled: the number left the account")
		}
	}
	kids := s.kids[a.ID]
	for _, uid := range kids.users {
		if u := s.endUsers[uid]; u.CallerIDConfig != nil && u.CallerIDConfig.CallerIDNumber == tn {
			u.CallerIDConfig.CallerIDNumber = ""
		}
	}
	for _, did := range kids.devices {
		if d := s.devices[did]; d.EmergencyNumber == tn {
			d.EmergencyNumber = ""
		}
	}
	s.takeOffAccount(n)
	now := s.clock.Now()
	days := s.cooldownDays(n.PartitionID)
	n.Status, n.ReservedBy, n.ReservedTime = NumberInCooldown, "", ""
	n.CooldownExpireDate = now.AddDate(0, 0, days).Format(timeLayout)
	n.CooldownRecoveredDate, n.ActivationDate = "", 0
	e := s.newEvent(a, "DISCONNECT", "TELEPHONE", tn, []string{tn})
	s.eventStep(e, "COOLDOWN", "DISCONNECT", "number left the account; in cooldown until "+n.CooldownExpireDate)
}

// releaseAccountNumbers empties a deleted account: open ports are
// cancelled, every other number goes into cooldown. Lock held.
func (s *Store) releaseAccountNumbers(a *Account) {
	list := make([]*NumberRecord, 0, len(s.numsByAccount[a.ID]))
	for _, n := range s.numsByAccount[a.ID] {
		list = append(list, n)
	}
	slices.SortFunc(list, func(x, y *NumberRecord) int { return cmp.Compare(x.PhoneNumber, y.PhoneNumber) })
	for _, n := range list {
		if n.OnAccount == nil {
			continue // dropped with its port below
		}
		if p, ok := s.ports[n.OnAccount.PortID]; ok && portOpen(s.portEvent(p)) {
			s.cancelPort(p, "NORMAL")
			continue
		}
		s.releaseNumber(a, n)
	}
	delete(s.numsByAccount, a.ID)
}

// accountIDByNumber says which account of the partition holds a number. Lock held.
func (s *Store) accountIDByNumber(partitionID, tn string) (string, bool) {
	n, ok := s.numbers[tn]
	if !ok || n.PartitionID != partitionID || n.OnAccount == nil {
		return "", false
	}
	return n.OnAccount.AccountID, true
}

// numberOnAccount says whether a number is on an account (caller ids and
// emergency numbers must be). Lock held.
func (s *Store) numberOnAccount(accountID, tn string) bool {
	_, ok := s.numsByAccount[accountID][tn]
	return ok
}

// NumberUsages lists the end users of the account that use a number.
func (s *Store) NumberUsages(partitionID, accountID, tn string) (NumberUsages, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return NumberUsages{}, err
	}
	out := NumberUsages{PartitionID: a.PartitionID, AccountID: a.ID, PhoneNumber: tn, Users: []string{}}
	for _, uid := range s.kids[a.ID].users {
		u := s.endUsers[uid]
		routed := n.OnAccount.ReferenceType == "END_USER" && n.OnAccount.ReferenceID == uid
		if routed || u.CallerIDConfig != nil && u.CallerIDConfig.CallerIDNumber == tn {
			out.Users = append(out.Users, uid)
		}
	}
	return out, nil
}

// E911Correction is the platform's adjusted form of a number's E911
// address: the same address in upper case with a normalised street suffix.
func (s *Store) E911Correction(partitionID, accountID, tn string) (E911Address, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return E911Address{}, err
	}
	if n.OnAccount.E911Address == nil {
		return E911Address{}, NotFound("E911Address", tn)
	}
	return s.correctedE911(*n.OnAccount.E911Address), nil
}

// correctedE911 is an E911 address in upper case with its street suffix
// abbreviated; its point stays where it was (or is placed). Lock held.
func (s *Store) correctedE911(e E911Address) E911Address {
	c := deepCopy(e)
	up := strings.ToUpper
	c.StreetName, c.City, c.State, c.StreetSuffix = up(c.StreetName), up(c.City), up(c.State), up(c.StreetSuffix)
	if abbr, ok := suffixAbbr[c.StreetSuffix]; ok {
		c.StreetSuffix = abbr
	}
	_ = s.locateE911(&c) // a stored address that cannot be placed keeps no coordinates
	return c
}

// AcceptE911Correction stores the adjusted E911 address on the number.
func (s *Store) AcceptE911Correction(partitionID, accountID, tn string, by Actor) (AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return AccountNumber{}, err
	}
	if n.OnAccount.E911Address == nil {
		return AccountNumber{}, NotFound("E911Address", tn)
	}
	before := deepCopy(*n.OnAccount)
	c := s.correctedE911(*n.OnAccount.E911Address)
	n.OnAccount.E911Address = &c
	s.logHistory(a, by, "UPDATE", "ADDRESS_E911", "Telephone", tn, tn, &before, n.OnAccount)
	return s.accountNumberOut(n), nil
}

// AcceptOriginalE911 keeps the address as entered, with the coordinates
// given (or those it has, or the point geo.go places it at).
func (s *Store) AcceptOriginalE911(partitionID, accountID, tn, lat, long string, by Actor) (AccountNumber, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, n, err := s.accountNumber(partitionID, accountID, tn)
	if err != nil {
		return AccountNumber{}, err
	}
	e := n.OnAccount.E911Address
	if e == nil {
		return AccountNumber{}, NotFound("E911Address", tn)
	}
	before := deepCopy(*n.OnAccount)
	e.Latitude, e.Longitude = cmp.Or(lat, e.Latitude), cmp.Or(long, e.Longitude)
	_ = s.locateE911(e) // only when one is still missing; an address that cannot be placed keeps none
	s.logHistory(a, by, "UPDATE", "ADDRESS_E911", "Telephone", tn, tn, &before, n.OnAccount)
	return s.accountNumberOut(n), nil
}
