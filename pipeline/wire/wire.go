// Package wire is scrubd's output contract in one place: the names of the
// headers on every record it produces, the data classes, the kinds of
// dead-letter payload and the typed reasons a record is dead-lettered for.
// Consumers of the output topics rely on these values; changing one is a
// breaking change.
package wire

import (
	"strings"

	"github.com/scrubd/scrubd/rules"
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
	// HeaderError is the Reason a dead-lettered record failed closed.
	HeaderError = "scrubd-error"
	// HeaderErrorClass is the class of the failure: ErrorClassRecord for
	// a record that could not be scrubbed.
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
	// encrypted with (see pipeline.Sealer.KeyID).
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

// ErrorClassRecord is the HeaderErrorClass of a record that could not be
// scrubbed.
const ErrorClassRecord = "record"

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
	// offset (see pipeline.Sealer).
	PayloadEncrypted = "aes-256-gcm"
	// PayloadOmitted: no key is configured, or the payload was too large;
	// the value is empty.
	PayloadOmitted = "omitted"
)

// Reason is why a record was dead-lettered, written in HeaderError and in
// the dead-letter metrics. Reasons are bounded label values.
type Reason string

// The dead-letter reasons. The first six are the policy engine's (see
// rules.Reason); the others are the pipeline's own.
const (
	ReasonTooLarge            = Reason(rules.ReasonTooLarge)
	ReasonTooDeep             = Reason(rules.ReasonTooDeep)
	ReasonDetectorTimeout     = Reason(rules.ReasonDetectorTimeout)
	ReasonDetectorError       = Reason(rules.ReasonDetectorError)
	ReasonInvalidJSON         = Reason(rules.ReasonInvalidJSON)
	ReasonUnsupportedEncoding = Reason(rules.ReasonUnsupportedEncoding)
	// ReasonOutputTooLarge: the scrubbed record is larger than the
	// producer may send.
	ReasonOutputTooLarge Reason = "output_too_large"
	// ReasonVault: the record's identity-vault records could not be
	// written (no randomness); it fails closed.
	ReasonVault Reason = "vault_error"
	// ReasonError: any other failure.
	ReasonError Reason = "error"
)

// Reasons lists the reasons a log record is dead-lettered for, for metrics
// known in advance.
func Reasons() []Reason {
	return []Reason{
		ReasonTooLarge, ReasonTooDeep, ReasonDetectorTimeout, ReasonDetectorError, ReasonInvalidJSON,
		ReasonUnsupportedEncoding, ReasonOutputTooLarge, ReasonVault, ReasonError,
	}
}

// ReasonOf returns the reason of a scrubbing error: the policy engine's
// reason, or ReasonError.
func ReasonOf(err error) Reason { return Reason(rules.ReasonOf(err)) }

// PrivacyReason is the reason of a rejected privacy request that was
// rejected for why (a privacy.Reason): "privacy_" followed by it.
func PrivacyReason(why string) Reason { return Reason("privacy_" + why) }

// ReservedPrefix starts the name of every header scrubd writes.
const ReservedPrefix = "scrubd-"

// Reserved reports whether a header name starts with ReservedPrefix,
// without regard to case: header names are case-insensitive, so that
// "Scrubd-Class" must not pass for, or beside, scrubd's own.
func Reserved(name []byte) bool {
	return len(name) >= len(ReservedPrefix) && strings.EqualFold(string(name[:len(ReservedPrefix)]), ReservedPrefix)
}
