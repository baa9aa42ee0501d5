package detectors

// National identification numbers: one finding type per family, each
// recognised by its check digits or structure (natid_digits.go,
// natid_letters.go), some only after a cue word.
//
// A number of 9 to 16 digits with one check digit is, in a log, far more
// often a pid, an offset, an order id or a timestamp than someone's
// national id: one random number in ten passes a check digit. Those
// families are reported only when a cue (a label such as "SSN", "Aadhaar",
// "身份证", "PESEL", or a field name holding one, such as "customer_ssn") stands
// right before the number, with at most a few filler words ("number", "no.",
// "is") between them (see natCues). Forms with a strong structure of their
// own are reported without one:
//
//	cn_resident_id   18 characters (also 6 8 4), a GB/T 2260 county, birth
//	                 date 1900-2039, ISO 7064 MOD 11-2 (0-9 or X)             no cue
//	in_aadhaar       12 digits (4 4 4), first 2-9, Verhoeff                    cue
//	in_pan           AAAPA9999A, an individual's (4th letter P)               no cue
//	                 other holder types (C company, F firm, ...)               cue
//	us_ssn           AAA-GG-SSSS                                               no cue
//	                 AAA GG SSSS, AAAGGSSSS                                    cue
//	br_cpf           000.000.000-00                                            no cue
//	                 00000000000, 000000000-00                                 cue
//	es_nif           DNI 00000000L (L not a hex letter), 00000000-L, NIE       no cue
//	                 DNI 00000000A-F (a hex id's shape), lower-case letter    cue
//	sg_nric          S/T/F/G/M, 7 digits, check letter                         no cue
//	uk_nino          AB123456C, AB 12 34 56 C                                  no cue
//	fr_nir           1 84 12 76 451 089 46 (also 2A/2B)                        no cue
//	                 184127645108946, 1841276451089 46                         cue
//	it_fiscal_code   16 characters, check character, omocodia                  no cue
//	nl_bsn           9 digits (also 4.2.3), 11-test                            cue
//	de_tax_id        11 digits (also 2 3 3 3), MOD 11,10, one digit repeated   cue
//	pl_pesel         11 digits, weights, birth date                            cue
//	se_personnummer  YYMMDD-NNNC, YYMMDD+NNNC, 10 or 12 digits, Luhn          cue
//	kr_rrn           YYMMDD-SNNNNNN with a valid check digit                   no cue
//	                 the same with any last digit (numbers issued since
//	                 October 2020 have no check digit), or 13 digits           cue
//	jp_my_number     12 digits (4 4 4), check digit                            cue
//	tr_tckn          11 digits, two check digits                               cue
//	ru_snils         000-000-000 00, 000-000-000-00                            no cue
//	                 11 digits                                                 cue
//	mx_curp          18 characters, birth date, state, check digit             no cue
//	id_nik           16 digits (or 4 4 4 4), province, birth date (+40 f.)   cue
//
// A candidate that starts with letters and is made of hex digits only (a
// NINO "CA745716A") needs a cue too: it is more likely a hex id. Letters
// are recognised in upper case only (as the documents print them);
// digits may be grouped only in the ways listed. A candidate must stand alone:
// not preceded by '+' or by a letter, digit or '_' joined with '-', '/' or
// '_', or a digit and '.' (a decimal, a path segment, an identifier), and
// not followed by a letter, a digit or a separator and another group; groups
// separated by spaces are not taken out of a longer run of them.
//
// The scan loop reaches these matchers only where a cheap test passes: at
// a long number at a word start (matchWordStart, after the test every card,
// IMEI and phone number passes), the length of the first run and the byte
// after it (natGate), where a second separator must be (natGroupsOK) and
// what comes before (natStartOK); a digit right after one, two, four, five
// or six upper-case letters that start a word (natIDLettersAt); a Corsican
// NIR's "2A"/"2B", a spaced NINO's letter pair and a personnummer's '+'
// (natShortGate). Validators run only on candidates of the right shape.
// Where a form needs a cue, the number is first asked whether any family's
// cue stands before it (one walk back, natAnyCue; a bare number passes a
// check digit too often for validation to filter first); only then are the
// families validated and their own cues looked up. Forms that need no cue
// are validated alone.

