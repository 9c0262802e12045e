package store

import (
	"slices"
	"strings"
)

// Device is one line (port) of an IP phone or ATA (DeviceX). SipPassword is
// kept but never handed back: callers get copies without it.
// EmergencyNumber is always sent ("" when unset).
type Device struct {
	ID                           string `json:"id"`
	DeviceTypeID                 string `json:"deviceTypeId"`
	AccountID                    string `json:"accountId"`
	PartitionID                  string `json:"partitionId"`
	MacAddress                   string `json:"macAddress,omitempty"`
	DeviceName                   string `json:"deviceName"`
	EmergencyNumber              string `json:"emergencyNumber"`
	EmergencyNumberReservationID string `json:"emergencyNumberReservationId,omitempty"`
	FaxEnabled                   bool   `json:"faxEnabled"`
	LineNumber                   int    `json:"lineNumber"`
	UserID                       string `json:"userId"`
	SipPassword                  string `json:"sipPassword,omitempty"`
	SipUsername                  string `json:"sipUsername,omitempty"`
	Zipcode                      string `json:"zipcode,omitempty"`
	State                        string `json:"state,omitempty"`
	LineType                     string `json:"lineType,omitempty"`
	ReferenceID                  string `json:"referenceId,omitempty"`
}

// DeviceType is a model of phone or ATA (DeviceTypeX): reference data.
type DeviceType struct {
	ID                     string              `json:"id"`
	Name                   string              `json:"name,omitempty"`
	NumLines               int                 `json:"numLines"`
	DeviceTypeManufacturer string              `json:"deviceTypeManufacturer,omitempty"`
	AcceptsRemoteResync    bool                `json:"acceptsRemoteResync"`
	FaxSupported           bool                `json:"faxSupported"`
	MacAddressRequired     bool                `json:"macAddressRequired"`
	ShowProvisionStatus    bool                `json:"showProvisionStatus"`
	SipPagingEnabled       bool                `json:"sipPagingEnabled"`
	SmbDevice              bool                `json:"smbDevice"`
	MaxSideCars            int                 `json:"maxSideCars"`
	SipRegMax              int                 `json:"sipRegMax"`
	DeviceKind             string              `json:"deviceKind,omitempty"`
	LineFunctionality      map[string][]string `json:"lineFunctionality,omitempty"`
}

// RegistrationStatus is RegistrationStatusX.
type RegistrationStatus struct {
	Registered bool `json:"registered"`
}

// DeviceStatus is the last provisioning exchange of a device (DeviceStatusX).
type DeviceStatus struct {
	Success        bool              `json:"success"`
	FailureMessage string            `json:"failureMessage,omitempty"`
	MacAddress     string            `json:"macAddress,omitempty"`
	Request        map[string]string `json:"request,omitempty"`
	Response       map[string]string `json:"response,omitempty"`
	Updated        string            `json:"updated,omitempty"`
}

// DeviceSwap replaces the hardware behind a device (DeviceSwapX).
type DeviceSwap struct {
	MacAddress   string `json:"macAddress"`
	DeviceTypeID string `json:"deviceTypeId"`
	DeviceName   string `json:"deviceName"`
}

// Device line filter types (GET deviceline?filterType=).
const (
	DeviceFilterMAC          = "MAC_ADDRESS"
	DeviceFilterMACInventory = "MAC_ADDRESS_INVENTORY"
	DeviceFilterOwningUser   = "OWNING_USERID"
	DeviceFilterReferenced   = "REFERENCED_USERID"
	DeviceFilterAccount      = "ACCOUNT"
)

var lineTypes = []string{"Line", "AdvancedSharedLine", "ReferencedUser", "IntercomLine", "PresenceBlfUser",
	"SpeedDialUser", "SpeedDialTn", "CallParkingSpot", "SipPaging", "Custom"}

// deviceOut is the caller's copy of a device line: none of the request-only
// fields (SIP password, zipcode, state, emergency-number reservation) that
// real responses never carry.
func deviceOut(d *Device) Device {
	out := *d
	out.SipPassword, out.Zipcode, out.State, out.EmergencyNumberReservationID = "", "", "", ""
	return out
}

func macKey(mac string) string { return strings.ToUpper(mac) }

// validMAC: exactly 12 hex digits, no separators.
func validMAC(mac string) bool {
	if len(mac) != 12 {
		return false
	}
	for _, r := range mac {
		if !strings.ContainsRune("0123456789abcdefABCDEF", r) {
			return false
		}
	}
	return true
}

