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
)

// Builtin lists the built-in types in a fixed order.
var Builtin = [...]Type{IPv4, IPv6, Email, Phone, CreditCard, IBAN, MAC, IMEI, UUID, JWT, Secret}

// IsBuiltin reports whether t is one of the built-in detector types.
func IsBuiltin(t Type) bool {
	for _, b := range &Builtin {
		if b == t {
			return true
		}
	}
	return false
}

// A Finding is one piece of personal data in a scanned input: its type and its
// byte range [Start, End) in that input.
type Finding struct {
	Type  Type
	Start int
	End   int
}
