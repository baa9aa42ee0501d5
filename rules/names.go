package rules

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/scrubd/scrubd/detectors"
)

// nameOptions copies the person and address settings of d (the rule of
// detector t) into o, reading the extra lexicon files.
func nameOptions(o *detectors.NameOptions, p *Policy, t detectors.Type, d *DetectorRule) error {
	switch t {
	case detectors.Person:
		o.PersonCueOnly = d.CueOnly
	case detectors.Address:
		o.AddressCueOnly = d.CueOnly
	}
	for _, f := range d.Lexicons {
		if p.Keys.base != "" && !filepath.IsAbs(f) {
			f = filepath.Join(p.Keys.base, f)
		}
		data, err := os.ReadFile(f)
		if err != nil {
			return fmt.Errorf("compile policy: person lexicon: %w", err)
		}
		o.Lexicons = append(o.Lexicons, data)
	}
	return nil
}
