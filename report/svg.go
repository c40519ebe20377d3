package report

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
)

// linear maps a domain [d0, d1] onto a range [r0, r1] of SVG user units.
type linear struct{ d0, d1, r0, r1 float64 }

// at returns the coordinate of v.
func (s linear) at(v float64) float64 {
	if s.d1 == s.d0 {
		return s.r0
	}
	return s.r0 + (v-s.d0)*(s.r1-s.r0)/(s.d1-s.d0)
}

// num formats a coordinate with one decimal, the same on every platform.
func num(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		v = 0
	}
	s := strconv.FormatFloat(math.Round(v*10)/10, 'f', 1, 64)
	if s == "-0.0" {
		s = "0.0"
	}
	return s
}

// esc escapes text for HTML and SVG content and attribute values.
func esc(s string) string { return html.EscapeString(s) }

// niceMax returns a round upper bound for an axis over [0, v] and its tick step, about
// n ticks.
func niceMax(v float64, n int) (top, step float64) {
	if !(v > 0) {
		return 1, 1
	}
	step = niceStep(v / float64(n))
	if step < 1 && v >= 1 {
		step = 1
	}
	top = math.Ceil(v/step-1e-9) * step
	if top < v {
		top += step
	}
	return top, step
}

// svgWriter builds an SVG element.
type svgWriter struct{ b *strings.Builder }

func (w svgWriter) f(format string, args ...any) { fmt.Fprintf(w.b, format, args...) }

// text writes a text element at (x, y) with extra attributes.
func (w svgWriter) text(x, y float64, attrs, s string) {
	w.f(`<text x="%s" y="%s"%s>%s</text>`, num(x), num(y), attrs, esc(s))
}

// line writes a line element.
func (w svgWriter) line(x1, y1, x2, y2 float64, class string) {
	w.f(`<line class="%s" x1="%s" y1="%s" x2="%s" y2="%s"/>`, class, num(x1), num(y1), num(x2), num(y2))
}

// rect writes a rect element with a fill.
func (w svgWriter) rect(x, y, width, height float64, fill, extra string) {
	if height < 0 {
		y, height = y+height, -height
	}
	w.f(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"%s/>`, num(x), num(y), num(width), num(height), fill, extra)
}

// yAxis writes horizontal grid lines and labels for ticks 0, step, ..., top on scale y
// between x0 and x1.
func (w svgWriter) yAxis(y linear, top, step, x0, x1 float64, label func(float64) string) {
	for v := 0.0; v <= top+step/2; v += step {
		yy := y.at(v)
		cls := "grid"
		if v == 0 {
			cls = "axis"
		}
		w.line(x0, yy, x1, yy, cls)
		w.text(x0-6, yy+4, ` class="tick" text-anchor="end"`, label(v))
	}
}

// lerpColor mixes two #rrggbb colours, t in [0, 1].
func lerpColor(a, b string, t float64) string {
	pa, pb := hexRGB(a), hexRGB(b)
	t = math.Max(0, math.Min(1, t))
	var out [3]int
	for i := range out {
		out[i] = int(math.Round(float64(pa[i]) + t*float64(pb[i]-pa[i])))
	}
	return fmt.Sprintf("#%02x%02x%02x", out[0], out[1], out[2])
}

func hexRGB(s string) [3]int {
	var c [3]int
	if len(s) == 7 {
		for i := range c {
			v, _ := strconv.ParseUint(s[1+2*i:3+2*i], 16, 8)
			c[i] = int(v)
		}
	}
	return c
}
