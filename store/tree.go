package store

import (
	"fmt"
	"slices"
)

// accountTree is the part of the store under accounts: accounts, end users,
// account users, device lines, voicemail boxes, calling plan products,
// device types and account history, with their indexes.
type accountTree struct {
	deviceTypes   map[string]*DeviceType
	planProducts  map[string]*CallingPlanProduct
	archivedPlans map[string]bool

	accounts            map[string]*Account
	acctByNumber        map[string]string // partition + "\x00" + accountNumber -> id
	deletedAcctByNumber map[string]string // same key -> id of the last deleted account
	acctsByPartition    map[string]*partitionAccounts
	loadingAccounts     bool // a load indexes each partition's accounts once they are all in
	kids                map[string]*accountKids

	endUsers     map[string]*EndUser
	accountUsers map[string]*AccountUser
	userByName   map[string]string // lower-case username -> end user or account user id (all partitions)
	devices      map[string]*Device
	devByMAC     map[string][]string // upper-case MAC -> device line ids
	sipUsers     map[string]string   // partition/lower-case SIP username -> owner id
	registered   map[string]bool     // device line id -> registered
	vmBoxes      map[string]*VoicemailBox
	history      map[string]*AccountHistoryLog // account id -> log
}

func newAccountTree() accountTree {
	return accountTree{
		deviceTypes: map[string]*DeviceType{}, planProducts: map[string]*CallingPlanProduct{},
		archivedPlans: map[string]bool{}, accounts: map[string]*Account{},
		acctByNumber: map[string]string{}, deletedAcctByNumber: map[string]string{},
		acctsByPartition: map[string]*partitionAccounts{},
		kids:             map[string]*accountKids{}, endUsers: map[string]*EndUser{},
		accountUsers: map[string]*AccountUser{}, userByName: map[string]string{},
		devices: map[string]*Device{}, devByMAC: map[string][]string{}, sipUsers: map[string]string{},
		registered: map[string]bool{}, vmBoxes: map[string]*VoicemailBox{},
		history: map[string]*AccountHistoryLog{},
	}
}

// loadAccountTree checks and indexes the account tree of a state, with the
// same rules the API enforces. Partitions are loaded already.
func (s *Store) loadAccountTree(st State) error {
	s.accountTree = newAccountTree()
	s.loadingAccounts = true
	for i := range st.DeviceTypes {
		t := st.DeviceTypes[i]
		if t.ID == "" || t.NumLines < 1 {
			return fmt.Errorf("device type %d: id and numLines >= 1 are required", i)
		}
		if _, dup := s.deviceTypes[t.ID]; dup {
			return fmt.Errorf("device type %s: duplicate id", t.ID)
		}
		s.deviceTypes[t.ID] = &t
	}
	for i := range st.CallingPlanProducts {
		p := st.CallingPlanProducts[i]
		if _, ok := s.partitions[p.PartitionID]; !ok || p.ID == "" {
			return fmt.Errorf("calling plan product %d: id and a known partition are required", i)
		}
		if _, dup := s.planProducts[p.ID]; dup {
			return fmt.Errorf("calling plan product %s: duplicate id", p.ID)
		}
		if err := s.validatePlanProduct(&p); err != nil {
			return fmt.Errorf("calling plan product %s: %w", p.ID, err)
		}
		s.insertPlanProduct(&p)
	}
	for _, id := range st.ArchivedCallingPlanProductIDs {
		if _, ok := s.planProducts[id]; !ok {
			return fmt.Errorf("archived calling plan product %s: unknown", id)
		}
		s.archivedPlans[id] = true
	}
	// Sized up front: a large state loads without the maps regrowing.
	s.accounts = make(map[string]*Account, len(st.Accounts))
	s.acctByNumber = make(map[string]string, len(st.Accounts))
	s.kids = make(map[string]*accountKids, len(st.Accounts))
	for i := range st.Accounts {
		a := &st.Accounts[i] // kept where the state holds it (load owns st)
		p, ok := s.partitions[a.PartitionID]
		if !ok || a.ID == "" {
			return fmt.Errorf("account %d: id and a known partition are required", i)
		}
		a.PartitionID = p.ID
		if _, dup := s.accounts[a.ID]; dup {
			return fmt.Errorf("account %s: duplicate id", a.ID)
		}
		s.fillAccountDefaults(a, p)
		if err := s.validateAccount(a, nil); err != nil {
			return fmt.Errorf("account %s: %w", a.ID, err)
		}
		s.insertAccount(a)
	}
	for _, pa := range s.acctsByPartition {
		pa.buildIndex()
	}
	s.loadingAccounts = false
	if err := s.loadNumbers(st); err != nil {
		return err
	}
	if err := loadChildren(s, "voicemail box", st.VoicemailBoxes,
		func(b *VoicemailBox) childRef { return childRef{b.ID, b.AccountID, b.PartitionID} },
		func(id string) bool { return s.vmBoxes[id] != nil },
		func(b *VoicemailBox, _ *Account) error { s.insertVoicemailBox(b); return nil }); err != nil {
		return err
	}
	userTaken := func(id string) bool { return s.endUsers[id] != nil || s.accountUsers[id] != nil }
	if err := loadChildren(s, "end user", st.EndUsers,
		func(u *EndUser) childRef { return childRef{u.ID, u.AccountID, u.PartitionID} }, userTaken,
		func(u *EndUser, a *Account) error {
			u.Devices = nil
			if u.TimeZone == "" {
				u.TimeZone = a.TimeZone
			}
			if err := s.validateEndUser(u, a, nil); err != nil {
				return err
			}
			s.insertEndUser(u)
			return nil
		}); err != nil {
		return err
	}
	if err := loadChildren(s, "account user", st.AccountUsers,
		func(u *AccountUser) childRef { return childRef{u.ID, u.AccountID, u.PartitionID} }, userTaken,
		func(u *AccountUser, _ *Account) error {
			if err := s.validateAccountUser(u, nil); err != nil {
				return err
			}
			s.insertAccountUser(u)
			return nil
		}); err != nil {
		return err
	}
	if err := loadChildren(s, "device line", st.DeviceLines,
		func(d *Device) childRef { return childRef{d.ID, d.AccountID, d.PartitionID} },
		func(id string) bool { return s.devices[id] != nil },
		func(d *Device, a *Account) error {
			if d.SipUsername == "" {
				d.SipUsername = d.ID
			}
			if err := s.validateDevice(d, a, nil); err != nil {
				return err
			}
			s.insertDevice(d)
			return nil
		}); err != nil {
		return err
	}
	for i := range st.AccountHistory {
		h := st.AccountHistory[i]
		if _, ok := s.partitions[h.PartitionID]; !ok || h.AccountID == "" {
			return fmt.Errorf("account history %d: account id and a known partition are required", i)
		}
		s.history[h.AccountID] = &h
		if _, live := s.accounts[h.AccountID]; !live {
			s.deletedAcctByNumber[acctKey(h.PartitionID, h.AccountNumber)] = h.AccountID
		}
	}
	return nil
}

