package rules

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestScrubNationalIDs checks the default policy on national ids in every
// record format: found by the free-text detectors (with their cue where
// they need one) and by field names, and redacted.
func TestScrubNationalIDs(t *testing.T) {
	e := compileTest(t, "")
	tests := []struct {
		name, in, want string
	}{
		{"text ssn", "verify SSN 536-90-4399 failed", "verify SSN [us_ssn] failed"},
		{"text ssn bare needs cue", "pid 536904399 exited", "pid 536904399 exited"},
		{"text cn", "身份证号码：11010519491231002X 已验证", "身份证号码：[cn_resident_id] 已验证"},
		{"text aadhaar", "Aadhaar No. 2341 2341 2346 linked", "Aadhaar No. [in_aadhaar] linked"},
		{"text nric and pan", "NRIC S1234567D PAN ACUPA7085R", "NRIC [sg_nric] PAN [in_pan]"},
		{"json field aadhaar", `{"aadhaar":"234123412346","ok":true}`, `{"aadhaar":"[in_aadhaar]","ok":true}`},
		{"json field number", `{"pesel":44051401359}`, `{"pesel":"[pl_pesel]"}`},
		{"json field any shape", `{"curp":"n/a yet"}`, `{"curp":"[mx_curp]"}`},
		{"json free text", `{"msg":"CPF 390.533.447-05 cadastrado"}`, `{"msg":"CPF [br_cpf] cadastrado"}`},
		{"json free text cue", `{"msg":"BSN: 111222333"}`, `{"msg":"BSN: [nl_bsn]"}`},
		{"json no cue", `{"offset":111222333}`, `{"offset":111222333}`},
		{"logfmt field", "level=info nik=3171011708450001 msg=ok", "level=info nik=[id_nik] msg=ok"},
		{"logfmt text", `level=info msg="TC Kimlik No: 17291716060 doğrulandı"`, `level=info msg="TC Kimlik No: [tr_tckn] doğrulandı"`},
		{"logfmt field name part", "level=info customer_snils=11223344595", "level=info customer_snils=[ru_snils]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _ := scrub(t, e, tt.in)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Scrub(%q) (-want +got):\n%s", tt.in, diff)
			}
			// Scrubbing twice changes nothing.
			if again, _ := scrub(t, e, got); again != got {
				t.Errorf("not idempotent: %q -> %q -> %q", tt.in, got, again)
			}
		})
	}
}
