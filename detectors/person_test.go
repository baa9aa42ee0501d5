package detectors

import (
	"slices"
	"testing"
)

func TestPerson(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		line string
		want []string
	}{
		// Cues.
		{"ticket reassigned to Maria Garcia by support", []string{"Maria Garcia"}},
		{"Ms. Rennie flew to Neupré on Friday", []string{"Rennie"}},
		{"Dear Rose, welcome", []string{"Rose"}},
		{"approved by Dr. Cettina Fanucci", []string{"Cettina Fanucci"}},
		{`From: "Zorblat Quux" <zq@example.com>`, []string{"Zorblat Quux"}},
		{"Producer James Sparks explained", []string{"James Sparks"}},
		// Lexicon and shape.
		{"They had 6: Kateřina, James and Emily.", []string{"Kateřina", "James", "Emily"}},
		{"called Giovanna Rodrigues MD", []string{"Giovanna Rodrigues MD"}},
		{"escalated after Faina D. Yefremova reported", []string{"Faina D. Yefremova"}},
		{"Willemine ten Pas will talk", nil}, // unknown words, a particle: no shape
		{"sung by Adam McDowell in 1975", []string{"Adam McDowell"}},
		{"Edi Živković's verses", []string{"Edi Živković"}},
		{"王伟先生来电", []string{"王伟"}},
		{"联系人：张丽娜 已验证", []string{"张丽娜"}},
		// Not people.
		{"at org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)", nil},
		{"INFO Started Application in 3.2 seconds (JVM running for 4.1)", nil},
		{"usb 1-2: Manufacturer: Kingston", nil},
		{"I work for Johnson Inc. in South Africa", nil},
		{"Caused by: java.net.ConnectException: Connection refused", nil},
		{"GET /Users/Jennifer/profile HTTP/1.1", nil},
		{"MAX_RETRIES=3 JENNIFER SMITH", nil},
		{"I will be travelling to France next week", nil},
		{"lives on Rue de Rivoli", nil},
		// A name's words again later in the line, either side.
		{"directed by Maciej Borkowski and starring Borkowski", []string{"Maciej Borkowski", "Borkowski"}},
		{"Borkowski wrote it; Maciej Borkowski signed it", []string{"Borkowski", "Maciej Borkowski"}},
		{"my name is Ján M. Novák but everyone calls me Ján", []string{"Ján M. Novák", "Ján"}},
		// Names listed with a given name.
		{"They had 3: Gaetane, Hannah and Derek.", []string{"Gaetane", "Hannah", "Derek"}},
		// A surname inside a sentence.
		{"the market is moving in that direction, says Christiansen.", []string{"Christiansen"}},
		{"a perfect example of unbridled creativity than early Lundberg?", []string{"Lundberg"}},
		{"the true gender of Kowalczyk has been under debate", []string{"Kowalczyk"}},
		// Cues: speech, kin after a possessive, a small title with a dot.
		{"I'm so jealous! said Maslin to Antonio", []string{"Maslin", "Antonio"}},
		{"I would like to remove my kid Tadzio from the will", []string{"Tadzio"}},
		{"Sometimes people call me Piusz", []string{"Piusz"}},
		{"I'd like to join accounts with ms. Quinzia", []string{"Quinzia"}},
		{"For my take on Dr. Wells, see below", []string{"Wells"}}, // a street word after a title
		// Cues after the name: a verb of people, a name called out.
		{"Timotea lives on Via dei Fiorentini 17", []string{"Timotea"}},
		{"Zak shouted at Scott", []string{"Zak", "Scott"}},
		{"Reason: \"timeout\"", nil},
		{"Remember me, Maria? I do.", []string{"Maria"}},
		{"He lives on the north side", nil},
		{"You said your e-mail is wrong", nil},
		// A town after a street is no person.
		{"Apt. 397, Mora de Rubielos, Spain 16200", nil},
		{"Thomas and Sons is a multinational", nil},
		// Not people.
		// Surnames alone list a firm: "Oneal" after the weak cue "and"
		// is taken (as before), but not its list mates.
		{"Owens, Duran and Oneal is a design agency", []string{"Oneal"}},
		{"send it to Katrina and Rúa do Paseo 46", []string{"Katrina"}}, // a street is no list mate
		{"studied at the University of Nicosia", nil},
		{"according to the Uber website", nil},
		{"lives on 33 avenue de Provence", nil},
	} {
		if got := findingsOf(t, s, c.line, Person); !slices.Equal(got, c.want) {
			t.Errorf("%q: got %q, want %q", c.line, got, c.want)
		}
	}
}

func TestPersonCueOnly(t *testing.T) {
	s, err := New(Options{Names: NameOptions{PersonCueOnly: true}})
	if err != nil {
		t.Fatal(err)
	}
	if got := nameFindings(t, s, "meeting notes: Kateřina Nováková agreed"); len(got) != 0 {
		t.Errorf("cue-only found %q without a cue", got)
	}
	if got := nameFindings(t, s, "assigned to Kateřina Nováková"); !slices.Equal(got, []string{"person:Kateřina Nováková"}) {
		t.Errorf("cue-only after a cue: got %q", got)
	}
}

func TestPersonExtraLexicon(t *testing.T) {
	line := "handled by Zorblat today"
	s, _ := New(Options{})
	if got := nameFindings(t, s, line); len(got) != 0 {
		t.Fatalf("unknown word found: %q", got)
	}
	s, err := New(Options{Names: NameOptions{Lexicons: [][]byte{[]byte("# staff\nZorblat\n")}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := nameFindings(t, s, line); !slices.Equal(got, []string{"person:Zorblat"}) {
		t.Errorf("extra lexicon: got %q", got)
	}
	// The embedded table is not changed by a scanner's extra lexicon.
	if baseLexicon().get(foldHash([]byte("Zorblat"))) != 0 {
		t.Error("extra lexicon leaked into the embedded table")
	}
}
