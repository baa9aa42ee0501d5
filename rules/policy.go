package rules

import (
	"bytes"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Policy is a scrubbing policy as written in YAML. The zero value is not
// useful; start from Default or Parse. A Policy is plain data: Validate checks
// it and Compile turns it into an Engine.
type Policy struct {
	// Name identifies the policy in record headers and metrics.
	Name string `yaml:"name"`
	// Limits bound the work done on one record.
	Limits Limits `yaml:"limits"`
	// OnInvalidJSON says what becomes of a record that opens like JSON but
	// cannot be walked, not even as near-JSON (see walkJSON): "fail", the
	// default, fails it closed with reason invalid_json; "text" scans it as
	// free text instead, where its key=value and "key": value pairs still
	// meet the field rules by their last key but nested paths do not.
	OnInvalidJSON string `yaml:"on_invalid_json"`
	// Keys configures the HMAC keyring used by the pseudonymize action.
	Keys KeysConfig `yaml:"keys"`
	// Detectors configures the built-in detectors by type name (ipv4, ipv6,
	// email, phone, credit_card, iban, mac, imei, uuid, jwt, secret). A type
	// left out keeps its default.
	Detectors map[string]*DetectorRule `yaml:"detectors"`
	// Custom adds detectors written as regular expressions.
	Custom []*CustomRule `yaml:"custom"`
	// Fields are rules applied by key path to structured records (JSON,
	// logfmt, key=value pairs in text, access-log fields). The first rule
	// whose path matches a field wins; a field without a rule is scanned by
	// the detectors.
	Fields []*FieldRule `yaml:"fields"`
	// DefaultFields, when false, leaves out the default field rules.
	DefaultFields *bool `yaml:"default_fields"`
	// Key is the rule for record keys (see KeyRule). Default: pseudonymize
	// the whole key as an account_id.
	Key *KeyRule `yaml:"key"`
	// Headers say which record headers are scrubbed (see HeaderRules).
	// Default: every header, each as a field named by its header name.
	Headers HeaderRules `yaml:"headers"`
	// Extract names the fields scrubd reads out of records for its own use
	// (see Extract), by the same paths as field rules: client_ip,
	// timestamp, event, path, status, user_agent, age, minor. A name the
	// policy gives replaces its default list.
	Extract map[string][]string `yaml:"extract"`
	// Subjects are the pseudonym types that identify a data subject; privacy
	// requests (erasure, restriction, withdrawn consent) are matched
	// against them. Default: account_id, email, phone, device_id.
	Subjects []string `yaml:"subjects"`
	// Minors says how a minor's record is recognised and whether it may be
	// counted in aggregates. Minors' records never reach clean outputs.
	Minors Minors `yaml:"minors"`
	// Jurisdictions maps countries to jurisdictions and gives each
	// jurisdiction its own detector settings.
	Jurisdictions Jurisdictions `yaml:"jurisdictions"`
	// Tests are examples that `scrubd test` checks against this policy.
	Tests []*TestCase `yaml:"tests"`

	// version is derived from the policy's text by Parse.
	version string
	// source names where the policy came from, for messages.
	source string
}

// Limits bound the work done on one record.
type Limits struct {
	// MaxRecordBytes is the largest record scrubbed; larger ones fail
	// closed. Default 1 MiB.
	MaxRecordBytes int `yaml:"max_record_bytes"`
	// MaxDepth is the deepest nesting of JSON objects and arrays; deeper
	// records fail closed. Default 64.
	MaxDepth int `yaml:"max_depth"`
}

// KeysConfig says where the HMAC keys come from. Keys are never written in the
// policy itself.
type KeysConfig struct {
	// Active is the id of the key that new pseudonyms are made with; the
	// other keys loaded are retired: their pseudonyms are still recognised.
	// Empty means the only key configured.
	Active string `yaml:"active"`
	// Ephemeral allows a random key of the process's own when no key is
	// configured. `scrubd run` refuses to start without keys unless it is
	// set; the key then lives as long as the process (a policy reload keeps
	// it), so pseudonyms change at every restart and differ between
	// instances: for demos and tests. Configured keys take precedence.
	// `scrubd scrub` always falls back to a random key.
	Ephemeral bool `yaml:"ephemeral"`
	// Dir is a directory with one file per key, named by the key id (a
	// Kubernetes Secret mounted as a volume). Hidden files are ignored.
	// Relative paths here and in Files are read from the policy file's
	// directory.
	Dir string `yaml:"dir"`
	// Files maps key ids to files that hold the key.
	Files map[string]string `yaml:"files"`
	// Env maps key ids to environment variables that hold the key.
	Env map[string]string `yaml:"env"`

	// base is the directory relative paths are read from: the policy
	// file's directory.
	base string

	line int
}

// DetectorRule configures one built-in detector.
type DetectorRule struct {
	// Enabled switches the detector off when false. Default true.
	Enabled *bool `yaml:"enabled"`
	// Action is what happens to its findings. See Action.
	Action Action `yaml:"action"`
	// Prefix is the number of leading bits truncate_ip keeps (IPv4 default
	// 24, IPv6 default 48).
	Prefix *int `yaml:"prefix"`
	// KeepFirst and KeepLast are the characters the mask action leaves.
	KeepFirst int `yaml:"keep_first"`
	KeepLast  int `yaml:"keep_last"`
	// Decimals is the number of fraction digits the coarsen action keeps
	// (default 2).
	Decimals *int `yaml:"decimals"`
	// Regions are the phone regions (ISO 3166-1 alpha-2) whose national
	// formats are recognised; numbers with a leading '+' are recognised for
	// every region. Phone only.
	Regions []string `yaml:"regions"`
	// CueRegions are the phone regions whose national numbers, in any
	// grouping, are found after a cue word ("tel", "手机", "whatsapp");
	// empty means detectors.DefaultPhoneCueRegions, the largest markets.
	// Phone only.
	CueRegions []string `yaml:"cue_regions"`
	// CueOnly makes person and address report only what a cue announces
	// (a title, "customer", "ship to"). Person and address only.
	CueOnly bool `yaml:"cue_only"`
	// Lexicons are files of extra names, one a line, relative to the
	// policy file. Person only.
	Lexicons []string `yaml:"lexicons"`

	line int
}

// CustomRule is a detector written as a regular expression (regexp2 syntax,
// which allows lookarounds and backreferences).
type CustomRule struct {
	// Name is the finding type, lower case: [a-z][a-z0-9_]*.
	Name string `yaml:"name"`
	// Pattern is the expression; each match is a finding.
	Pattern string `yaml:"pattern"`
	// IgnoreCase makes the pattern case-insensitive.
	IgnoreCase bool `yaml:"ignore_case"`
	// Timeout bounds the detector's whole search in one value: all its
	// matches there together, not each match (default 100ms). A timeout
	// fails the record closed. Each string of a structured record is a
	// value of its own.
	Timeout Duration `yaml:"timeout"`
	// Action, KeepFirst, KeepLast and Decimals are as for DetectorRule.
	Action    Action `yaml:"action"`
	KeepFirst int    `yaml:"keep_first"`
	KeepLast  int    `yaml:"keep_last"`
	Decimals  *int   `yaml:"decimals"`

	line int
}

// FieldRule applies an action to fields by key path.
type FieldRule struct {
	// Path is a dot-separated key path with globs, matched without regard
	// to case: "*" matches one key, "**" any number of keys (also none),
	// and "*" inside a key matches any characters ("*_id", "*password*").
	// Array elements take the path of their array. Examples: "user.*.email",
	// "headers.authorization", "**.uid".
	Path string `yaml:"path"`
	// Name is the type reported for the field and used in its pseudonyms;
	// fields that hold the same kind of identifier should share it so that
	// one subject gets one pseudonym. Default: the last key of the path, or
	// "field".
	Name string `yaml:"name"`
	// Action is what happens to the field's value.
	Action Action `yaml:"action"`
	// KeepFirst and KeepLast are the characters the mask action leaves.
	KeepFirst int `yaml:"keep_first"`
	KeepLast  int `yaml:"keep_last"`
	// Decimals is the number of fraction digits the coarsen action keeps
	// (default 2).
	Decimals *int `yaml:"decimals"`
	// Prefix is the number of bits truncate_ip keeps (default 24 for IPv4,
	// 48 for IPv6).
	Prefix *int `yaml:"prefix"`
	// Values restricts a drop_record rule to these values of the field
	// (compared as text, without regard to case). Empty: any value.
	Values []string `yaml:"values"`
	// Shape restricts the rule to values of a shape; a value of another
	// shape is walked and scanned as if no rule named its field. One of
	// scalar (strings and numbers: a JSON object under the field is walked
	// with its own rules, an array element by element), person_name (two
	// or more capitalized words), postal_address (two or more words with a
	// letter) and postal_code (3 to 10 letters, digits, spaces or '-', with
	// a digit). Every shape but scalar implies scalar. Empty: any value,
	// and an object or array under the field is ruled whole.
	Shape string `yaml:"shape"`

	line int
}

// TestCase is an example record and the output the policy must give for it.
type TestCase struct {
	// Name describes the case.
	Name string `yaml:"name"`
	// Input is one record.
	Input string `yaml:"input"`
	// Output is the expected scrubbed record. Pseudonyms depend on the key;
	// tests run with the fixed key "scrubd-test-key" under id "test".
	Output string `yaml:"output"`
	// Dropped expects the record to be dropped instead.
	Dropped bool `yaml:"dropped"`
	// Error expects the record to fail closed, with an error whose reason
	// contains this text.
	Error string `yaml:"error"`
	// Country runs the case as a record from this country (ISO 3166-1
	// alpha-2), as GeoIP would find it: scrubbed with its jurisdiction's
	// profile, with the geo member added to JSON records.
	Country string `yaml:"country"`
	// Jurisdiction runs the case with this jurisdiction's profile, without a
	// country.
	Jurisdiction string `yaml:"jurisdiction"`

	line int
}

// yamlNode is the YAML node type, named for the UnmarshalYAML methods of
// other files.
type yamlNode = yaml.Node

// Duration is a time.Duration written in YAML as "100ms" or "2s".
type Duration time.Duration

// UnmarshalYAML reads a duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	var s string
	if err := n.Decode(&s); err != nil {
		return err
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = Duration(v)
	return nil
}

// Each rule type remembers the line it was written on, so that Validate can
// point at it.

func (r *DetectorRule) UnmarshalYAML(n *yaml.Node) error {
	type plain DetectorRule
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *CustomRule) UnmarshalYAML(n *yaml.Node) error {
	type plain CustomRule
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *FieldRule) UnmarshalYAML(n *yaml.Node) error {
	type plain FieldRule
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (r *TestCase) UnmarshalYAML(n *yaml.Node) error {
	type plain TestCase
	r.line = n.Line
	return decodeStrict(n, (*plain)(r))
}

func (k *KeysConfig) UnmarshalYAML(n *yaml.Node) error {
	type plain KeysConfig
	k.line = n.Line
	return decodeStrict(n, (*plain)(k))
}

// decodeStrict decodes a node into v, refusing keys v does not have.
// yaml.v3's KnownFields applies only to a Decoder, so the node is re-encoded
// and decoded again; nodes are small, but a policy has hundreds of them
// (the built-in one 170 rules), and every run of scrubd parses one: a flat
// mapping whose keys are all v's fields is decoded directly (see
// plainKnownMapping), which is what the round trip would do with it.
func decodeStrict(n *yaml.Node, v any) error {
	if plainKnownMapping(n, v) && n.Decode(v) == nil {
		return nil
	}
	return decodeRoundTrip(n, v)
}

// decodeRoundTrip is decodeStrict by re-encoding n and decoding it with a
// strict decoder.
func decodeRoundTrip(n *yaml.Node, v any) error {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return err
	}
	dec := yaml.NewDecoder(&buf)
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return shiftLines(err, n.Line-1)
	}
	return nil
}

