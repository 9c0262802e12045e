package store

import (
	"cmp"
	"slices"
	"time"
)

// Activation is TelephoneNumberActivationsV2X: one request that activates
// inventory numbers, ports numbers in, or adds BeYOC numbers to an account.
type Activation struct {
	PartitionID           string                 `json:"partitionId,omitempty"`
	AccountID             string                 `json:"accountId,omitempty"`
	Port                  *Port                  `json:"port,omitempty"`
	L3Settings            map[string]any         `json:"l3Settings,omitempty"`
	CustomerServiceRecord *CustomerServiceRecord `json:"customerServiceRecord,omitempty"`
	DirectoryListing      *DirectoryListing      `json:"directoryListing,omitempty"`
	E911Address           *E911Address           `json:"e911Address,omitempty"`
	HoldActivation        bool                   `json:"holdActivation"`
	TelephoneNumbers      []BareNumber           `json:"telephoneNumbers"`
	ByotnCarrierID        string                 `json:"byotnCarrierId,omitempty"`
	ID                    string                 `json:"id,omitempty"`
}

// ActivationEvent is ServiceActivationEventX: the carrier-side record of an
// activation, a port or a disconnect, with a log line per step.
type ActivationEvent struct {
	ID                   string     `json:"id"`
	PartitionID          string     `json:"partitionId"`
	AccountID            string     `json:"accountId"`
	ServiceType          string     `json:"serviceType"`
	ReferenceType        string     `json:"referenceType"`
	ReferenceID          string     `json:"referenceId"`
	ActivationStatusType string     `json:"activationStatusType"`
	CreatedDate          string     `json:"createdDate"`
	LastUpdatedDate      string     `json:"lastUpdatedDate"`
	FocDate              string     `json:"focDate,omitempty"`
	CrdDate              string     `json:"crdDate,omitempty"`
	City                 string     `json:"city,omitempty"`
	MainTelephoneNumber  string     `json:"mainTelephoneNumber,omitempty"`
	SubTelephoneNumbers  []string   `json:"subTelephoneNumbers"`
	FirstName            string     `json:"firstName,omitempty"`
	LastName             string     `json:"lastName,omitempty"`
	CompanyName          string     `json:"companyName,omitempty"`
	State                string     `json:"state,omitempty"`
	EditableFieldTypes   []string   `json:"editableFieldTypes"`
	LosingCarrier        string     `json:"losingCarrier,omitempty"`
	InboundCarrierType   string     `json:"inboundCarrierType,omitempty"`
	Logs                 []EventLog `json:"logs"`
}

// EventLog is ServiceActivationEventLogX: one step of an event.
type EventLog struct {
	Status            string `json:"status"`
	ActionDate        string `json:"actionDate"`
	Code              string `json:"code"`
	Message           string `json:"message"`
	CreationDate      string `json:"creationDate"`
	GeneratedTicketID string `json:"generatedTicketId,omitempty"`
}

// EventPage is ServiceActivationEventResponseX.
type EventPage struct {
	TotalRecords int64             `json:"totalRecords"`
	Results      []ActivationEvent `json:"results"`
}

func init() {
	registerStepper(KindActivation, stepActivation)
	registerStepper(KindPort, stepPort)
}

func eventKey(accountID, serviceType, refID string) string {
	return accountID + "\x00" + serviceType + "\x00" + refID
}

// newEvent records a new event for numbers of an account. Lock held.
func (s *Store) newEvent(a *Account, serviceType, refType, refID string, tns []string) *ActivationEvent {
	now := s.now()
	e := &ActivationEvent{ID: NewID(), PartitionID: a.PartitionID, AccountID: a.ID, ServiceType: serviceType,
		ReferenceType: refType, ReferenceID: refID, CreatedDate: now, LastUpdatedDate: now, Logs: []EventLog{}}
	if len(tns) > 0 {
		e.MainTelephoneNumber = tns[0]
		e.SubTelephoneNumbers = slices.Clone(tns[1:])
	}
	s.events[e.ID] = e
	s.eventOrder = append(s.eventOrder, e.ID)
	s.eventByRef[eventKey(a.ID, serviceType, refID)] = e.ID
	return e
}

