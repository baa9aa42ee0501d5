// Command quality measures the detectors against labelled and real corpora.
//
// It reads the Presidio synthetic PII dataset (sentences with labelled
// spans) and reports, per detector type, the gold spans, the findings, the
// recall with exact and with overlapping spans, and the precision with exact
// spans. It then scans the Apache access-log corpus, whose first field is
// always a client IP address, and reports how many of those were found
// exactly and every other finding, by type, for a false-positive review.
// Last, it scans generated system logs (Android, HDFS, kernel, sshd, Windows
// CBS, application lines), bench/gen's lines and the golden sample logs for
// national identification numbers, none of which they hold, and the system
// logs, with lines whose numbers stand near phone and location words, for
// phone numbers, IBANs and coordinates; and for people's names and street
// addresses (names.go).
//
// Run it from the repository root:
//
//	go run ./bench/quality
//	go run ./bench/quality -regions US,GB,DE,FR,IN,CN,SG,AU,CA,SE,CH,NL,BE,IT,ES -v
//
// The corpora live outside the repository (../shared/corpora); a missing
// corpus is skipped with a message.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
	"github.com/scrubd/scrubd/detectors"
)

func main() {
	piiPath := flag.String("pii", "../shared/corpora/pii-spans/synth_dataset_v2.json", "Presidio synthetic dataset (JSON); relative paths are resolved against the repository root")
	apachePath := flag.String("apache", "../shared/corpora/access-logs/apache_logs", "Apache combined access log; relative paths are resolved against the repository root")
	regions := flag.String("regions", "", "comma-separated phone regions for national formats (default: detectors.DefaultPhoneRegions)")
	verbose := flag.Bool("v", false, "print every miss and every false positive")
	half := flag.String("half", "all", "records of the labelled set to score: all, even or odd (0-based index), to tune on one half and check on the other")
	flag.Parse()

	opts := detectors.Options{}
	if *regions != "" {
		opts.PhoneRegions = strings.Split(*regions, ",")
	}
	s, err := detectors.New(opts)
	if err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
	used := opts.PhoneRegions
	if len(used) == 0 {
		used = detectors.DefaultPhoneRegions
	}
	fmt.Printf("phone regions for national formats: %s\n\n", strings.Join(used, ","))

	root := repoRoot()
	if *half != "all" && *half != "even" && *half != "odd" {
		fmt.Fprintln(os.Stderr, "quality: -half must be all, even or odd")
		os.Exit(2)
	}
	if err := evalPII(s, resolve(root, *piiPath), *half, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
	fmt.Println()
	if err := evalApache(s, resolve(root, *apachePath), *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
	fmt.Println()
	if err := evalNatIDLogs(s, root, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
	fmt.Println()
	if err := evalShapeLogs(s, root, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
	fmt.Println()
	if err := evalNamesLogs(s, root, *verbose); err != nil {
		fmt.Fprintln(os.Stderr, "quality:", err)
		os.Exit(1)
	}
}

// repoRoot returns the directory holding go.mod, searching upwards from the
// working directory, or the working directory.
func repoRoot() string {
	wd, err := os.Getwd()
	if err != nil {
		return "."
	}
	for d := wd; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return wd
		}
		d = parent
	}
}

func resolve(root, p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return filepath.Join(root, p)
}

// labelTypes maps the dataset's entity types to detector types. IP_ADDRESS
// is split into ipv4 and ipv6 by its text.
var labelTypes = map[string]detectors.Type{
	"EMAIL_ADDRESS":  detectors.Email,
	"PHONE_NUMBER":   detectors.Phone,
	"CREDIT_CARD":    detectors.CreditCard,
	"IBAN_CODE":      detectors.IBAN,
	"US_SSN":         detectors.USSSN,
	"PERSON":         detectors.Person,
	"STREET_ADDRESS": detectors.Address,
}

type record struct {
	Text  string `json:"full_text"`
	Spans []struct {
		Type  string `json:"entity_type"`
		Value string `json:"entity_value"`
		Start int    `json:"start_position"`
		End   int    `json:"end_position"`
	} `json:"spans"`
}

// phoneIntl labels the gold phone numbers written with '+'.
const phoneIntl detectors.Type = "phone(+)"

type span struct {
	typ        detectors.Type
	start, end int // byte offsets
}

type stats struct {
	gold, found, exact, overlap, precise int
	// touching counts the findings that overlap a gold span of their
	// type: the precision of detectors whose spans are judged by overlap
	// (person, address: the gold spans of the set are cut inconsistently).
	touching int
}

func evalPII(s *detectors.Scanner, path, half string, verbose bool) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Printf("labelled spans: %s not found, skipped\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	var recs []record
	if err := json.Unmarshal(data, &recs); err != nil {
		return fmt.Errorf("decode %s: %w", path, err)
	}
	st := make(map[detectors.Type]*stats)
	get := func(t detectors.Type) *stats {
		if st[t] == nil {
			st[t] = &stats{}
		}
		return st[t]
	}
	// Findings that overlap a span of another label (DATE_TIME, US_SSN...)
	// explain most false positives.
	otherLabel := make(map[string]int)
	// How many gold '+' numbers the metadata calls valid, and possible.
	intlValid, intlPossible := 0, 0
	var dst []detectors.Finding
	scored := 0
	for x, r := range recs {
		if half == "even" && x%2 != 0 || half == "odd" && x%2 == 0 {
			continue
		}
		scored++
		text := []byte(r.Text)
		offs := byteOffsets(r.Text)
		var gold []span
		var others []span
		for _, sp := range r.Spans {
			if sp.Start < 0 || sp.End >= len(offs) || sp.Start > sp.End {
				return fmt.Errorf("record %q: span %d..%d out of range", r.Text, sp.Start, sp.End)
			}
			bs, be := offs[sp.Start], offs[sp.End]
			t, ok := labelTypes[sp.Type]
			if sp.Type == "IP_ADDRESS" {
				t, ok = detectors.IPv4, true
				if strings.Contains(sp.Value, ":") {
					t = detectors.IPv6
				}
			}
			if !ok {
				others = append(others, span{typ: detectors.Type(sp.Type), start: bs, end: be})
				continue
			}
			gold = append(gold, span{typ: t, start: bs, end: be})
			get(t).gold++
		}
		dst, err = s.Scan(dst[:0], text)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
		for _, g := range gold {
			exact, overlap := false, false
			for _, f := range dst {
				if f.Type != g.typ {
					continue
				}
				if f.Start == g.start && f.End == g.end {
					exact = true
				}
				if f.Start < g.end && g.start < f.End {
					overlap = true
				}
			}
			if exact {
				get(g.typ).exact++
			}
			if overlap {
				get(g.typ).overlap++
			}
			// International phone numbers, the subset with a target of
			// its own (recall only: findings are not split this way).
			if g.typ == detectors.Phone && r.Text[g.start] == '+' {
				x := get(phoneIntl)
				x.gold++
				if n, err := phonenumbers.Parse(r.Text[g.start:g.end], ""); err == nil {
					if phonenumbers.IsValidNumber(n) {
						intlValid++
					}
					if phonenumbers.IsPossibleNumber(n) {
						intlPossible++
					}
				}
				if exact {
					x.exact++
				}
				if overlap {
					x.overlap++
				}
			}
			if !exact && verbose {
				what := "miss"
				if overlap {
					what = "part"
				}
				fmt.Printf("  %s %-11s %q in %q\n", what, g.typ, r.Text[g.start:g.end], found(r.Text, dst))
			}
		}
		for _, f := range dst {
			get(f.Type).found++
			ok := false
			for _, g := range gold {
				if g.typ == f.Type && f.Start == g.start && f.End == g.end {
					ok = true
				}
			}
			for _, g := range gold {
				if g.typ == f.Type && f.Start < g.end && g.start < f.End {
					get(f.Type).touching++
					break
				}
			}
			if ok {
				get(f.Type).precise++
				continue
			}
			label := "none"
			for _, g := range append(gold, others...) {
				if f.Start < g.end && g.start < f.End {
					label = string(g.typ)
				}
			}
			otherLabel[string(f.Type)+" on "+label]++
			if verbose {
				fmt.Printf("  fp   %-11s %q (gold label: %s) in %q\n", f.Type, r.Text[f.Start:f.End], label, r.Text)
			}
		}
	}
	fmt.Printf("labelled spans: %s (%d of %d records, half: %s)\n", path, scored, len(recs), half)
	fmt.Printf("%-12s %6s %6s %12s %12s %10s %12s\n", "type", "gold", "found", "exact recall", "overlap rec", "precision", "overlap prec")
	var types []string
	for t := range st {
		types = append(types, string(t))
	}
	sort.Strings(types)
	for _, t := range types {
		x := st[detectors.Type(t)]
		found := fmt.Sprint(x.found)
		if t == string(phoneIntl) {
			found = "-"
		}
		fmt.Printf("%-12s %6d %6s %12s %12s %10s %12s\n", t, x.gold, found, ratio(x.exact, x.gold), ratio(x.overlap, x.gold), ratio(x.precise, x.found), ratio(x.touching, x.found))
	}
	if x := st[phoneIntl]; x != nil {
		fmt.Printf("gold phone(+) numbers that libphonenumber calls valid: %d / %d, possible (length only): %d / %d\n", intlValid, x.gold, intlPossible, x.gold)
	}
	if len(otherLabel) > 0 {
		fmt.Println("findings that are not an exact gold span, by what they overlap:")
		var keys []string
		for k := range otherLabel {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Printf("  %-32s %d\n", k, otherLabel[k])
		}
	}
	return nil
}

// byteOffsets maps the code-point indices of s (Python string offsets) to
// byte offsets; the extra last entry is len(s).
func byteOffsets(s string) []int {
	offs := make([]int, 0, len(s)+1)
	for i := range s {
		offs = append(offs, i)
	}
	return append(offs, len(s))
}

func found(text string, fs []detectors.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, string(f.Type)+":"+text[f.Start:f.End])
	}
	return out
}

