package gen

import (
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/nyaruka/phonenumbers"
)

func TestSubject(t *testing.T) {
	g, again := New(7), New(7)
	seen := map[string]bool{}
	for range 500 {
		s := g.Subject()
		if s != again.Subject() {
			t.Fatal("two generators of one seed make different subjects")
		}
		if seen[s.Account] {
			t.Errorf("account %s made twice", s.Account)
		}
		seen[s.Account] = true
		if a, err := netip.ParseAddr(s.IPv4); err != nil || !a.Is4() || a.IsPrivate() {
			t.Errorf("IPv4 %q", s.IPv4)
		}
		if !strings.Contains(s.Email, "@") || s.IMEI == "" {
			t.Errorf("subject %+v", s)
		}
		if n, err := phonenumbers.Parse(s.Phone, ""); err != nil || !phonenumbers.IsValidNumber(n) {
			t.Errorf("phone %q: %v", s.Phone, err)
		}
	}
}

func TestSetClock(t *testing.T) {
	g := New(1)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)
	g.SetClock(at)
	line := string(g.Line(JSON))
	if !strings.Contains(line, "2030-01-02") {
		t.Errorf("line after SetClock(%v) carries another date: %s", at, line)
	}
}
