// Package store is fakealianza's domain: partitions, management users and,
// as the emulator grows, everything under them. Alianza's rules and
// invariants live here, not in HTTP handlers. The store is in memory,
// thread-safe (one lock: every call sees and leaves a consistent state) and
// can be dumped to and loaded from its JSON form, State, which is also the
// fixture format.
package store

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// State is the whole store as JSON: what fixtures seed and what a snapshot
// holds. Lists are sorted by id in snapshots so dumps are reproducible.
type State struct {
	Partitions      []Partition      `json:"partitions,omitempty"`
	ManagementUsers []ManagementUser `json:"managementUsers,omitempty"`

	// ---- account tree ----
	DeviceTypes                   []DeviceType         `json:"deviceTypes,omitempty"`
	CallingPlanProducts           []CallingPlanProduct `json:"callingPlanProducts,omitempty"`
	ArchivedCallingPlanProductIDs []string             `json:"archivedCallingPlanProductIds,omitempty"`
	Accounts                      []Account            `json:"accounts,omitempty"`
	VoicemailBoxes                []VoicemailBox       `json:"voicemailBoxes,omitempty"`
	EndUsers                      []EndUser            `json:"endUsers,omitempty"`
	AccountUsers                  []AccountUser        `json:"accountUsers,omitempty"`
	DeviceLines                   []Device             `json:"deviceLines,omitempty"`
	AccountHistory                []AccountHistoryLog  `json:"accountHistory,omitempty"`

	// ---- trunks, voicemail messages, jobs, partition settings ----
	SipTrunks         []SipTrunk         `json:"sipTrunks,omitempty"`
	SipTrunkGroups    []SipTrunkGroup    `json:"sipTrunkGroups,omitempty"`
	VoicemailMessages []VoicemailMessage `json:"voicemailMessages,omitempty"`
	VoicemailPins     []VoicemailPin     `json:"voicemailPins,omitempty"`
	Jobs              []JobRecord        `json:"jobs,omitempty"`
	PartitionSettings []PartitionSetting `json:"partitionSettings,omitempty"`
	// ---- telephone numbers ----
	RateCenters      []RateCenterRecord `json:"rateCenters,omitempty"`
	TelephoneNumbers []NumberRecord     `json:"telephoneNumbers,omitempty"`
	Ports            []Port             `json:"ports,omitempty"`
	ActivationEvents []ActivationEvent  `json:"activationEvents,omitempty"`

	// ---- datafeed ----
	DatafeedLogins []DatafeedLogin    `json:"datafeedLogins,omitempty"`
	CDRs           []CallDetailRecord `json:"cdrs,omitempty"`
	CDRFills       []CDRFill          `json:"cdrFills,omitempty"`

	// ---- voice products ----
	SpecialtyLines []SpecialtyLine `json:"specialtyLines,omitempty"`
	BusinessLines  []BusinessLine  `json:"businessLines,omitempty"`
	HuntGroups     []HuntGroup     `json:"businessLineHuntGroups,omitempty"`

	// ---- the generic resource engine ----
	Generic []GenericObject `json:"generic,omitempty"`
}

