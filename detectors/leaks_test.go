package detectors

import (
	"strings"
	"testing"
)

// A leakProbe is a line with personal data written the way a producer or an
// attacker writes it, and the parts of it that must be found (each inside
// one finding of the type named before the colon: "phone:0151 23456789").
// Each probe was a leak of the default detectors.
type leakProbe struct {
	line string
	want []string
}

func TestLeakProbes(t *testing.T) {
	s := newTestScanner(t)
	tests := []leakProbe{
		// Cues of cased scripts in capitals or capitalized, as labels
		// and form fields write them.
		{"SĐT 0912345678", []string{"phone:0912345678"}},
		{"Điện thoại: 0912 345 678", []string{"phone:0912 345 678"}},
		{"Телефон: 8 912 345-67-89", []string{"phone:8 912 345-67-89"}},
		{"ТЕЛ. 8 912 345-67-89", []string{"phone:8 912 345-67-89"}},
		{"TÉLÉPHONE 06 12 34 56 78", []string{"phone:06 12 34 56 78"}},
		{"СНИЛС 42443103937", []string{"ru_snils:42443103937"}},
		// Asking to be called, in the markets' languages.
		{"Ligue para (11) 91234-5678 hoje", []string{"phone:(11) 91234-5678"}},
		{"llame al 612 34 56 78", []string{"phone:612 34 56 78"}},
		{"Rufen Sie unter 0151 23456789 an", []string{"phone:0151 23456789"}},
		{"silakan hubungi kami di 0812-3456-7890", []string{"phone:0812-3456-7890"}},
		{"Позвоните по номеру 8 912 345-67-89", []string{"phone:8 912 345-67-89"}},
		{"请拨打13812345678", []string{"phone:13812345678"}},
		{"chiamare il 347 123 4567", []string{"phone:347 123 4567"}},
		{"beni arayın 0532 123 45 67", []string{"phone:0532 123 45 67"}},
		// A number right after a percent escape, in URLs and form
		// bodies: the escape's hex digits are no letters glued to it.
		{"GET /pay?q=card%3D4111111111111111&x=1", []string{"credit_card:4111111111111111"}},
		{"/sms?to=%2B4915123456789&text=hi", []string{"phone:%2B4915123456789"}},
		{"uri=tel%3A%2b14155552671", []string{"phone:%2b14155552671"}},
		{"f=%22692-77-3138%22", []string{"us_ssn:692-77-3138"}},
		{"next=%2Fiban%3DDE89370400440532013000", []string{"iban:DE89370400440532013000"}},
		// Street words in lower case, as French, Spanish, Italian,
		// Portuguese and Polish prose writes them, and abbreviated.
		{"adresse de livraison : 12 rue de la Paix, 75002 Paris", []string{"address:12 rue de la Paix"}},
		{"livré au 8, rue Lepic", []string{"address:8, rue Lepic"}},
		{"siège: 5 avenue des Champs-Élysées", []string{"address:5 avenue des Champs"}},
		{"endereço: rua Augusta 100, Lisboa", []string{"address:rua Augusta 100"}},
		{"consegna in via Garibaldi 7, Torino", []string{"address:via Garibaldi 7"}},
		{"adres: ul. Marszałkowska 10", []string{"address:ul. Marszałkowska 10"}},
		{"dirección: calle Mayor 5", []string{"address:calle Mayor 5"}},
		{"Av. Paulista 1578, São Paulo", []string{"address:Av. Paulista 1578"}},
		{"Lieferadresse: Musterstr. 5, 80331 München", []string{"address:Musterstr. 5"}},
		// Coordinates in map links: the search parameter, a comma
		// percent-encoded.
		{"https://maps.google.com/?q=48.858372,2.294481", []string{"coordinates:48.858372,2.294481"}},
		{"/maps?query=-33.868820,151.209296&z=3", []string{"coordinates:33.868820,151.209296"}},
		{"GET /map?ll=48.858372%2C2.294481&z=15", []string{"coordinates:48.858372%2C2.294481"}},
		{"center=48.858372%2C2.294481", []string{"coordinates:48.858372%2C2.294481"}},
		// A secret after a hash arrow: the value, not the arrow, is the
		// finding (it was "> \"hunter2", the output "password =[secret]\"").
		{`password => "hunter2"`, []string{"secret:hunter2"}},
		{`{:password => 'hunter2'}`, []string{"secret:hunter2"}},
		// The calling code in parentheses.
		{"(+49) 151 23456789", []string{"phone:151 23456789"}},
		{"WA (+62) 812-3456-7890", []string{"phone:812-3456-7890"}},
		{"hotline (+86) 138 1234 5678", []string{"phone:138 1234 5678"}},
		{"call (+1) 415-555-2671 now", []string{"phone:415-555-2671"}},
		// An Indonesian NIK printed in groups of four, after its cue.
		{"NIK 5106 1222 1241 5328", []string{"id_nik:5106 1222 1241 5328"}},
		{"nomor induk kependudukan: 5106-1222-1241-5328", []string{"id_nik:5106-1222-1241-5328"}},
	}
	for _, tc := range tests {
		fs, err := s.Scan(nil, []byte(tc.line))
		if err != nil {
			t.Fatal(err)
		}
		got := spans(tc.line, fs)
		for _, w := range tc.want {
			typ, val, _ := strings.Cut(w, ":")
			found := false
			for _, f := range fs {
				if string(f.Type) == typ && strings.Contains(tc.line[f.Start:f.End], val) {
					found = true
				}
			}
			if !found {
				t.Errorf("Scan(%q) = %q: %s not found", tc.line, got, w)
			}
		}
	}
}

// TestLeakProbesKeep: words and numbers next to the probes' cues that are
// nothing personal are not findings.
func TestLeakProbesKeep(t *testing.T) {
	s := newTestScanner(t)
	for _, line := range []string{
		"Bitte wenden Sie sich an den Support",
		"Vous pouvez réessayer plus tard",
		"CALL 12345678 returned 0",
		"ligue 3 round 12345678",
		"sig=Xy%2B4915123456789%2F",
		"delivered via Kafka 3 times",
		"retry 3 via Proxy",
		"sent via Envoy 2 retries left",
		"the Str. 5 test",
		"block 5106 1222 1241 5328 moved",
		"(+3) 1234 items",
		"search?q=0.1234,0.5678",
		"ratio=12.3456%2Cx",
		"retries (+2) 12 of 100",
		"q=size%3D1024%26page%3D2%26id%3D1234567",
	} {
		fs, err := s.Scan(nil, []byte(line))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) > 0 {
			t.Errorf("Scan(%q) = %q, want nothing", line, spans(line, fs))
		}
	}
}

// TestSecretAfterArrow: after "=>" the finding is the value alone, so the
// arrow and the quotes stay around its replacement.
func TestSecretAfterArrow(t *testing.T) {
	s := newTestScanner(t)
	for _, tc := range []struct{ line, want string }{
		{`password => "hunter2"`, "hunter2"},
		{`"password"=>"hunter2"`, "hunter2"},
		{`:password => 'hunter2'`, "hunter2"},
		{`password => hunter2 next`, "hunter2"},
	} {
		fs, err := s.Scan(nil, []byte(tc.line))
		if err != nil {
			t.Fatal(err)
		}
		if len(fs) != 1 || tc.line[fs[0].Start:fs[0].End] != tc.want {
			t.Errorf("Scan(%q) = %q, want one finding %q", tc.line, spans(tc.line, fs), tc.want)
		}
	}
}
