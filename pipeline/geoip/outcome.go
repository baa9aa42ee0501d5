package geoip

// Outcome says what became of one [Reader.Lookup].
type Outcome uint8

// The outcomes of a lookup. The zero value is OutcomeDisabled.
const (
	// OutcomeDisabled means no database is loaded (never loaded, or the
	// Reader is nil or closed); nothing was looked up.
	OutcomeDisabled Outcome = iota
	// OutcomeHit means the database returned a country.
	OutcomeHit
	// OutcomeMiss means the database has no country for the address,
	// including an IPv6 address asked of an IPv4-only database.
	OutcomeMiss
	// OutcomeSkipped means the address is not a public unicast address
	// (private, loopback, link-local, multicast, unspecified, documentation,
	// or another special-purpose range) or is the zero netip.Addr; the
	// database was not consulted.
	OutcomeSkipped
	// OutcomeError means the database could not answer: its data for the
	// address could not be decoded, or the country it holds is not a
	// two-letter upper-case code.
	OutcomeError

	numOutcomes = iota
)

// String returns the outcome's name as used in the "outcome" metric label:
// "disabled", "hit", "miss", "skipped" or "error". An out-of-range value
// gives "unknown".
func (o Outcome) String() string {
	switch o {
	case OutcomeDisabled:
		return "disabled"
	case OutcomeHit:
		return "hit"
	case OutcomeMiss:
		return "miss"
	case OutcomeSkipped:
		return "skipped"
	case OutcomeError:
		return "error"
	}
	return "unknown"
}
