package detectors

import (
	"fmt"
)

// Options configures a Scanner. The zero value enables every built-in type
// with the default phone regions.
type Options struct {
	// Disabled lists built-in types that the scanner must not report.
	Disabled []Type
	// PhoneRegions are the ISO 3166-1 alpha-2 regions whose national formats
	// are recognised for numbers written without a leading '+'. Empty means
	// DefaultPhoneRegions.
	PhoneRegions []string
	// PhoneCueRegions are the regions whose national numbers, in any
	// grouping, are recognised after a cue word ("tel", "手机", ...; see
	// phonecue.go), besides PhoneRegions. Empty means
	// DefaultPhoneCueRegions.
	PhoneCueRegions []string
	// Custom adds detectors written as regular expressions.
	Custom []Custom
	// Names tunes the person and address detectors (lexicon.go).
	Names NameOptions
}

// DefaultPhoneRegions are the regions whose national phone formats are
// recognised when Options.PhoneRegions is empty.
var DefaultPhoneRegions = []string{"US", "GB", "DE", "FR", "IN", "CN", "SG"}

// A Scanner finds personal data in byte slices. It is immutable once built and
// safe for concurrent use.
type Scanner struct {
	enabled [len(Builtin)]bool
	phone   *phoneMatcher
	custom  []*customDetector
	names   *nameMatchers // nil when person and address are both off
	// natNumbers and natLetters say whether a national id that starts
	// with a digit, or with letters, is enabled.
	natNumbers, natLetters bool
}

// New builds a Scanner from opts.
func New(opts Options) (*Scanner, error) {
	s := &Scanner{}
	for i := range s.enabled {
		s.enabled[i] = true
	}
	for _, t := range opts.Disabled {
		i := builtinIndex(t)
		if i < 0 {
			return nil, fmt.Errorf("disable detector %q: not a built-in type", t)
		}
		s.enabled[i] = false
	}
	regions := opts.PhoneRegions
	if len(regions) == 0 {
		regions = DefaultPhoneRegions
	}
	cueRegions := opts.PhoneCueRegions
	if len(cueRegions) == 0 {
		cueRegions = DefaultPhoneCueRegions
	}
	pm, err := newPhoneMatcher(regions, cueRegions)
	if err != nil {
		return nil, fmt.Errorf("build phone detector: %w", err)
	}
	s.phone = pm
	s.natNumbers = s.natEnabled(natCN, natAadhaar, natSSN, natCPF, natNIF, natNINO, natNIR, natBSN, natSteuer,
		natPESEL, natSE, natRRN, natMyNumber, natTCKN, natSNILS, natNIK)
	s.natLetters = s.natEnabled(natPAN, natNIF, natNRIC, natNINO, natCF, natCURP)
	s.names = newNameMatchers(s.enabled[idxPerson], s.enabled[idxAddress], opts.Names)
	for _, c := range opts.Custom {
		cd, err := newCustomDetector(c)
		if err != nil {
			return nil, fmt.Errorf("compile custom detector %q: %w", c.Name, err)
		}
		s.custom = append(s.custom, cd)
	}
	return s, nil
}

func builtinIndex(t Type) int {
	for i, b := range Builtin {
		if b == t {
			return i
		}
	}
	return -1
}

// Enabled reports whether the scanner reports findings of type t.
func (s *Scanner) Enabled(t Type) bool {
	i := builtinIndex(t)
	if i >= 0 {
		return s.enabled[i]
	}
	for _, c := range s.custom {
		if c.name == t {
			return true
		}
	}
	return false
}
