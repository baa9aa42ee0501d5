package discover

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scrubd/scrubd/rules/rulestest"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// TestReportGolden compares the JSON report and the table of generated
// records with the golden files: the JSON is a documented contract
// (docs/discover.md), and a change to it must be deliberate. The policy
// version is left out: it changes with the built-in policy.
func TestReportGolden(t *testing.T) {
	c := genCorpus(4)
	r := c.tally(t, rulestest.Engine(t, ""), c.records, 0).Report([]string{"generated"})
	r.Policy = "default"
	var js, table bytes.Buffer
	if err := r.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteTable(&table); err != nil {
		t.Fatal(err)
	}
	golden(t, "report.json", js.Bytes())
	golden(t, "report.txt", table.Bytes())

	// The JSON reads back as the report, every field known.
	var back Report
	dec := json.NewDecoder(&js)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&back); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(r, &back); d != "" {
		t.Errorf("read back (-written +read):\n%s", d)
	}
}

// TestReportEmpty checks the report of no records: lists empty, not null.
func TestReportEmpty(t *testing.T) {
	var js bytes.Buffer
	if err := New(rulestest.Engine(t, "")).Report(nil).WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(js.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"sources", "totals", "fields", "formats", "failed"} {
		if m[k] == nil {
			t.Errorf("%s is null in %s", k, js.String())
		}
	}
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to write it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s (-golden +got):\n%s", name, d)
	}
}
