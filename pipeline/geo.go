package pipeline

import (
	"net/netip"

	"github.com/scrubd/scrubd/pipeline/aggregate"
	"github.com/scrubd/scrubd/pipeline/geoip"
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

// geoScrub is how one record is scrubbed: with which engine, and the geo
// member and headers it gets.
type geoScrub struct {
	eng *rules.Engine
	opt rules.Options
	geo aggregate.Geo
}

// locate finds the record's country from its client address, read
// before anything is scrubbed, and returns its jurisdiction's engine (the
// policy's profile for it) and geo annotation. The country is empty when
// the record has no client address, the address is not public, or the
// database has no answer; the jurisdiction is then the policy's answer for
// an unknown country (OTHER). res is used as scratch.
func (p *processor) locate(eng Profiles, rec []byte, res *rules.Result) geoScrub {
	var country string
	if err := eng.Extract(rec, res); err == nil {
		if addr, ok := res.ClientIP(); ok {
			country, _ = p.geo.Lookup(addr)
		}
	}
	j := eng.Jurisdiction(country)
	g := &rules.Geo{Country: country, Jurisdiction: j}
	return geoScrub{eng: eng.ForJurisdiction(j), opt: rules.Options{Geo: g}, geo: aggregate.Geo{Country: country, Jurisdiction: j}}
}
