package discover

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
)

// WriteTable writes r as text tables for a terminal: a summary line, the
// fields with their findings by type, and the totals by type.
func (r *Report) WriteTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%d records (%s); %d with findings; %d dropped; %d failed closed%s\n",
		r.Records, counts(r.Formats), r.RecordsWithFindings, r.Dropped, sum(r.Failed), reasons(r.Failed))
	fmt.Fprintf(&b, "policy %s\n\n", r.Policy)
	tw := tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PLACE\tFIELD\tTYPE\tCOUNT\tRECORDS\tSHARE\tACTION\tEXAMPLE")
	for _, f := range r.Fields {
		place, path := f.Place, f.Path
		for _, tc := range f.Types {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", place, path, tc.Type, tc.Count, tc.Records, percent(tc.Share), tc.Action, tc.Example)
			place, path = "", ""
		}
	}
	if len(r.Fields) == 0 {
		fmt.Fprintln(tw, "(no findings)")
	}
	if r.FieldsTruncated {
		fmt.Fprintf(tw, "(more than %d fields: the rest are counted as %q)\n", MaxFields, OtherFields)
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TYPE\tCOUNT\tRECORDS\tSHARE\tACTION")
	for _, tc := range r.Totals {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\n", tc.Type, tc.Count, tc.Records, percent(tc.Share), tc.Action)
	}
	tw.Flush()
	_, err := io.WriteString(w, b.String())
	return err
}

// percent formats a share of records; a share that would round to 0.0 %
// shows as "<0.1%", so that a type seen at all never reads as absent.
func percent(s float64) string {
	if s > 0 && s < 0.0005 {
		return "<0.1%"
	}
	return fmt.Sprintf("%.1f%%", 100*s)
}

// counts formats counts by name, "json 10, text 2", in name order.
func counts(m map[string]int64) string {
	if len(m) == 0 {
		return "none"
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("%s %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}

// reasons formats the reasons records failed for, " (too_large 2)".
func reasons(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	return " (" + counts(m) + ")"
}

func sum(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
