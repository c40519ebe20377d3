// Package chartcheck tells whether the SVG charts of an HTML page really show their
// marks when headless Chromium renders the page: the one check that the report's and
// the command's tests share.
//
// # Method
//
//  1. The page's own SVG says which colours each chart's marks are drawn in: the fill
//     or stroke of its elements of class "mark" ([Charts]). Near-white colours (an
//     empty heat-map cell, a white outline) are left out: they cannot be told from the
//     page.
//  2. A copy of the page with a probe script, dumped by Chromium
//     ([chromium.DumpDOM]), gives each chart's box in page pixels and the page's
//     height, as Chromium laid them out.
//  3. A screenshot of the page itself (no script), as tall as the page, is decoded,
//     and inside each chart's box the pixels within [Tolerance] of a mark colour are
//     counted, each under the nearest mark colour only ([CountColours]).
//  4. As a control, the same page with its marks hidden by one CSS rule
//     (.mark{display:none}) is counted the same way.
//
// A chart passes ([Result.Problems]) when its box is at least 300x150, its mark
// colours cover at least 1% of the box, every one of its mark colours shows, and the
// control covers less than 1%: the check can tell a drawn chart from an empty frame.
//
// # Nearest colour
//
// A pixel counts for the one mark colour nearest to it, if that is within [Tolerance]
// (ties go to the colour first in sorted order). Crediting every colour within reach
// instead would let a heat-map shade that is not drawn at all "show" through a
// neighbouring shade less than the tolerance away. Chromium renders flat fills exactly,
// so a shade's own cells stay nearest to it; the tolerance absorbs the anti-aliased
// edges.
package chartcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"image"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/vipkit/vip/internal/chromium"
)

// Tolerance is the largest distance of a pixel from a mark colour that counts, summed
// over the R, G and B channels (0-255 each): anti-aliased edges and the browser's
// colour handling stay inside it.
const Tolerance = 24

// DefaultWidth is the window width, in CSS pixels, when Options.Width is zero.
const DefaultWidth = 1366

// Options are the optional knobs of [Check]; nil means the defaults.
type Options struct {
	// Width is the window width in CSS pixels; zero means DefaultWidth.
	Width int
	// KeepPNG, when set, is where to copy the screenshot of the page.
	KeepPNG string
}

// Box is a chart's box in CSS pixels of the page, from its top left corner.
type Box struct{ X, Y, W, H float64 }

// Chart is what a page's HTML says of one chart: an <svg class="chart"> with an id.
// A plain value.
type Chart struct {
	ID string
	// Empty reports whether the chart shows an "empty" placeholder text.
	Empty bool
	// Marks counts the chart's mark elements by colour (#rrggbb, lower case),
	// near-white colours left out.
	Marks map[string]int
}

// Pixels is what [CountColours] counted in one box. A plain value.
type Pixels struct {
	// Area is the number of image pixels in the box, Total those near a mark colour
	// (each once).
	Area, Total int
	// ByColour counts the pixels under the mark colour nearest to them.
	ByColour map[string]int
}

// Covered reports whether the mark colours cover at least 1% of the box.
func (p Pixels) Covered() bool { return p.Area > 0 && p.Total*100 >= p.Area }

// Result is the check of one chart. A plain value.
type Result struct {
	Chart
	// Box is where Chromium laid the chart out; zero when it did not.
	Box Box
	// Drawn counts the page's pixels, Hidden those of the control (marks hidden).
	Drawn, Hidden Pixels
}

// Problems returns what is wrong with the chart, in words; none when it passes.
func (r Result) Problems() []string {
	var out []string
	if r.Empty {
		out = append(out, "it shows its empty placeholder")
	}
	if len(r.Marks) == 0 {
		out = append(out, "it has no coloured marks in the HTML")
	}
	if r.Box.W < 300 || r.Box.H < 150 {
		out = append(out, fmt.Sprintf("it is laid out as %.0fx%.0f, want at least 300x150", r.Box.W, r.Box.H))
	}
	if !r.Drawn.Covered() {
		out = append(out, fmt.Sprintf("%d of %d pixels in its mark colours, want at least 1%%", r.Drawn.Total, r.Drawn.Area))
	}
	for _, col := range sortedKeys(r.Marks) {
		if r.Drawn.ByColour[col] == 0 {
			out = append(out, fmt.Sprintf("its marks use %s, which does not show", col))
		}
	}
	if r.Hidden.Covered() {
		out = append(out, fmt.Sprintf("control: with its marks hidden it still has %d of %d pixels in mark colours, so the check cannot tell", r.Hidden.Total, r.Hidden.Area))
	}
	return out
}