// Merge appends other's lists to s (fixtures may be split over several files).
func (s *State) Merge(other State) {
	s.Partitions = append(s.Partitions, other.Partitions...)
	s.ManagementUsers = append(s.ManagementUsers, other.ManagementUsers...)
	s.DeviceTypes = append(s.DeviceTypes, other.DeviceTypes...)
	s.CallingPlanProducts = append(s.CallingPlanProducts, other.CallingPlanProducts...)
	s.ArchivedCallingPlanProductIDs = append(s.ArchivedCallingPlanProductIDs, other.ArchivedCallingPlanProductIDs...)
	s.Accounts = append(s.Accounts, other.Accounts...)
	s.VoicemailBoxes = append(s.VoicemailBoxes, other.VoicemailBoxes...)
	s.EndUsers = append(s.EndUsers, other.EndUsers...)
	s.AccountUsers = append(s.AccountUsers, other.AccountUsers...)
	s.DeviceLines = append(s.DeviceLines, other.DeviceLines...)
	s.AccountHistory = append(s.AccountHistory, other.AccountHistory...)
	s.SipTrunks = append(s.SipTrunks, other.SipTrunks...)
	s.SipTrunkGroups = append(s.SipTrunkGroups, other.SipTrunkGroups...)
	s.VoicemailMessages = append(s.VoicemailMessages, other.VoicemailMessages...)
	s.VoicemailPins = append(s.VoicemailPins, other.VoicemailPins...)
	s.Jobs = append(s.Jobs, other.Jobs...)
	s.PartitionSettings = append(s.PartitionSettings, other.PartitionSettings...)
	s.RateCenters = append(s.RateCenters, other.RateCenters...)
	s.TelephoneNumbers = append(s.TelephoneNumbers, other.TelephoneNumbers...)
	s.Ports = append(s.Ports, other.Ports...)
	s.ActivationEvents = append(s.ActivationEvents, other.ActivationEvents...)
	s.DatafeedLogins = append(s.DatafeedLogins, other.DatafeedLogins...)
	s.CDRs = append(s.CDRs, other.CDRs...)
	s.CDRFills = append(s.CDRFills, other.CDRFills...)
	s.SpecialtyLines = append(s.SpecialtyLines, other.SpecialtyLines...)
	s.BusinessLines = append(s.BusinessLines, other.BusinessLines...)
	s.HuntGroups = append(s.HuntGroups, other.HuntGroups...)
	s.Generic = append(s.Generic, other.Generic...)
}

// Store is the emulated platform's state.
type Store struct {
	mu    sync.RWMutex
	clock *Clock
	seed  State

	life lifecycles

	partitions map[string]*Partition
	mgmtUsers  map[string]*ManagementUser // by id
	mgmtByName map[string]string          // lower-case username -> id

	accountTree
	trunkTree
	numberBook
	voiceBook
	genericBook
	tnCooldownDays int // overrides every partition's tnDeleteCooldownDays when > 0
	historyMax     int // records kept per account history (0: DefaultHistoryLimit)
	feed           feedState
	inputs         jobInputs // uploaded job input files (not state)
}

// New builds a store from a seed state. The seed is kept so Reset can go
// back to it.
func New(seed State, clock *Clock) (*Store, error) {
	if clock == nil {
		clock = NewClock()
	}
	s := &Store{clock: clock, seed: seed, life: newLifecycles(), feed: newFeedState(FeedConfig{})}
	if err := s.load(deepCopy(seed)); err != nil { // the seed stays as given, for Reset
		return nil, err
	}
	s.resumeLifecycles()
	s.resumeJobs(nil)
	return s, nil
}

// Clock is the store's time source.
func (s *Store) Clock() *Clock { return s.clock }

// load fills the store from st, which it owns: objects may stay in st's
// slices and be changed there, so st must be nobody else's.
func (s *Store) load(st State) error {
	s.partitions = make(map[string]*Partition, len(st.Partitions))
	s.mgmtUsers = make(map[string]*ManagementUser, len(st.ManagementUsers))
	s.mgmtByName = make(map[string]string, len(st.ManagementUsers))
	for i := range st.Partitions {
		p := st.Partitions[i]
		if p.ID == "" || p.Name == "" {
			return fmt.Errorf("partition %d: id and name are required", i)
		}
		if _, dup := s.partitions[p.ID]; dup {
			return fmt.Errorf("partition %s: duplicate id", p.ID)
		}
		p.applyDefaults()
		s.partitions[p.ID] = &p
	}
	for i := range st.ManagementUsers {
		u := st.ManagementUsers[i]
		if u.ID == "" || u.Username == "" || u.Password == "" {
			return fmt.Errorf("management user %d: id, username and password are required", i)
		}
		if _, ok := s.partitions[u.PartitionID]; !ok {
			return fmt.Errorf("management user %s: unknown partition %q", u.Username, u.PartitionID)
		}
		key := strings.ToLower(u.Username)
		if _, dup := s.mgmtByName[key]; dup {
			return fmt.Errorf("management user %s: duplicate username", u.Username)
		}
		if _, dup := s.mgmtUsers[u.ID]; dup {
			return fmt.Errorf("management user %s: duplicate id", u.ID)
		}
		s.mgmtUsers[u.ID] = &u
		s.mgmtByName[key] = u.ID
	}
	if err := s.loadAccountTree(st); err != nil {
		return err
	}
	if err := s.loadTrunkTree(st); err != nil {
		return err
	}
	if err := s.loadVoice(st); err != nil {
		return err
	}
	s.loadGeneric(st.Generic)
	if err := s.checkLoadedGroups(); err != nil {
		return err
	}
	// Numbers may ring end users, SIP trunks, voice products and generic
	// targets: check once all are in.
	if err := s.checkLoadedRoutes(); err != nil {
		return err
	}
	return s.loadFeed(st)
}

