package sftpfake_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/csv"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
	"github.com/fakealianza/fakealianza/sftpfake"
	"github.com/fakealianza/fakealianza/store"
)

const (
	alpha    = "fakePartitionAlpha0001"
	bravo    = "fakePartitionBravo0002"
	alphaDir = "/cdr/2026/03/04"
)

var frozenAt = time.Date(2026, 3, 4, 15, 30, 0, 0, time.UTC)

func server(t testing.TB, edit ...func(*fakealianza.Options)) *fatest.Server {
	t.Helper()
	srv := fatest.New(t, edit...)
	srv.Clock().Set(frozenAt)
	srv.Clock().Freeze(true)
	return srv
}

// connect logs in with the Go client, checking the host key.
func connect(t testing.TB, srv *fatest.Server, user, password string) (*sftp.Client, error) {
	t.Helper()
	return srv.SFTP(t, user, password)
}

func mustConnect(t testing.TB, srv *fatest.Server, user, password string) *sftp.Client {
	t.Helper()
	c, err := connect(t, srv, user, password)
	if err != nil {
		t.Fatalf("login %s: %v", user, err)
	}
	return c
}

func names(t testing.TB, c *sftp.Client, dir string) []string {
	t.Helper()
	infos, err := c.ReadDir(dir)
	if err != nil {
		t.Fatalf("readdir %s: %v", dir, err)
	}
	var out []string
	for _, i := range infos {
		out = append(out, i.Name())
	}
	return out
}

