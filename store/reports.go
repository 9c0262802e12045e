package store

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
)

// Partition reports: summary counts and CSV exports, all read from the live
// state. An object's creation time comes from its account history (the
// CREATE record); objects loaded from fixtures have none and count as old.

// ReportSummary is ReportSummaryX: objects created in the current month of
// server time, and all of them.
type ReportSummary struct {
	NewCount   int64 `json:"newCount"`
	TotalCount int64 `json:"totalCount"`
}

// Report kinds: the summary and CSV reports the store can build.
const (
	ReportTN                    = "tn"
	ReportUser                  = "user"
	ReportSip                   = "sip"
	ReportVfax                  = "vfax"
	ReportDevice                = "device"
	ReportAccount               = "account"
	ReportBusinessLines         = "businesslines"
	ReportSpecialtyLines        = "specialtylines"
	ReportPortOut               = "portout"
	ReportDeviceRegistration    = "deviceregistration"
	ReportUserProducts          = "user-products"
	ReportEmergencyNotification = "emergencynotificationcompliance"
)

// ErrInvalidMonthOrYear is the 412 of the monthly CSV reports.
var ErrInvalidMonthOrYear = &Error{Status: http.StatusPreconditionFailed, Code: "InvalidMonthOrYear"}

// createdDates maps the ids of a partition's objects of one history
// reference type to when they were created. Lock held.
func (s *Store) createdDates(partitionID, refType string) map[string]time.Time {
	out := map[string]time.Time{}
	pa := s.acctsByPartition[partitionID]
	if pa == nil {
		return out
	}
	for _, e := range pa.list {
		h := s.history[e.acct.ID]
		if h == nil {
			continue
		}
		for _, r := range h.Records {
			if r.Action != "CREATE" || r.ReferenceType != refType {
				continue
			}
			if _, seen := out[r.ReferenceID]; seen {
				continue
			}
			if t, err := time.Parse(time.RFC3339, r.LoggedDate); err == nil {
				out[r.ReferenceID] = t
			}
		}
	}
	return out
}

// partitionIDsOf lists the ids of a partition's live objects of a kind,
// sorted. Lock held.
func (s *Store) partitionIDsOf(partitionID, kind string) []string {
	var ids []string
	switch kind {
	case ReportUser, ReportUserProducts:
		ids = idsWhere(s.endUsers, func(u *EndUser) bool { return u.PartitionID == partitionID })
	case ReportSip:
		ids = idsWhere(s.trunks, func(t *SipTrunk) bool { return t.PartitionID == partitionID })
	case ReportDevice, ReportDeviceRegistration:
		ids = idsWhere(s.devices, func(d *Device) bool { return d.PartitionID == partitionID })
	case ReportAccount:
		if pa := s.acctsByPartition[partitionID]; pa != nil {
			for _, e := range pa.list {
				ids = append(ids, e.acct.ID)
			}
		}
	case ReportBusinessLines:
		ids = idsWhere(s.businessLines, func(l *BusinessLine) bool { return l.PartitionID == partitionID })
	case ReportSpecialtyLines:
		ids = idsWhere(s.specialtyLines, func(l *SpecialtyLine) bool { return l.PartitionID == partitionID })
	case ReportVfax:
		// Virtual fax lines are generic objects: their ids are their paths.
		for path, o := range s.generic {
			if _, _, coll, ok := accountCollection(path); ok && coll == "vfax" && o.PartitionID == partitionID &&
				o.ID != "" && strings.HasSuffix(path, "/vfax/"+o.ID) {
				ids = append(ids, path)
			}
		}
	}
	slices.Sort(ids)
	return ids
}

// idsWhere lists the keys of the objects keep accepts.
func idsWhere[T any](m map[string]*T, keep func(*T) bool) []string {
	var ids []string
	for id, v := range m {
		if keep(v) {
			ids = append(ids, id)
		}
	}
	return ids
}

var historyRefOf = map[string]string{
	ReportUser: "EndUser", ReportUserProducts: "EndUser", ReportSip: "SipTrunk", ReportDevice: "Device", ReportAccount: "Account",
	ReportDeviceRegistration: "Device",
}