// The national identification number types. Their names are part of the
// `scrubd scrub --findings` output contract.
const (
	CNResidentID   Type = "cn_resident_id"
	INAadhaar      Type = "in_aadhaar"
	INPAN          Type = "in_pan"
	USSSN          Type = "us_ssn"
	BRCPF          Type = "br_cpf"
	ESNIF          Type = "es_nif"
	SGNRIC         Type = "sg_nric"
	UKNINO         Type = "uk_nino"
	FRNIR          Type = "fr_nir"
	ITFiscalCode   Type = "it_fiscal_code"
	NLBSN          Type = "nl_bsn"
	DETaxID        Type = "de_tax_id"
	PLPESEL        Type = "pl_pesel"
	SEPersonnummer Type = "se_personnummer"
	KRRRN          Type = "kr_rrn"
	JPMyNumber     Type = "jp_my_number"
	TRTCKN         Type = "tr_tckn"
	RUSNILS        Type = "ru_snils"
	MXCURP         Type = "mx_curp"
	IDNIK          Type = "id_nik"
)

// NationalIDs lists the national identification number types in the order
// of their indexes (idxNatID + the nat* family constants).
var NationalIDs = [natCount]Type{
	CNResidentID, INAadhaar, INPAN, USSSN, BRCPF, ESNIF, SGNRIC, UKNINO, FRNIR, ITFiscalCode,
	NLBSN, DETaxID, PLPESEL, SEPersonnummer, KRRRN, JPMyNumber, TRTCKN, RUSNILS, MXCURP, IDNIK,
}

// Families, in the order of NationalIDs.
const (
	natCN = iota
	natAadhaar
	natPAN
	natSSN
	natCPF
	natNIF
	natNRIC
	natNINO
	natNIR
	natCF
	natBSN
	natSteuer
	natPESEL
	natSE
	natRRN
	natMyNumber
	natTCKN
	natSNILS
	natCURP
	natNIK
	natCount
)

// nationalIDIndex returns the index of t in Builtin when t is a national id
// type, or -1.
func nationalIDIndex(t Type) int {
	switch t {
	case CNResidentID:
		return idxNatID + natCN
	case INAadhaar:
		return idxNatID + natAadhaar
	case INPAN:
		return idxNatID + natPAN
	case USSSN:
		return idxNatID + natSSN
	case BRCPF:
		return idxNatID + natCPF
	case ESNIF:
		return idxNatID + natNIF
	case SGNRIC:
		return idxNatID + natNRIC
	case UKNINO:
		return idxNatID + natNINO
	case FRNIR:
		return idxNatID + natNIR
	case ITFiscalCode:
		return idxNatID + natCF
	case NLBSN:
		return idxNatID + natBSN
	case DETaxID:
		return idxNatID + natSteuer
	case PLPESEL:
		return idxNatID + natPESEL
	case SEPersonnummer:
		return idxNatID + natSE
	case KRRRN:
		return idxNatID + natRRN
	case JPMyNumber:
		return idxNatID + natMyNumber
	case TRTCKN:
		return idxNatID + natTCKN
	case RUSNILS:
		return idxNatID + natSNILS
	case MXCURP:
		return idxNatID + natCURP
	case IDNIK:
		return idxNatID + natNIK
	}
	return -1
}

// Cue search: a cue must end within natCueWindow bytes before the
// candidate, with at most natCueWords filler words between them.
const (
	natCueWindow = 48
	natCueWords  = 3
)

// natFillers are the words that may stand between a cue and its number:
// "SSN number is", "Aadhaar No.", "TC Kimlik No", "número do CPF" (the
// non-ASCII words are stepped over as such).
var natFillers = []string{
	"no", "nr", "num", "number", "numbers", "nummer", "numero", "numer", "nro", "n", "card",
	"is", "was", "of", "the", "a", "my", "your", "his", "her", "their", "new", "old", "holder",
	"do", "da", "de", "del", "des", "du", "der", "van", "la", "le", "el", "su", "ihre", "ist", "est", "es",
	"value", "provided", "given", "entered", "verified", "valid", "invalid", "on", "file",
}