func fetch(t testing.TB, c *sftp.Client, p string) []byte {
	t.Helper()
	f, err := c.Open(p)
	if err != nil {
		t.Fatalf("open %s: %v", p, err)
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return buf.Bytes()
}

func gunzip(t testing.TB, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestListAndFetchWithGoClient(t *testing.T) {
	srv := server(t)
	c := mustConnect(t, srv, "datafeed", "fakealianza")
	if got := names(t, c, "/"); !slices.Equal(got, []string{"cdr"}) {
		t.Fatalf("root %v", got)
	}
	if got := names(t, c, "/cdr/2026"); !slices.Equal(got, []string{"03"}) {
		t.Fatalf("/cdr/2026 %v", got)
	}
	if got := names(t, c, "/cdr/2026/03"); !slices.Equal(got, []string{"01", "02", "03", "04"}) {
		t.Fatalf("days %v", got)
	}
	day := names(t, c, alphaDir)
	if len(day) != 15 || day[0] != "cdr_fakePartitionAlpha0001_20260304T0000Z.csv.gz" || day[14] != "cdr_fakePartitionAlpha0001_20260304T1400Z.csv.gz" {
		t.Fatalf("files of the day %v", day)
	}
	p := path.Join(alphaDir, day[14])
	st, err := c.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	info, want, err := srv.Store().FeedFileData(alpha, p)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size() != info.Size || st.Mode().Perm() != 0o444 || st.IsDir() || !st.ModTime().Equal(time.Date(2026, 3, 4, 15, 5, 0, 0, time.UTC)) {
		t.Fatalf("stat %v %v %v", st.Size(), st.Mode(), st.ModTime())
	}
	got := fetch(t, c, p)
	if !bytes.Equal(got, want) {
		t.Fatal("downloaded bytes differ from the store's")
	}
	if !strings.HasPrefix(string(gunzip(t, got)), "id,partitionId,startTime,") {
		t.Fatal("not a CDR CSV")
	}
	// Relative paths work from the root.
	if got := fetch(t, c, strings.TrimPrefix(p, "/")); !bytes.Equal(got, want) {
		t.Fatal("relative path")
	}
}

// isStatus reports whether err is an SFTP status with the given code (the
// client turns the two common ones into os errors).
func isStatus(err error, code uint32) bool {
	var se *sftp.StatusError
	switch {
	case errors.As(err, &se):
		return se.Code == code
	case code == fxPermissionDenied:
		return errors.Is(err, os.ErrPermission)
	case code == fxNoSuchFile:
		return errors.Is(err, os.ErrNotExist)
	}
	return false
}

const (
	fxNoSuchFile       = 2
	fxPermissionDenied = 3
)

func TestRefusalsLeakNothingAndServerKeepsServing(t *testing.T) {
	srv := server(t)
	for _, bad := range [][2]string{{"datafeed", "wrong"}, {"datafeed", ""}, {"nobody", "fakealianza"}, {"datafeed-bravo", "fakealianza"}} {
		if _, err := connect(t, srv, bad[0], bad[1]); err == nil {
			t.Fatalf("login %v accepted", bad)
		}
	}

	b := mustConnect(t, srv, "datafeed-bravo", "fakealianza-bravo")
	alphaFile := alphaDir + "/cdr_fakePartitionAlpha0001_20260304T1400Z.csv.gz"
	for _, p := range []string{
		alphaFile, "/" + alpha + alphaFile, "/../" + alpha + alphaFile, "../../" + alpha,
		"/../../../../etc/passwd", "/cdr/../../etc/passwd", "/cdr/2026/../../../../proc/self/environ",
	} {
		if _, err := b.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("stat %s: %v", p, err)
		}
		if _, err := b.Open(p); err == nil {
			t.Errorf("open %s succeeded", p)
		}
	}
	for _, d := range []string{alphaDir, "/cdr/2026/03/03"} {
		for _, n := range names(t, b, d) {
			if !strings.Contains(n, bravo) {
				t.Fatalf("bravo sees %s", n)
			}
		}
	}
	root := names(t, b, "/")
	for _, d := range []string{"/..", "/../..", "..", "/cdr/../.."} {
		if got := names(t, b, d); !slices.Equal(got, root) {
			t.Errorf("readdir %s = %v, want the root %v", d, got, root)
		}
	}
	if wd, err := b.Getwd(); err != nil || wd != "/" {
		t.Errorf("working dir %q %v", wd, err)
	}

	// Every change is refused with "permission denied".
	real := alphaDir + "/cdr_fakePartitionBravo0002_20260304T1400Z.csv.gz"
	for name, try := range map[string]func() error{
		"create": func() error { _, err := b.Create("/x.csv"); return err },
		"overwrite": func() error {
			f, err := b.OpenFile(real, os.O_WRONLY|os.O_TRUNC)
			if err == nil {
				_, err = f.Write([]byte("x"))
				f.Close()
			}
			return err
		},
		"mkdir":   func() error { return b.Mkdir("/new") },
		"remove":  func() error { return b.Remove(real) },
		"rmdir":   func() error { return b.RemoveDirectory(alphaDir) },
		"rename":  func() error { return b.Rename(real, "/y") },
		"chmod":   func() error { return b.Chmod(real, 0o777) },
		"symlink": func() error { return b.Symlink(real, "/link") },
		"escape":  func() error { _, err := b.Create("/../../tmp/fakealianza-escape"); return err },
	} {
		if err := try(); !isStatus(err, fxPermissionDenied) {
			t.Errorf("%s: %v, want permission denied", name, err)
		}
	}
	if _, err := os.Stat("/tmp/fakealianza-escape"); err == nil {
		t.Fatal("a write escaped to the real filesystem")
	}
	// The same session and new ones still work.
	if got := names(t, b, alphaDir); len(got) != 15 {
		t.Fatalf("after refusals: %v", got)
	}
	a := mustConnect(t, srv, "datafeed", "fakealianza")
	if got := names(t, a, alphaDir); len(got) != 15 {
		t.Fatalf("new session after refusals: %v", got)
	}
}

func TestShellCommandsAndOtherSubsystemsRefused(t *testing.T) {
	srv := server(t)
	_, pub := srv.SFTPHostKey()
	hostKey, _, _, _, _ := ssh.ParseAuthorizedKey([]byte(pub))
	conn, err := ssh.Dial("tcp", srv.SFTPAddr(), &ssh.ClientConfig{
		User: "datafeed", Auth: []ssh.AuthMethod{ssh.Password("fakealianza")}, HostKeyCallback: ssh.FixedHostKey(hostKey),
	})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, run := range []func(*ssh.Session) error{
		func(s *ssh.Session) error { return s.Run("cat /etc/passwd") },
		func(s *ssh.Session) error {
			if err := s.RequestPty("xterm", 24, 80, nil); err != nil {
				return err
			}
			if err := s.Shell(); err != nil {
				return err
			}
			return s.Wait()
		},
	} {
		sess, err := conn.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		var stderr, stdout bytes.Buffer
		sess.Stderr, sess.Stdout = &stderr, &stdout
		err = run(sess)
		var ee *ssh.ExitError
		if !errors.As(err, &ee) || ee.ExitStatus() != 1 {
			t.Fatalf("exit: %v", err)
		}
		if !strings.Contains(stderr.String()+stdout.String(), "only the sftp subsystem") || strings.Contains(stdout.String(), "root:") {
			t.Fatalf("output %q %q", stdout.String(), stderr.String())
		}
		sess.Close()
	}
	sess, err := conn.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestSubsystem("netconf"); err == nil {
		t.Fatal("another subsystem accepted")
	}
	sess.Close()
	// No tunnels through the feed: forwarding to the REST port is refused.
	if c, err := conn.Dial("tcp", srv.Addr()); err == nil {
		c.Close()
		t.Fatal("port forwarding accepted")
	}
	if ln, err := conn.Listen("tcp", "127.0.0.1:0"); err == nil {
		ln.Close()
		t.Fatal("remote forwarding accepted")
	}
	mustConnect(t, srv, "datafeed", "fakealianza")
}

func TestDeleteOnlyWithTheFlag(t *testing.T) {
	srv := server(t, func(o *fakealianza.Options) { o.SFTPAllowDelete = true })
	r := srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": []any{
		map[string]any{"partitionId": alpha, "acctId": "fakeAcct00000000000003", "startTime": "2026-03-04T13:10:00Z", "callType": "OUTBOUND"},
	}})
	if r.Status != 201 {
		t.Fatalf("stage %d %s", r.Status, r.Body)
	}
	c := mustConnect(t, srv, "datafeed", "fakealianza")
	p := alphaDir + "/cdr_fakePartitionAlpha0001_20260304T1300Z.csv.gz"
	if err := c.Remove(p); err != nil {
		t.Fatalf("remove: %v", err)
	}
	if _, err := c.Stat(p); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("removed file still there: %v", err)
	}
	if err := c.Remove(p); !isStatus(err, fxNoSuchFile) {
		t.Fatalf("second remove: %v", err)
	}
	if err := c.Remove("/cdr"); err == nil {
		t.Fatal("removed a folder")
	}
	if _, err := c.Create("/x"); !isStatus(err, fxPermissionDenied) {
		t.Fatalf("write allowed by the delete flag: %v", err)
	}
	// The records stay searchable.
	r = srv.Call(t, http.MethodGet, "/v2/partition/"+alpha+"/account/fakeAcct00000000000003/cdrsearch?startDate=2026-03-04&endDate=2026-03-04", nil, fatest.Auth(srv.Admin(t)))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"totalRecords":1`) {
		t.Fatalf("search after delete %d %s", r.Status, r.Body)
	}
}

func TestHostKeyStableAndFromFile(t *testing.T) {
	fp := func(o sftpfake.Options) string {
		s, err := sftpfake.New(nil, o)
		if err != nil {
			t.Fatal(err)
		}
		return s.Fingerprint()
	}
	if a, b := fp(sftpfake.Options{Seed: 1}), fp(sftpfake.Options{Seed: 1}); a != b || !strings.HasPrefix(a, "SHA256:") {
		t.Fatalf("same seed, different keys: %s %s", a, b)
	}
	if fp(sftpfake.Options{Seed: 1}) == fp(sftpfake.Options{Seed: 2}) {
		t.Fatal("the seed does not change the key")
	}
	_, priv, _ := ed25519.GenerateKey(rand.Reader)
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "host_key")
	if err := os.WriteFile(file, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(priv)
	if got := fp(sftpfake.Options{HostKeyFile: file}); got != ssh.FingerprintSHA256(signer.PublicKey()) {
		t.Fatalf("key from file: %s", got)
	}
	bad := filepath.Join(t.TempDir(), "bad")
	os.WriteFile(bad, []byte("not a key"), 0o600)
	for _, f := range []string{bad, filepath.Join(t.TempDir(), "missing")} {
		if _, err := sftpfake.New(nil, sftpfake.Options{HostKeyFile: f}); err == nil {
			t.Errorf("%s accepted", f)
		}
	}
	if _, err := fakealianza.New(fakealianza.Options{SFTPHostKeyFile: bad}); err == nil {
		t.Error("server built with a bad host key")
	}
}

func TestPartitionAddedAtRuntimeGetsALogin(t *testing.T) {
	srv := server(t)
	st := srv.Store().Snapshot()
	st.Partitions = append(st.Partitions, store.Partition{ID: "fakePartitionCharlie03", Name: "Charlie"})
	st.DatafeedLogins = nil // only the fixture ones would be explicit
	if err := srv.Store().Restore(st); err != nil {
		t.Fatal(err)
	}
	var login store.DatafeedLogin
	for _, l := range srv.Store().DatafeedLogins() {
		if l.PartitionID == "fakePartitionCharlie03" {
			login = l
		}
	}
	if login.Username == "" {
		t.Fatal("no login for the new partition")
	}
	c := mustConnect(t, srv, login.Username, login.Password)
	for _, n := range names(t, c, alphaDir) {
		if !strings.Contains(n, "fakePartitionCharlie03") {
			t.Fatalf("charlie sees %s", n)
		}
	}
	r := srv.Call(t, http.MethodGet, "/__admin/datafeed", nil)
	if !strings.Contains(string(r.Body), `"username":"fakePartitionCharlie03"`) {
		t.Fatalf("layout lacks the new login: %s", r.Body)
	}
}

// Two servers with the same seed and clock serve byte-identical files.
func TestSameSeedSameFiles(t *testing.T) {
	a := mustConnect(t, server(t, func(o *fakealianza.Options) { o.Seed = 5 }), "datafeed", "fakealianza")
	b := mustConnect(t, server(t, func(o *fakealianza.Options) { o.Seed = 5 }), "datafeed", "fakealianza")
	for _, n := range names(t, a, alphaDir) {
		p := path.Join(alphaDir, n)
		if !bytes.Equal(gunzip(t, fetch(t, a, p)), gunzip(t, fetch(t, b, p))) {
			t.Fatalf("%s differs", p)
		}
	}
}

// The records in the files and the ones cdrsearch returns are the same,
// field for field: the staged records of an account without subscribers,
// and the generated calls of the fixture account whose users have numbers.
// The file cells are read with encoding/csv alone and compared with the JSON
// values as they are, never through the project's CSV writer; the staged
// costs and rates have four decimals, so a file that rounds them differs.
func TestFilesAndCdrSearchAgree(t *testing.T) {
	srv := server(t)
	const staged, generated = "fakeAcct00000000000003", "fakeAcct00000000000001"
	var recs []any
	for i := range 45 {
		start := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 47 * time.Minute)
		recs = append(recs, map[string]any{
			"partitionId": alpha, "acctId": staged, "startTime": start.Format(time.RFC3339),
			"endTime": start.Add(time.Duration(i) * time.Second).Format(time.RFC3339),
			"cost":    float64(i*100+37) / 10000, "ratePerMinute": 0.0125,
			"callType": []string{"INBOUND", "OUTBOUND"}[i%2], "origNumber": "1801555010" + string(rune('0'+i%10)),
			"origLocation": "Salt Lake City, UT", "meanOpinionScores": map[string]float64{"x@y": 4.1},
			"correlationData": map[string][]string{"k": {"a,b", `q"uote`}},
		})
	}
	if r := srv.Call(t, http.MethodPost, "/__admin/cdrs", map[string]any{"records": recs}); r.Status != 201 {
		t.Fatalf("stage %d %s", r.Status, r.Body)
	}
	c := mustConnect(t, srv, "datafeed", "fakealianza")
	tok := fatest.Auth(srv.Admin(t))
	for acctID, want := range map[string]int{staged: 45, generated: -1} {
		fromFiles, header := accountRows(t, c, acctID)
		if !slices.Equal(header, store.CDRColumns()) {
			t.Fatalf("file header %v", header)
		}
		// From the API, every page, as JSON values.
		var fromAPI []map[string]any
		for first := 0; ; first += 10 {
			r := srv.Call(t, http.MethodGet, "/v2/partition/"+alpha+"/account/"+acctID+"/cdrsearch?startDate=2026-03-01&endDate=2026-03-04&sortOrder=ASC&maxResult=10&firstResultIndex="+strconv.Itoa(first), nil, tok)
			var page struct {
				TotalRecords int              `json:"totalRecords"`
				Results      []map[string]any `json:"results"`
			}
			dec := json.NewDecoder(bytes.NewReader(r.Body))
			dec.UseNumber()
			if err := dec.Decode(&page); err != nil || r.Status != 200 || page.TotalRecords != len(fromFiles) {
				t.Fatalf("%s page %d: %d %s (%v)", acctID, first, r.Status, r.Body, err)
			}
			if len(page.Results) == 0 {
				break
			}
			fromAPI = append(fromAPI, page.Results...)
		}
		if want >= 0 && len(fromFiles) != want || want < 0 && len(fromFiles) < 50 || len(fromAPI) != len(fromFiles) {
			t.Fatalf("%s: %d rows in files, %d from the API", acctID, len(fromFiles), len(fromAPI))
		}
		fourDecimals := 0
		for i, row := range fromFiles {
			rec := fromAPI[i]
			for k := range rec {
				if !slices.Contains(header, k) {
					t.Fatalf("%s record %d: JSON field %s has no column", acctID, i, k)
				}
			}
			for col, name := range header {
				if msg := cellDiffers(row[col], rec[name]); msg != "" {
					t.Fatalf("%s record %d, %s: %s", acctID, i, name, msg)
				}
			}
			if n, ok := rec["cost"].(json.Number); ok && strings.Contains(n.String(), ".") && len(strings.SplitN(n.String(), ".", 2)[1]) == 4 {
				fourDecimals++
			}
		}
		if acctID == staged && fourDecimals != want {
			t.Fatalf("%d of %d staged costs have four decimals", fourDecimals, want)
		}
	}
}

