package discover

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/scrubd/scrubd/pipeline/discover/rendertest"
	"github.com/scrubd/scrubd/rules/rulestest"
)

// TestHTMLSelfContained checks that the report fetches nothing: no
// script, stylesheet, image or font from anywhere, so that it opens
// offline.
func TestHTMLSelfContained(t *testing.T) {
	c := genCorpus(5)
	r := c.tally(t, rulestest.Engine(t, ""), c.records, 0).Report(nil)
	var b bytes.Buffer
	if err := r.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	html := b.String()
	for _, ref := range []string{"<script", "<link", "<img", "src=", "href=", "@import", "url("} {
		if strings.Contains(html, ref) {
			t.Errorf("the report holds %q", ref)
		}
	}
	if n := strings.Count(html, `<svg class="chart"`); n != len(r.Fields)+1 {
		t.Errorf("%d charts", n)
	}
}

// TestHTMLRendersInChromium renders the report of generated records in
// headless Chromium.
func TestHTMLRendersInChromium(t *testing.T) {
	c := genCorpus(10)
	checkRendered(t, c.tally(t, rulestest.Engine(t, ""), c.records, 0).Report([]string{"generated"}))
}

// checkRendered opens the HTML report of r in headless Chromium and checks
// that it shows a chart per field and one of the totals, every bar drawn
// with the width of its share, and the bars' colour on screen, with no
// request but the file itself.
func checkRendered(t *testing.T, r *Report) {
	t.Helper()
	rendertest.Chromium(t) // skip before writing anything
	path := filepath.Join(t.TempDir(), "report.html")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.WriteHTML(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	page := rendertest.Render(t, path)
	if want := len(r.Fields) + 1; len(page.Charts) != want {
		t.Fatalf("%d charts rendered, want %d", len(page.Charts), want)
	}
	for i, ch := range page.Charts {
		if ch.Width < chartWidth-1 || ch.Height < chartRow {
			t.Errorf("chart %d rendered %vx%v", i, ch.Width, ch.Height)
		}
		types := r.Totals
		if i > 0 {
			types = r.Fields[i-1].Types
		}
		if len(ch.Bars) != len(types) {
			t.Errorf("chart %d: %d bars, want %d", i, len(ch.Bars), len(types))
		}
		for k, w := range ch.Bars {
			if want := types[k].Share * chartBars; w < 1 || w < want-1 || w > want+1 {
				t.Errorf("chart %d bar %d (%s): width %v, want %v", i, k, types[k].Type, w, want)
			}
		}
	}
	if page.BarPixels < 1000 {
		t.Errorf("the screenshot shows %d pixels of the bars' colour", page.BarPixels)
	}
	if len(page.Fetched) > 0 {
		t.Errorf("the report fetched %v", page.Fetched)
	}
}
