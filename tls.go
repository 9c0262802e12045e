package fakealianza

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/binary"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"time"
)

// DefaultTLSHosts are the names the generated leaf certificate always
// covers: this machine, and the hosts Alianza's clients are configured with.
var DefaultTLSHosts = []string{"localhost", "127.0.0.1", "::1", "api.alianza.com", "api.b2.alianza.com"}

// tlsIdentity is the HTTPS listener's certificate, and the CA that signed it
// when the server made its own.
type tlsIdentity struct {
	cert  tls.Certificate
	caPEM []byte // nil when the certificate came from files
}

// loadTLS reads the given certificate and key, or makes a local CA and a leaf
// certificate for DefaultTLSHosts plus extra.
func loadTLS(certFile, keyFile string, seed uint64, extra []string, now time.Time) (*tlsIdentity, error) {
	if certFile != "" || keyFile != "" {
		if certFile == "" || keyFile == "" {
			return nil, errors.New("tls: give both a certificate and a key file, or neither")
		}
		cert, err := tls.LoadX509KeyPair(certFile, keyFile)
		if err != nil {
			return nil, fmt.Errorf("tls: %w", err)
		}
		return &tlsIdentity{cert: cert}, nil
	}
	return generateTLS(seed, extra, now)
}

// seededKey derives a P-256 key from the seed and a label: the same seed
// gives the same key on every start and machine.
func seededKey(seed uint64, label string) (*ecdsa.PrivateKey, error) {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seed)
	for i := 0; i < 16; i++ {
		h := sha256.New()
		fmt.Fprintf(h, "fakealianza tls %s %d:", label, i)
		h.Write(b[:])
		// A scalar outside the curve's order (odds about 2^-32) is
		// refused; the next counter gives another.
		if k, err := ecdsa.ParseRawPrivateKey(elliptic.P256(), h.Sum(nil)); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("tls: no valid key from the seed")
}

// deterministicSigner signs with RFC 6979 nonces (a nil random source), so a
// certificate with fixed fields has the same bytes on every start.
type deterministicSigner struct{ k *ecdsa.PrivateKey }

func (d deterministicSigner) Public() crypto.PublicKey { return d.k.Public() }
func (d deterministicSigner) Sign(_ io.Reader, digest []byte, opts crypto.SignerOpts) ([]byte, error) {
	return d.k.Sign(nil, digest, opts)
}

func serial(seed uint64, label string) *big.Int {
	h := sha256.Sum256(fmt.Appendf(nil, "fakealianza serial %s %d", label, seed))
	return new(big.Int).SetBytes(h[:16])
}

// generateTLS makes the local CA (fixed validity, so its PEM is the same for
// a seed on every start) and a leaf for the hosts, valid from a day before
// now for 397 days (within what browsers and Apple accept for a leaf).
func generateTLS(seed uint64, extra []string, now time.Time) (*tlsIdentity, error) {
	caKey, err := seededKey(seed, "ca")
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          serial(seed, "ca"),
		Subject:               pkix.Name{Organization: []string{"fakealianza"}, CommonName: fmt.Sprintf("fakealianza local CA (seed %d)", seed)},
		NotBefore:             time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC),
		NotAfter:              time.Date(2049, 12, 31, 0, 0, 0, 0, time.UTC),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	caDER, err := x509.CreateCertificate(nil, caTmpl, caTmpl, caKey.Public(), deterministicSigner{caKey})
	if err != nil {
		return nil, fmt.Errorf("tls: make CA: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, fmt.Errorf("tls: read CA: %w", err)
	}
	leafKey, err := seededKey(seed, "leaf")
	if err != nil {
		return nil, err
	}
	day := now.UTC().Truncate(24 * time.Hour)
	leafTmpl := &x509.Certificate{
		SerialNumber: serial(seed, "leaf "+day.Format(time.DateOnly)),
		Subject:      pkix.Name{Organization: []string{"fakealianza"}, CommonName: "fakealianza"},
		NotBefore:    day.Add(-24 * time.Hour),
		NotAfter:     day.Add(396 * 24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	seen := map[string]bool{}
	for _, h := range append(append([]string{}, DefaultTLSHosts...), extra...) {
		if h == "" || seen[h] {
			continue
		}
		seen[h] = true
		if ip := net.ParseIP(h); ip != nil {
			leafTmpl.IPAddresses = append(leafTmpl.IPAddresses, ip)
		} else {
			leafTmpl.DNSNames = append(leafTmpl.DNSNames, h)
		}
	}
	leafDER, err := x509.CreateCertificate(nil, leafTmpl, ca, leafKey.Public(), deterministicSigner{caKey})
	if err != nil {
		return nil, fmt.Errorf("tls: make certificate: %w", err)
	}
	return &tlsIdentity{
		cert:  tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey},
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
	}, nil
}
