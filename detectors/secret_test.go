package detectors

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestScanPEM(t *testing.T) {
	s := newTestScanner(t)
	const body = "MIIEowIBAAKCAQEA1234abcd+/=="
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"multi-line record", "-----BEGIN RSA PRIVATE KEY-----\n" + body + "\nQUJD\n-----END RSA PRIVATE KEY-----\n",
			[]string{"secret:\n" + body + "\nQUJD\n"}},
		{"escaped line ends", `key="-----BEGIN PRIVATE KEY-----\n` + body + `\n-----END PRIVATE KEY-----" ok=1`,
			[]string{`secret:\n` + body + `\n`}},
		{"crlf escapes", `-----BEGIN EC PRIVATE KEY-----\r\n` + body + `\r\n-----END EC PRIVATE KEY-----`,
			[]string{`secret:\r\n` + body + `\r\n`}},
		{"one line", "-----BEGIN OPENSSH PRIVATE KEY----- " + body + " -----END OPENSSH PRIVATE KEY-----",
			[]string{"secret: " + body + " "}},
		{"encrypted", "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n" + body + "\n-----END RSA PRIVATE KEY-----",
			[]string{"secret:\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,3F17F5316E2BAC89\n\n" + body + "\n"}},
		{"pgp", "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\n" + body + "\n=AbCd\n-----END PGP PRIVATE KEY BLOCK-----",
			[]string{"secret:\nVersion: GnuPG v2\n\n" + body + "\n=AbCd\n"}},
		{"truncated", `msg="-----BEGIN ENCRYPTED PRIVATE KEY-----\n` + body + `" next`, []string{`secret:\n` + body}},

		// Left alone.
		{"certificate", "-----BEGIN CERTIFICATE-----\n" + body + "\n-----END CERTIFICATE-----", nil},
		{"public key", "-----BEGIN PUBLIC KEY-----\n" + body + "\n-----END PUBLIC KEY-----", nil},
		{"scrubbed", "-----BEGIN RSA PRIVATE KEY-----[secret]-----END RSA PRIVATE KEY-----", nil},
		{"empty", "-----BEGIN RSA PRIVATE KEY-----\\n\\n-----END RSA PRIVATE KEY-----", nil},
		{"prose", "BEGIN PRIVATE KEY and ----BEGIN RSA PRIVATE KEY-----x", nil},
		{"sql", "BEGIN TRANSACTION; BETWEEN 1 AND 2", nil},
		{"number in the label", "-----BEGIN 490154203237518 PRIVATE KEY-----QUJD", []string{"imei:490154203237518"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := s.Scan(nil, []byte(tt.line))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, spans(tt.line, got)); diff != "" {
				t.Errorf("Scan(%q) (-want +got):\n%s", tt.line, diff)
			}
		})
	}
}

// FuzzPEM checks matchPEM on arbitrary bytes: the span is in bounds, right
// after a BEGIN line whose label names a private key, made of body bytes,
// ended by an END line, a byte that cannot be in a body or the bound.
func FuzzPEM(f *testing.F) {
	for _, s := range []string{
		"-----BEGIN RSA PRIVATE KEY-----\nQUJD\n-----END RSA PRIVATE KEY-----",
		`-----BEGIN PRIVATE KEY-----\nQUJD\n-----END PRIVATE KEY-----`,
		"-----BEGIN PGP PRIVATE KEY BLOCK-----\n\nQUJD\n=x\n-----END PGP PRIVATE KEY BLOCK-----",
		"-----BEGIN PRIVATE KEY-----[secret]-----END PRIVATE KEY-----",
		"-----BEGIN PRIVATE KEY----- \xff\x00",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		for i := range b {
			st, end := matchPEM(b, i)
			if end == 0 {
				continue
			}
			if st <= i || end <= st || end > len(b) {
				t.Fatalf("matchPEM(%q, %d) = %d, %d: out of bounds", b, i, st, end)
			}
			begin := b[i-5 : st]
			if !bytes.HasPrefix(begin, []byte("-----BEGIN ")) || !bytes.HasSuffix(begin, []byte("PRIVATE KEY-----")) && !bytes.HasSuffix(begin, []byte("PRIVATE KEY BLOCK-----")) {
				t.Fatalf("matchPEM(%q, %d) = %d, %d: after %q", b, i, st, end, begin)
			}
			if k := bytes.Index(b[st:end], []byte("-----END ")); k >= 0 {
				t.Fatalf("matchPEM(%q, %d) = %d, %d: END line inside", b, i, st, end)
			}
			if end < len(b) && end-st < maxPEMBody && pemBody[b[end]] && !bytes.HasPrefix(b[end:], []byte("-----END ")) {
				t.Fatalf("matchPEM(%q, %d) = %d, %d: body stops at %q", b, i, st, end, b[end])
			}
		}
	})
}
