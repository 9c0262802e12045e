package store

import (
	"net"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// SipTrunk is a SIP trunk of an account (the SipTrunk schema). sipPassword
// is echoed back, as Alianza's own examples show; sipProxyServer,
// telephoneNumbers, lockedOut and callingPlans are the server's.
type SipTrunk struct {
	ID                   string                `json:"id"`
	PartitionID          string                `json:"partitionId"`
	AccountID            string                `json:"accountId"`
	TrunkName            string                `json:"trunkName,omitempty"`
	SipPassword          string                `json:"sipPassword,omitempty"`
	SipUsername          string                `json:"sipUsername,omitempty"`
	CallbackNumber       string                `json:"callbackNumber,omitempty"`
	ConcurrentCalls      int                   `json:"concurrentCalls,omitempty"`
	MaxBurstCalls        int                   `json:"maxBurstCalls,omitempty"`
	CallingPlans         []CallingPlan         `json:"callingPlans"`
	TelephoneNumbers     []string              `json:"telephoneNumbers"`
	SipProxyServer       string                `json:"sipProxyServer,omitempty"`
	LockedOut            bool                  `json:"lockedOut"`
	LocalServicesEnabled bool                  `json:"localServicesEnabled"`
	PrimaryTn            string                `json:"primaryTn,omitempty"`
	ExtensionPatterns    []string              `json:"extensionPatterns,omitempty"`
	ExternalChargeNumber string                `json:"externalChargeNumber,omitempty"`
	NewCppID             string                `json:"newCppId,omitempty"`
	SetupCallingPlan     *SetupCallingPlan     `json:"setupCallingPlan,omitempty"`
	ProvisioningStatus   string                `json:"provisioningStatus,omitempty"`
	IPBasedAuthEnabled   bool                  `json:"ipBasedAuthEnabled"`
	IPAddress            string                `json:"ipAddress,omitempty"`
	PortNumber           int                   `json:"portNumber,omitempty"`
	AccessEndpoints      []SbcEndpoint         `json:"accessEndpoints,omitempty"`
	SipTrunkGroupID      string                `json:"sipTrunkGroupId,omitempty"`
	PbxTnDigits          int                   `json:"pbxTnDigits,omitempty"`
	LanguageTag          string                `json:"languageTag,omitempty"`
	Forward              *SipTrunkForwardRules `json:"forward,omitempty"`    // kept in State only; never sent
	Registered           bool                  `json:"registered,omitempty"` // kept in State only; never sent
}

// SetupCallingPlan asks for a new or a shared calling plan on create.
type SetupCallingPlan struct {
	ReferenceID     string `json:"referenceId,omitempty"`
	CallingPlanType string `json:"callingPlanType,omitempty"`
}

// SbcEndpoint is one session border controller a trunk may reach.
type SbcEndpoint struct {
	Site     string `json:"site,omitempty"`
	Address  string `json:"address,omitempty"`
	Port     int    `json:"port,omitempty"`
	Protocol string `json:"protocol,omitempty"`
}

// SipTrunkForwardReference is one forwarding target.
type SipTrunkForwardReference struct {
	ReferenceID   string `json:"referenceId,omitempty"`
	ReferenceType string `json:"referenceType"`
	Enabled       *bool  `json:"enabled,omitempty"`
}

// SipTrunkForwardRules is where a trunk's calls go when it cannot take them.
type SipTrunkForwardRules struct {
	PartitionID               string                     `json:"partitionId,omitempty"`
	AccountID                 string                     `json:"accountId,omitempty"`
	SipTrunkID                string                     `json:"sipTrunkId,omitempty"`
	ForwardAlways             *SipTrunkForwardReference  `json:"forwardAlways,omitempty"`
	ForwardOnFailure          []SipTrunkForwardReference `json:"forwardOnFailure,omitempty"`
	ForwardOnCapacityExceeded []SipTrunkForwardReference `json:"forwardOnCapacityExceeded,omitempty"`
}

// TrunkRegistration is a trunk's RegistrationStatus.
type TrunkRegistration struct {
	Registered bool `json:"registered"`
	LockedOut  bool `json:"lockedOut"`
}

// SipTrunkGroup is a set of trunks of one account with shared forwarding.
// sipTrunksIds is derived from the trunks' sipTrunkGroupId.
type SipTrunkGroup struct {
	ID                   string                     `json:"id"`
	Name                 string                     `json:"name"`
	PartitionID          string                     `json:"partitionId"`
	AccountID            string                     `json:"accountId"`
	UnconditionalForward *SipTrunkForwardReference  `json:"unconditionalForward,omitempty"`
	UnreachableForward   []SipTrunkForwardReference `json:"unreachableForward,omitempty"`
	CapacityForward      []SipTrunkForwardReference `json:"capacityForward,omitempty"`
	SipTrunksIDs         []string                   `json:"sipTrunksIds"`
}

var sipUsernamePattern = regexp.MustCompile(`^[A-Za-z0-9\-_.]{8,36}$`)

// trunkTree is the part of the store this file and its neighbours own: SIP
// trunks and trunk groups, voicemail messages and PINs, jobs, partition
// settings.
type trunkTree struct {
	trunks      map[string]*SipTrunk
	trunksOf    map[string][]string // account id -> trunk ids, creation order
	trunkNames  map[string]string   // account id + "\x00" + lower-case name -> trunk id
	trunkIPs    map[string]string   // ip:port of IP-authenticated trunks -> trunk id
	trunkGroups map[string]*SipTrunkGroup
	vmMessages  map[string]*VoicemailMessage
	vmByBox     map[string][]string // box id -> message ids, oldest first
	vmPins      map[string]string   // box id -> pin
	jobs        map[string]*jobRecord
	jobOrder    []string                               // job ids, oldest first
	settings    map[string]map[string]PartitionSetting // partition -> type -> setting
}

func newTrunkTree() trunkTree {
	return trunkTree{
		trunks: map[string]*SipTrunk{}, trunksOf: map[string][]string{}, trunkNames: map[string]string{},
		trunkIPs: map[string]string{}, trunkGroups: map[string]*SipTrunkGroup{},
		vmMessages: map[string]*VoicemailMessage{}, vmByBox: map[string][]string{},
		vmPins: map[string]string{}, jobs: map[string]*jobRecord{},
		settings: map[string]map[string]PartitionSetting{},
	}
}

// routedTo lists the account numbers that ring a trunk, by number. Lock held.
func (s *Store) routedTo(trunkID string) []*NumberRecord {
	t, ok := s.trunks[trunkID]
	if !ok {
		return nil
	}
	var out []*NumberRecord
	for _, n := range s.numsByAccount[t.AccountID] {
		if on := n.OnAccount; on != nil && on.ReferenceType == "SIP_TRUNK" && on.ReferenceID == trunkID {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *NumberRecord) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	return out
}

// numbersRoutedTo is a trunk's telephoneNumbers: the numbers routed to it
// (referenceType SIP_TRUNK). Lock held.
func (s *Store) numbersRoutedTo(trunkID string) []string {
	var out []string
	for _, n := range s.routedTo(trunkID) {
		out = append(out, n.PhoneNumber)
	}
	return out
}

// sipTrunkInAccount reports whether a trunk exists in an account; the
// telephone-number code checks it when a number is routed to a trunk. Lock held.
func (s *Store) sipTrunkInAccount(accountID, trunkID string) bool {
	t, ok := s.trunks[trunkID]
	return ok && t.AccountID == accountID
}

// trunkOut is the caller's copy of a trunk with its derived fields.
func (s *Store) trunkOut(t *SipTrunk) SipTrunk {
	out := deepCopy(*t)
	out.Forward, out.Registered = nil, false
	out.TelephoneNumbers = s.numbersRoutedTo(t.ID)
	if out.TelephoneNumbers == nil {
		out.TelephoneNumbers = []string{}
	}
	if out.CallingPlans == nil {
		out.CallingPlans = []CallingPlan{}
	}
	out.SipProxyServer = s.settingString(t.PartitionID, SettingSipTrunkProxyServer)
	return out
}

func (s *Store) trunk(partitionID, accountID, id string) (*Account, *SipTrunk, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	t, ok := s.trunks[id]
	if !ok || t.AccountID != a.ID {
		return nil, nil, NotFound("SipTrunk", id)
	}
	return a, t, nil
}

// validateTrunk checks a trunk against Alianza's rules; old is the stored
// trunk on update. Lock held.
func (s *Store) validateTrunk(t *SipTrunk, old *SipTrunk) error {
	switch {
	case strings.TrimSpace(t.TrunkName) == "":
		return Invalid("TrunkNameRequired")
	case t.SipUsername == "":
		return Invalid("SipUsernameRequired")
	case !sipUsernamePattern.MatchString(t.SipUsername):
		return invalidField("sipUsername")
	case t.SipPassword == "":
		return Invalid("SipPasswordRequired")
	case len(t.SipPassword) < 6:
		return invalidField("sipPassword")
	case t.ConcurrentCalls == 0:
		return Invalid("ConcurrentCallsRequired")
	case t.ConcurrentCalls < 1:
		return invalidField("concurrentCalls")
	case t.MaxBurstCalls < 0:
		return invalidField("maxBurstCalls")
	}
	if id, ok := s.trunkNames[trunkNameKey(t)]; ok && id != t.ID {
		return Invalid("DuplicateTrunkName")
	}
	if (old == nil || !strings.EqualFold(old.SipUsername, t.SipUsername)) && s.sipUsernameTaken(t.PartitionID, t.SipUsername) {
		return Invalid("SipUsernameInUse")
	}
	if t.IPBasedAuthEnabled || t.IPAddress != "" {
		if t.IPAddress == "" {
			return Invalid("IpAddressRequired")
		}
		if net.ParseIP(t.IPAddress) == nil {
			return invalidField("ipAddress")
		}
		if t.PortNumber < 0 || t.PortNumber > 65535 {
			return invalidField("portNumber")
		}
		if !s.ipPortFree(t.IPAddress, t.PortNumber, t.ID) {
			return Invalid("IpAddressAndPortInUse")
		}
	}
	if t.SipTrunkGroupID != "" {
		if g, ok := s.trunkGroups[t.SipTrunkGroupID]; !ok || g.AccountID != t.AccountID {
			return NotFound("SipTrunkGroup", t.SipTrunkGroupID)
		}
	}
	return nil
}

// ipPortFree reports whether no trunk but exceptID authenticates by ip:port.
// Lock held.
func (s *Store) ipPortFree(ip string, port int, exceptID string) bool {
	id, taken := s.trunkIPs[ipPortKey(ip, port)]
	return !taken || id == exceptID
}

// ipPortKey is the canonical form of an address and port; port 0 stands
// for the SIP default 5060.
func ipPortKey(ip string, port int) string {
	if port == 0 {
		port = 5060
	}
	if p := net.ParseIP(ip); p != nil {
		ip = p.String()
	}
	return net.JoinHostPort(ip, strconv.Itoa(port))
}

func trunkNameKey(t *SipTrunk) string { return t.AccountID + "\x00" + strings.ToLower(t.TrunkName) }

// trunkIDs lists an account's trunks by name. Lock held.
func (s *Store) trunkIDs(accountID string) []string {
	ids := slices.Clone(s.trunksOf[accountID])
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(s.trunks[a].TrunkName+a, s.trunks[b].TrunkName+b) })
	return ids
}

