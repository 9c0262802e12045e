package store

import (
	"cmp"
	"strings"
	"time"
)

// Port is PortX: a request to bring numbers over from another carrier.
type Port struct {
	ID                     string                 `json:"id"`
	PartitionID            string                 `json:"partitionId"`
	AccountID              string                 `json:"accountId"`
	TelephoneNumbers       []string               `json:"telephoneNumbers"`
	Status                 string                 `json:"status"`
	SendLoa                bool                   `json:"sendLoa"`
	LoaSaved               bool                   `json:"loaSaved"`
	CarrierID              string                 `json:"carrierId,omitempty"`
	CarrierType            string                 `json:"carrierType,omitempty"`
	CustomerServiceRecord  *CustomerServiceRecord `json:"customerServiceRecord,omitempty"`
	CrdDate                string                 `json:"crdDate,omitempty"`
	BillingTelephoneNumber string                 `json:"billingTelephoneNumber,omitempty"`
	PortingWireType        string                 `json:"portingWireType,omitempty"`
	PortingAuthorizedName  string                 `json:"portingAuthorizedName,omitempty"`
	WirelessAccountNumber  string                 `json:"wirelessAccountNumber,omitempty"`
	WirelessPin            string                 `json:"wirelessPin,omitempty"`
	FocDate                string                 `json:"focDate,omitempty"`
	FocDateTimeZone        string                 `json:"focDateTimeZone,omitempty"`
	CreatedDate            string                 `json:"createdDate,omitempty"`
	CompletedDate          string                 `json:"completedDate,omitempty"`
	CancelType             string                 `json:"cancelType,omitempty"`
	TelecomSettings        map[string]any         `json:"telecomSettings,omitempty"`
	HotCutPortID           string                 `json:"hotCutPortId,omitempty"`
	PortNow                bool                   `json:"portNow"`
	CanAcceptSMS           bool                   `json:"canAcceptSMS"`
	SmsCallbackURL         string                 `json:"smsCallbackUrl,omitempty"`
}

// PortAvailability is PortAvailabilityResponseV2X: whether numbers can be
// ported in and the window of possible CRD dates.
type PortAvailability struct {
	ID                      string      `json:"id"`
	RequestedActivation     *Activation `json:"requestedActivation,omitempty"`
	ServiceAvailable        bool        `json:"serviceAvailable"`
	CarrierType             string      `json:"carrierType,omitempty"`
	EarliestCRD             string      `json:"earliestCRD,omitempty"`
	LatestCRD               string      `json:"latestCRD,omitempty"`
	AvailabilityList        []string    `json:"availabilityList"`
	Exception               string      `json:"exception,omitempty"`
	DirectoryListingAllowed bool        `json:"directoryListingAllowed"`
	Lnp                     bool        `json:"lnp"`
	WirelessPort            bool        `json:"wirelessPort"`
}

// Porting windows, in days of server time from today.
const (
	portEarliestDays = 3
	portLatestDays   = 30
)

// portRejected is the emulator's rule for a port the losing carrier
// refuses: the subscriber's last name or business name contains "REJECT".
// The port lifecycle's outcome "reject" refuses every port.
func portRejected(p *Port) bool {
	c := p.CustomerServiceRecord
	return c != nil && strings.Contains(strings.ToUpper(c.LastName+" "+c.BusinessName), "REJECT")
}

// portEvent is the PORT_REQUEST event of a port. Lock held.
func (s *Store) portEvent(p *Port) *ActivationEvent {
	return s.events[s.eventByRef[eventKey(p.AccountID, "PORT_REQUEST", p.ID)]]
}

// portOpen reports whether a port can still change (not completed nor cancelled).
func portOpen(e *ActivationEvent) bool {
	return e != nil && e.ActivationStatusType != "COMPLETED" && e.ActivationStatusType != "CANCELLED"
}

// crdAsDateTime reads a CRD date given as yyyy-MM-dd or as a timestamp and
// writes it as a timestamp at midnight UTC.
func crdAsDateTime(v string) (string, bool) {
	if v == "" {
		return "", true
	}
	if t, err := time.Parse(time.DateOnly, v); err == nil {
		return t.Format(timeLayout), true
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC().Truncate(24 * time.Hour).Format(timeLayout), true
	}
	return "", false
}