// String describes the result in one line, for a test's log.
func (r Result) String() string {
	return fmt.Sprintf("%s: box %.0fx%.0f at (%.0f, %.0f); %d of %d pixels in mark colours %v; %d with marks hidden",
		r.ID, r.Box.W, r.Box.H, r.Box.X, r.Box.Y, r.Drawn.Total, r.Drawn.Area, r.Drawn.ByColour, r.Hidden.Total)
}

var (
	svgRe   = regexp.MustCompile(`(?s)<svg id="([^"]+)" class="chart"(.*?)</svg>`)
	elRe    = regexp.MustCompile(`<(?:rect|polyline|polygon|circle|path|line)\b[^>]*>`)
	colRe   = regexp.MustCompile(`(?:fill|stroke)="(#[0-9a-fA-F]{6})"`)
	emptyRe = regexp.MustCompile(`class="empty"`)
	probeRe = regexp.MustCompile(`<pre id="probe">(.*?)</pre>`)
)

// Charts returns the charts of an HTML page in page order: every <svg id="..."
// class="chart">, with its mark colours (see [Chart]).
func Charts(page string) []Chart {
	var out []Chart
	for _, m := range svgRe.FindAllStringSubmatch(page, -1) {
		c := Chart{ID: m[1], Empty: emptyRe.MatchString(m[2]), Marks: map[string]int{}}
		for _, el := range elRe.FindAllString(m[2], -1) {
			if !strings.Contains(el, `class="mark`) {
				continue
			}
			for _, col := range colRe.FindAllStringSubmatch(el, -1) {
				name := strings.ToLower(col[1])
				if r, g, b, _ := rgb(name); r+g+b < 735 {
					c.Marks[name]++
				}
			}
		}
		out = append(out, c)
	}
	return out
}

// CheckHTML checks, in the HTML alone, that the page holds every chart of ids, none
// showing its empty placeholder and each with coloured marks. It reports every problem
// at once (errors.Join), nil when there is none.
func CheckHTML(page string, ids []string) error {
	byID := map[string]Chart{}
	for _, c := range Charts(page) {
		byID[c.ID] = c
	}
	var errs []error
	for _, id := range ids {
		c, ok := byID[id]
		switch {
		case !ok:
			errs = append(errs, fmt.Errorf("chartcheck: no chart %s", id))
		case c.Empty:
			errs = append(errs, fmt.Errorf("chartcheck: chart %s shows its empty placeholder", id))
		case len(c.Marks) == 0:
			errs = append(errs, fmt.Errorf("chartcheck: chart %s has no coloured marks", id))
		}
	}
	return errors.Join(errs...)
}

// CountColours counts the pixels of img inside b (CSS pixels, times scale for the
// image's pixels) within [Tolerance] of one of colours (#rrggbb; other strings are
// ignored), each under the nearest colour only, ties to the first in sorted order.
func CountColours(img image.Image, b Box, scale float64, colours []string) Pixels {
	type colour struct {
		name    string
		r, g, b int
	}
	var pal []colour
	for _, n := range colours {
		n = strings.ToLower(n)
		if r, g, bl, ok := rgb(n); ok {
			pal = append(pal, colour{n, r, g, bl})
		}
	}
	slices.SortFunc(pal, func(a, b colour) int { return strings.Compare(a.name, b.name) })
	pal = slices.CompactFunc(pal, func(a, b colour) bool { return a.name == b.name })
	p := Pixels{ByColour: map[string]int{}}
	x0, y0 := int(b.X*scale), int(b.Y*scale)
	x1, y1 := int((b.X+b.W)*scale), int((b.Y+b.H)*scale)
	bounds := img.Bounds()
	for y := max(y0, bounds.Min.Y); y < min(y1, bounds.Max.Y); y++ {
		for x := max(x0, bounds.Min.X); x < min(x1, bounds.Max.X); x++ {
			p.Area++
			r, g, bl, _ := img.At(x, y).RGBA()
			pr, pg, pb := int(r>>8), int(g>>8), int(bl>>8)
			best, bestD := "", Tolerance+1
			for _, c := range pal {
				if d := abs(pr-c.r) + abs(pg-c.g) + abs(pb-c.b); d < bestD {
					best, bestD = c.name, d
				}
			}
			if best != "" {
				p.Total++
				p.ByColour[best]++
			}
		}
	}
	return p
}

// probe is a script added to a copy of the page (never to the page itself): it writes
// each chart's box in page pixels and the page's height into the DOM.
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

type layout struct {
	Height int            `json:"height"`
	Charts map[string]Box `json:"charts"`
}

