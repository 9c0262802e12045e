package store

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"
)

// AccountHistory is one change in an account (AccountHistoryX): who did what
// to which object, with the object's JSON before and after.
type AccountHistory struct {
	ID                 string `json:"id"`
	AccountID          string `json:"accountId,omitempty"`
	AccountNumber      string `json:"accountNumber,omitempty"`
	OldValue           string `json:"oldValue,omitempty"`
	NewValue           string `json:"newValue,omitempty"`
	UserName           string `json:"userName,omitempty"`
	UserID             string `json:"userId,omitempty"`
	UserType           string `json:"userType,omitempty"`
	PartitionName      string `json:"partitionName,omitempty"`
	AccountHistoryType string `json:"accountHistoryType,omitempty"`
	LoggedDate         string `json:"loggedDate,omitempty"`
	ReferenceType      string `json:"referenceType,omitempty"`
	ReferenceID        string `json:"referenceId,omitempty"`
	ReferenceName      string `json:"referenceName,omitempty"`
	Action             string `json:"action,omitempty"`
}

// AccountHistoryLog is the history of one account in State. It outlives the
// account, so a deleted account's history can still be read by number.
type AccountHistoryLog struct {
	PartitionID        string           `json:"partitionId"`
	AccountID          string           `json:"accountId"`
	AccountNumber      string           `json:"accountNumber"`
	AccountCreatedDate string           `json:"accountCreatedDate,omitempty"`
	Records            []AccountHistory `json:"records"`
}

// AccountHistoryPage is one page of an account's history
// (AccountHistorySearchResponseX).
type AccountHistoryPage struct {
	TotalRecords           int64            `json:"totalRecords"`
	AccountCreatedDate     string           `json:"accountCreatedDate,omitempty"`
	AccountLastUpdatedDate string           `json:"accountLastUpdatedDate,omitempty"`
	Results                []AccountHistory `json:"results"`
}

// HistoryQuery filters and pages a history search. Dates are yyyy-MM-dd and
// inclusive; Types keeps only those accountHistoryType values.
type HistoryQuery struct {
	StartDate, EndDate string
	Types              []string
	FirstResultIndex   int
	MaxResult          int // 0: 20
}

// logHistory appends a record to an account's history. oldV and newV are
// the object before and after (nil for none); secrets never reach history
// because it stores what callers may read. Lock held.
//
// An UPDATE that changed nothing (the same JSON before and after) is not
// recorded, and an account keeps at most HistoryLimit records, the oldest
// dropped first.
func (s *Store) logHistory(a *Account, by Actor, action, kind, refType, refID, refName string, oldV, newV any) {
	oldJSON, newJSON := historyValue(oldV), historyValue(newV)
	if action == "UPDATE" && oldV != nil && newV != nil && oldJSON == newJSON {
		return
	}
	log := s.history[a.ID]
	if log == nil {
		log = &AccountHistoryLog{PartitionID: a.PartitionID, AccountID: a.ID, AccountNumber: a.AccountNumber, AccountCreatedDate: s.now()}
		s.history[a.ID] = log
	}
	log.AccountNumber = a.AccountNumber
	partitionName := ""
	if p, ok := s.partitions[a.PartitionID]; ok {
		partitionName = p.Name
	}
	if limit := s.historyLimit(); len(log.Records) >= limit {
		log.Records = dropOldest(log.Records, len(log.Records)-limit+1)
	}
	log.Records = append(log.Records, AccountHistory{
		ID: NewID(), AccountID: a.ID, AccountNumber: a.AccountNumber,
		OldValue: oldJSON, NewValue: newJSON,
		UserName: by.UserName, UserID: by.UserID, UserType: by.UserType,
		PartitionName: partitionName, AccountHistoryType: kind, LoggedDate: s.now(),
		ReferenceType: refType, ReferenceID: refID, ReferenceName: refName, Action: action,
	})
}

// DefaultHistoryLimit is how many records an account's history keeps when
// SetHistoryLimit was not called; MaxHistoryLimit bounds the setting.
const (
	DefaultHistoryLimit = 1000
	MaxHistoryLimit     = 10_000
)

