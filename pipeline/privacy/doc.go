// Package privacy applies data subjects' privacy requests to the stream:
// withdrawn consent, restriction of processing, erasure, and their
// lifting.
//
// Requests are JSON records of a compacted, access-restricted topic
// (default privacy.requests):
//
//	{"subject":"jo@example.com","type":"email","action":"erase","ts":"2026-01-02T15:04:05Z"}
//
// ParseRequest reads one strictly. A Set holds the subjects that requests
// suppress, as their pseudonyms under every key of the HMAC keyring, never
// as raw values, and tells with Check, without allocating, whether a
// scrubbed record (a rules.Result) belongs to one of them. A Reader keeps a
// Set up to date: it reads the whole topic, outside the consumer group,
// says when it has caught up (the pipeline must not process records
// before), and follows new requests. Rejected requests are handed to the
// caller to dead-letter; changes of a subject's state are handed over as
// Events, whose pseudonyms are what the identity vault (package vault)
// erases.
//
// # Keys of request records
//
// The topic is read the way compaction leaves it: per record key, the
// latest record counts. Producers should key every request about a subject
// alike, with RecordKey's "<type>:<sha256 of the normalized subject>", so
// that compaction keeps the latest request of each subject. Other keys
// work too: requests held under different keys for one subject are ordered
// by their time. A key reused for another subject withdraws the request it
// held, as compaction would.
package privacy
