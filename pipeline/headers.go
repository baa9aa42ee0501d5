package pipeline

import (
	"slices"
	"strconv"
	"strings"

	"github.com/IBM/sarama"
)

// Header names on every record scrubd produces. Incoming headers with the
// prefix "scrubd-" are removed, so that a producer cannot forge them.
const (
	// HeaderClass is the data class: DataClassPseudonymous on the clean
	// and residency topics, DataClassPersonal on the dead-letter topic,
	// DataClassAggregate on the aggregates topic and its changelog.
	HeaderClass = "scrubd-class"
	// HeaderPolicy is the version of the policy that scrubbed the record.
	HeaderPolicy = "scrubd-policy"
	// HeaderFindings counts the findings per type, "email=1,ipv4=2", sorted
	// by type; empty when there were none. It never holds a value.
	HeaderFindings = "scrubd-findings"
	// HeaderError is the reason a dead-lettered record failed closed
	// (too_large, too_deep, detector_timeout, detector_error,
	// invalid_json, unsupported_encoding, output_too_large, vault_error,
	// error).
	HeaderError = "scrubd-error"
	// HeaderErrorClass is the class of the failure: "record" for a record
	// that could not be scrubbed.
	HeaderErrorClass = "scrubd-error-class"
	// HeaderSourceTopic, HeaderSourcePartition and HeaderSourceOffset name
	// the consumed record a dead letter stands for.
	HeaderSourceTopic     = "scrubd-source-topic"
	HeaderSourcePartition = "scrubd-source-partition"
	HeaderSourceOffset    = "scrubd-source-offset"
	// HeaderPayload says what the dead letter's value holds:
	// PayloadEncrypted or PayloadOmitted.
	HeaderPayload = "scrubd-payload"
	// HeaderKeyID is the fingerprint of the key a dead-letter payload is
	// encrypted with (see Sealer.KeyID).
	HeaderKeyID = "scrubd-key-id"
	// HeaderGeoCountry is the ISO 3166-1 alpha-2 country of a clean
	// record's client address, looked up before the address was
	// truncated; empty when it is unknown. Set on every clean record while
	// geoip is on (JSON object records also get a "geo" member).
	HeaderGeoCountry = "scrubd-geo-country"
	// HeaderGeoJurisdiction is the jurisdiction of that country in the
	// policy's country table ("OTHER" when the country is unknown).
	HeaderGeoJurisdiction = "scrubd-geo-jurisdiction"
)

// Data classes.
const (
	DataClassPersonal     = "personal"
	DataClassPseudonymous = "pseudonymous"
	DataClassAggregate    = "aggregate"
)

// Dead-letter payload kinds.
const (
	// PayloadEncrypted: the value is nonce || AES-256-GCM ciphertext of the
	// original value, authenticated with the source topic, partition and
	// offset (see Sealer).
	PayloadEncrypted = "aes-256-gcm"
	// PayloadOmitted: no key is configured, or the payload was too large;
	// the value is empty.
	PayloadOmitted = "omitted"
)

const reservedPrefix = "scrubd-"

// hasReservedPrefix reports whether a header name starts with "scrubd-",
// without regard to case: header names are case-insensitive, so that
// "Scrubd-Class" must not pass for, or beside, scrubd's own.
func hasReservedPrefix(name []byte) bool {
	return len(name) >= len(reservedPrefix) && strings.EqualFold(string(name[:len(reservedPrefix)]), reservedPrefix)
}

// findingCounts counts findings per type for one record.
type findingCounts struct {
	types  []string
	counts []int
}

func (f *findingCounts) reset() {
	f.types = f.types[:0]
	f.counts = f.counts[:0]
}

func (f *findingCounts) add(t string) {
	for i, x := range f.types {
		if x == t {
			f.counts[i]++
			return
		}
	}
	f.types = append(f.types, t)
	f.counts = append(f.counts, 1)
}

// header formats the counts as "email=1,ipv4=2", sorted by type.
func (f *findingCounts) header() []byte {
	if len(f.types) == 0 {
		return nil
	}
	idx := make([]int, len(f.types))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if f.types[a] < f.types[b] {
			return -1
		}
		return 1
	})
	var b []byte
	for n, i := range idx {
		if n > 0 {
			b = append(b, ',')
		}
		b = append(b, f.types[i]...)
		b = append(b, '=')
		b = strconv.AppendInt(b, int64(f.counts[i]), 10)
	}
	return b
}

func header(k string, v []byte) sarama.RecordHeader {
	return sarama.RecordHeader{Key: []byte(k), Value: v}
}