func ratio(a, b int) string {
	if b == 0 {
		return "-"
	}
	return fmt.Sprintf("%.3f", float64(a)/float64(b))
}

func evalApache(s *detectors.Scanner, path string, verbose bool) error {
	lines, err := readLines(path)
	if errors.Is(err, fs.ErrNotExist) {
		fmt.Printf("access log: %s not found, skipped\n", path)
		return nil
	}
	if err != nil {
		return err
	}
	clientIPs, exact := 0, 0
	others := make(map[detectors.Type]int)
	var digitFindings []string
	var dst []detectors.Finding
	var size int
	start := time.Now()
	for _, line := range lines {
		size += len(line)
		dst, err = s.Scan(dst[:0], line)
		if err != nil {
			return fmt.Errorf("scan: %w", err)
		}
	}
	elapsed := time.Since(start)
	for _, line := range lines {
		dst, _ = s.Scan(dst[:0], line)
		first := bytes.IndexByte(line, ' ')
		if first < 0 {
			first = len(line)
		}
		clientIPs++
		for _, fd := range dst {
			if fd.Start == 0 && fd.End == first && (fd.Type == detectors.IPv4 || fd.Type == detectors.IPv6) {
				exact++
				continue
			}
			others[fd.Type]++
			text := string(line[fd.Start:fd.End])
			switch fd.Type {
			case detectors.Phone, detectors.CreditCard, detectors.IBAN, detectors.IMEI, detectors.Coordinates:
				digitFindings = append(digitFindings, fmt.Sprintf("%s %q in %q", fd.Type, text, context(line, fd)))
			default:
				if verbose {
					fmt.Printf("  other %-11s %q in %q\n", fd.Type, text, context(line, fd))
				}
			}
		}
	}
	fmt.Printf("access log: %s (%d lines, %.1f MB, one pass %v = %.0f MB/s)\n", path, len(lines), float64(size)/1e6, elapsed.Round(time.Millisecond), float64(size)/1e6/elapsed.Seconds())
	fmt.Printf("client IPs found exactly: %d / %d (%s)\n", exact, clientIPs, ratio(exact, clientIPs))
	fmt.Println("other findings by type (false-positive review):")
	var types []string
	for t := range others {
		types = append(types, string(t))
	}
	sort.Strings(types)
	if len(types) == 0 {
		fmt.Println("  none")
	}
	for _, t := range types {
		fmt.Printf("  %-12s %d\n", t, others[detectors.Type(t)])
	}
	fmt.Printf("phone/credit_card/iban/imei/coordinates findings: %d\n", len(digitFindings))
	for _, d := range digitFindings {
		fmt.Println("  " + d)
	}
	return nil
}

// context returns up to 40 bytes of line around a finding, cut at valid
// UTF-8 boundaries.
func context(line []byte, f detectors.Finding) string {
	a, b := max(0, f.Start-40), min(len(line), f.End+40)
	for a > 0 && !utf8.RuneStart(line[a]) {
		a--
	}
	for b < len(line) && !utf8.RuneStart(line[b]) {
		b++
	}
	return string(line[a:b])
}