// eventOut is an event as a client reads it: its lists are [] when empty.
func eventOut(e *ActivationEvent) ActivationEvent {
	out := deepCopy(*e)
	out.SubTelephoneNumbers, out.EditableFieldTypes, out.Logs = orEmpty(out.SubTelephoneNumbers), orEmpty(out.EditableFieldTypes), orEmpty(out.Logs)
	return out
}

// eventStep moves an event to a status and logs the step. Lock held.
func (s *Store) eventStep(e *ActivationEvent, status, code, message string) {
	now := s.now()
	e.ActivationStatusType, e.LastUpdatedDate = status, now
	e.Logs = append(e.Logs, EventLog{Status: status, ActionDate: now, Code: code, Message: message, CreationDate: now})
}

func activationDone(e *ActivationEvent) bool {
	switch e.ActivationStatusType {
	case "COMPLETED", "CANCELLED", "REJECTED":
		return true
	}
	return false
}

// stepActivation: PENDING or IN_PROGRESS -> COMPLETED, the number ACTIVE.
func stepActivation(s *Store, id string) bool {
	e, ok := s.events[id]
	if !ok || (e.ActivationStatusType != "PENDING" && e.ActivationStatusType != "IN_PROGRESS") {
		return false
	}
	if n, ok := s.numsByAccount[e.AccountID][e.ReferenceID]; ok {
		n.OnAccount.CarrierStatus = "ACTIVE"
		n.ActivationDate = s.clock.Now().UnixMilli()
	}
	s.eventStep(e, "COMPLETED", "ACTIVATION", "telephone number active with the carrier")
	return false
}

// CreateAccountNumbers answers POST A/telephonenumber.
func (s *Store) CreateAccountNumbers(partitionID, accountID string, in Activation, by Actor) (Activation, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return Activation{}, err
	}
	req := deepCopy(in)
	if err := s.checkActivation(a, &req, by); err != nil {
		return Activation{}, err
	}
	s.applyActivation(a, &req)
	s.logActivation(a, &req, by)
	return req, nil
}

// applyActivation carries out a checked activation: a port, or numbers put
// on the account. Lock held.
func (s *Store) applyActivation(a *Account, req *Activation) {
	req.ID, req.PartitionID, req.AccountID = NewID(), a.PartitionID, a.ID
	switch {
	case req.Port != nil:
		s.startPort(a, req)
	default:
		s.activate(a, req)
	}
}

// logActivation writes an activation's numbers in the account's history.
// Lock held.
func (s *Store) logActivation(a *Account, req *Activation, by Actor) {
	for _, b := range req.TelephoneNumbers {
		n := s.numbers[b.PhoneNumber]
		s.logHistory(a, by, "CREATE", "PHONE_NUMBER", "Telephone", b.PhoneNumber, b.PhoneNumber, nil, n.OnAccount)
	}
}

