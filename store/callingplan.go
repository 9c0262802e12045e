package store

import (
	"cmp"
	"slices"
	"strings"
)

// CallingPlanProduct is a partition's calling plan offer (CallingPlanProduct).
// At most one product per partition is the default plan new end users get.
type CallingPlanProduct struct {
	ID                       string  `json:"id"`
	Name                     string  `json:"name,omitempty"`
	PlanMinutes              int     `json:"planMinutes"`
	UnlimitedDisplay         bool    `json:"unlimitedDisplay"`
	AllowOverage             bool    `json:"allowOverage"`
	PreventForwarding        bool    `json:"preventForwarding"`
	DefaultPlan              bool    `json:"defaultPlan"`
	CallRateFor411           float64 `json:"callRateFor411"`
	Allow411                 bool    `json:"allow411"`
	RateTypeFor411           string  `json:"rateTypeFor411,omitempty"`
	CallRateForOperator      float64 `json:"callRateForOperator"`
	AllowOperator            bool    `json:"allowOperator"`
	RateTypeForOperator      string  `json:"rateTypeForOperator,omitempty"`
	PartitionID              string  `json:"partitionId"`
	AllowUnlimitedLocal      bool    `json:"allowUnlimitedLocal"`
	RateIntraPartitionAsFree bool    `json:"rateIntraPartitionAsFree"`
}

// CallingPlan is a calling plan product attached to an account, end user or
// other reference (CallingPlanX). It lives inside the object it is attached to.
type CallingPlan struct {
	ID                   string `json:"id"`
	ReferenceID          string `json:"referenceId,omitempty"`
	ReferenceType        string `json:"referenceType,omitempty"`
	CallingPlanProductID string `json:"callingPlanProductId,omitempty"`
	EndDate              string `json:"endDate,omitempty"`
	StartDate            string `json:"startDate,omitempty"`
	PlanMinutes          int    `json:"planMinutes"`
	SecondsRemaining     int64  `json:"secondsRemaining"`
}

// ModifyCallingPlan adds a plan to, or removes one from, a reference
// (ModifyCallingPlanX).
type ModifyCallingPlan struct {
	ReferenceType          string `json:"referenceType,omitempty"`
	ReferenceID            string `json:"referenceId,omitempty"`
	CallingPlanProductID   string `json:"callingPlanProductId,omitempty"`
	CallingPlanReferenceID string `json:"callingPlanReferenceId,omitempty"`
	CallingPlanType        string `json:"callingPlanType,omitempty"`
	Pending                bool   `json:"pending"`
	MinutesUsed            int    `json:"minutesUsed"`
}

var (
	rateTypes            = []string{"PER_CALL", "PER_MINUTE"}
	planReferenceTypes   = []string{"SIP_TRUNK", "END_USER", "IVR", "ACCOUNT", "SPECIALTY_LINE", "CONTACT_CENTER"}
	callingPlanTypesEnum = []string{"SHARED_CALLING_PLAN", "NEW_CALLING_PLAN", "UNSHARED_CALLING_PLAN"}
)

// newCallingPlan attaches a fresh instance of a product to a reference.
func (s *Store) newCallingPlan(p *CallingPlanProduct, refType, refID string) CallingPlan {
	return CallingPlan{
		ID: NewID(), ReferenceID: refID, ReferenceType: refType, CallingPlanProductID: p.ID,
		StartDate: s.now(), PlanMinutes: p.PlanMinutes, SecondsRemaining: int64(p.PlanMinutes) * 60,
	}
}

// defaultPlanProduct is the partition's default, unarchived plan. Lock held.
func (s *Store) defaultPlanProduct(partitionID string) *CallingPlanProduct {
	var best *CallingPlanProduct
	for id, p := range s.planProducts {
		if p.PartitionID == partitionID && p.DefaultPlan && !s.archivedPlans[id] {
			if best == nil || p.ID < best.ID {
				best = p
			}
		}
	}
	return best
}

func (s *Store) validatePlanProduct(p *CallingPlanProduct) error {
	switch {
	case strings.TrimSpace(p.Name) == "":
		return Invalid("NameRequired")
	case p.PlanMinutes < 0:
		return invalidField("planMinutes")
	case !oneOf(p.RateTypeFor411, rateTypes):
		return invalidField("rateTypeFor411")
	case !oneOf(p.RateTypeForOperator, rateTypes):
		return invalidField("rateTypeForOperator")
	case p.CallRateFor411 < 0:
		return invalidField("callRateFor411")
	case p.CallRateForOperator < 0:
		return invalidField("callRateForOperator")
	}
	return nil
}