// ReportSummary counts a kind of object in a partition (GET P/report/{kind}).
func (s *Store) ReportSummary(partitionID, kind string) (ReportSummary, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return ReportSummary{}, NotFound("Partition", partitionID)
	}
	now := s.clock.Now()
	monthStart := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
	if kind == ReportTN {
		n, total := s.numberCounts(partitionID, monthStart)
		return ReportSummary{NewCount: n, TotalCount: total}, nil
	}
	ids := s.partitionIDsOf(partitionID, kind)
	created := s.createdDates(partitionID, historyRefOf[kind])
	out := ReportSummary{TotalCount: int64(len(ids))}
	for _, id := range ids {
		if t, ok := created[id]; ok && !t.Before(monthStart) {
			out.NewCount++
		}
	}
	return out, nil
}

// inServiceNumbers lists a partition's numbers that are on an account,
// by number. Lock held.
func (s *Store) inServiceNumbers(partitionID string) []*NumberRecord {
	var out []*NumberRecord
	for _, n := range s.numsByPartition[partitionID] {
		if n.OnAccount != nil {
			out = append(out, n)
		}
	}
	slices.SortFunc(out, func(a, b *NumberRecord) int { return strings.Compare(a.PhoneNumber, b.PhoneNumber) })
	return out
}

// numberCounts counts a partition's numbers on accounts: those activated
// since monthStart, and all of them. Lock held.
func (s *Store) numberCounts(partitionID string, monthStart time.Time) (newCount, total int64) {
	for _, n := range s.inServiceNumbers(partitionID) {
		total++
		if n.ActivationDate >= monthStart.UnixMilli() {
			newCount++
		}
	}
	return newCount, total
}

// numberReportFields are the tn report's columns: the account number's own
// field names.
var numberReportFields = []string{"phoneNumber", "accountId", "referenceType", "referenceId", "functionType",
	"operationalStatus", "carrierStatus", "tollFree"}

// numberReportRows is the tn report: the partition's numbers on accounts
// activated before until (all of them when until is zero). Lock held.
func (s *Store) numberReportRows(partitionID string, until time.Time) ([][]string, error) {
	var objs []AccountNumber
	for _, n := range s.inServiceNumbers(partitionID) {
		if until.IsZero() || n.ActivationDate < until.UnixMilli() {
			objs = append(objs, s.accountNumberOut(n))
		}
	}
	return csvRows(numberReportFields, objs)
}

// Field lists of the CSV reports: the object's own JSON field names. SIP
// passwords are never exported.
var reportFields = map[string][]string{
	ReportAccount: {"id", "accountNumber", "accountName", "status", "accountType", "platformType",
		"timeZone", "languageTag", "billingCycleDay", "dialingBehaviorType", "extensionLength", "regulatoryType", "endUserCount"},
	ReportUser: {"id", "accountId", "username", "firstName", "lastName", "emailAddress", "timeZone",
		"languageTag", "extension", "voicemailBoxId"},
	ReportDevice: {"id", "accountId", "deviceTypeId", "deviceName", "macAddress", "lineNumber", "userId",
		"sipUsername", "emergencyNumber", "faxEnabled"},
	ReportDeviceRegistration: {"id", "accountId", "macAddress", "lineNumber", "sipUsername", "registered"},
	ReportUserProducts:       {"id", "accountId", "username", "firstName", "lastName", "emailAddress", "userProductPlan"},
	ReportSip: {"id", "accountId", "trunkName", "sipUsername", "concurrentCalls", "maxBurstCalls",
		"callbackNumber", "primaryTn", "telephoneNumbers", "sipProxyServer", "lockedOut",
		"ipBasedAuthEnabled", "ipAddress", "portNumber", "sipTrunkGroupId"},
	ReportVfax:           {"id", "accountId", "name", "telephoneNumber"},
	ReportBusinessLines:  {"id", "accountId", "name", "callerIdPhoneNumber", "emergencyCallbackPhoneNumber"},
	ReportSpecialtyLines: {"id", "accountId", "name", "callerId", "deviceType", "macAddress", "portNumber"},
	// Kinds the emulator does not model yet: their reports hold a header only.
	ReportPortOut:               {"telephoneNumber", "accountId", "portOutDate"},
	ReportEmergencyNotification: {"accountId", "accountNumber", "accountName", "telephoneNumber", "notificationEmailAddresses"},
}

// MonthlyReports take month and year; the rest take neither.
var MonthlyReports = []string{ReportTN, ReportSip, ReportVfax, ReportBusinessLines, ReportSpecialtyLines, ReportPortOut, ReportUser}

