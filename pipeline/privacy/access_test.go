package privacy

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/scrubd/scrubd/pipeline/vault"
)

// TestNewAccess: the access document keeps a UTF-8 value as text and any
// other in base64, lists what was not found (an empty list, not null),
// and states its times in UTC.
func TestNewAccess(t *testing.T) {
	at := time.Date(2026, 12, 7, 12, 0, 0, 0, time.FixedZone("CET", 3600))
	x := &vault.Export{
		Entries: []vault.Entry{
			{Type: "email", Pseudonym: "email_k1_a", Value: []byte("jo@example.com"), DataKey: "d1", Written: at},
			{Type: "user_id", Pseudonym: "user_id_k1_b", Value: []byte{0xff, 0x00}, DataKey: "d1", Written: at},
			{Type: "phone", Pseudonym: "phone_k1_c", DataKey: "d2", Problem: "no master key"},
		},
		DataKeys: 2,
	}
	a := NewAccess("email", "scrubd.vault", []string{"email_k1_a"}, x, at)
	if a.Type != "email" || a.Topic != "scrubd.vault" || a.DataKeys != 2 || a.ExportedAt.Location() != time.UTC {
		t.Errorf("document %+v", a)
	}
	if len(a.Entries) != 3 || a.Entries[0].Value == nil || *a.Entries[0].Value != "jo@example.com" ||
		a.Entries[1].Value != nil || !bytes.Equal(a.Entries[1].ValueBase64, []byte{0xff, 0x00}) ||
		a.Entries[2].Value != nil || a.Entries[2].ValueBase64 != nil || a.Entries[2].Problem == "" {
		t.Errorf("entries %+v", a.Entries)
	}
	b, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"not_found":[]`) || !strings.Contains(string(b), `"value_base64":"/wA="`) {
		t.Errorf("JSON %s", b)
	}
}

// TestReadSubject: the identifier comes from --subject or a file (line
// end trimmed, "-" is stdin); both, or an empty file, are refused; neither
// is no subject.
func TestReadSubject(t *testing.T) {
	file := filepath.Join(t.TempDir(), "subject")
	if err := os.WriteFile(file, []byte("jo@example.com\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		subject, file, stdin, want string
		err                        bool
	}{
		{subject: "jo@example.com", want: "jo@example.com"},
		{file: file, want: "jo@example.com"},
		{file: "-", stdin: "jo@example.com\n", want: "jo@example.com"},
		{subject: "x", file: file, err: true},
		{file: "-", stdin: "\n", err: true},
		{},
	} {
		got, err := ReadSubject(tt.subject, tt.file, strings.NewReader(tt.stdin))
		if string(got) != tt.want || (err != nil) != tt.err {
			t.Errorf("%+v: %q, %v", tt, got, err)
		}
	}
}
