package fakealianza

import (
	"context"
	"net"
	"sync"

	"github.com/fakealianza/fakealianza/scenarios"
	"github.com/fakealianza/fakealianza/store"
)

// faultyFeed stands between the SFTP datafeed and the store and applies the
// fault rules that match SFTP events (match.sftp: login, list, read): a
// refused login, a missing file or listing, a delay before the answer.
type faultyFeed struct {
	*store.Store
	faults  *scenarios.Engine
	closing <-chan struct{}
}

// decide asks the rules about one event and sleeps any delay; it returns
// the action to apply (nil: none) and false when the server is closing.
func (f *faultyFeed) decide(event, partitionID, path string) (*scenarios.Action, bool) {
	d := f.faults.Decide(&scenarios.Input{SFTP: event, PartitionID: partitionID, Path: path}, f.Clock().Now())
	if d == nil {
		return nil, true
	}
	if d.Delay > 0 && !scenarios.Wait(context.Background(), d.Delay, f.closing) {
		return nil, false
	}
	return &d.Action, true
}

// AuthenticateDatafeed checks the login, then lets a rule refuse it.
func (f *faultyFeed) AuthenticateDatafeed(username, password string) (string, bool) {
	pid, ok := f.Store.AuthenticateDatafeed(username, password)
	if !ok {
		return "", false
	}
	a, open := f.decide(scenarios.SFTPLogin, pid, "")
	if !open || (a != nil && a.SFTP == scenarios.SFTPRefuse) {
		return "", false
	}
	return pid, true
}

// FeedFiles lists a directory's files; a "missing" rule hides them all.
func (f *faultyFeed) FeedFiles(partitionID string) ([]store.FeedFile, error) {
	a, open := f.decide(scenarios.SFTPList, partitionID, "")
	if !open || (a != nil && a.SFTP == scenarios.SFTPMissing) {
		return nil, nil
	}
	return f.Store.FeedFiles(partitionID)
}

// FeedFileData serves a download; a "missing" rule makes the file vanish.
func (f *faultyFeed) FeedFileData(partitionID, path string) (store.FeedFile, []byte, error) {
	a, open := f.decide(scenarios.SFTPRead, partitionID, path)
	if !open || (a != nil && a.SFTP == scenarios.SFTPMissing) {
		return store.FeedFile{}, nil, store.NotFound("FeedFile", path)
	}
	return f.Store.FeedFileData(partitionID, path)
}

// wrapConn applies "connect" rules to a new SFTP connection: a delay holds
// the greeting back; disconnect lets afterBytes bytes out, then closes.
func (f *faultyFeed) wrapConn(c net.Conn) net.Conn {
	a, open := f.decide(scenarios.SFTPConnect, "", "")
	if !open {
		return nil
	}
	if a != nil && a.SFTP == scenarios.SFTPDisconnect {
		return &cutConn{Conn: c, left: a.AfterBytes}
	}
	return c
}

// cutConn closes itself once it has sent its quota of bytes.
type cutConn struct {
	net.Conn
	mu   sync.Mutex
	left int
}

func (c *cutConn) Write(b []byte) (int, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.left <= 0 {
		_ = c.Conn.Close()
		return 0, net.ErrClosed
	}
	n := min(len(b), c.left)
	n, err := c.Conn.Write(b[:n])
	c.left -= n
	if err == nil && c.left <= 0 {
		_ = c.Conn.Close()
		if n < len(b) {
			err = net.ErrClosed
		}
	}
	return n, err
}