// natCues are the label words of each family, natAnyCue those of all
// families together (see cueSet: ASCII words are
// whole words, case-insensitive, also as parts of field names such as
// "customer_ssn"; phrases match their words in order; other scripts
// anywhere in the stretch before the number). A family whose every form is
// found without a cue has none.
var natCues, natAnyCue = func() (t [natCount]*cueSet, all *cueSet) {
	words := [natCount][]string{
		natAadhaar:  {"aadhaar", "aadhar", "adhaar", "aadhaar card", "uidai", "आधार"},
		natPAN:      {"pan", "permanent account number", "pan card", "income tax"},
		natSSN:      {"ssn", "ssns", "social security", "soc sec", "ss no"},
		natCPF:      {"cpf", "cadastro de pessoas"},
		natNIF:      {"dni", "nie", "nif", "documento nacional"},
		natNINO:     {"nino", "national insurance", "ni number", "ni no", "nin"},
		natCF:       {"codice fiscale", "cf", "c.f.", "cod. fisc.", "fiscal code", "tax code"},
		natNIR:      {"nir", "insee", "sécurité sociale", "securite sociale", "sécu", "secu", "carte vitale"},
		natBSN:      {"bsn", "burgerservicenummer", "sofinummer", "sofi"},
		natSteuer:   {"steuer-id", "steuerid", "steuer id", "steuer-idnr", "idnr", "steueridentifikationsnummer", "steuer-identifikationsnummer", "identifikationsnummer", "tin"},
		natPESEL:    {"pesel"},
		natSE:       {"personnummer", "personnr", "pnr", "samordningsnummer", "personnumret"},
		natRRN:      {"rrn", "resident registration", "jumin", "주민등록번호", "주민번호"},
		natMyNumber: {"mynumber", "my number", "individual number", "kojin bango", "マイナンバー", "個人番号"},
		natTCKN:     {"tckn", "tckimlik", "kimlik", "tc no", "t.c. no", "tcno", "tc kimlik"},
		natSNILS:    {"snils", "снилс", "страховой номер"},
		natNIK:      {"nik", "ktp", "e-ktp", "kependudukan", "nomor induk"},
	}
	var union []string
	for f, w := range words {
		if len(w) > 0 {
			t[f] = newCueSet(w...).withFillers(natFillers...)
			union = append(union, w...)
		}
	}
	return t, newCueSet(union...).withFillers(natFillers...)
}()

// natCued reports whether a cue of family f stands before b[i].
func natCued(b []byte, i, f int) bool {
	c := natCues[f]
	return c != nil && c.before(b, i, natCueWindow, natCueWords)
}

// natStartOK reports whether a number may start at b[i] as a national id:
// it does not follow a '+' (a phone number), nor continue a decimal, a path
// segment or an identifier ("2.123456789", "order_123456789", "id-123456789",
// "blk_-123...").
func natStartOK(b []byte, i int) bool {
	if i == 0 {
		return true
	}
	switch b[i-1] {
	case '+':
		return false
	case '.':
		return i < 2 || !isDigit(b[i-2]) // "No.123456789" is a label
	case '-', '/', '_':
		return i < 2 || !(isAlnum(b[i-2]) || b[i-2] == '_')
	}
	return true
}

// natEndOK reports whether a national id may end at b[e]: nothing follows,
// or neither a letter, digit or '_', nor a separator and a letter or digit
// (a longer number, a decimal, an identifier).
func natEndOK(b []byte, e int) bool {
	if e >= len(b) {
		return true
	}
	c := b[e]
	if isAlnum(c) || c == '_' {
		return false
	}
	if c == '-' || c == '.' || c == '/' || c == '+' {
		return e+1 >= len(b) || !isAlnum(b[e+1])
	}
	return true
}

// natEnabled reports whether the scanner reports any family in fams.
func (s *Scanner) natEnabled(fams ...int) bool {
	for _, f := range fams {
		if s.enabled[idxNatID+f] {
			return true
		}
	}
	return false
}