// plainKnownMapping reports whether n is a mapping whose keys are plain
// strings, each the YAML name of a field of the struct v points to, and
// whose values are scalars or sequences of scalars, without aliases: such a
// node decodes directly as it would through decodeStrict's round trip, and
// has no key a strict decoder refuses. Any other node (a nested mapping,
// whose own keys would go unchecked; an alias, which the round trip cannot
// resolve) takes the round trip.
func plainKnownMapping(n *yaml.Node, v any) bool {
	rv := reflect.ValueOf(v)
	if n.Kind != yaml.MappingNode || len(n.Content)%2 != 0 || rv.Kind() != reflect.Pointer || rv.Elem().Kind() != reflect.Struct {
		return false
	}
	t := rv.Elem().Type()
	for i := 0; i < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" || !scalarOrList(val) || !yamlField(t, k.Value) {
			return false
		}
	}
	return true
}

// scalarOrList reports whether n is a scalar or a sequence of scalars,
// without aliases.
func scalarOrList(n *yaml.Node) bool {
	switch n.Kind {
	case yaml.ScalarNode:
		return true
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if c.Kind != yaml.ScalarNode {
				return false
			}
		}
		return true
	}
	return false
}

// yamlField reports whether the struct type t has a field that yaml.v3
// decodes the key name into: its yaml tag's name, or its name in lower
// case. A struct with inline fields has none, as far as this test goes.
func yamlField(t reflect.Type, name string) bool {
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		tag, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if strings.Contains(opts, "inline") {
			return false
		}
		if tag == "-" {
			continue
		}
		if tag == "" {
			tag = strings.ToLower(f.Name)
		}
		if tag == name {
			return true
		}
	}
	return false
}

