package rules

import (
	"sort"
	"strings"
)

// Jurisdictions maps countries to jurisdictions and gives jurisdictions
// their own detector settings ("profiles"): for example, IPv4 /24 in the
// EEA and /16 elsewhere.
type Jurisdictions struct {
	// Countries overrides the default table, which puts the 30 EEA states
	// in "EEA", GB in "UK", US in "US", CN in "CN", SG in "SG" and every
	// other country in "OTHER". Keys are ISO 3166-1 alpha-2 codes.
	Countries map[string]string `yaml:"countries"`
	// Profiles are detector settings per jurisdiction, merged over the
	// policy's own: a profile names only what differs.
	Profiles map[string]*Profile `yaml:"profiles"`
}

// A Profile overrides detector settings for one jurisdiction.
type Profile struct {
	Detectors map[string]*DetectorRule `yaml:"detectors"`

	line int
}

// UnmarshalYAML remembers the profile's line.
func (p *Profile) UnmarshalYAML(n *yamlNode) error {
	type plain Profile
	p.line = n.Line
	return decodeStrict(n, (*plain)(p))
}

// JurisdictionOther is the jurisdiction of countries the table does not name
// and of records without a known country.
const JurisdictionOther = "OTHER"

// eeaCountries are the EU member states and Iceland, Liechtenstein and
// Norway.
var eeaCountries = [...]string{
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
	"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
}

// countryTable builds the country table with overrides applied.
func countryTable(overrides map[string]string) map[string]string {
	t := map[string]string{"GB": "UK", "US": "US", "CN": "CN", "SG": "SG"}
	for _, c := range eeaCountries {
		t[c] = "EEA"
	}
	for c, j := range overrides {
		t[strings.ToUpper(c)] = j
	}
	return t
}

// Jurisdiction returns the jurisdiction of an ISO 3166-1 alpha-2 country
// code, or OTHER.
func (e *Engine) Jurisdiction(country string) string {
	if j, ok := e.countries[strings.ToUpper(country)]; ok {
		return j
	}
	return JurisdictionOther
}

// ForJurisdiction returns the engine to scrub a record of jurisdiction j
// with: the profile compiled for j, or e itself when j has no profile.
func (e *Engine) ForJurisdiction(j string) *Engine {
	if p, ok := e.profiles[j]; ok {
		return p
	}
	return e
}

// Jurisdictions lists the jurisdictions that have a profile, sorted.
func (e *Engine) Jurisdictions() []string {
	out := make([]string, 0, len(e.profiles))
	for j := range e.profiles {
		out = append(out, j)
	}
	sort.Strings(out)
	return out
}

// ValidJurisdiction accepts jurisdiction names like EEA, UK, US_CA: an
// upper-case letter, then upper-case letters, digits and underscores, at
// most 32. The policy's and the configuration's residency maps both use it.
func ValidJurisdiction(j string) bool {
	if j == "" || len(j) > 32 || j[0] < 'A' || j[0] > 'Z' {
		return false
	}
	for i := 1; i < len(j); i++ {
		c := j[i]
		if !('A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

func validCountry(c string) bool {
	return len(c) == 2 && 'A' <= c[0] && c[0] <= 'Z' && 'A' <= c[1] && c[1] <= 'Z'
}

// profilePolicy returns a copy of p with the profile's detector settings
// merged over its own, and no profiles.
func profilePolicy(p *Policy, prof *Profile) *Policy {
	q := *p
	q.Jurisdictions = Jurisdictions{Countries: p.Jurisdictions.Countries}
	q.Detectors = map[string]*DetectorRule{}
	for n, d := range p.Detectors {
		q.Detectors[n] = d
	}
	if prof == nil {
		return &q // an empty profile: the policy's own settings
	}
	for n, o := range prof.Detectors {
		if o == nil {
			continue // "ipv4:" with nothing under it changes nothing
		}
		base := q.Detectors[n]
		merged := &DetectorRule{line: o.line}
		if base != nil {
			*merged = *base
			merged.line = o.line
		}
		if o.Enabled != nil {
			merged.Enabled = o.Enabled
		}
		if o.Action != "" {
			merged.Action = o.Action
		}
		if o.Prefix != nil {
			merged.Prefix = o.Prefix
		}
		if o.KeepFirst != 0 || o.KeepLast != 0 {
			merged.KeepFirst, merged.KeepLast = o.KeepFirst, o.KeepLast
		}
		if o.Decimals != nil {
			merged.Decimals = o.Decimals
		}
		if o.Regions != nil {
			merged.Regions = o.Regions
		}
		if o.CueRegions != nil {
			merged.CueRegions = o.CueRegions
		}
		q.Detectors[n] = merged
	}
	return &q
}