// insertTrunk stores and indexes a new validated trunk. Lock held.
func (s *Store) insertTrunk(t *SipTrunk) {
	s.trunks[t.ID] = t
	s.trunksOf[t.AccountID] = append(s.trunksOf[t.AccountID], t.ID)
	s.indexTrunk(t)
}

// indexTrunk records a trunk's name, address and SIP username keys. Lock held.
func (s *Store) indexTrunk(t *SipTrunk) {
	s.trunkNames[trunkNameKey(t)] = t.ID
	if t.IPAddress != "" {
		s.trunkIPs[ipPortKey(t.IPAddress, t.PortNumber)] = t.ID
	}
	s.claimSipUsername(t.PartitionID, t.SipUsername, t.ID)
}

// unindexTrunk drops a trunk's name, address and SIP username keys (not the
// trunk itself). Lock held.
func (s *Store) unindexTrunk(t *SipTrunk) {
	if s.trunkNames[trunkNameKey(t)] == t.ID {
		delete(s.trunkNames, trunkNameKey(t))
	}
	if k := ipPortKey(t.IPAddress, t.PortNumber); t.IPAddress != "" && s.trunkIPs[k] == t.ID {
		delete(s.trunkIPs, k)
	}
	s.releaseSipUsername(t.PartitionID, t.SipUsername, t.ID)
}

