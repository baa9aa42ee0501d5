package rules

import (
	"crypto/sha256"
	"fmt"
	"github.com/scrubd/scrubd/rules/keyring"
	"strings"
)

// TestKeyID is the id of the fixed key that policy test cases run with, so
// that their expected pseudonyms are stable.
const TestKeyID = "test"

// TestKeyring returns the keyring policy test cases run with: one key, id
// "test", derived from the text "scrubd-test-key". Never use it for real data.
func TestKeyring() *Keyring {
	sum := sha256.Sum256([]byte("scrubd-test-key"))
	kr, err := keyring.New(TestKeyID, map[string][]byte{TestKeyID: sum[:]})
	if err != nil {
		panic(err)
	}
	return kr
}

// CaseResult is the outcome of one policy test case.
type CaseResult struct {
	Name string
	Line int
	Pass bool
	// Got describes what the policy did: the output, "dropped", or the error.
	Got string
	// Want describes what the case expected, in the same terms.
	Want string
}

// RunTests compiles p with TestKeyring and runs its test cases.
func RunTests(p *Policy) ([]CaseResult, error) {
	e, err := Compile(p, TestKeyring())
	if err != nil {
		return nil, err
	}
	var out []CaseResult
	var res Result
	for i, tc := range p.Tests {
		if tc == nil {
			continue // refused by Validate
		}
		cr := CaseResult{Name: tc.Name, Line: tc.line}
		if cr.Name == "" {
			cr.Name = fmt.Sprintf("tests[%d]", i)
		}
		eng, opt := e, Options{}
		switch {
		case tc.Country != "":
			j := e.Jurisdiction(tc.Country)
			eng, opt.Geo = e.ForJurisdiction(j), &Geo{Country: strings.ToUpper(tc.Country), Jurisdiction: j}
		case tc.Jurisdiction != "":
			eng = e.ForJurisdiction(tc.Jurisdiction)
		}
		got, err := eng.ScrubWith(nil, []byte(strings.TrimSuffix(tc.Input, "\n")), &res, opt)
		switch {
		case err != nil:
			cr.Got = "error: " + err.Error()
		case res.Dropped:
			cr.Got = "dropped"
		default:
			cr.Got = string(got)
		}
		switch {
		case tc.Error != "":
			cr.Want = "error: ... " + tc.Error + " ..."
			cr.Pass = err != nil && strings.Contains(err.Error(), tc.Error)
		case tc.Dropped:
			cr.Want = "dropped"
			cr.Pass = err == nil && res.Dropped
		default:
			cr.Want = strings.TrimSuffix(tc.Output, "\n")
			cr.Pass = err == nil && !res.Dropped && cr.Got == cr.Want
		}
		out = append(out, cr)
	}
	return out, nil
}