// cellDiffers compares one CSV cell with the JSON value of the same field:
// an absent value is an empty cell, a string is the cell itself, a number
// the same float, a boolean true or false, and an object or list the same
// JSON document. It answers "" when they agree.
func cellDiffers(cell string, v any) string {
	switch x := v.(type) {
	case nil:
		if cell != "" {
			return fmt.Sprintf("file %q, absent from the JSON", cell)
		}
	case string:
		if cell != x {
			return fmt.Sprintf("file %q, JSON %q", cell, x)
		}
	case bool:
		if cell != strconv.FormatBool(x) {
			return fmt.Sprintf("file %q, JSON %v", cell, x)
		}
	case json.Number:
		want, err := x.Float64()
		if err != nil {
			return fmt.Sprintf("JSON number %s: %v", x, err)
		}
		got, err := strconv.ParseFloat(cell, 64)
		if err != nil || got != want {
			return fmt.Sprintf("file %q, JSON %s", cell, x)
		}
	default:
		var got any
		dec := json.NewDecoder(strings.NewReader(cell))
		dec.UseNumber()
		if err := dec.Decode(&got); err != nil {
			return fmt.Sprintf("file %q is not JSON: %v", cell, err)
		}
		if !reflect.DeepEqual(got, v) {
			return fmt.Sprintf("file %s, JSON %v", cell, v)
		}
	}
	return ""
}

