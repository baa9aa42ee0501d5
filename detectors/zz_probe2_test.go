package detectors

import (
	"fmt"
	"testing"
)

func TestZZProbe2(t *testing.T) {
	s, _ := New(Options{})
	for _, l := range []string{
		"call 13812345678 now", "手机 13812345678", "手机号：138 1234 5678", "tel 0151 23456789", "Handy: 0151 2345 6789", "0151-23456789",
		"mobile 98765 43210", "98765 43210", "(415) 555-2671", "415-555-2671", "030 123456", "030/1234567", "+49 151 23456789",
		"tel: 0812-3456-7890", "HP 081234567890", "telefone (11) 91234-5678", "телефон 8 (912) 345-67-89", "電話 090-1234-5678", "전화 010-1234-5678",
		"điện thoại 0912 345 678", "mobile 0917 123 4567", "phone 0803 123 4567", "tel 0532 123 45 67", "tel 55 1234 5678", "teléfono 612 34 56 78", "telefono 347 123 4567", "téléphone 06 12 34 56 78",
	} {
		f, _ := s.Scan(nil, []byte(l))
		var out []string
		for _, x := range f {
			out = append(out, fmt.Sprintf("%s[%s]", x.Type, l[x.Start:x.End]))
		}
		fmt.Printf("%-40q %v\n", l, out)
	}
}
