package rules

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/scrubd/scrubd/detectors"
)

func TestDefaultPolicyValid(t *testing.T) {
	p := Default()
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	// The table in DESIGN section 5.
	want := map[string]Action{
		"ipv4": TruncateIP, "ipv6": TruncateIP, "email": Pseudonymize, "phone": Pseudonymize,
		"credit_card": Redact, "iban": Redact, "mac": Pseudonymize, "imei": Pseudonymize,
		"uuid": Pseudonymize, "jwt": Redact, "secret": Redact, "coordinates": Coarsen, "person": Pseudonymize, "address": Redact,
	}
	for _, t := range detectors.NationalIDs {
		want[string(t)] = Redact // "national ids ... redact"
	}
	got := map[string]Action{}
	for n, d := range p.Detectors {
		got[n] = d.Action
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("default actions (-want +got):\n%s", diff)
	}
	if *p.Detectors["ipv4"].Prefix != 24 || *p.Detectors["ipv6"].Prefix != 48 {
		t.Error("default prefixes are not /24 and /48")
	}
}

func TestParseMergesDefaults(t *testing.T) {
	p, err := Parse([]byte("name: x\ndetectors:\n  email: {action: redact}\n"), "x.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if p.Detectors["email"].Action != Redact || p.Detectors["ipv4"].Action != TruncateIP {
		t.Errorf("merge: email=%s ipv4=%s", p.Detectors["email"].Action, p.Detectors["ipv4"].Action)
	}
	if len(p.Fields) != len(Default().Fields) {
		t.Errorf("default fields not appended: %d", len(p.Fields))
	}
	if p.Limits.MaxRecordBytes != 1<<20 || p.Limits.MaxDepth != 64 {
		t.Errorf("limits %+v", p.Limits)
	}
	p, err = Parse([]byte("default_fields: false\n"), "y.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Fields) != 0 {
		t.Errorf("default_fields: false kept %d fields", len(p.Fields))
	}
	if !strings.HasPrefix(p.Version(), "policy@") {
		t.Errorf("version %q", p.Version())
	}
}

func TestParseUnknownKeys(t *testing.T) {
	for _, doc := range []string{
		"nmae: x\n",
		"fields:\n  - {path: a, action: redact, acton: x}\n",
		"detectors:\n  ipv4:\n    prefx: 8\n",
		"custom:\n  - {name: a, pattern: b, action: redact, timout: 1s}\n",
	} {
		_, err := Parse([]byte(doc), "t.yaml")
		if err == nil {
			t.Errorf("Parse(%q) accepted an unknown key", doc)
		}
	}
	// The line of an unknown key inside a rule points into the file.
	_, err := Parse([]byte("name: x\nfields:\n  - path: a\n    action: redact\n    acton: x\n"), "t.yaml")
	if err == nil || !strings.Contains(err.Error(), "line 5") {
		t.Errorf("error does not name line 5: %v", err)
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	p, err := Load("testdata/invalid.yaml")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Validate()
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("Validate() = %v, want a *ValidationError", err)
	}
	wantPaths := []string{
		"detectors.email.action", "detectors.fingerprint", "detectors.ipv4.prefix", "detectors.phone.cue_regions", "detectors.phone.regions",
		"custom[0].name", "custom[0].pattern", "custom[1].name", "custom[1].action",
		"fields[0].path", "fields[1].values", "fields[2]", "tests[0]",
	}
	var paths []string
	for _, pr := range ve.Problems {
		paths = append(paths, pr.Path)
	}
	for _, w := range wantPaths {
		found := false
		for _, p := range paths {
			if p == w {
				found = true
			}
		}
		if !found {
			t.Errorf("no problem reported at %s; got %v", w, paths)
		}
	}
	lines := map[string]int{}
	for _, pr := range ve.Problems {
		lines[pr.Path] = pr.Line
	}
	for path, line := range map[string]int{"detectors.ipv4.prefix": 3, "detectors.email.action": 4, "custom[0].pattern": 8, "fields[0].path": 11, "tests[0]": 15} {
		if lines[path] != line {
			t.Errorf("%s reported at line %d, want %d", path, lines[path], line)
		}
	}
}

func TestPolicyTestCases(t *testing.T) {
	p, err := Load("testdata/policy.yaml")
	if err != nil {
		t.Fatal(err)
	}
	results, err := RunTests(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(results) != 3 {
		t.Fatalf("%d results", len(results))
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s (line %d): want %q, got %q", r.Name, r.Line, r.Want, r.Got)
		}
	}
	// A wrong expectation fails, with both sides shown.
	p.Tests[0].Output = "order [order_id] from 203.0.113.0"
	results, _ = RunTests(p)
	if results[0].Pass || !strings.Contains(results[0].Got, "203.0.0.0") {
		t.Errorf("wrong expectation passed: %+v", results[0])
	}
}

func TestDefaultYAMLMatchesDefault(t *testing.T) {
	data, err := os.ReadFile("default.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != string(DefaultYAML()) {
		t.Error("embedded default differs from default.yaml")
	}
}

// TestReferencePolicy keeps the README's policy reference true: it is valid,
// its keys load relative to the file, and its test cases pass.
func TestReferencePolicy(t *testing.T) {
	p, err := Load("testdata/reference.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	kr, random, err := LoadKeyring(p.Keys, os.Getenv)
	if err != nil || random || kr.ActiveID() != "k2" {
		t.Fatalf("keys: %v random=%v", err, random)
	}
	results, err := RunTests(p)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		if !r.Pass {
			t.Errorf("%s: want %q got %q", r.Name, r.Want, r.Got)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile("testdata/reference.yaml")
	body := string(data)[strings.Index(string(data), "name:"):]
	if !strings.Contains(string(readme), body) {
		t.Error("README.md does not quote rules/testdata/reference.yaml (from `name:` on)")
	}
}

// TestEmptyEntries: list entries with nothing in them are refused with their
// place, an unknown detector without settings is still unknown, and empty
// profiles or profile overrides compile to the policy's own settings.
func TestEmptyEntries(t *testing.T) {
	p, err := Parse([]byte("custom:\n  -\nfields:\n  -\ntests:\n  -\ndetectors:\n  nosuch:\n"), "empty")
	if err != nil {
		t.Fatal(err)
	}
	err = p.Validate()
	if err == nil {
		t.Fatal("empty entries validated")
	}
	for _, want := range []string{"custom[0]", "fields[", "tests[0]", "detectors.nosuch"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("validation error does not name %s:\n%v", want, err)
		}
	}
	p, err = Parse([]byte("jurisdictions:\n  profiles:\n    EEA:\n    US:\n      detectors:\n        ipv4:\n"), "profiles")
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := Compile(p, TestKeyring())
	if err != nil {
		t.Fatal(err)
	}
	var res Result
	out, err := e.ScrubText(nil, []byte("from 203.0.113.77"), &res)
	if err != nil || string(out) != "from 203.0.113.0" {
		t.Errorf("ScrubText = %q, %v", out, err)
	}
}
