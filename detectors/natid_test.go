package detectors

import (
	"bufio"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A natVector is one line of testdata/natid/vectors.tsv (see generate.py
// there for where each comes from).
type natVector struct {
	typ    Type
	valid  bool
	value  string
	source string
}

func readNatVectors(t *testing.T) []natVector {
	t.Helper()
	f, err := os.Open("testdata/natid/vectors.tsv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var vs []natVector
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		l := sc.Text()
		if l == "" || l[0] == '#' {
			continue
		}
		p := strings.Split(l, "\t")
		if len(p) != 4 || (p[1] != "valid" && p[1] != "invalid") {
			t.Fatalf("bad vector line %q", l)
		}
		vs = append(vs, natVector{Type(p[0]), p[1] == "valid", p[2], p[3]})
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return vs
}

// natLabels are, per type, a label written before a number in the tests
// and a field name; needsCue tells which written forms need the label.
var natLabels = map[Type]struct {
	cue, field string
	needsCue   func(v string) bool
}{
	CNResidentID:   {"身份证号码：", "id_card", never},
	INAadhaar:      {"Aadhaar No.", "aadhaar", always},
	INPAN:          {"PAN", "pan_number", func(v string) bool { return v[3] != 'P' }},
	USSSN:          {"SSN:", "ssn", func(v string) bool { return !regexp.MustCompile(`^\d{3}-\d{2}-\d{4}$`).MatchString(v) }},
	BRCPF:          {"CPF:", "cpf", func(v string) bool { return !strings.Contains(v, ".") }},
	ESNIF:          {"DNI", "dni", func(v string) bool { return regexp.MustCompile(`^\d{8}[A-F]$`).MatchString(v) }},
	SGNRIC:         {"NRIC", "nric", never},
	UKNINO:         {"NINO", "nino", hexWord},
	FRNIR:          {"NIR", "nir", func(v string) bool { return !strings.Contains(v, " ") }},
	ITFiscalCode:   {"codice fiscale", "codice_fiscale", hexWord},
	NLBSN:          {"BSN", "bsn", always},
	DETaxID:        {"Steuer-ID", "steuer_id", always},
	PLPESEL:        {"PESEL", "pesel", always},
	SEPersonnummer: {"personnummer", "personnummer", always},
	KRRRN:          {"주민등록번호", "rrn", never},
	JPMyNumber:     {"マイナンバー", "my_number", always},
	TRTCKN:         {"TC Kimlik No", "tckn", always},
	RUSNILS:        {"СНИЛС", "snils", func(v string) bool { return !strings.Contains(v, "-") }},
	MXCURP:         {"CURP", "curp", never},
	IDNIK:          {"NIK", "nik", always},
}

func never(string) bool { return false }

// hexWord reports whether v is written with hex digits only: a letter-start
// id of that shape needs a cue.
func hexWord(v string) bool { return regexp.MustCompile(`^[0-9A-F]+$`).MatchString(v) }
func always(string) bool    { return true }

// TestNatIDVectors places every vector in free text with and without its
// label and in a JSON field, and checks that the valid ones are found
// exactly (without a label only where their form needs none) and the
// invalid ones never.
func TestNatIDVectors(t *testing.T) {
	s := newTestScanner(t)
	vs := readNatVectors(t)
	seen := map[Type]int{}
	for _, v := range vs {
		lab, ok := natLabels[v.typ]
		if !ok {
			t.Fatalf("vector of unknown type %q", v.typ)
		}
		if v.valid {
			seen[v.typ]++
		}
		contexts := []struct {
			name, before, after string
			cued                bool
		}{
			{"cue", lab.cue + " ", " on file", true},
			{"cue colon", "applicant " + lab.cue + ":", ", verified", true},
			{"json", `{"` + lab.field + `":"`, `","ok":true}`, true},
			{"logfmt", "level=info " + lab.field + "=", " msg=stored", true},
			{"bare", "stored ", " for the applicant", false},
			{"start", "", " stored", false},
		}
		for _, c := range contexts {
			t.Run(string(v.typ)+"/"+v.value+"/"+c.name, func(t *testing.T) {
				text := c.before + v.value + c.after
				fs, err := s.Scan(nil, []byte(text))
				if err != nil {
					t.Fatal(err)
				}
				want := v.valid && (c.cued || !lab.needsCue(v.value))
				if v.typ == KRRRN && strings.Contains(v.source, "check digit") && c.cued {
					// Numbers issued since October 2020 have no check
					// digit: after a cue, any last digit is taken.
					want = true
				}
				var got []Finding
				for _, f := range fs {
					if nationalIDIndex(f.Type) >= 0 && f.Start < len(c.before)+len(v.value) && f.End > len(c.before) {
						got = append(got, f)
					}
				}
				if !want {
					if len(got) > 0 {
						t.Errorf("%q (%s, %s): found %v, want nothing", text, v.source, validity(v.valid), got)
					}
					return
				}
				exp := []Finding{{Type: v.typ, Start: len(c.before), End: len(c.before) + len(v.value)}}
				if diff := cmp.Diff(exp, got); diff != "" {
					t.Errorf("%q (%s): findings (-want +got):\n%s", text, v.source, diff)
				}
			})
		}
	}
	for typ := range natLabels {
		if seen[typ] < 5 {
			t.Errorf("only %d valid vectors of %s", seen[typ], typ)
		}
	}
}

func validity(v bool) string {
	if v {
		return "valid"
	}
	return "invalid"
}

// TestNatIDForms checks the written forms and their boundaries one by one.
func TestNatIDForms(t *testing.T) {
	s := newTestScanner(t)
	tests := []struct {
		name, in string
		want     []string // "type:text"
	}{
		{"ssn dashed", "SSN 536-90-4399.", []string{"us_ssn:536-90-4399"}},
		{"ssn dashed no cue", "applicant 536-90-4399 ok", []string{"us_ssn:536-90-4399"}},
		{"ssn spaced cue", "social security number is 536 90 4399", []string{"us_ssn:536 90 4399"}},
		{"ssn bare cue", "ssn=536904399", []string{"us_ssn:536904399"}},
		{"ssn bare no cue", "pid 536904399 exited", nil},
		{"ssn bare other cue", "bsn 536904399", nil},
		{"ssn then clock", "SSN 536-90-4399 12:00", []string{"us_ssn:536-90-4399"}},
		{"ssn longer dashed", "536-90-4399-1", nil},
		{"ssn decimal before", "v1.536-90-4399", nil},
		{"ssn 666", "SSN 666-90-4399", nil},
		{"ssn 9xx", "SSN 936-90-4399", nil},
		{"ssn group 00", "SSN 536-00-4399", nil},
		{"ssn serial 0000", "SSN 536-90-0000", nil},
		{"ssn example", "SSN 123-45-6789", nil},
		{"ssn two with cue", "SSN 536-90-4399, 536904398", []string{"us_ssn:536-90-4399"}},
		{"cpf formatted", "cliente 390.533.447-05", []string{"br_cpf:390.533.447-05"}},
		{"cpf bare cue", "CPF 39053344705", []string{"br_cpf:39053344705"}},
		{"cpf 9-2 cue", "CPF: 390533447-05", []string{"br_cpf:390533447-05"}},
		{"cpf bare", "order 39053344705", nil},
		{"cpf repeated", "CPF 111.111.111-11", nil},
		{"cpf número", "número do CPF: 39053344705", []string{"br_cpf:39053344705"}},
		{"snils", "СНИЛС 112-233-445 95", []string{"ru_snils:112-233-445 95"}},
		{"snils no cue", "id 112-233-445 95 ok", []string{"ru_snils:112-233-445 95"}},
		{"snils dashes", "112-233-445-95", []string{"ru_snils:112-233-445-95"}},
		{"snils bare cue", "snils=11223344595", []string{"ru_snils:11223344595"}},
		{"snils low", "СНИЛС 001-001-998 00", nil},
		{"cn", "身份证 11010519491231002X 已验证", []string{"cn_resident_id:11010519491231002X"}},
		{"cn lower x", "id 11010519491231002x", []string{"cn_resident_id:11010519491231002x"}},
		{"cn spaced", "id 110105 19491231 002X", []string{"cn_resident_id:110105 19491231 002X"}},
		{"cn in word", "a11010519491231002X", nil},
		{"cn followed", "11010519491231002X1", nil},
		{"cn 19 digits", "1101051949123100211", nil},
		{"dni", "DNI 54362315-K", []string{"es_nif:54362315-K"}},
		{"dni compact", "titular 54362315K.", []string{"es_nif:54362315K"}},
		{"dni lower no cue", "titular 54362315k", nil},
		{"dni lower cue", "dni: 54362315k", []string{"es_nif:54362315k"}},
		{"nie", "NIE X2482300W", []string{"es_nif:X2482300W"}},
		{"nie wrong", "X2482300A", nil},
		{"nric", "NRIC S1234567D ok", []string{"sg_nric:S1234567D"}},
		{"nric lower", "s1234567d", nil},
		{"nric in word", "xS1234567D", nil},
		{"nino", "NI number QQ123456C", nil}, // QQ is not allocated
		{"nino ok", "NINO AB123456C", []string{"uk_nino:AB123456C"}},
		{"nino spaced", "NINO AB 12 34 56 C", []string{"uk_nino:AB 12 34 56 C"}},
		{"nino spaced followed", "NINO AB 12 34 56 CD", nil},
		{"nino suffix E", "AB123456E", nil},
		{"nino hex", "id CA745716A", nil},
		{"nino hex cue", "NINO: CA745716A", []string{"uk_nino:CA745716A"}},
		{"cf omocodia not from the right", "CF PEWDTK36HRTBR5NV", nil},
		{"nir spaced", "2 95 10 99 126 111 93", []string{"fr_nir:2 95 10 99 126 111 93"}},
		{"nir corsica", "NIR 253072B07300470", []string{"fr_nir:253072B07300470"}},
		{"nir corsica spaced", "2 53 07 2A 073 004 43", []string{"fr_nir:2 53 07 2A 073 004 43"}},
		{"nir corsica no cue", "id 253072B07300470", nil},
		{"nir key sep", "n° de sécurité sociale 2951099126111 93", []string{"fr_nir:2951099126111 93"}},
		{"pan", "PAN ACUPA7085R", []string{"in_pan:ACUPA7085R"}},
		{"pan holder X", "ABMXA3211G", nil},
		{"pan company no cue", "ref AAACB1234F", nil},
		{"pan company cue", "PAN: AAACB1234F", []string{"in_pan:AAACB1234F"}},
		{"cf", "CF RCCMNL83S18D969H", []string{"it_fiscal_code:RCCMNL83S18D969H"}},
		{"cf omocodic", "RCCMNL83S18D96VE", nil}, // check character wrong for the omocode
		{"curp", "CURP BOXW310820HNERXN09", []string{"mx_curp:BOXW310820HNERXN09"}},
		{"aadhaar", "Aadhaar: 2341 2341 2346", []string{"in_aadhaar:2341 2341 2346"}},
		{"aadhaar devanagari", "आधार संख्या 234123412346", []string{"in_aadhaar:234123412346"}},
		{"aadhaar no cue", "2341 2341 2346", nil},
		{"aadhaar then more", "Aadhaar 2341 2341 2346 5", nil},
		{"my number", "個人番号 6214 9832 0257", []string{"jp_my_number:6214 9832 0257"}},
		{"bsn", "BSN 111222333", []string{"nl_bsn:111222333"}},
		{"bsn dotted", "burgerservicenummer: 1112.22.333", []string{"nl_bsn:1112.22.333"}},
		{"steuer", "Steuer-IdNr. 36 574 261 809", []string{"de_tax_id:36 574 261 809"}},
		{"steuer phrase", "Steuer ID 36574261809", []string{"de_tax_id:36574261809"}},
		{"pesel", "PESEL: 44051401359", []string{"pl_pesel:44051401359"}},
		{"tckn", "T.C. Kimlik No: 17291716060", []string{"tr_tckn:17291716060"}},
		{"personnummer", "personnummer 880320-0016", []string{"se_personnummer:880320-0016"}},
		{"personnummer plus", "pnr 880320+0016", []string{"se_personnummer:880320+0016"}},
		{"personnummer no cue", "build 880320-0016", nil},
		{"samordningsnummer", "samordningsnummer 880380-0011", nil}, // day 20+60 with the wrong check digit
		{"rrn", "971013-9019902", []string{"kr_rrn:971013-9019902"}},
		{"rrn post 2020 cue", "주민등록번호: 210315-4123456", []string{"kr_rrn:210315-4123456"}},
		{"rrn post 2020 no cue", "210315-4123456", nil},
		{"rrn bare cue", "RRN 9710139019902", []string{"kr_rrn:9710139019902"}},
		{"nik", "NIK: 3171011708450001", []string{"id_nik:3171011708450001"}},
		{"nik no cue", "3171011708450001", nil},
		{"cue across redaction", "SSN: [us_ssn] 536904399", nil},
		{"cue across pseudonym", "Aadhaar in_aadhaar_k1_ghijklmnopqrstuvghijklmn 234123412346", nil},
		{"cue field part", `{"customer_ssn":"536904399"}`, []string{"us_ssn:536904399"}},
		// Found by FuzzScanNatID: two numbers, one after the other, more
		// groups than any id has.
		{"cpf then snils", "390.533.447-05 112-233-445 95", []string{"br_cpf:390.533.447-05", "ru_snils:112-233-445 95"}},
		{"spaced groups in a longer run", "NIR 2 95 10 99 126 111 93 12 34", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs, err := s.Scan(nil, []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range fs {
				if nationalIDIndex(f.Type) >= 0 {
					got = append(got, string(f.Type)+":"+tt.in[f.Start:f.End])
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scan(%q) national ids (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

// natLogLines are system-log lines full of numbers that are not national
// ids: pids, tids, ports, offsets, sizes, block ids, epoch timestamps,
// versions, hex ids. None may be reported as one.
var natLogLines = []string{
	`12-07 10:05:03.123  1234  5678 I ActivityManager: Start proc 23456:com.example.app/u0a123 for activity pid=23456 uid=10123 gids={50123, 20123, 9997}`,
	`081109 203518 143 INFO dfs.DataNode$DataXceiver: Receiving block blk_-1608999687919862906 src: /10.250.19.102:54106 dest: /10.250.19.102:50010`,
	`081109 203519 145 INFO dfs.FSNamesystem: BLOCK* NameSystem.allocateBlock: /user/root/rand/_temporary/part-00000. blk_7503483334202473044 size 67108864 offset 134217728`,
	`[ 1234.567890] EXT4-fs (sda1): mounted filesystem with ordered data mode. Opts: (null) inode 123456789 block 987654321012`,
	`Dec  7 10:05:03 host sshd[123456]: Accepted publickey for deploy from 203.0.113.77 port 52144 ssh2: RSA SHA256:abc`,
	`2026-12-07 10:05:03, Info CBS Loaded Servicing Stack v10.0.19041.1371 with Core: C:\Windows\winsxs\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.19041.1371_none_7e1bd7147c8285b1\cbscore.dll`,
	`ts=1733565903 ts_ms=1733565903123 ts_us=1733565903123456 ts_ns=1733565903123456789 took=123456789ns`,
	`order 123456789012 shipped to warehouse 12345678901 batch 1234567890123456 id 110105194912310021`,
	`trace_id=4bf92f3577b34da6a3ce929d0e0e4736 span=00f067aa0ba902b7 req=8a3c5e1f-2b4d-4e6f-8a1b-2c3d4e5f6a7b`,
	`GET /api/v1/users/12345678901/orders/987654321?page=2 HTTP/1.1 200 5123456`,
	`kafka offset=123456789 partition=11 lag=23456789012 seq=9876543210 epoch=2026120710`,
	`build 230101-0001 release 2.11.3-12345 rev 880320-0016x`,
	`msg="payment ref PEWDTK36HRTBR5NV captured" id=CA745716A hresult=0x80070002 id2=AB123456C0`,
}

func TestNatIDNotInLogs(t *testing.T) {
	s := newTestScanner(t)
	for _, l := range natLogLines {
		fs, err := s.Scan(nil, []byte(l))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			if nationalIDIndex(f.Type) >= 0 {
				t.Errorf("%s %q in %q", f.Type, l[f.Start:f.End], l)
			}
		}
	}
}

// TestNatIDScanNoAllocs checks that lines with numbers the national-id
// matchers look at, found or not, cost no allocation.
func TestNatIDScanNoAllocs(t *testing.T) {
	s := newTestScanner(t)
	lines := append([]string{
		"SSN 536904399 and Aadhaar 2341 2341 2346, NIK 3171011708450001",
		"身份证 11010519491231002X, RCCMNL83S18D969H, BOXW310820HNERXN09, S1234567D",
	}, natLogLines...)
	dst := make([]Finding, 0, 32)
	for _, l := range lines {
		b := []byte(l)
		if n := testing.AllocsPerRun(50, func() { dst, _ = s.Scan(dst[:0], b) }); n != 0 {
			t.Errorf("%v allocations scanning %q", n, l)
		}
	}
}

// TestNatIDScrubTwice replaces every finding the way the redact action does
// and scans again: nothing new may be found, or scrubbing would not be
// idempotent (a cue seen across a replaced value).
func TestNatIDScrubTwice(t *testing.T) {
	s := newTestScanner(t)
	for _, in := range []string{
		"SSN 536-90-4399 536904398",
		"SSN 536 90 4399 and 536904398",
		"Aadhaar 2341 2341 2346 234123412346",
		"マイナンバー 621498320257 621498320257",
		"身份证 11010519491231002X 234123412346",
		"NIK 3171011708450001, 3171011708450001",
	} {
		for _, repl := range []string{"[%s]", "%s_k1_ghijklmnopqrstuvghijklmn", "*********"} {
			fs, err := s.Scan(nil, []byte(in))
			if err != nil {
				t.Fatal(err)
			}
			out := replaceFindings(in, fs, repl)
			again, _ := s.Scan(nil, []byte(out))
			if len(again) > 0 {
				t.Errorf("%q -> %q: found again %v", in, out, again)
			}
		}
	}
}

func replaceFindings(in string, fs []Finding, repl string) string {
	var b strings.Builder
	prev := 0
	for _, f := range fs {
		b.WriteString(in[prev:f.Start])
		b.WriteString(strings.ReplaceAll(repl, "%s", string(f.Type)))
		prev = f.End
	}
	b.WriteString(in[prev:])
	return b.String()
}

func TestNationalIDIndex(t *testing.T) {
	for k, typ := range NationalIDs {
		if Builtin[idxNatID+k] != typ {
			t.Errorf("Builtin[%d] = %s, want %s", idxNatID+k, Builtin[idxNatID+k], typ)
		}
		if BuiltinIndex(typ) != idxNatID+k || builtinIndex(typ) != idxNatID+k {
			t.Errorf("index of %s = %d/%d, want %d", typ, BuiltinIndex(typ), builtinIndex(typ), idxNatID+k)
		}
	}
	if len(Builtin) != idxNatID+len(NationalIDs) {
		t.Errorf("%d built-in types, want %d", len(Builtin), idxNatID+len(NationalIDs))
	}
}

func TestNatIDDisabled(t *testing.T) {
	s, err := New(Options{Disabled: []Type{USSSN, SGNRIC}})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := s.Scan(nil, []byte("SSN 536-90-4399 NRIC S1234567D PESEL 44051401359"))
	var got []Type
	for _, f := range fs {
		got = append(got, f.Type)
	}
	if diff := cmp.Diff([]Type{PLPESEL}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
