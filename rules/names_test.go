package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNamesDefaultActions(t *testing.T) {
	e := compileTest(t, "")
	out, _ := scrub(t, e, "ticket reassigned to Maria Garcia, ship to 52 Huntly Street")
	want := "ticket reassigned to " + pseudo("person", "Maria Garcia") + ", ship to [address]"
	if out != want {
		t.Errorf("got  %q\nwant %q", out, want)
	}
}

func TestNamesCueOnly(t *testing.T) {
	e := compileTest(t, "detectors:\n  person: {cue_only: true}\n  address: {cue_only: true}\n")
	for in, want := range map[string]string{
		// No cue: left alone.
		"Jennifer Holst wrote the report": "Jennifer Holst wrote the report",
		"meet at 52 Huntly Street":        "meet at 52 Huntly Street",
		// Cues.
		"assigned to Jennifer Holst": "assigned to " + pseudo("person", "Jennifer Holst"),
		"ship to 52 Huntly Street":   "ship to [address]",
	} {
		if out, _ := scrub(t, e, in); out != want {
			t.Errorf("%q: got %q, want %q", in, out, want)
		}
	}
}

func TestNamesOff(t *testing.T) {
	e := compileTest(t, "detectors:\n  person: {enabled: false}\n  address: {enabled: false}\n")
	in := "reassigned to Maria Garcia, ship to 52 Huntly Street"
	if out, _ := scrub(t, e, in); out != in {
		t.Errorf("got %q, want it unchanged", out)
	}
}

func TestNamesLexiconFile(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "names.txt"), "# our staff\nZorblat\n")
	policy := "name: t\ndetectors:\n  person: {lexicons: [names.txt]}\n"
	writeFile(t, filepath.Join(dir, "policy.yaml"), policy)
	p, err := Load(filepath.Join(dir, "policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	e, err := Compile(p, TestKeyring())
	if err != nil {
		t.Fatal(err)
	}
	out, _ := scrub(t, e, "handled by Zorblat today")
	if strings.Contains(out, "Zorblat") {
		t.Errorf("extra lexicon name not scrubbed: %q", out)
	}
	// Without the lexicon the word is unknown and stays.
	if out, _ := scrub(t, compileTest(t, ""), "handled by Zorblat today"); !strings.Contains(out, "Zorblat") {
		t.Errorf("unknown word scrubbed without the lexicon: %q", out)
	}
	// A missing file fails the compile (fail closed).
	if err := os.Remove(filepath.Join(dir, "names.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := Compile(p, TestKeyring()); err == nil {
		t.Error("compile with a missing lexicon file succeeded")
	}
}

func TestNamesOptionsValidated(t *testing.T) {
	for _, policy := range []string{
		"detectors:\n  email: {cue_only: true}\n",
		"detectors:\n  address: {lexicons: [x.txt]}\n",
	} {
		p, err := Parse([]byte(policy), "test")
		if err == nil {
			err = p.Validate()
		}
		if err == nil {
			t.Errorf("%q: accepted", policy)
		}
	}
}
