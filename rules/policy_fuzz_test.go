package rules

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzPolicy checks the policy parser, validator and compiler on arbitrary
// YAML: no panic; an error is a wrapped error, never a crash; a policy that
// validates compiles (or fails with an error) and the engine it gives
// scrubs a few records without panicking and within the record limit.
func FuzzPolicy(f *testing.F) {
	f.Add(DefaultYAML())
	for _, name := range []string{"policy.yaml", "invalid.yaml", "reference.yaml"} {
		if b, err := os.ReadFile(filepath.Join("testdata", name)); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		"name: x\nfields:\n  - path: user.*.email\n    action: mask\n    keep_first: 2\n",
		"detectors:\n  ipv4: {action: truncate_ip, prefix: 16}\n  email: {action: redact}\n",
		"custom:\n  - name: order\n    pattern: 'ORD-[0-9]{6}'\n    action: redact\n",
		"custom:\n  - name: evil\n    pattern: '(a+)+b'\n    action: redact\n    timeout: 5ms\n",
		"fields: [{path: '**', action: keep}]\n",
		"limits: {max_record_bytes: 10, max_depth: 1}\n",
		"jurisdictions:\n  EEA: {detectors: {ipv4: {prefix: 24}}}\n",
		"a: &a [*a]\n", "{", "- - - -", "name: [1, 2]\n", "\x00\xff",
		"custom:\n  -\nfields:\n  -\ntests:\n  -\n",                                         // empty list entries
		"jurisdictions:\n  profiles:\n    EEA:\n    US:\n      detectors:\n        ipv4:\n", // empty profile and override
		"detectors:\n  nosuch:\n  ipv4:\n",
	} {
		f.Add([]byte(s))
	}
	records := [][]byte{
		[]byte(`{"ip":"203.0.113.77","user":{"email":"jane.doe@example.com","id":42},"msg":"call +14155552671"}`),
		[]byte(`level=info client=10.1.2.3 email=a@b.co msg="card 4111111111111111"`),
		[]byte(`203.0.113.77 - - [17/May/2015:10:05:03 +0000] "GET /u/jane.doe@example.com HTTP/1.1" 200 1 "-" "UA"`),
		[]byte("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaac ORD-123456 2001:db8::1"),
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) > 1<<16 {
			return
		}
		p, err := Parse(data, "fuzz")
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty parse error")
			}
			return
		}
		if err := p.Validate(); err != nil {
			if !strings.Contains(err.Error(), "invalid") {
				t.Fatalf("validation error does not say what is wrong: %v", err)
			}
			return
		}
		e, err := Compile(p, TestKeyring())
		if err != nil {
			return
		}
		var res Result
		for _, r := range records {
			out, err := e.Scrub(nil, r, &res)
			if err == nil && len(out) > 64*len(r)+1024 { // a pseudonym per byte at most
				t.Fatalf("output of %d bytes for a record of %d", len(out), len(r))
			}
		}
	})
}
