package main

import (
	"encoding/json"
	"flag"
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
)

var pngOut = flag.String("png", "", "also write the UCI report's screenshot to this file (docs/report-uci.png: see docs/cli.md)")

// TestRealData_ReportScreenshot renders the UCI report written by `vip report` in
// headless Chromium at 1366 pixels wide and checks that every chart shows its marks,
// by the method of package report's TestWriteHTML_Rendered (report/render_test.go):
// (1) the page's SVG gives each chart's mark colours (fill or stroke of its elements
// of class "mark"); (2) a copy of the page with a probe script, dumped by Chromium,
// gives each chart's box and the page's height; (3) in a screenshot of the page itself,
// as tall as the page, the pixels near a mark colour must cover at least 1% of each
// chart's box, every colour used by a mark showing; (4) as a control, the page with its
// marks hidden by one CSS rule must fail that count. One change: a pixel counts for
// the nearest mark colour, not the first within reach, since the heat map's shades lie
// closer together than the tolerance. With -png it also writes the
// screenshot (docs/report-uci.png).
func TestRealData_ReportScreenshot(t *testing.T) {
	file := uciFile(t)
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("VIP_REQUIRE_DATA") == "1" || os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	pagePath := filepath.Join(dir, "uci.html")
	code, _, errs := runCmd(t, "", "report", "--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json",
		"--orders", file, "--title", "UCI Online Retail: the brief's ladder in GBP", "--out", pagePath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	page := string(data)
	checkCharts(t, page, charts)
	const width = 1366
	colours := markColours(t, page)
	lay := pageLayout(t, dir, page, width)
	for _, id := range charts {
		if b, ok := lay.Charts[id]; !ok || b.W < 300 || b.H < 150 {
			t.Fatalf("chart %s laid out as %+v (present %v), want a box of at least 300x150", id, b, ok)
		}
	}
	shot := filepath.Join(dir, "uci.png")
	img := screenshot(t, pagePath, shot, width, lay.Height)
	scale := float64(img.Bounds().Dx()) / width
	for _, id := range charts {
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
	hiddenPath := filepath.Join(dir, "hidden.html")
	if err := os.WriteFile(hiddenPath, []byte(strings.Replace(page, "</style>", ".mark{display:none}</style>", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	img2 := screenshot(t, hiddenPath, filepath.Join(dir, "hidden.png"), width, lay.Height)
	for _, id := range charts {
		if c := countColours(img2, lay.Charts[id], scale, colours[id]); c.total*100 >= c.area {
			t.Errorf("control: chart %s with its marks hidden still has %d of %d pixels in mark colours: the check cannot tell", id, c.total, c.area)
		}
	}
	if *pngOut != "" {
		data, err := os.ReadFile(shot)
		if err == nil {
			err = os.WriteFile(*pngOut, data, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// probe writes each chart's box in page pixels and the page's height into the DOM (a
// copy of report/render_test.go's probe; added to a copy of the page only).
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

// markColours returns, for each chart, the fill and stroke colours of its marks with
// the number of mark elements using each (near-white fills left out).
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
				if v, _ := strconv.ParseUint(c[1][1:], 16, 32); v>>16+v>>8&0xff+v&0xff < 735 {
					cols[c[1]]++
				}
			}
		}
		out[m[1]] = cols
	}
	for _, id := range charts {
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
		t.Fatal("the probe wrote nothing")
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

func screenshot(t *testing.T, htmlPath, pngPath string, width, height int) image.Image {
	t.Helper()
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
// within a summed per-channel distance of 24 of one of cols, each under the nearest.
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
			// The nearest mark colour within 24, not the first: heat-map shades lie
			// closer together than that.
			best, bestD := "", 25
			for _, p := range pal {
				if d := absInt(pr-p.r) + absInt(pg-p.g) + absInt(pb-p.b); d < bestD {
					best, bestD = p.name, d
				}
			}
			if best != "" {
				c.total++
				c.by[best]++
			}
		}
	}
	return c
}

func absInt(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
