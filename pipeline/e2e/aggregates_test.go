//go:build e2e

package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/internal/geotest"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// The GeoIP and aggregates tests of issue 5 against the real broker: N
// records (SCRUBD_E2E_AGG_RECORDS, default 20,000) whose client addresses
// come from the networks of a country database come out of scrubd with
// the right geo.country and jurisdiction and truncated addresses, and the
// counts in the aggregates topic add up to exactly N, window by window;
// also with scrubd killed (SIGKILL) three times while it works.
//
// The database is MaxMind's GeoIP2-Country-Test.mmdb, with the networks
// read from the GeoIP2-Country-Test.json beside it, from
// SCRUBD_E2E_MAXMIND_DIR or ../shared/corpora/maxmind-test; without them,
// a database written with mmdbwriter (pipeline/internal/geotest).

// aggNet is a network of the test database and the country it answers.
type aggNet struct {
	prefix  netip.Prefix
	country string
}

// aggDatabase returns the database file and its networks.
func aggDatabase(t *testing.T) (string, []aggNet) {
	dir := os.Getenv("SCRUBD_E2E_MAXMIND_DIR")
	if dir == "" {
		dir = filepath.Join(repoRoot(t), "..", "shared", "corpora", "maxmind-test")
	}
	db, src := filepath.Join(dir, "GeoIP2-Country-Test.mmdb"), filepath.Join(dir, "GeoIP2-Country-Test.json")
	if _, err := os.Stat(db); err == nil {
		if nets, err := aggMaxmindNetworks(src); err == nil {
			t.Logf("database: MaxMind's %s (%d networks with a country)", db, len(nets))
			return db, nets
		} else {
			t.Logf("MaxMind's test database without its source (%v); writing one instead", err)
		}
	}
	path := filepath.Join(t.TempDir(), "country.mmdb")
	if err := geotest.Write(path, geotest.Standard); err != nil {
		t.Fatal(err)
	}
	var nets []aggNet
	for _, n := range geotest.Standard {
		nets = append(nets, aggNet{netip.MustParsePrefix(n.CIDR), n.Country})
	}
	t.Logf("database: written with mmdbwriter (%d networks); MaxMind's test database not found in %s", len(nets), dir)
	return path, nets
}

// aggMaxmindNetworks reads the networks of a MaxMind test database source:
// a JSON list of {network: record} objects, IPv4 networks written inside
// ::/96. The country is country.iso_code, else registered_country's, as
// geoip.Reader answers.
func aggMaxmindNetworks(path string) ([]aggNet, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	type code struct {
		ISO string `json:"iso_code"`
	}
	var src []map[string]struct {
		Country    code `json:"country"`
		Registered code `json:"registered_country"`
	}
	if err := json.Unmarshal(b, &src); err != nil {
		return nil, fmt.Errorf("parse %s: %w", path, err)
	}
	var nets []aggNet
	for _, m := range src {
		for cidr, rec := range m {
			p, err := netip.ParsePrefix(cidr)
			if err != nil {
				return nil, fmt.Errorf("%s: network %q: %w", path, cidr, err)
			}
			if a := p.Addr().As16(); p.Addr().Is6() && p.Bits() >= 96 && [12]byte(a[:12]) == [12]byte{} {
				p = netip.PrefixFrom(netip.AddrFrom4([4]byte(a[12:])), p.Bits()-96)
			}
			country := rec.Country.ISO
			if country == "" {
				country = rec.Registered.ISO
			}
			if country != "" {
				nets = append(nets, aggNet{p.Masked(), country})
			}
		}
	}
	if len(nets) == 0 {
		return nil, fmt.Errorf("%s: no network with a country", path)
	}
	return nets, nil
}

// aggCountryOf returns the country of the most specific network holding a.
func aggCountryOf(nets []aggNet, a netip.Addr) (string, bool) {
	best := -1
	country := ""
	for _, n := range nets {
		if n.prefix.Contains(a) && n.prefix.Bits() > best {
			best, country = n.prefix.Bits(), n.country
		}
	}
	return country, best >= 0
}