// checkActivation applies every rule before anything changes. Lock held.
func (s *Store) checkActivation(a *Account, req *Activation, by Actor) error {
	if len(req.TelephoneNumbers) == 0 {
		return Invalid("TelephoneNumbersRequired")
	}
	if req.CustomerServiceRecord == nil && (req.Port == nil || req.Port.CustomerServiceRecord == nil) {
		return Invalid("CustomerServiceRecordRequired")
	}
	if req.DirectoryListing == nil && req.ByotnCarrierID == "" {
		return Invalid("DirectoryListingRequired")
	}
	if req.CustomerServiceRecord == nil {
		req.CustomerServiceRecord = req.Port.CustomerServiceRecord
	}
	if req.E911Address == nil {
		csr := req.CustomerServiceRecord
		req.E911Address = &E911Address{Address: csr.Address, CustomerType: csr.CustomerType}
	}
	if err := s.checkE911(req.E911Address); err != nil {
		return err
	}
	if a.AccountType == "SIMPLE" && len(s.numsByAccount[a.ID])+len(req.TelephoneNumbers) > 1 {
		return Invalid("TooManyTelephoneNumbersForAccountType")
	}
	seen := map[string]bool{}
	for _, b := range req.TelephoneNumbers {
		tn := b.PhoneNumber
		switch {
		case tn == "":
			return Invalid("PhoneNumberRequired")
		case !ValidTN(tn):
			return InvalidWith("InvalidValueForField:phoneNumber", NumberRef(tn))
		case seen[tn]:
			return InvalidWith("DuplicateTelephoneNumber", NumberRef(tn))
		case b.OperationalStatus != "" && !slices.Contains(operationalStatues, b.OperationalStatus):
			return invalidField("operationalStatus")
		}
		seen[tn] = true
		if err := s.checkRoutingTarget(a.ID, b.ReferenceType, b.ReferenceID); err != nil {
			return err
		}
		n, exists := s.numbers[tn]
		if exists {
			s.settle(n)
		}
		if req.Port != nil || req.ByotnCarrierID != "" {
			// a number coming from outside must not be on the platform yet
			if exists && n.Status == NumberOnAccount {
				return InvalidWith("TelephoneNumberAlreadyOnAccount", NumberRef(tn))
			}
			if exists {
				return InvalidWith("TelephoneNumberInInventory", NumberRef(tn))
			}
			if rc, ok := s.rateCenters[tn[:7]]; ok && req.Port != nil && !rc.Portable {
				return InvalidWith("TelephoneNumberNotPortable", NumberRef(tn))
			}
			continue
		}
		if !exists || n.PartitionID != a.PartitionID {
			return InvalidWith("TelephoneNumberNotInInventory", NumberRef(tn))
		}
		if err := s.checkAvailable(n, by.UserID); err != nil {
			return err
		}
	}
	return nil
}

// activate puts inventory (or BeYOC) numbers on the account. Lock held.
func (s *Store) activate(a *Account, req *Activation) {
	byotn := req.ByotnCarrierID != ""
	for i := range req.TelephoneNumbers {
		b := &req.TelephoneNumbers[i]
		n, ok := s.numbers[b.PhoneNumber]
		if !ok {
			n = &NumberRecord{PartitionID: a.PartitionID, PhoneNumber: b.PhoneNumber, Origin: OriginBYOTN}
		}
		n.ReservedBy, n.ReservedTime = "", ""
		on := &AccountNumber{AccountID: a.ID, ReferenceType: b.ReferenceType, ReferenceID: b.ReferenceID,
			FunctionType: cmp.Or(b.FunctionType, n.FunctionType), CanAcceptSMS: b.CanAcceptSMS,
			OperationalStatus: b.OperationalStatus, ServicePackageType: b.ServicePackageType,
			CustomerServiceRecord: req.CustomerServiceRecord, E911Address: req.E911Address,
			DirectoryListing: req.DirectoryListing, ByotnCarrierID: req.ByotnCarrierID, TollFree: b.TollFree}
		if byotn {
			on.OperationalStatus = cmp.Or(on.OperationalStatus, "STAGED")
			on.CarrierStatus = "ACTIVE"
		} else {
			on.CarrierStatus = "ACTIVATION_PENDING"
			if req.HoldActivation {
				on.CarrierStatus = "ACTIVATION_ON_HOLD"
			}
		}
		s.fillAccountNumber(n, on)
		s.indexNumber(n)
		b.ID, b.FunctionType, b.OperationalStatus = n.PhoneNumber, on.FunctionType, on.OperationalStatus
		if byotn {
			n.ActivationDate = s.clock.Now().UnixMilli()
			e := s.newEvent(a, "BYOTN_REQUEST", "BYOTN", n.PhoneNumber, []string{n.PhoneNumber})
			s.eventStep(e, "COMPLETED", "BYOTN", "number added from the partition's own carrier")
			continue
		}
		e := s.newEvent(a, "ACTIVATION", "TELEPHONE", n.PhoneNumber, []string{n.PhoneNumber})
		s.describeEvent(e, req.CustomerServiceRecord)
		if req.HoldActivation {
			s.eventStep(e, "ON_HOLD", "ACTIVATION", "activation held until released")
			continue
		}
		s.eventStep(e, "PENDING", "ACTIVATION", "activation sent to the carrier")
		s.lifecycleStart(KindActivation, e.ID)
	}
}