// historyTrunk is the trunk as account history records it: no password.
func historyTrunk(t *SipTrunk) *SipTrunk {
	c := deepCopy(*t)
	c.SipPassword, c.Forward = "", nil
	return &c
}

// CreateSipTrunk adds a trunk to an account (POST siptrunk_2).
func (s *Store) CreateSipTrunk(partitionID, accountID string, in SipTrunk, by Actor) (SipTrunk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return SipTrunk{}, err
	}
	t := deepCopy(in)
	t.ID, t.PartitionID, t.AccountID = NewID(), a.PartitionID, a.ID
	t.LockedOut, t.Forward, t.Registered, t.TelephoneNumbers = false, nil, false, nil
	if err := s.validateTrunk(&t, nil); err != nil {
		return SipTrunk{}, err
	}
	t.CallingPlans = nil
	if p := s.defaultPlanProduct(a.PartitionID); p != nil {
		t.CallingPlans = []CallingPlan{s.newCallingPlan(p, "SIP_TRUNK", t.ID)}
	}
	if t.ProvisioningStatus == "" {
		t.ProvisioningStatus = "PROVISIONED"
	}
	s.insertTrunk(&t)
	s.logHistory(a, by, "CREATE", "SIP_TRUNK", "SipTrunk", t.ID, t.TrunkName, nil, historyTrunk(&t))
	return s.trunkOut(&t), nil
}