// ReportExport checks a CSV report (StartExport starts it as a job, 202).
// Monthly kinds need month (1-12) and year (2000 to now, not a month still
// to come): any other value answers 412 InvalidMonthOrYear. The rows are the
// objects that exist when the report is built; a monthly report keeps those
// created by the end of that month. whole asks a monthly kind for every
// object, whatever month it was created in (the legacy synchronous reports
// whose month and year are optional).
func (s *Store) ReportExport(partitionID, kind string, month, year int, whole bool) (Export, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return Export{}, NotFound("Partition", partitionID)
	}
	fields, ok := reportFields[kind]
	if !ok && kind != ReportTN {
		return Export{}, NotFound("Report", kind)
	}
	until := time.Time{}
	name := kind + " report"
	if slices.Contains(MonthlyReports, kind) && !whole {
		now := s.clock.Now()
		if month < 1 || month > 12 || year < 2000 || year > now.Year() || (year == now.Year() && month > int(now.Month())) {
			return Export{}, ErrInvalidMonthOrYear
		}
		until = time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
		name = fmt.Sprintf("%s report %04d-%02d", kind, year, month)
	}
	produce := func(s *Store) ([][]string, error) {
		if kind == ReportTN {
			return s.numberReportRows(partitionID, until)
		}
		return s.reportRows(partitionID, kind, fields, until)
	}
	return Export{partitionID: partitionID, name: name, produce: produce}, nil
}

// reportRows builds a report's rows from the live state. Lock held.
func (s *Store) reportRows(partitionID, kind string, fields []string, until time.Time) ([][]string, error) {
	ids := s.partitionIDsOf(partitionID, kind)
	if !until.IsZero() {
		created := s.createdDates(partitionID, historyRefOf[kind])
		ids = slices.DeleteFunc(ids, func(id string) bool {
			t, ok := created[id]
			return ok && !t.Before(until)
		})
	}
	var objs []any
	for _, id := range ids {
		switch kind {
		case ReportUser, ReportUserProducts:
			objs = append(objs, s.endUsers[id]) // only stored fields are exported
		case ReportSip:
			t := *s.trunks[id] // a shallow copy: only read, to be encoded
			t.TelephoneNumbers = s.numbersRoutedTo(t.ID)
			t.SipProxyServer = s.settingString(t.PartitionID, SettingSipTrunkProxyServer)
			objs = append(objs, &t)
		case ReportDevice:
			objs = append(objs, deviceOut(s.devices[id]))
		case ReportDeviceRegistration:
			d := s.devices[id]
			objs = append(objs, map[string]any{"id": d.ID, "accountId": d.AccountID, "macAddress": d.MacAddress,
				"lineNumber": d.LineNumber, "sipUsername": d.SipUsername, "registered": s.registered[d.ID]})
		case ReportAccount:
			objs = append(objs, s.accountOut(s.accounts[id]))
		case ReportBusinessLines:
			objs = append(objs, businessLineOut(s.businessLines[id]))
		case ReportSpecialtyLines:
			l := s.specialtyLineOut(s.specialtyLines[id])
			l.SipPassword = "" // a report never carries a secret
			objs = append(objs, l)
		case ReportVfax:
			o := s.generic[id]
			_, aid, _, _ := accountCollection(id)
			objs = append(objs, map[string]any{"id": o.ID, "accountId": aid, "name": o.Body["name"],
				"telephoneNumber": strings.Join(s.tnsRoutedTo(aid, "VFAX", o.ID), " ")})
		}
	}
	return csvRows(fields, objs)
}

// endUserChangeFields are the columns of the end user change report: the
// account history record's own fields.
var endUserChangeFields = []string{"loggedDate", "accountId", "accountNumber", "action", "accountHistoryType",
	"referenceId", "referenceName", "userName", "userType", "oldValue", "newValue"}