// describeEvent copies the subscriber's name and place onto an event.
func (s *Store) describeEvent(e *ActivationEvent, csr *CustomerServiceRecord) {
	if csr == nil {
		return
	}
	e.FirstName, e.LastName, e.CompanyName, e.City, e.State = csr.FirstName, csr.LastName, csr.BusinessName, csr.City, csr.State
}

// ServiceEvent returns the latest event of a kind for a reference (a number
// for ACTIVATION, a port id for PORT_REQUEST) of an account.
func (s *Store) ServiceEvent(partitionID, accountID, refID, serviceType string) (ActivationEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return ActivationEvent{}, err
	}
	e, err := s.serviceEvent(a, refID, serviceType)
	if err != nil {
		return ActivationEvent{}, err
	}
	return eventOut(e), nil
}

func (s *Store) serviceEvent(a *Account, refID, serviceType string) (*ActivationEvent, error) {
	id, ok := s.eventByRef[eventKey(a.ID, serviceType, refID)]
	if !ok && serviceType == "PORT_REQUEST" {
		// a port may be asked for by one of its numbers too
		if n, found := s.numsByAccount[a.ID][refID]; found && n.OnAccount.PortID != "" {
			id, ok = s.eventByRef[eventKey(a.ID, serviceType, n.OnAccount.PortID)]
		}
	}
	if !ok {
		return nil, NotFound("ServiceActivationEvent", refID)
	}
	e := s.events[id]
	if e.ServiceType == "PORT_REQUEST" {
		s.lifecycleRead(e.ReferenceID)
	} else {
		s.lifecycleRead(id)
	}
	return e, nil
}

// ReleaseHeldActivation answers PUT A/reference/{tn}/type/ACTIVATION:
// IN_PROGRESS releases an activation held ON_HOLD, CANCELLED drops it and
// returns the number to the inventory.
func (s *Store) ReleaseHeldActivation(partitionID, accountID, tn, status string, by Actor) (ActivationEvent, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return ActivationEvent{}, err
	}
	e, err := s.serviceEvent(a, tn, "ACTIVATION")
	if err != nil {
		return ActivationEvent{}, err
	}
	if e.ActivationStatusType != "ON_HOLD" {
		return ActivationEvent{}, InvalidWith("ActivationNotOnHold", NumberRef(tn))
	}
	n := s.numsByAccount[a.ID][tn]
	switch status {
	case "IN_PROGRESS":
		n.OnAccount.CarrierStatus = "ACTIVATION_PENDING"
		s.eventStep(e, "IN_PROGRESS", "ACTIVATION", "held activation released")
		s.lifecycleStart(KindActivation, e.ID)
	case "CANCELLED":
		s.eventStep(e, "CANCELLED", "ACTIVATION", "held activation cancelled")
		s.logHistory(a, by, "DELETE", "PHONE_NUMBER", "Telephone", tn, tn, n.OnAccount, nil)
		s.takeOffAccount(n)
		n.Status = NumberInInventory
		if n.Origin != OriginInventory {
			s.dropNumber(n)
		}
	default:
		return ActivationEvent{}, invalidField("activationStatusType")
	}
	return eventOut(e), nil
}

