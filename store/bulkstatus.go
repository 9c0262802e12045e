package store

import (
	"strconv"
	"strings"
)

// Account status changes in bulk: a CSV file whose header names the
// account (accountNumber or accountId) and the new status, one account a
// row. Each row is applied on its own with the rules of PATCH A {status}
// (history logged as ACCOUNT_STATUS); a row that cannot be applied is
// reported with its line number, column and input, and the others go on.

// bulkStatusColumns is the definition file's header
// (GET /v2/ref/account/bulkstatuschange).
var bulkStatusColumns = []string{"accountNumber", "status"}

// BulkStatusDefinition is the empty bulk status change file: its header.
func BulkStatusDefinition() string { return strings.Join(bulkStatusColumns, ",") + "\n" }

// bulkStatusResultColumns are the columns of a bulk status job's output:
// one row per line of the file and what became of it.
var bulkStatusResultColumns = []string{"lineNumber", "accountId", "accountNumber", "status", "result"}

// BulkStatusChange applies a bulk status change file now and returns the
// rows it could not apply ([] when it applied them all).
func (s *Store) BulkStatusChange(partitionID string, file []byte, by Actor) ([]JobError, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	_, errs := s.applyBulkStatus(partitionID, file, by)
	return orEmpty(errs), nil
}

// StartBulkStatusChange starts bulkstatuschange_2 over the file uploaded
// for key: the job applies its rows when it is done; its output lists every
// row's result, its errors the rows that failed (startImportJob).
func (s *Store) StartBulkStatusChange(partitionID, userID, key string, by Actor) (Job, error) {
	return s.startImportJob(partitionID, userID, key, "account bulk status change", func(s *Store, file []byte) ([][]string, []JobError) {
		return s.applyBulkStatus(partitionID, file, by)
	})
}

// applyBulkStatus applies the rows of a file. Lock held (write).
func (s *Store) applyBulkStatus(partitionID string, file []byte, by Actor) ([][]string, []JobError) {
	out := [][]string{bulkStatusResultColumns}
	f := readImport(file, nil)
	byID, byNumber, st := f.column("accountId"), f.column("accountNumber"), f.column("status")
	var errs []JobError
	if f.header != nil && st < 0 {
		errs = append(errs, JobError{Error: "ColumnRequired", LineNumber: 1, Column: "status"})
	}
	if f.header != nil && byID < 0 && byNumber < 0 {
		errs = append(errs, JobError{Error: "ColumnRequired", LineNumber: 1, Column: "accountNumber"})
	}
	if f.header == nil || len(errs) > 0 {
		if f.err != nil {
			errs = append(errs, *f.err)
		}
		return out, errs
	}
	for _, r := range f.rows {
		id, number, status := r.cell(byID), r.cell(byNumber), r.cell(st)
		a, column, input := s.bulkAccount(partitionID, id, number)
		var fail *Error
		switch {
		case a == nil:
			fail = NotFound("Account", input)
		case status == "":
			fail, column, input = Invalid("StatusRequired"), "status", ""
		default:
			next, perr := patched(a, map[string]any{"status": status})
			if perr == nil {
				_, perr = s.replaceAccount(a, next, by)
			}
			if perr != nil {
				fail, column, input = asError(perr), "status", status
			}
		}
		row := []string{strconv.Itoa(r.line), id, number, status, "UPDATED"}
		if a != nil {
			row[1], row[2] = a.ID, a.AccountNumber
		}
		if fail != nil {
			row[4] = fail.Code
			errs = append(errs, JobError{Error: fail.Code, LineNumber: r.line, Column: column, Input: input})
		}
		out = append(out, row)
	}
	if f.err != nil {
		errs = append(errs, *f.err)
	}
	return out, errs
}

// bulkAccount finds a row's account, by id when the row gives one, else by
// number; it also names the column and input that failed. Lock held.
func (s *Store) bulkAccount(partitionID, id, number string) (*Account, string, string) {
	column, key, idType := "accountId", id, AccountIDTypeID
	if id == "" {
		column, key, idType = "accountNumber", number, AccountIDTypeAccountNumber
	}
	a, err := s.accountByIDType(partitionID, key, idType)
	if err != nil {
		return nil, column, key
	}
	return a, column, key
}
