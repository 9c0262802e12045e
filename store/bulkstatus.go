package store

import (
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"slices"
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
// for key. The job reads the file and applies its rows when it is done: its
// output lists every row's result, its errors the rows that failed. A key
// with no file (never issued, forgotten, or nothing PUT to it) fails the
// job with JobInputNotFound or JobInputMissing, as a file the platform
// cannot read fails it there.
func (s *Store) StartBulkStatusChange(partitionID, userID, key string, by Actor) (Job, error) {
	if key == "" {
		return Job{}, Invalid("KeyRequired")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return Job{}, NotFound("Partition", partitionID)
	}
	job := s.startJob(partitionID, userID, "account bulk status change", func(s *Store) ([][]string, error) {
		file, err := s.jobInput(key)
		if err != nil {
			if asError(err).Code == "EntityNotFound" {
				return nil, errors.New("JobInputNotFound")
			}
			return nil, errors.New(asError(err).Code)
		}
		rows, errs := s.applyBulkStatus(partitionID, file, by)
		if len(errs) > 0 {
			return rows, rowErrors(errs)
		}
		return rows, nil
	})
	r := s.jobs[job.ID]
	r.Job.InputKey = key
	return r.out(), nil
}

// applyBulkStatus applies the rows of a file. Lock held (write).
func (s *Store) applyBulkStatus(partitionID string, file []byte, by Actor) ([][]string, []JobError) {
	out := [][]string{bulkStatusResultColumns}
	rd := csv.NewReader(bytes.NewReader(file))
	rd.FieldsPerRecord = -1
	header, err := rd.Read()
	if err != nil {
		return out, []JobError{{Error: "InvalidFile", LineNumber: 1}}
	}
	col := func(name string) int {
		return slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), name) })
	}
	byID, byNumber, st := col("accountId"), col("accountNumber"), col("status")
	var errs []JobError
	if st < 0 {
		errs = append(errs, JobError{Error: "ColumnRequired", LineNumber: 1, Column: "status"})
	}
	if byID < 0 && byNumber < 0 {
		errs = append(errs, JobError{Error: "ColumnRequired", LineNumber: 1, Column: "accountNumber"})
	}
	if len(errs) > 0 {
		return out, errs
	}
	cell := func(rec []string, i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	for line := 2; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			errs = append(errs, JobError{Error: "InvalidFile", LineNumber: line})
			break
		}
		if len(strings.Join(rec, "")) == 0 {
			continue // a blank line
		}
		id, number, status := cell(rec, byID), cell(rec, byNumber), cell(rec, st)
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
		row := []string{strconv.Itoa(line), id, number, status, "UPDATED"}
		if a != nil {
			row[1], row[2] = a.ID, a.AccountNumber
		}
		if fail != nil {
			row[4] = fail.Code
			errs = append(errs, JobError{Error: fail.Code, LineNumber: line, Column: column, Input: input})
		}
		out = append(out, row)
	}
	return out, errs
}

// bulkAccount finds a row's account, by id when the row gives one, else by
// number; it also names the column and input that failed. Lock held.
func (s *Store) bulkAccount(partitionID, id, number string) (*Account, string, string) {
	if id != "" {
		a, err := s.account(partitionID, id)
		if err != nil {
			return nil, "accountId", id
		}
		return a, "accountId", id
	}
	if aid, ok := s.acctByNumber[acctKey(partitionID, number)]; ok {
		return s.accounts[aid], "accountNumber", number
	}
	return nil, "accountNumber", number
}

// asError is err as the store's error (a plain one is a 400 InvalidValue).
func asError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return Invalid("InvalidValue")
}