// SipTrunk returns one trunk.
func (s *Store) SipTrunk(partitionID, accountID, id string) (SipTrunk, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return SipTrunk{}, err
	}
	return s.trunkOut(t), nil
}

// SipTrunks lists an account's trunks, by name.
func (s *Store) SipTrunks(partitionID, accountID string) ([]SipTrunk, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []SipTrunk{}
	for _, id := range s.trunkIDs(a.ID) {
		out = append(out, s.trunkOut(s.trunks[id]))
	}
	return out, nil
}

// UpdateSipTrunk replaces a trunk (PUT). The spec makes sipPassword required
// on PUT; a store caller that leaves it empty keeps the old one.
func (s *Store) UpdateSipTrunk(partitionID, accountID, id string, in SipTrunk, by Actor) (SipTrunk, error) {
	return s.changeSipTrunk(partitionID, accountID, id, &in, nil, by)
}

// PatchSipTrunk merges the given keys into a trunk (PATCH).
func (s *Store) PatchSipTrunk(partitionID, accountID, id string, patch map[string]any, by Actor) (SipTrunk, error) {
	return s.changeSipTrunk(partitionID, accountID, id, nil, patch, by)
}

func (s *Store) changeSipTrunk(partitionID, accountID, id string, in *SipTrunk, patch map[string]any, by Actor) (SipTrunk, error) {
	find := func() (*Account, *SipTrunk, error) { return s.trunk(partitionID, accountID, id) }
	return change(s, find, in, patch, func(a *Account, old *SipTrunk, t SipTrunk) (SipTrunk, error) { return s.replaceTrunk(a, old, t, by) })
}

