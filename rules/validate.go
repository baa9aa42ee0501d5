package rules

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/dlclark/regexp2/v2"
	"github.com/nyaruka/phonenumbers"

	"github.com/scrubd/scrubd/detectors"
	"github.com/scrubd/scrubd/rules/keyring"
)

// A Problem is one thing wrong with a policy, at a line of its file.
type Problem struct {
	Line int    // 1-based; 0 when unknown
	Path string // where in the policy, such as "fields[3].action"
	Msg  string
}

func (p Problem) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("line %d: %s: %s", p.Line, p.Path, p.Msg)
	}
	return fmt.Sprintf("%s: %s", p.Path, p.Msg)
}

// ValidationError lists every problem found in a policy.
type ValidationError struct {
	Source   string
	Problems []Problem
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "policy %s is invalid (%d problems):", e.Source, len(e.Problems))
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.String())
	}
	return b.String()
}

// Limits on settings.
const (
	maxRecordBytesLimit = 64 << 20
	maxDepthLimit       = 1000
	maxCustomTimeout    = 10 * time.Second
)

// Validate checks the policy and returns a *ValidationError listing every
// problem with its line, or nil.
func (p *Policy) Validate() error {
	var probs []Problem
	add := func(line int, path, format string, args ...any) {
		probs = append(probs, Problem{Line: line, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
	if p.Limits.MaxRecordBytes <= 0 || p.Limits.MaxRecordBytes > maxRecordBytesLimit {
		add(0, "limits.max_record_bytes", "must be between 1 and %d", maxRecordBytesLimit)
	}
	if p.Limits.MaxDepth <= 0 || p.Limits.MaxDepth > maxDepthLimit {
		add(0, "limits.max_depth", "must be between 1 and %d", maxDepthLimit)
	}
	switch p.OnInvalidJSON {
	case "", InvalidJSONFail, InvalidJSONText:
	default:
		add(0, "on_invalid_json", "%q is not one of %s, %s", p.OnInvalidJSON, InvalidJSONFail, InvalidJSONText)
	}
	// Keys.
	for id := range p.Keys.Files {
		if err := keyring.ValidID(id); err != nil {
			add(p.Keys.line, "keys.files."+id, "%v", err)
		}
	}
	for id := range p.Keys.Env {
		if err := keyring.ValidID(id); err != nil {
			add(p.Keys.line, "keys.env."+id, "%v", err)
		}
	}
	if p.Keys.Active != "" {
		if err := keyring.ValidID(p.Keys.Active); err != nil {
			add(p.Keys.line, "keys.active", "%v", err)
		}
		_, inFiles := p.Keys.Files[p.Keys.Active]
		_, inEnv := p.Keys.Env[p.Keys.Active]
		if !inFiles && !inEnv && p.Keys.Dir == "" {
			add(p.Keys.line, "keys.active", "key %q is not configured in keys.files, keys.env or keys.dir", p.Keys.Active)
		}
	}
	validateDetectors(add, "detectors", p.Detectors)
	p.validateSections(add)
	p.validateEnvelope(add)
	// Custom detectors.
	seen := map[string]bool{}
	for i, c := range p.Custom {
		path := fmt.Sprintf("custom[%d]", i)
		if c == nil {
			add(0, path, "is empty")
			continue
		}
		switch {
		case !ValidTypeName(c.Name):
			add(c.line, path+".name", "%q must be a lower-case letter followed by lower-case letters, digits or _", c.Name)
		case detectors.IsBuiltin(detectors.Type(c.Name)):
			add(c.line, path+".name", "%q is a built-in detector", c.Name)
		case seen[c.Name]:
			add(c.line, path+".name", "%q is defined twice", c.Name)
		}
		seen[c.Name] = true
		if c.Pattern == "" {
			add(c.line, path+".pattern", "is empty")
		} else if _, err := regexp2.Compile(c.Pattern); err != nil {
			add(c.line, path+".pattern", "does not compile: %v", err)
		}
		if t := time.Duration(c.Timeout); t < 0 || t > maxCustomTimeout {
			add(c.line, path+".timeout", "must be between 0 and %v", maxCustomTimeout)
		}
		checkAction(add, c.line, path, c.Action, false, c.KeepFirst, c.KeepLast, c.Decimals)
	}
	// Field rules.
	for i, f := range p.Fields {
		path := fmt.Sprintf("fields[%d]", i)
		if f == nil {
			add(0, path, "is empty")
			continue
		}
		if _, err := compilePath(f.Path); err != nil {
			add(f.line, path+".path", "%v", err)
		}
		if f.Name != "" && !ValidTypeName(f.Name) {
			add(f.line, path+".name", "%q must be a lower-case letter followed by lower-case letters, digits or _", f.Name)
		}
		checkAction(add, f.line, path, f.Action, true, f.KeepFirst, f.KeepLast, f.Decimals)
		if len(f.Values) > 0 && f.Action != DropRecord {
			add(f.line, path+".values", "only drop_record takes values")
		}
		if _, ok := shapeByName(f.Shape); !ok {
			add(f.line, path+".shape", "%q is not a shape; one of %s", f.Shape, strings.Join(shapeNames[1:], ", "))
		}
		if f.Prefix != nil && (f.Action != TruncateIP || *f.Prefix < 0 || *f.Prefix > 128) {
			add(f.line, path+".prefix", "needs action truncate_ip and a value between 0 and 128")
		}
	}
	// Test cases.
	for i, tc := range p.Tests {
		path := fmt.Sprintf("tests[%d]", i)
		if tc == nil {
			add(0, path, "is empty")
			continue
		}
		if tc.Input == "" {
			add(tc.line, path+".input", "is empty")
		}
		n := 0
		if tc.Output != "" {
			n++
		}
		if tc.Dropped {
			n++
		}
		if tc.Error != "" {
			n++
		}
		if n != 1 {
			add(tc.line, path, "needs exactly one of output, dropped: true or error")
		}
		if tc.Country != "" && !validCountry(strings.ToUpper(tc.Country)) {
			add(tc.line, path+".country", "not an ISO 3166-1 alpha-2 code")
		}
		if tc.Jurisdiction != "" && !ValidJurisdiction(tc.Jurisdiction) {
			add(tc.line, path+".jurisdiction", "jurisdiction %q must be upper case letters, digits and _", tc.Jurisdiction)
		}
	}
	if len(probs) == 0 {
		return nil
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Line < probs[j].Line })
	return &ValidationError{Source: p.source, Problems: probs}
}

// validateDetectors checks detector settings by type name (the policy's own,
// or a jurisdiction profile's at prefix).
func validateDetectors(add func(int, string, string, ...any), prefix string, dets map[string]*DetectorRule) {
	names := make([]string, 0, len(dets))
	for n := range dets {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d := dets[n]
		path := prefix + "." + n
		if !detectors.IsBuiltin(detectors.Type(n)) {
			line := 0
			if d != nil {
				line = d.line
			}
			add(line, path, "unknown detector; built-in detectors are %s (custom detectors go under custom)", builtinList())
			continue
		}
		if d == nil {
			continue
		}
		isIP := n == string(detectors.IPv4) || n == string(detectors.IPv6)
		if d.Action != "" || prefix == "detectors" {
			checkAction(add, d.line, path, d.Action, isIP, d.KeepFirst, d.KeepLast, d.Decimals)
		}
		if d.Prefix != nil {
			max := 32
			if n == string(detectors.IPv6) {
				max = 128
			}
			if !isIP {
				add(d.line, path+".prefix", "only ipv4 and ipv6 take a prefix")
			} else if *d.Prefix < 0 || *d.Prefix > max {
				add(d.line, path+".prefix", "must be between 0 and %d", max)
			}
		}
		if len(d.Regions) > 0 && n != string(detectors.Phone) {
			add(d.line, path+".regions", "only phone takes regions")
		}
		for _, r := range d.Regions {
			if phonenumbers.GetCountryCodeForRegion(r) == 0 {
				add(d.line, path+".regions", "%q is not a region phone-number metadata knows", r)
			}
		}
		if len(d.CueRegions) > 0 && n != string(detectors.Phone) {
			add(d.line, path+".cue_regions", "only phone takes cue_regions")
		}
		for _, r := range d.CueRegions {
			if phonenumbers.GetCountryCodeForRegion(r) == 0 {
				add(d.line, path+".cue_regions", "%q is not a region phone-number metadata knows", r)
			}
		}
		if d.CueOnly && n != string(detectors.Person) && n != string(detectors.Address) {
			add(d.line, path+".cue_only", "only person and address take cue_only")
		}
		if len(d.Lexicons) > 0 && n != string(detectors.Person) {
			add(d.line, path+".lexicons", "only person takes lexicons")
		}
	}
}

// validateSections checks extract, subjects, minors and jurisdictions.
func (p *Policy) validateSections(add func(int, string, string, ...any)) {
	for n, paths := range p.Extract {
		if _, ok := extractByName(n); !ok {
			add(0, "extract."+n, "unknown; one of %s", strings.Join(extractNames[:], ", "))
			continue
		}
		for i, path := range paths {
			if _, err := compilePath(path); err != nil {
				add(0, fmt.Sprintf("extract.%s[%d]", n, i), "%v", err)
			}
		}
	}
	for i, t := range p.Subjects {
		if !ValidTypeName(t) {
			add(0, fmt.Sprintf("subjects[%d]", i), "%q is not a type name", t)
		}
	}
	if p.Minors.BelowAge != nil && (*p.Minors.BelowAge < 0 || *p.Minors.BelowAge > 120) {
		add(0, "minors.below_age", "must be between 0 and 120")
	}
	for c, j := range p.Jurisdictions.Countries {
		if !validCountry(strings.ToUpper(c)) {
			add(0, "jurisdictions.countries."+c, "not an ISO 3166-1 alpha-2 code")
		}
		if !ValidJurisdiction(j) {
			add(0, "jurisdictions.countries."+c, "jurisdiction %q must be upper case letters, digits and _", j)
		}
	}
	names := make([]string, 0, len(p.Jurisdictions.Profiles))
	for j := range p.Jurisdictions.Profiles {
		names = append(names, j)
	}
	sort.Strings(names)
	for _, j := range names {
		prof := p.Jurisdictions.Profiles[j]
		if !ValidJurisdiction(j) {
			add(0, "jurisdictions.profiles."+j, "jurisdiction %q must be upper case letters, digits and _", j)
		}
		if prof != nil {
			validateDetectors(add, "jurisdictions.profiles."+j+".detectors", prof.Detectors)
		}
	}
}

func checkAction(add func(int, string, string, ...any), line int, path string, a Action, ipOK bool, keepFirst, keepLast int, decimals *int) {
	switch {
	case a == "":
		add(line, path+".action", "is missing; one of %s", actionList())
	case !validAction(a):
		add(line, path+".action", "%q is not an action; one of %s", a, actionList())
	case a == TruncateIP && !ipOK:
		add(line, path+".action", "truncate_ip applies to ipv4, ipv6 and fields only")
	}
	if keepFirst < 0 || keepLast < 0 {
		add(line, path, "keep_first and keep_last must not be negative")
	}
	if (keepFirst != 0 || keepLast != 0) && a != Mask {
		add(line, path, "keep_first and keep_last need action mask")
	}
	if decimals != nil && (a != Coarsen || *decimals < 0 || *decimals > maxDecimals) {
		add(line, path+".decimals", "needs action coarsen and a value between 0 and %d", maxDecimals)
	}
}

func actionList() string {
	s := make([]string, len(actions))
	for i, a := range actions {
		s[i] = string(a)
	}
	return strings.Join(s, ", ")
}

func builtinList() string {
	s := make([]string, len(detectors.Builtin))
	for i, t := range detectors.Builtin {
		s[i] = string(t)
	}
	return strings.Join(s, ", ")
}

func timeDuration(d Duration) time.Duration { return time.Duration(d) }
