package detectors

// International Mobile Equipment Identities (type imei), 3GPP TS 23.003.
//
// An IMEI is 15 digits: an 8-digit Type Allocation Code (TAC) whose first two
// digits are the Reporting Body Identifier (RBI), a 6-digit serial number and
// a Luhn check digit. Recognised spellings:
//
//	352099001761481          compact; the RBI must be an allocated one
//	35-209900-176148-1       AA-BBBBBB-CCCCCC-D, with '-' or ' '
//	35209900-176148-1        TAC-SNR-CD, with '-' or ' '
//	352099-00-176148-1       older TAC-FAC-SNR-CD layout, with '-' or ' '
//
// An IMEISV is 16 digits: TAC, serial number and a 2-digit software version
// number, with no check digit. Without a check digit a bare 16-digit run is
// indistinguishable from the many 16-digit ids in logs (and from card numbers
// with a bad check digit), so an IMEISV is recognised only in its grouped form
// AA-BBBBBB-CCCCCC-EE ('-' or ' ') with an allocated RBI.
//
// Compact 15-digit runs also need an allocated RBI: a 15-digit numeric id
// passes Luhn one time in ten, and the RBI check removes most of those.

// imeiRBI marks the allocated Reporting Body Identifiers (GSMA TS.06).
// 00 (test IMEIs) is left out: test equipment is not personal data. An RBI
// allocated after this list was written makes compact IMEIs of that body go
// unrecognised (grouped ones are still found).
var imeiRBI = func() (t [100]bool) {
	for _, r := range []int{
		1,                      // PTCRB (North America)
		10,                     // DECT
		30,                     // Iridium
		33,                     // DGPT (France)
		35,                     // BABT (United Kingdom), most GSM devices
		44,                     // BABT
		45,                     // NTA (Denmark)
		49, 50, 51, 52, 53, 54, // BZT, Cetecom, TÜV, Phoenix (Germany)
		86, // TAF (China)
		91, // MSAI (India)
		98, // BABT
		99, // GHA (multi-RAT 3GPP2/3GPP)
	} {
		t[r] = true
	}
	return t
}()

// imeiRBIKnown reports whether the two ASCII digits at d[0:2] are an
// allocated Reporting Body Identifier.
func imeiRBIKnown(d []byte) bool {
	return len(d) >= 2 && numDigit(d[0]) && numDigit(d[1]) && imeiRBI[int(d[0]-'0')*10+int(d[1]-'0')]
}

// matchIMEI returns the end (exclusive) of an IMEI or grouped IMEISV that
// starts at b[i], or -1. It is called when b[i] is an ASCII digit and i == 0
// or b[i-1] is not an ASCII letter or digit. It does not allocate.
func matchIMEI(b []byte, i int) int {
	if i < 0 || i >= len(b) || !numDigit(b[i]) || numContinuesBefore(b, i) {
		return -1
	}
	j := numRun(b, i, 16)
	run := j - i
	if run == 15 {
		if numEndsAt(b, j) && imeiRBIKnown(b[i:j]) && luhnValid(b[i:j]) {
			return j
		}
		return -1
	}
	if run != 2 && run != 6 && run != 8 {
		return -1
	}
	if j+1 >= len(b) {
		return -1
	}
	sep := b[j]
	if (sep != ' ' && sep != '-') || !numDigit(b[j+1]) {
		return -1
	}
	var ends [4]int
	k := numGroups(b, j, sep, 6, ends[:])
	var lens [4]int
	start := i
	for g := 0; g < k; g++ {
		lens[g] = ends[g] - start
		start = ends[g] + 1
	}
	var buf [16]byte
	switch {
	case k == 4 && lens[0] == 2 && lens[1] == 6 && lens[2] == 6 && lens[3] == 1, // AA-BBBBBB-CCCCCC-D
		k == 4 && lens[0] == 6 && lens[1] == 2 && lens[2] == 6 && lens[3] == 1, // AABBBB-CC-CCCCCC-D
		k >= 3 && lens[0] == 8 && lens[1] == 6 && lens[2] == 1:                 // TAC-SNR-CD
		end := ends[3]
		if lens[0] == 8 {
			end = ends[2]
		}
		d := numCollect(b, i, end, buf[:0])
		if len(d) == 15 && numEndsAt(b, end) && luhnValid(d) {
			return end
		}
	case k == 4 && lens[0] == 2 && lens[1] == 6 && lens[2] == 6 && lens[3] == 2: // IMEISV AA-BBBBBB-CCCCCC-EE
		if numEndsAt(b, ends[3]) && imeiRBIKnown(b[i:]) {
			return ends[3]
		}
	}
	return -1
}
