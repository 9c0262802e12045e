package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// BusinessLine is an analog business line (BusinessLine). callerIdName is
// the server's: "ANONYMOUS" while the caller id is hidden, else the line's
// name as CNAM shows it (at most 15 characters).
type BusinessLine struct {
	ID                           string            `json:"id"`
	Name                         string            `json:"name"`
	CallerIDPhoneNumber          string            `json:"callerIdPhoneNumber,omitempty"`
	CallerIDVisible              bool              `json:"callerIdVisible"`
	CallerIDName                 string            `json:"callerIdName"`
	EmergencyCallbackPhoneNumber string            `json:"emergencyCallbackPhoneNumber,omitempty"`
	AccountID                    string            `json:"accountId"`
	PartitionID                  string            `json:"partitionId"`
	CallHandling                 *LineCallHandling `json:"callHandling,omitempty"`
	// PortAssignment is the line's MTA port (its own sub-resource).
	PortAssignment *PortAssignment `json:"portAssignment,omitempty"`
}

// LineCallHandling is a business line's call handling. The failover actions
// and the ring timeout are polymorphic ("@type") and kept as sent.
type LineCallHandling struct {
	ActiveCallHandling         string         `json:"activeCallHandling"`
	CallWaitingEnabled         bool           `json:"callWaitingEnabled"`
	BusyFailoverAction         map[string]any `json:"busyFailoverAction"`
	UnregisteredFailoverAction map[string]any `json:"unregisteredFailoverAction"`
	RingTimeoutConfiguration   map[string]any `json:"ringTimeoutConfiguration"`
	ForwardToPhoneNumber       string         `json:"forwardToPhoneNumber,omitempty"`
	VoicemailBoxID             string         `json:"voicemailBoxId,omitempty"`
}

// defaultLineCallHandling is what a new line rings with: the line, call waiting
// on, busy when busy or unregistered, no ring limit.
func defaultLineCallHandling() *LineCallHandling {
	return &LineCallHandling{
		ActiveCallHandling: "RING_LINE", CallWaitingEnabled: true,
		BusyFailoverAction:         map[string]any{"@type": "BusyRingFailoverAction"},
		UnregisteredFailoverAction: map[string]any{"@type": "BusyRingFailoverAction"},
		RingTimeoutConfiguration:   map[string]any{"@type": "UnlimitedRingTimeoutConfiguration"},
	}
}

// HuntGroup is a business-line hunt group (HuntGroup).
type HuntGroup struct {
	ID                           string               `json:"id"`
	Name                         string               `json:"name"`
	PartitionID                  string               `json:"partitionId"`
	AccountID                    string               `json:"accountId"`
	HuntingConfiguration         HuntingConfiguration `json:"huntingConfiguration"`
	ActiveForwardConfigurationID string               `json:"activeForwardConfigurationId,omitempty"`
}

// HuntingConfiguration is one of the three hunting configurations.
// Simultaneous members are bare business-line ids; linear and sequential
// members are objects with an order.
type HuntingConfiguration struct {
	Type               string
	RingTimeoutSeconds *int
	Members            []HuntMember
}

// HuntMember is one business line of a hunt group.
type HuntMember struct {
	BusinessLineID     string `json:"businessLineId"`
	SequenceOrder      int    `json:"sequenceOrder"`
	RingTimeoutSeconds *int   `json:"ringTimeoutSeconds,omitempty"`
}

var huntingTypes = []string{"LinearHuntingConfiguration", "SequentialHuntingConfiguration", "SimultaneousHuntingConfiguration"}

const simultaneousHunting = "SimultaneousHuntingConfiguration"

// MarshalJSON writes the configuration in its @type's shape.
func (c HuntingConfiguration) MarshalJSON() ([]byte, error) {
	out := map[string]any{"@type": c.Type}
	if c.RingTimeoutSeconds != nil && c.Type != "SequentialHuntingConfiguration" {
		out["ringTimeoutSeconds"] = *c.RingTimeoutSeconds
	}
	if c.Type == simultaneousHunting {
		ids := make([]string, len(c.Members))
		for i, m := range c.Members {
			ids[i] = m.BusinessLineID
		}
		out["members"] = ids
	} else {
		ms := make([]HuntMember, len(c.Members))
		for i, m := range c.Members {
			ms[i] = m
			if c.Type == "LinearHuntingConfiguration" {
				ms[i].RingTimeoutSeconds = nil
			}
		}
		out["members"] = ms
	}
	return json.Marshal(out)
}

