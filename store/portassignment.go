package store

import "strings"

// PortAssignment is the MTA port a business line rings (PortAssignment):
// a device type of the platform, its MAC and one of its ports. A MAC and
// port pair belongs to one line: business lines and specialty lines share
// the ports of an MTA.
type PortAssignment struct {
	BusinessLineID string `json:"businessLineId,omitempty"`
	DeviceTypeID   string `json:"deviceTypeId"`
	MacAddress     string `json:"macAddress"`
	PortNumber     int    `json:"portNumber"`
	FaxEnabled     bool   `json:"faxEnabled"`
}

// validatePortAssignment checks a port assignment for line l. Lock held.
func (s *Store) validatePortAssignment(p *PortAssignment, l *BusinessLine) error {
	dt, mac, err := s.mtaOf(p.DeviceTypeID, p.MacAddress)
	if err != nil {
		return err
	}
	if p.PortNumber == 0 {
		p.PortNumber = 1
	}
	if p.PortNumber < 1 || p.PortNumber > dt.NumLines {
		return invalidField("portNumber")
	}
	if p.FaxEnabled && !dt.FaxSupported {
		return invalidField("faxEnabled")
	}
	for _, id := range s.slByMac[mac] {
		if s.specialtyLines[id].PortNumber == p.PortNumber {
			return InvalidWith("DuplicateMACAddressLineNumber", EntityRef{Type: "SpecialtyLine", ID: id})
		}
	}
	for _, id := range s.blByMac[mac] {
		if other := s.businessLines[id]; id != l.ID && other.PortAssignment.PortNumber == p.PortNumber {
			return InvalidWith("DuplicateMACAddressLineNumber", EntityRef{Type: "BusinessLine", ID: id})
		}
	}
	p.MacAddress = strings.ToUpper(mac)
	p.BusinessLineID = l.ID
	return nil
}

// mtaOf checks the device type and MAC of a port assignment (or a swap):
// the type must exist, the MAC be 12 hex digits; it returns the type and
// the bare MAC. Lock held.
func (s *Store) mtaOf(deviceTypeID, macAddress string) (*DeviceType, string, error) {
	if deviceTypeID == "" {
		return nil, "", Invalid("DeviceTypeIdRequired")
	}
	dt, ok := s.deviceTypes[deviceTypeID]
	if !ok {
		return nil, "", NotFound("DeviceType", deviceTypeID)
	}
	mac := bareMac(macAddress)
	switch {
	case macAddress == "":
		return nil, "", Invalid("MacAddressRequired")
	case !macPattern.MatchString(mac):
		return nil, "", invalidField("macAddress")
	}
	return dt, mac, nil
}

// indexPortAssignment and unindexPortAssignment keep blByMac. Lock held.
func (s *Store) indexPortAssignment(l *BusinessLine) {
	if l.PortAssignment != nil {
		mac := bareMac(l.PortAssignment.MacAddress)
		s.blByMac[mac] = append(s.blByMac[mac], l.ID)
	}
}

func (s *Store) unindexPortAssignment(l *BusinessLine) {
	if l.PortAssignment == nil {
		return
	}
	mac := bareMac(l.PortAssignment.MacAddress)
	if s.blByMac[mac] = dropID(s.blByMac[mac], l.ID); len(s.blByMac[mac]) == 0 {
		delete(s.blByMac, mac)
	}
}

// BusinessLinePortAssignment returns a line's port assignment.
func (s *Store) BusinessLinePortAssignment(partitionID, accountID, id string) (PortAssignment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return PortAssignment{}, err
	}
	if l.PortAssignment == nil {
		return PortAssignment{}, NotFound("PortAssignment", id)
	}
	return *l.PortAssignment, nil
}

// SetBusinessLinePortAssignment assigns a port to a line: create refuses a
// line that has one (DuplicatePortAssignment), replace needs one.
func (s *Store) SetBusinessLinePortAssignment(partitionID, accountID, id string, in PortAssignment, create bool) (PortAssignment, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return PortAssignment{}, err
	}
	switch {
	case create && l.PortAssignment != nil:
		return PortAssignment{}, Invalid("DuplicatePortAssignment")
	case !create && l.PortAssignment == nil:
		return PortAssignment{}, NotFound("PortAssignment", id)
	}
	p := in
	if err := s.validatePortAssignment(&p, l); err != nil {
		return PortAssignment{}, err
	}
	s.unindexPortAssignment(l)
	l.PortAssignment = &p
	s.indexPortAssignment(l)
	return p, nil
}

// DeleteBusinessLinePortAssignment frees a line's port.
func (s *Store) DeleteBusinessLinePortAssignment(partitionID, accountID, id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, l, err := s.businessLine(partitionID, accountID, id)
	if err != nil {
		return err
	}
	if l.PortAssignment == nil {
		return NotFound("PortAssignment", id)
	}
	s.unindexPortAssignment(l)
	l.PortAssignment = nil
	return nil
}