// StatusQuery is a statussearch question: an event matches when its
// serviceType and activationStatusType are among EventTypes and StatusTypes
// (any, when none is given; the exports take lists, the search one of
// each). OnlyMainTn matches telephoneNumber against the main number alone
// (the exports' includeSubTns=false).
type StatusQuery struct {
	AccountID, TelephoneNumber, DateType, StartDate, EndDate string
	FirstResultIndex, MaxResult                              int
	EventTypes, StatusTypes                                  []string
	OnlyMainTn                                               bool
}

// statusFilter is a checked StatusQuery.
type statusFilter struct {
	q                       StatusQuery
	from, to                time.Time
	eventTypes, statusTypes []string
}

// check reads a StatusQuery's dates and lists.
func (q StatusQuery) check() (statusFilter, error) {
	f := statusFilter{q: q, eventTypes: q.EventTypes, statusTypes: q.StatusTypes}
	var err error
	if q.StartDate != "" {
		if f.from, err = time.Parse(time.DateOnly, q.StartDate); err != nil {
			return f, invalidField("startDate")
		}
	}
	if q.EndDate != "" {
		if f.to, err = time.Parse(time.DateOnly, q.EndDate); err != nil {
			return f, invalidField("endDate")
		}
		f.to = f.to.AddDate(0, 0, 1)
	}
	if q.FirstResultIndex < 0 {
		return f, invalidField("firstResultIndex")
	}
	return f, nil
}

func (f *statusFilter) matches(partitionID string, e *ActivationEvent) bool {
	q := f.q
	if e.PartitionID != partitionID || q.AccountID != "" && e.AccountID != q.AccountID ||
		len(f.eventTypes) > 0 && !slices.Contains(f.eventTypes, e.ServiceType) ||
		len(f.statusTypes) > 0 && !slices.Contains(f.statusTypes, e.ActivationStatusType) {
		return false
	}
	if q.TelephoneNumber != "" && e.MainTelephoneNumber != q.TelephoneNumber &&
		(q.OnlyMainTn || !slices.Contains(e.SubTelephoneNumbers, q.TelephoneNumber)) {
		return false
	}
	if f.from.IsZero() && f.to.IsZero() {
		return true
	}
	date := e.CreatedDate
	switch q.DateType {
	case "FOCDate":
		date = e.FocDate
	case "UpdatedDate":
		date = e.LastUpdatedDate
	}
	t, err := time.Parse(timeLayout, date)
	return err == nil && (f.from.IsZero() || !t.Before(f.from)) && (f.to.IsZero() || t.Before(f.to))
}

// statusHits lists a partition's events that match, newest first, after
// moving their lifecycles on. Lock held (write).
func (s *Store) statusHits(partitionID string, f statusFilter) []*ActivationEvent {
	s.lifecycleSweep(KindActivation)
	s.lifecycleSweep(KindPort)
	var hits []*ActivationEvent
	for i := len(s.eventOrder) - 1; i >= 0; i-- {
		if e := s.events[s.eventOrder[i]]; f.matches(partitionID, e) {
			hits = append(hits, e)
		}
	}
	return hits
}

// StatusSearch pages a partition's service activation events, newest first.
func (s *Store) StatusSearch(partitionID string, q StatusQuery) (EventPage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return EventPage{}, NotFound("Partition", partitionID)
	}
	f, err := q.check()
	if err != nil {
		return EventPage{}, err
	}
	limit := q.MaxResult
	if limit <= 0 {
		limit = 50
	}
	hits := s.statusHits(partitionID, f)
	page := EventPage{TotalRecords: int64(len(hits)), Results: []ActivationEvent{}}
	for i := q.FirstResultIndex; i < len(hits) && len(page.Results) < limit; i++ {
		page.Results = append(page.Results, eventOut(hits[i]))
	}
	return page, nil
}
