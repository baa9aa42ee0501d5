package detectors

import (
	"bytes"
	"testing"
)

func TestCueSetBefore(t *testing.T) {
	c := newCueSet("ssn", "tel", "phone", "e-mail", "no.", "身份证")
	tests := []struct {
		text  string
		words int
		want  bool
	}{
		{"SSN: #", 0, true},
		{"ssn=#", 0, true},
		{`"ssn": "#`, 0, true},
		{"Tel. #", 0, true},
		{"hotel #", 0, false},  // whole words only
		{"telx #", 0, false},   // whole words only
		{"SSN is #", 0, false}, // one word between
		{"SSN is #", 1, true},  // allowed
		{"phone number: #", 1, true},
		{"phone of the #", 1, false},
		{"E-Mail: #", 0, true},
		{"no. #", 0, true},
		{"No #", 0, false}, // the cue is "no." with its dot
		{"身份证号码：#", 0, true},
		{"pid #", 0, false},
		{"#", 0, false},
		{"a very long preamble that pushes the ssn far away from it, far far away, more than the window #", 3, false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b := []byte(tt.text)
			start := len(b) - 1 // the '#' stands for the candidate
			if got := c.before(b, start, 40, tt.words); got != tt.want {
				t.Errorf("before(%q, words=%d) = %v, want %v", tt.text, tt.words, got, tt.want)
			}
		})
	}
}

func TestCueSetStrictPhrasesAndParts(t *testing.T) {
	c := newCueSet("ssn", "social security", "aadhaar", "steuer-id", "身份证").withFillers("number", "no")
	tests := []struct {
		text string
		want bool
	}{
		{"social security: #", true},
		{"Social  Security Number: #", true},
		{"social_security_number=#", true},
		{"social-security #", true},
		{"security: #", false},           // the phrase needs both words
		{"antisocial security #", false}, // whole words only
		{"customer_ssn=#", true},
		{`"aadhaar_no": "#`, true},
		{"X-SSN: #", true},
		{"Steuer-ID #", true},
		{"Steuer ID #", true},
		{"steuer_id=#", true},
		{"ssnx_id #", false},
		{"classn #", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b := []byte(tt.text)
			if got := c.before(b, len(b)-1, 40, 3); got != tt.want {
				t.Errorf("before(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// TestCueSetStrict checks the filler-only search, and that what scrubbed
// values are replaced by ends it: a cue seen across a replaced value in
// scrubbed output would make scrubbing twice change more.
func TestCueSetStrict(t *testing.T) {
	c := newCueSet("ssn", "social security", "aadhaar", "身份证", "マイナンバー").withFillers("number", "no", "is", "de")
	tests := []struct {
		text string
		want bool
	}{
		{"SSN: #", true},
		{"SSN is #", true},
		{"social security number is #", true},
		{"Aadhaar No. #", true},
		{"aadhaar (number) #", true},
		{`{"ssn":["#`, true},
		{"身份证号码：#", true},
		{"マイナンバー: #", true},
		{"SSN of #", false},                                 // "of" is no filler here
		{"SSN [us_ssn] #", false},                           // a redacted value between
		{"SSN [us_ssn] and #", false},                       // ... and a word
		{"SSN us_ssn_k1_abcdefghijklmnopqrstuvwx #", false}, // a pseudonym between
		{"SSN us_ssn_prod_abcdefghijklmnopqrstuvwx #", false},
		{"customer_ssn_abcdefgh #", false}, // a cue must end the word
		{"SSN ********* #", false},         // a masked value between
		{"SSN 1234 #", false},              // another number between
		{"身份证 [cn_resident_id] #", false},
		{"マイナンバー[jp_my_number] #", false},
		{"número de ssn #", true},
		{"ssn número #", true}, // a non-ASCII word is stepped over
		{"ssn número1 #", false},
		{"the ssn: #", true},
		{"#", false},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			b := []byte(tt.text)
			if got := c.before(b, len(b)-1, 40, 3); got != tt.want {
				t.Errorf("before(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

func TestCueSetBeforeAllocs(t *testing.T) {
	c := newCueSet("ssn", "social")
	b := []byte("the Social Security Number is 123-45-6789")
	if n := testing.AllocsPerRun(100, func() { c.before(b, 30, 40, 3) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	if !c.before(b, 30, 40, 3) {
		t.Error("cue not found")
	}
	strict := newCueSet("ssn", "social security", "身份证").withFillers("number", "is", "the")
	b = []byte("customer_ssn=1 the social_security_number is 123-45-6789")
	at := bytes.IndexByte(b, '3') - 2
	if n := testing.AllocsPerRun(100, func() { strict.before(b, at, 48, 3) }); n != 0 {
		t.Errorf("%v allocations (strict)", n)
	}
	if !strict.before(b, at, 48, 3) {
		t.Error("cue not found (strict)")
	}
}

func FuzzCueSetBefore(f *testing.F) {
	f.Add([]byte("SSN: 123-45-6789"), 5, 40, 1)
	f.Add([]byte("身份证 11010519491231002X"), 10, 20, 0)
	f.Add([]byte("social_security_number: [us_ssn] 123456789"), 33, 48, 3)
	c := newCueSet("ssn", "tel", "身份证", "social security")
	strict := newCueSet("ssn", "tel", "身份证", "social security", "sécurité sociale").withFillers("no", "number")
	f.Fuzz(func(t *testing.T, b []byte, start, window, words int) {
		if start < 0 || start > len(b) || window < 0 || window > 1<<10 || words < 0 || words > 10 {
			return
		}
		// Must not panic or read out of range, nor look after start.
		c.before(b, start, window, words)
		got := strict.before(b, start, window, words)
		cut := append([]byte(nil), b[:start]...)
		if strict.before(cut, start, window, words) != got {
			t.Fatalf("strict result depends on bytes after start in %q at %d", b, start)
		}
	})
}
