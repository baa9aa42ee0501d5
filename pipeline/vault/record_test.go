package vault

import (
	"bytes"
	"errors"
	"testing"
)

const pseudo = "email_k1_ghijklmnopqrstuvghijklmn"

func TestDecodeRecord(t *testing.T) {
	nonce := bytes.Repeat([]byte{1}, nonceBytes)
	sealed := bytes.Repeat([]byte{2}, tagBytes+5)
	dek := dataKeyID(pseudo, "logs.raw/0")
	wrapped := bytes.Repeat([]byte{3}, wrappedBytes)
	value := encodeValue("email", dek, nonce, sealed)
	r, err := DecodeRecord([]byte(pseudo), value)
	if err != nil || r.Kind != KindValue || r.Type != "email" || r.Pseudonym != pseudo || r.DataKey != dek ||
		!bytes.Equal(r.nonce, nonce) || !bytes.Equal(r.payload, sealed) {
		t.Fatalf("value: %+v %v", r, err)
	}
	dk := encodeDataKey("email", "m1", wrapped)
	r, err = DecodeRecord([]byte(dek), dk)
	if err != nil || r.Kind != KindDataKey || r.Pseudonym != pseudo || r.MasterKey != "m1" || !bytes.Equal(r.payload, wrapped) {
		t.Fatalf("data key: %+v %v", r, err)
	}
	bad := []struct {
		name       string
		key, value []byte
	}{
		{"empty", []byte(pseudo), nil},
		{"no key", nil, value},
		{"other magic", []byte(pseudo), append([]byte("xv"), value[2:]...)},
		{"other version", []byte(pseudo), append([]byte("sv\x02"), value[3:]...)},
		{"other kind", []byte(pseudo), append([]byte("sv\x01X"), value[4:]...)},
		{"value keyed by a data key", []byte(dek), value},
		{"value keyed by another type", []byte("phone_k1_ghijklmnopqrstuvghijklmn"), value},
		{"value keyed by a non-pseudonym", []byte("jo@example.com"), value},
		{"value naming another data key", []byte(pseudo), encodeValue("email", dataKeyID("email_k1_hhhhhhhhhhhhhhhhhhhhhhhh", "x/0"), nonce, sealed)},
		{"truncated value", []byte(pseudo), value[:len(value)-tagBytes-2]},
		{"data key keyed by a pseudonym", []byte(pseudo), dk},
		{"data key without slot", []byte(dataKeyPrefix + pseudo), dk},
		{"data key of another type", []byte(dataKeyID("phone_k1_ghijklmnopqrstuvghijklmn", "x/0")), dk},
		{"bad master id", []byte(dek), encodeDataKey("email", "M1", wrapped)},
		{"short wrapped key", []byte(dek), encodeDataKey("email", "m1", wrapped[1:])},
		{"long wrapped key", []byte(dek), append(dk, 0)},
		{"bad type", []byte(pseudo), encodeValue("E-mail", dek, nonce, sealed)},
	}
	for _, b := range bad {
		if _, err := DecodeRecord(b.key, b.value); !errors.Is(err, ErrMalformed) {
			t.Errorf("%s: %v", b.name, err)
		}
	}
}

func TestIsPseudonym(t *testing.T) {
	for p, want := range map[string]bool{
		pseudo: true,
		"account_id_test_ghijklmnopqrstuvghijklmn": true,
		"email_k1_ghijklmnopqrstuvghijklm":         false, // 23 letters
		"email_k1_ghijklmnopqrstuvghijklmw":        false, // w
		"email__ghijklmnopqrstuvghijklmn":          false, // no key id
		"email_K1_ghijklmnopqrstuvghijklmn":        false,
		"phone_k1_ghijklmnopqrstuvghijklmn":        false, // other type
	} {
		if got := isPseudonym("email", p) || isPseudonym("account_id", p); got != want {
			t.Errorf("%s: %v", p, got)
		}
	}
}

// FuzzDecodeRecord checks that DecodeRecord never panics and that what it
// accepts encodes back to the same bytes.
func FuzzDecodeRecord(f *testing.F) {
	dek := dataKeyID(pseudo, "logs.raw/0")
	f.Add([]byte(pseudo), encodeValue("email", dek, make([]byte, nonceBytes), make([]byte, tagBytes+1))) // value
	f.Add([]byte(dek), encodeDataKey("email", "m1", make([]byte, wrappedBytes)))                         // data key
	f.Add([]byte(pseudo), []byte("sv\x01V"))                                                             // truncated
	f.Add([]byte("dek::"), []byte("sv\x01K\x05email\x02m1"))                                             // bad key
	f.Fuzz(func(t *testing.T, key, value []byte) {
		r, err := DecodeRecord(key, value)
		if err != nil {
			if !errors.Is(err, ErrMalformed) {
				t.Fatalf("error %v is not ErrMalformed", err)
			}
			return
		}
		var again []byte
		switch r.Kind {
		case KindValue:
			again = encodeValue(r.Type, r.DataKey, r.nonce, r.payload)
		case KindDataKey:
			again = encodeDataKey(r.Type, r.MasterKey, r.payload)
		default:
			t.Fatalf("kind %v accepted", r.Kind)
		}
		if !bytes.Equal(again, value) {
			t.Fatalf("round trip differs")
		}
	})
}