// startPort opens a port for the activation's numbers. Lock held; checked.
func (s *Store) startPort(a *Account, req *Activation) {
	p := req.Port
	crd, _ := crdAsDateTime(p.CrdDate)
	tns := make([]string, len(req.TelephoneNumbers))
	for i, b := range req.TelephoneNumbers {
		tns[i] = b.PhoneNumber
	}
	*p = Port{ID: NewID(), PartitionID: a.PartitionID, AccountID: a.ID, TelephoneNumbers: tns, Status: "PORT_PENDING",
		SendLoa: p.SendLoa, CarrierID: p.CarrierID, CarrierType: cmp.Or(p.CarrierType, "LEVEL_3"),
		CustomerServiceRecord: cmp.Or(p.CustomerServiceRecord, req.CustomerServiceRecord), CrdDate: crd,
		BillingTelephoneNumber: cmp.Or(p.BillingTelephoneNumber, tns[0]), PortingWireType: p.PortingWireType,
		PortingAuthorizedName: p.PortingAuthorizedName, WirelessAccountNumber: p.WirelessAccountNumber,
		WirelessPin: p.WirelessPin, FocDateTimeZone: p.FocDateTimeZone, CreatedDate: s.now(),
		TelecomSettings: p.TelecomSettings, PortNow: p.PortNow, CanAcceptSMS: p.CanAcceptSMS, SmsCallbackURL: p.SmsCallbackURL}
	stored := deepCopy(*p)
	s.ports[p.ID] = &stored
	for i := range req.TelephoneNumbers {
		b := &req.TelephoneNumbers[i]
		n := &NumberRecord{PartitionID: a.PartitionID, PhoneNumber: b.PhoneNumber, Origin: OriginPort}
		on := &AccountNumber{AccountID: a.ID, ReferenceType: b.ReferenceType, ReferenceID: b.ReferenceID,
			FunctionType: b.FunctionType, CanAcceptSMS: b.CanAcceptSMS, OperationalStatus: b.OperationalStatus,
			PortID: p.ID, ServicePackageType: b.ServicePackageType, CustomerServiceRecord: req.CustomerServiceRecord,
			E911Address: req.E911Address, DirectoryListing: req.DirectoryListing, CarrierStatus: "PORT_PENDING",
			TollFree: b.TollFree}
		s.fillAccountNumber(n, on)
		s.indexNumber(n)
		b.ID, b.PortID, b.FunctionType, b.OperationalStatus = n.PhoneNumber, p.ID, on.FunctionType, on.OperationalStatus
	}
	e := s.newEvent(a, "PORT_REQUEST", "PORT", p.ID, tns)
	s.describeEvent(e, stored.CustomerServiceRecord)
	e.CrdDate = crd
	e.EditableFieldTypes = []string{"crdDate", "wirelessAccountNumber", "wirelessPin", "name"}
	s.eventStep(e, "PENDING", "Port", "port request received")
	s.lifecycleStart(KindPort, p.ID)
}

// setPortNumbers sets the carrier status of a port's numbers. Lock held.
func (s *Store) setPortNumbers(p *Port, status string, activated bool) {
	for _, tn := range p.TelephoneNumbers {
		if n, ok := s.numsByAccount[p.AccountID][tn]; ok && n.OnAccount.PortID == p.ID {
			n.OnAccount.CarrierStatus = status
			if activated {
				n.ActivationDate = s.clock.Now().UnixMilli()
			}
		}
	}
}

// stepPort: PENDING -> IN_PROGRESS -> FOC_RECEIVED (or REJECTED). The last
// step, COMPLETED, is triggerport's on the FOC date.
func stepPort(s *Store, id string) bool {
	p, ok := s.ports[id]
	if !ok {
		return false
	}
	e := s.portEvent(p)
	switch e.ActivationStatusType {
	case "PENDING":
		s.eventStep(e, "IN_PROGRESS", "SUBMIT", "port order submitted to the losing carrier")
		return true
	case "IN_PROGRESS":
		if portRejected(p) || s.life.modes[KindPort].Outcome == OutcomeReject {
			s.rejectPort(p, e)
			return false
		}
		foc := p.CrdDate
		if foc == "" {
			foc = s.clock.Now().Truncate(24*time.Hour).AddDate(0, 0, portEarliestDays).Format(timeLayout)
		}
		p.FocDate, e.FocDate = foc, foc
		s.eventStep(e, "FOC_RECEIVED", "FOC", "firm order commitment received for "+foc[:10])
	}
	return false
}