// insertPlanProduct stores a product; a default plan takes the default flag
// from the partition's other products. Lock held.
func (s *Store) insertPlanProduct(p *CallingPlanProduct) {
	if p.DefaultPlan {
		for _, other := range s.planProducts {
			if other.PartitionID == p.PartitionID && other.ID != p.ID {
				other.DefaultPlan = false
			}
		}
	}
	s.planProducts[p.ID] = p
}

func (s *Store) planProduct(partitionID, id string) (*CallingPlanProduct, error) {
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	p, ok := s.planProducts[id]
	if !ok || p.PartitionID != partitionID {
		return nil, NotFound("CallingPlanProduct", id)
	}
	return p, nil
}

// CreateCallingPlanProduct adds a product to a partition.
func (s *Store) CreateCallingPlanProduct(partitionID string, in CallingPlanProduct) (CallingPlanProduct, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return CallingPlanProduct{}, NotFound("Partition", partitionID)
	}
	p := in
	p.ID, p.PartitionID = NewID(), partitionID
	if err := s.validatePlanProduct(&p); err != nil {
		return CallingPlanProduct{}, err
	}
	s.insertPlanProduct(&p)
	return p, nil
}

// CallingPlanProducts lists a partition's products by name; archived ones
// only when asked.
func (s *Store) CallingPlanProducts(partitionID string, includeArchived bool) ([]CallingPlanProduct, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	out := []CallingPlanProduct{}
	for id, p := range s.planProducts {
		if p.PartitionID == partitionID && (includeArchived || !s.archivedPlans[id]) {
			out = append(out, *p)
		}
	}
	slices.SortFunc(out, func(a, b CallingPlanProduct) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID))
	})
	return out, nil
}

// CallingPlanProduct returns one product (archived ones too).
func (s *Store) CallingPlanProduct(partitionID, id string) (CallingPlanProduct, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, err := s.planProduct(partitionID, id)
	if err != nil {
		return CallingPlanProduct{}, err
	}
	return *p, nil
}

// UpdateCallingPlanProduct replaces a product (PUT).
func (s *Store) UpdateCallingPlanProduct(partitionID, id string, in CallingPlanProduct) (CallingPlanProduct, error) {
	return s.changePlanProduct(partitionID, id, &in, nil)
}

// PatchCallingPlanProduct merges the given keys into a product (PATCH).
func (s *Store) PatchCallingPlanProduct(partitionID, id string, patch map[string]any) (CallingPlanProduct, error) {
	return s.changePlanProduct(partitionID, id, nil, patch)
}

func (s *Store) changePlanProduct(partitionID, id string, in *CallingPlanProduct, patch map[string]any) (CallingPlanProduct, error) {
	find := func() (*Account, *CallingPlanProduct, error) {
		p, err := s.planProduct(partitionID, id)
		return nil, p, err
	}
	return change(s, find, in, patch, func(_ *Account, old *CallingPlanProduct, p CallingPlanProduct) (CallingPlanProduct, error) {
		return s.replacePlanProduct(old, p)
	})
}

func (s *Store) replacePlanProduct(old *CallingPlanProduct, p CallingPlanProduct) (CallingPlanProduct, error) {
	p.ID, p.PartitionID = old.ID, old.PartitionID
	if err := s.validatePlanProduct(&p); err != nil {
		return CallingPlanProduct{}, err
	}
	*old = p
	s.insertPlanProduct(old)
	return *old, nil
}

// ArchiveCallingPlanProduct retires a product: it leaves the default list
// and is no longer the default plan; plans already attached stay.
func (s *Store) ArchiveCallingPlanProduct(partitionID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := s.planProduct(partitionID, id)
	if err != nil {
		return err
	}
	p.DefaultPlan = false
	s.archivedPlans[p.ID] = true
	return nil
}

// planHolder finds the calling-plan list of a reference inside an account.
// Other object kinds with calling plans (SIP trunks, ...) add their case
// here. Lock held.
func (s *Store) planHolder(a *Account, refType, refID string) (*[]CallingPlan, string, error) {
	switch refType {
	case "ACCOUNT":
		if refID != "" && refID != a.ID {
			return nil, "", NotFound("Account", refID)
		}
		return &a.CallingPlans, a.AccountName, nil
	case "END_USER":
		u, ok := s.endUsers[refID]
		if !ok || u.AccountID != a.ID {
			return nil, "", NotFound("EndUser", refID)
		}
		return &u.CallingPlans, displayName(u.FirstName, u.LastName), nil
	case "SPECIALTY_LINE":
		l, ok := s.specialtyLines[refID]
		if !ok || l.AccountID != a.ID {
			return nil, "", NotFound("SpecialtyLine", refID)
		}
		return &l.CallingPlans, l.Name, nil
	case "":
		return nil, "", Invalid("ReferenceTypeRequired")
	}
	if !slices.Contains(planReferenceTypes, refType) {
		return nil, "", invalidField("referenceType")
	}
	return nil, "", NotFound(refType, refID)
}

