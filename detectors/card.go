package detectors

// Payment card numbers (type credit_card).
//
// A card number is 12 to 19 digits whose leading digits (the issuer
// identification number, IIN) fall in a range assigned to a known card scheme
// with a length that scheme issues, and whose last digit is the Luhn check
// digit. It is written either compact ("4111111111111111") or in the groupings
// printed on cards and used in forms, with one separator used throughout: a
// single ' ' or '-', or the '.', '/', '_' or tab that form fields, exports and
// obfuscating writers put there:
//
//	4-4-4-4, 4-4-4-4-3, 4-4-4-3, ...   groups of four, the last one shorter
//	4-6-5                               American Express (15 digits)
//	4-6-4                               Diners Club (14 digits)
//	4-4-5, 4-3-3-3                      13-digit Visa
//
// Other spellings ("4111 1111-1111 1111", "4111  1111 ...", "41111 11111 ...")
// are not recognised. A number glued to letters ("card4111111111111111",
// "4111 1111 1111 1111x") is a card when the word it is glued into holds a
// letter that is not a hex digit: in hex ids and hashes ("cc41111111...",
// "4111...abc") long digit runs occur by chance.

// cardRange is one issuer range: numbers whose first plen digits lie in
// [lo, hi] and whose length is in [minLen, maxLen].
type cardRange struct {
	plen           uint8
	minLen, maxLen uint8
	lo, hi         uint32
}

// cardRanges lists the IIN ranges of the schemes the detector knows, from the
// schemes' published ranges (ISO/IEC 7812 registrations as summarised by the
// schemes and acquirers). Ranges that would make a bare one-digit prefix valid
// for an unusual length (UATP "1", 15 digits) are left out on purpose: they
// would turn too many numeric ids in logs into cards.
var cardRanges = [...]cardRange{
	{1, 13, 13, 4, 4},           // Visa (13-digit legacy numbers)
	{1, 16, 16, 4, 4},           // Visa, Visa Electron
	{1, 19, 19, 4, 4},           // Visa (19-digit)
	{2, 16, 16, 51, 55},         // Mastercard
	{4, 16, 16, 2221, 2720},     // Mastercard 2-series
	{2, 15, 15, 34, 34},         // American Express
	{2, 15, 15, 37, 37},         // American Express
	{4, 16, 19, 6011, 6011},     // Discover
	{3, 16, 19, 644, 649},       // Discover
	{2, 16, 19, 65, 65},         // Discover, RuPay, Troy
	{6, 16, 19, 622126, 622925}, // Discover / UnionPay co-branded
	{2, 16, 19, 62, 62},         // UnionPay
	{2, 16, 19, 81, 81},         // UnionPay (81xx), RuPay
	{4, 16, 19, 3528, 3589},     // JCB (the range JCB issues from today)
	{2, 16, 19, 35, 35},         // JCB's whole ISO/IEC 7812 block
	{4, 15, 15, 1800, 1800},     // JCB (legacy 15-digit)
	{4, 15, 15, 2131, 2131},     // JCB (legacy 15-digit)
	// Diners Club: 14 digits, and 16 to 19 for newer International cards.
	// 15 digits is left out: no Diners card has it, and Iridium IMEIs
	// (reporting body 30) would otherwise be taken for cards.
	{3, 14, 14, 300, 305},       // Diners Club Carte Blanche / International
	{3, 16, 19, 300, 305},       // Diners Club International
	{4, 14, 14, 3095, 3095},     // Diners Club International
	{4, 16, 19, 3095, 3095},     // Diners Club International
	{2, 14, 14, 36, 36},         // Diners Club International
	{2, 16, 19, 36, 36},         // Diners Club International
	{2, 14, 14, 38, 39},         // Diners Club
	{2, 16, 19, 38, 39},         // Diners Club
	{4, 12, 19, 5018, 5018},     // Maestro
	{4, 12, 19, 5020, 5020},     // Maestro
	{4, 12, 19, 5038, 5038},     // Maestro
	{4, 12, 19, 5893, 5893},     // Maestro
	{4, 12, 19, 6304, 6304},     // Maestro
	{4, 12, 19, 6759, 6759},     // Maestro (incl. Maestro UK)
	{4, 12, 19, 6761, 6763},     // Maestro
	{2, 12, 19, 56, 58},         // Maestro (Mastercard's Maestro block 50, 56-69, where no other scheme issues)
	{4, 16, 19, 2200, 2204},     // Mir
	{4, 16, 16, 2205, 2205},     // BORICA
	{4, 16, 16, 5019, 5019},     // Dankort
	{3, 16, 16, 508, 508},       // RuPay
	{2, 16, 16, 60, 60},         // RuPay
	{2, 16, 16, 82, 82},         // RuPay
	{4, 16, 16, 9792, 9792},     // Troy
	{6, 16, 19, 506099, 506198}, // Verve
	{6, 16, 19, 507865, 507964}, // Verve
	{3, 16, 19, 636, 636},       // InterPayment
	{3, 16, 16, 637, 639},       // InstaPayment
	{4, 16, 16, 8600, 8600},     // UzCard
	{4, 16, 16, 9860, 9860},     // Humo
}

