package pki

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// KeyType selects the key algorithm of a new certificate.
type KeyType string

const (
	// ECDSA is P-256: fast, small, and accepted by every JRE the Okta agent has shipped.
	ECDSA KeyType = "ecdsa"
	// RSA is 3072-bit RSA, for trust stores or policies that insist on RSA.
	RSA KeyType = "rsa"
)

// ParseKeyType accepts "ecdsa" (also "" and "ec") or "rsa".
func ParseKeyType(s string) (KeyType, error) {
	switch strings.ToLower(s) {
	case "", "ecdsa", "ec":
		return ECDSA, nil
	case "rsa":
		return RSA, nil
	}
	return "", fmt.Errorf("key type %q: want ecdsa or rsa", s)
}

func newKey(kt KeyType) (crypto.Signer, error) {
	switch kt {
	case "", ECDSA:
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case RSA:
		return rsa.GenerateKey(rand.Reader, 3072)
	}
	return nil, fmt.Errorf("key type %q: want ecdsa or rsa", kt)
}

// Pair is a certificate and its private key, parsed and PEM-encoded.
type Pair struct {
	Cert    *x509.Certificate
	Key     crypto.Signer
	CertPEM []byte
	KeyPEM  []byte // PKCS #8
}

// TLSCertificate returns the pair for a tls.Config.
func (p *Pair) TLSCertificate() (tls.Certificate, error) {
	return tls.X509KeyPair(p.CertPEM, p.KeyPEM)
}

// CA is a private certificate authority.
type CA struct{ Pair }

// Pool returns a pool trusting only this CA.
func (ca *CA) Pool() *x509.CertPool {
	p := x509.NewCertPool()
	p.AddCert(ca.Cert)
	return p
}

func serial() (*big.Int, error) {
	return rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
}

func encode(der []byte, key crypto.Signer) (*Pair, error) {
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, err
	}
	kder, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, err
	}
	return &Pair{
		Cert:    cert,
		Key:     key,
		CertPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		KeyPEM:  pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}),
	}, nil
}

// subjectKeyID follows RFC 5280 §4.2.1.2 method 1 (SHA-1 there; a truncated SHA-256 is allowed
// and avoids SHA-1 entirely).
func subjectKeyID(pub crypto.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	sum := sha256.Sum256(der)
	return sum[:20]
}

// NewCA makes a self-signed CA certificate valid for validity, with the given common name. It
// may sign only end-entity certificates (path length 0).
func NewCA(commonName string, validity time.Duration, kt KeyType) (*CA, error) {
	if commonName == "" {
		return nil, errors.New("pki: the CA needs a common name")
	}
	if validity <= 0 {
		return nil, errors.New("pki: validity must be positive")
	}
	key, err := newKey(kt)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          sn,
		Subject:               pkix.Name{CommonName: commonName, Organization: []string{"scimbridge private CA"}},
		NotBefore:             now.Add(-5 * time.Minute), // tolerate small clock differences between hosts
		NotAfter:              now.Add(validity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          subjectKeyID(key.Public()),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		return nil, fmt.Errorf("pki: creating the CA certificate: %w", err)
	}
	p, err := encode(der, key)
	if err != nil {
		return nil, err
	}
	return &CA{*p}, nil
}

// LoadCA reads a CA certificate and its key from PEM (the files `scimbridge cert` writes), so a
// later run can issue a new server certificate under the CA the agents already trust.
func LoadCA(certPEM, keyPEM []byte) (*CA, error) {
	tc, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return nil, fmt.Errorf("pki: CA certificate and key: %w", err)
	}
	cert, err := x509.ParseCertificate(tc.Certificate[0])
	if err != nil {
		return nil, fmt.Errorf("pki: CA certificate: %w", err)
	}
	if !cert.IsCA {
		return nil, errors.New("pki: the certificate is not a CA (basic constraints CA:FALSE)")
	}
	key, ok := tc.PrivateKey.(crypto.Signer)
	if !ok {
		return nil, errors.New("pki: the CA key cannot sign")
	}
	if time.Now().After(cert.NotAfter) {
		return nil, fmt.Errorf("pki: the CA certificate expired on %s", cert.NotAfter.Format(time.DateOnly))
	}
	return &CA{Pair{Cert: cert, Key: key, CertPEM: certPEM, KeyPEM: keyPEM}}, nil
}

