package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

// TestDecodeStrictShortcut checks that decodeStrict, which decodes flat
// mappings of known keys directly, gives what the strict round trip gives:
// the same rule, or an error where it gives one.
func TestDecodeStrictShortcut(t *testing.T) {
	docs := []string{
		`{path: "**.uid", name: account_id, action: pseudonymize}`,
		`{path: a, action: mask, keep_first: 2, keep_last: 4}`,
		`{path: a, action: coarsen, decimals: 1, prefix: 16}`,
		`{path: event, action: drop_record, values: [heartbeat, "ping"]}`,
		`{path: a, shape: person_name, action: pseudonymize}`,
		"path: a\naction: redact\n",
		`{path: a, path: b, action: redact}`,
		`{path: a, action: redact, bogus: 1}`,
		`{path: a, Action: redact}`,
		`{path: a, action: nonsense}`,
		`{path: a, action: mask, keep_first: x}`,
		`{path: a, action: mask, keep_first: 1.5}`,
		`{path: a, action: drop_record, values: heartbeat}`,
		`{path: a, action: drop_record, values: [[x]]}`,
		`{path: a, action: drop_record, values: {x: 1}}`,
		`{path: [a], action: redact}`,
		`{path: !!int 1, action: redact}`,
		`{? path : a, action: redact}`,
		`{path: &p a, action: redact}`,
		`{path: a, action: redact, <<: {name: x}}`,
		`{path: a, action: redact, decimals: null}`,
		`{path: a, action: redact, decimals: ~}`,
		`{"path": "a", "action": "redact"}`,
		`{path: a, action: redact, line: 3}`,
		`[path, a]`,
		`a`,
		`{}`,
	}
	for _, d := range docs {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(d), &doc); err != nil {
			t.Fatalf("%s: %v", d, err)
		}
		n := doc.Content[0]
		type plain FieldRule
		var fast, slow FieldRule
		errFast := decodeStrict(n, (*plain)(&fast))
		errSlow := decodeRoundTrip(n, (*plain)(&slow))
		if (errFast == nil) != (errSlow == nil) || errFast != nil && errFast.Error() != errSlow.Error() {
			t.Errorf("%s: error %v, round trip %v", d, errFast, errSlow)
		}
		if diff := cmp.Diff(slow, fast, cmp.AllowUnexported(FieldRule{})); errSlow == nil && diff != "" {
			t.Errorf("%s (-round trip +shortcut):\n%s", d, diff)
		}
	}
}
