package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip/internal/chromium"
	"github.com/vipkit/vip/report"
)

var pngOut = flag.String("png", "", "also write the UCI report's screenshot to this file (docs/report-uci.png: see docs/cli.md)")

// charts are the ids of the report's SVG charts.
var charts = []string{"chart-pareto", "chart-tiers", "chart-flows", "chart-rfm", "chart-clv"}

// checkCharts checks that the HTML holds every chart and that none shows its "empty"
// placeholder.
func checkCharts(t *testing.T, html string, ids []string) {
	t.Helper()
	for _, id := range ids {
		i := strings.Index(html, `<svg id="`+id+`"`)
		if i < 0 {
			t.Errorf("no chart %s", id)
			continue
		}
		svg := html[i:]
		svg = svg[:strings.Index(svg, "</svg>")]
		if strings.Contains(svg, `class="empty"`) {
			t.Errorf("chart %s is empty: %s", id, svg)
		}
		if n := countAny(svg, "<rect", "<path", "<polyline", "<polygon", "<circle", "<line"); n < 5 {
			t.Errorf("chart %s draws almost nothing", id)
		}
	}
}

func TestReport(t *testing.T) {
	out := filepath.Join(t.TempDir(), "r.html")
	code, stdout, errs := runCmd(t, "", "report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv",
		"--refunds", "testdata/refunds.csv", "--title", "Five customers", "--months", "6", "--out", out)
	if code != 0 || stdout != "" || errs != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, errs)
	}
	html, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<title>Five customers", `id="chart-tiers"`, "</html>"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"report", "--orders", "testdata/orders.csv", "--out", out}, "--ladder is required"},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv"}, "--out is required"},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--out", out, "--margin", "1"}, `--margin "1"`},
		{[]string{"report", "--ladder", "testdata/ladder.json", "--orders", "testdata/orders.csv", "--out", out, "--clv-months", "0"}, "--clv-months 0"},
	} {
		if code, _, errs := runCmd(t, "", tt.args...); code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("vip %s: exit %d, stderr %q; want 2 and %q", strings.Join(tt.args, " "), code, errs, tt.want)
		}
	}
}

// TestRealData_Report writes the report of both files through the command and checks
// its charts; the figures the page is built from are checked against realdata.py.
func TestRealData_Report(t *testing.T) {
	for _, tt := range []struct {
		name      string
		args      []string
		charts    []string
		customers int
		orders    int
		revenue   string
	}{
		{"UCI", []string{"--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json", "--orders", uciFile(t)},
			charts, 4338, 18532, "8911407.90"},
		// No CLV chart on CDNOW: package report fits Gamma-Gamma on every repeat buyer,
		// and customer 10244's only repeat order cost 0.00, so the fit is refused and the
		// page says so (vip score leaves such customers out of the spend fit).
		{"CDNOW", []string{"--ladder", "../../testdata/brief-ladder.json", "--orders", cdnowFile(t), "--sep", "whitespace"},
			charts[:4], 23570, 69659, "2500315.63"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.html")
			code, _, errs := runCmd(t, "", append(append([]string{"report"}, tt.args...), "--out", out)...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			html, err := os.ReadFile(out)
			if err != nil {
				t.Fatal(err)
			}
			checkCharts(t, string(html), tt.charts)
			r := buildReport(t, tt.args)
			if r.Customers != tt.customers || r.Buyers != tt.customers || r.Orders != tt.orders || !r.Revenue.Equal(decimal.RequireFromString(tt.revenue)) {
				t.Errorf("report of %d customers (%d buyers), %d orders, revenue %s; want %d, %d, %s",
					r.Customers, r.Buyers, r.Orders, r.Revenue, tt.customers, tt.orders, tt.revenue)
			}
			if !bytes.Contains(html, []byte(commas(tt.customers))) {
				t.Errorf("the page does not show %s customers", commas(tt.customers))
			}
		})
	}
}

