package sftpfake_test

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza/fatest"
)

// The real clients users run: OpenSSH sftp (batch mode) and scp, and curl
// (libssh2). Each must finish with exit code 0 on a good transfer and a
// non-zero one on a refusal.

func need(t *testing.T, bins ...string) {
	t.Helper()
	for _, b := range bins {
		if _, err := exec.LookPath(b); err != nil {
			t.Skipf("%s not installed (.ci/run installs openssh-client and curl)", b)
		}
	}
}

// openSSH prepares a command of the OpenSSH family: the password comes from
// an askpass script, the host key is pinned in a known_hosts file.
func openSSH(t *testing.T, srv *fatest.Server, password string, name string, args ...string) *exec.Cmd {
	t.Helper()
	dir := t.TempDir()
	askpass := filepath.Join(dir, "askpass")
	if err := os.WriteFile(askpass, []byte("#!/bin/sh\necho \"$FAKEALIANZA_TEST_PASSWORD\"\n"), 0o700); err != nil {
		t.Fatal(err)
	}
	host, port, err := net.SplitHostPort(srv.SFTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	_, pub := srv.SFTPHostKey()
	known := filepath.Join(dir, "known_hosts")
	if err := os.WriteFile(known, []byte("["+host+"]:"+port+" "+pub+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	portFlag := "-P"
	if name == "ssh" {
		portFlag = "-p"
	}
	opts := []string{portFlag, port, "-o", "BatchMode=no", "-o", "UserKnownHostsFile=" + known,
		"-o", "StrictHostKeyChecking=yes", "-o", "PreferredAuthentications=password,keyboard-interactive",
		"-o", "NumberOfPasswordPrompts=1", "-o", "ConnectTimeout=10", "-o", "LogLevel=ERROR", "-F", "/dev/null"}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, name, append(opts, args...)...)
	cmd.Env = append(os.Environ(), "SSH_ASKPASS="+askpass, "SSH_ASKPASS_REQUIRE=force", "DISPLAY=:0",
		"FAKEALIANZA_TEST_PASSWORD="+password)
	cmd.Dir = dir
	return cmd
}

func TestOpenSSHSftpBatch(t *testing.T) {
	need(t, "sftp", "ssh")
	srv := server(t)
	host, _, _ := net.SplitHostPort(srv.SFTPAddr())
	out := t.TempDir()
	name := "cdr_fakePartitionAlpha0001_20260304T1400Z.csv.gz"
	batch := strings.Join([]string{
		"pwd", "ls -l /", "cd " + alphaDir, "ls", "get " + name + " " + out + "/", "cd ../../../..", "ls",
	}, "\n") + "\n"
	cmd := openSSH(t, srv, "fakealianza", "sftp", "-b", "-", "datafeed@"+host)
	cmd.Stdin = strings.NewReader(batch)
	b, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("sftp -b: %v\n%s", err, b)
	}
	if !strings.Contains(string(b), "Remote working directory: /") || !strings.Contains(string(b), name) {
		t.Fatalf("output:\n%s", b)
	}
	sameAsFeed(t, srv, alphaDir+"/"+name, filepath.Join(out, name), "sftp")

	// A refused write fails the batch (exit 1) and the server goes on.
	cmd = openSSH(t, srv, "fakealianza", "sftp", "-b", "-", "datafeed@"+host)
	cmd.Stdin = strings.NewReader("put " + filepath.Join(out, name) + " /x.csv.gz\n")
	b, err = cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "Permission denied") {
		t.Fatalf("put: %v\n%s", err, b)
	}
	// Wrong password: refused.
	cmd = openSSH(t, srv, "wrong", "sftp", "-b", "-", "datafeed@"+host)
	cmd.Stdin = strings.NewReader("ls\n")
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("wrong password accepted:\n%s", b)
	}
	mustConnect(t, srv, "datafeed", "fakealianza")
}

// sameAsFeed fails the test unless the file at local holds exactly the
// feed file at remote.
func sameAsFeed(t *testing.T, srv *fatest.Server, remote, local, client string) {
	t.Helper()
	_, want, err := srv.Store().FeedFileData(alpha, remote)
	if err != nil {
		t.Fatalf("feed file %s: %v", remote, err)
	}
	got, err := os.ReadFile(local)
	if err != nil {
		t.Fatalf("%s download: %v", client, err)
	}
	if len(want) == 0 || !bytes.Equal(got, want) {
		t.Fatalf("%s download differs (%d bytes, want %d)", client, len(got), len(want))
	}
}

func TestOpenSSHScp(t *testing.T) {
	need(t, "scp", "ssh")
	srv := server(t)
	host, _, err := net.SplitHostPort(srv.SFTPAddr())
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), "copy.csv.gz")
	src := alphaDir + "/cdr_fakePartitionAlpha0001_20260304T1300Z.csv.gz"
	cmd := openSSH(t, srv, "fakealianza", "scp", "datafeed@"+host+":"+src, dst)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scp: %v\n%s", err, b) // exit 1 here is the pitfall of an exit status sent too late
	}
	sameAsFeed(t, srv, src, dst, "scp")
	// Uploads are refused.
	cmd = openSSH(t, srv, "fakealianza", "scp", dst, "datafeed@"+host+":/up.csv.gz")
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("scp upload accepted:\n%s", b)
	}
	// ssh with a command: refused politely, exit status 1.
	cmd = openSSH(t, srv, "fakealianza", "ssh", "datafeed@"+host, "id")
	b, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(b), "only the sftp subsystem") {
		t.Fatalf("ssh id: %v\n%s", err, b)
	}
}

func TestCurlSftp(t *testing.T) {
	need(t, "curl")
	if out, _ := exec.Command("curl", "--version").Output(); !strings.Contains(string(out), "sftp") {
		t.Skip("this curl has no sftp support")
	}
	srv := server(t)
	base := "sftp://" + srv.SFTPAddr()
	dst := filepath.Join(t.TempDir(), "c.csv.gz")
	src := alphaDir + "/cdr_fakePartitionAlpha0001_20260304T1200Z.csv.gz"
	curl := func(args ...string) ([]byte, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		return exec.CommandContext(ctx, "curl", append([]string{"-sS", "--insecure"}, args...)...).CombinedOutput()
	}
	if b, err := curl("-u", "datafeed:fakealianza", "-o", dst, base+src); err != nil {
		t.Fatalf("curl get: %v\n%s", err, b)
	}
	sameAsFeed(t, srv, src, dst, "curl")
	b, err := curl("-u", "datafeed:fakealianza", "-l", base+alphaDir+"/")
	if err != nil || !strings.Contains(string(b), "cdr_fakePartitionAlpha0001_20260304T0000Z.csv.gz") {
		t.Fatalf("curl list: %v\n%s", err, b)
	}
	if b, err := curl("-u", "datafeed:wrong", base+"/"); err == nil {
		t.Fatalf("curl with a wrong password: %s", b)
	}
	if b, err := curl("-u", "datafeed:fakealianza", "-T", dst, base+"/up.csv.gz"); err == nil {
		t.Fatalf("curl upload accepted: %s", b)
	}
	if b, err := curl("-u", "datafeed-bravo:fakealianza-bravo", "-o", dst, base+src); err == nil {
		t.Fatalf("bravo read alpha's file: %s", b)
	}
	mustConnect(t, srv, "datafeed", "fakealianza")
}