// SetHistoryLimit caps every account's history at n records (oldest
// dropped first; n <= 0: DefaultHistoryLimit); longer histories are cut now.
func (s *Store) SetHistoryLimit(n int) error {
	if n > MaxHistoryLimit {
		return fmt.Errorf("history limit %d over %d", n, MaxHistoryLimit)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.historyMax = n
	s.trimHistory()
	return nil
}

func (s *Store) historyLimit() int {
	if s.historyMax > 0 {
		return s.historyMax
	}
	return DefaultHistoryLimit
}

// trimHistory cuts every history to the limit. Lock held.
func (s *Store) trimHistory() {
	limit := s.historyLimit()
	for _, log := range s.history {
		if n := len(log.Records) - limit; n > 0 {
			log.Records = dropOldest(log.Records, n)
		}
	}
}

// dropOldest removes the first n records; appends after it reuse or
// reallocate the array, so the dropped ones are freed in time.
func dropOldest(recs []AccountHistory, n int) []AccountHistory {
	clear(recs[:n])
	return recs[n:]
}

func historyValue(v any) string {
	if v == nil {
		return ""
	}
	switch o := v.(type) {
	case *Device:
		v = deviceOut(o)
	case *EndUser:
		c := *o
		c.Devices = []Device{}
		v = c
	}
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return ""
	}
	return string(b)
}

// AccountHistorySearch pages the history of an account (by id), newest first.
func (s *Store) AccountHistorySearch(partitionID, accountID string, q HistoryQuery) (AccountHistoryPage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, err := s.account(partitionID, accountID); err != nil {
		return AccountHistoryPage{}, err
	}
	return s.historyPage(s.history[accountID], q)
}

// AccountHistorySearchByNumber pages the history of an account by its number;
// a deleted account's history is still found.
func (s *Store) AccountHistorySearchByNumber(partitionID, accountNumber string, q HistoryQuery) (AccountHistoryPage, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return AccountHistoryPage{}, NotFound("Partition", partitionID)
	}
	key := acctKey(partitionID, accountNumber)
	id, ok := s.acctByNumber[key]
	if !ok {
		id, ok = s.deletedAcctByNumber[key]
	}
	log := s.history[id]
	if !ok || log == nil {
		return AccountHistoryPage{}, NotFound("Account", accountNumber)
	}
	return s.historyPage(log, q)
}

func (s *Store) historyPage(log *AccountHistoryLog, q HistoryQuery) (AccountHistoryPage, error) {
	var start, end time.Time
	var err error
	if q.StartDate != "" {
		if start, err = time.Parse(time.DateOnly, q.StartDate); err != nil {
			return AccountHistoryPage{}, invalidField("startDate")
		}
	}
	if q.EndDate != "" {
		if end, err = time.Parse(time.DateOnly, q.EndDate); err != nil {
			return AccountHistoryPage{}, invalidField("endDate")
		}
		end = end.Add(24 * time.Hour)
	}
	if q.FirstResultIndex < 0 {
		return AccountHistoryPage{}, invalidField("firstResultIndex")
	}
	if q.MaxResult < 0 {
		return AccountHistoryPage{}, invalidField("maxResult")
	}
	if q.MaxResult == 0 {
		q.MaxResult = 20
	}
	page := AccountHistoryPage{Results: []AccountHistory{}}
	if log == nil {
		return page, nil
	}
	page.AccountCreatedDate = log.AccountCreatedDate
	var kept []AccountHistory
	for i := len(log.Records) - 1; i >= 0; i-- {
		r := log.Records[i]
		if page.AccountLastUpdatedDate == "" {
			page.AccountLastUpdatedDate = r.LoggedDate
		}
		if len(q.Types) > 0 && !slices.Contains(q.Types, r.AccountHistoryType) {
			continue
		}
		if !start.IsZero() || !end.IsZero() {
			t, err := time.Parse(timeLayout, r.LoggedDate)
			if err != nil || (!start.IsZero() && t.Before(start)) || (!end.IsZero() && !t.Before(end)) {
				continue
			}
		}
		kept = append(kept, r)
	}
	page.TotalRecords = int64(len(kept))
	if q.FirstResultIndex < len(kept) {
		kept = kept[q.FirstResultIndex:]
		if len(kept) > q.MaxResult {
			kept = kept[:q.MaxResult]
		}
		page.Results = append(page.Results, kept...)
	}
	return page, nil
}
