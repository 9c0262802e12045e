package fakealianza_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fakealianza/fakealianza"
	"github.com/fakealianza/fakealianza/fatest"
)

// httpsClient trusts only pool and dials addr whatever the URL's host, so a
// request to https://api.alianza.com/... reaches the emulator (as an
// /etc/hosts entry would) and the certificate is checked for that name.
func httpsClient(t *testing.T, pool *x509.CertPool, addr string, h2 bool) *http.Client {
	tr := &http.Transport{
		TLSClientConfig: &tls.Config{RootCAs: pool},
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
		ForceAttemptHTTP2: h2,
	}
	if !h2 {
		tr.Protocols = new(http.Protocols)
		tr.Protocols.SetHTTP1(true)
	}
	// Idle connections close before the server does (cleanups run last
	// first): a server's shutdown would otherwise wait for them.
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

func get(t *testing.T, c *http.Client, url string) (*http.Response, []byte) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, b
}

func TestHTTPSVerifiesWithTheLocalCA(t *testing.T) {
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.HTTPSAddr = "127.0.0.1:0"
		o.Seed = 5
		o.TLSHosts = []string{"alianza.test", "10.1.2.3"}
	})
	if !strings.HasPrefix(srv.HTTPSURL(), "https://127.0.0.1:") {
		t.Fatalf("HTTPSURL %q", srv.HTTPSURL())
	}
	r := srv.Call(t, http.MethodGet, "/__admin/ca.pem", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-pem-file" || !bytes.Equal(r.Body, srv.CACertPEM()) {
		t.Fatalf("ca.pem: %d %q %q", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(r.Body) {
		t.Fatalf("ca.pem is not a PEM certificate: %q", r.Body)
	}
	tests := []struct {
		host  string
		h2    bool
		proto int
	}{
		{"127.0.0.1", true, 2},
		{"127.0.0.1", false, 1},
		{"localhost", true, 2},
		{"api.alianza.com", true, 2},
		{"api.b2.alianza.com", false, 1},
		{"alianza.test", true, 2},
		{"10.1.2.3", false, 1},
		{"[::1]", true, 2},
	}
	for _, tc := range tests {
		t.Run(tc.host, func(t *testing.T) {
			c := httpsClient(t, pool, srv.HTTPSAddr(), tc.h2)
			resp, body := get(t, c, "https://"+tc.host+"/__admin/ready")
			if resp.StatusCode != 200 || resp.ProtoMajor != tc.proto || !strings.Contains(string(body), `"ready"`) {
				t.Fatalf("%s: %d over HTTP/%d: %s", tc.host, resp.StatusCode, resp.ProtoMajor, body)
			}
			if len(resp.TLS.VerifiedChains) != 1 || len(resp.TLS.VerifiedChains[0]) != 2 {
				t.Fatalf("chain not verified to the CA: %v", resp.TLS.VerifiedChains)
			}
		})
	}
	// A name the certificate does not cover, and a client without the CA,
	// both fail verification.
	for name, c := range map[string]*http.Client{
		"other host": httpsClient(t, pool, srv.HTTPSAddr(), true),
		"no CA":      httpsClient(t, x509.NewCertPool(), srv.HTTPSAddr(), true),
	} {
		host := "api.alianza.com"
		if name == "other host" {
			host = "example.org"
		}
		if _, err := c.Get("https://" + host + "/__admin/ready"); err == nil || !strings.Contains(err.Error(), "certificate") {
			t.Errorf("%s: want a certificate error, got %v", name, err)
		}
	}
	// The API itself answers over HTTPS: a login.
	c := httpsClient(t, pool, srv.HTTPSAddr(), true)
	resp, err := c.Post("https://api.alianza.com/v2/authorize", "application/json",
		strings.NewReader(`{"username":"`+fatest.AdminUser+`","password":"`+fatest.Password+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 || resp.ProtoMajor != 2 {
		t.Fatalf("login over h2: %d HTTP/%d", resp.StatusCode, resp.ProtoMajor)
	}
	// A connection fault over h2 resets the stream: the client sees an error.
	for _, fault := range []string{"connection=reset", "connection=garbage"} {
		req, err := http.NewRequest(http.MethodGet, "https://api.alianza.com/v2/partition/x", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("X-Fakealianza-Fault", fault)
		if resp, err := c.Do(req); err == nil {
			resp.Body.Close()
			t.Errorf("%s over h2: got %d, want a broken stream", fault, resp.StatusCode)
		}
	}
}

func TestTLSCAIsStableForASeed(t *testing.T) {
	ca := func(seed uint64) []byte {
		srv, err := fakealianza.New(fakealianza.Options{HTTPSAddr: "127.0.0.1:0", SFTPAddr: "off", Seed: seed})
		if err != nil {
			t.Fatal(err)
		}
		return srv.CACertPEM()
	}
	a, b, other := ca(9), ca(9), ca(10)
	if len(a) == 0 || !bytes.Equal(a, b) {
		t.Fatalf("same seed, different CA:\n%s\n%s", a, b)
	}
	if bytes.Equal(a, other) {
		t.Fatal("seeds 9 and 10 give the same CA")
	}
	block, _ := pem.Decode(a)
	if block == nil {
		t.Fatal("no PEM block")
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if !cert.IsCA || cert.NotAfter.Before(time.Now().AddDate(10, 0, 0)) {
		t.Fatalf("CA: isCA=%v notAfter=%v", cert.IsCA, cert.NotAfter)
	}
}

func TestHTTPSWithGivenCertificate(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(42), Subject: pkix.Name{CommonName: "own"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := fatest.New(t, func(o *fakealianza.Options) {
		o.HTTPSAddr = "127.0.0.1:0"
		o.TLSCertFile = certFile
		o.TLSKeyFile = keyFile
	})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	resp, _ := get(t, httpsClient(t, pool, srv.HTTPSAddr(), true), srv.HTTPSURL()+"/__admin/health")
	if resp.StatusCode != 200 || resp.ProtoMajor != 2 {
		t.Fatalf("health: %d HTTP/%d", resp.StatusCode, resp.ProtoMajor)
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/ca.pem", nil); r.Status != 404 || srv.CACertPEM() != nil {
		t.Fatalf("ca.pem with a certificate of one's own: %d", r.Status)
	}
	for _, o := range []fakealianza.Options{
		{HTTPSAddr: "127.0.0.1:0", TLSCertFile: certFile},
		{HTTPSAddr: "127.0.0.1:0", TLSCertFile: keyFile, TLSKeyFile: certFile},
	} {
		if _, err := fakealianza.New(o); err == nil || !strings.Contains(err.Error(), "tls") {
			t.Errorf("%+v: want a tls error, got %v", o, err)
		}
	}
}

func TestHTTPSOffByDefaultInTheLibrary(t *testing.T) {
	srv := fatest.New(t)
	if srv.HTTPSURL() != "" || srv.CACertPEM() != nil {
		t.Fatalf("HTTPS on without HTTPSAddr: %q", srv.HTTPSURL())
	}
	if r := srv.Call(t, http.MethodGet, "/__admin/ca.pem", nil); r.Status != 404 {
		t.Fatalf("ca.pem: %d", r.Status)
	}
}
