package keyfile

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"testing"
)

func TestDecode(t *testing.T) {
	key := bytes.Repeat([]byte{0xa5}, Size)
	key[0], key[31] = '\n', ' ' // raw keys may hold any byte, white space too
	b64 := base64.StdEncoding.EncodeToString(key)
	for name, tc := range map[string]struct {
		in []byte
		ok bool
	}{
		"raw":                {key, true},
		"hex":                {[]byte(hex.EncodeToString(key)), true},
		"hex upper, newline": {[]byte(strings.ToUpper(hex.EncodeToString(key)) + "\n"), true},
		"base64":             {[]byte(b64 + "\r\n"), true},
		"base64 wrapped":     {[]byte(b64[:20] + "\n" + b64[20:]), true},
		"short raw":          {key[:31], false},
		"long raw":           {append(bytes.Clone(key), 1), false},
		"short hex":          {[]byte(hex.EncodeToString(key[:31])), false},
		"bad hex":            {[]byte("zz" + hex.EncodeToString(key)[2:]), false},
		"base64 of 31":       {[]byte(base64.StdEncoding.EncodeToString(key[:31])), false},
		"base64 of 33":       {[]byte(base64.StdEncoding.EncodeToString(append(bytes.Clone(key), 1))), false},
		"base64 of 48":       {[]byte(base64.StdEncoding.EncodeToString(bytes.Repeat(key, 2)[:48])), false},
		"empty":              {nil, false},
	} {
		t.Run(name, func(t *testing.T) {
			got, ok := Decode(tc.in)
			if ok != tc.ok || ok && !bytes.Equal(got, key) {
				t.Errorf("Decode = %x, %v; want ok %v", got, ok, tc.ok)
			}
		})
	}
}
