package chartcheck_test

import (
	"image"
	"image/color"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vipkit/vip/internal/chartcheck"
)

// Two heat-map shades 12 apart (4 per channel), closer than the tolerance of 24.
const (
	shadeA = "#3060a0"
	shadeB = "#3464a4"
)

// synthImage is 10x3 pixels, white but for row 0 (x 0-8) and row 1 (x 0-1):
//
//	x0-2  #3060a0  shade A itself                      -> A
//	x3-4  #3161a1  A + 1 per channel: 3 from A, 9 from B -> A
//	x5-6  #3464a4  shade B itself                      -> B
//	x7    #3262a2  6 from A and 6 from B: a tie          -> A (first in sorted order)
//	x8    #3c6cac  B + 8 per channel: 24 from B, 36 from A -> B (at the tolerance)
//	row 1, x0 #3d6cac  25 from B                       -> none (beyond it)
//	row 1, x1 #202020  far from both                   -> none
//
// A pixel counts for the nearest shade only: A 3+2+1 = 6, B 2+1 = 3, total 9. Crediting
// every shade within 24 would give A 9 and B 9.
func synthImage() *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, 10, 3))
	for y := range 3 {
		for x := range 10 {
			img.Set(x, y, color.White)
		}
	}
	row0 := []color.RGBA{
		{0x30, 0x60, 0xa0, 0xff}, {0x30, 0x60, 0xa0, 0xff}, {0x30, 0x60, 0xa0, 0xff},
		{0x31, 0x61, 0xa1, 0xff}, {0x31, 0x61, 0xa1, 0xff},
		{0x34, 0x64, 0xa4, 0xff}, {0x34, 0x64, 0xa4, 0xff},
		{0x32, 0x62, 0xa2, 0xff},
		{0x3c, 0x6c, 0xac, 0xff},
	}
	for x, c := range row0 {
		img.Set(x, 0, c)
	}
	img.Set(0, 1, color.RGBA{0x3d, 0x6c, 0xac, 0xff})
	img.Set(1, 1, color.RGBA{0x20, 0x20, 0x20, 0xff})
	return img
}

func TestCountColours(t *testing.T) {
	img := synthImage()
	for _, tc := range []struct {
		name    string
		box     chartcheck.Box
		scale   float64
		colours []string
		want    chartcheck.Pixels
	}{
		{"NearestOnly", chartcheck.Box{W: 10, H: 3}, 1, []string{shadeB, shadeA},
			chartcheck.Pixels{Area: 30, Total: 9, ByColour: map[string]int{shadeA: 6, shadeB: 3}}},
		// The same pixels, the colours given in upper case and once twice.
		{"CaseAndRepeats", chartcheck.Box{W: 10, H: 3}, 1, []string{strings.ToUpper(shadeA), shadeB, shadeA, "red"},
			chartcheck.Pixels{Area: 30, Total: 9, ByColour: map[string]int{shadeA: 6, shadeB: 3}}},
		// Only shade A is a mark colour: B's own pixels (12 away) and the B+8 pixel (36
		// away) are not; the tie pixel is 6 from A.
		{"OneShade", chartcheck.Box{W: 10, H: 3}, 1, []string{shadeA},
			chartcheck.Pixels{Area: 30, Total: 8, ByColour: map[string]int{shadeA: 8}}},
		// A box of CSS pixels x 1.5-4.5, y 0-1 at scale 2: image x 3-8, y 0-1, so the
		// pixels at x 3-8 of row 0 and row 1: two A+1, two B, the tie, B+8.
		{"Scale2", chartcheck.Box{X: 1.5, W: 3, H: 1}, 2, []string{shadeA, shadeB},
			chartcheck.Pixels{Area: 12, Total: 6, ByColour: map[string]int{shadeA: 3, shadeB: 3}}},
		// A box partly outside the image counts only the pixels inside.
		{"Clipped", chartcheck.Box{X: 8, Y: 2, W: 5, H: 5}, 1, []string{shadeA},
			chartcheck.Pixels{Area: 2, Total: 0, ByColour: map[string]int{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := chartcheck.CountColours(img, tc.box, tc.scale, tc.colours)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("CountColours(box %+v, scale %v, %v) (-want +got):\n%s", tc.box, tc.scale, tc.colours, diff)
			}
		})
	}
}

