package report_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image"
	"image/png"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/vipkit/vip/internal/chromium"
	"github.com/vipkit/vip/report"
)

// needChromium returns the Chromium binary, or skips the test when there is none; under
// CI=true a missing Chromium fails the test instead.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// chartIDs are the report's charts, each an <svg class="chart"> with this id.
var chartIDs = []string{"chart-pareto", "chart-tiers", "chart-flows", "chart-rfm", "chart-clv", "chart-clvtier"}

// probe is a script the test adds to a copy of the page (never to the report itself):
// it writes each chart's box in page pixels and the page's height into the DOM, which
// chromium.DumpDOM returns.
const probe = `<script>
(function(){
  var out = {height: Math.ceil(document.documentElement.scrollHeight), charts: {}};
  document.querySelectorAll("svg.chart").forEach(function(s){
    var r = s.getBoundingClientRect();
    out.charts[s.id] = {x: r.left + window.scrollX, y: r.top + window.scrollY, w: r.width, h: r.height};
  });
  var p = document.createElement("pre"); p.id = "probe"; p.textContent = JSON.stringify(out);
  document.body.appendChild(p);
})();
</script>`

type box struct{ X, Y, W, H float64 }

type layout struct {
	Height int            `json:"height"`
	Charts map[string]box `json:"charts"`
}

