package discover

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/rules"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestReadLines checks line ends (LF, CRLF, none at the end), a line
// longer than the reader's buffer, and a line over the record limit, which
// is counted as failed closed without being scrubbed.
func TestReadLines(t *testing.T) {
	p := rules.Default()
	p.Limits.MaxRecordBytes = 200 << 10
	e := rulestest.Compile(t, p)
	long := `{"pad":"` + strings.Repeat("a", 100<<10) + `","ip":"203.0.113.9"}`
	tooLong := `{"ip":"203.0.113.9","pad":"` + strings.Repeat("a", 300<<10) + `"}`
	in := "from 203.0.113.1\r\n" + long + "\n" + tooLong + "\n\nmail jo@example.com"
	s := NewSampler(e, 0)
	if err := s.ReadLines(context.Background(), strings.NewReader(in)); err != nil {
		t.Fatal(err)
	}
	r := s.Tally().Report(nil)
	if r.Records != 5 || r.Failed["too_large"] != 1 || r.RecordsWithFindings != 3 {
		t.Fatalf("records %d, failed %v, with findings %d", r.Records, r.Failed, r.RecordsWithFindings)
	}
	if f, ok := findField(r, "json", "ip"); !ok || f.Records != 1 {
		t.Errorf("json ip: %+v (fields %+v)", f, r.Fields)
	}
	if f, ok := findField(r, "text", NoField); !ok || f.Records != 2 {
		t.Errorf("text: %+v", f)
	}
	// The CR is not part of the record: the address ends before it.
	if ex := r.Totals[0]; ex.Type != "ipv4" || ex.Count != 2 {
		t.Errorf("totals %+v", r.Totals)
	}
}

// TestSamplerLimit checks that a sample stops at its size, over several
// inputs, and that a cancelled read stops.
func TestSamplerLimit(t *testing.T) {
	e := rulestest.Engine(t, "")
	s := NewSampler(e, 3)
	in := bytes.Repeat([]byte("from 203.0.113.1\n"), 2)
	for range 3 {
		if err := s.ReadLines(context.Background(), bytes.NewReader(in)); err != nil {
			t.Fatal(err)
		}
	}
	if n := s.Tally().Records(); n != 3 || !s.Full() || s.Limit() != 3 {
		t.Errorf("read %d records of a sample of 3", n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := NewSampler(e, 0).ReadLines(ctx, bytes.NewReader(in)); err == nil {
		t.Error("a cancelled read returned no error")
	}
}

// TestMessage checks that the key and headers of a Kafka record are
// counted at their own places, a header named by personal data by its
// type, and that a record is counted once whichever parts hold findings.
func TestMessage(t *testing.T) {
	s := NewSampler(rulestest.Engine(t, ""), 0)
	headers := []rules.Header{
		{Name: []byte("x-contact"), Value: []byte("mail jo@example.com")},
		{Name: []byte("jo@example.com"), Value: []byte("x")},
		{Name: []byte("content-type"), Value: []byte("application/json")},
	}
	s.Message([]byte("user-42"), []byte(`{"ip":"203.0.113.9"}`), headers)
	s.Message([]byte("user-43"), []byte("nothing here"), nil)
	s.Message(nil, []byte("nothing here"), headers[:1])
	s.Message(nil, []byte("nothing at all"), nil)
	r := s.Tally().Report(nil)
	if r.Records != 4 || r.RecordsWithFindings != 3 {
		t.Fatalf("records %d, with findings %d", r.Records, r.RecordsWithFindings)
	}
	for _, w := range []struct {
		place, path, typ string
		records          int64
	}{
		{PlaceKey, KeyPath, "account_id", 2},
		{PlaceHeader, "x-contact", "email", 2},
		{PlaceHeader, "[email]", "email", 1},
		{"json", "ip", "ipv4", 1},
	} {
		f, ok := findField(r, w.place, w.path)
		if !ok || f.Records != w.records || f.Types[0].Type != w.typ {
			t.Errorf("%s %s: %+v", w.place, w.path, f)
		}
	}
	if len(r.Fields) != 4 {
		t.Errorf("fields %+v", r.Fields)
	}
	assertNoValues(t, r, []string{"user-42", "user-43", "jo@example.com", "203.0.113.9"})

	// A key over the record limit fails the record closed.
	p := rules.Default()
	p.Limits.MaxRecordBytes = 1024
	e := rulestest.Compile(t, p)
	s = NewSampler(e, 0)
	s.Message(bytes.Repeat([]byte("k"), 2000), []byte("from 203.0.113.9"), nil)
	if r := s.Tally().Report(nil); r.Records != 1 || r.Failed["too_large"] != 1 || len(r.Fields) != 0 {
		t.Errorf("records %d, failed %v, fields %+v", r.Records, r.Failed, r.Fields)
	}
}