// sipKey is a SIP username's key: device lines, trunks and specialty lines
// share one namespace per partition, case-insensitive.
func sipKey(partitionID, name string) string {
	return partitionID + "/" + strings.ToLower(name)
}

// sipUsernameTaken reports whether a SIP credential of the partition uses
// the name. Lock held.
func (s *Store) sipUsernameTaken(partitionID, name string) bool {
	_, ok := s.sipUsers[sipKey(partitionID, name)]
	return ok
}

// claimSipUsername records who owns a SIP username of a partition; other
// kinds with SIP credentials (trunks, specialty lines) use the same
// namespace. Lock held.
func (s *Store) claimSipUsername(partitionID, name, ownerID string) {
	s.sipUsers[sipKey(partitionID, name)] = ownerID
}

// releaseSipUsername frees a SIP username if ownerID holds it. Lock held.
func (s *Store) releaseSipUsername(partitionID, name, ownerID string) {
	if key := sipKey(partitionID, name); s.sipUsers[key] == ownerID {
		delete(s.sipUsers, key)
	}
}

// validateDevice checks a device line against Alianza's rules. old is the
// stored line on update. Lock held.
func (s *Store) validateDevice(d *Device, a *Account, old *Device) error {
	if d.DeviceTypeID == "" {
		return Invalid("DeviceTypeIdRequired")
	}
	t, err := s.deviceTypeFor(a.PartitionID, d.DeviceTypeID)
	if err != nil {
		return err
	}
	if strings.TrimSpace(d.DeviceName) == "" {
		return Invalid("DeviceNameRequired")
	}
	if d.UserID == "" {
		return Invalid("UserIdRequired")
	}
	if u, ok := s.endUsers[d.UserID]; !ok || u.AccountID != a.ID {
		return NotFound("EndUser", d.UserID)
	}
	if !oneOf(d.LineType, lineTypes) {
		return invalidField("lineType")
	}
	if d.MacAddress == "" && t.MacAddressRequired {
		return InvalidWith("InvalidMacAddress", 400)
	}
	if d.MacAddress != "" && !validMAC(d.MacAddress) {
		return InvalidWith("InvalidMacAddress", 400)
	}
	if d.LineNumber < 1 || d.LineNumber > t.NumLines {
		return InvalidWith("InvalidLineNumber", 400)
	}
	if d.FaxEnabled && !t.FaxSupported {
		return invalidField("faxEnabled")
	}
	if d.EmergencyNumber != "" && !s.numberOnAccount(a.ID, d.EmergencyNumber) {
		return Invalid("InvalidEmergencyNumber")
	}
	if d.MacAddress != "" {
		for _, id := range s.devByMAC[macKey(d.MacAddress)] {
			if old != nil && id == old.ID {
				continue
			}
			other := s.devices[id]
			switch {
			case other.AccountID != a.ID:
				return InvalidWith("DuplicateMACAddress", 400)
			case other.DeviceTypeID != d.DeviceTypeID:
				return InvalidWith("InvalidDeviceTypeForMac", 400)
			case other.LineNumber == d.LineNumber:
				return InvalidWith("DuplicateMACAddressLineNumber", 400)
			}
		}
	}
	if d.SipUsername != "" {
		if owner, used := s.sipUsers[sipKey(a.PartitionID, d.SipUsername)]; used && (old == nil || owner != old.ID) {
			return Invalid("SipUsernameInUse")
		}
	}
	if a.AccountType == "SIMPLE" && old == nil && len(s.kids[a.ID].devices) >= 1 {
		return Invalid("SimpleAccountDeviceLimitReached")
	}
	return nil
}

// insertDevice stores a validated device line and indexes it. Lock held.
func (s *Store) insertDevice(d *Device) {
	s.devices[d.ID] = d
	kids := s.kids[d.AccountID]
	if !slices.Contains(kids.devices, d.ID) {
		kids.devices = append(kids.devices, d.ID)
	}
	if d.MacAddress != "" {
		k := macKey(d.MacAddress)
		if !slices.Contains(s.devByMAC[k], d.ID) {
			s.devByMAC[k] = append(s.devByMAC[k], d.ID)
		}
	}
	if d.SipUsername != "" {
		s.claimSipUsername(d.PartitionID, d.SipUsername, d.ID)
	}
}

