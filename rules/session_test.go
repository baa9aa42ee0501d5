package rules

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/bench/gen"
)

// sessionInputs are records of every format and outcome: the golden logs of
// the command line's tests, generated logs, and records that fail closed or
// are dropped.
func sessionInputs(t *testing.T) [][]byte {
	t.Helper()
	var recs [][]byte
	files, err := filepath.Glob("../cmd/scrubd/testdata/logs/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range files {
		if strings.HasSuffix(name, ".golden") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(bytes.NewReader(data))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			recs = append(recs, bytes.Clone(sc.Bytes()))
		}
	}
	if len(recs) < 30 {
		t.Fatalf("only %d records in the golden logs", len(recs))
	}
	for _, r := range gen.New(5).Records(3000, gen.DefaultMix) {
		recs = append(recs, r.Line)
	}
	return append(recs,
		[]byte(strings.Repeat("x", 2<<20)),                        // too large
		[]byte(strings.Repeat("[", 100)+strings.Repeat("]", 100)), // too deep
		[]byte(`{"a": "unterminated 10.0.0.4`),
		[]byte("password=hunter2 card 4111 1111 1111 1111"),
		[]byte(`{"event":"delete","user_id":"u1","email":"a@b.co"}`),
		[]byte(`{"kind":"healthcheck","ip":"10.1.2.3"}`),
		[]byte(`kind=healthcheck ip=10.1.2.3`),
		[]byte(`{"kind":"order","note":"call +44 20 7946 0958","ip":"10.1.2.3"}`),
		[]byte(`kind=order note=x ip=10.1.2.3`),
		nil,
	)
}

// describe renders what a scrub returned, for comparison.
func describe(out []byte, res *Result, err error) string {
	var subjects []string
	for _, sub := range res.Subjects {
		subjects = append(subjects, fmt.Sprintf("%s:%s:%s", sub.Type, res.Pseudonym(sub), res.SubjectValue(sub)))
	}
	client, _ := res.ClientIP()
	return fmt.Sprintf("out=%q err=%v format=%v dropped=%v minor=%v findings=%v actions=%v subjects=%v client=%v",
		out, err, res.Format, res.Dropped, res.Minor, res.Findings, res.Actions, subjects, client)
}

// TestSessionMatchesEngine scrubs every record with one Session, one after
// the other, and checks that each result is what a new Session gives for
// it alone, and what Engine.Scrub gives.
func TestSessionMatchesEngine(t *testing.T) {
	dropPolicy := "fields:\n  - {path: kind, action: drop_record, values: [healthcheck]}\n  - {path: \"**.note\", action: drop_field}\n"
	for _, policy := range []string{"", memoPolicy, dropPolicy} {
		e := compileTest(t, policy)
		recs := sessionInputs(t)
		s := e.NewSession()
		var sres, fres, eres Result
		for round := range 2 { // the second round meets warm caches
			for i, rec := range recs {
				sout, serr := s.Scrub([]byte("prefix:"), rec, &sres)
				fout, ferr := e.NewSession().Scrub([]byte("prefix:"), rec, &fres)
				eout, eerr := e.Scrub([]byte("prefix:"), rec, &eres)
				got, fresh, engine := describe(sout, &sres, serr), describe(fout, &fres, ferr), describe(eout, &eres, eerr)
				if got != fresh || got != engine {
					t.Fatalf("round %d, record %d (%.60q):\nsession     %.300s\nnew session %.300s\nengine      %.300s", round, i, rec, got, fresh, engine)
				}
			}
		}
	}
}