// EndUserChangesExport checks the end user change report: every account
// history record about an end user logged from startDate to endDate
// (yyyy-MM-dd, both inclusive) in the partition, deleted accounts included,
// oldest first.
func (s *Store) EndUserChangesExport(partitionID, startDate, endDate string) (Export, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return Export{}, NotFound("Partition", partitionID)
	}
	start, err := time.Parse(time.DateOnly, startDate)
	if err != nil {
		return Export{}, invalidField("startDate")
	}
	end, err := time.Parse(time.DateOnly, endDate)
	if err != nil || end.Before(start) {
		return Export{}, invalidField("endDate")
	}
	end = end.Add(24 * time.Hour)
	produce := func(s *Store) ([][]string, error) {
		var recs []AccountHistory
		for _, id := range sortedKeys(s.history) {
			h := s.history[id]
			if h.PartitionID != partitionID {
				continue
			}
			for _, r := range h.Records {
				t, err := time.Parse(time.RFC3339, r.LoggedDate)
				if r.ReferenceType == "EndUser" && err == nil && !t.Before(start) && t.Before(end) {
					recs = append(recs, r)
				}
			}
		}
		slices.SortStableFunc(recs, func(a, b AccountHistory) int { return strings.Compare(a.LoggedDate, b.LoggedDate) })
		return csvRows(endUserChangeFields, recs)
	}
	return Export{partitionID: partitionID, name: "end user changes " + startDate + " to " + endDate, produce: produce}, nil
}

// ---- partition settings ----

// PartitionSetting is one of a partition's settings (PartitionSettingX).
type PartitionSetting struct {
	PartitionID string `json:"partitionId"`
	Type        string `json:"type"`
	Value       any    `json:"value"`
}

// Setting types the emulator reads itself.
const (
	SettingSipTrunkProxyServer = "SipTrunkProxyServer"
	// DefaultSipTrunkProxyServer is the proxy trunks are given unless a
	// partition's settings say otherwise.
	DefaultSipTrunkProxyServer = "siptrunk.fakealianza.test:5065"
)

// settingTypes are the types a partition setting may have, with the value
// every partition starts with.
var settingDefaults = map[string]any{
	"IntegrationNotificationEmail":    "",
	"CDRReportColumns":                "",
	SettingSipTrunkProxyServer:        DefaultSipTrunkProxyServer,
	"AllowAccountDangerousExtensions": false,
	"InboundRatePlanDefault":          "",
	"SUB_DOMAINS":                     []any{},
	"SEND_WELCOME_EMAIL":              false,
	"REGULATORY_TYPE":                 "RESIDENTIAL",
	"ACCOUNT_HOLD_MUSIC_DEFAULT":      "",
	"PLATFORM_TYPE_DEFAULT":           "CPE2",
	"GENERATED_SIP_PASSWORD_LENGTH":   12,
	"ENABLE_STAGED_CALL":              false,
	"MAX_BURST_CALL_PERCENTAGE":       20,
	"ALLOW_VM_MESSAGE_ACCESS":         true,
}

// loadSettings indexes fixture settings over the defaults. Store being built.
func (s *Store) loadSettings(st State) error {
	for i, ps := range st.PartitionSettings {
		if _, ok := s.partitions[ps.PartitionID]; !ok {
			return fmt.Errorf("partition setting %d: unknown partition %q", i, ps.PartitionID)
		}
		if _, ok := settingDefaults[ps.Type]; !ok {
			return fmt.Errorf("partition setting %d: unknown type %q", i, ps.Type)
		}
		if s.settings[ps.PartitionID] == nil {
			s.settings[ps.PartitionID] = map[string]PartitionSetting{}
		}
		s.settings[ps.PartitionID][ps.Type] = ps
	}
	return nil
}

// PartitionSettings returns every setting of a partition by type.
func (s *Store) PartitionSettings(partitionID string) (map[string]PartitionSetting, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	out := make(map[string]PartitionSetting, len(settingDefaults))
	for t := range settingDefaults {
		out[t] = s.setting(partitionID, t)
	}
	return deepCopy(out), nil
}

func (s *Store) setting(partitionID, typ string) PartitionSetting {
	if ps, ok := s.settings[partitionID][typ]; ok {
		return ps
	}
	return PartitionSetting{PartitionID: partitionID, Type: typ, Value: settingDefaults[typ]}
}

func (s *Store) settingString(partitionID, typ string) string {
	v, _ := s.setting(partitionID, typ).Value.(string)
	return v
}

// ---- reference data ----

// Language is one language the platform speaks (LanguageReferenceX).
type Language struct {
	ID       string `json:"id"`
	Country  string `json:"country"`
	Language string `json:"language"`
}

// Languages are the language tags accounts and users may use.
func Languages() []Language {
	return []Language{{ID: "en-US", Country: "US", Language: "en"}, {ID: "fr-CA", Country: "CA", Language: "fr"}}
}
