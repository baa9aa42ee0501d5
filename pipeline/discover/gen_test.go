package discover

import (
	"fmt"
	"testing"

	"github.com/scrubd/scrubd/rules"
)

// corpus is generated test data: records of every format with personal
// data at known places, and the raw values they hold.
type corpus struct {
	records [][]byte
	values  []string // every personal value written, none may be shown
	n       int      // records of each kind
}

// genCorpus writes n records of each kind: JSON, JSON keyed by e-mail
// address, logfmt, access log, text, and one record of invalid JSON.
func genCorpus(n int) *corpus {
	c := &corpus{n: n}
	add := func(rec string, vals ...string) {
		c.records = append(c.records, []byte(rec))
		c.values = append(c.values, vals...)
	}
	for i := range n {
		email := fmt.Sprintf("user%03d.name@example.com", i)
		ip := fmt.Sprintf("203.0.113.%d", 1+i%250)
		add(fmt.Sprintf(`{"user":{"email":%q},"client_ip":%q,"msg":"paid with card 4111 1111 1111 1111"}`, email, ip), email, ip, "4111 1111 1111 1111")
		add(fmt.Sprintf(`{"by_mail":{%q:{"ip":%q}}}`, email, ip), email, ip)
		add(fmt.Sprintf(`level=info user_email=%s msg="login from %s"`, email, ip), email, ip)
		add(fmt.Sprintf(`%s - - [10/Oct/2000:13:55:36 -0700] "GET /?email=%s HTTP/1.0" 200 2326 "-" "curl/8.1"`, ip, email), ip, email)
		add(fmt.Sprintf(`Failed password for root from %s port 22 ssh2`, ip), ip)
	}
	add(`{"unfinished":`)
	return c
}

// tally scrubs the records with e and tallies them.
func (c *corpus) tally(t testing.TB, e *rules.Engine, recs [][]byte, first int) *Tally {
	t.Helper()
	tl := New(e)
	ses := e.NewSession()
	var res rules.Result
	res.Locate = true
	for i, rec := range recs {
		_, err := ses.Scrub(nil, rec, &res)
		tl.Record(int64(first+i), rec, &res, err)
	}
	return tl
}
