package decision

import (
	"net/netip"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/geoip"
	"github.com/scrubd/scrubd/pipeline/record"
	"github.com/scrubd/scrubd/rules"
)

// Locator finds the country of a client address; *geoip.Reader implements
// it, counting its lookups by outcome. It never looks up private,
// loopback or reserved addresses.
type Locator interface {
	Lookup(addr netip.Addr) (country string, outcome geoip.Outcome)
}

// Profiles is the part of a policy engine that geo needs: reading a
// record's client address before scrubbing, the policy's country table,
// and its jurisdiction profiles. *rules.Engine implements it; a Scrubber
// that implements it gets geo.
type Profiles interface {
	Extract(rec []byte, res *rules.Result) error
	Jurisdiction(country string) string
	ForJurisdiction(j string) *rules.Engine
}

// geoStage scrubs a record's value with the engine for its jurisdiction
// and annotates the clean record with its place.
type geoStage interface {
	// scrub appends the scrubbed value to dst and returns the engine that
	// scrubs the record's key and headers and the record's place.
	scrub(v *View, dst, value []byte, res *rules.Result) (out []byte, sc Scrubber, g aggregate.Geo, err error)
	// headers appends the geo headers of place g, named with the names
	// in wb.
	headers(hs []record.Header, g aggregate.Geo, wb *wireBytes) []record.Header
}

// geoOff scrubs every record with the view's policy.
type geoOff struct{}

func (geoOff) scrub(v *View, dst, value []byte, res *rules.Result) ([]byte, Scrubber, aggregate.Geo, error) {
	out, err := v.scrub.Scrub(dst, value, res)
	return out, v.scrub, aggregate.Geo{}, err
}

func (geoOff) headers(hs []record.Header, _ aggregate.Geo, _ *wireBytes) []record.Header {
	return hs
}

// geoOn finds the record's country from its client address, read before
// anything is scrubbed, and scrubs it with its jurisdiction's profile. The
// country is empty when the record has no client address, the address is
// not public, or the database has no answer; the jurisdiction is then the
// policy's answer for an unknown country (OTHER). A view without
// profiles scrubs as without geo, but its records still get the headers.
type geoOn struct {
	loc Locator
}

func (s geoOn) scrub(v *View, dst, value []byte, res *rules.Result) ([]byte, Scrubber, aggregate.Geo, error) {
	if v.prof == nil {
		return geoOff{}.scrub(v, dst, value, res)
	}
	var country string
	if err := v.prof.Extract(value, res); err == nil {
		if addr, ok := res.ClientIP(); ok {
			country, _ = s.loc.Lookup(addr)
		}
	}
	j := v.prof.Jurisdiction(country)
	eng := v.prof.ForJurisdiction(j)
	out, err := eng.ScrubWith(dst, value, res, rules.Options{Geo: &rules.Geo{Country: country, Jurisdiction: j}})
	return out, eng, aggregate.Geo{Country: country, Jurisdiction: j}, err
}

func (geoOn) headers(hs []record.Header, g aggregate.Geo, wb *wireBytes) []record.Header {
	return append(hs,
		record.Header{Key: wb.geoCountry, Value: []byte(g.Country)},
		record.Header{Key: wb.geoJurisdiction, Value: []byte(g.Jurisdiction)},
	)
}
