package geoip

import (
	"errors"
	"fmt"
	"maps"
	"slices"
)

// The built-in jurisdictions.
const (
	// JurisdictionEEA is the European Economic Area: the 27 EU member states
	// and Iceland, Liechtenstein and Norway.
	JurisdictionEEA = "EEA"
	// JurisdictionUK is the United Kingdom (country GB).
	JurisdictionUK = "UK"
	// JurisdictionUS is the United States (country US).
	JurisdictionUS = "US"
	// JurisdictionCN is the People's Republic of China (country CN).
	JurisdictionCN = "CN"
	// JurisdictionSG is Singapore (country SG).
	JurisdictionSG = "SG"
	// JurisdictionOther is every country without a jurisdiction of its own,
	// and the answer for an empty or unknown country.
	JurisdictionOther = "OTHER"
)

// maxJurisdictionLen bounds a jurisdiction name, which ends up in record
// headers, topic names and metric labels.
const maxJurisdictionLen = 32

// Jurisdictions maps a country to the jurisdiction whose rules apply to it.
// It is immutable and safe for concurrent use.
//
// The zero value holds the defaults: AT, BE, BG, CY, CZ, DE, DK, EE, ES, FI,
// FR, GR, HR, HU, IE, IS, IT, LI, LT, LU, LV, MT, NL, NO, PL, PT, RO, SE, SI
// and SK map to "EEA", GB to "UK", US to "US", CN to "CN", SG to "SG", and
// every other country to "OTHER".
type Jurisdictions struct {
	overrides map[string]string
}

// NewJurisdictions returns the default table changed by overrides, a map
// from country to jurisdiction. A country is an ISO 3166-1 alpha-2 code in
// upper case (the 249 officially assigned codes, and XK, which MaxMind and
// others use for Kosovo); a jurisdiction is an upper-case name of up to 32
// characters matching [A-Z][A-Z0-9_]*. An override may name a new
// jurisdiction or move a country to "OTHER".
//
// Every invalid entry is reported, in country order, as an
// [*OverrideError] joined with [errors.Join]; the returned table is then the
// zero (default) table.
func NewJurisdictions(overrides map[string]string) (Jurisdictions, error) {
	var errs []error
	for _, country := range slices.Sorted(maps.Keys(overrides)) {
		jurisdiction := overrides[country]
		switch {
		case !isAssignedCountry(country):
			errs = append(errs, &OverrideError{Country: country, Jurisdiction: jurisdiction,
				Reason: "country is not an ISO 3166-1 alpha-2 code (two upper-case letters, assigned)"})
		case !validJurisdiction(jurisdiction):
			errs = append(errs, &OverrideError{Country: country, Jurisdiction: jurisdiction,
				Reason: fmt.Sprintf("jurisdiction must match [A-Z][A-Z0-9_]* and have at most %d characters", maxJurisdictionLen)})
		}
	}
	if len(errs) > 0 {
		return Jurisdictions{}, errors.Join(errs...)
	}
	if len(overrides) == 0 {
		return Jurisdictions{}, nil
	}
	return Jurisdictions{overrides: maps.Clone(overrides)}, nil
}

// Of returns the jurisdiction of country, an upper-case ISO 3166-1 alpha-2
// code as [Reader.Lookup] returns it. An empty, lower-case or unknown
// country gives "OTHER" unless an override names it.
func (j Jurisdictions) Of(country string) string {
	if name, ok := j.overrides[country]; ok {
		return name
	}
	return defaultJurisdiction(country)
}

// Names returns every jurisdiction the table can answer, sorted, "OTHER"
// included. It is meant for setting up per-jurisdiction outputs and
// validating policy profiles.
func (j Jurisdictions) Names() []string {
	names := []string{JurisdictionEEA, JurisdictionUK, JurisdictionUS, JurisdictionCN, JurisdictionSG, JurisdictionOther}
	for _, name := range j.overrides {
		names = append(names, name)
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// OverrideError is one invalid entry given to [NewJurisdictions].
type OverrideError struct {
	// Country is the entry's key as given.
	Country string
	// Jurisdiction is the entry's value as given.
	Jurisdiction string
	// Reason says what is wrong with it.
	Reason string
}

// Error names the entry and what is wrong with it.
func (e *OverrideError) Error() string {
	return fmt.Sprintf("jurisdiction override %q: %q: %s", e.Country, e.Jurisdiction, e.Reason)
}

// defaultJurisdiction returns the built-in jurisdiction of country.
func defaultJurisdiction(country string) string {
	switch country {
	case "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI",
		"FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU", "LV", "MT",
		"NL", "PL", "PT", "RO", "SE", "SI", "SK", // the 27 EU member states
		"IS", "LI", "NO": // and the other EEA states
		return JurisdictionEEA
	case "GB":
		return JurisdictionUK
	case "US":
		return JurisdictionUS
	case "CN":
		return JurisdictionCN
	case "SG":
		return JurisdictionSG
	}
	return JurisdictionOther
}

// validJurisdiction reports whether name matches [A-Z][A-Z0-9_]* and is at
// most maxJurisdictionLen bytes long.
func validJurisdiction(name string) bool {
	if name == "" || len(name) > maxJurisdictionLen || name[0] < 'A' || name[0] > 'Z' {
		return false
	}
	for i := 1; i < len(name); i++ {
		c := name[i]
		if (c < 'A' || c > 'Z') && (c < '0' || c > '9') && c != '_' {
			return false
		}
	}
	return true
}
