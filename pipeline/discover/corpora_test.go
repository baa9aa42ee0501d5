package discover

import (
	"context"
	"os"
	"testing"

	"github.com/scrubd/scrubd/rules/rulestest"
)

// corporaDir holds the shared corpora (see /work/shared/corpora/SOURCES.md);
// the tests that read it skip when it is absent.
const corporaDir = "../../../shared/corpora/"

func sampleFile(t *testing.T, s *Sampler, name string) {
	t.Helper()
	f, err := os.Open(corporaDir + name)
	if err != nil {
		t.Skipf("shared corpus not present: %v", err)
	}
	defer f.Close()
	if err := s.ReadLines(context.Background(), f); err != nil {
		t.Fatal(err)
	}
}

// TestCorpora discovers the shared access-log corpora: every Apache line
// starts with a client address, every NGINX Plus status document holds
// upstream peer addresses; and renders their report in Chromium.
func TestCorpora(t *testing.T) {
	e := rulestest.Engine(t, "")
	s := NewSampler(e, 0)
	sampleFile(t, s, "access-logs/apache_logs")
	sampleFile(t, s, "access-logs/nginxplus_json_logs")
	r := s.Tally().Report([]string{"apache_logs", "nginxplus_json_logs"})
	if r.Records != 10500 || r.Formats["access"] != 10000 || r.Formats["json"] != 500 || len(r.Failed) != 0 {
		t.Fatalf("records %d, formats %v, failed %v", r.Records, r.Formats, r.Failed)
	}
	addr, ok := findField(r, "access", "remote_addr")
	if !ok || addr.Records != 10000 || addr.Types[0].Type != "ipv4" {
		t.Errorf("remote_addr: %+v", addr)
	}
	if ua, ok := findField(r, "access", "http_user_agent"); !ok || ua.Types[0].Type != "email" || ua.Records == 0 {
		// SOURCES.md: some user agents hold e-mail addresses.
		t.Errorf("http_user_agent: %+v", ua)
	}
	if f, ok := findField(r, "json", "address"); !ok || f.Records != 500 {
		t.Errorf("json address: %+v", f)
	}
	checkRendered(t, r)

	// A sample stops at its size.
	s = NewSampler(e, 100)
	sampleFile(t, s, "access-logs/apache_logs")
	if n := s.Tally().Records(); n != 100 || !s.Full() {
		t.Errorf("a sample of 100 read %d records", n)
	}
}