func (s *Store) replaceTrunk(a *Account, old *SipTrunk, t SipTrunk, by Actor) (SipTrunk, error) {
	t.ID, t.PartitionID, t.AccountID = old.ID, old.PartitionID, old.AccountID
	if t.SipPassword == "" {
		t.SipPassword = old.SipPassword
	}
	t.LockedOut, t.CallingPlans, t.Forward, t.Registered = old.LockedOut, old.CallingPlans, old.Forward, old.Registered
	t.TelephoneNumbers = nil
	if t.ProvisioningStatus == "" {
		t.ProvisioningStatus = old.ProvisioningStatus
	}
	if err := s.validateTrunk(&t, old); err != nil {
		return SipTrunk{}, err
	}
	before := historyTrunk(old)
	s.unindexTrunk(old)
	*old = t
	s.indexTrunk(old)
	s.logHistory(a, by, "UPDATE", "SIP_TRUNK", "SipTrunk", old.ID, old.TrunkName, before, historyTrunk(old))
	return s.trunkOut(old), nil
}

// DeleteSipTrunk removes a trunk; its numbers lose their route and its
// SIP username is free again.
func (s *Store) DeleteSipTrunk(partitionID, accountID, id string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.removeTrunk(t)
	s.logHistory(a, by, "DELETE", "SIP_TRUNK", "SipTrunk", t.ID, t.TrunkName, historyTrunk(t), nil)
	return nil
}

func (s *Store) removeTrunk(t *SipTrunk) {
	s.unrouteNumbers(t.AccountID, "SIP_TRUNK", t.ID)
	s.dropForwardRefs(t.AccountID, "SIP_TRUNK", t.ID)
	s.unindexTrunk(t)
	s.trunksOf[t.AccountID] = slices.DeleteFunc(s.trunksOf[t.AccountID], func(id string) bool { return id == t.ID })
	if len(s.trunksOf[t.AccountID]) == 0 {
		delete(s.trunksOf, t.AccountID)
	}
	delete(s.trunks, t.ID)
}

// dropForwardRefs removes every forwarding target that names a deleted
// trunk, end user or voicemail box from the account's trunks and trunk
// groups, so no forward rule points at an object that is gone. Lock held.
func (s *Store) dropForwardRefs(accountID, refType, refID string) {
	gone := func(r SipTrunkForwardReference) bool { return r.ReferenceType == refType && r.ReferenceID == refID }
	one := func(r *SipTrunkForwardReference) *SipTrunkForwardReference {
		if r != nil && gone(*r) {
			return nil
		}
		return r
	}
	for _, id := range s.trunksOf[accountID] {
		if f := s.trunks[id].Forward; f != nil {
			f.ForwardAlways = one(f.ForwardAlways)
			f.ForwardOnFailure = slices.DeleteFunc(f.ForwardOnFailure, gone)
			f.ForwardOnCapacityExceeded = slices.DeleteFunc(f.ForwardOnCapacityExceeded, gone)
		}
	}
	for _, g := range s.trunkGroups {
		if g.AccountID == accountID {
			g.UnconditionalForward = one(g.UnconditionalForward)
			g.UnreachableForward = slices.DeleteFunc(g.UnreachableForward, gone)
			g.CapacityForward = slices.DeleteFunc(g.CapacityForward, gone)
		}
	}
}

// SipTrunkForward returns a trunk's forward rules (empty lists when none).
func (s *Store) SipTrunkForward(partitionID, accountID, id string) (SipTrunkForwardRules, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return SipTrunkForwardRules{}, err
	}
	out := SipTrunkForwardRules{}
	if t.Forward != nil {
		out = deepCopy(*t.Forward)
	}
	out.PartitionID, out.AccountID, out.SipTrunkID = t.PartitionID, t.AccountID, t.ID
	return out, nil
}

// SetSipTrunkForward replaces a trunk's forward rules (PUT .../forward).
func (s *Store) SetSipTrunkForward(partitionID, accountID, id string, in SipTrunkForwardRules, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return err
	}
	if err := s.checkForwardRefs(a, t.ID, in.forwardRefs()); err != nil {
		return err
	}
	before := t.Forward
	r := deepCopy(in)
	r.PartitionID, r.AccountID, r.SipTrunkID = "", "", ""
	t.Forward = &r
	s.logHistory(a, by, "UPDATE", "SIP_TRUNK_FORWARD", "SipTrunk", t.ID, t.TrunkName, before, &r)
	return nil
}

