package store

import (
	"slices"
	"strings"
)

// CallingPlanSwap is CallingPlanSwapX: the product an account's or an end
// user's calling plan changes to, and the minutes already used of it.
type CallingPlanSwap struct {
	SwapCallingPlanProductID string `json:"swapCallingPlanProductId,omitempty"`
	NewMinutesUsed           int    `json:"newMinutesUsed"`
}

// SwapCallingPlan changes the calling plan of an account (refType ACCOUNT)
// or of one of its end users (END_USER, refID the user) to another product
// of the partition: every plan the reference holds gives way to one plan of
// the new product, its minutes less newMinutesUsed. Returns the reference's
// plans after the swap. The product must exist in the partition (404) and
// not be archived (400 CallingPlanProductArchived), as for PUT A/callingplan.
func (s *Store) SwapCallingPlan(partitionID, accountID, refType, refID string, sw CallingPlanSwap, by Actor) ([]CallingPlan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	if refType == "ACCOUNT" {
		refID = a.ID
	}
	list, name, err := s.planHolder(a, refType, refID)
	if err != nil {
		return nil, err
	}
	if sw.SwapCallingPlanProductID == "" {
		return nil, Invalid("CallingPlanProductIdRequired")
	}
	if sw.NewMinutesUsed < 0 {
		return nil, invalidField("newMinutesUsed")
	}
	p, err := s.planProduct(partitionID, sw.SwapCallingPlanProductID)
	if err != nil {
		return nil, err
	}
	if s.archivedPlans[p.ID] {
		return nil, Invalid("CallingPlanProductArchived")
	}
	plan := s.newCallingPlan(p, refType, refID)
	plan.SecondsRemaining = max(0, plan.SecondsRemaining-int64(sw.NewMinutesUsed)*60)
	for i := range *list {
		gone := (*list)[i]
		s.logHistory(a, by, "DELETE", "CALLING_PLAN", historyRefType(refType), refID, name, &gone, nil)
	}
	*list = []CallingPlan{plan}
	s.logHistory(a, by, "CREATE", "CALLING_PLAN", historyRefType(refType), refID, name, nil, &plan)
	return []CallingPlan{plan}, nil
}

// SwapBusinessLinePortAssignment moves the MTA of a business line's port
// assignment to new hardware (port-assignment/rpc/swap): every business
// line assigned a port of the same MAC moves to the new MAC and device
// type, keeping its port. The line must have a port assignment (404
// PortAssignment); the device type must exist (404) and have every port in
// use (InvalidValueForField:portNumber) and fax where a port has it
// (InvalidValueForField:faxEnabled); the new MAC must not carry another
// business line or a specialty line (DuplicateMACAddress). Returns the
// line's new port assignment.
func (s *Store) SwapBusinessLinePortAssignment(partitionID, accountID, id string, sw DeviceSwap) (PortAssignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return PortAssignment{}, err
	}
	if l.PortAssignment == nil {
		return PortAssignment{}, NotFound("PortAssignment", id)
	}
	dt, mac, err := s.mtaOf(sw.DeviceTypeID, sw.MacAddress)
	if err != nil {
		return PortAssignment{}, err
	}
	old := bareMac(l.PortAssignment.MacAddress)
	// the lines on this MTA in this account (another account may use the
	// same MAC on other ports: its lines stay where they are)
	moving := slices.DeleteFunc(slices.Clone(s.blByMac[old]), func(bid string) bool {
		return s.businessLines[bid].AccountID != l.AccountID
	})
	if mac != old {
		if len(s.slByMac[mac]) > 0 || len(s.blByMac[mac]) > 0 {
			return PortAssignment{}, Invalid("DuplicateMACAddress")
		}
	}
	for _, bid := range moving {
		p := s.businessLines[bid].PortAssignment
		if p.PortNumber > dt.NumLines {
			return PortAssignment{}, invalidField("portNumber")
		}
		if p.FaxEnabled && !dt.FaxSupported {
			return PortAssignment{}, invalidField("faxEnabled")
		}
	}
	for _, bid := range moving {
		b := s.businessLines[bid]
		s.unindexPortAssignment(b)
		p := *b.PortAssignment
		p.MacAddress, p.DeviceTypeID = strings.ToUpper(mac), sw.DeviceTypeID
		b.PortAssignment = &p
		s.indexPortAssignment(b)
	}
	return *l.PortAssignment, nil
}