// cardRangesByDigit groups cardRanges by the first digit of their prefixes.
var cardRangesByDigit = func() (t [10][]cardRange) {
	for _, r := range cardRanges {
		v := r.lo
		for v >= 10 {
			v /= 10
		}
		t[v] = append(t[v], r)
	}
	return t
}()

// cardIssuerKnown reports whether the digits d (12 to 19 ASCII digits) start
// with an issuer range that issues numbers of length len(d).
func cardIssuerKnown(d []byte) bool {
	n := len(d)
	if n < 12 || n > 19 {
		return false
	}
	var pre [7]uint32 // pre[k] = value of the first k digits
	for k := 1; k <= 6; k++ {
		pre[k] = pre[k-1]*10 + uint32(d[k-1]-'0')
	}
	for _, r := range cardRangesByDigit[pre[1]%10] {
		if n < int(r.minLen) || n > int(r.maxLen) {
			continue
		}
		if v := pre[r.plen]; v >= r.lo && v <= r.hi {
			return true
		}
	}
	return false
}

// cardValid reports whether d, a run of ASCII digits, is a card number: a
// known issuer range and length, and a valid Luhn check digit.
func cardValid(d []byte) bool {
	return cardIssuerKnown(d) && luhnValid(d)
}

// cardGrouping reports whether the group lengths lens (the first is always 4)
// form a grouping used for card numbers.
func cardGrouping(lens []int) bool {
	n := len(lens)
	total := 0
	for _, l := range lens {
		total += l
	}
	if total < 12 || total > 19 {
		return false
	}
	switch {
	case n == 3 && lens[1] == 6 && (lens[2] == 5 || lens[2] == 4): // 4-6-5, 4-6-4
		return true
	case n == 3 && lens[1] == 4 && lens[2] == 5: // 4-4-5
		return true
	case n == 4 && lens[1] == 3 && lens[2] == 3 && lens[3] == 3: // 4-3-3-3
		return true
	}
	for _, l := range lens[:n-1] {
		if l != 4 {
			return false
		}
	}
	last := lens[n-1]
	return n >= 3 && last >= 1 && last <= 4
}

// matchCard returns the end (exclusive) of a credit card number that starts
// at b[i], or -1. It is called when b[i] is an ASCII digit and i == 0 or
// b[i-1] is not an ASCII letter or digit. It does not allocate.
func matchCard(b []byte, i int) int {
	if i < 0 || i >= len(b) || !numDigit(b[i]) || numContinuesBefore(b, i) {
		return -1
	}
	j := numRun(b, i, 20)
	run := j - i
	if run >= 12 && run <= 19 {
		if cardEndsAt(b, i, j) && cardValid(b[i:j]) {
			return j
		}
		return -1
	}
	if run != 4 || j+1 >= len(b) {
		return -1
	}
	sep := b[j]
	if !cardSep(sep) || !numDigit(b[j+1]) {
		return -1
	}
	// The second group of every card grouping has 3, 4 or 6 digits; this
	// rejects dates and times early.
	if g2 := numRun(b, j+1, 7) - (j + 1); g2 != 3 && g2 != 4 && g2 != 6 {
		return -1
	}
	var ends [5]int
	k := numGroups(b, j, sep, 6, ends[:])
	if k < 3 {
		return -1
	}
	var lens [5]int
	start := i
	for g := 0; g < k; g++ {
		lens[g] = ends[g] - start
		start = ends[g] + 1
	}
	// Try the longest grouping first: "4111 1111 1111 1111 2024" is a card
	// followed by another number.
	for n := k; n >= 3; n-- {
		if !cardGrouping(lens[:n]) || sep != ' ' && sep != '-' && ends[n-1]-i-(n-1) < 14 {
			// The rarer separators also separate columns and parts of
			// names ("5678\t9012\t3456", "part_0001_..."): with them, a
			// number as short as 12 or 13 digits is more often that.
			continue
		}
		var buf [19]byte
		d := numCollect(b, i, ends[n-1], buf[:0])
		if cardValid(d) {
			if cardEndsAt(b, i, ends[n-1]) {
				return ends[n-1]
			}
			return -1
		}
	}
	return -1
}