// unindexDevice drops a line's MAC and SIP username entries. Lock held.
func (s *Store) unindexDevice(d *Device) {
	if d.MacAddress != "" {
		k := macKey(d.MacAddress)
		s.devByMAC[k] = slices.DeleteFunc(s.devByMAC[k], func(id string) bool { return id == d.ID })
		if len(s.devByMAC[k]) == 0 {
			delete(s.devByMAC, k)
		}
	}
	if d.SipUsername != "" {
		s.releaseSipUsername(d.PartitionID, d.SipUsername, d.ID)
	}
}

// removeDevice deletes a device line. Lock held.
func (s *Store) removeDevice(d *Device) {
	s.unindexDevice(d)
	s.dropGroupMember(d.PartitionID, d.AccountID, d.ID)
	if kids := s.kids[d.AccountID]; kids != nil {
		kids.devices = slices.DeleteFunc(kids.devices, func(id string) bool { return id == d.ID })
	}
	delete(s.devices, d.ID)
}

func (s *Store) device(partitionID, accountID, id string) (*Account, *Device, error) {
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, nil, err
	}
	d, ok := s.devices[id]
	if !ok || d.AccountID != a.ID {
		return nil, nil, NotFound("Device", id)
	}
	return a, d, nil
}

// CreateDevice adds a device line. An empty sipUsername becomes the line's
// id; the MAC keeps the case it was sent in.
func (s *Store) CreateDevice(partitionID, accountID string, in Device, by Actor) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return Device{}, err
	}
	d, err := s.createDevice(a, in)
	if err != nil {
		return Device{}, err
	}
	s.logHistory(a, by, "CREATE", "DEVICE", "Device", d.ID, d.DeviceName, nil, d)
	return deviceOut(d), nil
}

// createDevice checks and stores a new device line of a (no history). Lock
// held.
func (s *Store) createDevice(a *Account, in Device) (*Device, error) {
	d := in
	d.ID, d.PartitionID, d.AccountID = NewID(), a.PartitionID, a.ID
	if d.SipUsername == "" {
		d.SipUsername = d.ID
	}
	if d.LineType == "" {
		d.LineType = "Line"
	}
	if d.LineNumber == 0 {
		d.LineNumber = 1
	}
	if err := s.validateDevice(&d, a, nil); err != nil {
		return nil, err
	}
	s.insertDevice(&d)
	return &d, nil
}

// Device returns one device line of an account.
func (s *Store) Device(partitionID, accountID, id string) (Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return Device{}, err
	}
	return deviceOut(d), nil
}

// Devices lists an account's device lines in creation order, optionally
// filtered (filterType MAC_ADDRESS, MAC_ADDRESS_INVENTORY, OWNING_USERID,
// REFERENCED_USERID, ACCOUNT; empty: all).
func (s *Store) Devices(partitionID, accountID, filterType, filter string) ([]Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	var keep func(*Device) bool
	switch filterType {
	case "", DeviceFilterAccount:
		keep = func(*Device) bool { return true }
	case DeviceFilterMAC, DeviceFilterMACInventory:
		keep = func(d *Device) bool { return strings.EqualFold(d.MacAddress, filter) }
	case DeviceFilterOwningUser:
		keep = func(d *Device) bool { return d.UserID == filter }
	case DeviceFilterReferenced:
		keep = func(d *Device) bool { return d.ReferenceID == filter || d.UserID == filter }
	default:
		return nil, invalidField("filterType")
	}
	out := []Device{}
	for _, id := range s.kids[a.ID].devices {
		if d := s.devices[id]; keep(d) {
			out = append(out, deviceOut(d))
		}
	}
	return out, nil
}

// UpdateDevice replaces a device line (PUT). An empty sipPassword keeps the
// stored one; an empty sipUsername keeps the stored one.
func (s *Store) UpdateDevice(partitionID, accountID, id string, in Device, by Actor) (Device, error) {
	return s.changeDevice(partitionID, accountID, id, &in, nil, by)
}

// PatchDevice merges the given keys into a device line (PATCH).
func (s *Store) PatchDevice(partitionID, accountID, id string, patch map[string]any, by Actor) (Device, error) {
	return s.changeDevice(partitionID, accountID, id, nil, patch, by)
}

