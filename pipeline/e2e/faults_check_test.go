//go:build e2e

package e2e

// The scenarios' records and the outside check: the clean topic, the
// dead-letter topic and the aggregates topic read by kcat with
// read_committed after every instance has stopped.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/scrubd/scrubd/pipeline/config"
)

// recordKind is the shape of one raw record.
type recordKind uint8

const (
	// kindJSON and kindLogfmt are ordinary records full of seeded values.
	kindJSON recordKind = iota
	kindLogfmt
	// kindBadUTF8 holds invalid UTF-8 bytes: not poison, it is scanned.
	kindBadUTF8
	// The poison kinds fail closed and must reach the dead-letter topic
	// only, with the reason the policy of poisonPolicy gives them.
	kindTooLarge
	kindTooDeep
	kindTimeout
	// kindBrokenJSON is JSON cut short: it opens like JSON but cannot be
	// walked, so it fails closed with invalid_json. It comes after the
	// three kinds runPoison cycles through.
	kindBrokenJSON
)

func (k recordKind) poison() bool { return k >= kindTooLarge }

// reason is the dead-letter reason a poison kind must carry.
func (k recordKind) reason() string {
	switch k {
	case kindTooLarge:
		return "too_large"
	case kindTooDeep:
		return "too_deep"
	case kindTimeout:
		return "detector_timeout"
	case kindBrokenJSON:
		return "invalid_json"
	}
	return ""
}

// poisonPolicy is the policy of the poison scenario: 64 KiB records at most,
// nesting up to 8, and a custom detector with catastrophic backtracking on
// long runs of "a" that times out after 50 ms.
const poisonPolicy = `name: faults-poison
keys: {ephemeral: true}
limits:
  max_record_bytes: 65536
  max_depth: 8
custom:
  - name: backtrack
    pattern: '(a+)+b'
    timeout: 50ms
    action: redact
`

var (
	bigBlob  = strings.Repeat("x", 70000)
	deepJSON = strings.Repeat("[", 12) + "1" + strings.Repeat("]", 12)
	slowText = strings.Repeat("a", 40) + "!"
)

// record appends raw record seq to dst, without a newline.
func (sc *scenario) record(dst []byte, seq int) []byte {
	s := sc.seeds[seq]
	switch k := sc.kinds[seq]; k {
	case kindLogfmt:
		return fmt.Appendf(dst, `seq=%d level=info msg="login ok" client_ip=%s email=%s phone=%q imei=%s account_id=%s note="call %s"`,
			seq, s.IPv4, s.Email, s.Phone, s.IMEI, s.Account, s.Phone)
	case kindBrokenJSON:
		return fmt.Appendf(dst, `{"seq":%d,"msg":"login ok for %s from %s","email":%q,"phone":%q,"device":{"imei":%q},"account_id":%q,`,
			seq, s.Email, s.IPv4, s.Email, s.Phone, s.IMEI, s.Account)
	case kindBadUTF8:
		return fmt.Appendf(dst, "{\"seq\":%d,\"msg\":\"bad \xff\xfe bytes for %s from %s\",\"client_ip\":%q,\"email\":%q,\"account_id\":%q}",
			seq, s.Email, s.IPv4, s.IPv4, s.Email, s.Account)
	case kindTooLarge:
		return fmt.Appendf(dst, `{"seq":%d,"email":%q,"blob":"%s"}`, seq, s.Email, bigBlob)
	case kindTooDeep:
		return fmt.Appendf(dst, `{"seq":%d,"email":%q,"a":%s}`, seq, s.Email, deepJSON)
	case kindTimeout:
		return fmt.Appendf(dst, `{"seq":%d,"email":%q,"msg":"%s"}`, seq, s.Email, slowText)
	default:
		return fmt.Appendf(dst, `{"seq":%d,"msg":"login ok for %s from %s","client_ip":%q,"email":%q,"phone":%q,"device":{"imei":%q},"account_id":%q,"note":"call %s"}`,
			seq, s.Email, s.IPv4, s.IPv4, s.Email, s.Phone, s.IMEI, s.Account, s.Phone)
	}
}

// seqRE finds the sequence number in a JSON or logfmt record, scrubbed or not.
var seqRE = regexp.MustCompile(`(?:"seq":|\bseq=)(\d+)`)

func seqOf(line []byte) (int, bool) {
	m := seqRE.FindSubmatch(line)
	if m == nil {
		return 0, false
	}
	n, err := strconv.Atoi(string(m[1]))
	return n, err == nil
}

// kcatRead reads a whole topic from the beginning with kcat, read_committed,
// one line per record in format (kcat -f; the format ends with \n).
func (sc *scenario) kcatRead(topic, format string) [][]byte {
	sc.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, sc.set.kcat, "-C", "-b", sc.s.broker, "-t", topic, "-o", "beginning", "-e", "-q",
		"-X", "isolation.level=read_committed", "-X", "fetch.message.max.bytes=2000000", "-f", format)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		sc.t.Fatalf("kcat read %s: %v\n%s", topic, err, stderr.String())
	}
	var lines [][]byte
	s := bufio.NewScanner(bytes.NewReader(out))
	s.Buffer(make([]byte, 1<<20), 1<<24)
	for s.Scan() {
		if len(s.Bytes()) > 0 {
			lines = append(lines, bytes.Clone(s.Bytes()))
		}
	}
	return lines
}