// checkForwardRefs checks forwarding targets: objects named by id must
// exist in the account; a phone number must be digits; a trunk cannot
// forward to itself. Lock held.
func (s *Store) checkForwardRefs(a *Account, selfID string, refs []SipTrunkForwardReference) error {
	for _, r := range refs {
		switch r.ReferenceType {
		case "SIP_TRUNK":
			if r.ReferenceID == selfID {
				return invalidField("referenceId")
			}
			if !s.sipTrunkInAccount(a.ID, r.ReferenceID) {
				return NotFound("SipTrunk", r.ReferenceID)
			}
		case "END_USER":
			if u, ok := s.endUsers[r.ReferenceID]; !ok || u.AccountID != a.ID {
				return NotFound("EndUser", r.ReferenceID)
			}
		case "VOICEMAIL":
			if b, ok := s.vmBoxes[r.ReferenceID]; !ok || b.AccountID != a.ID {
				return NotFound("VoicemailBox", r.ReferenceID)
			}
		case "TELEPHONE":
			if _, err := strconv.ParseUint(r.ReferenceID, 10, 64); err != nil || len(r.ReferenceID) < 10 {
				return invalidField("referenceId")
			}
		case "BUSY", "AUTO_ATTENDANT", "IVR":
		default:
			return invalidField("referenceType")
		}
	}
	return nil
}

// SipTrunkRegistration answers registrationstatus.
func (s *Store) SipTrunkRegistration(partitionID, accountID, id string) (TrunkRegistration, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return TrunkRegistration{}, err
	}
	return TrunkRegistration{Registered: t.Registered, LockedOut: t.LockedOut}, nil
}

// SetSipTrunkStatus stages a trunk's registration and lock-out (admin API),
// so clients can see a registered or a locked-out trunk.
func (s *Store) SetSipTrunkStatus(id string, st TrunkRegistration) (TrunkRegistration, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.trunks[id]
	if !ok {
		return TrunkRegistration{}, NotFound("SipTrunk", id)
	}
	t.Registered, t.LockedOut = st.Registered, st.LockedOut
	return st, nil
}

// UnlockSipTrunk clears a trunk's lock-out (PUT .../unlock).
func (s *Store) UnlockSipTrunk(partitionID, accountID, id string, by Actor) (SipTrunk, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, t, err := s.trunk(partitionID, accountID, id)
	if err != nil {
		return SipTrunk{}, err
	}
	if t.LockedOut {
		before := historyTrunk(t)
		t.LockedOut = false
		s.logHistory(a, by, "UPDATE", "SIP_TRUNK", "SipTrunk", t.ID, t.TrunkName, before, historyTrunk(t))
	}
	return s.trunkOut(t), nil
}

// SipTrunkIPPortAvailable answers siptrunk_2/validate: true when no trunk
// other than trunkID authenticates by that address and port.
func (s *Store) SipTrunkIPPortAvailable(partitionID, accountID, ip, port, trunkID string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.account(partitionID, accountID); err != nil {
		return false, err
	}
	if net.ParseIP(ip) == nil {
		return false, invalidField("ip")
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return false, invalidField("port")
	}
	return s.ipPortFree(ip, p, trunkID), nil
}

// ---- trunk groups ----

func (s *Store) groupOut(g *SipTrunkGroup) SipTrunkGroup {
	out := deepCopy(*g)
	out.SipTrunksIDs = []string{}
	for _, id := range s.trunkIDs(g.AccountID) {
		if s.trunks[id].SipTrunkGroupID == g.ID {
			out.SipTrunksIDs = append(out.SipTrunksIDs, id)
		}
	}
	return out
}

func (s *Store) trunkGroup(partitionID, accountID, id string) (*Account, *SipTrunkGroup, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	g, ok := s.trunkGroups[id]
	if !ok || g.AccountID != a.ID {
		return nil, nil, NotFound("SipTrunkGroup", id)
	}
	return a, g, nil
}