// cardSep reports whether c may separate the groups of a card number.
func cardSep(c byte) bool {
	return c == ' ' || c == '-' || c == '.' || c == '/' || c == '_' || c == '\t'
}

// cardEndsAt reports whether a card number b[i:j] may end at j: where a
// digit-based match may end (numEndsAt), and, when it is glued to letters
// on either side, the word it is glued into is not a hex string (see
// cardGlueOK).
func cardEndsAt(b []byte, i, j int) bool {
	glued := i > 0 && numAlnum(b[i-1])
	if j < len(b) && numAlnum(b[j]) {
		if numDigit(b[j]) || unitAt(b, j) {
			return false
		}
		glued = true
	} else if !numEndsAt(b, j) {
		return false
	}
	return !glued || cardGlueOK(b, i, j)
}

// units are the units that logs glue to numbers ("2205592795330815kB",
// "1700000000000ms"): a number followed by one is a quantity.
var units = [...]string{"b", "kb", "mb", "gb", "tb", "pb", "kib", "mib", "gib", "tib", "k", "m", "g",
	"bytes", "ms", "us", "ns", "s", "sec", "secs", "h", "min", "d", "x"}

// unitAt reports whether the letters at b[j] are a unit (see units).
func unitAt(b []byte, j int) bool {
	k := j
	for k < len(b) && k-j <= 5 && isLetter(b[k]) {
		k++
	}
	if k-j > 5 {
		return false
	}
	for _, u := range &units {
		if len(u) == k-j && hasPrefixFold(b[j:k], u) {
			return true
		}
	}
	return false
}

// cardGlueOK reports whether the word around the number b[i:j], glued to
// letters, holds a letter that is not a hex digit ("card4111...",
// "x4111...y"): a hex id or hash ("cc4111...", "4111...abc") does not.
func cardGlueOK(b []byte, i, j int) bool {
	for k := i - 1; k >= 0 && i-k <= 64 && numAlnum(b[k]); k-- {
		if !isHex(b[k]) {
			return true
		}
	}
	for k := j; k < len(b) && k-j < 64 && numAlnum(b[k]); k++ {
		if !isHex(b[k]) {
			return true
		}
	}
	return false
}

// numGroups records in ends the ends of groups of digits separated by exactly
// one sep byte, the first group ending at firstEnd. It stops at len(ends) groups, at a group longer than maxLen
// digits (which is not recorded) or when no sep followed by a digit comes
// next, and returns the number of groups recorded.
func numGroups(b []byte, firstEnd int, sep byte, maxLen int, ends []int) int {
	if len(ends) == 0 {
		return 0
	}
	ends[0] = firstEnd
	k := 1
	p := firstEnd
	for k < len(ends) && p+1 < len(b) && b[p] == sep && numDigit(b[p+1]) {
		e := numRun(b, p+1, maxLen+1)
		if e-(p+1) > maxLen {
			break
		}
		ends[k] = e
		k++
		p = e
	}
	return k
}

// numCollect appends the ASCII digits of b[i:end] to dst, skipping every
// other byte, and returns the extended slice. With a dst of sufficient
// capacity it does not allocate.
func numCollect(b []byte, i, end int, dst []byte) []byte {
	for ; i < end; i++ {
		if c := b[i]; numDigit(c) && len(dst) < cap(dst) {
			dst = append(dst, c)
		}
	}
	return dst
}
