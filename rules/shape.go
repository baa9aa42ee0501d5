package rules

// A shape restricts a field rule to the values it is meant for, so that a
// key that names personal data in one kind of record and something else in
// another ("name": a person, a service, an event) only meets its rule where
// the value looks the part. See FieldRule.Shape.
type shape uint8

const (
	shapeAny           shape = iota // every value; containers ruled whole
	shapeScalar                     // strings and numbers; containers walked
	shapePersonName                 // two or more capitalized words
	shapePostalAddress              // two or more words, with a letter
	shapePostalCode                 // 3-10 letters, digits, ' ' or '-', with a digit
)

// shapeNames are the names of the shapes in policies, by shape.
var shapeNames = [...]string{"", "scalar", "person_name", "postal_address", "postal_code"}

// shapeByName returns the shape named n; "" is shapeAny.
func shapeByName(n string) (shape, bool) {
	for i, name := range shapeNames {
		if name == n {
			return shape(i), true
		}
	}
	return shapeAny, false
}

// fits reports whether the scalar value v has the shape.
func (s shape) fits(v []byte) bool {
	switch s {
	case shapePersonName:
		return personNameShape(v)
	case shapePostalAddress:
		return postalAddressShape(v)
	case shapePostalCode:
		return postalCodeShape(v)
	}
	return true
}

// nameParticles are the lower-case words that may stand between the words
// of a person's name ("Ludwig van Beethoven", "Maria de la Cruz").
var nameParticles = map[string]bool{
	"al": true, "bin": true, "binti": true, "da": true, "das": true, "de": true, "del": true,
	"della": true, "der": true, "di": true, "do": true, "dos": true, "du": true, "e": true,
	"el": true, "ibn": true, "la": true, "le": true, "van": true, "von": true, "y": true,
	"zu": true, "ten": true, "ter": true, "den": true, "af": true, "av": true,
}

// personNameShape reports whether v reads as a person's name: two to six
// words (separated by spaces, '+' or "%20", as in a form post), each a word
// of letters (ASCII or not) with inner apostrophes, hyphens or dots
// ("O'Brien", "Jean-Luc", "J."), that starts with a capital or a letter
// without case (any non-ASCII letter), or a lower-case name particle
// ("van", "de") between two such words; at least one word is capitalized
// and not all capitals, or without case ("ARATA Toshimi" is a name, "GET
// HTTP" is not). No digits and no other punctuation: "checkout-service",
// "page_view", "Payment v2" are not names, and neither is one word alone
// ("Redis"), which is left to the detectors. Title Case phrases ("Order
// Completed") do read as names: a rule with this shape pseudonymizes them.
func personNameShape(v []byte) bool {
	words, named := 0, false
	lastParticle := false
	for i := 0; i < len(v); {
		// Separators.
		if v[i] == ' ' || v[i] == '\t' || v[i] == '+' {
			i++
			continue
		}
		if v[i] == '%' && i+2 < len(v) && v[i+1] == '2' && v[i+2] == '0' {
			i += 3
			continue
		}
		s := i
		for i < len(v) && v[i] != ' ' && v[i] != '\t' && v[i] != '+' && !(v[i] == '%' && i+2 < len(v) && v[i+1] == '2' && v[i+2] == '0') {
			i++
		}
		w := v[s:i]
		words++
		if words > 8 {
			return false
		}
		c := w[0]
		switch {
		case nameParticles[string(w)]:
			if words == 1 {
				return false
			}
			lastParticle = true
			continue
		case isUpper(c):
			if len(w) > 1 && isLower(w[1]) || len(w) > 1 && w[1] >= 0x80 {
				named = true
			}
		case c >= 0x80:
			named = true
		default:
			return false
		}
		lastParticle = false
		for k := 1; k < len(w); k++ {
			b := w[k]
			if isLetter(b) || b >= 0x80 {
				continue
			}
			if (b == '\'' || b == '-' || b == '.') && k > 0 && (isLetter(w[k-1]) || w[k-1] >= 0x80) {
				continue // "O'Brien", "Jean-Luc", "J."
			}
			return false
		}
	}
	return words >= 2 && named && !lastParticle
}

// postalAddressShape reports whether v reads as a postal address: two or
// more words (separated by white space or commas) with a letter among them.
// A network address ("10.0.0.1:8080", "localhost", ":9092"), a host name, a
// memory address or a single word is not one. A word with '_' or a bracket
// lends no letter: a pseudonym ("imei_k1_mnps...") or a redaction
// ("[address]") that scrubbing put in a value of digits must not make it an
// address on a second pass (scrubbing is idempotent).
func postalAddressShape(v []byte) bool {
	letter, words := false, 0
	wordLetter, wordMark, inWord := false, false, false
	end := func() {
		if inWord && wordLetter && !wordMark {
			letter = true
		}
		inWord, wordLetter, wordMark = false, false, false
	}
	for _, c := range v {
		switch {
		case c == ' ' || c == '\t' || c == ',' || c == '\n':
			end()
		default:
			if !inWord {
				words++
				inWord = true
			}
			switch {
			case isLetter(c) || c >= 0x80:
				wordLetter = true
			case c == '_' || c == '[' || c == ']':
				wordMark = true
			}
		}
	}
	end()
	return words >= 2 && letter
}

// postalCodeShape reports whether v reads as a postal code: 3 to 10 bytes of
// ASCII letters, digits, spaces and hyphens, with a digit ("75002",
// "SW1A 1AA", "90210-1234"), so that "zip": true or "zip": "gzip" are not.
func postalCodeShape(v []byte) bool {
	if len(v) < 3 || len(v) > 10 {
		return false
	}
	digit := false
	for _, c := range v {
		switch {
		case isDigit(c):
			digit = true
		case isLetter(c) || c == ' ' || c == '-':
		default:
			return false
		}
	}
	return digit
}

// An extent says where an unquoted value of a field rule's type ends in
// free text, after the key: most values are one token, but some kinds are
// written in several words. Quoted values run to their quote, and XML
// elements to their closing tag, whatever the extent.
type extent uint8

const (
	extToken    extent = iota // to the first space or delimiter
	extPerson                 // capitalized words: "Toshimi Arata", "Maria de la Cruz"
	extAddress                // to the end of the clause: "12 Rue de la Paix, Paris"
	extDate                   // date words: "12 March 1990", "March 12, 1990"
	extDigits                 // digit groups: "+44 20 7946 0958", "123 45 6789"
	extNumbers                // a list of numbers: "48.8583701, 2.294481"
	extSecret                 // a token after an auth scheme: "Bearer <token>"
	extIDGroups               // one token, or three or more groups of 3-4 digits: "4068 5355 2187"
)

// extentOf returns the extent of the values of a field rule named name: the
// default policy's person, address, birth_date, phone, national_id and
// coordinates types are written in several words, a secret may follow the
// name of its scheme, an account or device id may be printed in digit
// groups; every other type is one token.
func extentOf(name string) extent {
	switch name {
	case "person":
		return extPerson
	case "address":
		return extAddress
	case "birth_date":
		return extDate
	case "phone", "national_id":
		return extDigits
	case "coordinates":
		return extNumbers
	case "secret":
		return extSecret
	case "account_id", "device_id":
		// An id printed in groups (an Aadhaar number is a "UID") is
		// one value, not its first group and digits left in clear.
		return extIDGroups
	}
	return extToken
}
