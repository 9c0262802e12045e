package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"time"

	"github.com/pkg/sftp"
	"golang.org/x/crypto/ssh"
)

// config is what the rehearsal hands the client (see configFromEnv).
type config struct {
	BaseURL, Username, Password, PartitionID string
	SFTPAddr, SFTPUser, SFTPPassword         string
	SFTPHostKey                              string // authorized_keys form; empty: the key is not checked
	// Careless: no re-login, no back-off, no timeout, no logout; every
	// failure is retried at once, unchanged.
	Careless bool
	// Timeout bounds each HTTP call of the well-behaved client.
	Timeout time.Duration
	// Backoff is the well-behaved client's first pause before a retry.
	Backoff time.Duration
	// PollEvery is how often the well-behaved client lists the datafeed
	// while it is empty.
	PollEvery time.Duration
	Log       io.Writer
}

// client is a small Alianza integration: it provisions an account with
// users, reads them back, fetches a CDR file and logs out.
type client struct {
	config
	http  *http.Client
	token string
}

func newClient(cfg config) *client {
	c := &client{config: cfg, http: &http.Client{}}
	if !cfg.Careless {
		c.http.Timeout = cfg.Timeout
	}
	return c
}

func (c *client) logf(format string, args ...any) {
	if c.Log != nil {
		fmt.Fprintf(c.Log, format+"\n", args...)
	}
}

