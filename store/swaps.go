package store

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
