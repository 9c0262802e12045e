package sftpfake_test

import (
	"context"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/fakealianza/fakealianza/sftpfake"
	"github.com/fakealianza/fakealianza/store"
)

// blobFeed is one partition with one big file, to measure the server alone.
type blobFeed struct{ data []byte }

const blobPath = "/cdr/2026/01/01/cdr_blob_20260101T0000Z.csv"

func (f *blobFeed) AuthenticateDatafeed(u, p string) (string, bool) {
	return "blob", u == "u" && p == "p"
}
func (f *blobFeed) FeedFiles(string) ([]store.FeedFile, error) {
	return []store.FeedFile{{PartitionID: "blob", Path: blobPath, Size: int64(len(f.data))}}, nil
}
func (f *blobFeed) FeedFileData(_, p string) (store.FeedFile, []byte, error) {
	if p != blobPath {
		return store.FeedFile{}, nil, store.NotFound("DatafeedFile", p)
	}
	return store.FeedFile{Path: blobPath, Size: int64(len(f.data))}, f.data, nil
}
func (f *blobFeed) DeleteFeedFile(string, string) error { return store.Invalid("NotAllowed") }

func dialRaw(tb testing.TB, addr, user, password string) (*sftp.Client, error) {
	conn, err := ssh.Dial("tcp", addr, &ssh.ClientConfig{
		User: user, Auth: []ssh.AuthMethod{ssh.Password(password)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 30 * time.Second,
	})
	if err != nil {
		return nil, err
	}
	c, err := sftp.NewClient(conn, sftp.UseConcurrentReads(true), sftp.MaxConcurrentRequestsPerFile(64))
	if err != nil {
		conn.Close()
		return nil, err
	}
	return c, nil
}

// BenchmarkDownload is one file's download throughput on loopback (target:
// at least 100 MB/s).
func BenchmarkDownload(b *testing.B) {
	data := make([]byte, 64<<20)
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < len(data); i += 8 {
		v := r.Uint64()
		for j := 0; j < 8; j++ {
			data[i+j] = byte(v >> (8 * j))
		}
	}
	srv, err := sftpfake.New(&blobFeed{data: data}, sftpfake.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	c, err := dialRaw(b, srv.Addr().String(), "u", "p")
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		f, err := c.Open(blobPath)
		if err != nil {
			b.Fatal(err)
		}
		n, err := f.WriteTo(io.Discard)
		f.Close()
		if err != nil || n != int64(len(data)) {
			b.Fatalf("read %d: %v", n, err)
		}
	}
}

// BenchmarkConcurrentSessions is 100 sessions at once, each logging in,
// listing a day and fetching a file, against the real store-backed feed;
// any error fails it.
func BenchmarkConcurrentSessions(b *testing.B) {
	srv := server(b)
	names := func() []string {
		c := mustConnect(b, srv, "datafeed", "fakealianza")
		infos, err := c.ReadDir(alphaDir)
		if err != nil {
			b.Fatal(err)
		}
		var out []string
		for _, i := range infos {
			out = append(out, i.Name())
		}
		return out
	}()
	var failures atomic.Int64
	for b.Loop() {
		var wg sync.WaitGroup
		for i := range 100 {
			wg.Go(func() {
				c, err := dialRaw(b, srv.SFTPAddr(), "datafeed", "fakealianza")
				if err != nil {
					failures.Add(1)
					return
				}
				defer c.Close()
				if _, err := c.ReadDir(alphaDir); err != nil {
					failures.Add(1)
					return
				}
				f, err := c.Open(alphaDir + "/" + names[i%len(names)])
				if err != nil {
					failures.Add(1)
					return
				}
				if _, err := f.WriteTo(io.Discard); err != nil {
					failures.Add(1)
				}
				f.Close()
			})
		}
		wg.Wait()
	}
	b.ReportMetric(float64(failures.Load()), "errors")
	if failures.Load() > 0 {
		b.Fatalf("%d sessions failed", failures.Load())
	}
}

func memInUse() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse + m.StackInuse
}

// BenchmarkIdleSessionMemory reports the server's memory per idle sftp
// session. The clients are OpenSSH processes, so only the server's memory is
// counted (skipped where OpenSSH is not installed).
func BenchmarkIdleSessionMemory(b *testing.B) {
	for _, bin := range []string{"sftp", "ssh"} {
		if _, err := exec.LookPath(bin); err != nil {
			b.Skipf("%s not installed", bin)
		}
	}
	const sessions = 50
	srv := server(b)
	host, port, _ := net.SplitHostPort(srv.SFTPAddr())
	dir := b.TempDir()
	askpass := filepath.Join(dir, "askpass")
	os.WriteFile(askpass, []byte("#!/bin/sh\necho fakealianza\n"), 0o700)
	for b.Loop() {
		before := memInUse()
		var procs []*exec.Cmd
		var stdins []io.WriteCloser
		var ready sync.WaitGroup
		for range sessions {
			cmd := exec.Command("sftp", "-P", port, "-o", "BatchMode=no", "-o", "StrictHostKeyChecking=no",
				"-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR", "-F", "/dev/null", "-b", "-", "datafeed@"+host)
			cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0")
			in, _ := cmd.StdinPipe()
			out, _ := cmd.StdoutPipe()
			if err := cmd.Start(); err != nil {
				b.Fatal(err)
			}
			// Ask for the working directory and wait for the answer: the
			// session is then logged in and idle.
			io.WriteString(in, "pwd\n")
			ready.Go(func() {
				buf := make([]byte, 4096)
				var seen strings.Builder
				for !strings.Contains(seen.String(), "Remote working directory") {
					n, err := out.Read(buf)
					if err != nil {
						return
					}
					seen.Write(buf[:n])
				}
			})
			procs = append(procs, cmd)
			stdins = append(stdins, in)
		}
		ready.Wait()
		after := memInUse()
		b.ReportMetric(float64(int64(after)-int64(before))/sessions/1024, "KiB/idle-session")
		for i, in := range stdins {
			in.Close()
			procs[i].Wait()
		}
	}
}
