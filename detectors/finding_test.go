package detectors

import "testing"

// TestBuiltinIndex checks that BuiltinIndex inverts Builtin and knows no
// other name, so that an index kept by the engine names the right rule.
func TestBuiltinIndex(t *testing.T) {
	for k, typ := range Builtin {
		if got := BuiltinIndex(typ); got != k {
			t.Errorf("BuiltinIndex(%q) = %d, want %d", typ, got, k)
		}
		if !IsBuiltin(typ) {
			t.Errorf("IsBuiltin(%q) = false", typ)
		}
		// A name one byte away is not the type.
		for _, other := range []Type{typ + "x", typ[:len(typ)-1], "X" + typ[1:]} {
			if BuiltinIndex(other) != -1 || IsBuiltin(other) {
				t.Errorf("BuiltinIndex(%q) = %d, want -1", other, BuiltinIndex(other))
			}
		}
	}
	for _, typ := range []Type{"", "field", "employee_id", "IPV4"} {
		if got := BuiltinIndex(typ); got != -1 {
			t.Errorf("BuiltinIndex(%q) = %d, want -1", typ, got)
		}
	}
}
