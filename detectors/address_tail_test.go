package detectors

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAddressTail checks that an address finding takes the rest of the
// postal address after its street: units, town, region, postal code and
// country, on one line or on several.
func TestAddressTail(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		// One line, English-speaking countries.
		{"ship to 12 Main Street, Springfield, IL 62704", []string{"12 Main Street, Springfield, IL 62704"}},
		{"ship to 12 Main Street Apt. 4B, Springfield, IL 62704-1234.", []string{"12 Main Street Apt. 4B, Springfield, IL 62704-1234"}},
		{"deliver to 221 Baker Street, London NW1 6XE, United Kingdom", []string{"221 Baker Street, London NW1 6XE, United Kingdom"}},
		{"mail it to 7 Ocean Road, Flat 3, BRIGHTON BN1 1AA", []string{"7 Ocean Road, Flat 3, BRIGHTON BN1 1AA"}},
		{"office: 80 Wellington Street, Ottawa, ON K1A 0B1, Canada", []string{"80 Wellington Street, Ottawa, ON K1A 0B1, Canada"}},
		{"billing: 14 Harbour Avenue Suite 300, Sydney NSW 2000, Australia; thanks", []string{"14 Harbour Avenue Suite 300, Sydney NSW 2000, Australia"}},
		{"lives at 9 Gordon Terrace #12, St. Louis, MO 63101", []string{"9 Gordon Terrace #12, St. Louis, MO 63101"}},
		{"ship to 5 Pine Road 3rd Floor, Dublin D02 X285", []string{"5 Pine Road 3rd Floor, Dublin D02 X285"}},
		// Continental formats: postcode before the town, particles.
		{"Lieferadresse Hauptstraße 5, Wohnung 3, 10115 Berlin, Deutschland", []string{"Hauptstraße 5, Wohnung 3, 10115 Berlin, Deutschland"}},
		{"Adresse: Bahnhofstrasse 12, CH-8001 Zürich", []string{"Bahnhofstrasse 12, CH-8001 Zürich"}},
		{"adresse 12 Rue de Rivoli, Appartement 12, 75001 Paris, France", []string{"12 Rue de Rivoli, Appartement 12, 75001 Paris, France"}},
		{"adresse 5 Avenue Foch, Bâtiment B, 2e étage, 75116 Paris", []string{"5 Avenue Foch, Bâtiment B, 2e étage, 75116 Paris"}},
		{"Adresse: Bahnhofstrasse 12, 3. Stock, 8001 Zürich", []string{"Bahnhofstrasse 12, 3. Stock, 8001 Zürich"}},
		{"envoyer à 3 Rue des Lilas, 42000 Saint-Étienne", []string{"3 Rue des Lilas, 42000 Saint-Étienne"}},
		{"dirección Calle Mayor 5, piso 3, 28013 Madrid", []string{"Calle Mayor 5, piso 3, 28013 Madrid"}},
		{"vive en Calle Real 20, Mora de Rubielos, Spain 44400, y trabaja", []string{"Calle Real 20, Mora de Rubielos, Spain 44400"}},
		{"indirizzo Via Roma 131, 00184 Roma RM", []string{"Via Roma 131, 00184 Roma RM"}},
		{"morada Rua do Carmo 40, 3º andar, 1200-093 Lisboa, Portugal", []string{"Rua do Carmo 40, 3º andar, 1200-093 Lisboa, Portugal"}},
		{"endereço Rua Augusta 1500, 01304-001 São Paulo, Brasil", []string{"Rua Augusta 1500, 01304-001 São Paulo, Brasil"}},
		{"adres Keizersgracht 123, 1015 CJ Amsterdam", []string{"Keizersgracht 123, 1015 CJ Amsterdam"}},
		{"adres ul. Marszałkowska 10, 00-950 Warszawa", []string{"ul. Marszałkowska 10, 00-950 Warszawa"}}, // Polish abbreviated street word, then postal code and town
		{"Lieferung an Marktgasse 4, 114 55 Stockholm, Sverige", []string{"Marktgasse 4, 114 55 Stockholm, Sverige"}},
		{"Lieferadresse Hauptstraße 5\n Port Whangarei\n New Zealand 0110", []string{"Hauptstraße 5\n Port Whangarei\n New Zealand 0110"}},
		{"adresa Suite 632\n Črni Vrh nad Idrijo\n Slovenia 5274", []string{"Suite 632\n Črni Vrh nad Idrijo\n Slovenia 5274"}},
		{"доставка: ул. Тверская, д. 7, кв. 3\nСАНКТ-ПЕТЕРБУРГ\n\nРОССИЯ", []string{"ул. Тверская, д. 7, кв. 3\nСАНКТ-ПЕТЕРБУРГ\n\nРОССИЯ"}},
		{"Suite 4\n ΑΘΗΝΑ 105 57\n\n ΕΛΛΆΔΑ", []string{"Suite 4\n ΑΘΗΝΑ 105 57\n\n ΕΛΛΆΔΑ"}},
		{"Suite 4\n ΑΘΗΝΑ\n\n Περιφέρεια", []string{"Suite 4\n ΑΘΗΝΑ"}}, // no code or country after the blank line
		{"Suite 4\n Αθήνα 105 57\n\n Ελλάδα", []string{"Suite 4\n Αθήνα 105 57\n\n Ελλάδα"}},
		{"Apt. 263, Grand-Leez, Belgium 5031", []string{"Apt. 263, Grand-Leez, Belgium 5031"}},
		{"Apt. 9, L'Aquila AQ 67100, Italia", []string{"Apt. 9, L'Aquila AQ 67100, Italia"}},
		{"address: 450 Præstevænget 15, København V", []string{"450 Præstevænget 15, København V"}},
		{"Anschrift: Schillerstraße 8, Frankfurt am Main", []string{"Schillerstraße 8, Frankfurt am Main"}},
		{"ship to 1987 74 Diakou Street, Λευκωσία", []string{"1987 74 Diakou Street, Λευκωσία"}},
		{"адрес ул. Ленина, д. 5, кв. 12, Москва, 101000", []string{"ул. Ленина, д. 5, кв. 12, Москва, 101000"}},
		{"postal address 8 Church Lane, 100-0005 Tokyo, Japan", []string{"8 Church Lane, 100-0005 Tokyo, Japan"}},
		{"ship to 12 Church Lane, 〒100-0005", []string{"12 Church Lane"}},
		// Several lines.
		{"Ship to:\n  Anna Berg\n  44 Elm Street\n  Apt 7\n  Portland, OR 97201\n  USA", []string{"44 Elm Street\n  Apt 7\n  Portland, OR 97201\n  USA"}},
		{"Please send it to 77 King Street\nSuite 12\nTORONTO\n, ON\n M5H 1J9", []string{"77 King Street\nSuite 12\nTORONTO\n, ON\n M5H 1J9"}},
		{"address: Bergveien 3\n0150 Oslo\n\nNorway", []string{"Bergveien 3\n0150 Oslo\n\nNorway"}},
		{"PSC 1234, Box 5678\nAPO AE 09012", []string{"PSC 1234, Box 5678\nAPO AE 09012"}},
		{"return to Unit 2201 Box 330\nFPO AP 96601, thanks", []string{"Unit 2201 Box 330\nFPO AP 96601"}},
		{"> 10 High Street\n> Suite 5\n> OXFORD\n> United Kingdom OX1 4AA", []string{"10 High Street\n> Suite 5\n> OXFORD\n> United Kingdom OX1 4AA"}},
		{"Szállítás: Király u. 15.\n Budapest\n Hungary 1061", []string{"Király u. 15.\n Budapest\n Hungary 1061"}},
		{"Erzsébet tér 19. Suite 4, Pécs", []string{"Erzsébet tér 19. Suite 4, Pécs"}},
		{"send it to 3 Park Lane Suite 9 and call me", []string{"3 Park Lane Suite 9"}},
		{"arrived at 60 Oak Avenue Suite 7, Lyon, France last night", []string{"60 Oak Avenue Suite 7, Lyon, France"}},
		{"arrived at 760 Passauer Strasse 33, Graz, Austria 8010 last night.", []string{"760 Passauer Strasse 33, Graz, Austria 8010"}},
		{"The restaurant is at 2450 Crown St in the city", []string{"2450 Crown St"}},
		{"Cyprus address: Suite 112\n ΛΕΥΚΩΣΙΑ\n Cyprus (Greek) 1010", []string{"Suite 112\n ΛΕΥΚΩΣΙΑ\n Cyprus (Greek) 1010"}},
		{"9554 62 Rue Gafsa Apt. 981\nToronto\n, ON\n 82269", []string{"9554 62 Rue Gafsa Apt. 981\nToronto\n, ON\n 82269"}},
		// Line breaks escaped in a one-line record.
		{`send it to 14 Crown Street Kishiev Squares\n Suite 321\n LONDON\n United Kingdom SW1A 1AA? I am away`, []string{`14 Crown Street Kishiev Squares\n Suite 321\n LONDON\n United Kingdom SW1A 1AA`}},
		{`ship to 12 Main Street, Boston\r\nMA 02101\r\nstatus=ok`, []string{`12 Main Street, Boston\r\nMA 02101`}},
		{`ship to 12 Main Street, Boston\nsee you`, []string{`12 Main Street, Boston`}},
		{`ship to 12 Main Street, Boston\x41Boston`, []string{`12 Main Street`}},
		{`{"msg":"ship to 12 Main Street, Springfield","user":"x"}`, []string{"12 Main Street, Springfield"}},
		{"msg=\"ship to 12 Main Street, Boston\" level=info", []string{"12 Main Street, Boston"}},
	} {
		if got := findingsOf(t, s, c.line, Address); !slices.Equal(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.line, got, c.want)
		}
	}
}