func (s *Store) changeDevice(partitionID, accountID, id string, in *Device, patch map[string]any, by Actor) (Device, error) {
	return change(s, func() (*Account, *Device, error) { return s.device(partitionID, accountID, id) }, in, patch,
		func(a *Account, old *Device, d Device) (Device, error) { return s.replaceDevice(a, old, d, by) })
}

func (s *Store) replaceDevice(a *Account, old *Device, d Device, by Actor) (Device, error) {
	d.ID, d.PartitionID, d.AccountID = old.ID, old.PartitionID, old.AccountID
	if d.SipUsername == "" {
		d.SipUsername = old.SipUsername
	}
	if d.SipPassword == "" {
		d.SipPassword = old.SipPassword
	}
	if d.LineType == "" {
		d.LineType = old.LineType
	}
	if err := s.validateDevice(&d, a, old); err != nil {
		return Device{}, err
	}
	before := *old
	s.unindexDevice(old)
	*old = d
	s.insertDevice(old)
	s.logHistory(a, by, "UPDATE", "DEVICE", "Device", d.ID, d.DeviceName, &before, old)
	return deviceOut(old), nil
}

// DeleteDevice removes one device line.
func (s *Store) DeleteDevice(partitionID, accountID, id string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return err
	}
	s.logHistory(a, by, "DELETE", "DEVICE", "Device", d.ID, d.DeviceName, d, nil)
	s.removeDevice(d)
	return nil
}

// DevicesByMAC lists the lines of one physical device (A/device/{mac}).
func (s *Store) DevicesByMAC(partitionID, accountID, mac string) ([]Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return nil, err
	}
	out := s.linesOfMAC(a.ID, mac)
	if len(out) == 0 {
		return nil, NotFound("Device", mac)
	}
	return out, nil
}

// linesOfMAC are the lines of one physical device in an account, by line
// number. Lock held.
func (s *Store) linesOfMAC(accountID, mac string) []Device {
	out := []Device{}
	for _, id := range s.devByMAC[macKey(mac)] {
		if d := s.devices[id]; d.AccountID == accountID {
			out = append(out, deviceOut(d))
		}
	}
	slices.SortFunc(out, func(x, y Device) int { return x.LineNumber - y.LineNumber })
	return out
}

// DeleteDevicesByMAC removes every line of one physical device.
func (s *Store) DeleteDevicesByMAC(partitionID, accountID, mac string, by Actor) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.account(partitionID, accountID)
	if err != nil {
		return err
	}
	var lines []*Device
	for _, id := range s.devByMAC[macKey(mac)] {
		if d := s.devices[id]; d.AccountID == a.ID {
			lines = append(lines, d)
		}
	}
	if len(lines) == 0 {
		return NotFound("Device", mac)
	}
	for _, d := range lines {
		s.logHistory(a, by, "DELETE", "DEVICE", "Device", d.ID, d.DeviceName, d, nil)
		s.removeDevice(d)
	}
	return nil
}

// DeviceRegistration reports whether a line is registered. The emulator
// has no SIP side, so lines register only when told to (SetDeviceRegistered).
func (s *Store) DeviceRegistration(partitionID, accountID, id string) (RegistrationStatus, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return RegistrationStatus{}, err
	}
	return RegistrationStatus{Registered: s.registered[d.ID]}, nil
}

// SetDeviceRegistered marks a line registered or not (for tests and admin
// hooks).
func (s *Store) SetDeviceRegistered(partitionID, accountID, id string, on bool) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return err
	}
	if on {
		s.registered[d.ID] = true
	} else {
		delete(s.registered, d.ID)
	}
	return nil
}

// DeviceProvisioning reports the last provisioning exchange of a line. No
// device ever fetches its configuration from the emulator, so it reports a
// line that has not been provisioned.
func (s *Store) DeviceProvisioning(partitionID, accountID, id string) (DeviceStatus, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return DeviceStatus{}, err
	}
	st := DeviceStatus{Success: false, MacAddress: d.MacAddress, FailureMessage: "NotProvisioned"}
	if d.MacAddress == "" {
		st.FailureMessage = "NoMacAddress"
	}
	return st, nil
}

// SwapAvailable answers swap/prevalidate: whether a MAC is well formed and
// not used by another device (the line's own device does not count).
func (s *Store) SwapAvailable(partitionID, accountID, id, mac string) (bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return false, err
	}
	if !validMAC(mac) {
		return false, nil
	}
	for _, other := range s.devByMAC[macKey(mac)] {
		if d.MacAddress == "" || !strings.EqualFold(s.devices[other].MacAddress, d.MacAddress) {
			return false, nil
		}
	}
	return true, nil
}