// ServerRequest describes a server certificate.
type ServerRequest struct {
	DNSNames []string
	IPs      []net.IP
	Validity time.Duration
	KeyType  KeyType
}

// CheckDNSName reports whether s can be a DNS SAN: a host name or a leftmost wildcard label,
// without a scheme, port or path (a common slip when copying the base URL).
func CheckDNSName(s string) error {
	if s == "" {
		return errors.New("empty DNS name")
	}
	if strings.Contains(s, "://") || strings.ContainsAny(s, "/:@ ") {
		return fmt.Errorf("DNS name %q: give the host name only (no scheme, port, path or spaces)", s)
	}
	if net.ParseIP(s) != nil {
		return fmt.Errorf("DNS name %q is an IP address: use --ip for it", s)
	}
	if len(s) > 253 {
		return fmt.Errorf("DNS name %q is longer than 253 characters", s)
	}
	for i, label := range strings.Split(strings.TrimSuffix(s, "."), ".") {
		if label == "*" && i == 0 {
			continue
		}
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return fmt.Errorf("DNS name %q: label %q is not valid", s, label)
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return fmt.Errorf("DNS name %q: label %q has character %q", s, label, c)
			}
		}
	}
	return nil
}

// IssueServer signs a server certificate (serverAuth) for the requested names. At least one name
// is required: the Okta agent's JRE checks the SAN against the host of the base URL and ignores
// the common name.
func (ca *CA) IssueServer(req ServerRequest) (*Pair, error) {
	if len(req.DNSNames) == 0 && len(req.IPs) == 0 {
		return nil, errors.New("pki: a server certificate needs at least one DNS name or IP address")
	}
	var errs []error
	for _, d := range req.DNSNames {
		if err := CheckDNSName(d); err != nil {
			errs = append(errs, err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	cn := ""
	if len(req.DNSNames) > 0 {
		cn = req.DNSNames[0]
	} else {
		cn = req.IPs[0].String()
	}
	return ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: cn},
		DNSNames:    req.DNSNames,
		IPAddresses: req.IPs,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, req.Validity, req.KeyType)
}

// IssueClient signs a client certificate (clientAuth) with the given common name, for mutual TLS.
func (ca *CA) IssueClient(commonName string, validity time.Duration, kt KeyType) (*Pair, error) {
	if commonName == "" {
		return nil, errors.New("pki: a client certificate needs a common name")
	}
	return ca.issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: commonName},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, validity, kt)
}

func (ca *CA) issue(tmpl *x509.Certificate, validity time.Duration, kt KeyType) (*Pair, error) {
	if validity <= 0 {
		return nil, errors.New("pki: validity must be positive")
	}
	key, err := newKey(kt)
	if err != nil {
		return nil, err
	}
	sn, err := serial()
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tmpl.SerialNumber = sn
	tmpl.NotBefore = now.Add(-5 * time.Minute)
	tmpl.NotAfter = now.Add(validity)
	if tmpl.NotAfter.After(ca.Cert.NotAfter) {
		// A certificate outliving its issuer fails validation on that day anyway; say so now.
		tmpl.NotAfter = ca.Cert.NotAfter
	}
	tmpl.KeyUsage = x509.KeyUsageDigitalSignature
	if _, isRSA := key.(*rsa.PrivateKey); isRSA {
		tmpl.KeyUsage |= x509.KeyUsageKeyEncipherment
	}
	tmpl.BasicConstraintsValid = true
	tmpl.SubjectKeyId = subjectKeyID(key.Public())
	tmpl.AuthorityKeyId = ca.Cert.SubjectKeyId
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.Cert, key.Public(), ca.Key)
	if err != nil {
		return nil, fmt.Errorf("pki: signing the certificate: %w", err)
	}
	return encode(der, key)
}

// WriteFile writes data to path with permission perm, refusing to replace an existing file unless
// overwrite is set. The data goes to a temporary file in the same directory first and is renamed
// into place, so a reader (a bridge reloading its certificate) never sees half a file, and a key
// is never readable by others even for an instant.
func WriteFile(path string, data []byte, perm os.FileMode, overwrite bool) error {
	if !overwrite {
		if _, err := os.Lstat(path); err == nil {
			return fmt.Errorf("%s exists (use --force to replace it)", path)
		} else if !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing left to remove
	if err := f.Chmod(perm); err != nil && !isChmodUnsupported(err) {
		f.Close()
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