// TestAddressTailStops checks where the extension must not go: into
// prose, log fields, timestamps, other findings, past a blank line.
func TestAddressTailStops(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string
		want []string // every finding, "type:text"
	}{
		{"delivered to 12 Main Street 3 times", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street 2024 12:00", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street 7 Suite 2", []string{"address:12 Main Street 7 Suite 2"}},
		{"ship to 12 Main Street, Port 8080 is open", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Port 8080", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street\nINFO Server Started", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street\nERROR", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, then call me", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street. The parcel is late", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Boston. The parcel is late", []string{"address:12 Main Street, Boston"}},
		{"ship to 12 Main Street, user=jdoe", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, User=jdoe", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Status: shipped", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, 2024-01-01 12:00", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street 2024-01-01T12:00:00Z", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, 1700000000 ms", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street level=info", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street\tINFO\tworker started", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street | Boston | 200", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Boston 3 items", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street Boston with care", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Phone 555-1234", []string{"address:12 Main Street", "phone:555-1234"}},
		{"ship to 12 Main Street, Phone 5551", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Boston jo@example.com", []string{"address:12 Main Street", "email:jo@example.com"}},
		{"ship to 12 Main Street, Boston, jo@example.com", []string{"address:12 Main Street, Boston", "email:jo@example.com"}},
		{"ship to 12 Main Street\nERROR worker failed", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street\nError: worker failed", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street\n\nThanks, Anna", []string{"address:12 Main Street", "person:Anna"}},
		{"ship to 12 Main Street\n\nSpringfield", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, de la", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, HttpClient", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Boston, IL, USA, Earth, Sol, Milky, Way, Far", []string{"address:12 Main Street, Boston, IL, USA, Earth, Sol, Milky"}},
		{"ship to 12 Main Street, nan, 12345", []string{"address:12 Main Street"}},
		{"ship to 12 Main Street, Mr Smith", []string{"address:12 Main Street", "person:Smith"}},
		{"Apt. 4B and P.O. Box 1234", []string{"address:Apt. 4B", "address:P.O. Box 1234"}},
		// No address finding, no extension.
		{"Boston, MA, USA 02101", nil},
		{"Paris, France 75001", nil},
		{"Unit nginx.service entered failed state, Boston", nil},
	} {
		if got := scanFindings(t, s, c.line, nil); !slices.Equal(got, c.want) {
			t.Errorf("%q:\n got %q\nwant %q", c.line, got, c.want)
		}
	}
}

// TestAddressTailBounds checks the bounds: a segment of eight tokens is
// taken, one of nine is not, and a segment that ends beyond the byte window
// is not.
func TestAddressTailBounds(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	seg := strings.Repeat("Abcdefghij ", 7) + "Abc" // eight tokens, 80 bytes
	for _, c := range []struct{ line, want string }{
		{"ship to 12 Main Street, " + seg, "12 Main Street, " + seg},
		{"ship to 12 Main Street, Xyz " + seg, "12 Main Street"},
		{"ship to 12 Main Street, " + seg + ", " + seg, "12 Main Street, " + seg},
		{"ship to 12 Main Street, A, B, C, D, E, F, G, H", "12 Main Street"}, // one letter is no town
		{"ship to 12 Main Street, Ab, Bc, Cd, De, Ef, Fg, Gh", "12 Main Street, Ab, Bc, Cd, De, Ef, Fg"},
	} {
		got := findingsOf(t, s, c.line, Address)
		if len(got) != 1 || got[0] != c.want {
			t.Errorf("%q:\n got %q\nwant %q", c.line, got, c.want)
		}
	}
}

// FuzzAddressTail checks the extension of an address over arbitrary text
// after a street: it stays between the street's end and the next finding of
// the main pass, within the byte window, ends on a whole character and
// after a token (not a separator), holds no tab; and in a scan the street's
// finding stays within the window and overlaps no other.
func FuzzAddressTail(f *testing.F) {
	for _, s := range []string{
		", Springfield, IL 62704", " Apt. 4B\nBoston\n, MA\n USA 02101? ok", ", 75001 Paris, France", ", then call me",
		". The parcel", ", user=jdoe", ", 2024-01-01 12:00", "\n\nDenmark 35018", `\n Suite 3\n LONDON\n United Kingdom SW1A 1AA`,
		", Mora de Rubielos, Spain 16200, and", ", ΛΕΥΚΩΣΙΑ\n Cyprus (Greek) 1010", ", кв. 12, Москва, 101000", " 33, 3º andar, 1200-093 Lisboa",
		", Boston jo@example.com", ", K1A 0B1 D02 X285 CH-8001 00-950 123-4567 1011 AB 114 55", "\n> Suite 5\n> OXFORD", ", St. Louis, MO",
		",\xc3", " \xe2\x80\x99", ", A\xcc", ", Ab-", ", 3rd Floor", " #", ", Ab\\", ", Ab\\n",
	} {
		f.Add([]byte(s), uint8(255))
	}
	s, err := New(Options{})
	if err != nil {
		f.Fatal(err)
	}
	const street = "ship to 12 Main Street"
	f.Fuzz(func(t *testing.T, tail []byte, lim uint8) {
		b := append([]byte(street), tail...)
		end := len(street)
		limit := min(len(b), end+int(lim))
		out := s.names.addressTail(b, end, limit)
		if out < end || out > limit || out > end+tailMaxBytes {
			t.Fatalf("tail end %d outside [%d, min(%d, %d)] in %q", out, end, limit, end+tailMaxBytes, b)
		}
		if out > end {
			switch b[out-1] {
			case ' ', ',', '\n', '\r', '\t':
				t.Fatalf("tail ends in a separator: %q", b[end:out])
			}
			if bytes.IndexByte(b[end:out], '\t') >= 0 {
				t.Fatalf("tail holds a tab: %q", b[end:out])
			}
			if utf8.Valid(b) && out < len(b) && !utf8.RuneStart(b[out]) {
				t.Fatalf("tail cuts a character: %q", b[end:out])
			}
		}
		// In a scan, the street's finding (when the tail leaves it one)
		// is the street and what addressTail takes after it, overlapping
		// no other finding.
		fs, _ := s.Scan(nil, b)
		for x, fd := range fs {
			if x > 0 && fs[x-1].End > fd.Start {
				t.Fatalf("findings %+v and %+v overlap in %q", fs[x-1], fd, b)
			}
			if fd.Type == Address && fd.Start == len("ship to ") && fd.End > end+tailMaxBytes {
				t.Fatalf("address %q longer than its street and tail window", b[fd.Start:fd.End])
			}
		}
	})
}