// rejectPort ends a port refused by the losing carrier. Lock held.
func (s *Store) rejectPort(p *Port, e *ActivationEvent) {
	p.Status = "PORT_REJECTED"
	s.setPortNumbers(p, "PORT_REJECTED", false)
	s.eventStep(e, "REJECTED", "REJECT", "the losing carrier rejected the port")
}

// accountPort finds a port of an account and takes any step now due. Lock held.
func (s *Store) accountPort(partitionID, accountID, portID string) (*Account, *Port, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	p, ok := s.ports[portID]
	if !ok || p.AccountID != a.ID {
		return nil, nil, NotFound("Port", portID)
	}
	s.lifecycleRead(p.ID)
	return a, p, nil
}

// Port returns one port of an account.
func (s *Store) Port(partitionID, accountID, portID string) (Port, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return Port{}, err
	}
	return deepCopy(*p), nil
}

// UpdatePort replaces the editable fields of an open port (PUT). A new CRD
// date after the FOC moves the FOC date with it; editing a rejected port
// submits it again.
func (s *Store) UpdatePort(partitionID, accountID, portID string, in Port) (Port, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return Port{}, err
	}
	return s.replacePort(p, in)
}

// PatchPort merges the given keys into an open port.
func (s *Store) PatchPort(partitionID, accountID, portID string, patch map[string]any) (Port, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return Port{}, err
	}
	in, err := patched(p, patch)
	if err != nil {
		return Port{}, err
	}
	return s.replacePort(p, in)
}

func (s *Store) replacePort(p *Port, in Port) (Port, error) {
	e := s.portEvent(p)
	if !portOpen(e) {
		return Port{}, InvalidWith("PortNotEditable", EntityRef{Type: "Port", ID: p.ID})
	}
	crd, ok := crdAsDateTime(in.CrdDate)
	if !ok {
		return Port{}, invalidField("crdDate")
	}
	if len(in.WirelessPin) > 15 {
		return Port{}, invalidField("wirelessPin")
	}
	p.SendLoa, p.CarrierID, p.PortingWireType, p.PortingAuthorizedName = in.SendLoa, in.CarrierID, in.PortingWireType, in.PortingAuthorizedName
	p.WirelessAccountNumber, p.WirelessPin, p.FocDateTimeZone = in.WirelessAccountNumber, in.WirelessPin, in.FocDateTimeZone
	p.BillingTelephoneNumber = cmp.Or(in.BillingTelephoneNumber, p.BillingTelephoneNumber)
	p.CustomerServiceRecord = cmp.Or(in.CustomerServiceRecord, p.CustomerServiceRecord)
	p.TelecomSettings, p.PortNow, p.CanAcceptSMS, p.SmsCallbackURL = in.TelecomSettings, in.PortNow, in.CanAcceptSMS, in.SmsCallbackURL
	if crd != "" && crd != p.CrdDate {
		p.CrdDate, e.CrdDate = crd, crd
		if e.ActivationStatusType == "FOC_RECEIVED" {
			p.FocDate, e.FocDate = crd, crd
			s.eventStep(e, "FOC_RECEIVED", "FOC", "firm order commitment moved to "+crd[:10])
		}
	}
	s.describeEvent(e, p.CustomerServiceRecord)
	if e.ActivationStatusType == "REJECTED" {
		p.Status = "PORT_PENDING"
		s.setPortNumbers(p, "PORT_PENDING", false)
		s.eventStep(e, "PENDING", "Port", "port request submitted again")
		s.lifecycleStart(KindPort, p.ID)
	}
	return deepCopy(*p), nil
}

