// Package vault is scrubd's identity vault: for each pseudonym the pipeline
// produces, the original value, encrypted, in a compacted Kafka topic
// (default logs.vault), so that an authorised operator can give a data
// subject a copy of their data (the right of access) and so that erasing a
// subject can be made final by destroying a key (crypto-shredding).
//
// # Records
//
// The topic holds two kinds of records, both written by a Writer into the
// caller's transaction, beside the clean record they belong to:
//
//   - a value record, keyed by the pseudonym ("email_k1_ghij..."): the
//     normalized original value, encrypted with AES-256-GCM under a data
//     key (DEK), the additional data binding it to the pseudonym, its type
//     and the data key's record;
//   - a data-key record, keyed "dek:<pseudonym>:<topic>/<partition>": a
//     random 256-bit DEK, wrapped with AES-256-GCM under a key derived
//     (HKDF-SHA256, random salt) from a master key, naming that master key
//     and bound to its own key and type.
//
// A subject (one identifier of one type) has one DEK per input partition
// that saw it. Only the instance that owns an input partition in the
// consumer group writes that partition's DEK records, so no two instances
// ever race to create the same DEK, and no coordination between instances
// is needed. Both kinds of record of a pseudonym go to the same partition of
// the vault topic, chosen from the pseudonym, which must therefore keep its
// partition count.
//
// # Erasure
//
// Erase returns tombstones for a subject's value records and for its data
// keys, under every pseudonym the subject has (one per HMAC key and type).
// Once the data-key records are gone no copy of a value record left in an
// uncompacted segment, a replica or a backup can be decrypted. Kafka removes
// the superseded records at compaction: bound that time with the topic's
// max.compaction.lag.ms and segment.ms, and rotate the master key (Rewrap)
// and destroy the old one to make copies of data-key records themselves
// useless.
//
// # Master keys
//
// Master keys are read from files, one per key id. One is active: new data
// keys are wrapped with it; the others still unwrap the data keys they
// wrapped. Store.Rewrap wraps every live data key again with the active key,
// after which an old master key can be retired.
package vault