// shiftLines rewrites the "line N" positions in a yaml error that was
// produced from a re-encoded node so that they point into the original file.
func shiftLines(err error, offset int) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return err
	}
	out := &yaml.TypeError{}
	for _, e := range te.Errors {
		var line int
		var rest string
		if _, scanErr := fmt.Sscanf(e, "line %d:", &line); scanErr == nil {
			if i := strings.Index(e, ":"); i >= 0 {
				rest = e[i:]
			}
			e = fmt.Sprintf("line %d%s", line+offset, rest)
		}
		out.Errors = append(out.Errors, e)
	}
	return out
}

// Load reads and parses the policy file at path. It does not validate it.
func Load(path string) (*Policy, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read policy: %w", err)
	}
	p, err := Parse(data, path)
	if err != nil {
		return nil, err
	}
	p.Keys.base = filepath.Dir(path)
	return p, nil
}

//go:embed default.yaml
var defaultYAML []byte

// DefaultYAML returns the text of the built-in default policy.
func DefaultYAML() []byte { return bytes.Clone(defaultYAML) }

// Default returns the built-in default policy (see default.yaml, and the
// table in DESIGN section 5).
func Default() *Policy {
	p, err := decode(defaultYAML, "built-in default")
	if err != nil {
		panic("rules: the built-in default policy does not parse: " + err.Error())
	}
	return p
}

