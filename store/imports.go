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

// Imports read a CSV file a client uploads (a multipart file, or a job
// input): a header row naming the columns, then one row per object. Each
// row is applied on its own; a row that cannot be is reported with its line
// number, column and input, and the others go on.

// importRow is one data row of an import file and its line number.
type importRow struct {
	line  int
	cells []string
}

// cell is a row's trimmed cell in column i ("" when the row is short or i < 0).
func (r importRow) cell(i int) string {
	if i < 0 || i >= len(r.cells) {
		return ""
	}
	return strings.TrimSpace(r.cells[i])
}

// importFile is a read import file.
type importFile struct {
	header []string
	rows   []importRow
	err    *JobError // the file could not be read past rows (nil: read whole)
}

// column finds a column by name, any case (-1: none).
func (f *importFile) column(name string) int {
	return slices.IndexFunc(f.header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), name) })
}

// readImport reads an import file; blank lines are skipped. A file whose
// first row is not a header (headerless reports it, e.g. a bare number)
// keeps that row as data.
func readImport(file []byte, headerless func(first []string) bool) importFile {
	rd := csv.NewReader(bytes.NewReader(file))
	rd.FieldsPerRecord = -1
	var f importFile
	for line := 1; ; line++ {
		rec, err := rd.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			f.err = &JobError{Error: "InvalidFile", LineNumber: line}
			break
		}
		if line == 1 && (headerless == nil || !headerless(rec)) {
			f.header = rec
			continue
		}
		if strings.TrimSpace(strings.Join(rec, "")) != "" {
			f.rows = append(f.rows, importRow{line: line, cells: rec})
		}
	}
	if f.header == nil && f.err == nil && len(f.rows) == 0 {
		f.err = &JobError{Error: "InvalidFile", LineNumber: 1}
	}
	return f
}

// ---- telephone numbers ----

// numberFunctionTypes are the function types a partition number may have.
var numberFunctionTypes = []string{"ELS", "TollFree", "TemporaryNumber", "SPTN"}

// tnImportResultColumns are a number import job's output columns.
var tnImportResultColumns = []string{"lineNumber", "phoneNumber", "result"}

// ImportNumbers adds the numbers of an import file to a partition's
// inventory now (telephonenumber/bulkimport) and returns those it added, in
// file order; see importNumbers.
func (s *Store) ImportNumbers(partitionID string, file []byte) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return nil, NotFound("Partition", partitionID)
	}
	rows, _ := s.importNumbers(partitionID, file)
	added := []string{}
	for _, r := range rows[1:] {
		if r[2] == "ADDED" {
			added = append(added, r[1])
		}
	}
	return added, nil
}

// StartNumberImport starts telephonenumber/bulkimport_2 over the file
// uploaded for key (202 with the Job): the numbers are added when the job
// is done; its output has a row per line (ADDED or the error code), its
// errors the rows that failed.
func (s *Store) StartNumberImport(partitionID, userID, key string) (Job, error) {
	return s.startImportJob(partitionID, userID, key, "telephone number import", func(s *Store, file []byte) ([][]string, []JobError) {
		return s.importNumbers(partitionID, file)
	})
}

// importNumbers adds the numbers of a file: a phoneNumber (or
// telephoneNumber) column, or numbers one a line without a header;
// optional functionType and carrierId columns. Each number follows POST
// P/telephonenumber's rules. Lock held (write).
func (s *Store) importNumbers(partitionID string, file []byte) ([][]string, []JobError) {
	out := [][]string{tnImportResultColumns}
	f := readImport(file, func(first []string) bool { return len(first) > 0 && isDigits(strings.TrimSpace(first[0])) })
	tnCol, ftCol, carrierCol := 0, -1, -1
	if f.header != nil {
		tnCol = f.column("phoneNumber")
		if tnCol < 0 {
			tnCol = f.column("telephoneNumber")
		}
		ftCol, carrierCol = f.column("functionType"), f.column("carrierId")
		if tnCol < 0 {
			return out, []JobError{{Error: "ColumnRequired", LineNumber: 1, Column: "phoneNumber"}}
		}
	}
	var errs []JobError
	for _, r := range f.rows {
		tn, ft := r.cell(tnCol), r.cell(ftCol)
		row := []string{strconv.Itoa(r.line), tn, "ADDED"}
		if ft != "" && !slices.Contains(numberFunctionTypes, ft) {
			row[2] = "InvalidValueForField:functionType"
			errs = append(errs, JobError{Error: row[2], LineNumber: r.line, Column: "functionType", Input: ft})
		} else if _, err := s.addInventoryNumber(partitionID, TelephoneNumberView{PhoneNumber: tn,
			FunctionType: ft, CarrierID: r.cell(carrierCol)}); err != nil {
			row[2] = asError(err).Code
			errs = append(errs, JobError{Error: row[2], LineNumber: r.line, Column: "phoneNumber", Input: tn})
		}
		out = append(out, row)
	}
	if f.err != nil {
		errs = append(errs, *f.err)
	}
	return out, errs
}

// startImportJob starts a job that applies the file uploaded for key when
// it is done. A key with no file fails the job (JobInputNotFound,
// JobInputMissing), as a file the platform cannot read fails it there.
func (s *Store) startImportJob(partitionID, userID, key, name string, apply func(*Store, []byte) ([][]string, []JobError)) (Job, error) {
	if key == "" {
		return Job{}, Invalid("KeyRequired")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.partitions[partitionID]; !ok {
		return Job{}, NotFound("Partition", partitionID)
	}
	job := s.startJob(partitionID, userID, name, func(s *Store) ([][]string, error) {
		file, err := s.jobInput(key)
		if err != nil {
			if asError(err).Code == "EntityNotFound" {
				return nil, errors.New("JobInputNotFound")
			}
			return nil, errors.New(asError(err).Code)
		}
		rows, errs := apply(s, file)
		if len(errs) > 0 {
			return rows, rowErrors(errs)
		}
		return rows, nil
	})
	r := s.jobs[job.ID]
	r.Job.InputKey = key
	return r.out(), nil
}

// asError is err as the store's error (a plain one is a 400 InvalidValue).
func asError(err error) *Error {
	var se *Error
	if errors.As(err, &se) {
		return se
	}
	return Invalid("InvalidValue")
}