// commas writes n with thousands separators.
func commas(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// buildReport runs the report command's flags and loading, and returns the Report
// (not its HTML).
func buildReport(t testing.TB, args []string) *report.Report {
	t.Helper()
	data, opts := reportInput(t, args)
	r, err := report.Build(data.customers, opts)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// reportInput parses report flags and loads the input as the command does.
func reportInput(t testing.TB, args []string) (*loaded, report.Options) {
	t.Helper()
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	data, opts, _, err := prepareReport(append(args, "--out", os.DevNull), e)
	if err != nil {
		t.Fatal(err)
	}
	return data, opts
}

// TestRealData_ReportScreenshot renders the UCI report in headless Chromium at 1366
// pixels wide and checks that every chart shows something: inside each chart's box the
// screenshot has several colours and ink on a good share of its pixels. With -png it
// also writes the screenshot (docs/report-uci.png).
func TestRealData_ReportScreenshot(t *testing.T) {
	file := uciFile(t)
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("VIP_REQUIRE_DATA") == "1" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	dir := t.TempDir()
	page := filepath.Join(dir, "uci.html")
	code, _, errs := runCmd(t, "", "report", "--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json",
		"--orders", file, "--title", "UCI Online Retail: the brief's ladder in GBP", "--out", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	html, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, string(html), charts)
	// A copy of the page with a script that writes the page height and each chart's box.
	probe := filepath.Join(dir, "probe.html")
	script := `<script>document.addEventListener("DOMContentLoaded", () => {
  let out = "height " + Math.ceil(document.documentElement.scrollHeight) + "\n";
  for (const s of document.querySelectorAll("svg.chart")) {
    const r = s.getBoundingClientRect();
    out += s.id + " " + Math.round(r.left) + " " + Math.round(r.top + window.scrollY) + " " + Math.round(r.width) + " " + Math.round(r.height) + "\n";
  }
  const pre = document.createElement("pre"); pre.id = "probe"; pre.textContent = out; document.body.appendChild(pre);
});</script>`
	if err := os.WriteFile(probe, bytes.Replace(html, []byte("</body>"), []byte(script+"</body>"), 1), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	dom, err := chromium.DumpDOM(ctx, probe, 1366, 900)
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?s)<pre id="probe">(.*?)</pre>`).FindSubmatch(dom)
	if m == nil {
		t.Fatal("the probe script wrote nothing")
	}
	boxes := map[string]image.Rectangle{}
	height := 0
	for _, l := range strings.Split(strings.TrimSpace(string(m[1])), "\n") {
		var id string
		var x, y, w, h int
		if n, _ := fmt.Sscanf(l, "height %d", &height); n == 1 {
			continue
		}
		if _, err := fmt.Sscanf(l, "%s %d %d %d %d", &id, &x, &y, &w, &h); err != nil {
			t.Fatalf("probe line %q: %v", l, err)
		}
		boxes[id] = image.Rect(x, y, x+w, y+h)
	}
	if height < 900 || height > 20000 {
		t.Fatalf("page height %d", height)
	}
	shot := filepath.Join(dir, "uci.png")
	if err := chromium.Screenshot(ctx, page, shot, 1366, height); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range charts {
		box, ok := boxes[id]
		if !ok || box.Dx() < 200 || box.Dy() < 100 {
			t.Errorf("chart %s: box %v too small or missing", id, box)
			continue
		}
		if !box.In(img.Bounds()) {
			t.Errorf("chart %s: box %v outside the screenshot %v", id, box, img.Bounds())
			continue
		}
		colours, ink := inkOf(img, box)
		if colours < 4 || ink < 0.05 {
			t.Errorf("chart %s: %d colours, %.1f%% ink: looks empty", id, colours, 100*ink)
		}
		t.Logf("chart %s at %v: %d colours, %.1f%% ink", id, box, colours, 100*ink)
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

// inkOf counts the distinct colours in r and the share of its pixels that are not the
// near-white background.
func inkOf(img image.Image, r image.Rectangle) (colours int, ink float64) {
	seen := map[uint32]bool{}
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			seen[cr>>8<<16|cg>>8<<8|cb>>8] = true
			if cr>>8 < 235 || cg>>8 < 235 || cb>>8 < 235 {
				n++
			}
		}
	}
	return len(seen), float64(n) / float64(r.Dx()*r.Dy())
}

// countAny counts the occurrences of every one of subs in s.
func countAny(s string, subs ...string) int {
	n := 0
	for _, sub := range subs {
		n += strings.Count(s, sub)
	}
	return n
}
