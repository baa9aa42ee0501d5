package discover

import (
	"cmp"
	"encoding/json"
	"io"
	"maps"
	"slices"
)

// Version is the version of the JSON report (docs/discover.md). It changes
// when a field changes meaning or goes away; new fields may be added
// within a version.
const Version = 1

// A Report is what a Tally found, in the order a reader wants it: the
// fields holding the most records with findings first. It is the JSON
// contract of `scrubd discover --format json` (docs/discover.md).
type Report struct {
	Version int `json:"version"`
	// Policy is the version (name and hash) of the policy that scrubbed.
	Policy string `json:"policy"`
	// Sources are the files or the topic read.
	Sources []string `json:"sources"`
	// Records is the number of records read, failed ones included.
	Records int64 `json:"records"`
	// RecordsWithFindings is the number of records with a finding.
	RecordsWithFindings int64 `json:"records_with_findings"`
	// Dropped is the number of records a drop_record rule dropped.
	Dropped int64 `json:"dropped"`
	// Formats counts the records by detected format (json, logfmt,
	// access, text).
	Formats map[string]int64 `json:"formats"`
	// Failed counts the records that failed closed, by reason.
	Failed map[string]int64 `json:"failed"`
	// Totals counts the findings by type over all fields.
	Totals []TypeCount `json:"totals"`
	// Fields are the fields with findings.
	Fields []Field `json:"fields"`
	// FieldsTruncated is true when there were more than MaxFields fields:
	// the rest are counted under the path "(other fields)".
	FieldsTruncated bool `json:"fields_truncated"`
}

// A Field is one place in the records that holds findings.
type Field struct {
	// Place is json, logfmt, access or text (in a record value), key or
	// header (of a Kafka record).
	Place string `json:"place"`
	// Path is the JSON key path (keys joined with '.', array elements
	// left out), the logfmt key, the access-log field or the header name;
	// "(text)" for findings in no field, "(key)" for the record key. Keys that are themselves personal data are
	// shown as their type in brackets, and keys of digits alone as '*'.
	Path string `json:"path"`
	// Records is the number of records with a finding in this field, and
	// Share that number over all records read.
	Records int64   `json:"records"`
	Share   float64 `json:"share"`
	// Types are the findings in this field by type, most frequent first.
	Types []TypeCount `json:"types"`
}

// A TypeCount counts the findings of one type.
type TypeCount struct {
	// Type is the finding type: a detector's (email, ipv4, card, ...) or
	// the name of the field rule that matched.
	Type string `json:"type"`
	// Count is the number of findings; Records the number of records with
	// at least one, and Share that number over all records read.
	Count   int64   `json:"count"`
	Records int64   `json:"records"`
	Share   float64 `json:"share"`
	// Action is what the policy does with these findings.
	Action string `json:"action"`
	// Example is the masked shape of the first finding (see Mask); never
	// the value. Totals have none.
	Example string `json:"example,omitempty"`
}

// Report returns the counts of t as a report of the given sources.
func (t *Tally) Report(sources []string) *Report {
	r := &Report{
		Version: Version, Policy: t.e.Version(), Sources: sources,
		Records: t.records, RecordsWithFindings: t.withFindings, Dropped: t.dropped,
		Formats: map[string]int64{}, Failed: map[string]int64{}, FieldsTruncated: t.truncated,
		Totals: []TypeCount{}, Fields: []Field{},
	}
	if r.Sources == nil {
		r.Sources = []string{}
	}
	for k, v := range t.formats {
		r.Formats[string(k)] = v
	}
	for k, v := range t.failed {
		r.Failed[string(k)] = v
	}
	r.Totals = t.types(t.totals)
	for _, fc := range t.fields {
		r.Fields = append(r.Fields, Field{Place: fc.place, Path: fc.path, Records: fc.records, Share: t.share(fc.records), Types: t.types(fc.types)})
	}
	slices.SortFunc(r.Fields, func(a, b Field) int {
		return cmp.Or(cmp.Compare(b.Records, a.Records), cmp.Compare(a.Place, b.Place), cmp.Compare(a.Path, b.Path))
	})
	return r
}

// types lists the counts of m, most frequent first.
func (t *Tally) types(m map[string]*typeCount) []TypeCount {
	out := []TypeCount{}
	for _, typ := range slices.Sorted(maps.Keys(m)) {
		tc := m[typ]
		out = append(out, TypeCount{Type: typ, Count: tc.count, Records: tc.records, Share: t.share(tc.records), Action: string(tc.action), Example: tc.example})
	}
	slices.SortStableFunc(out, func(a, b TypeCount) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

// share is n over the records read, 0 when none were.
func (t *Tally) share(n int64) float64 {
	if t.records == 0 {
		return 0
	}
	return float64(n) / float64(t.records)
}

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