// accountRows reads, over SFTP, every row of an account in the files of
// March, in file order, and the header.
func accountRows(t *testing.T, c *sftp.Client, acctID string) (rows [][]string, header []string) {
	t.Helper()
	for _, d := range names(t, c, "/cdr/2026/03") {
		day := path.Join("/cdr/2026/03", d)
		for _, n := range names(t, c, day) {
			recs, err := csv.NewReader(bytes.NewReader(gunzip(t, fetch(t, c, path.Join(day, n))))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			header = recs[0]
			acct := slices.Index(header, "acctId")
			for _, row := range recs[1:] {
				if row[acct] == acctID {
					rows = append(rows, row)
				}
			}
		}
	}
	return rows, header
}

// Close returns even with an idle session open (gliderlabs' Shutdown alone
// would wait for it forever), and the session is cut.
func TestCloseWithIdleSession(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.ShutdownTimeout = 100 * time.Millisecond })
	c := mustConnect(t, srv, "datafeed", "fakealianza")
	names(t, c, "/")
	done := make(chan error, 1)
	go func() { done <- srv.Close() }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("Close hangs on an idle session")
	}
	if _, err := c.ReadDir("/"); err == nil {
		t.Fatal("session survived Close")
	}
}

func TestSFTPOff(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) { o.SFTPAddr = "off" })
	if srv.SFTPAddr() != "" {
		t.Fatal("sftp listening although off")
	}
	r := srv.Call(t, http.MethodGet, "/__admin/datafeed", nil)
	if r.Status != 200 || strings.Contains(string(r.Body), "sftpAddress") {
		t.Fatalf("layout %s", r.Body)
	}
}

