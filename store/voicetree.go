package store

import "slices"

// voiceBook holds the voice products of accounts that have rules of their
// own: specialty lines, business lines and business-line hunt groups.
type voiceBook struct {
	specialtyLines map[string]*SpecialtyLine
	slByMac        map[string][]string // bare lower-case MAC -> specialty line ids
	blByMac        map[string][]string // bare lower-case MAC -> business lines with a port on it
	businessLines  map[string]*BusinessLine
	huntGroups     map[string]*HuntGroup
	voiceKids      map[string]*voiceKids // account id -> its voice products
}

// voiceKids are one account's voice products, in creation order.
type voiceKids struct {
	specialtyLines, businessLines, huntGroups []string
}

func newVoiceBook() voiceBook {
	return voiceBook{
		specialtyLines: map[string]*SpecialtyLine{}, slByMac: map[string][]string{}, blByMac: map[string][]string{},
		businessLines: map[string]*BusinessLine{}, huntGroups: map[string]*HuntGroup{},
		voiceKids: map[string]*voiceKids{},
	}
}

func (b *voiceBook) kidsOf(accountID string) *voiceKids {
	k := b.voiceKids[accountID]
	if k == nil {
		k = &voiceKids{}
		b.voiceKids[accountID] = k
	}
	return k
}

func dropID(list []string, id string) []string {
	return slices.DeleteFunc(list, func(x string) bool { return x == id })
}

// loadVoice loads the voice products of a state with the rules the API
// enforces (business lines before the hunt groups that name them).
func (s *Store) loadVoice(st State) error {
	s.voiceBook = newVoiceBook()
	if err := loadChildren(s, "specialty line", st.SpecialtyLines,
		func(l *SpecialtyLine) childRef { return childRef{l.ID, l.AccountID, l.PartitionID} },
		func(id string) bool { return s.specialtyLines[id] != nil },
		func(l *SpecialtyLine, a *Account) error {
			plans, deviceID := l.CallingPlans, l.DeviceID
			if err := s.validateSpecialtyLine(l, a, nil); err != nil {
				return err
			}
			if deviceID != "" {
				l.DeviceID = deviceID
			}
			if l.SipUsername == "" || l.SipPassword == "" {
				return Invalid("SipCredentialsRequired")
			}
			l.LinkedPhoneNumbers, l.CallingPlans = nil, plans
			if l.CallingPlans == nil {
				l.CallingPlans = s.plansFor(l.CallingPlanIDs, "SPECIALTY_LINE", l.ID)
			}
			s.insertSpecialtyLine(l)
			return nil
		}); err != nil {
		return err
	}
	if err := loadChildren(s, "business line", st.BusinessLines,
		func(l *BusinessLine) childRef { return childRef{l.ID, l.AccountID, l.PartitionID} },
		func(id string) bool { return s.businessLines[id] != nil },
		func(l *BusinessLine, a *Account) error {
			if err := s.validateBusinessLine(l, a); err != nil {
				return err
			}
			if l.PortAssignment != nil {
				if err := s.validatePortAssignment(l.PortAssignment, l); err != nil {
					return err
				}
			}
			s.insertBusinessLine(l)
			return nil
		}); err != nil {
		return err
	}
	return loadChildren(s, "business-line hunt group", st.HuntGroups,
		func(g *HuntGroup) childRef { return childRef{g.ID, g.AccountID, g.PartitionID} },
		func(id string) bool { return s.huntGroups[id] != nil },
		func(g *HuntGroup, a *Account) error {
			if err := s.validateHuntGroup(g, a); err != nil {
				return err
			}
			s.insertHuntGroup(g)
			return nil
		})
}

func (s *Store) snapshotVoice(st *State) {
	st.SpecialtyLines = sortedValues(s.specialtyLines, func(l *SpecialtyLine) string { return l.ID })
	for i := range st.SpecialtyLines {
		st.SpecialtyLines[i].CallingPlanIDs = planProductIDs(st.SpecialtyLines[i].CallingPlans)
	}
	st.BusinessLines = sortedValues(s.businessLines, func(l *BusinessLine) string { return l.ID })
	st.HuntGroups = sortedValues(s.huntGroups, func(g *HuntGroup) string { return g.ID })
}

// removeAccountVoice removes an account's voice products. Lock held.
func (s *Store) removeAccountVoice(accountID string) {
	k := s.voiceKids[accountID]
	if k == nil {
		return
	}
	for _, id := range slices.Clone(k.huntGroups) {
		s.removeHuntGroup(s.huntGroups[id])
	}
	for _, id := range slices.Clone(k.businessLines) {
		s.removeBusinessLine(s.businessLines[id])
	}
	for _, id := range slices.Clone(k.specialtyLines) {
		s.removeSpecialtyLine(s.specialtyLines[id])
	}
	delete(s.voiceKids, accountID)
}
