package fakealianza

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"

	"github.com/fakealianza/fakealianza/certify"
	"github.com/fakealianza/fakealianza/journal"
	"github.com/fakealianza/fakealianza/routes"
	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

// Journal is the request journal.
func (s *Server) Journal() *journal.Journal { return s.journal }

// Faults is the fault-rule engine.
func (s *Server) Faults() *scenarios.Engine { return s.faults }

// Certifier runs certification rehearsals (POST /__admin/certification/start).
func (s *Server) Certifier() *certify.Certifier { return s.certify }

// Scenarios starts and stops scenarios.
func (s *Server) Scenarios() *scenarios.Runner { return s.runner }

// OnReset registers f to run after the state was reset or replaced
// (POST /__admin/reset, PUT /__admin/state: partitionID ""; a partition
// reset: its id). Parts that keep state outside the store (tokens) drop it
// there.
func (s *Server) OnReset(f func(partitionID string)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.onReset = append(s.onReset, f)
}

func (s *Server) runResetHooks(partitionID string) {
	s.hookMu.Lock()
	hooks := append([]func(string){}, s.onReset...)
	s.hookMu.Unlock()
	for _, f := range hooks {
		f(partitionID)
	}
}

// SetSFTPLogin replaces how a new partition (POST /__admin/partitions) gets
// its datafeed login; by default it is the partition's login on the running
// SFTP datafeed (none when the datafeed is off).
func (s *Server) SetSFTPLogin(f func(partitionID string) (*routes.AdminSFTPLogin, error)) {
	s.hookMu.Lock()
	defer s.hookMu.Unlock()
	s.sftpLogin = f
}

func (s *Server) runSFTPLogin(partitionID string) (*routes.AdminSFTPLogin, error) {
	s.hookMu.Lock()
	f := s.sftpLogin
	s.hookMu.Unlock()
	if f != nil {
		return f(partitionID)
	}
	if s.sftp == nil {
		return nil, nil
	}
	for _, l := range s.store.DatafeedLogins() {
		if l.PartitionID == partitionID {
			return &routes.AdminSFTPLogin{Address: s.SFTPAddr(), Username: l.Username, Password: l.Password}, nil
		}
	}
	return nil, nil
}

// loadStateFile replaces the seed's state with the state file, when one is
// configured and exists. It first removes temporary files a save cut short
// left beside it. The load is strict: an unknown key, a file over
// store.MaxStateBytes or one without "partitions" (an empty state says
// {"partitions":[]}) stops the start, so a file the server did not fully
// understand is never rewritten without the parts it skipped.
func (s *Server) loadStateFile() error {
	if s.opts.StateFile == "" {
		return nil
	}
	s.removeStaleTemps()
	f, err := os.Open(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer f.Close()
	st, err := decodeStateFile(f)
	if err != nil {
		return fmt.Errorf("state file %s: %w", s.opts.StateFile, err)
	}
	if err := s.store.RestoreOwned(st); err != nil {
		return fmt.Errorf("state file %s: %w", s.opts.StateFile, err)
	}
	s.log.Info("state loaded", "file", s.opts.StateFile)
	return nil
}

// decodeStateFile reads a state file strictly.
func decodeStateFile(f *os.File) (store.State, error) {
	var st store.State
	if fi, err := f.Stat(); err != nil {
		return st, err
	} else if fi.Size() > store.MaxStateBytes {
		return st, fmt.Errorf("%d bytes, over the limit of %d", fi.Size(), store.MaxStateBytes)
	}
	if err := presize(f, &st); err != nil {
		return st, err
	}
	dec := json.NewDecoder(bufio.NewReader(io.LimitReader(f, store.MaxStateBytes)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		return st, err
	}
	st.TelephoneNumbers, st.Accounts = trimmed(st.TelephoneNumbers), trimmed(st.Accounts)
	if _, err := dec.Token(); err != io.EOF {
		return st, errors.New("more than one JSON value")
	}
	return st, store.CheckWhole(&st)
}

// presize gives the state's two largest lists room for as many objects as
// the file names by their key, so that the decoder, which appends to the
// room it finds, does not regrow them: a million numbers regrown are several
// hundred MB at once. The count may be high (the same key elsewhere); the
// lists are trimmed after the decode.
func presize(f *os.File, st *store.State) error {
	numbers, accounts := []byte(`"phoneNumber":`), []byte(`"accountNumber":`)
	var nNumbers, nAccounts int
	buf := make([]byte, 1<<20)
	carry := 0 // bytes kept from the last read: a key may span two reads
	for {
		n, err := f.Read(buf[carry:])
		chunk := buf[:carry+n]
		nNumbers += bytes.Count(chunk, numbers)
		nAccounts += bytes.Count(chunk, accounts)
		// Keep a tail one byte shorter than the longer key, so no key is
		// missed across two reads (the shorter may be counted twice: the
		// count may be high, never low).
		keep := min(len(chunk), len(accounts)-1)
		copy(buf, chunk[len(chunk)-keep:])
		carry = keep
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
	}
	if nNumbers > 0 {
		st.TelephoneNumbers = make([]store.NumberRecord, 0, nNumbers)
	}
	if nAccounts > 0 {
		st.Accounts = make([]store.Account, 0, nAccounts)
	}
	_, err := f.Seek(0, io.SeekStart)
	return err
}

// trimmed drops room presize gave a list beyond what it was given (an
// empty list stays as the decoder left it).
func trimmed[T any](list []T) []T {
	if cap(list) > len(list)+len(list)/8+16 {
		return slices.Clone(list)
	}
	return list
}

// stateTempPattern names the temporary files a save writes beside the
// state file.
const stateTempPattern = ".fakealianza-state-*.tmp"

// removeStaleTemps deletes temporary files of saves that never finished
// (the server was killed between writing and renaming).
func (s *Server) removeStaleTemps() {
	stale, err := filepath.Glob(filepath.Join(filepath.Dir(s.opts.StateFile), stateTempPattern))
	if err != nil {
		return
	}
	for _, f := range stale {
		if err := os.Remove(f); err != nil {
			s.log.Warn("stale state temp file not removed", "file", f, "err", err)
			continue
		}
		s.log.Info("stale state temp file removed", "file", f)
	}
}

// saveStateFile writes the state to a temporary file in the same folder,
// syncs it, renames it over the state file and syncs the folder, so a crash
// leaves either the old file or the new one, never half of one, and the
// rename itself survives a power cut.
func (s *Server) saveStateFile() error {
	if s.opts.StateFile == "" {
		return nil
	}
	dir := filepath.Dir(s.opts.StateFile)
	tmp, err := os.CreateTemp(dir, stateTempPattern)
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if err := s.store.WriteState(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return fmt.Errorf("state file: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.opts.StateFile); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	if err := syncDir(dir); err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	s.log.Info("state saved", "file", s.opts.StateFile)
	return nil
}

// syncDir makes a folder's entries (a rename into it) durable. A variable
// so a test can see it called.
var syncDir = func(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		return err
	}
	return nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
