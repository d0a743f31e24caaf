package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type certFiles struct {
	ca                    string // CA certificate (PEM)
	serverCert, serverKey string
	client                string // client certificate and key (PEM), with -mtls
}

// makeCerts writes a CA, a server certificate for 127.0.0.1 and ::1 and,
// if client, a client certificate, all valid for a day, into dir.
func makeCerts(dir string, client bool) (certFiles, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return certFiles{}, err
	}
	now := time.Now()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return certFiles{}, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ThaiTrust test CA"},
		NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return certFiles{}, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return certFiles{}, err
	}
	issue := func(serial int64, name string, usage x509.ExtKeyUsage, ips []net.IP) (certPEM, keyPEM []byte, err error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return nil, nil, err
		}
		der, err := x509.CreateCertificate(rand.Reader, &x509.Certificate{
			SerialNumber: big.NewInt(serial), Subject: pkix.Name{CommonName: name},
			NotBefore: now.Add(-time.Hour), NotAfter: now.Add(24 * time.Hour),
			KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{usage}, IPAddresses: ips,
		}, ca, &key.PublicKey, caKey)
		if err != nil {
			return nil, nil, err
		}
		kder, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, nil, err
		}
		return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: kder}), nil
	}
	f := certFiles{ca: filepath.Join(dir, "ca.pem"), serverCert: filepath.Join(dir, "server.pem"), serverKey: filepath.Join(dir, "server.key")}
	if err := os.WriteFile(f.ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}), 0o600); err != nil {
		return certFiles{}, err
	}
	cert, key, err := issue(2, "127.0.0.1", x509.ExtKeyUsageServerAuth, []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback})
	if err != nil {
		return certFiles{}, err
	}
	if err := os.WriteFile(f.serverCert, cert, 0o600); err != nil {
		return certFiles{}, err
	}
	if err := os.WriteFile(f.serverKey, key, 0o600); err != nil {
		return certFiles{}, err
	}
	if client {
		cert, key, err := issue(3, "thaitrust", x509.ExtKeyUsageClientAuth, nil)
		if err != nil {
			return certFiles{}, err
		}
		f.client = filepath.Join(dir, "client.pem")
		if err := os.WriteFile(f.client, append(cert, key...), 0o600); err != nil {
			return certFiles{}, err
		}
	}
	return f, nil
}