// UnmarshalJSON reads any of the three shapes.
func (c *HuntingConfiguration) UnmarshalJSON(b []byte) error {
	var raw struct {
		Type               string          `json:"@type"`
		RingTimeoutSeconds *int            `json:"ringTimeoutSeconds"`
		Members            json.RawMessage `json:"members"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return fmt.Errorf("hunting configuration: %w", err)
	}
	c.Type, c.RingTimeoutSeconds, c.Members = raw.Type, raw.RingTimeoutSeconds, nil
	if len(raw.Members) == 0 || string(raw.Members) == "null" {
		return nil
	}
	if raw.Type == simultaneousHunting {
		var ids []string
		if err := json.Unmarshal(raw.Members, &ids); err != nil {
			return fmt.Errorf("hunting configuration members: %w", err)
		}
		for i, id := range ids {
			c.Members = append(c.Members, HuntMember{BusinessLineID: id, SequenceOrder: i})
		}
		return nil
	}
	if err := json.Unmarshal(raw.Members, &c.Members); err != nil {
		return fmt.Errorf("hunting configuration members: %w", err)
	}
	return nil
}

// validateBusinessLine checks a line: a name, caller id and emergency
// callback numbers that are numbers of the account. Lock held.
func (s *Store) validateBusinessLine(l *BusinessLine, a *Account) error {
	if strings.TrimSpace(l.Name) == "" {
		return Invalid("NameRequired")
	}
	for field, tn := range map[string]string{"callerIdPhoneNumber": l.CallerIDPhoneNumber,
		"emergencyCallbackPhoneNumber": l.EmergencyCallbackPhoneNumber} {
		if tn == "" {
			continue
		}
		if _, ok := s.numsByAccount[a.ID][tn]; !ok {
			return InvalidWith("InvalidValueForField:"+field, NumberRef(tn))
		}
	}
	if l.CallHandling == nil {
		l.CallHandling = defaultLineCallHandling()
	}
	if err := validateLineCallHandling(l.CallHandling); err != nil {
		return err
	}
	l.CallerIDName = "ANONYMOUS"
	if l.CallerIDVisible {
		l.CallerIDName = strings.ToUpper(strings.TrimSpace(l.Name))
		if len(l.CallerIDName) > 15 {
			l.CallerIDName = l.CallerIDName[:15]
		}
	}
	return nil
}

func validateLineCallHandling(c *LineCallHandling) error {
	switch {
	case c.ActiveCallHandling != "RING_LINE" && c.ActiveCallHandling != "FORWARD":
		return invalidField("activeCallHandling")
	case c.ActiveCallHandling == "FORWARD" && !ValidTN(c.ForwardToPhoneNumber):
		return Invalid("ForwardToPhoneNumberRequired")
	case c.BusyFailoverAction == nil:
		return Invalid("BusyFailoverActionRequired")
	case c.UnregisteredFailoverAction == nil:
		return Invalid("UnregisteredFailoverActionRequired")
	case c.RingTimeoutConfiguration == nil:
		return Invalid("RingTimeoutConfigurationRequired")
	}
	return nil
}

func (s *Store) insertBusinessLine(l *BusinessLine) {
	s.businessLines[l.ID] = l
	s.indexPortAssignment(l)
	k := s.kidsOf(l.AccountID)
	k.businessLines = append(k.businessLines, l.ID)
}

func (s *Store) businessLine(partitionID, accountID, id string) (*Account, *BusinessLine, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	l, ok := s.businessLines[id]
	if !ok || l.AccountID != a.ID {
		return nil, nil, NotFound("BusinessLine", id)
	}
	return a, l, nil
}

func businessLineOut(l *BusinessLine) BusinessLine {
	out := deepCopy(*l)
	out.CallHandling, out.PortAssignment = nil, nil
	return out
}

// BusinessLines lists an account's business lines in creation order.
func (s *Store) BusinessLines(partitionID, accountID string) ([]BusinessLine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []BusinessLine{}
	for _, id := range s.kidsOf(a.ID).businessLines {
		out = append(out, businessLineOut(s.businessLines[id]))
	}
	return out, nil
}

// BusinessLine returns one line.
func (s *Store) BusinessLine(partitionID, accountID, id string) (BusinessLine, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return BusinessLine{}, err
	}
	return businessLineOut(l), nil
}

// CreateBusinessLine adds a line with the default call handling.
func (s *Store) CreateBusinessLine(partitionID, accountID string, in BusinessLine) (BusinessLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return BusinessLine{}, err
	}
	l := deepCopy(in)
	l.ID, l.AccountID, l.PartitionID, l.CallHandling, l.PortAssignment = NewUUID(), a.ID, a.PartitionID, nil, nil
	if err := s.validateBusinessLine(&l, a); err != nil {
		return BusinessLine{}, err
	}
	s.insertBusinessLine(&l)
	return businessLineOut(&l), nil
}

// UpdateBusinessLine replaces a line's fields; its call handling stays.
func (s *Store) UpdateBusinessLine(partitionID, accountID, id string, in BusinessLine) (BusinessLine, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, old, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return BusinessLine{}, err
	}
	l := deepCopy(in)
	l.ID, l.AccountID, l.PartitionID = old.ID, old.AccountID, old.PartitionID
	l.CallHandling, l.PortAssignment = old.CallHandling, old.PortAssignment
	if err := s.validateBusinessLine(&l, a); err != nil {
		return BusinessLine{}, err
	}
	*old = l
	return businessLineOut(old), nil
}

// BusinessLineCallHandling returns a line's call handling.
func (s *Store) BusinessLineCallHandling(partitionID, accountID, id string) (LineCallHandling, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return LineCallHandling{}, err
	}
	return deepCopy(*l.CallHandling), nil
}

// SetBusinessLineCallHandling replaces a line's call handling; a voicemail
// box named must be one of the account's.
func (s *Store) SetBusinessLineCallHandling(partitionID, accountID, id string, in LineCallHandling) (LineCallHandling, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return LineCallHandling{}, err
	}
	c := deepCopy(in)
	if err := validateLineCallHandling(&c); err != nil {
		return LineCallHandling{}, err
	}
	if c.VoicemailBoxID != "" {
		if b, ok := s.vmBoxes[c.VoicemailBoxID]; !ok || b.AccountID != a.ID {
			return LineCallHandling{}, NotFound("VoicemailBox", c.VoicemailBoxID)
		}
	}
	l.CallHandling = &c
	return deepCopy(c), nil
}

// DeleteBusinessLine removes a line: its numbers lose their route and it
// leaves every hunt group (a group left with no member goes too).
func (s *Store) DeleteBusinessLine(partitionID, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.removeBusinessLine(l)
	return nil
}

func (s *Store) removeBusinessLine(l *BusinessLine) {
	s.unrouteNumbers(l.AccountID, "BUSINESS_LINE", l.ID)
	k := s.kidsOf(l.AccountID)
	for _, gid := range slices.Clone(k.huntGroups) {
		g := s.huntGroups[gid]
		g.HuntingConfiguration.Members = slices.DeleteFunc(g.HuntingConfiguration.Members,
			func(m HuntMember) bool { return m.BusinessLineID == l.ID })
		if len(g.HuntingConfiguration.Members) == 0 {
			s.removeHuntGroup(g)
		}
	}
	k.businessLines = dropID(k.businessLines, l.ID)
	s.unindexPortAssignment(l)
	delete(s.businessLines, l.ID)
}

// validateHuntGroup checks a group: a name, one of the three hunting
// configurations, at least one member, every member a business line of
// the same account, none twice. Lock held.
func (s *Store) validateHuntGroup(g *HuntGroup, a *Account) error {
	c := &g.HuntingConfiguration
	switch {
	case strings.TrimSpace(g.Name) == "":
		return Invalid("NameRequired")
	case c.Type == "":
		return Invalid("HuntingConfigurationRequired")
	case !slices.Contains(huntingTypes, c.Type):
		return invalidField("huntingConfiguration")
	case len(c.Members) == 0:
		return Invalid("MembersRequired")
	case c.Type != "SequentialHuntingConfiguration" && c.RingTimeoutSeconds == nil:
		return Invalid("RingTimeoutSecondsRequired")
	}
	seen := map[string]bool{}
	for _, m := range c.Members {
		if l, ok := s.businessLines[m.BusinessLineID]; !ok || l.AccountID != a.ID {
			return InvalidWith("InvalidBusinessLineId", EntityRef{Type: "BusinessLine", ID: m.BusinessLineID})
		}
		if seen[m.BusinessLineID] {
			return InvalidWith("DuplicateMember", EntityRef{Type: "BusinessLine", ID: m.BusinessLineID})
		}
		seen[m.BusinessLineID] = true
	}
	slices.SortStableFunc(c.Members, func(x, y HuntMember) int { return x.SequenceOrder - y.SequenceOrder })
	return nil
}

func (s *Store) insertHuntGroup(g *HuntGroup) {
	s.huntGroups[g.ID] = g
	k := s.kidsOf(g.AccountID)
	k.huntGroups = append(k.huntGroups, g.ID)
}

func (s *Store) huntGroup(partitionID, accountID, id string) (*Account, *HuntGroup, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	g, ok := s.huntGroups[id]
	if !ok || g.AccountID != a.ID {
		return nil, nil, NotFound("HuntGroup", id)
	}
	return a, g, nil
}

// HuntGroups lists an account's business-line hunt groups in creation order.
func (s *Store) HuntGroups(partitionID, accountID string) ([]HuntGroup, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []HuntGroup{}
	for _, id := range s.kidsOf(a.ID).huntGroups {
		out = append(out, deepCopy(*s.huntGroups[id]))
	}
	return out, nil
}

// HuntGroup returns one group.
func (s *Store) HuntGroup(partitionID, accountID, id string) (HuntGroup, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, g, err := s.huntGroup(partitionID, accountID, id)
	if err != nil {
		return HuntGroup{}, err
	}
	return deepCopy(*g), nil
}

// CreateHuntGroup adds a group.
func (s *Store) CreateHuntGroup(partitionID, accountID string, in HuntGroup) (HuntGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return HuntGroup{}, err
	}
	g := deepCopy(in)
	g.ID, g.AccountID, g.PartitionID = NewUUID(), a.ID, a.PartitionID
	if err := s.validateHuntGroup(&g, a); err != nil {
		return HuntGroup{}, err
	}
	s.insertHuntGroup(&g)
	return deepCopy(g), nil
}

// UpdateHuntGroup replaces a group.
func (s *Store) UpdateHuntGroup(partitionID, accountID, id string, in HuntGroup) (HuntGroup, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, old, err := s.huntGroup(partitionID, accountID, id)
	if err != nil {
		return HuntGroup{}, err
	}
	g := deepCopy(in)
	g.ID, g.AccountID, g.PartitionID = old.ID, old.AccountID, old.PartitionID
	if err := s.validateHuntGroup(&g, a); err != nil {
		return HuntGroup{}, err
	}
	*old = g
	return deepCopy(g), nil
}

// DeleteHuntGroup removes a group; its numbers lose their route.
func (s *Store) DeleteHuntGroup(partitionID, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, g, err := s.huntGroup(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.removeHuntGroup(g)
	return nil
}

func (s *Store) removeHuntGroup(g *HuntGroup) {
	s.unrouteNumbers(g.AccountID, "BUSINESS_LINE_HUNT_GROUP", g.ID)
	k := s.kidsOf(g.AccountID)
	k.huntGroups = dropID(k.huntGroups, g.ID)
	delete(s.huntGroups, g.ID)
}

// forgetBusinessLineNumber clears a number that left an account from the
// caller id and emergency callback of the account's business lines (they
// may only name numbers of the account). Lock held.
func (s *Store) forgetBusinessLineNumber(accountID, tn string) {
	k := s.voiceKids[accountID]
	if k == nil {
		return
	}
	for _, id := range k.businessLines {
		l := s.businessLines[id]
		if l.CallerIDPhoneNumber == tn {
			l.CallerIDPhoneNumber = ""
		}
		if l.EmergencyCallbackPhoneNumber == tn {
			l.EmergencyCallbackPhoneNumber = ""
		}
	}
}

// BusinessLineExpanded is BusinessLineExpandedView: a line with its call
// handling and its device (port assignment) in one object.
type BusinessLineExpanded struct {
	ID                           string            `json:"id"`
	Name                         string            `json:"name"`
	CallerIDPhoneNumber          string            `json:"callerIdPhoneNumber,omitempty"`
	CallerIDVisible              bool              `json:"callerIdVisible"`
	EmergencyCallbackPhoneNumber string            `json:"emergencyCallbackPhoneNumber,omitempty"`
	AccountID                    string            `json:"accountId"`
	PartitionID                  string            `json:"partitionId"`
	CallHandling                 *LineCallHandling `json:"callHandling"`
	Device                       *PortAssignment   `json:"device,omitempty"`
}

func expandedOut(l *BusinessLine) BusinessLineExpanded {
	c := deepCopy(*l)
	out := BusinessLineExpanded{ID: c.ID, Name: c.Name, CallerIDPhoneNumber: c.CallerIDPhoneNumber,
		CallerIDVisible: c.CallerIDVisible, EmergencyCallbackPhoneNumber: c.EmergencyCallbackPhoneNumber,
		AccountID: c.AccountID, PartitionID: c.PartitionID, CallHandling: c.CallHandling, Device: c.PortAssignment}
	if out.Device != nil {
		out.Device.BusinessLineID = "" // PortAssignmentView has no businessLineId
	}
	return out
}

// BusinessLinesExpanded lists an account's lines in their expanded view.
func (s *Store) BusinessLinesExpanded(partitionID, accountID string) ([]BusinessLineExpanded, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []BusinessLineExpanded{}
	for _, id := range s.kidsOf(a.ID).businessLines {
		out = append(out, expandedOut(s.businessLines[id]))
	}
	return out, nil
}

// BusinessLineExpandedView returns one line in its expanded view.
func (s *Store) BusinessLineExpandedView(partitionID, accountID, id string) (BusinessLineExpanded, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return BusinessLineExpanded{}, err
	}
	return expandedOut(l), nil
}
