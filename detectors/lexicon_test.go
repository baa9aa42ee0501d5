package detectors

import "testing"

func TestFoldHash(t *testing.T) {
	for _, p := range [][2]string{{"JOSÉ", "josé"}, {"José", "JOSé"}, {"ЖАННА", "жанна"}, {"ΣΟΦΙΑ", "σοφια"}, {"Smith", "sMITH"}} {
		if foldHash([]byte(p[0])) != foldHash([]byte(p[1])) {
			t.Errorf("foldHash(%q) != foldHash(%q)", p[0], p[1])
		}
	}
	if foldHash([]byte("Jose")) == foldHash([]byte("José")) {
		t.Error("diacritics folded away")
	}
}

func TestLexTable(t *testing.T) {
	tb := newLexTable(10)
	words := []string{"alpha", "beta", "gamma", "delta", "epsilon"}
	for i, w := range words {
		tb.add(foldHash([]byte(w)), uint16(1<<i))
	}
	tb.add(foldHash([]byte("alpha")), lxStop)
	for i, w := range words {
		want := uint16(1 << i)
		if w == "alpha" {
			want |= lxStop
		}
		if got := tb.get(foldHash([]byte(w))); got != want {
			t.Errorf("get(%q) = %#x, want %#x", w, got, want)
		}
	}
	if got := tb.get(foldHash([]byte("zeta"))); got != 0 {
		t.Errorf("absent word has flags %#x", got)
	}
}

func TestBaseLexicon(t *testing.T) {
	lx := baseLexicon()
	for w, want := range map[string]uint16{
		"James": lxGiven | lxGivenFirst, "Williams": lxSurname, "Kafka": lxStop, "Street": lxStreetAfter,
		"Rue": lxStreetBefore, "Mr": lxTitle, "Suite": lxUnit, "Inc": lxOrg, "王": lxZHFamily, "France": lxPlace,
	} {
		if got := lx.get(foldHash([]byte(w))); got&want != want {
			t.Errorf("%s: flags %#x lack %#x", w, got, want)
		}
	}
	if got := lx.get(foldHash([]byte("Williams"))); got&lxGivenFirst != 0 {
		t.Errorf("Williams is taken for a given name first (%#x)", got)
	}
	if len(streetSuffixes) == 0 {
		t.Error("no street suffixes read from hand.txt")
	}
}
