package discover

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
)

//go:embed report.html.tmpl
var reportHTML string

// reportTemplate is the HTML report: one page, its style and charts
// inline (SVG), nothing fetched, so that it opens offline and can be mailed.
var reportTemplate = template.Must(template.New("report").Parse(reportHTML))

// Chart geometry, in SVG user units.
const (
	chartLabel = 170 // width of the label column
	chartBars  = 380 // width of a bar at 100 %
	chartRow   = 22  // height of a row
	chartWidth = chartLabel + chartBars + 140
)

// A chart is a horizontal bar chart of shares of records.
type chart struct {
	Title  string
	Width  int
	Height int
	Bars   []bar
}

// A bar is one row of a chart.
type bar struct {
	Label   string
	Value   string // the share and count, after the bar
	Y       int    // top of the row
	Width   float64
	TextX   float64
	LabelX  int
	BarX    int
	Height  int
	TextY   int
	Example string
}

// view is what the template shows.
type view struct {
	*Report
	Summary string
	Totals  chart
	Charts  []fieldChart
}

type fieldChart struct {
	Field
	Chart chart
}

// WriteHTML writes r as a self-contained HTML page with a bar chart of the
// totals and one per field.
func (r *Report) WriteHTML(w io.Writer) error {
	v := view{
		Report: r,
		Summary: fmt.Sprintf("%d records (%s); %d with findings; %d dropped; %d failed closed%s",
			r.Records, counts(r.Formats), r.RecordsWithFindings, r.Dropped, sum(r.Failed), reasons(r.Failed)),
		Totals: barChart("All fields", r.Totals),
	}
	for _, f := range r.Fields {
		v.Charts = append(v.Charts, fieldChart{Field: f, Chart: barChart(f.Place+" "+f.Path, f.Types)})
	}
	return reportTemplate.Execute(w, v)
}

// barChart charts the share of records of each type.
func barChart(title string, types []TypeCount) chart {
	c := chart{Title: title, Width: chartWidth, Height: chartRow*len(types) + 4}
	for i, tc := range types {
		y := 2 + i*chartRow
		wd := tc.Share * chartBars
		if tc.Records > 0 && wd < 1 {
			wd = 1 // a type seen at all is visible
		}
		c.Bars = append(c.Bars, bar{
			Label: tc.Type, Value: fmt.Sprintf("%s (%d)", percent(tc.Share), tc.Count),
			Y: y, Width: wd, LabelX: chartLabel - 6, BarX: chartLabel, Height: chartRow - 6,
			TextX: chartLabel + wd + 4, TextY: y + chartRow/2 + 2, Example: tc.Example,
		})
	}
	return c
}