// TestPasswordAttemptsCappedAndSlowed: one connection gets MaxAuthTries
// password attempts, each failure answered later than the one before, then
// it is closed; the right password still logs in on a new connection.
func TestPasswordAttemptsCappedAndSlowed(t *testing.T) {
	const delay = 40 * time.Millisecond
	srv, err := sftpfake.New(&blobFeed{}, sftpfake.Options{Addr: "127.0.0.1:0", AuthFailureDelay: delay, ShutdownTimeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var asked []time.Time
	start := time.Now()
	_, err = ssh.Dial("tcp", srv.Addr().String(), &ssh.ClientConfig{
		User: "u",
		Auth: []ssh.AuthMethod{ssh.RetryableAuthMethod(ssh.PasswordCallback(func() (string, error) {
			asked = append(asked, time.Now())
			return "wrong", nil
		}), 50)},
		HostKeyCallback: ssh.InsecureIgnoreHostKey(), Timeout: 20 * time.Second,
	})
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	if len(asked) != sftpfake.DefaultMaxAuthTries {
		t.Errorf("%d password attempts on one connection, want %d", len(asked), sftpfake.DefaultMaxAuthTries)
	}
	// The n-th failure is held back n*delay: the gaps grow.
	for i := 1; i < len(asked); i++ {
		if gap := asked[i].Sub(asked[i-1]); gap < time.Duration(i)*delay {
			t.Errorf("failure %d answered after %s, want at least %s", i, gap, time.Duration(i)*delay)
		}
	}
	if total := time.Since(start); total < 6*delay {
		t.Errorf("three failures took %s, want at least %s", total, 6*delay)
	}
	c, err := dialRaw(t, srv.Addr().String(), "u", "p")
	if err != nil {
		t.Fatalf("right password after failures: %v", err)
	}
	c.Close()
}

// Close right after Start returns even when the serving goroutine has not
// run yet: gliderlabs' Shutdown closes only the listeners Serve has begun to
// track, and a Serve that begins afterwards would accept forever. One
// processor makes that order the likely one.
func TestCloseRightAfterStart(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	for i := range 20 {
		srv, err := fakealianza.New(fakealianza.Options{HTTPAddr: "127.0.0.1:0", SFTPAddr: "127.0.0.1:0"})
		if err != nil {
			t.Fatal(err)
		}
		if err := srv.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- srv.Close() }()
		select {
		case err := <-done:
			if err != nil {
				t.Fatalf("start %d: close: %v", i, err)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("start %d: Close still waiting after 10s", i)
		}
	}
}