// aggTruncated is the address as the default policy cuts it: IPv4 /24, IPv6
// /48.
func aggTruncated(a netip.Addr) netip.Addr {
	bits := 48
	if a.Is4() {
		bits = 24
	}
	return netip.PrefixFrom(a, bits).Masked().Addr()
}

// aggInput is the records of a test and what must come out of them.
type aggInput struct {
	n       int
	lines   [][]byte
	addr    []netip.Addr
	country []string
	windows map[string]int64 // records per window start
}

// aggInputs makes n JSON records with client addresses from nets: public
// addresses that their truncation changes, spread over the networks. Event
// times are 10 ms apart from 07:00, every 997th record three minutes late.
func aggInputs(t *testing.T, nets []aggNet, n int) *aggInput {
	r := rand.New(rand.NewPCG(5, 5))
	var pool []netip.Addr
	for _, nw := range nets {
		for try := 0; try < 64 && len(pool) < 64*len(nets); try++ {
			a := aggRandomIn(r, nw.prefix)
			if geoip.Public(a) && aggTruncated(a) != a {
				pool = append(pool, a)
				if nw.prefix.Bits() >= 31 && nw.prefix.Addr().Is4() || nw.prefix.Bits() >= 127 {
					break
				}
			}
		}
	}
	if len(pool) == 0 {
		t.Fatal("no usable address in the database's networks")
	}
	in := &aggInput{n: n, windows: map[string]int64{}}
	base := time.Date(2024, 3, 5, 7, 0, 0, 0, time.UTC)
	events := []string{"page_view", "login", "add_to_cart", "search"}
	agents := []string{
		"Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.6478.71 Mobile Safari/537.36",
		"Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
		"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
	}
	for i := range n {
		a := pool[r.IntN(len(pool))]
		country, ok := aggCountryOf(nets, a)
		if !ok {
			t.Fatalf("address %v in no network", a)
		}
		ts := base.Add(time.Duration(i) * 10 * time.Millisecond)
		if i%997 == 996 {
			ts = ts.Add(-3 * time.Minute)
		}
		in.addr = append(in.addr, a)
		in.country = append(in.country, country)
		in.windows[ts.Truncate(time.Minute).Format(time.RFC3339)]++
		in.lines = append(in.lines, fmt.Appendf(nil, `{"seq":%d,"ts":%q,"event":%q,"path":"/items/%d?ref=mail","status":%d,"user_agent":%q,"client_ip":%q,"email":"user%d@example.com"}`,
			i, ts.Format(time.RFC3339Nano), events[i%len(events)], i, []int{200, 200, 404}[i%3], agents[i%len(agents)], a.String(), i))
	}
	return in
}

// aggRandomIn returns a random address inside p.
func aggRandomIn(r *rand.Rand, p netip.Prefix) netip.Addr {
	b := p.Addr().AsSlice()
	for i := range b {
		bit := i * 8
		if bit+8 <= p.Bits() {
			continue
		}
		keep := 0
		if bit < p.Bits() {
			keep = p.Bits() - bit
		}
		mask := byte(0xff >> keep)
		b[i] = b[i]&^mask | byte(r.IntN(256))&mask
	}
	a, _ := netip.AddrFromSlice(b)
	return a
}

// aggRun is one test's topics, environment and scrubd processes.
type aggRun struct {
	t                 *testing.T
	bin, kcat, broker string
	raw, clean, agg   string
	env               []string
	cfg               string
	logs              []string
}

