package detectors

// Type names the kind of personal data a finding holds. The built-in types are
// the constants below; field rules and custom detectors add their own names.
type Type string

// The built-in detector types. Their names are part of the `scrubd scrub
// --findings` output contract.
const (
	IPv4       Type = "ipv4"
	IPv6       Type = "ipv6"
	Email      Type = "email"
	Phone      Type = "phone"
	CreditCard Type = "credit_card"
	IBAN       Type = "iban"
	MAC        Type = "mac"
	IMEI       Type = "imei"
	UUID       Type = "uuid"
	JWT        Type = "jwt"
	Secret     Type = "secret"
	// Coordinates (coords.go) is declared with its matcher.
	// Person and Address are people's names and street addresses in free
	// text (person.go, address.go).
	Person  Type = "person"
	Address Type = "address"
)

// Builtin lists the built-in types in a fixed order: the national ids
// (natid.go) come last, in the order of NationalIDs.
var Builtin = [...]Type{IPv4, IPv6, Email, Phone, CreditCard, IBAN, MAC, IMEI, UUID, JWT, Secret, Coordinates, Person, Address,
	CNResidentID, INAadhaar, INPAN, USSSN, BRCPF, ESNIF, SGNRIC, UKNINO, FRNIR, ITFiscalCode,
	NLBSN, DETaxID, PLPESEL, SEPersonnummer, KRRRN, JPMyNumber, TRTCKN, RUSNILS, MXCURP, IDNIK}

// IsBuiltin reports whether t is one of the built-in detector types.
func IsBuiltin(t Type) bool { return BuiltinIndex(t) >= 0 }

// BuiltinIndex returns the index of t in Builtin, or -1 when t is not a
// built-in type. It costs a few comparisons, less than a map lookup: the
// engine calls it for every finding.
func BuiltinIndex(t Type) int {
	switch t {
	case IPv4:
		return idxIPv4
	case IPv6:
		return idxIPv6
	case Email:
		return idxEmail
	case Phone:
		return idxPhone
	case CreditCard:
		return idxCard
	case IBAN:
		return idxIBAN
	case MAC:
		return idxMAC
	case IMEI:
		return idxIMEI
	case UUID:
		return idxUUID
	case JWT:
		return idxJWT
	case Secret:
		return idxSecret
	case Coordinates:
		return idxCoords
	case Person:
		return idxPerson
	case Address:
		return idxAddress
	}
	return nationalIDIndex(t)
}

// A Finding is one piece of personal data in a scanned input: its type and its
// byte range [Start, End) in that input.
type Finding struct {
	Type  Type
	Start int
	End   int
}