// AccountCallingPlans lists the plans attached in an account: to the
// account and each end user, or to one reference when refType is given.
func (s *Store) AccountCallingPlans(partitionID, accountID, refType, refID string) ([]CallingPlan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := []CallingPlan{}
	if refType != "" {
		if refType == "ACCOUNT" && refID == "" {
			refID = a.ID
		}
		list, _, err := s.planHolder(a, refType, refID)
		if err != nil {
			return nil, err
		}
		return append(out, *list...), nil
	}
	out = append(out, a.CallingPlans...)
	for _, id := range s.kids[a.ID].users {
		out = append(out, s.endUsers[id].CallingPlans...)
	}
	if refID != "" {
		out = slices.DeleteFunc(out, func(p CallingPlan) bool { return p.ReferenceID != refID })
	}
	return out, nil
}

// AddCallingPlan attaches a product to a reference (PUT A/callingplan) and
// returns the new plan.
func (s *Store) AddCallingPlan(partitionID, accountID string, m ModifyCallingPlan, by Actor) (CallingPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return CallingPlan{}, err
	}
	if !oneOf(m.CallingPlanType, callingPlanTypesEnum) {
		return CallingPlan{}, invalidField("callingPlanType")
	}
	if m.ReferenceType == "ACCOUNT" && m.ReferenceID == "" {
		m.ReferenceID = a.ID
	}
	list, name, err := s.planHolder(a, m.ReferenceType, m.ReferenceID)
	if err != nil {
		return CallingPlan{}, err
	}
	if m.CallingPlanProductID == "" {
		return CallingPlan{}, Invalid("CallingPlanProductIdRequired")
	}
	p, err := s.planProduct(partitionID, m.CallingPlanProductID)
	if err != nil {
		return CallingPlan{}, err
	}
	if s.archivedPlans[p.ID] {
		return CallingPlan{}, Invalid("CallingPlanProductArchived")
	}
	if slices.ContainsFunc(*list, func(c CallingPlan) bool { return c.CallingPlanProductID == p.ID }) {
		return CallingPlan{}, Invalid("DuplicateCallingPlan")
	}
	plan := s.newCallingPlan(p, m.ReferenceType, m.ReferenceID)
	if m.MinutesUsed > 0 {
		plan.SecondsRemaining = max(0, plan.SecondsRemaining-int64(m.MinutesUsed)*60)
	}
	*list = append(*list, plan)
	s.logHistory(a, by, "CREATE", "CALLING_PLAN", historyRefType(m.ReferenceType), m.ReferenceID, name, nil, &plan)
	return plan, nil
}

// RemoveCallingPlan detaches a product (or the plan instance named by
// callingPlanReferenceId) from a reference (DELETE A/callingplan) and
// returns the plan that was removed.
func (s *Store) RemoveCallingPlan(partitionID, accountID string, m ModifyCallingPlan, by Actor) (CallingPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return CallingPlan{}, err
	}
	if m.ReferenceType == "ACCOUNT" && m.ReferenceID == "" {
		m.ReferenceID = a.ID
	}
	list, name, err := s.planHolder(a, m.ReferenceType, m.ReferenceID)
	if err != nil {
		return CallingPlan{}, err
	}
	i := slices.IndexFunc(*list, func(c CallingPlan) bool {
		return (m.CallingPlanReferenceID != "" && c.ID == m.CallingPlanReferenceID) ||
			(m.CallingPlanReferenceID == "" && c.CallingPlanProductID == m.CallingPlanProductID)
	})
	if i < 0 {
		key := m.CallingPlanReferenceID
		if key == "" {
			key = m.CallingPlanProductID
		}
		return CallingPlan{}, NotFound("CallingPlan", key)
	}
	if m.ReferenceType == "SPECIALTY_LINE" && len(*list) == 1 {
		// A specialty line always has a calling plan.
		return CallingPlan{}, Invalid("CallingPlanIdsRequired")
	}
	gone := (*list)[i]
	*list = slices.Delete(*list, i, i+1)
	s.logHistory(a, by, "DELETE", "CALLING_PLAN", historyRefType(m.ReferenceType), m.ReferenceID, name, &gone, nil)
	return gone, nil
}

// historyRefType maps a calling-plan reference type to the referenceType
// vocabulary of account history.
func historyRefType(t string) string {
	switch t {
	case "ACCOUNT":
		return "Account"
	case "END_USER":
		return "EndUser"
	}
	return t
}
