// Package rendertest opens HTML reports of `scrubd discover` in headless
// Chromium, for tests: it tells what the browser drew, so that a test can
// check that the charts render, not only that the HTML holds them. Tests
// skip when no Chromium is installed (`make unit` installs Debian's).
package rendertest

import (
	"bytes"
	"context"
	"image/png"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// Chromium returns the path of a Chromium or Chrome binary ($SCRUBD_CHROMIUM
// first), or skips the test when there is none.
func Chromium(t testing.TB) string {
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

// A Chart is an svg.chart element as the browser laid it out.
type Chart struct {
	Width, Height float64   // its box, in CSS pixels
	Bars          []float64 // the widths of its rect.bar elements
}

// A Page is what the browser drew of a report.
type Page struct {
	Charts []Chart
	// BarPixels counts the pixels of the bars' colour (#4a7fb0) in a
	// screenshot of the whole page.
	BarPixels int
	// Fetched lists the URLs the page requested beyond its own file.
	Fetched []string
}

// Render opens the HTML file at path in headless Chromium and returns what
// it drew. It fails the test when the browser cannot open the page or the
// page shows no chart.
func Render(t testing.TB, path string) *Page {
	t.Helper()
	exe := Chromium(t)
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
	page := &Page{}
	err := chromedp.Listen(bctx, func(ev any) {
		if e, ok := ev.(*network.EventRequestWillBeSent); ok && !strings.HasPrefix(e.Request.URL, "file://") {
			mu.Lock()
			page.Fetched = append(page.Fetched, e.Request.URL)
			mu.Unlock()
		}
	})
	if err != nil {
		t.Fatalf("start %s: %v", exe, err)
	}
	if _, err := chromedp.Call(bctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	// A CSS selector: a plain string would also match the stylesheet's text.
	if err := chromedp.Do(bctx, chromedp.Navigate("file://"+path), chromedp.WaitVisible(chromedp.CSS("svg.chart"))); err != nil {
		t.Fatalf("open %s in %s: %v", path, exe, err)
	}
	page.Charts, err = chromedp.Run(bctx, chromedp.Evaluate[[]Chart](`[...document.querySelectorAll("svg.chart")].map(s => {
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
	page.BarPixels = barPixels(t, shot)
	mu.Lock()
	defer mu.Unlock()
	return page
}

// barPixels counts the pixels of the bars' colour (#4a7fb0) in a PNG.
func barPixels(t testing.TB, shot []byte) int {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	near := func(a uint32, b uint32) bool { a >>= 8; return a+6 >= b && a <= b+6 }
	n := 0
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			r, g, b, _ := img.At(x, y).RGBA()
			if near(r, 0x4a) && near(g, 0x7f) && near(b, 0xb0) {
				n++
			}
		}
	}
	return n
}