func newAggRun(t *testing.T, name, db string) *aggRun {
	broker := env(t, "SCRUBD_E2E_BROKER")
	bin := env(t, "SCRUBD_E2E_BIN")
	kcat, err := exec.LookPath("kcat")
	if err != nil {
		t.Fatal("kcat not found; `deploy/kafka/kafka.sh kcat` installs it")
	}
	suffix := name + "." + strconv.FormatInt(time.Now().UnixNano(), 36)
	r := &aggRun{t: t, bin: bin, kcat: kcat, broker: broker,
		raw: "e2e.raw." + suffix, clean: "e2e.clean." + suffix, agg: "e2e.aggregates." + suffix,
		cfg: filepath.Join(repoRoot(t), "deploy", "examples", "scrubd.yaml"),
	}
	r.env = append(os.Environ(),
		"SCRUBD_KAFKA_BROKERS="+broker,
		"SCRUBD_KAFKA_GROUP=scrubd-e2e-"+suffix,
		"SCRUBD_KAFKA_TRANSACTIONAL_ID=scrubd-e2e-"+suffix,
		"SCRUBD_KAFKA_SESSION_TIMEOUT=10s",
		"SCRUBD_TOPICS_INPUT="+r.raw,
		"SCRUBD_TOPICS_CLEAN="+r.clean,
		"SCRUBD_TOPICS_DEAD_LETTER=e2e.dlq."+suffix,
		"SCRUBD_TOPICS_AGGREGATES="+r.agg,
		"SCRUBD_TOPICS_VAULT=e2e.vault."+suffix,
		"SCRUBD_GEOIP_DATABASE="+db,
		"SCRUBD_AGGREGATES_ENABLED=true",
		"SCRUBD_AGGREGATES_FLUSH_AFTER=3s",
		"SCRUBD_AGGREGATES_ALLOWED_LATENESS=5s",
		devPolicy(t),
	)
	cmd := exec.Command(bin, "topics", "--config", r.cfg)
	cmd.Env = r.env
	if out, err := cmd.CombinedOutput(); err != nil || !strings.Contains(string(out), "created   "+r.agg+".changelog") {
		t.Fatalf("scrubd topics: %v\n%s", err, out)
	}
	return r
}

// produce writes lines to the raw topic with kcat.
func (r *aggRun) produce(lines [][]byte) {
	cmd := exec.Command(r.kcat, "-P", "-b", r.broker, "-t", r.raw, "-z", "lz4", "-X", "linger.ms=20")
	cmd.Stdin = bytes.NewReader(append(bytes.Join(lines, []byte("\n")), '\n'))
	if out, err := cmd.CombinedOutput(); err != nil {
		r.t.Fatalf("kcat produce: %v\n%s", err, out)
	}
}

// aggProc is a running scrubd.
type aggProc struct {
	cmd    *exec.Cmd
	http   string
	exited chan error
}

// start starts `scrubd run`, its log in a file of its own.
func (r *aggRun) start() *aggProc {
	p := &aggProc{http: freePort(r.t), exited: make(chan error, 1)}
	logPath := filepath.Join(r.t.TempDir(), fmt.Sprintf("scrubd-%d.log", len(r.logs)))
	f, err := os.Create(logPath)
	if err != nil {
		r.t.Fatal(err)
	}
	r.logs = append(r.logs, logPath)
	p.cmd = exec.Command(r.bin, "run", "--config", r.cfg)
	p.cmd.Env = append(append([]string{}, r.env...), "SCRUBD_HTTP_ADDR="+p.http)
	p.cmd.Stdout, p.cmd.Stderr = f, f
	if err := p.cmd.Start(); err != nil {
		r.t.Fatal(err)
	}
	go func() { p.exited <- p.cmd.Wait(); f.Close() }()
	r.t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			p.cmd.Process.Kill()
			<-p.exited
		}
	})
	return p
}

