package discover

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestHTMLSelfContained checks that the report fetches nothing: no
// script, stylesheet, image or font from anywhere, so that it opens
// offline.
func TestHTMLSelfContained(t *testing.T) {
	c := genCorpus(5)
	r := c.tally(t, defaultEngine(t), c.records, 0).Report(nil)
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

// chromium returns the path of a Chromium or Chrome binary, or skips the
// test when there is none: `make unit` installs Debian's chromium first.
func chromium(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("SCRUBD_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium to render the HTML report: `make unit` installs Debian's chromium (apt-get install chromium)")
	return ""
}

// TestHTMLRendersInChromium renders the report of generated records in
// headless Chromium.
func TestHTMLRendersInChromium(t *testing.T) {
	c := genCorpus(10)
	checkRendered(t, c.tally(t, defaultEngine(t), c.records, 0).Report([]string{"generated"}))
}

// checkRendered opens the HTML report of r in headless Chromium and checks
// that it shows a chart per field and one of the totals, every bar drawn
// with the width of its share, and the bars' colour on screen, with no
// request but the file itself.
func checkRendered(t *testing.T, r *Report) {
	t.Helper()
	exe := chromium(t)
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

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(exe), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.WindowSize(1000, 4000), chromedp.UserDataDir(t.TempDir()))
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	actx, acancel := chromedp.NewExecAllocator(ctx, opts...)
	defer acancel()
	bctx, bcancel := chromedp.NewContext(actx)
	defer bcancel()

	var mu sync.Mutex
	var fetched []string
	err = chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(e.Request.URL, "file://") {
			mu.Lock()
			fetched = append(fetched, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("svg.chart"))); err != nil {
		t.Fatalf("open the report in %s: %v", exe, err)
	}
	type chartBox struct {
		Width, Height float64
		Bars          []float64
	}
	charts, err := chromedp.Run(bctx, chromedp.Evaluate[[]chartBox](`[...document.querySelectorAll("svg.chart")].map(s => {
		const b = s.getBoundingClientRect();
		return {Width: b.width, Height: b.height,
			Bars: [...s.querySelectorAll("rect.bar")].map(r => r.getBoundingClientRect().width)};
	})`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(bctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	if want := len(r.Fields) + 1; len(charts) != want {
		t.Fatalf("%d charts rendered, want %d", len(charts), want)
	}
	for i, ch := range charts {
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
	if n := barPixels(t, shot); n < 1000 {
		t.Errorf("the screenshot shows %d pixels of the bars' colour", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(fetched) > 0 {
		t.Errorf("the report fetched %v", fetched)
	}
}

// barPixels counts the pixels of the bars' colour (#4a7fb0) in a PNG.
func barPixels(t *testing.T, shot []byte) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	n := 0
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if near(img, x, y, 0x4a, 0x7f, 0xb0) {
				n++
			}
		}
	}
	return n
}

func near(img image.Image, x, y int, r, g, b uint32) bool {
	pr, pg, pb, _ := img.At(x, y).RGBA()
	d := func(a, b uint32) bool { a >>= 8; return a+6 >= b && a <= b+6 }
	return d(pr, r) && d(pg, g) && d(pb, b)
}
