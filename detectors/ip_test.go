package detectors

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScanIPv4Shapes runs the scanner on addresses glued to letters and
// punctuation and after product tokens, and on the version numbers that
// look like them.
func TestScanIPv4Shapes(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name string
		line string
		want []string
	}{
		{"glued letter after", "ip:198.51.100.23x", []string{"ipv4:198.51.100.23"}},
		{"glued letters after", "from 203.0.113.9abc", []string{"ipv4:203.0.113.9"}},
		{"glued letter before", "x198.51.100.23 y", []string{"ipv4:198.51.100.23"}},
		{"glued both", "ip198.51.100.23end", []string{"ipv4:198.51.100.23"}},
		{"glued private", "10.0.0.1ms", []string{"ipv4:10.0.0.1"}},
		{"punctuation", "a_198.51.100.23_b|203.0.113.9|", []string{"ipv4:198.51.100.23", "ipv4:203.0.113.9"}},
		{"after product token", "curl/8.5.0 client/198.51.100.23", []string{"ipv4:198.51.100.23"}},
		{"java host/address", "Connected to kafka-1/10.0.0.5:9092 and localhost/127.0.0.1", []string{"ipv4:10.0.0.5", "ipv4:127.0.0.1"}},
		{"path segment", "GET /v1/ip/203.0.113.7 HTTP/1.1", []string{"ipv4:203.0.113.7"}},
		{"rv address", "rv:203.0.113.9", []string{"ipv4:203.0.113.9"}},
		{"private glued to v", "v10.0.0.1", []string{"ipv4:10.0.0.1"}},

		// Versions.
		{"nginx", "Server: nginx/1.25.3.4", nil},
		{"firefox", "Gecko/20070515 Firefox/2.0.0.4", nil},
		{"reduced chrome", "Chrome/124.0.0.0 Safari/537.36 Edg/120.0.0.0", nil},
		{"gecko rv", "(Windows; U; rv:1.8.1.4) Gecko", nil},
		{"up browser", "UP.Browser/6.2.3.3.c.1.101", nil},
		{"glued letter version", "BonEcho/2.0.0.1p and 1.2.3.4a and 5.1.2.3rc1", nil},
		{"v version", "release v1.2.3.4 built", nil},
		{"zlib", "OpenSSL/1.0.1 zlib/1.2.3.4 libidn/1.18", nil},
		{"oid", "oid 1.3.6.1.4.1.311.21.7", nil},
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

func TestVersionLike(t *testing.T) {
	for q, want := range map[string]bool{
		"1.25.3.4": true, "2.0.0.4": true, "124.0.0.0": true, "30.30.1.2": true, "8.8.8.8": true,
		"198.51.100.23": false, "93.184.216.34": false, "31.1.2.3": false, "1.31.2.3": false,
		"10.0.0.1": false, "127.0.0.1": false, "172.16.0.0": false, "192.168.0.0": false,
		"169.254.1.1": false, "100.64.0.1": false, "0.0.0.0": false,
	} {
		if got := versionLike([]byte(q)); got != want {
			t.Errorf("versionLike(%q) = %v, want %v", q, got, want)
		}
	}
}