// childRef is what loading needs to know of an object under an account.
type childRef struct{ id, accountID, partitionID string }

// loadChildren loads objects that live under an account: each needs an id
// not taken yet and an account of its own partition, then add checks and
// stores it. Lock held (or store not shared yet).
func loadChildren[T any](s *Store, kind string, items []T, ref func(*T) childRef, taken func(string) bool, add func(*T, *Account) error) error {
	for i := range items {
		it := items[i]
		r := ref(&it)
		a, ok := s.accounts[r.accountID]
		if !ok || r.id == "" || a.PartitionID != r.partitionID {
			return fmt.Errorf("%s %d: id and a known account of its partition are required", kind, i)
		}
		if taken(r.id) {
			return fmt.Errorf("%s %s: duplicate id", kind, r.id)
		}
		if err := add(&it, a); err != nil {
			return fmt.Errorf("%s %s: %w", kind, r.id, err)
		}
	}
	return nil
}

// snapshotAccountTree writes the account tree into st. Lock held.
func (s *Store) snapshotAccountTree(st *State) {
	st.DeviceTypes = sortedValues(s.deviceTypes, func(t *DeviceType) string { return t.ID })
	st.CallingPlanProducts = sortedValues(s.planProducts, func(p *CallingPlanProduct) string { return p.ID })
	for id := range s.archivedPlans {
		st.ArchivedCallingPlanProductIDs = append(st.ArchivedCallingPlanProductIDs, id)
	}
	slices.Sort(st.ArchivedCallingPlanProductIDs)
	st.Accounts = sortedValues(s.accounts, func(a *Account) string { return a.ID })
	st.VoicemailBoxes = sortedValues(s.vmBoxes, func(b *VoicemailBox) string { return b.ID })
	st.EndUsers = sortedValues(s.endUsers, func(u *EndUser) string { return u.ID })
	for i := range st.EndUsers {
		st.EndUsers[i].Devices = []Device{}
	}
	st.AccountUsers = sortedValues(s.accountUsers, func(u *AccountUser) string { return u.ID })
	st.DeviceLines = sortedValues(s.devices, func(d *Device) string { return d.ID })
	st.AccountHistory = sortedValues(s.history, func(h *AccountHistoryLog) string { return h.AccountID })
}
