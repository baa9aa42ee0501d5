package detectors

import (
	"slices"
	"testing"
)

func TestAddress(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		{"ship to 52 Huntly Street, Barmolloch", []string{"52 Huntly Street, Barmolloch"}},
		{"The restaurant is at 2450 Crown St", []string{"2450 Crown St"}},
		{"He lives on Rua Diadema 1903.", []string{"Rua Diadema 1903"}},
		{"2456 Rue de Virton 38  Suite 510", []string{"2456 Rue de Virton 38  Suite 510"}},
		{"adresse 12 Rue de Rivoli Paris", []string{"12 Rue de Rivoli Paris"}},
		{"indirizzo Via Roma 131", []string{"Via Roma 131"}},
		{"Lieferadresse Pohlstraße 9, Berlin", []string{"Pohlstraße 9, Berlin"}},
		{"Apt. 4B and P.O. Box 1234", []string{"Apt. 4B", "P.O. Box 1234"}},
		{"PSC 5217, Box 4854", []string{"PSC 5217, Box 4854"}},
		{"Springfield, IL 62704-1234", []string{"Springfield, IL 62704-1234"}},
		{"ул. Ленина, д. 5", []string{"ул. Ленина, д. 5"}},
		{"收货地址 中山路123号", []string{"中山路123号"}},
		// Not addresses.
		{"Via Kafka the event reached 3 brokers", nil},
		{"retry 3 Main St.Foo(bar)", nil},
		{"Straße 9", nil},
		{"build 10.2 Park Lane", nil},
		{"Unit nginx.service entered failed state", nil},
		{"Springfield, XX 62704", nil},
		{"中山路号", nil},
	} {
		if got := findingsOf(t, s, c.line, Address); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

func TestAddressCueOnly(t *testing.T) {
	s, err := New(Options{Names: NameOptions{AddressCueOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := nameFindings(t, s, "meet at 52 Huntly Street"); len(got) != 0 {
		t.Errorf("cue-only found %q without a cue", got)
	}
	if got := nameFindings(t, s, "ship to 52 Huntly Street"); !slices.Equal(got, []string{"address:52 Huntly Street"}) {
		t.Errorf("cue-only after a cue: got %q", got)
	}
}