// validateGroup checks a group and its member list. Lock held.
func (s *Store) validateGroup(a *Account, g *SipTrunkGroup) error {
	if strings.TrimSpace(g.Name) == "" {
		return Invalid("NameRequired")
	}
	for _, id := range s.groupIDs(a.ID) {
		if o := s.trunkGroups[id]; o.ID != g.ID && strings.EqualFold(o.Name, g.Name) {
			return Invalid("DuplicateName")
		}
	}
	for _, id := range g.SipTrunksIDs {
		if !s.sipTrunkInAccount(a.ID, id) {
			return NotFound("SipTrunk", id)
		}
	}
	return s.checkForwardRefs(a, "", g.forwardRefs())
}

// forwardRefs lists every forwarding target of a group.
func (g *SipTrunkGroup) forwardRefs() []SipTrunkForwardReference {
	refs := slices.Concat(g.UnreachableForward, g.CapacityForward)
	if g.UnconditionalForward != nil {
		refs = append(refs, *g.UnconditionalForward)
	}
	return refs
}

// forwardRefs lists every forwarding target of a trunk's rules.
func (f *SipTrunkForwardRules) forwardRefs() []SipTrunkForwardReference {
	if f == nil {
		return nil
	}
	refs := slices.Concat(f.ForwardOnFailure, f.ForwardOnCapacityExceeded)
	if f.ForwardAlways != nil {
		refs = append(refs, *f.ForwardAlways)
	}
	return refs
}

// setGroupMembers makes exactly the listed trunks members of g. Lock held.
func (s *Store) setGroupMembers(g *SipTrunkGroup, ids []string) {
	for _, id := range s.trunksOf[g.AccountID] {
		t := s.trunks[id]
		in := slices.Contains(ids, t.ID)
		switch {
		case in:
			t.SipTrunkGroupID = g.ID
		case t.SipTrunkGroupID == g.ID:
			t.SipTrunkGroupID = ""
		}
	}
	g.SipTrunksIDs = nil
}

func (s *Store) groupIDs(accountID string) []string {
	var ids []string
	for id, g := range s.trunkGroups {
		if g.AccountID == accountID {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b string) int { return strings.Compare(s.trunkGroups[a].Name+a, s.trunkGroups[b].Name+b) })
	return ids
}

// CreateSipTrunkGroup adds a group (POST siptrunkgroup, 201).
func (s *Store) CreateSipTrunkGroup(partitionID, accountID string, in SipTrunkGroup, by Actor) (SipTrunkGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return SipTrunkGroup{}, err
	}
	g := deepCopy(in)
	g.ID, g.PartitionID, g.AccountID = NewID(), a.PartitionID, a.ID
	if err := s.validateGroup(a, &g); err != nil {
		return SipTrunkGroup{}, err
	}
	s.trunkGroups[g.ID] = &g
	s.setGroupMembers(&g, in.SipTrunksIDs)
	out := s.groupOut(&g)
	s.logHistory(a, by, "CREATE", "SIP_TRUNK_GROUP", "SipTrunkGroup", g.ID, g.Name, nil, &out)
	return out, nil
}

// SipTrunkGroups lists an account's groups by name.
func (s *Store) SipTrunkGroups(partitionID, accountID string) ([]SipTrunkGroup, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []SipTrunkGroup{}
	for _, id := range s.groupIDs(a.ID) {
		out = append(out, s.groupOut(s.trunkGroups[id]))
	}
	return out, nil
}

// SipTrunkGroup returns one group.
func (s *Store) SipTrunkGroup(partitionID, accountID, id string) (SipTrunkGroup, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, g, err := s.trunkGroup(partitionID, accountID, id)
	if err != nil {
		return SipTrunkGroup{}, err
	}
	return s.groupOut(g), nil
}