// cleanCount reads the clean topic and returns how many distinct sequence
// numbers it holds and how many records.
func (sc *scenario) cleanCount() (distinct, records int) {
	sc.t.Helper()
	lines := sc.kcatRead(sc.clean, "%s\n")
	seen := make(map[int]bool, len(lines))
	for _, l := range lines {
		if s, ok := seqOf(l); ok {
			seen[s] = true
		}
	}
	return len(seen), len(lines)
}

// allClean reports whether the clean topic holds every expected record; it
// reads the topic at most every 3 s.
func (sc *scenario) allClean() bool {
	if time.Since(sc.lastCount) < 3*time.Second {
		return false
	}
	sc.lastCount = time.Now()
	distinct, _ := sc.cleanCount()
	return distinct >= sc.n-sc.poison
}

// waitComplete waits until the clean topic holds every expected record
// (read by kcat when the instances' metrics say they are about done, or
// when they stopped moving), then stops every instance with SIGTERM.
func (sc *scenario) waitComplete(timeout time.Duration) {
	sc.t.Helper()
	deadline := time.Now().Add(timeout)
	lastProgress, lastChange := -1.0, time.Now()
	for {
		sc.check()
		p := sc.mon.progress()
		if p != lastProgress {
			lastProgress, lastChange = p, time.Now()
		}
		near := p >= float64(sc.n)
		stuck := time.Since(lastChange) > 5*time.Second
		if (near || stuck) && sc.allClean() {
			break
		}
		if time.Now().After(deadline) {
			distinct, records := sc.cleanCount()
			sc.t.Fatalf("scenario %s: after %v the clean topic holds %d distinct of %d records (%d in all); metrics progress %.0f",
				sc.name, timeout, distinct, sc.n-sc.poison, records, p)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if sc.mon.aggregating() && sc.delivery == config.ExactlyOnce {
		// The last windows are emitted after the aggregates' idle flush.
		want := sc.n - sc.poison
		sc.waitFor("the aggregate counts to add up to the clean records", 3*time.Minute, func() bool {
			if time.Since(sc.lastCount) < 3*time.Second {
				return false
			}
			sc.lastCount = time.Now()
			total, _, _ := sc.aggregates()
			return total >= want
		})
	}
	sc.stopAll()
	sc.check()
}

// aggregates reads the aggregates topic and returns the sum of the counts,
// the records and the records without a count.
func (sc *scenario) aggregates() (total, records int, bad [][]byte) {
	sc.t.Helper()
	lines := sc.kcatRead(sc.agg, "%s\n")
	for _, l := range lines {
		var a struct {
			Count *int `json:"count"`
		}
		if err := json.Unmarshal(l, &a); err != nil || a.Count == nil {
			bad = append(bad, l)
			continue
		}
		total += *a.Count
	}
	return total, len(lines), bad
}

// result is what the outside check found.
type result struct {
	clean, duplicates, dead int
}

// verify checks the outputs once every instance has stopped: the raw topic
// holds each seq once (the input is sound); the clean topic holds every
// non-poison seq exactly once (at least once, counting duplicates, with
// at_least_once) and none of its seeded values; the dead-letter topic holds
// exactly the poison records, once each, with their reasons and no payload;
// the aggregates, when there are any, add up to the clean records; the
// instances' logs hold no seeded value.
func (sc *scenario) verify() result {
	t := sc.t
	t.Helper()
	alo := sc.delivery == config.AtLeastOnce

	// The input: each seq once, and where each record is.
	where := map[string]int{} // "partition/offset" -> seq
	rawSeen := make([]int, sc.n)
	for _, l := range sc.kcatRead(sc.raw, "%p/%o %s\n") {
		pos, rec, _ := bytes.Cut(l, []byte(" "))
		s, ok := seqOf(rec)
		if !ok || s < 0 || s >= sc.n {
			t.Fatalf("raw topic: record at %s without a valid seq", pos)
		}
		rawSeen[s]++
		where[string(pos)] = s
	}
	for s, c := range rawSeen {
		if c != 1 {
			t.Fatalf("raw topic holds seq %d %d times: the input is broken, not scrubd", s, c)
		}
	}

	// The clean topic.
	var res result
	seen := make([]int, sc.n)
	var problems []string
	report := func(format string, args ...any) {
		if len(problems) < 20 {
			problems = append(problems, fmt.Sprintf(format, args...))
		}
	}
	lines := sc.kcatRead(sc.clean, "%s\n")
	for _, l := range lines {
		s, ok := seqOf(l)
		if !ok || s < 0 || s >= sc.n {
			report("clean record without a valid seq: %.120q", l)
			continue
		}
		seen[s]++
		if sc.kinds[s].poison() {
			report("poison seq %d (%s) reached the clean topic", s, sc.kinds[s].reason())
		}
		sd := sc.seeds[s]
		for _, v := range []string{sd.IPv4, sd.Email, sd.Phone, sd.IMEI, sd.Account} {
			if bytes.Contains(l, []byte(v)) {
				report("seq %d: a seeded value is left in the clean record", s)
				break
			}
		}
	}
	missing := 0
	for s, c := range seen {
		switch {
		case sc.kinds[s].poison():
		case c == 0:
			missing++
			report("seq %d missing from the clean topic", s)
		case c > 1:
			res.duplicates += c - 1
			if !alo {
				report("seq %d %d times in the clean topic", s, c)
			}
		}
		if c > 0 {
			res.clean++
		}
	}
	t.Logf("clean topic: %d records, %d distinct seq of %d expected, %d missing, %d duplicates",
		len(lines), res.clean, sc.n-sc.poison, missing, res.duplicates)

	// The dead-letter topic: exactly the poison records.
	deadSeen := map[int]int{}
	for _, l := range sc.kcatRead(sc.dlq, "%S %h\n") {
		size, hdrs, _ := bytes.Cut(l, []byte(" "))
		h := parseHeaders(string(hdrs))
		pos := h["scrubd-source-partition"] + "/" + h["scrubd-source-offset"]
		s, ok := where[pos]
		if !ok {
			report("dead letter for an unknown raw record %s", pos)
			continue
		}
		deadSeen[s]++
		res.dead++
		if want := sc.kinds[s].reason(); h["scrubd-error"] != want {
			report("seq %d dead-lettered with reason %q, want %q", s, h["scrubd-error"], want)
		}
		if h["scrubd-source-topic"] != sc.raw || h["scrubd-class"] != "personal" {
			report("seq %d: dead letter headers %v", s, h)
		}
		if h["scrubd-payload"] != "omitted" || (string(size) != "-1" && string(size) != "0") {
			report("seq %d: dead letter carries a payload (%s bytes, %q) with no key configured", s, size, h["scrubd-payload"])
		}
	}
	for s, k := range sc.kinds {
		c := deadSeen[s]
		switch {
		case k.poison() && c == 0:
			report("poison seq %d (%s) missing from the dead-letter topic", s, k.reason())
		case k.poison() && c > 1 && !alo:
			report("poison seq %d %d times in the dead-letter topic", s, c)
		}
	}
	t.Logf("dead-letter topic: %d records for %d poison records", res.dead, sc.poison)

	sc.verifyAggregates(res.clean, alo, report)
	sc.verifyLogs(report)

	if len(problems) > 0 {
		t.Fatalf("scenario %s:\n  %s", sc.name, strings.Join(problems, "\n  "))
	}
	if alo {
		sc.measure("duplicates", "%d duplicate clean records (%.2f%% of %d) with at_least_once", res.duplicates,
			100*float64(res.duplicates)/float64(sc.n), sc.n)
	}
	return res
}

// verifyAggregates checks that the counts in the aggregates topic add up to
// the clean records, once the pipeline writes aggregates (issue 5; on in
// deploy/examples/scrubd.yaml, off with at_least_once); while it writes
// none the check only says so.
func (sc *scenario) verifyAggregates(clean int, alo bool, report func(string, ...any)) {
	sc.t.Helper()
	total, records, bad := sc.aggregates()
	for _, l := range bad {
		report("aggregate without a count: %.120q", l)
	}
	if records == 0 {
		if sc.mon.aggregating() {
			report("records were counted into aggregates but the aggregates topic is empty")
			return
		}
		sc.t.Logf("aggregates topic is empty: aggregates are off in this configuration (or not built); counts not checked")
		return
	}
	sc.t.Logf("aggregates topic: %d records, counts add up to %d", records, total)
	if !alo && total != clean {
		report("aggregate counts add up to %d, want %d (the clean records)", total, clean)
	}
}

// verifyLogs checks that scrubd's own logs hold none of the seeded values
// that are single tokens (addresses, e-mail addresses, IMEIs, account ids).
func (sc *scenario) verifyLogs(report func(string, ...any)) {
	sc.t.Helper()
	values := make(map[string]bool, 4*len(sc.seeds))
	for _, s := range sc.seeds {
		for _, v := range []string{s.IPv4, s.Email, s.IMEI, s.Account} {
			values[v] = true
		}
	}
	for _, in := range sc.instances() {
		b, err := os.ReadFile(in.logPath)
		if err != nil {
			report("read log of %s: %v", in.name, err)
			continue
		}
		tokens := bytes.FieldsFunc(b, func(r rune) bool {
			return !(r == '.' || r == '@' || r == '-' || r == '_' || r == '+' ||
				(r >= '0' && r <= '9') || (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z'))
		})
		for _, tok := range tokens {
			if values[string(tok)] {
				report("scrubd %s logged a seeded value", in.name)
				break
			}
		}
	}
}

// parseHeaders parses kcat's %h output, "k1=v1,k2=v2".
func parseHeaders(s string) map[string]string {
	h := map[string]string{}
	for _, kv := range strings.Split(s, ",") {
		k, v, _ := strings.Cut(kv, "=")
		h[k] = v
	}
	return h
}