// Snapshot returns a deep copy of the whole state, lists sorted by id.
func (s *Store) Snapshot() State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return deepCopy(s.snapshotLocked())
}

// snapshotLocked lists every object, sorted by id; the values may share
// slices and maps with the store. Lock held.
func (s *Store) snapshotLocked() State {
	var st State
	st.Partitions = sortedValues(s.partitions, func(p *Partition) string { return p.ID })
	st.ManagementUsers = sortedValues(s.mgmtUsers, func(u *ManagementUser) string { return u.ID })
	s.snapshotAccountTree(&st)
	s.snapshotTrunkTree(&st)
	s.snapshotNumbers(&st)
	s.snapshotFeed(&st)
	s.snapshotVoice(&st)
	s.snapshotGeneric(&st)
	return st
}

// Restore replaces the whole state. On error nothing changes.
func (s *Store) Restore(st State) error { return s.restore(deepCopy(st)) }

// RestoreOwned is Restore of a state the caller hands over (one just
// decoded, as a state file or PUT /__admin/state gives it): the store may
// keep its slices and maps, so it is not copied first. The caller must not
// use st afterwards.
func (s *Store) RestoreOwned(st State) error { return s.restore(st) }

func (s *Store) restore(st State) error {
	s.mu.RLock()
	cfg := s.feed.cfg
	s.mu.RUnlock()
	fresh, err := s.build(st, cfg)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.adopt(fresh, nil)
	s.inputs.forget()
	return nil
}

// build loads a state into a new store sharing this one's clock and the
// datafeed's shape cfg. The new store may keep st's slices and maps: the
// caller gives a copy or a state nobody else holds.
func (s *Store) build(st State, cfg FeedConfig) (*Store, error) {
	fresh := &Store{clock: s.clock, feed: newFeedState(cfg)}
	if err := fresh.load(st); err != nil {
		return nil, err
	}
	return fresh, nil
}

// adopt takes over fresh's objects: the one place that swaps every map.
// Lifecycle tracking survives only for objects keep accepts (nil: none).
// Lock held.
func (s *Store) adopt(fresh *Store, keep func(id string) bool) {
	oldJobs := s.jobs
	s.partitions, s.mgmtUsers, s.mgmtByName = fresh.partitions, fresh.mgmtUsers, fresh.mgmtByName
	s.accountTree = fresh.accountTree
	s.trimHistory()
	s.trunkTree = fresh.trunkTree
	s.numberBook = fresh.numberBook
	s.voiceBook = fresh.voiceBook
	s.genericBook = fresh.genericBook
	fresh.feed.cfg = s.feed.cfg
	s.feed = fresh.feed
	kept := map[string]*progress{}
	for id, p := range s.life.tracked {
		if keep != nil && keep(id) {
			kept[id] = p
		}
	}
	s.life.tracked = map[string]*progress{}
	s.resumeLifecycles()
	// Objects that stayed keep where they stood in their current step.
	for id, p := range kept {
		s.life.tracked[id] = p
	}
	s.resumeJobs(oldJobs)
}

// Reset goes back to the seed the store was built from.
func (s *Store) Reset() error { return s.Restore(s.seed) }

func sortedValues[T any](m map[string]*T, id func(*T) string) []T {
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, *v)
	}
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(id(&a), id(&b)) })
	return out
}

// orEmpty is a list the server always sends: [] when it holds nothing
// (Jackson's NON_NULL leaves out only null, and these lists are never null).
func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// deepCopy copies through JSON, the store's own serialisation, so no slice or
// map is shared between the store and a caller.
func deepCopy[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("store: deep copy: %v", err))
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("store: deep copy: %v", err))
	}
	return out
}

// MaxStateBytes bounds a whole state in its JSON form, as PUT
// /__admin/state and a state file take it (256 MiB).
const MaxStateBytes = 256 << 20
