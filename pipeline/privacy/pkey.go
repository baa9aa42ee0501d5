package privacy

// bodyBytes is the size of a pseudonym's HMAC: 24 letters of 4 bits.
const bodyBytes = 12

// pkey is a pseudonym in the form a Set keeps: the index of its type among
// the Set's pseudonym types, the index of its key id among the keyring's
// ids, and the 96 bits its 24 letters encode. Fourteen bytes instead of a
// string of up to 82: a Set holds millions of them.
type pkey struct {
	typ, kid uint8
	body     [bodyBytes]byte
}

// index returns the position of s in list, or -1. It does not allocate
// when s is a converted byte slice.
func index(list []string, s string) int {
	for i, x := range list {
		if x == s {
			return i
		}
	}
	return -1
}

// parseKey reads p, a pseudonym "<typ>_<kid>_<24 letters g-v>" of type
// typ, into a pkey. It reports false for anything else, including
// pseudonyms of types or keys the Set does not know. It does not allocate.
func parseKey(types, kids []string, typ string, p []byte) (pkey, bool) {
	var k pkey
	ti := index(types, typ)
	if ti < 0 || len(p) < len(typ)+3+2*bodyBytes || string(p[:len(typ)]) != typ || p[len(typ)] != '_' {
		return k, false
	}
	rest := p[len(typ)+1:]
	kl := len(rest) - 1 - 2*bodyBytes
	if rest[kl] != '_' {
		return k, false
	}
	ki := index(kids, string(rest[:kl]))
	if ki < 0 {
		return k, false
	}
	body := rest[kl+1:]
	for i := range k.body {
		hi, lo := body[2*i]-'g', body[2*i+1]-'g'
		if hi > 15 || lo > 15 {
			return k, false
		}
		k.body[i] = hi<<4 | lo
	}
	k.typ, k.kid = uint8(ti), uint8(ki)
	return k, true
}

// format returns the pseudonym k stands for.
func (k pkey) format(types, kids []string) string {
	b := make([]byte, 0, len(types[k.typ])+len(kids[k.kid])+2+2*bodyBytes)
	b = append(b, types[k.typ]...)
	b = append(b, '_')
	b = append(b, kids[k.kid]...)
	b = append(b, '_')
	for _, c := range k.body {
		b = append(b, 'g'+c>>4, 'g'+c&15)
	}
	return string(b)
}
