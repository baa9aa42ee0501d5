package rules

import (
	"strings"
	"testing"
)

// A leakProbe is one line an attacker or a careless producer writes: what
// must not survive the default policy, and what must (the rest of the
// record stays readable).
type leakProbe struct {
	in   string
	gone []string // must not be in the output
	kept []string // must be in the output
}

// TestDefaultPolicyLeaks probes the default field rules with the spellings
// real producers use for the fields of issue 14 (camelCase, kebab-case,
// prefixes, other languages), in JSON and in text. Each probe was a leak.
func TestDefaultPolicyLeaks(t *testing.T) {
	e := compileTest(t, "")
	tests := []leakProbe{
		// Phone fields.
		{`{"mobileNumber":"0151 23456789"}`, []string{"23456789"}, []string{"mobileNumber"}},
		{`{"telephone":"0151 23456789","tel":"030 1234567"}`, []string{"23456789", "1234567"}, nil},
		{`contact_number=0151-23456789 level=info`, []string{"23456789"}, []string{"level=info"}},
		{`{"phone_no":"0812 3456 7890","cellphone":"0812 3456 7891"}`, []string{"3456 7890", "3456 7891"}, nil},
		// Names.
		{`{"fname":"Olu","lname":"Adeyemi"}`, []string{"Olu", "Adeyemi"}, nil},
		{`{"billingFirstName":"Olu","shipping_last_name":"Adeyemi","customerFullName":"Olu Adeyemi"}`, []string{"Olu", "Adeyemi"}, nil},
		// Birth dates in other languages.
		{`Geburtsdatum: 14.03.1985`, []string{"1985"}, []string{"Geburtsdatum"}},
		{`{"fechaDeNacimiento":"14/03/1985","data_nascimento":"1985-03-14"}`, []string{"1985"}, nil},
		{`date_de_naissance=14/03/1985 tanggal_lahir=14-03-1985`, []string{"1985"}, nil},
		// Labels of several words: their last word is the key.
		{`patient date of birth: 14/03/1985, ward 3`, []string{"1985"}, []string{"date of birth: ", ", ward 3"}},
		{`Date Of Birth=March 14, 1985 next`, []string{"1985", "March"}, []string{" next"}},
		{`fecha de nacimiento: 14/03/1985`, []string{"1985"}, []string{"fecha de nacimiento"}},
		{`data de nascimento: 14/03/1985; date de naissance : 14/03/1985`, []string{"1985"}, nil},
		{`data di nascita: 14/03/1985 tanggal lahir: 14-03-1985 born: 1985-03-14`, []string{"1985"}, nil},
		// Identity documents.
		{`{"driversLicenseNumber":"D1234567","ssnLast4":"3138","applicant_ssn":"692773138"}`, []string{"D1234567", "3138", "692773138"}, nil},
		// Precise location under a prefix.
		{`{"gpsLat":48.858372,"gps_lon":2.294481,"pickupLatitude":"48.858372"}`, []string{"48.858372", "2.294481"}, []string{"48.86", "2.29"}},
		// Credentials and card data.
		{`{"privateKey":"MIIEvQIBADANBg","clientSecretKey":"q9w8e7","password_hash":"$2b$12$abcdefgh"}`, []string{"MIIEvQIBADANBg", "q9w8e7", "abcdefgh"}, nil},
		{`{"cvv":"123","cvc2":"456","pin_code":"7890","cardPin":"2468"}`, []string{"123", "456", "7890", "2468"}, nil},
		{`{"cardNumber":"4111 1111 1111 111","cc_number":"1234"}`, []string{"4111", "1234"}, nil},
	}
	runLeakProbes(t, e, tests)
}

// TestIDGroupsLeaks: an account or device id printed in digit groups is one
// value; an Aadhaar number is called a "UID", and its first group alone
// was pseudonymized, the other eight digits left in clear.
func TestIDGroupsLeaks(t *testing.T) {
	e := compileTest(t, "")
	runLeakProbes(t, e, []leakProbe{
		{`UID: 4068 5355 2187`, []string{"4068", "5355", "2187"}, []string{"UID: "}},
		{`uid=4068 5355 2187 status=ok`, []string{"4068", "5355", "2187"}, []string{"status=ok"}},
		{`customer_id: 4111 1111 1111 1111, retry`, []string{"4111", "1111"}, []string{", retry"}},
		{`x device_id 3530 1113 3330 0000 seen`, []string{"3530", "1113", "0000"}, []string{" seen"}},
		// Numbers after an id that are no groups of it stay.
		{`uid=42 200 1532`, []string{"uid=42"}, []string{" 200 1532"}},
		{`uid=1000 1001 x`, []string{"uid=1000"}, []string{" 1001 x"}},
	})
}

// TestDefaultPolicyKeeps: fields near the new rules that hold nothing
// personal are left alone.
func TestDefaultPolicyKeeps(t *testing.T) {
	e := compileTest(t, "")
	for _, in := range []string{
		`{"is_mobile":true,"mobile_app":"ios","telemetry":"on"}`,
		`{"pinned":true,"lateral":3,"lonely":1}`,
		`{"cell":"us-east-1a","card_type":"visa"}`,
		`{"birth_date_verified":true,"place_of_birth_known":false}`,
		`rebirth of the cluster at 2026-12-07`,
		`gpio-keys gpio-keys: pin=23 irq=45`,
	} {
		if got, _ := scrub(t, e, in); got != in {
			t.Errorf("Scrub(%q) = %q, want it unchanged", in, got)
		}
	}
}

func runLeakProbes(t *testing.T, e *Engine, tests []leakProbe) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, res := scrub(t, e, tc.in)
			for _, g := range tc.gone {
				if strings.Contains(got, g) {
					t.Errorf("Scrub(%q) = %q: %q leaked", tc.in, got, g)
				}
			}
			for _, k := range tc.kept {
				if !strings.Contains(got, k) {
					t.Errorf("Scrub(%q) = %q: %q lost", tc.in, got, k)
				}
			}
			checkFindings(t, []byte(tc.in), res)
			if again, _ := scrub(t, e, got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

// TestTruncateEmbeddedIPv4: an IPv6 address that holds an IPv4 address in
// the bits its prefix keeps (6to4, NAT64) keeps only the IPv4 prefix of it.
func TestTruncateEmbeddedIPv4(t *testing.T) {
	for _, tc := range []struct {
		in           string
		bits4, bits6 int
		want         string
	}{
		{"2002:cb00:714d::1", 24, 48, "2002:cb00:7100::"},           // 203.0.113.77 in 6to4
		{"2002:CB00:714D:1234::5", 24, 64, "2002:cb00:7100::"},      // a longer prefix keeps no more of it
		{"2002:cb00:714d::1", 16, 48, "2002:cb00::"},                // the IPv4 prefix rules
		{"2002:cb00:714d::1", 24, 32, "2002:cb00::"},                // a shorter IPv6 prefix rules
		{"64:ff9b::cb00:714d", 24, 128, "64:ff9b::cb00:7100"},       // NAT64
		{"64:ff9b::203.0.113.77", 24, 48, "64:ff9b::"},              // /48 keeps none of it
		{"2001:db8:85a3::8a2e:370:7334", 24, 48, "2001:db8:85a3::"}, // others as before
	} {
		got, ok := truncateIP(nil, []byte(tc.in), tc.bits4, tc.bits6)
		if !ok || string(got) != tc.want {
			t.Errorf("truncateIP(%q, %d, %d) = %q, %v; want %q", tc.in, tc.bits4, tc.bits6, got, ok, tc.want)
		}
	}
}
