// Package aggregate counts records in tumbling event-time windows by coarse,
// non-personal dimensions, for scrubd's aggregates topic.
//
// An [Observer] turns what the policy extracted from one record (event
// type, page path, HTTP status, User-Agent, event time) and the record's
// country and jurisdiction into an [Observation]: the record's window and
// its dimension values. Dimension values are never raw: paths become
// templates ("/users/{id}/orders"), User-Agents become browser and OS
// families, and a value that is not a short, plain token, or in which the
// policy's detectors find anything, becomes [Other].
//
// A [State] holds the counts of one source partition: windows that are not
// emitted yet, the partition's event-time watermark, and late records
// waiting to be emitted as corrections. [State.Emit] returns the windows
// that are due, with buckets of fewer than k records folded into one
// bucket whose dimensions are all [Other], so that no count is lost and no
// small group is singled out. [State.Changes] returns what changed since
// the last call, to be written to a compacted changelog topic in the same
// transaction as the consumer offsets; [DecodeKey] and [State.Restore]
// rebuild a State from that changelog.
//
// Nothing in this package talks to Kafka.
package aggregate