// Check renders the HTML page at htmlPath in headless Chromium and checks every chart
// by the package's method, returning one Result per chart in page order. It fails when
// Chromium cannot be run (wrapping [chromium.ErrNotFound] when there is none), when the
// page has no charts or cannot be laid out; a chart that does not show is not an
// error but a Result with [Result.Problems]. Its scratch files go in a temporary
// directory that it removes.
func Check(ctx context.Context, htmlPath string, opts *Options) ([]Result, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Width == 0 {
		o.Width = DefaultWidth
	}
	data, err := os.ReadFile(htmlPath)
	if err != nil {
		return nil, fmt.Errorf("chartcheck: %w", err)
	}
	page := string(data)
	charts := Charts(page)
	if len(charts) == 0 {
		return nil, fmt.Errorf("chartcheck: %s has no <svg class=\"chart\">", htmlPath)
	}
	dir, err := os.MkdirTemp("", "vip-chartcheck-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)

	probePath := filepath.Join(dir, "probe.html")
	if err := os.WriteFile(probePath, []byte(strings.Replace(page, "</body>", probe+"</body>", 1)), 0o644); err != nil {
		return nil, err
	}
	dom, err := chromium.DumpDOM(ctx, probePath, o.Width, 800)
	if err != nil {
		return nil, err
	}
	m := probeRe.FindSubmatch(dom)
	if m == nil {
		return nil, fmt.Errorf("chartcheck: the probe wrote nothing; the dumped DOM ends %q", dom[max(len(dom)-300, 0):])
	}
	var lay layout
	if err := json.Unmarshal([]byte(html.UnescapeString(string(m[1]))), &lay); err != nil {
		return nil, fmt.Errorf("chartcheck: probe output %q: %w", m[1], err)
	}
	if lay.Height <= 0 || lay.Height > 16000 {
		return nil, fmt.Errorf("chartcheck: page height %d is implausible", lay.Height)
	}

	shot := filepath.Join(dir, "page.png")
	img, err := screenshot(ctx, htmlPath, shot, o.Width, lay.Height)
	if err != nil {
		return nil, err
	}
	if o.KeepPNG != "" {
		if err := copyFile(shot, o.KeepPNG); err != nil {
			return nil, err
		}
	}
	hiddenPath := filepath.Join(dir, "hidden.html")
	if err := os.WriteFile(hiddenPath, []byte(strings.Replace(page, "</style>", ".mark{display:none}</style>", 1)), 0o644); err != nil {
		return nil, err
	}
	hidden, err := screenshot(ctx, hiddenPath, filepath.Join(dir, "hidden.png"), o.Width, lay.Height)
	if err != nil {
		return nil, err
	}

	scale := float64(img.Bounds().Dx()) / float64(o.Width)
	out := make([]Result, len(charts))
	for i, c := range charts {
		cols := sortedKeys(c.Marks)
		b := lay.Charts[c.ID]
		out[i] = Result{Chart: c, Box: b,
			Drawn:  CountColours(img, b, scale, cols),
			Hidden: CountColours(hidden, b, scale, cols)}
	}
	return out, nil
}

func screenshot(ctx context.Context, htmlPath, pngPath string, width, height int) (image.Image, error) {
	if err := chromium.Screenshot(ctx, htmlPath, pngPath, width, height); err != nil {
		return nil, err
	}
	f, err := os.Open(pngPath)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		return nil, fmt.Errorf("chartcheck: decoding %s: %w", pngPath, err)
	}
	if img.Bounds().Dx() < width {
		return nil, fmt.Errorf("chartcheck: screenshot is %d pixels wide, want at least %d", img.Bounds().Dx(), width)
	}
	return img, nil
}

func copyFile(from, to string) error {
	data, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		return errors.Join(fmt.Errorf("chartcheck: keeping the screenshot as %s", to), err)
	}
	return nil
}

// rgb parses #rrggbb, reporting whether s is one.
func rgb(s string) (r, g, b int, ok bool) {
	v, err := strconv.ParseUint(strings.TrimPrefix(s, "#"), 16, 32)
	if err != nil || len(s) != 7 || s[0] != '#' {
		return 0, 0, 0, false
	}
	return int(v >> 16), int(v >> 8 & 0xff), int(v & 0xff), true
}

func sortedKeys(m map[string]int) []string { return slices.Sorted(maps.Keys(m)) }

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Test runs [Check] on the page at htmlPath and fails t for an error, for a chart of
// ids the page lacks, and for every problem of every chart ([Result.Problems]); it logs
// each chart's counts. Whether to skip when there is no Chromium is the caller's
// choice, made before: see [chromium.Path].
func Test(t testing.TB, htmlPath string, ids []string, opts *Options) {
	t.Helper()
	res, err := Check(t.Context(), htmlPath, opts)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, r := range res {
		seen[r.ID] = true
		t.Log(r)
		for _, p := range r.Problems() {
			t.Errorf("chart %s: %s", r.ID, p)
		}
	}
	for _, id := range ids {
		if !seen[id] {
			t.Errorf("chart %s is not on the page", id)
		}
	}
}