// answer is one HTTP response.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// once sends one request with the current token.
func (c *client) once(ctx context.Context, method, p string, body any) (*answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+p, rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("X-AUTH-TOKEN", c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	return &answer{resp.StatusCode, resp.Header, b}, nil
}

func (c *client) login(ctx context.Context) error {
	c.token = ""
	a, err := c.once(ctx, http.MethodPost, "/v2/authorize", map[string]string{"username": c.Username, "password": c.Password})
	if err != nil {
		return fmt.Errorf("login: %w", err)
	}
	if a.status != http.StatusCreated && a.status != http.StatusOK {
		return fmt.Errorf("login: %d %s", a.status, a.body)
	}
	var v struct {
		AuthToken string `json:"authToken"`
	}
	if err := json.Unmarshal(a.body, &v); err != nil || v.AuthToken == "" {
		return fmt.Errorf("login: no token in %s", a.body)
	}
	c.token = v.AuthToken
	return nil
}

func (c *client) sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// call sends a request under the client's retry policy and returns the
// final answer (any status) or the last transport error.
func (c *client) call(ctx context.Context, method, p string, body any) (*answer, error) {
	if c.Careless {
		return c.carelessCall(ctx, method, p, body)
	}
	backoff := c.Backoff
	relogged := false
	var lastErr error
	for attempt := 0; attempt < 4; attempt++ {
		a, err := c.once(ctx, method, p, body)
		var wait time.Duration
		switch {
		case err != nil:
			c.logf("%s %s: %v; retrying in %s", method, p, err, backoff)
			lastErr, wait = err, backoff
		case a.status == http.StatusUnauthorized && !relogged:
			c.logf("%s %s: 401 %s; logging in again", method, p, a.body)
			if err := c.login(ctx); err != nil {
				return nil, err
			}
			relogged = true
			continue
		case a.status == http.StatusServiceUnavailable || a.status == http.StatusTooManyRequests:
			wait = backoff
			if s, err := strconv.Atoi(a.header.Get("Retry-After")); err == nil {
				wait = time.Duration(s) * time.Second
			}
			c.logf("%s %s: %d; retrying in %s", method, p, a.status, wait)
			lastErr = fmt.Errorf("%s %s: %d", method, p, a.status)
		case a.status >= 500:
			c.logf("%s %s: %d; retrying in %s", method, p, a.status, backoff)
			lastErr, wait = fmt.Errorf("%s %s: %d", method, p, a.status), backoff
		default:
			return a, nil
		}
		if err := c.sleep(ctx, wait); err != nil {
			return nil, err
		}
		backoff *= 2
	}
	return nil, lastErr
}

// carelessCall tries three times at once, whatever went wrong, with the
// same token.
func (c *client) carelessCall(ctx context.Context, method, p string, body any) (*answer, error) {
	var a *answer
	var err error
	for attempt := 0; attempt < 3; attempt++ {
		if a, err = c.once(ctx, method, p, body); err == nil && a.status < 300 {
			return a, nil
		}
	}
	return a, err
}

// must is call expecting a 2xx, decoding the body into v (when not nil).
func (c *client) must(ctx context.Context, method, p string, body, v any) error {
	a, err := c.call(ctx, method, p, body)
	if err != nil {
		return err
	}
	if a.status/100 != 2 {
		return fmt.Errorf("%s %s: %d %s", method, p, a.status, a.body)
	}
	if v != nil {
		return json.Unmarshal(a.body, v)
	}
	return nil
}

// create posts a new object. The well-behaved client reads a 400 and sends
// a corrected request; the careless one has already re-sent it unchanged.
func (c *client) create(ctx context.Context, p string, body map[string]any, fix func(map[string]any)) (string, error) {
	a, err := c.call(ctx, http.MethodPost, p, body)
	if err != nil {
		return "", err
	}
	if a.status == http.StatusBadRequest && !c.Careless {
		c.logf("POST %s: 400 %s; correcting the request", p, a.body)
		fix(body)
		if a, err = c.call(ctx, http.MethodPost, p, body); err != nil {
			return "", err
		}
	}
	if a.status/100 != 2 {
		return "", fmt.Errorf("POST %s: %d %s", p, a.status, a.body)
	}
	var v struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(a.body, &v); err != nil || v.ID == "" {
		return "", fmt.Errorf("POST %s: no id in %s", p, a.body)
	}
	return v.ID, nil
}

// read gets an object. On a 404 the well-behaved client reads the
// collection again to learn what is there now.
func (c *client) read(ctx context.Context, p string) error {
	a, err := c.call(ctx, http.MethodGet, p, nil)
	if err != nil {
		return err
	}
	if a.status == http.StatusNotFound && !c.Careless {
		c.logf("GET %s: 404; reading the collection again", p)
		return c.must(ctx, http.MethodGet, path.Dir(p), nil, nil)
	}
	if a.status/100 != 2 {
		return fmt.Errorf("GET %s: %d %s", p, a.status, a.body)
	}
	return nil
}

// run is the whole integration.
func (c *client) run(ctx context.Context) error {
	if err := c.login(ctx); err != nil {
		return err
	}
	P := "/v2/partition/" + c.PartitionID
	if err := c.must(ctx, http.MethodGet, P, nil, nil); err != nil {
		return err
	}
	acct := map[string]any{"accountNumber": "CERT-1", "accountName": "Rehearsal Inc", "timeZone": "US/Eastern", "accountType": "ADVANCED"}
	id, err := c.create(ctx, P+"/account", acct, func(b map[string]any) { b["accountName"] = "Rehearsal Incorporated" })
	if err != nil {
		return err
	}
	A := P + "/account/" + id
	items := []string{A}
	if err := c.read(ctx, A); err != nil {
		return err
	}
	for i, name := range []string{"Ann", "Bob", "Cyd"} {
		u := map[string]any{"firstName": name, "lastName": "Rehearsal", "extension": strconv.Itoa(2001 + i)}
		uid, err := c.create(ctx, A+"/user", u, func(b map[string]any) { b["lastName"] = "Rehearsal-Fixed" })
		if err != nil {
			return err
		}
		items = append(items, A+"/user/"+uid)
		if err := c.read(ctx, A+"/user/"+uid); err != nil {
			return err
		}
	}
	for _, p := range []string{P + "/account", A + "/user"} {
		if err := c.must(ctx, http.MethodGet, p, nil, nil); err != nil {
			return err
		}
	}
	// Read everything back twice, as a sync job would.
	for range 2 {
		for _, p := range items {
			if err := c.read(ctx, p); err != nil {
				return err
			}
		}
	}
	if c.SFTPAddr != "" {
		if err := c.fetchCDRs(ctx); err != nil {
			return err
		}
	}
	if c.Careless {
		return nil
	}
	return c.must(ctx, http.MethodPut, "/v2/authorize/logout", nil, nil)
}

// fetchCDRs finds the datafeed's newest file and downloads it. The
// well-behaved client waits for files that are not there yet; the careless
// one looks once.
func (c *client) fetchCDRs(ctx context.Context) error {
	hostKey := ssh.InsecureIgnoreHostKey()
	if c.SFTPHostKey != "" {
		k, _, _, _, err := ssh.ParseAuthorizedKey([]byte(c.SFTPHostKey))
		if err != nil {
			return fmt.Errorf("sftp host key: %w", err)
		}
		hostKey = ssh.FixedHostKey(k)
	}
	conn, err := ssh.Dial("tcp", c.SFTPAddr, &ssh.ClientConfig{
		User: c.SFTPUser, Auth: []ssh.AuthMethod{ssh.Password(c.SFTPPassword)}, HostKeyCallback: hostKey, Timeout: 10 * time.Second,
	})
	if err != nil {
		return fmt.Errorf("sftp: %w", err)
	}
	defer conn.Close()
	sc, err := sftp.NewClient(conn)
	if err != nil {
		return fmt.Errorf("sftp: %w", err)
	}
	defer sc.Close()
	polls := 1
	if !c.Careless {
		polls = 6
	}
	for i := 0; i < polls; i++ {
		if i > 0 {
			c.logf("datafeed empty; listing again in %s", c.PollEvery)
			if err := c.sleep(ctx, c.PollEvery); err != nil {
				return err
			}
		}
		newest, err := newestFile(sc, "/cdr")
		if err != nil {
			return err
		}
		if newest == "" {
			continue
		}
		f, err := sc.Open(newest)
		if err != nil {
			return fmt.Errorf("sftp open %s: %w", newest, err)
		}
		defer f.Close()
		n, err := io.Copy(io.Discard, f)
		if err != nil {
			return fmt.Errorf("sftp read %s: %w", newest, err)
		}
		c.logf("fetched %s (%d bytes)", newest, n)
		return nil
	}
	return errors.New("sftp: no CDR file appeared")
}

// newestFile walks dir and returns its last file in name order ("" none).
func newestFile(sc *sftp.Client, dir string) (string, error) {
	w := sc.Walk(dir)
	newest := ""
	for w.Step() {
		if err := w.Err(); err != nil {
			return "", fmt.Errorf("sftp walk: %w", err)
		}
		if !w.Stat().IsDir() && w.Path() > newest {
			newest = w.Path()
		}
	}
	return newest, nil
}
