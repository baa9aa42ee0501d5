// Package detectors finds personal data in bytes.
//
// A Scanner makes a single pass over its input and reports each finding as a
// byte range and a type. Candidates are recognised by a hand-written byte
// scanner and confirmed by validators (net/netip for addresses, Luhn for card
// numbers and IMEIs, the IBAN registry and mod-97, phone-number metadata), not
// by a list of regular expressions. Custom detectors configured by a policy run
// as regexp2 expressions with a match timeout; a timeout is an error, so that the
// caller can fail the record closed.
//
// The package knows nothing about Kafka, configuration files or actions.
package detectors