// UpdateSipTrunkGroup replaces a group and its member list (PUT).
func (s *Store) UpdateSipTrunkGroup(partitionID, accountID, id string, in SipTrunkGroup, by Actor) (SipTrunkGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, old, err := s.trunkGroup(partitionID, accountID, id)
	if err != nil {
		return SipTrunkGroup{}, err
	}
	g := deepCopy(in)
	g.ID, g.PartitionID, g.AccountID = old.ID, old.PartitionID, old.AccountID
	if err := s.validateGroup(a, &g); err != nil {
		return SipTrunkGroup{}, err
	}
	before := s.groupOut(old)
	*old = g
	s.setGroupMembers(old, in.SipTrunksIDs)
	out := s.groupOut(old)
	s.logHistory(a, by, "UPDATE", "SIP_TRUNK_GROUP", "SipTrunkGroup", g.ID, g.Name, &before, &out)
	return out, nil
}

// DeleteSipTrunkGroup removes a group; its trunks leave it.
func (s *Store) DeleteSipTrunkGroup(partitionID, accountID, id string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, g, err := s.trunkGroup(partitionID, accountID, id)
	if err != nil {
		return err
	}
	before := s.groupOut(g)
	s.setGroupMembers(g, nil)
	delete(s.trunkGroups, g.ID)
	s.logHistory(a, by, "DELETE", "SIP_TRUNK_GROUP", "SipTrunkGroup", g.ID, g.Name, &before, nil)
	return nil
}

// SipTrunkGroupForwardRules is a group's forwarding, as its forward
// endpoint shows it.
type SipTrunkGroupForwardRules struct {
	PartitionID          string                     `json:"partitionId,omitempty"`
	AccountID            string                     `json:"accountId,omitempty"`
	SipTrunkGroupID      string                     `json:"sipTrunkGroupId,omitempty"`
	UnconditionalForward *SipTrunkForwardReference  `json:"unconditionalForward,omitempty"`
	UnreachableForward   []SipTrunkForwardReference `json:"unreachableForward,omitempty"`
	CapacityForward      []SipTrunkForwardReference `json:"capacityForward,omitempty"`
}

func groupForward(g *SipTrunkGroup) SipTrunkGroupForwardRules {
	return deepCopy(SipTrunkGroupForwardRules{
		PartitionID: g.PartitionID, AccountID: g.AccountID, SipTrunkGroupID: g.ID,
		UnconditionalForward: g.UnconditionalForward, UnreachableForward: g.UnreachableForward, CapacityForward: g.CapacityForward,
	})
}

// SipTrunkGroupForward returns a group's forwarding rules.
func (s *Store) SipTrunkGroupForward(partitionID, accountID, id string) (SipTrunkGroupForwardRules, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, g, err := s.trunkGroup(partitionID, accountID, id)
	if err != nil {
		return SipTrunkGroupForwardRules{}, err
	}
	return groupForward(g), nil
}

// SetSipTrunkGroupForward replaces a group's forwarding rules.
func (s *Store) SetSipTrunkGroupForward(partitionID, accountID, id string, in SipTrunkGroupForwardRules, by Actor) (SipTrunkGroupForwardRules, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, g, err := s.trunkGroup(partitionID, accountID, id)
	if err != nil {
		return SipTrunkGroupForwardRules{}, err
	}
	next := deepCopy(*g)
	next.UnconditionalForward, next.UnreachableForward, next.CapacityForward = in.UnconditionalForward, in.UnreachableForward, in.CapacityForward
	if err := s.validateGroup(a, &next); err != nil {
		return SipTrunkGroupForwardRules{}, err
	}
	before := groupForward(g)
	g.UnconditionalForward, g.UnreachableForward, g.CapacityForward = next.UnconditionalForward, next.UnreachableForward, next.CapacityForward
	after := groupForward(g)
	s.logHistory(a, by, "UPDATE", "SIP_TRUNK_GROUP", "SipTrunkGroup", g.ID, g.Name, &before, &after)
	return after, nil
}

// removeAccountExtras drops what this part of the store keeps under a
// deleted account: trunks, groups, voicemail messages and PINs. Lock held.
func (s *Store) removeAccountExtras(a *Account) {
	for _, id := range s.trunkIDs(a.ID) {
		s.removeTrunk(s.trunks[id])
	}
	for _, id := range s.groupIDs(a.ID) {
		delete(s.trunkGroups, id)
	}
	for _, b := range s.kids[a.ID].boxes {
		s.dropBoxMessages(b)
	}
}
