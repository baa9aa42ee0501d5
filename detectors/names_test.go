package detectors

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestNextCandidate checks the eight-bytes-at-a-time walk against
// candidateAt applied to every byte.
func TestNextCandidate(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []byte("aZ Q.(:9\"_é\t-M,x")
	for n := 0; n < 2000; n++ {
		b := make([]byte, r.IntN(70))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		for i := 0; i <= len(b); i++ {
			want := i
			for want < len(b) && !candidateAt(b, want) {
				want++
			}
			if got := nextCandidate(b, i); got != want {
				t.Fatalf("nextCandidate(%q, %d) = %d, want %d", b, i, got, want)
			}
		}
	}
}

func TestCapitalAt(t *testing.T) {
	for _, c := range []struct {
		s    string
		want bool
	}{
		{"É", true}, {"é", false}, {"Ł", true}, {"ł", false}, {"Ž", true}, {"ž", false},
		{"Ś", true}, {"ś", false}, {"Ж", true}, {"ж", false}, {"Я", true}, {"я", false},
		{"Σ", true}, {"σ", false}, {"×", false}, {"ß", false},
	} {
		if got := capitalAt([]byte(c.s), 0); got != c.want {
			t.Errorf("capitalAt(%q) = %v, want %v", c.s, got, c.want)
		}
	}
}

// scanFindings returns the findings of line whose type keep accepts (all
// when keep is nil) as "type:text".
func scanFindings(t *testing.T, s *Scanner, line string, keep func(Type) bool) []string {
	t.Helper()
	fs, err := s.Scan(nil, []byte(line))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		if keep == nil || keep(f.Type) {
			out = append(out, string(f.Type)+":"+line[f.Start:f.End])
		}
	}
	return out
}

// nameFindings returns the person and address findings of line as
// "type:text".
func nameFindings(t *testing.T, s *Scanner, line string) []string {
	t.Helper()
	return scanFindings(t, s, line, func(typ Type) bool { return typ == Person || typ == Address })
}

// findingsOf returns the texts of the findings of type typ in line.
func findingsOf(t *testing.T, s *Scanner, line string, typ Type) []string {
	t.Helper()
	var out []string
	for _, g := range scanFindings(t, s, line, func(u Type) bool { return u == typ }) {
		out = append(out, strings.TrimPrefix(g, string(typ)+":"))
	}
	return out
}

func TestNamesDisabled(t *testing.T) {
	s, err := New(Options{Disabled: []Type{Person, Address}})
	if err != nil {
		t.Fatal(err)
	}
	if s.names != nil {
		t.Error("name pass built with person and address off")
	}
	if got := nameFindings(t, s, "Dear Jennifer, ship to 52 Huntly Street"); len(got) != 0 {
		t.Errorf("got %q with person and address off", got)
	}
	s, _ = New(Options{Disabled: []Type{Address}})
	if got := nameFindings(t, s, "Dear Jennifer, ship to 52 Huntly Street"); len(got) != 1 || got[0] != "person:Jennifer" {
		t.Errorf("address off: got %q", got)
	}
}

// FuzzNames checks the name pass on arbitrary text: findings in bounds, in
// order, without overlaps, on whole UTF-8 characters, and the same on a
// second scan.
func FuzzNames(f *testing.F) {
	for _, s := range []string{
		"Dear John, ship to 52 Huntly Street, Springfield, IL 62704",
		"Mrs. Jennifer Alcaraz Suite 541 6343 Skogstien 106",
		"王伟先生 住在 中山路123号 联系人：张丽娜",
		"ул. Ленина, д. 5 P.O. Box 12 Pohlstraße 9",
		"at org.Foo.Bar(Foo.java:1) Faina D. Yefremova O'Brien-Smith McDowell",
		"\xc5\xbd\xc3\x89 \xe5\x85\x88 Ab \xd1\x83",
		"directed by Maciej Borkowski and starring Borkowski, says Lundberg. my kid Tadzio, ms. Quinzia",
		"They had 3: Gaetane, Hannah and Derek, Borkowski and Borkowski's",
	} {
		f.Add([]byte(s))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		fs, err := s.Scan(nil, b)
		if err != nil {
			t.Fatal(err)
		}
		prev := 0
		for _, fd := range fs {
			if fd.Start < prev || fd.End <= fd.Start || fd.End > len(b) {
				t.Fatalf("finding %+v out of order or bounds in %q", fd, b)
			}
			prev = fd.End
			if fd.Type != Person && fd.Type != Address {
				continue
			}
			if utf8.Valid(b) && (!utf8.RuneStart(b[fd.Start]) || fd.End < len(b) && !utf8.RuneStart(b[fd.End])) {
				t.Fatalf("finding %+v cuts a character in %q", fd, b)
			}
		}
		again, _ := s.Scan(nil, b)
		if len(again) != len(fs) {
			t.Fatalf("second scan found %d, first %d", len(again), len(fs))
		}
		for i := range fs {
			if again[i] != fs[i] {
				t.Fatalf("second scan differs: %+v vs %+v", again[i], fs[i])
			}
		}
	})
}

// TestNameCands checks the candidates the main scan loop records for the
// name pass against nextCandidate, from every place of lines that mix
// capitals, non-ASCII text, findings and timestamps the loop steps over,
// and lines with more candidates than a nameCands holds.
func TestNameCands(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(3, 4))
	pieces := []string{"Ana ", "aZ", " Q", ".", "(", ":", "9", "\"", "_", "é", "\t", "-", "M", ",", "x ", "王伟", " Dear John Smith",
		" 2026-03-02 08:00:00 ", "Nov 29 10:05:03 ", " jo@example.com ", " 10.0.0.1 ", "+44 20 7946 0958", "DE89370400440532013000",
		"Mr. Rossi", " 12 Main St ", "ABC", "=", "@", "%40", "Bearer x", "fe80::1 "}
	for n := 0; n < 3000; n++ {
		var b []byte
		for k := r.IntN(40); k >= 0; k-- {
			b = append(b, pieces[r.IntN(len(pieces))]...)
		}
		var nc nameCands
		s.scanBuiltin(nil, b, &nc)
		for i := 0; i <= len(b); i++ {
			if got, want := nc.next(b, i), nextCandidate(b, i); got != want {
				t.Fatalf("recorded candidates of %q from %d: next %d, want %d", b, i, got, want)
			}
		}
		for i := len(b); i >= 0; i -= 3 {
			if got, want := nc.next(b, i), nextCandidate(b, i); got != want {
				t.Fatalf("recorded candidates of %q from %d (going back): next %d, want %d", b, i, got, want)
			}
		}
	}
}
