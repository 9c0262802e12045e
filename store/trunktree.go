package store

import (
	"fmt"
	"slices"
	"strings"
)

// VoicemailPin is a box's PIN as State keeps it.
type VoicemailPin struct {
	PartitionID    string `json:"partitionId,omitempty"` // the box's (partition resets find it by this)
	VoicemailBoxID string `json:"voicemailBoxId"`
	Pin            string `json:"pin"`
}

// loadTrunkTree checks and indexes trunks, groups, voicemail messages and
// PINs, jobs and partition settings, with the rules the API enforces. The
// account tree is loaded already.
func (s *Store) loadTrunkTree(st State) error {
	s.trunkTree = newTrunkTree()
	if err := s.loadSettings(st); err != nil {
		return err
	}
	if err := loadChildren(s, "sip trunk group", st.SipTrunkGroups,
		func(g *SipTrunkGroup) childRef { return childRef{g.ID, g.AccountID, g.PartitionID} },
		func(id string) bool { return s.trunkGroups[id] != nil },
		func(g *SipTrunkGroup, a *Account) error {
			if len(g.SipTrunksIDs) > 0 {
				return fmt.Errorf("list members with each trunk's sipTrunkGroupId")
			}
			// Forward targets may be trunks, loaded below: checked after them.
			uf, rf, cf := g.UnconditionalForward, g.UnreachableForward, g.CapacityForward
			g.UnconditionalForward, g.UnreachableForward, g.CapacityForward = nil, nil, nil
			err := s.validateGroup(a, g)
			g.UnconditionalForward, g.UnreachableForward, g.CapacityForward = uf, rf, cf
			if err != nil {
				return err
			}
			s.trunkGroups[g.ID] = g
			return nil
		}); err != nil {
		return err
	}
	if err := loadChildren(s, "sip trunk", st.SipTrunks,
		func(t *SipTrunk) childRef { return childRef{t.ID, t.AccountID, t.PartitionID} },
		func(id string) bool { return s.trunks[id] != nil },
		func(t *SipTrunk, _ *Account) error {
			t.TelephoneNumbers, t.SipProxyServer = nil, ""
			if err := s.validateTrunk(t, nil); err != nil {
				return err
			}
			s.insertTrunk(t)
			return nil
		}); err != nil {
		return err
	}
	if err := s.checkLoadedForwards(); err != nil {
		return err
	}
	for i := range st.VoicemailMessages {
		m := st.VoicemailMessages[i]
		b, ok := s.vmBoxes[m.VoicemailBoxID]
		if !ok {
			return fmt.Errorf("voicemail message %d: unknown voicemail box %q", i, m.VoicemailBoxID)
		}
		if m.ID == "" {
			m.ID = NewID()
		}
		if _, dup := s.vmMessages[m.ID]; dup {
			return fmt.Errorf("voicemail message %s: duplicate id", m.ID)
		}
		if err := s.fillMessage(&m, b); err != nil {
			return fmt.Errorf("voicemail message %s: %w", m.ID, err)
		}
		s.insertMessage(&m)
	}
	for _, p := range st.VoicemailPins {
		if b, ok := s.vmBoxes[p.VoicemailBoxID]; !ok || !validPin(p.Pin) || (p.PartitionID != "" && p.PartitionID != b.PartitionID) {
			return fmt.Errorf("voicemail pin: a known box and 4-10 digits are required (box %q)", p.VoicemailBoxID)
		}
		s.vmPins[p.VoicemailBoxID] = p.Pin
	}
	return s.loadJobs(st)
}

// snapshotTrunkTree writes this part of the store into st. Messages keep
// their box order (oldest first). Lock held.
func (s *Store) snapshotTrunkTree(st *State) {
	st.SipTrunks = sortedValues(s.trunks, func(t *SipTrunk) string { return t.ID })
	for i := range st.SipTrunks {
		st.SipTrunks[i].TelephoneNumbers, st.SipTrunks[i].SipProxyServer = nil, ""
	}
	st.SipTrunkGroups = sortedValues(s.trunkGroups, func(g *SipTrunkGroup) string { return g.ID })
	boxes := make([]string, 0, len(s.vmByBox))
	for b := range s.vmByBox {
		if _, live := s.vmBoxes[b]; live {
			boxes = append(boxes, b)
		}
	}
	slices.Sort(boxes)
	for _, b := range boxes {
		for _, id := range s.vmByBox[b] {
			st.VoicemailMessages = append(st.VoicemailMessages, *s.vmMessages[id])
		}
	}
	for b, pin := range s.vmPins {
		if _, live := s.vmBoxes[b]; live {
			st.VoicemailPins = append(st.VoicemailPins, VoicemailPin{PartitionID: s.vmBoxes[b].PartitionID, VoicemailBoxID: b, Pin: pin})
		}
	}
	slices.SortFunc(st.VoicemailPins, func(a, b VoicemailPin) int { return strings.Compare(a.VoicemailBoxID, b.VoicemailBoxID) })
	for _, id := range s.jobOrder {
		st.Jobs = append(st.Jobs, s.jobs[id].JobRecord)
	}
	for _, p := range sortedKeys(s.settings) {
		for _, t := range sortedKeys(s.settings[p]) {
			st.PartitionSettings = append(st.PartitionSettings, s.settings[p][t])
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// checkLoadedForwards checks the forwarding targets of every loaded trunk
// and trunk group, once both are in (a group may forward to a trunk and a
// trunk may name its group). Sorted, so the first error is the same each time.
func (s *Store) checkLoadedForwards() error {
	for _, id := range sortedKeys(s.trunkGroups) {
		g := s.trunkGroups[id]
		if err := s.checkForwardRefs(s.accounts[g.AccountID], "", g.forwardRefs()); err != nil {
			return fmt.Errorf("sip trunk group %s: %w", g.ID, err)
		}
	}
	for _, id := range sortedKeys(s.trunks) {
		t := s.trunks[id]
		if err := s.checkForwardRefs(s.accounts[t.AccountID], t.ID, t.Forward.forwardRefs()); err != nil {
			return fmt.Errorf("sip trunk %s: %w", t.ID, err)
		}
	}
	return nil
}
