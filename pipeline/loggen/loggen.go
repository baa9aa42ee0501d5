// Package loggen generates realistic raw log records full of fake personal
// data: JSON application logs, Nginx/Apache access logs and logfmt lines
// with IPv4 and IPv6 addresses, e-mail addresses, phone numbers, account
// and device ids, IMEIs and user agents. Every value is made up; the
// generator is deterministic for a seed.
package loggen

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Generator makes records. It is not safe for concurrent use.
type Generator struct {
	r   *rand.Rand
	seq int64
	now time.Time
}

// New returns a generator seeded with seed whose timestamps start at start.
func New(seed uint64, start time.Time) *Generator {
	return &Generator{r: rand.New(rand.NewPCG(seed, seed^0x5eed)), now: start}
}

var (
	firstNames = []string{"alice", "bob", "chen", "dana", "emre", "fatima", "giulia", "hiro", "ines", "jonas", "kofi", "lena"}
	domains    = []string{"example.com", "mail.example.org", "example.net", "corp.example.co.uk"}
	paths      = []string{"/api/v1/login", "/api/v1/cart", "/static/app.js", "/account/settings", "/search?q=phone+case", "/checkout/confirm"}
	agents     = []string{
		"Mozilla/5.0 (Linux; Android 14; 23127PN0CG) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
		"okhttp/4.12.0",
	}
	levels = []string{"info", "info", "info", "warn", "error", "debug"}
	events = []string{"login", "logout", "add_to_cart", "payment_authorized", "password_reset", "device_bound"}
	phones = []string{"+1 202-555-01%02d", "+44 20 7946 0%03d", "+49 30 901820%02d", "+86 138 0013 8%03d", "+65 6123 4%03d"}
)

// IPv4 returns a public-looking IPv4 address.
func (g *Generator) IPv4() string {
	return fmt.Sprintf("%d.%d.%d.%d", []int{81, 93, 185, 203, 198, 46}[g.r.IntN(6)], g.r.IntN(256), g.r.IntN(256), 1+g.r.IntN(254))
}

// IPv6 returns a documentation-range IPv6 address.
func (g *Generator) IPv6() string {
	return fmt.Sprintf("2001:db8:%x:%x::%x", g.r.IntN(0xffff), g.r.IntN(0xffff), 1+g.r.IntN(0xfffe))
}

// Email returns an e-mail address.
func (g *Generator) Email() string {
	return fmt.Sprintf("%s.%d@%s", firstNames[g.r.IntN(len(firstNames))], g.r.IntN(10000), domains[g.r.IntN(len(domains))])
}

// Phone returns a phone number in international format.
func (g *Generator) Phone() string {
	return fmt.Sprintf(phones[g.r.IntN(len(phones))], g.r.IntN(100))
}

// IMEI returns a 15-digit IMEI with a valid Luhn check digit.
func (g *Generator) IMEI() string {
	d := make([]byte, 15)
	copy(d, "35")
	for i := 2; i < 14; i++ {
		d[i] = byte('0' + g.r.IntN(10))
	}
	sum := 0
	for i := range 14 {
		n := int(d[i] - '0')
		if i%2 == 1 {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
	}
	d[14] = byte('0' + (10-sum%10)%10)
	return string(d)
}

// AccountID returns an account id.
func (g *Generator) AccountID() string {
	return fmt.Sprintf("%d", 1_000_000_000+g.r.Int64N(8_999_999_999))
}

// DeviceID returns a UUID-shaped device id.
func (g *Generator) DeviceID() string {
	return fmt.Sprintf("%08x-%04x-4%03x-a%03x-%012x", g.r.Uint32(), g.r.IntN(0x10000), g.r.IntN(0x1000), g.r.IntN(0x1000), g.r.Int64N(1<<48))
}

// Sync sets the clock of the next timestamps to t: a live stream (the demo)
// keeps its event times at the wall clock, so that windowed aggregates see
// records in time instead of hours ahead of it.
func (g *Generator) Sync(t time.Time) { g.now = t }

// Next returns the next record, of a random format, and its sequence number.
func (g *Generator) Next() (int64, []byte) {
	g.seq++
	g.now = g.now.Add(time.Duration(1+g.r.IntN(20)) * time.Millisecond)
	switch g.r.IntN(3) {
	case 0:
		return g.seq, g.jsonLog()
	case 1:
		return g.seq, g.accessLog()
	default:
		return g.seq, g.logfmt()
	}
}

func (g *Generator) jsonLog() []byte {
	ip := g.IPv4()
	if g.r.IntN(5) == 0 {
		ip = g.IPv6()
	}
	return fmt.Appendf(nil, `{"ts":%q,"level":%q,"seq":%d,"event":%q,"user_id":%q,"email":%q,"client_ip":%q,"device":{"device_id":%q,"imei":%q},"msg":"event %s for %s from %s","user_agent":%q}`,
		g.now.UTC().Format(time.RFC3339Nano), levels[g.r.IntN(len(levels))], g.seq, events[g.r.IntN(len(events))],
		g.AccountID(), g.Email(), ip, g.DeviceID(), g.IMEI(), events[g.r.IntN(len(events))], g.Email(), g.IPv4(), agents[g.r.IntN(len(agents))])
}

func (g *Generator) accessLog() []byte {
	user := "-"
	if g.r.IntN(3) == 0 {
		user = firstNames[g.r.IntN(len(firstNames))]
	}
	return fmt.Appendf(nil, `%s - %s [%s] "GET %s HTTP/1.1" %d %d "https://shop.example.com/?ref=%s" "%s"`,
		g.IPv4(), user, g.now.UTC().Format("02/Jan/2006:15:04:05 -0700"), paths[g.r.IntN(len(paths))],
		[]int{200, 200, 200, 302, 404, 500}[g.r.IntN(6)], 200+g.r.IntN(50000), g.Email(), agents[g.r.IntN(len(agents))])
}

func (g *Generator) logfmt() []byte {
	return fmt.Appendf(nil, `ts=%s level=%s seq=%d msg="sms verification sent" phone=%q account_id=%s remote_addr=%s forwarded_for="%s, %s" imei=%s`,
		g.now.UTC().Format(time.RFC3339), levels[g.r.IntN(len(levels))], g.seq, g.Phone(), g.AccountID(), g.IPv4(), g.IPv4(), g.IPv6(), g.IMEI())
}