// CancelPort cancels an open port: its numbers leave the account and the
// platform (they never became the partition's).
func (s *Store) CancelPort(partitionID, accountID, portID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return err
	}
	e := s.portEvent(p)
	switch e.ActivationStatusType {
	case "COMPLETED":
		return InvalidWith("PortAlreadyCompleted", EntityRef{Type: "Port", ID: p.ID})
	case "CANCELLED":
		return InvalidWith("PortAlreadyCancelled", EntityRef{Type: "Port", ID: p.ID})
	}
	s.cancelPort(p, "NORMAL")
	return nil
}

func (s *Store) cancelPort(p *Port, cancelType string) {
	s.lifecycleStop(p.ID)
	p.Status, p.CancelType = "CANCEL_PORT_COMPLETE", cancelType
	for _, tn := range p.TelephoneNumbers {
		if n, ok := s.numsByAccount[p.AccountID][tn]; ok && n.OnAccount.PortID == p.ID {
			s.dropNumber(n)
		}
	}
	s.eventStep(s.portEvent(p), "CANCELLED", "Port", "port cancelled")
}

// TriggerPort completes a port with the carrier. It is allowed only once
// the FOC is received and only on the FOC date (server clock, UTC).
func (s *Store) TriggerPort(partitionID, accountID, portID string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, p, err := s.accountPort(partitionID, accountID, portID)
	if err != nil {
		return err
	}
	e := s.portEvent(p)
	if e.ActivationStatusType != "FOC_RECEIVED" {
		return InvalidWith("PortNotReadyToTrigger", Detail{"activationStatusType": e.ActivationStatusType})
	}
	today := s.clock.Now().Format(time.DateOnly)
	if len(p.FocDate) < 10 || p.FocDate[:10] != today {
		return InvalidWith("TriggerPortOnlyOnFocDate", Detail{"focDate": p.FocDate})
	}
	p.Status, p.CompletedDate = "ACTIVE", s.now()
	s.setPortNumbers(p, "ACTIVE", true)
	s.eventStep(e, "COMPLETED", "Port", "port completed; the numbers are active")
	return nil
}

// PrevalidatePort answers POST P/account/prevalidate: whether every number
// of the request can be ported into the partition, and the CRD window.
func (s *Store) PrevalidatePort(partitionID string, in Activation) (PortAvailability, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return PortAvailability{}, NotFound("Partition", partitionID)
	}
	if len(in.TelephoneNumbers) == 0 {
		return PortAvailability{}, Invalid("TelephoneNumbersRequired")
	}
	req := deepCopy(in)
	out := PortAvailability{ID: NewID(), RequestedActivation: &req, ServiceAvailable: true, CarrierType: "LEVEL_3",
		AvailabilityList: []string{}, DirectoryListingAllowed: true, Lnp: true}
	for _, b := range in.TelephoneNumbers {
		tn := b.PhoneNumber
		switch n, exists := s.numbers[tn]; {
		case !ValidTN(tn):
			out.Exception = "InvalidValueForField:phoneNumber"
		case exists && n.OnAccount != nil:
			out.Exception = "TelephoneNumberAlreadyOnAccount"
		case exists:
			out.Exception = "TelephoneNumberInInventory"
		default:
			if rc, ok := s.rateCenters[tn[:7]]; ok && !rc.Portable {
				out.Exception = "TelephoneNumberNotPortable"
			}
		}
		if out.Exception != "" {
			out.ServiceAvailable, out.Lnp = false, false
			return out, nil
		}
	}
	if p := in.Port; p != nil && p.PortingWireType == "Wireless" {
		out.WirelessPort = true
	}
	today := s.clock.Now().Truncate(24 * time.Hour)
	out.EarliestCRD = today.AddDate(0, 0, portEarliestDays).Format(time.DateOnly)
	out.LatestCRD = today.AddDate(0, 0, portLatestDays).Format(time.DateOnly)
	for d := portEarliestDays; d <= portLatestDays; d++ {
		day := today.AddDate(0, 0, d)
		if wd := day.Weekday(); wd != time.Saturday && wd != time.Sunday {
			out.AvailabilityList = append(out.AvailabilityList, day.Format(time.DateOnly))
		}
	}
	return out, nil
}
