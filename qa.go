package fakealianza

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"

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
// configured and exists.
func (s *Server) loadStateFile() error {
	if s.opts.StateFile == "" {
		return nil
	}
	b, err := os.ReadFile(s.opts.StateFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	var st store.State
	if err := json.Unmarshal(b, &st); err != nil {
		return fmt.Errorf("state file %s: %w", s.opts.StateFile, err)
	}
	if err := s.store.Restore(st); err != nil {
		return fmt.Errorf("state file %s: %w", s.opts.StateFile, err)
	}
	s.log.Info("state loaded", "file", s.opts.StateFile)
	return nil
}

// saveStateFile writes the state to a temporary file in the same folder,
// syncs it and renames it over the state file, so a crash leaves either the
// old file or the new one, never half of one.
func (s *Server) saveStateFile() error {
	if s.opts.StateFile == "" {
		return nil
	}
	b, err := json.MarshalIndent(s.store.Snapshot(), "", "  ")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	dir := filepath.Dir(s.opts.StateFile)
	tmp, err := os.CreateTemp(dir, ".fakealianza-state-*.tmp")
	if err != nil {
		return fmt.Errorf("state file: %w", err)
	}
	defer os.Remove(tmp.Name()) // a no-op after the rename
	if _, err := tmp.Write(append(b, '\n')); err != nil {
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
	s.log.Info("state saved", "file", s.opts.StateFile)
	return nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
