package vault

import (
	"encoding/binary"
	"strings"

	"github.com/scrubd/scrubd/rules"
)

// Kind is the kind of a vault record.
type Kind byte

// The kinds of vault records.
const (
	// KindValue is a value record, keyed by a pseudonym: the original
	// value encrypted under a data key.
	KindValue Kind = 'V'
	// KindDataKey is a data-key record, keyed "dek:<pseudonym>:<slot>":
	// a data key wrapped under a master key.
	KindDataKey Kind = 'K'
)

// String names the kind as the record header does.
func (k Kind) String() string {
	switch k {
	case KindValue:
		return "value"
	case KindDataKey:
		return "data_key"
	}
	return "unknown"
}

// Record format: "sv", version 1, the kind, then
//
//	value:    type (u8 length) | data-key record key (u16 length) | nonce (12) | sealed value and tag
//	data key: type (u8 length) | master key id (u8 length) | salt (16) | nonce (12) | sealed key and tag (48)
const (
	magic         = "sv"
	formatVersion = 1
	headerBytes   = len(magic) + 2
	// dataKeyPrefix starts the keys of data-key records.
	dataKeyPrefix = "dek:"
	// maxKeyBytes bounds record keys.
	maxKeyBytes = 1024
)

// Record is a decoded vault record. It holds no plaintext.
type Record struct {
	Kind Kind
	// Type is the pseudonym type.
	Type string
	// Pseudonym is the pseudonym the record is about: the record key of a
	// value record, the middle part of a data-key record's key.
	Pseudonym string
	// DataKey is, for a value record, the key of the data-key record it is
	// encrypted under.
	DataKey string
	// MasterKey is, for a data-key record, the id of the master key it is
	// wrapped under.
	MasterKey string

	nonce   []byte // value records
	payload []byte // value: sealed value; data key: salt || nonce || sealed key
}

// dataKeyID returns the key of the data-key record of pseudonym p written
// for slot.
func dataKeyID(p, slot string) string { return dataKeyPrefix + p + ":" + slot }

// splitDataKeyID returns the pseudonym and slot of a data-key record key.
func splitDataKeyID(key string) (p, slot string, ok bool) {
	rest, ok := strings.CutPrefix(key, dataKeyPrefix)
	if !ok {
		return "", "", false
	}
	p, slot, ok = strings.Cut(rest, ":")
	return p, slot, ok && p != "" && slot != ""
}

// encodeValue encodes a value record.
func encodeValue(typ, dataKey string, nonce, sealed []byte) []byte {
	b := make([]byte, 0, headerBytes+1+len(typ)+2+len(dataKey)+len(nonce)+len(sealed))
	b = append(b, magic...)
	b = append(b, formatVersion, byte(KindValue), byte(len(typ)))
	b = append(b, typ...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(dataKey)))
	b = append(b, dataKey...)
	b = append(b, nonce...)
	return append(b, sealed...)
}

// encodeDataKey encodes a data-key record.
func encodeDataKey(typ, master string, wrapped []byte) []byte {
	b := make([]byte, 0, headerBytes+1+len(typ)+1+len(master)+len(wrapped))
	b = append(b, magic...)
	b = append(b, formatVersion, byte(KindDataKey), byte(len(typ)))
	b = append(b, typ...)
	b = append(b, byte(len(master)))
	b = append(b, master...)
	return append(b, wrapped...)
}

// DecodeRecord decodes the vault record with key and value, checking that
// the two agree: a value record is keyed by a pseudonym of its type and
// names a data key of that pseudonym; a data-key record is keyed by a
// data-key id of a pseudonym of its type. Errors wrap ErrMalformed and
// name no part of the record.
func DecodeRecord(key, value []byte) (Record, error) {
	var r Record
	if len(key) == 0 || len(key) > maxKeyBytes {
		return r, errMalformed("key missing or too long")
	}
	if len(value) < headerBytes+1 || string(value[:len(magic)]) != magic {
		return r, errMalformed("not a vault record")
	}
	if value[2] != formatVersion {
		return r, errMalformed("unknown format version")
	}
	r.Kind = Kind(value[3])
	rest := value[headerBytes:]
	typ, rest, ok := cut8(rest)
	if !ok || !rules.ValidTypeName(string(typ)) {
		return r, errMalformed("bad type")
	}
	r.Type = string(typ)
	switch r.Kind {
	case KindValue:
		r.Pseudonym = string(key)
		if !isPseudonym(r.Type, r.Pseudonym) {
			return r, errMalformed("value record not keyed by a pseudonym of its type")
		}
		if len(rest) < 2 {
			return r, errMalformed("truncated")
		}
		n := int(binary.BigEndian.Uint16(rest))
		rest = rest[2:]
		if len(rest) < n+nonceBytes+tagBytes+1 {
			return r, errMalformed("truncated")
		}
		r.DataKey = string(rest[:n])
		if p, _, ok := splitDataKeyID(r.DataKey); !ok || p != r.Pseudonym {
			return r, errMalformed("value record names another pseudonym's data key")
		}
		r.nonce = rest[n : n+nonceBytes]
		r.payload = rest[n+nonceBytes:]
	case KindDataKey:
		p, _, ok := splitDataKeyID(string(key))
		if !ok || !isPseudonym(r.Type, p) {
			return r, errMalformed("data-key record not keyed by a data-key id of its type")
		}
		r.Pseudonym = p
		mid, rest, ok := cut8(rest)
		if !ok || validKeyID(string(mid)) != nil {
			return r, errMalformed("bad master key id")
		}
		r.MasterKey = string(mid)
		if len(rest) != wrappedBytes {
			return r, errMalformed("wrapped data key of the wrong size")
		}
		r.payload = rest
	default:
		return r, errMalformed("unknown kind")
	}
	return r, nil
}

// cut8 splits off a field with a one-byte length.
func cut8(b []byte) (field, rest []byte, ok bool) {
	if len(b) < 1 || len(b) < 1+int(b[0]) {
		return nil, nil, false
	}
	return b[1 : 1+int(b[0])], b[1+int(b[0]):], true
}

// isPseudonym reports whether p has the shape of a pseudonym of type typ:
// "<typ>_<key id>_<24 letters g-v>".
func isPseudonym(typ, p string) bool {
	rest, ok := strings.CutPrefix(p, typ+"_")
	if !ok || len(rest) < 26 {
		return false
	}
	kid, body := rest[:len(rest)-25], rest[len(rest)-24:]
	if rest[len(rest)-25] != '_' || validKeyID(kid) != nil {
		return false
	}
	for i := 0; i < len(body); i++ {
		if body[i] < 'g' || body[i] > 'v' {
			return false
		}
	}
	return true
}

// valueAAD is the additional data of a value record's ciphertext.
func valueAAD(typ, pseudonym, dataKey string) []byte {
	return []byte("scrubd vault v1 value\x00" + typ + "\x00" + pseudonym + "\x00" + dataKey)
}

// dataKeyAAD is the additional data of a wrapped data key.
func dataKeyAAD(typ, dataKey, master string) []byte {
	return []byte("scrubd vault v1 data key\x00" + typ + "\x00" + dataKey + "\x00" + master)
}