// SwapDevice moves every line of a line's physical device to new hardware:
// new MAC, device type and name. Line numbers must fit the new type.
func (s *Store) SwapDevice(partitionID, accountID, id string, sw DeviceSwap, by Actor) (Device, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return Device{}, err
	}
	if !validMAC(sw.MacAddress) {
		return Device{}, InvalidWith("InvalidMacAddress", 400)
	}
	t, err := s.deviceTypeFor(partitionID, sw.DeviceTypeID)
	if err != nil {
		return Device{}, err
	}
	if strings.TrimSpace(sw.DeviceName) == "" {
		return Device{}, Invalid("DeviceNameRequired")
	}
	lines := []*Device{d}
	if d.MacAddress != "" {
		lines = nil
		for _, lid := range s.devByMAC[macKey(d.MacAddress)] {
			lines = append(lines, s.devices[lid])
		}
	}
	for _, other := range s.devByMAC[macKey(sw.MacAddress)] {
		if !slices.Contains(lines, s.devices[other]) {
			return Device{}, InvalidWith("DuplicateMACAddress", 400)
		}
	}
	for _, l := range lines {
		if l.LineNumber > t.NumLines {
			return Device{}, InvalidWith("InvalidLineNumber", 400)
		}
	}
	for _, l := range lines {
		before := *l
		s.unindexDevice(l)
		l.MacAddress, l.DeviceTypeID, l.DeviceName = sw.MacAddress, sw.DeviceTypeID, sw.DeviceName
		s.insertDevice(l)
		s.logHistory(a, by, "UPDATE", "DEVICE", "Device", l.ID, l.DeviceName, &before, l)
	}
	return deviceOut(d), nil
}

// DeviceTypes lists the device types, by id.
func (s *Store) DeviceTypes() []DeviceType {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return deepCopy(sortedValues(s.deviceTypes, func(t *DeviceType) string { return t.ID }))
}

// deviceTypeFor finds a device type a partition may use: unknown types are
// 404 EntityNotFound; types outside a partition's non-empty
// allowedDeviceTypes are 400 DeviceTypeNotAllowed. Lock held.
func (s *Store) deviceTypeFor(partitionID, id string) (*DeviceType, error) {
	t, ok := s.deviceTypes[id]
	if !ok {
		return nil, NotFound("DeviceType", id)
	}
	if p := s.partitions[partitionID]; p != nil && len(p.AllowedDeviceTypes) > 0 && !slices.Contains(p.AllowedDeviceTypes, id) {
		return nil, Invalid("DeviceTypeNotAllowed")
	}
	return t, nil
}

// DeviceTypesFor lists the device types a partition may use (all of them
// when its allowedDeviceTypes is empty), by id.
func (s *Store) DeviceTypesFor(partitionID string) ([]DeviceType, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.partitions[partitionID]
	if !ok {
		return nil, NotFound("Partition", partitionID)
	}
	out := []DeviceType{}
	for _, t := range sortedValues(s.deviceTypes, func(t *DeviceType) string { return t.ID }) {
		if len(p.AllowedDeviceTypes) == 0 || slices.Contains(p.AllowedDeviceTypes, t.ID) {
			out = append(out, t)
		}
	}
	return deepCopy(out), nil
}

// DeviceType returns one device type.
func (s *Store) DeviceType(id string) (DeviceType, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	t, ok := s.deviceTypes[id]
	if !ok {
		return DeviceType{}, NotFound("DeviceType", id)
	}
	return deepCopy(*t), nil
}

// UserDevices lists the device lines an end user owns (the older per-user
// device path).
func (s *Store) UserDevices(partitionID, accountID, userID string) ([]Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, u, err := s.endUserByIDType(partitionID, accountID, userID, "")
	if err != nil {
		return nil, err
	}
	return s.endUserOut(u).Devices, nil
}

// UserDevice returns a device line only if the end user owns it.
func (s *Store) UserDevice(partitionID, accountID, userID, id string) (Device, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, _, err := s.endUserByIDType(partitionID, accountID, userID, ""); err != nil {
		return Device{}, err
	}
	_, d, err := s.device(partitionID, accountID, id)
	if err != nil {
		return Device{}, err
	}
	if d.UserID != userID {
		return Device{}, NotFound("Device", id)
	}
	return deviceOut(d), nil
}
