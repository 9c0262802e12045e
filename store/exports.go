package store

import (
	"math"
	"strings"
)

// Export is a CSV export the store has checked and can build, either now
// (the synchronous variants: a report's csv, telephonenumber/export,
// cdrsearch/csv) or later as a job (their _2/_3 variants answer 202 with
// the Job). Both give the same CSV for the same state.
type Export struct {
	partitionID string
	name        string
	produce     CSVProducer
}

// ExportCSV builds an export now and returns its CSV text.
func (s *Store) ExportCSV(e Export) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	rows, err := e.produce(s)
	if err != nil {
		return "", err
	}
	return encodeCSV(rows)
}

// StartExport starts a job that builds an export for a user (202 with the
// Job): the lifecycle modes move it, the rows are read when it is done.
func (s *Store) StartExport(e Export, userID string) (Job, error) {
	return s.StartJob(e.partitionID, userID, e.name, e.produce)
}

// CDRExport checks cdrsearch's CSV export for an account: the records the
// search matches now (every match unless all is false, then q's page), with
// the datafeed files' columns and values (as every job output, its lines
// end in LF; the files' in CRLF).
func (s *Store) CDRExport(partitionID, accountID string, q CDRQuery, all bool) (Export, error) {
	if all {
		q.First, q.Max = 0, math.MaxInt
	}
	page, err := s.SearchCDRs(partitionID, accountID, q)
	if err != nil {
		return Export{}, err
	}
	rows := [][]string{CDRColumns()}
	for i := range page.Results {
		rows = append(rows, page.Results[i].csvRow())
	}
	return Export{partitionID: partitionID, name: "cdr export " + accountID,
		produce: func(*Store) ([][]string, error) { return rows, nil }}, nil
}

// inventoryExportFields are the columns of the number inventory export: the
// partition number's own field names.
var inventoryExportFields = []string{"phoneNumber", "partitionId", "accountId", "operationalStatus", "isInInventory",
	"functionType", "byotn", "port", "carrierId", "rateCenter", "rateCenterReorderName", "state", "country",
	"activationDate", "cooldownExpireDate", "cooldownRecoveredDate"}

// InventoryExport checks the number inventory export
// (telephonenumber/export): every number of the partition, whatever its
// state, by number, as the inventory list shows it.
func (s *Store) InventoryExport(partitionID string) (Export, error) {
	if err := s.partitionExists(partitionID); err != nil {
		return Export{}, err
	}
	return Export{partitionID: partitionID, name: "telephone number export", produce: func(s *Store) ([][]string, error) {
		return csvRows(inventoryExportFields, s.inventoryViews(partitionID))
	}}, nil
}

// statusExportFields are the columns of the status search export: the
// service activation event's own field names (its logs stay out).
var statusExportFields = []string{"id", "accountId", "serviceType", "referenceType", "referenceId",
	"activationStatusType", "mainTelephoneNumber", "subTelephoneNumbers", "createdDate", "lastUpdatedDate",
	"focDate", "crdDate", "firstName", "lastName", "companyName", "city", "state", "losingCarrier", "inboundCarrierType"}

// StatusSearchExport checks the status search export
// (telephonenumber/exportstatussearch): every event statussearch finds for
// q, newest first, unpaged.
func (s *Store) StatusSearchExport(partitionID string, q StatusQuery) (Export, error) {
	if err := s.partitionExists(partitionID); err != nil {
		return Export{}, err
	}
	f, err := q.check()
	if err != nil {
		return Export{}, err
	}
	return Export{partitionID: partitionID, name: "telephone number status export", produce: func(s *Store) ([][]string, error) {
		hits := s.statusHits(partitionID, f)
		out := make([]ActivationEvent, len(hits))
		for i, e := range hits {
			out[i] = eventOut(e)
		}
		return csvRows(statusExportFields, out)
	}}, nil
}

// partitionExists is the 404 of a partition that is not there.
func (s *Store) partitionExists(partitionID string) error {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return NotFound("Partition", partitionID)
	}
	return nil
}

// DeviceLinesExport checks the CSV of one physical device's lines
// (A/device/{macAddress}/csv): the device report's columns, a row per
// line by line number. A MAC with no line in the account is 404.
func (s *Store) DeviceLinesExport(partitionID, accountID, mac string) (Export, error) {
	if _, err := s.DevicesByMAC(partitionID, accountID, mac); err != nil {
		return Export{}, err
	}
	return Export{partitionID: partitionID, name: "device " + mac, produce: func(s *Store) ([][]string, error) {
		return csvRows(reportFields[ReportDevice], s.linesOfMAC(accountID, mac))
	}}, nil
}

// mgmtUserGroupFields are the columns of the management user groups CSV:
// the management user's own field names (never its password).
var mgmtUserGroupFields = []string{"id", "username", "firstName", "lastName", "emailAddress", "roles", "groupIds"}

// ManagementUserGroupsExport checks the CSV of a partition's management
// users and their groups (managementuser/usergroups), by username.
func (s *Store) ManagementUserGroupsExport(partitionID string) (Export, error) {
	if err := s.partitionExists(partitionID); err != nil {
		return Export{}, err
	}
	return Export{partitionID: partitionID, name: "management user groups", produce: func(s *Store) ([][]string, error) {
		rows := [][]string{mgmtUserGroupFields}
		for _, u := range s.managementUsersOf(partitionID) {
			rows = append(rows, []string{u.ID, u.Username, u.FirstName, u.LastName, u.EmailAddress,
				strings.Join(u.Roles, "|"), strings.Join(u.GroupIDs, "|")})
		}
		return rows, nil
	}}, nil
}
