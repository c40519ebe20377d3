package chartcheck_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip/internal/chartcheck"
	"github.com/vipkit/vip/internal/chromium"
)

// renderedPage has two charts 600x320: chart-ok draws two heat-map shades 12 apart
// (each a 200x200 block, 21% of the box each); chart-ghost has a mark in the HTML that
// is not drawn (opacity 0), as a chart whose marks fail to render.
const renderedPage = `<!DOCTYPE html><html><head><style>
body{margin:0;background:#fff} svg{display:block;width:600px;height:320px}
</style></head><body>
<svg id="chart-ok" class="chart" viewBox="0 0 600 320">
<rect x="50" y="60" width="200" height="200" fill="#3060a0" class="mark"/>
<rect x="300" y="60" width="200" height="200" fill="#3464a4" class="mark"/>
</svg>
<svg id="chart-ghost" class="chart" viewBox="0 0 600 320">
<rect x="50" y="60" width="200" height="200" fill="#d1495b" opacity="0" class="mark"/>
</svg>
</body></html>`

// TestCheck renders renderedPage in Chromium: chart-ok passes with each shade counted
// for itself (40,000 pixels each), chart-ghost fails the coverage.
func TestCheck(t *testing.T) {
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
	dir := t.TempDir()
	path, keep := filepath.Join(dir, "page.html"), filepath.Join(dir, "kept.png")
	if err := os.WriteFile(path, []byte(renderedPage), 0o644); err != nil {
		t.Fatal(err)
	}
	res, err := chartcheck.Check(t.Context(), path, &chartcheck.Options{Width: 800, KeepPNG: keep})
	if err != nil {
		t.Fatal(err)
	}
	if len(res) != 2 || res[0].ID != "chart-ok" || res[1].ID != "chart-ghost" {
		t.Fatalf("Check returned %v, want chart-ok and chart-ghost", res)
	}
	ok, ghost := res[0], res[1]
	t.Log(ok)
	t.Log(ghost)
	if diff := cmp.Diff(chartcheck.Box{X: 0, Y: 0, W: 600, H: 320}, ok.Box); diff != "" {
		t.Errorf("chart-ok box (-want +got):\n%s", diff)
	}
	if p := ok.Problems(); p != nil {
		t.Errorf("chart-ok problems %q, want none", p)
	}
	// Headless Chromium's device scale is 1: 600x320 image pixels, the blocks exact.
	if diff := cmp.Diff(chartcheck.Pixels{Area: 192000, Total: 80000, ByColour: map[string]int{"#3060a0": 40000, "#3464a4": 40000}}, ok.Drawn); diff != "" {
		t.Errorf("chart-ok pixels (-want +got):\n%s", diff)
	}
	if ok.Hidden.Total != 0 {
		t.Errorf("chart-ok with its marks hidden has %d pixels in mark colours, want 0", ok.Hidden.Total)
	}
	want := []string{"0 of 192000 pixels in its mark colours, want at least 1%", "its marks use #d1495b, which does not show"}
	if diff := cmp.Diff(want, ghost.Problems()); diff != "" {
		t.Errorf("chart-ghost problems (-want +got):\n%s", diff)
	}
	if st, err := os.Stat(keep); err != nil || st.Size() == 0 {
		t.Errorf("the kept screenshot %s: %v", keep, err)
	}
}