// TestWriteHTML_Rendered renders the synthetic shop's report in headless Chromium at
// 1366 pixels wide and checks that every chart shows its marks.
//
// The method: (1) the page's own SVG says which colours each chart's marks are drawn in
// (the fill or stroke of its elements of class "mark"); (2) a copy of the page with a
// probe script, dumped by Chromium, gives each chart's box in page pixels and the page's
// height, as Chromium laid them out; (3) a screenshot of the page itself (no script) as
// tall as the page is decoded, and inside each chart's box the pixels within a small
// distance of one of that chart's mark colours are counted. A chart passes when those
// pixels cover at least 1% of its box and every one of its colours that marks a
// non-trivial amount shows. (4) As a control, the same page with its marks hidden by one
// CSS rule must fail that count, so the test can tell a drawn chart from an empty frame.
//
// Set VIP_REPORT_PNG to a path to keep the screenshot.
func TestWriteHTML_Rendered(t *testing.T) {
	needChromium(t)
	r, err := report.Build(synthShop(t, 3000), report.Options{Ladder: briefLadder(t), Title: "Synthetic shop, brief ladder"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	page := buf.String()
	dir := t.TempDir()
	const width = 1366

	colours := markColours(t, page)
	lay := pageLayout(t, dir, page, width)
	for _, id := range chartIDs {
		b, ok := lay.Charts[id]
		if !ok || b.W < 300 || b.H < 150 {
			t.Fatalf("chart %s laid out as %+v (present %v), want a box of at least 300x150", id, b, ok)
		}
	}
	img := screenshot(t, dir, "report.png", page, width, lay.Height)
	if p := os.Getenv("VIP_REPORT_PNG"); p != "" {
		if err := copyFile(filepath.Join(dir, "report.png"), p); err != nil {
			t.Errorf("keeping the screenshot: %v", err)
		}
	}
	scale := float64(img.Bounds().Dx()) / width
	for _, id := range chartIDs {
		c := countColours(img, lay.Charts[id], scale, colours[id])
		t.Logf("%s: box %.0fx%.0f at (%.0f, %.0f); %d of %d pixels in mark colours %v", id, lay.Charts[id].W, lay.Charts[id].H,
			lay.Charts[id].X, lay.Charts[id].Y, c.total, c.area, c.by)
		if c.total*100 < c.area {
			t.Errorf("chart %s: %d of %d pixels in its mark colours, want at least 1%%", id, c.total, c.area)
		}
		for col, n := range c.want {
			if n > 0 && c.by[col] == 0 {
				t.Errorf("chart %s: its marks use %s, which does not show", id, col)
			}
		}
	}

	// Control: the same page with the marks hidden must fail the count.
	hidden := strings.Replace(page, "</style>", ".mark{display:none}</style>", 1)
	img2 := screenshot(t, dir, "hidden.png", hidden, width, lay.Height)
	for _, id := range chartIDs {
		if c := countColours(img2, lay.Charts[id], scale, colours[id]); c.total*100 >= c.area {
			t.Errorf("control: chart %s with its marks hidden still has %d of %d pixels in mark colours: the check cannot tell", id, c.total, c.area)
		}
	}
}

// markColours returns, for each chart, the fill and stroke colours of its marks, with
// the number of mark elements using each.
func markColours(t *testing.T, page string) map[string]map[string]int {
	t.Helper()
	out := map[string]map[string]int{}
	svgRe := regexp.MustCompile(`(?s)<svg id="([a-z-]+)" class="chart"(.*?)</svg>`)
	elRe := regexp.MustCompile(`<(?:rect|polyline|polygon|circle)\b[^>]*>`)
	colRe := regexp.MustCompile(`(?:fill|stroke)="(#[0-9a-f]{6})"`)
	for _, m := range svgRe.FindAllStringSubmatch(page, -1) {
		cols := map[string]int{}
		for _, el := range elRe.FindAllString(m[2], -1) {
			if !strings.Contains(el, `class="mark`) {
				continue
			}
			for _, c := range colRe.FindAllStringSubmatch(el, -1) {
				// Near-white fills (an empty heat-map cell) cannot be told from the page.
				if v, _ := strconv.ParseUint(c[1][1:], 16, 32); v>>16+v>>8&0xff+v&0xff < 735 {
					cols[c[1]]++
				}
			}
		}
		out[m[1]] = cols
	}
	for _, id := range chartIDs {
		if len(out[id]) == 0 {
			t.Fatalf("chart %s has no coloured marks in the HTML", id)
		}
	}
	return out
}

func pageLayout(t *testing.T, dir, page string, width int) layout {
	t.Helper()
	path := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(path, []byte(strings.Replace(page, "</body>", probe+"</body>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, err := chromium.DumpDOM(t.Context(), path, width, 800)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatalf("the probe wrote nothing; the dumped DOM ends %q", tail(dom, 300))
	}
	var lay layout
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &lay); err != nil {
		t.Fatalf("probe output %q: %v", m[1], err)
	}
	if lay.Height < 800 || lay.Height > 16000 {
		t.Fatalf("page height %d is implausible", lay.Height)
	}
	return lay
}

func screenshot(t *testing.T, dir, name, page string, width, height int) image.Image {
	t.Helper()
	htmlPath := filepath.Join(dir, strings.TrimSuffix(name, ".png")+".html")
	if err := os.WriteFile(htmlPath, []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	pngPath := filepath.Join(dir, name)
	if err := chromium.Screenshot(t.Context(), htmlPath, pngPath, width, height); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(pngPath)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("decoding %s: %v", pngPath, err)
	}
	if img.Bounds().Dx() < width {
		t.Fatalf("screenshot is %d pixels wide, want at least %d", img.Bounds().Dx(), width)
	}
	return img
}

type colourCount struct {
	area, total int
	by          map[string]int // pixels by mark colour
	want        map[string]int // mark elements by colour
}

// countColours counts the pixels inside b (page pixels, times scale for the image)
// within a distance of 24 (per channel, summed over R, G and B: anti-aliased edges and
// the browser's colour management stay inside it) of one of cols: in total (each pixel
// once) and by colour (a pixel near two colours counts for both).
func countColours(img image.Image, b box, scale float64, cols map[string]int) colourCount {
	c := colourCount{by: map[string]int{}, want: cols}
	type rgb struct {
		name    string
		r, g, b int
	}
	var pal []rgb
	for name := range cols {
		v, _ := strconv.ParseUint(name[1:], 16, 32)
		pal = append(pal, rgb{name, int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff)})
	}
	x0, y0 := int(b.X*scale), int(b.Y*scale)
	x1, y1 := int((b.X+b.W)*scale), int((b.Y+b.H)*scale)
	bounds := img.Bounds()
	for y := max(y0, bounds.Min.Y); y < min(y1, bounds.Max.Y); y++ {
		for x := max(x0, bounds.Min.X); x < min(x1, bounds.Max.X); x++ {
			c.area++
			r, g, bb, _ := img.At(x, y).RGBA()
			pr, pg, pb := int(r>>8), int(g>>8), int(bb>>8)
			hit := false
			for _, p := range pal {
				if abs(pr-p.r)+abs(pg-p.g)+abs(pb-p.b) <= 24 {
					hit = true
					c.by[p.name]++ // near colours (two heat-map cells) may both count a pixel
				}
			}
			if hit {
				c.total++
			}
		}
	}
	return c
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		return errors.Join(err, fmt.Errorf("writing %s", to))
	}
	return nil
}
