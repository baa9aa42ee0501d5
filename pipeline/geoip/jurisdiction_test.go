package geoip

import (
	"encoding/json"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// eea lists the EEA states independently of the code under test: the 27 EU
// member states, then Iceland, Liechtenstein and Norway.
var eea = []string{
	"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
	"IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
	"IS", "LI", "NO",
}

func TestJurisdictionsDefaults(t *testing.T) {
	if len(eea) != 30 {
		t.Fatalf("test table lists %d EEA states, want 30", len(eea))
	}
	var j Jurisdictions
	want := map[string]string{"GB": "UK", "US": "US", "CN": "CN", "SG": "SG"}
	for _, c := range eea {
		want[c] = "EEA"
	}
	for i := 0; i < len(assignedCountries); i += 2 {
		c := assignedCountries[i : i+2]
		w, ok := want[c]
		if !ok {
			w = "OTHER"
		}
		if got := j.Of(c); got != w {
			t.Errorf("Of(%q) = %q, want %q", c, got, w)
		}
	}
	for _, c := range []string{"", "gb", "de", "XX", "ZZ", "GBR", "EU", "UK", "EL"} {
		if got := j.Of(c); got != "OTHER" {
			t.Errorf("Of(%q) = %q, want OTHER", c, got)
		}
	}
}

func TestJurisdictionsOverrides(t *testing.T) {
	overrides := map[string]string{"CH": "EEA", "GB": "EEA", "BR": "LATAM", "DE": "OTHER", "XK": "BALKANS_2"}
	j, err := NewJurisdictions(overrides)
	if err != nil {
		t.Fatal(err)
	}
	overrides["FR"] = "MUTATED" // the table is a copy
	for country, want := range map[string]string{
		"CH": "EEA", "GB": "EEA", "BR": "LATAM", "DE": "OTHER", "XK": "BALKANS_2",
		"FR": "EEA", "US": "US", "JP": "OTHER", "": "OTHER",
	} {
		if got := j.Of(country); got != want {
			t.Errorf("Of(%q) = %q, want %q", country, got, want)
		}
	}
	if diff := cmp.Diff([]string{"BALKANS_2", "CN", "EEA", "LATAM", "OTHER", "SG", "UK", "US"}, j.Names()); diff != "" {
		t.Errorf("Names() mismatch (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"CN", "EEA", "OTHER", "SG", "UK", "US"}, Jurisdictions{}.Names()); diff != "" {
		t.Errorf("default Names() mismatch (-want +got):\n%s", diff)
	}
	if j, err := NewJurisdictions(nil); err != nil || j.Of("DE") != "EEA" {
		t.Errorf("NewJurisdictions(nil) = %v, %v; want the defaults", j, err)
	}
}

func TestJurisdictionsInvalid(t *testing.T) {
	tests := []struct {
		country, jurisdiction, reason string
	}{
		{"gb", "UK", "country"},
		{"GBR", "UK", "country"},
		{"", "UK", "country"},
		{"ZZ", "UK", "country"},  // two letters, not assigned
		{"EU", "EEA", "country"}, // exceptionally reserved, not a country
		{"G1", "UK", "country"},
		{"FR", "eea", "jurisdiction"},
		{"FR", "", "jurisdiction"},
		{"FR", "1EEA", "jurisdiction"},
		{"FR", "_EEA", "jurisdiction"},
		{"FR", "EE-A", "jurisdiction"},
		{"FR", "EEA ", "jurisdiction"},
		{"FR", strings.Repeat("A", 33), "jurisdiction"},
	}
	for _, tt := range tests {
		t.Run(tt.country+"="+tt.jurisdiction, func(t *testing.T) {
			j, err := NewJurisdictions(map[string]string{tt.country: tt.jurisdiction})
			var oe *OverrideError
			if !errors.As(err, &oe) {
				t.Fatalf("error = %v, want an *OverrideError", err)
			}
			if oe.Country != tt.country || oe.Jurisdiction != tt.jurisdiction || !strings.HasPrefix(oe.Reason, tt.reason) {
				t.Errorf("error = %+v, want country %q, jurisdiction %q, reason about the %s", oe, tt.country, tt.jurisdiction, tt.reason)
			}
			if j.Of("FR") != "EEA" {
				t.Errorf("table after an error is not the default")
			}
		})
	}
	if _, err := NewJurisdictions(map[string]string{"FR": strings.Repeat("A", 32)}); err != nil {
		t.Errorf("a 32-character jurisdiction is rejected: %v", err)
	}
}

// TestJurisdictionsEveryProblem checks that every invalid entry is
// reported, in country order.
func TestJurisdictionsEveryProblem(t *testing.T) {
	_, err := NewJurisdictions(map[string]string{"zz": "X", "FR": "ok", "DE": "EEA", "AA": "BAD-NAME"})
	var joined interface{ Unwrap() []error }
	if !errors.As(err, &joined) {
		t.Fatalf("error = %v, want joined errors", err)
	}
	var countries []string
	for _, e := range joined.Unwrap() {
		var oe *OverrideError
		if !errors.As(e, &oe) {
			t.Fatalf("%v is not an *OverrideError", e)
		}
		countries = append(countries, oe.Country)
	}
	if diff := cmp.Diff([]string{"AA", "FR", "zz"}, countries); diff != "" {
		t.Errorf("reported countries mismatch (-want +got):\n%s", diff)
	}
	if msg := err.Error(); !strings.Contains(msg, `jurisdiction override "FR": "ok"`) {
		t.Errorf("message does not name the entry: %s", msg)
	}
}

// TestAssignedCountries guards the ISO 3166-1 table against typos: 249
// codes and XK, each two upper-case letters, sorted, none twice.
func TestAssignedCountries(t *testing.T) {
	if len(assignedCountries)%2 != 0 {
		t.Fatalf("table has odd length %d", len(assignedCountries))
	}
	var codes []string
	for i := 0; i < len(assignedCountries); i += 2 {
		codes = append(codes, assignedCountries[i:i+2])
	}
	if len(codes) != 250 || codes[len(codes)-1] != "XK" {
		t.Fatalf("table has %d codes ending in %s, want 249 and XK", len(codes), codes[len(codes)-1])
	}
	iso := codes[:249]
	if !slices.IsSorted(iso) {
		t.Error("ISO codes are not sorted")
	}
	if len(slices.Compact(slices.Clone(iso))) != 249 {
		t.Error("a code appears twice")
	}
	for _, c := range append(slices.Clone(eea), "GB", "US", "CN", "SG") {
		if !isAssignedCountry(c) {
			t.Errorf("%s is not in the table", c)
		}
	}
}

func TestJurisdictionsOfAllocs(t *testing.T) {
	j, err := NewJurisdictions(map[string]string{"CH": "EEA"})
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() { _, _, _ = j.Of("DE"), j.Of("CH"), j.Of("BR") }); n != 0 {
		t.Errorf("Of allocates %v times per run, want 0", n)
	}
}

// TestAssignedCountriesMatchIsoCodes compares the table with Debian's
// iso-codes package, when it is installed.
func TestAssignedCountriesMatchIsoCodes(t *testing.T) {
	const path = "/usr/share/iso-codes/json/iso_3166-1.json"
	data, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("iso-codes not installed (%v); install the iso-codes package to run this check", err)
	}
	var doc struct {
		Countries []struct {
			Alpha2 string `json:"alpha_2"`
		} `json:"3166-1"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	var want []string
	for _, c := range doc.Countries {
		want = append(want, c.Alpha2)
	}
	slices.Sort(want)
	want = append(want, "XK")
	var got []string
	for i := 0; i < len(assignedCountries); i += 2 {
		got = append(got, assignedCountries[i:i+2])
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("table differs from %s (-iso-codes +table):\n%s", path, diff)
	}
}
