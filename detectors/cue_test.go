package detectors

import "testing"

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

func TestCueSetBeforeAllocs(t *testing.T) {
	c := newCueSet("ssn", "social")
	b := []byte("the Social Security Number is 123-45-6789")
	if n := testing.AllocsPerRun(100, func() { c.before(b, 30, 40, 3) }); n != 0 {
		t.Errorf("%v allocations", n)
	}
	if !c.before(b, 30, 40, 3) {
		t.Error("cue not found")
	}
}

func FuzzCueSetBefore(f *testing.F) {
	f.Add([]byte("SSN: 123-45-6789"), 5, 40, 1)
	f.Add([]byte("身份证 11010519491231002X"), 10, 20, 0)
	c := newCueSet("ssn", "tel", "身份证")
	f.Fuzz(func(t *testing.T, b []byte, start, window, words int) {
		if start < 0 || start > len(b) || window < 0 || window > 1<<10 || words < 0 || words > 10 {
			return
		}
		c.before(b, start, window, words) // must not panic or read out of range
	})
}
