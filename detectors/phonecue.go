package detectors

import (
	"sync"

	"github.com/nyaruka/phonenumbers"
)

// Phone numbers in national format after a cue word.
//
// A national number in its region's own grouping is found without a cue,
// for the configured regions only (phone.go). Written any other way, in one
// block ("13812345678", "015123456789") or in groups its region does not
// use ("0490 75 40 81"), a run of digits in a log is as often a pid, an
// offset or an order id as a phone number, and for the largest markets
// together nearly any 9 to 11 digits are a valid number of one of them
// (German numbering alone accepts most). Such a number is taken only with
// a cue:
//
//   - a label right before it ("tel", "phone", "mobile", "call me", "sms",
//     "whatsapp", "手机", "电话", "Telefon", "Handy", "téléphone",
//     "teléfono", "celular", "телефон", "電話", "전화", "ponsel", "HP",
//     "điện thoại", ... see phoneCueWords), as a word or as part of a field
//     name ("customer_phone=", "msisdn:"), with at most a few filler words
//     between ("phone number is", "call me at", "nomor HP"), as the
//     national ids' cues are looked for (cueSet, strict);
//   - or a label right after it, naming the kind of line in a contact list
//     ("0151 2345678 mobile", "030 123456 (office)", "... -Fax").
//
// and it must be a valid number (libphonenumber metadata, IsValidNumber)
// of one of the cue regions: DefaultPhoneCueRegions and the configured
// regions. The grouping is free (spaces, dashes, dots, a parenthesised area
// code, one block), but dates, dotted versions, fewer than seven digits and
// more than a national number has are not read as one.

// DefaultPhoneCueRegions are the regions whose national numbers are found
// after a cue word when Options.PhoneCueRegions is empty: the largest
// markets.
var DefaultPhoneCueRegions = []string{
	"CN", "IN", "ID", "US", "BR", "RU", "DE", "GB", "FR", "ES", "IT", "MX", "JP", "KR", "TR", "VN", "PH", "NG",
}

// phoneCueMinDigits is the fewest digits a cued national number has.
const phoneCueMinDigits = 7

// Cue search before a number: as for national ids.
const (
	phoneCueWindow   = 48
	phoneCueMaxWords = 3
)

// phoneCueWords are the labels of a phone number in the markets'
// languages. ASCII words match whole words, case-insensitively, also as
// parts of field names; other scripts match in the stretch before the
// number (see cueSet).
var phoneCueWords = []string{
	// English, and field names.
	"tel", "tel.", "telephone", "phone", "phones", "phonenumber", "ph", "mobile", "mob", "cell", "cellphone",
	"call me", "call us", "please call", "call back", "callback", "sms", "whatsapp", "wa", "viber", "fax", "msisdn", "landline", "contact number", "hotline",
	// German, French, Spanish, Portuguese, Italian.
	"telefon", "telefonnummer", "rufnummer", "handy", "handynummer", "mobilnummer", "mobil", "festnetz",
	"téléphone", "tél", "portable",
	"teléfono", "telefono", "celular", "móvil", "movil", "cel",
	"telefone", "telemóvel", "telemovel", "contato",
	"cellulare",
	// Russian, Turkish, Indonesian, Vietnamese, Filipino, Hindi.
	"телефон", "тел", "моб", "мобильный", "сотовый",
	"cep", "telefonu", "gsm",
	"ponsel", "hp", "telp", "nomor hp", "no hp", "no. hp",
	"điện thoại", "đt", "sđt", "dđ",
	"telepono",
	"फ़ोन", "फोन", "मोबाइल",
	// Chinese, Japanese, Korean.
	"手机", "电话", "手機", "電話", "联系方式", "携帯", "電話番号", "전화", "휴대폰", "핸드폰", "연락처",
	// Asking to be called, in the same languages: "ligue para", "llame
	// al", "appelez le", "rufen Sie ... an", "hubungi", "позвоните", "拨打".
	"ligue", "ligar", "llame", "llamar", "llámenos", "llámame", "appelez", "appeler", "rufen sie", "anrufen",
	"chiamare", "chiamaci", "chiamami", "hubungi", "telpon", "arayın", "arayin", "gọi", "позвоните", "звоните", "拨打", "致电", "電話して",
}

// phoneFillers may stand between a cue and its number.
var phoneFillers = []string{
	"no", "nr", "num", "number", "numbers", "nummer", "numero", "nomor", "is", "was", "me", "us", "at", "on", "to",
	"my", "your", "his", "her", "the", "a", "of", "or", "via", "by", "de", "do", "da", "di", "del", "du",
	"new", "main", "primary", "home", "work", "office", "private", "personal", "ist", "est", "es",
	"para", "al", "le", "il", "au", "unter", "ke", "kami", "saya", "ci", "al numero", "по", "номеру",
}

var phoneCues = newCueSet(phoneCueWords...).withFillers(phoneFillers...)

// phoneAfterCue holds the labels that, right after a number, name it a
// phone number ("0151 2345678 mobile", "(office)", "-Fax").
var phoneAfterCue = newCueSet("mobile", "cell", "fax", "office", "home", "tel", "phone", "landline", "handy", "whatsapp")