func TestResult_Problems(t *testing.T) {
	img := synthImage()
	box := chartcheck.Box{W: 10, H: 3}
	blank := image.NewRGBA(image.Rect(0, 0, 10, 3))
	for _, tc := range []struct {
		name  string
		drawn image.Image
		marks map[string]int
		box   chartcheck.Box
		want  []string
	}{
		{"OK", img, map[string]int{shadeA: 3, shadeB: 1}, box, nil},
		// A shade in the SVG but drawn nowhere, 12 below shade A (4 per channel): a
		// rule crediting every shade within 24 would see it through A's pixels;
		// nearest-only sees it is missing.
		{"ShadeMissing", img, map[string]int{shadeA: 3, shadeB: 1, "#2c5c9c": 1}, box,
			[]string{"its marks use #2c5c9c, which does not show"}},
		{"NothingDrawn", blank, map[string]int{shadeA: 1}, box,
			[]string{"0 of 30 pixels in its mark colours, want at least 1%", "its marks use #3060a0, which does not show"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cols := []string{}
			for c := range tc.marks {
				cols = append(cols, c)
			}
			r := chartcheck.Result{Chart: chartcheck.Chart{ID: "c", Marks: tc.marks}, Box: chartcheck.Box{W: 300, H: 150},
				Drawn: chartcheck.CountColours(tc.drawn, tc.box, 1, cols), Hidden: chartcheck.CountColours(blank, tc.box, 1, cols)}
			if diff := cmp.Diff(tc.want, r.Problems()); diff != "" {
				t.Errorf("Problems() (-want +got):\n%s", diff)
			}
		})
	}
	// The control: marks hidden but the colours still there (a background in a mark
	// colour) means the check cannot tell.
	r := chartcheck.Result{Chart: chartcheck.Chart{ID: "c", Marks: map[string]int{shadeA: 1}}, Box: chartcheck.Box{W: 299, H: 150},
		Drawn: chartcheck.CountColours(img, box, 1, []string{shadeA}), Hidden: chartcheck.CountColours(img, box, 1, []string{shadeA})}
	want := []string{"it is laid out as 299x150, want at least 300x150",
		"control: with its marks hidden it still has 8 of 30 pixels in mark colours, so the check cannot tell"}
	if diff := cmp.Diff(want, r.Problems()); diff != "" {
		t.Errorf("Problems() of a chart whose control shows its colours (-want +got):\n%s", diff)
	}
}

const page = `<html><body>
<svg id="chart-a" class="chart" viewBox="0 0 10 10">
<rect x="0" y="0" width="5" height="5" fill="#3060A0" class="mark" data-n="1"/>
<rect x="5" y="0" width="5" height="5" fill="#3464a4" class="mark cell" stroke="#fff" stroke-width="1"/>
<rect x="0" y="5" width="5" height="5" fill="#3060a0" class="mark"/>
<rect x="5" y="5" width="5" height="5" fill="#f8fafc" class="mark"/>
<line x1="0" y1="0" x2="10" y2="0" stroke="#334155"/>
<polyline class="mark curve" fill="none" stroke="#b91c1c" points="0,0 10,10"/>
</svg>
<svg id="chart-b" class="chart"><text class="empty">no reviews</text></svg>
<svg id="other"><rect class="mark" fill="#000000"/></svg>
</body></html>`

func TestCharts(t *testing.T) {
	want := []chartcheck.Chart{
		// #fff and #f8fafc (sum 744) are near white and left out; the axis line is no mark.
		{ID: "chart-a", Marks: map[string]int{"#3060a0": 2, "#3464a4": 1, "#b91c1c": 1}},
		{ID: "chart-b", Empty: true, Marks: map[string]int{}},
	}
	if diff := cmp.Diff(want, chartcheck.Charts(page)); diff != "" {
		t.Errorf("Charts(page) (-want +got):\n%s", diff)
	}
}

func TestCheckHTML(t *testing.T) {
	if err := chartcheck.CheckHTML(page, []string{"chart-a"}); err != nil {
		t.Errorf("CheckHTML(page, chart-a) = %v, want nil", err)
	}
	err := chartcheck.CheckHTML(page, []string{"chart-a", "chart-b", "chart-c"})
	want := "chartcheck: chart chart-b shows its empty placeholder\nchartcheck: no chart chart-c"
	if err == nil || err.Error() != want {
		t.Errorf("CheckHTML(page, chart-a, chart-b, chart-c) = %v, want %q", err, want)
	}
}
