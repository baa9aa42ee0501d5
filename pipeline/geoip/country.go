package geoip

import (
	"sync"

	"github.com/oschwald/maxminddb-golang/v2"
)

// maxCachedRecords bounds the records of one database whose country is
// decoded once at load time. A country database has a few thousand; a city
// database can have millions, and then lookups decode the record instead.
const maxCachedRecords = 1 << 16

// countryRecord is the part of a GeoIP2 country or city record that Lookup
// reads: the same fields as geoip2.Country's Country.ISOCode and
// RegisteredCountry.ISOCode.
type countryRecord struct {
	Country struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"country"`
	RegisteredCountry struct {
		ISOCode string `maxminddb:"iso_code"`
	} `maxminddb:"registered_country"`
}

// answer is what Lookup returns for one database record.
type answer struct {
	country string
	outcome Outcome
}

// answerOf returns the answer for a decoded record: its country, or else
// the country its block is registered in; a miss when it has neither; an
// error when the code is not two upper-case letters.
func answerOf(rec *countryRecord) answer {
	country := rec.Country.ISOCode
	if country == "" {
		country = rec.RegisteredCountry.ISOCode
	}
	switch {
	case country == "":
		return answer{outcome: OutcomeMiss}
	case !isCountryCode(country):
		return answer{outcome: OutcomeError}
	}
	return answer{country: country, outcome: OutcomeHit}
}

// decoder decodes records for lookups whose answer is not cached, reusing
// countryRecord values so that a lookup does not allocate.
type decoder struct {
	pool sync.Pool
}

// decode returns the answer for the record res found.
func (d *decoder) decode(res maxminddb.Result) answer {
	rec, _ := d.pool.Get().(*countryRecord)
	if rec == nil {
		rec = new(countryRecord)
	}
	*rec = countryRecord{}
	a := answer{outcome: OutcomeError}
	if err := res.Decode(rec); err == nil {
		a = answerOf(rec)
	}
	d.pool.Put(rec)
	return a
}

// cacheAnswers returns the answer for every record of mm, by record offset,
// or nil when mm has more than limit records.
func cacheAnswers(mm *maxminddb.Reader, limit int) map[uintptr]answer {
	answers := make(map[uintptr]answer)
	for res := range mm.Networks() {
		if res.Err() != nil {
			return nil
		}
		off := res.Offset()
		if _, ok := answers[off]; ok {
			continue
		}
		if len(answers) == limit {
			return nil
		}
		var rec countryRecord
		if err := res.Decode(&rec); err != nil {
			answers[off] = answer{outcome: OutcomeError}
			continue
		}
		answers[off] = answerOf(&rec)
	}
	return answers
}

// isCountryCode reports whether code has the shape of an ISO 3166-1 alpha-2
// code: two upper-case ASCII letters.
func isCountryCode(code string) bool {
	return len(code) == 2 && code[0] >= 'A' && code[0] <= 'Z' && code[1] >= 'A' && code[1] <= 'Z'
}