// phoneCueAfter reports whether a label of phoneAfterCue follows the number
// that ends at b[e] and ends the line or the field: one separator (' ',
// '-', ',', '(' or " (") and the word, then the end of the input, a line
// break, a closing bracket or quote, ',' or ';'. "12345678 mobile
// requests" is a count, and a word that goes on ('_', '@', '.') a name.
func phoneCueAfter(b []byte, e int) bool {
	p := e
	if p < len(b) && (b[p] == ' ' || b[p] == '-' || b[p] == ',' || b[p] == '\t') {
		p++
	}
	if p < len(b) && b[p] == '(' {
		p++
	}
	if p == e {
		return false
	}
	q := p
	for q < len(b) && q-p < 10 && isLetter(b[q]) {
		q++
	}
	if q == p || q-p > 9 {
		return false
	}
	if q < len(b) {
		switch b[q] {
		case '\n', '\r', ')', ',', ';', '\\', '"', '\'':
		default:
			return false
		}
	}
	var buf [9]byte
	w := buf[:q-p]
	for k := range w {
		w[k] = b[p+k] | 0x20
	}
	_, ok := phoneAfterCue.ascii[string(w)]
	return ok
}

// matchCued returns the end of a national number of a cue region made of a
// prefix of t's groups (the longest that validates), which starts at b[i],
// when a cue stands before or after it; -1 otherwise.
func (m *phoneMatcher) matchCued(b []byte, i int, t *phoneToks) int {
	if len(m.cued) == 0 || t.nd < phoneCueMinDigits {
		return -1
	}
	before := 0 // 1: a cue before, -1: none, 0: not looked for yet
	tries := 0
	for g := t.ng - 1; g >= 0; g-- {
		n := t.cnt[g]
		if n < phoneCueMinDigits || n > phoneMaxNSN || t.par[g] && g == t.ng-1 && g > 0 {
			continue
		}
		end := phoneEnd(b, t.end[g])
		if end < 0 {
			continue
		}
		// The regions' tables first, now two look-ups (cuedPlausible),
		// then the cue: most long numbers in logs have none.
		if !m.cuedPlausible(t.d[:n]) {
			continue
		}
		if before == 0 {
			before = -1
			if phoneCues.before(b, i, phoneCueWindow, phoneCueMaxWords) {
				before = 1
			}
		}
		if before < 0 && !phoneCueAfter(b, end) {
			continue
		}
		if tries++; tries > phoneMaxTries {
			return -1
		}
		key, cacheable := makeVerdictKey(verdictCued, 0, 0, t.d[:n])
		ok, found := m.verdicts.get(&key, cacheable)
		if !found {
			ok = m.confirmCued(t.d[:n])
			m.verdicts.put(&key, cacheable, ok)
		}
		if ok {
			return end
		}
	}
	return -1
}

// cuedPlausible reports whether the digits d may be a valid national number
// of some cue region, by the regions' tables of 3-digit prefixes per length.
// It answers as cuedPlausibleLoop does, from the union tables when no cued
// region has a national prefix of two digits or more.
func (m *phoneMatcher) cuedPlausible(d []byte) bool {
	if m.cuedLongNP {
		return m.cuedPlausibleLoop(d)
	}
	n := len(d)
	if n <= phoneMaxNSN && phoneBit(&m.cuedBare[n], d) {
		return true
	}
	return n >= 4 && numDigit(d[0]) && phoneBit(&m.cuedNP[d[0]-'0'][n-1], d[1:])
}

// cuedPlausibleLoop is cuedPlausible region by region.
func (m *phoneMatcher) cuedPlausibleLoop(d []byte) bool {
	for _, r := range m.cued {
		if r.validPrefix(d) {
			return true
		}
	}
	return false
}

// validPrefix reports whether d, with or without the national prefix, has
// a length and first three digits that some valid number of r has.
func (r *phoneRegion) validPrefix(d []byte) bool {
	if n := len(d); n <= phoneMaxNSN && phoneBit(&r.valid[n], d) {
		return true
	}
	if r.np != "" && hasPrefix(d, r.np) {
		nsn := d[len(r.np):]
		return len(nsn) >= 3 && phoneBit(&r.valid[len(nsn)], nsn)
	}
	return false
}

// confirmCued reports whether d, digits written nationally, is a valid
// number of some cue region. It allocates.
func (m *phoneMatcher) confirmCued(d []byte) bool {
	for _, r := range m.cued {
		if !r.validPrefix(d) {
			continue
		}
		switch cc, nsn, res := r.parser.parse(d); res {
		case parseDone:
			if validNumber(phoneNumberOf(cc, nsn), string(nsn)) {
				return true
			}
		case parseAsk:
			num, err := phonenumbers.Parse(string(d), r.code)
			if err == nil && isValidNumber(num) {
				return true
			}
		}
	}
	return false
}

// phoneRegions caches the tables of each region: they depend on the
// metadata alone, and building one takes milliseconds.
var phoneRegions sync.Map // code -> *phoneRegion

// cachedPhoneRegion returns the tables of region code, built once.
func cachedPhoneRegion(code string, md *phonenumbers.PhoneMetadata, plan []*phonenumbers.PhoneMetadata) (*phoneRegion, error) {
	if r, ok := phoneRegions.Load(code); ok {
		return r.(*phoneRegion), nil
	}
	r, err := buildPhoneRegion(code, md, plan)
	if err != nil {
		return nil, err
	}
	v, _ := phoneRegions.LoadOrStore(code, r)
	return v.(*phoneRegion), nil
}