// Parse decodes a policy from YAML. Unknown keys are errors. Settings left
// out take their defaults: detectors the policy does not name keep their
// default settings, limits left at zero take the default limits, and the
// default field rules apply after the policy's own unless it sets
// default_fields: false. Parse does not validate: call Validate.
func Parse(data []byte, source string) (*Policy, error) {
	p, err := decode(data, source)
	if err != nil {
		return nil, err
	}
	def := Default()
	if p.Limits.MaxRecordBytes == 0 {
		p.Limits.MaxRecordBytes = def.Limits.MaxRecordBytes
	}
	if p.Limits.MaxDepth == 0 {
		p.Limits.MaxDepth = def.Limits.MaxDepth
	}
	if p.Detectors == nil {
		p.Detectors = map[string]*DetectorRule{}
	}
	for name, d := range def.Detectors {
		r, ok := p.Detectors[name]
		switch {
		case !ok || r == nil:
			p.Detectors[name] = d
		case r.Action == "":
			r.Action = d.Action
		}
	}
	if p.DefaultFields == nil || *p.DefaultFields {
		p.Fields = append(p.Fields, def.Fields...)
	}
	// The key rule: the default's, or what the policy leaves out of its
	// own taken from the default's.
	k := *def.Key
	if p.Key != nil {
		k = *p.Key
		if k.Action == "" {
			k.Action = def.Key.Action
		}
		if k.Name == "" {
			k.Name = def.Key.Name
		}
	}
	p.Key = &k
	// The header rules: the default's unless the policy has its own.
	if p.Headers.line == 0 && p.Headers.Keep == nil && p.Headers.Others == "" {
		p.Headers = def.Headers
	} else if p.Headers.Others == "" {
		p.Headers.Others = def.Headers.Others
	}
	if p.Extract == nil {
		p.Extract = map[string][]string{}
	}
	for n, paths := range def.Extract {
		if _, ok := p.Extract[n]; !ok {
			p.Extract[n] = paths
		}
	}
	if p.Subjects == nil {
		p.Subjects = def.Subjects
	}
	if p.Minors.BelowAge == nil {
		p.Minors.BelowAge = def.Minors.BelowAge
	}
	if p.Name == "" {
		p.Name = "policy"
	}
	return p, nil
}

// decode reads YAML into a Policy without applying defaults.
func decode(data []byte, source string) (*Policy, error) {
	p := &Policy{source: source}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(p); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("parse policy %s: %w", source, err)
	}
	sum := sha256.Sum256(data)
	name := p.Name
	if name == "" {
		name = "policy"
	}
	p.version = name + "@" + hex.EncodeToString(sum[:6])
	return p, nil
}

// Version is the policy's name and a hash of its text: it changes whenever the
// policy does, and is written in every output record's headers.
func (p *Policy) Version() string { return p.version }

// Source is where the policy was read from.
func (p *Policy) Source() string { return p.source }

// ResolveIn makes the policy's relative key paths resolve against dir: the
// directory of the file that holds the policy (a run configuration with an
// inline policy).
func (p *Policy) ResolveIn(dir string) { p.Keys.base = dir }

// KeyPaths lists the files and directories the policy reads keys from,
// resolved, for watching them.
func (p *Policy) KeyPaths() []string {
	resolve := func(f string) string {
		if p.Keys.base == "" || filepath.IsAbs(f) {
			return f
		}
		return filepath.Join(p.Keys.base, f)
	}
	var out []string
	if p.Keys.Dir != "" {
		out = append(out, resolve(p.Keys.Dir))
	}
	for _, f := range p.Keys.Files {
		out = append(out, resolve(f))
	}
	return out
}