// metric returns the value of a series of scrubd's /metrics, or -1.
func (p *aggProc) metric(series string) float64 {
	resp, err := aggHTTP.Get("http://" + p.http + "/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	for _, l := range strings.Split(b.String(), "\n") {
		if v, ok := strings.CutPrefix(l, series+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}

// aggregates reads the aggregates topic and sums the counts by window;
// it checks that no record holds an identifier.
func (r *aggRun) aggregates() (map[string]int64, int64, int) {
	lines := consume(r.t, r.kcat, r.broker, r.agg)
	sums := map[string]int64{}
	var total int64
	for _, l := range lines {
		var a struct {
			WindowStart string            `json:"window_start"`
			Dims        map[string]string `json:"dims"`
			Count       int64             `json:"count"`
		}
		if err := json.Unmarshal(l, &a); err != nil || a.WindowStart == "" || a.Count <= 0 {
			r.t.Fatalf("bad aggregate record %.200s: %v", l, err)
		}
		if aggIdentifying.Match(l) {
			r.t.Fatalf("identifying data in aggregate record %s", l)
		}
		sums[a.WindowStart] += a.Count
		total += a.Count
	}
	return sums, total, len(lines)
}

// aggHTTP has short timeouts: a dying process must not hold a test.
var aggHTTP = &http.Client{Timeout: 2 * time.Second}

// aggIdentifying matches what must never be in an aggregate record: e-mail
// addresses, pseudonyms, item ids, query strings, addresses.
var aggIdentifying = regexp.MustCompile(`@|_k[0-9a-z]*_[g-v]{8}|/items/[0-9]|\?|[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+`)

// waitAggregates waits until the aggregates count want records, then for
// twice the flush time more, and returns the final sums.
func (r *aggRun) waitAggregates(want int64, p *aggProc) map[string]int64 {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		_, total, _ := r.aggregates()
		if total >= want {
			break
		}
		if time.Now().After(deadline) {
			r.t.Fatalf("aggregates count %d records after 5 minutes, want %d", total, want)
		}
		select {
		case err := <-p.exited:
			r.t.Fatalf("scrubd exited early: %v\n%s", err, r.lastLog())
		case <-time.After(2 * time.Second):
		}
	}
	time.Sleep(8 * time.Second)
	sums, total, n := r.aggregates()
	r.t.Logf("aggregates topic: %d records, counts add up to %d", n, total)
	return sums
}

func (r *aggRun) lastLog() string {
	if len(r.logs) == 0 {
		return ""
	}
	b, _ := os.ReadFile(r.logs[len(r.logs)-1])
	return tail(b, 60)
}

// check reads the clean topic and compares every record with the input:
// each seq once, the right country and jurisdiction, the address truncated
// and no e-mail; then the aggregates, window by window.
func (r *aggRun) check(in *aggInput, sums map[string]int64) {
	t := r.t
	eng := rulestest.Engine(t, "")
	lines := consume(t, r.kcat, r.broker, r.clean)
	if len(lines) != in.n {
		t.Errorf("clean topic holds %d records, want %d", len(lines), in.n)
	}
	seen := make([]bool, in.n)
	countries := map[string]int{}
	bad := 0
	for _, l := range lines {
		var rec struct {
			Seq      *int   `json:"seq"`
			ClientIP string `json:"client_ip"`
			Email    string `json:"email"`
			Geo      struct {
				Country      *string `json:"country"`
				Jurisdiction string  `json:"jurisdiction"`
			} `json:"geo"`
		}
		if err := json.Unmarshal(l, &rec); err != nil || rec.Seq == nil || *rec.Seq < 0 || *rec.Seq >= in.n {
			t.Fatalf("clean record without a valid seq: %.200s", l)
		}
		s := *rec.Seq
		if seen[s] {
			t.Fatalf("seq %d twice", s)
		}
		seen[s] = true
		want := in.country[s]
		got, err := netip.ParseAddr(rec.ClientIP)
		switch {
		case rec.Geo.Country == nil || *rec.Geo.Country != want || rec.Geo.Jurisdiction != eng.Jurisdiction(want):
			bad++
			if bad <= 5 {
				t.Errorf("seq %d (%v): geo %s, want country %s, jurisdiction %s", s, in.addr[s], l, want, eng.Jurisdiction(want))
			}
		case err != nil || got != aggTruncated(in.addr[s]) || bytes.Contains(l, []byte(in.addr[s].String())):
			bad++
			if bad <= 5 {
				t.Errorf("seq %d: client_ip %q, want %v truncated to %v", s, rec.ClientIP, in.addr[s], aggTruncated(in.addr[s]))
			}
		case strings.Contains(string(l), "@example.com"):
			t.Fatalf("seq %d: e-mail address left in %s", s, l)
		}
		countries[want]++
	}
	if bad > 0 {
		t.Errorf("%d records with a wrong geo member or address", bad)
	}
	t.Logf("%d clean records checked; countries: %v", len(lines), countries)
	for w, n := range in.windows {
		if sums[w] != n {
			t.Errorf("window %s: aggregates count %d records, want %d", w, sums[w], n)
		}
	}
	for w, n := range sums {
		if _, ok := in.windows[w]; !ok {
			t.Errorf("window %s: aggregates count %d records, want none", w, n)
		}
	}
}

// aggNumRecords is SCRUBD_E2E_AGG_RECORDS, default 20,000.
func aggNumRecords(t *testing.T) int {
	n := 20000
	if s := os.Getenv("SCRUBD_E2E_AGG_RECORDS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// TestRealKafkaGeoAggregates: one scrubd with GeoIP and aggregates on.
func TestRealKafkaGeoAggregates(t *testing.T) {
	db, nets := aggDatabase(t)
	r := newAggRun(t, "geo", db)
	in := aggInputs(t, nets, aggNumRecords(t))
	r.produce(in.lines)
	start := time.Now()
	p := r.start()
	sums := r.waitAggregates(int64(in.n), p)
	t.Logf("%d records scrubbed and counted in %v, including start-up, group join and the %s idle flush", in.n, time.Since(start).Round(time.Millisecond), "3s")
	r.check(in, sums)
	for _, s := range []string{`scrubd_geoip_database_loaded`, `scrubd_aggregate_counted_records_total`, `scrubd_geoip_lookups_total{outcome="hit"}`} {
		if v := p.metric(s); v <= 0 {
			t.Errorf("%s = %v, want > 0", s, v)
		}
	}
	if v := p.metric(`scrubd_aggregate_counted_records_total`); v != float64(in.n) {
		t.Errorf("scrubd_aggregate_counted_records_total = %v, want %d", v, in.n)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.exited:
		if err != nil {
			t.Errorf("scrubd exited with %v after SIGTERM", err)
		}
	case <-time.After(40 * time.Second):
		t.Error("scrubd did not exit within 40s of SIGTERM")
	}
	if t.Failed() {
		t.Logf("scrubd log:\n%s", r.lastLog())
	}
}

// TestRealKafkaGeoAggregatesKilled: the records arrive in four parts;
// during each of the first three a scrubd is killed with SIGKILL as soon
// as it has committed its first records (later batches in flight, windows
// open), and another started in its place (same transactional id, as a
// restarted pod). The clean topic holds every
// record once and the aggregates add up to exactly N, window by window.
func TestRealKafkaGeoAggregatesKilled(t *testing.T) {
	db, nets := aggDatabase(t)
	r := newAggRun(t, "kill", db)
	in := aggInputs(t, nets, aggNumRecords(t))
	part := (in.n + 3) / 4
	start := time.Now()
	var p *aggProc
	for k := range 4 {
		p = r.start()
		lo, hi := k*part, min((k+1)*part, in.n)
		r.produce(in.lines[lo:hi])
		if k == 3 {
			break
		}
		deadline := time.Now().Add(3 * time.Minute)
		for p.metric(`scrubd_pipeline_records_total{outcome="clean"}`) < 1 {
			if time.Now().After(deadline) {
				t.Fatalf("scrubd %d committed nothing in 3 minutes\n%s", k, r.lastLog())
			}
			time.Sleep(20 * time.Millisecond)
		}
		clean := p.metric(`scrubd_pipeline_records_total{outcome="clean"}`)
		if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-p.exited
		t.Logf("kill %d: SIGKILL after %.0f clean records committed by this process (part %d of 4 produced)", k+1, clean, k+1)
	}
	sums := r.waitAggregates(int64(in.n), p)
	t.Logf("%d records through 3 kills in %v", in.n, time.Since(start).Round(time.Millisecond))
	r.check(in, sums)
	if v := p.metric(`scrubd_aggregate_restores_total{outcome="ok"}`); v < 1 {
		t.Errorf("the last scrubd restored no partition state (%v)", v)
	}
	p.cmd.Process.Signal(syscall.SIGTERM)
	<-p.exited
	if t.Failed() {
		t.Logf("scrubd log:\n%s", r.lastLog())
	}
}
