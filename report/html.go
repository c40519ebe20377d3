package report

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/vipkit/vip"
)

// Colours of the charts. Tiers take tierColors in ladder order, lowest first.
var tierColors = []string{"#94a3b8", "#e0a526", "#7c4dcc", "#0f8b7d", "#c2415d", "#2f5fb3", "#8a6d3b", "#4b5563"}

const (
	colorCurve     = "#1f6feb"
	colorCurveArea = "#e3ecfb"
	colorNone      = "#c9d1db"
	colorUp        = "#2a9d8f"
	colorReact     = "#1d5f8a"
	colorDown      = "#d1495b"
	colorGrace     = "#edae49"
	colorCLV       = "#5b6fd6"
	colorCLVOver   = "#a855b5"
	colorHeatLow   = "#eef3fa"
	colorHeatHigh  = "#123f7a"
	colorHeatEmpty = "#fafafa"
)

func tierColor(i int) string { return tierColors[i%len(tierColors)] }

// WriteHTML writes the report as one self-contained HTML page: inline CSS and SVG, no
// script and nothing fetched. The same Report always writes the same bytes.
func (r *Report) WriteHTML(w io.Writer) error {
	var b strings.Builder
	b.Grow(64 << 10)
	p := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }
	p("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
	p("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
	p("<title>%s</title>\n<style>%s</style>\n</head>\n<body>\n", esc(r.Title), css)
	r.header(&b)
	p("<main class=\"grid\">\n")
	r.paretoSection(&b)
	r.tiersSection(&b)
	r.flowsSection(&b)
	r.rfmSection(&b)
	r.movesSection(&b)
	r.clvSection(&b)
	r.clvTierSection(&b)
	r.economicsSection(&b)
	r.findingsSection(&b)
	p("</main>\n")
	r.footer(&b)
	p("</body>\n</html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) header(b *strings.Builder) {
	p := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	p("<header>\n<h1>%s</h1>\n", esc(r.Title))
	asOf := "-"
	if !r.AsOf.IsZero() {
		asOf = r.AsOf.Format("2006-01-02 15:04 MST")
	}
	p("<p class=\"sub\">Ladder <b>%s</b> &middot; as of <b>%s</b> &middot; amounts in <b>%s</b></p>\n", esc(r.Ladder.Name), esc(asOf), esc(r.Currency))
	p("<div class=\"kpis\">\n")
	kpi := func(label, value, note string) {
		p("<div class=\"kpi\"><div class=\"v\">%s</div><div class=\"l\">%s</div>", esc(value), esc(label))
		if note != "" {
			p("<div class=\"n\">%s</div>", esc(note))
		}
		p("</div>\n")
	}
	kpi("customers", count(r.Customers), count(r.Buyers)+" bought")
	kpi("orders", count(r.Orders), count(r.Refunds)+" refunds")
	kpi("net revenue", money(r.Revenue, 0), r.Currency+", lines paid less refunds")
	if n := len(r.Backtest.Periods); n > 0 {
		last := r.Backtest.Periods[n-1]
		members := r.Customers - last.None
		kpi("members", count(members), share(members, r.Customers)+" of customers")
	}
	if r.Pareto.Concentration.Customers > 0 {
		kpi("top 20% hold", pct(r.Pareto.Concentration.Top20, 1)+"%", "of 12-month revenue")
	}
	p("</div>\n<div class=\"ladder\"><span class=\"k\">Tiers</span>")
	for i, t := range r.Ladder.Tiers {
		p("<span class=\"chip\"><i style=\"background:%s\"></i>%s <b>%s</b>", tierColor(i), esc(t.Name), esc(amountText(t.Qualify)))
		if t.Keep != "" {
			p(" <small>keep %s</small>", esc(amountText(t.Keep)))
		}
		p("</span>")
	}
	p("<span class=\"rule\">%s over %s &middot; grace %d months &middot; landing %s</span></div>\n</header>\n",
		esc(strings.ReplaceAll(r.Ladder.Measure, "_", " ")), esc(r.Ladder.Period), r.Ladder.GraceMonths, esc(r.Ladder.Landing))
}

// amountText groups the thousands of a plain decimal string; other text is kept.
func amountText(s string) string {
	d, err := decimal.NewFromString(s)
	if err != nil {
		return s
	}
	places := int32(0)
	if !d.Equal(d.Truncate(0)) {
		places = 2
	}
	return money(d, places)
}

// section opens a card; title and lede are HTML written as given (constants and
// escaped figures only).
func section(b *strings.Builder, id, class, title, lede string) {
	fmt.Fprintf(b, "<section id=\"%s\" class=\"card %s\">\n<h2>%s</h2>\n", id, class, title)
	if lede != "" {
		fmt.Fprintf(b, "<p class=\"lede\">%s</p>\n", lede)
	}
}

// Pareto chart geometry: the plot area is x 60..560 for 0..100% of customers and y
// 320..20 for 0..100% of revenue.
var (
	paretoX = linear{0, 1, 60, 560}
	paretoY = linear{0, 1, 320, 20}
)

func (r *Report) paretoSection(b *strings.Builder) {
	c := r.Pareto.Concentration
	section(b, "pareto", "", "Revenue concentration",
		fmt.Sprintf("Customers ranked by net revenue over the %d months before the report date, highest first, against the share of that revenue they hold. The dashed diagonal is an even spread.", r.Pareto.WindowMonths))
	w := svgWriter{b}
	w.f(`<svg id="chart-pareto" class="chart" viewBox="0 0 600 360" role="img" aria-label="Pareto curve of revenue">`)
	var pts strings.Builder
	curve := len(r.Pareto.Points) > 1 && c.Total.IsPositive()
	if curve {
		for i, pt := range r.Pareto.Points {
			if i > 0 {
				pts.WriteByte(' ')
			}
			pts.WriteString(num(paretoX.at(pt.CustomerShare.InexactFloat64())) + "," + num(paretoY.at(pt.RevenueShare.InexactFloat64())))
		}
		// The area under the curve first, so that the grid shows over it.
		w.f(`<polygon class="mark" fill="%s" points="%s %s,%s"/>`, colorCurveArea, pts.String(), num(paretoX.at(1)), num(paretoY.at(0)))
	}
	for i := 0; i <= 5; i++ {
		v := float64(i) / 5
		w.line(paretoX.at(0), paretoY.at(v), paretoX.at(1), paretoY.at(v), gridClass(i == 0))
		w.text(paretoX.at(0)-6, paretoY.at(v)+4, ` class="tick" text-anchor="end"`, strconv.Itoa(i*20)+"%")
		w.line(paretoX.at(v), paretoY.at(0), paretoX.at(v), paretoY.at(1), gridClass(i == 0))
		w.text(paretoX.at(v), paretoY.at(0)+18, ` class="tick" text-anchor="middle"`, strconv.Itoa(i*20)+"%")
	}
	w.text(310, 354, ` class="axis-title" text-anchor="middle"`, "share of customers, ranked by revenue")
	w.text(14, 170, ` class="axis-title" text-anchor="middle" transform="rotate(-90 14 170)"`, "share of revenue")
	w.f(`<line class="even" x1="%s" y1="%s" x2="%s" y2="%s"/>`, num(paretoX.at(0)), num(paretoY.at(0)), num(paretoX.at(1)), num(paretoY.at(1)))
	if curve {
		w.f(`<polyline class="mark curve" fill="none" stroke="%s" stroke-width="3" stroke-linejoin="round" points="%s"/>`, colorCurve, pts.String())
		tops := []struct {
			p     int
			share decimal.Decimal
		}{{1, c.Top1}, {5, c.Top5}, {10, c.Top10}, {20, c.Top20}}
		for i, t := range tops {
			// The point of the curve at ceil(p x n) customers.
			k := (t.p*c.Customers + 99) / 100
			x := paretoX.at(float64(k) / float64(c.Customers))
			y := paretoY.at(t.share.InexactFloat64())
			w.f(`<circle class="mark top" data-top="%d" cx="%s" cy="%s" r="4.5" fill="#fff" stroke="%s" stroke-width="2"/>`, t.p, num(x), num(y), colorCurve)
			w.text(x+9, y+13, ` class="tick"`, fmt.Sprintf("%d%%", t.p))
			ly := 210 + float64(i)*22
			w.text(380, ly, ` class="legend"`, fmt.Sprintf("top %d%%", t.p))
			w.text(556, ly, ` class="legend strong" text-anchor="end"`, pct(t.share, 1)+"%")
		}
		w.text(380, 210+4*22, ` class="legend"`, "Gini")
		w.text(556, 210+4*22, ` class="legend strong" text-anchor="end"`, c.Gini.StringFixed(3))
	} else {
		w.text(310, 170, ` class="empty" text-anchor="middle"`, "no revenue in the window")
	}
	w.f("</svg>\n")
	fmt.Fprintf(b, "<p class=\"figures\">%s customers, %s %s of revenue in the window: the top 1%% hold <b>%s%%</b>, the top 5%% <b>%s%%</b>, the top 10%% <b>%s%%</b>, the top 20%% <b>%s%%</b>; Gini coefficient <b>%s</b>.</p>\n",
		count(c.Customers), esc(r.Currency), money(c.Total, 0), pct(c.Top1, 1), pct(c.Top5, 1), pct(c.Top10, 1), pct(c.Top20, 1), c.Gini.StringFixed(3))
	b.WriteString("</section>\n")
}

func gridClass(axis bool) string {
	if axis {
		return "axis"
	}
	return "grid"
}

// Bar chart geometry shared by the tier and flow charts: plot x 64..584, y 40..280.
const (
	barLeft, barRight, barTop, barBottom = 64.0, 584.0, 40.0, 280.0
)

// periodLabel is the x label of a period.
func periodLabel(t time.Time) string { return t.Format("Jan 06") }

// maxPeriodLabels is the most x labels a period chart shows: more would touch on a
// printed page.
const maxPeriodLabels = 9

// labelled says whether period i of n gets an x label: every k-th counted back from the
// last, which always has one, with k the smallest step that keeps to maxPeriodLabels,
// so labels are evenly spaced and never side by side.
func labelled(i, n int) bool {
	every := max(1, (n+maxPeriodLabels-1)/maxPeriodLabels)
	return (n-1-i)%every == 0
}

func (r *Report) tiersSection(b *strings.Builder) {
	bt := r.Backtest
	section(b, "tiers", "", "Tier distribution over time",
		fmt.Sprintf("Customers on each tier at each review of the ladder replayed over the history (%s from %s). Customers on no tier are not drawn.", cadence(bt.EveryMonths), dateText(bt.From)))
	w := svgWriter{b}
	w.f(`<svg id="chart-tiers" class="chart" viewBox="0 0 600 320" role="img" aria-label="Customers by tier at each review">`)
	legend(w, bt.Tiers)
	top := 0
	for _, p := range bt.Periods {
		s := 0
		for _, n := range p.Tiers {
			s += n
		}
		top = max(top, s)
	}
	ymax, step := niceMax(float64(top), 5)
	y := linear{0, ymax, barBottom, barTop}
	w.yAxis(y, ymax, step, barLeft, barRight, func(v float64) string { return count(int(v)) })
	n := len(bt.Periods)
	if n == 0 {
		w.text(324, 160, ` class="empty" text-anchor="middle"`, "no reviews")
	}
	band := (barRight - barLeft) / float64(max(n, 1))
	bw := math.Min(band*0.72, 48)
	for i, p := range bt.Periods {
		x := barLeft + band*float64(i) + (band-bw)/2
		base := 0
		for k, c := range p.Tiers {
			if c > 0 {
				w.rect(x, y.at(float64(base)), bw, y.at(float64(base+c))-y.at(float64(base)), tierColor(k),
					fmt.Sprintf(` class="mark" data-tier="%s" data-n="%d"`, esc(bt.Tiers[k]), c))
			}
			base += c
		}
		if labelled(i, n) {
			w.text(x+bw/2, barBottom+18, ` class="tick" text-anchor="middle"`, periodLabel(p.At))
		}
	}
	w.f("</svg>\n")
	if n > 0 {
		last := bt.Periods[n-1]
		parts := make([]string, len(bt.Tiers))
		for k, t := range bt.Tiers {
			parts[k] = fmt.Sprintf("%s <b>%s</b>", esc(t), count(last.Tiers[k]))
		}
		fmt.Fprintf(b, "<p class=\"figures\">At the last review (%s): %s; no tier %s. Members are %s of customers (the brief aims at 10-20%%).</p>\n",
			dateText(last.At), strings.Join(parts, ", "), count(last.None), share(r.Customers-last.None, r.Customers))
	}
	b.WriteString("</section>\n")
}

func cadence(every int) string {
	if every <= 1 {
		return "every month"
	}
	return fmt.Sprintf("every %d months", every)
}

func legend(w svgWriter, names []string) {
	x := barLeft
	for k, t := range names {
		w.rect(x, 12, 12, 12, tierColor(k), "")
		w.text(x+17, 22.5, ` class="legend"`, t)
		x += 30 + 7.2*float64(len([]rune(t)))
	}
}

func (r *Report) flowsSection(b *strings.Builder) {
	bt := r.Backtest
	section(b, "flows", "", "Tier flows per period",
		"Customers moving up a tier (reactivations, re-entries into a tier once lost, are part of them) above the line; downgrades and grace entries below it. The first review, which catches up the whole history before it, is left out.")
	w := svgWriter{b}
	w.f(`<svg id="chart-flows" class="chart" viewBox="0 0 600 320" role="img" aria-label="Tier flows per period">`)
	keys := []struct{ name, color string }{{"upgrades", colorUp}, {"reactivations", colorReact}, {"downgrades", colorDown}, {"grace entries", colorGrace}}
	x := barLeft
	for _, k := range keys {
		w.rect(x, 12, 12, 12, k.color, "")
		w.text(x+17, 22.5, ` class="legend"`, k.name)
		x += 30 + 7.2*float64(len(k.name))
	}
	var ps []Period
	if len(bt.Periods) > 1 {
		ps = bt.Periods[1:]
	}
	up, down := 0, 0
	for _, p := range ps {
		up = max(up, p.Upgrades, p.Reactivations)
		down = max(down, p.Downgrades, p.GraceStarted)
	}
	umax, ustep := niceMax(float64(max(up, 1)), 3)
	dmax, dstep := niceMax(float64(max(down, 1)), 3)
	step := math.Max(ustep, dstep)
	umax, dmax = math.Ceil(umax/step)*step, math.Ceil(dmax/step)*step
	y := linear{-dmax, umax, barBottom, barTop}
	for v := -dmax; v <= umax+step/2; v += step {
		w.line(barLeft, y.at(v), barRight, y.at(v), gridClass(v == 0))
		w.text(barLeft-6, y.at(v)+4, ` class="tick" text-anchor="end"`, count(int(math.Abs(v))))
	}
	w.line(barLeft, y.at(0), barRight, y.at(0), "axis")
	n := len(ps)
	if n == 0 {
		w.text(324, 160, ` class="empty" text-anchor="middle"`, "one review only: no flows between reviews")
	}
	band := (barRight - barLeft) / float64(max(n, 1))
	bw := math.Min(band*0.36, 22)
	for i, p := range ps {
		x0 := barLeft + band*float64(i) + band/2 - bw
		bar := func(x float64, v int, sign float64, color, kind string) {
			if v > 0 {
				w.rect(x, y.at(0), bw, y.at(sign*float64(v))-y.at(0), color, fmt.Sprintf(` class="mark" data-flow="%s" data-n="%d"`, kind, v))
			}
		}
		bar(x0, p.Upgrades, 1, colorUp, "upgrades")
		bar(x0+bw, p.Reactivations, 1, colorReact, "reactivations")
		bar(x0, p.Downgrades, -1, colorDown, "downgrades")
		bar(x0+bw, p.GraceStarted, -1, colorGrace, "grace")
		if labelled(i, n) {
			w.text(x0+bw, barBottom+18, ` class="tick" text-anchor="middle"`, periodLabel(p.At))
		}
	}
	w.f("</svg>\n")
	if n > 0 {
		var u, d, g, re int
		for _, p := range ps {
			u, d, g, re = u+p.Upgrades, d+p.Downgrades, g+p.GraceStarted, re+p.Reactivations
		}
		fmt.Fprintf(b, "<p class=\"figures\">From %s to %s: <b>%s</b> upgrades (%s reactivations), <b>%s</b> downgrades, <b>%s</b> grace entries.</p>\n",
			dateText(ps[0].At), dateText(ps[n-1].At), count(u), count(re), count(d), count(g))
	}
	b.WriteString("</section>\n")
}

func (r *Report) movesSection(b *strings.Builder) {
	bt := r.Backtest
	section(b, "moves", "wide", "Tier moves by period",
		"Customers changing tier in each period, from the tier left to the tier entered (&ldquo;&ndash;&rdquo; is no tier), moves up first. The first column catches up the history before the first review.")
	type key struct{ from, to string }
	var cols []key
	idx := map[key]int{}
	for _, p := range bt.Periods {
		for _, m := range p.Moves {
			k := key{m.From, m.To}
			if _, ok := idx[k]; !ok {
				idx[k] = len(cols)
				cols = append(cols, k)
			}
		}
	}
	rank := map[string]int{"": 0}
	for i, t := range bt.Tiers {
		rank[t] = i + 1
	}
	// Up moves first, lowest tier left first; then down moves, highest first.
	sortKeys(cols, func(a, c key) bool {
		ua, uc := rank[a.to] > rank[a.from], rank[c.to] > rank[c.from]
		if ua != uc {
			return ua
		}
		if rank[a.from] != rank[c.from] {
			return (rank[a.from] < rank[c.from]) == ua
		}
		return rank[a.to] < rank[c.to]
	})
	if len(cols) == 0 {
		b.WriteString("<p class=\"empty\">No customer changed tier.</p>\n</section>\n")
		return
	}
	name := func(t string) string {
		if t == "" {
			return "&ndash;"
		}
		return esc(t)
	}
	b.WriteString("<div class=\"scroll\"><table class=\"num moves\">\n<thead><tr><th>move</th>")
	for i, p := range bt.Periods {
		label := p.At.Format("Jan 06")
		if i == 0 {
			label = "to " + label
		}
		fmt.Fprintf(b, "<th title=\"%s\">%s</th>", dateText(p.At), esc(label))
	}
	b.WriteString("</tr></thead>\n<tbody>\n")
	for _, k := range cols {
		cls := "down"
		if rank[k.to] > rank[k.from] {
			cls = "up"
		}
		fmt.Fprintf(b, "<tr><th class=\"%s\">%s&#8239;&rarr;&#8239;%s</th>", cls, name(k.from), name(k.to))
		for _, p := range bt.Periods {
			v := 0
			for _, m := range p.Moves {
				if m.From == k.from && m.To == k.to {
					v = m.Customers
				}
			}
			if v == 0 {
				b.WriteString("<td class=\"zero\">0</td>")
			} else {
				fmt.Fprintf(b, "<td>%s</td>", count(v))
			}
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody></table></div>\n</section>\n")
}

func sortKeys[T any](xs []T, less func(a, b T) bool) {
	for i := 1; i < len(xs); i++ {
		for j := i; j > 0 && less(xs[j], xs[j-1]); j-- {
			xs[j], xs[j-1] = xs[j-1], xs[j]
		}
	}
}

// Heat map geometry: cell (r, f) spans x 96+(f-1)*96 .. +96 and, R = 5 on top,
// y 16+(5-r)*62 .. +62.
const (
	heatLeft, heatTop, heatCellW, heatCellH = 96.0, 16.0, 96.0, 62.0
)

func (r *Report) rfmSection(b *strings.Builder) {
	h := r.RFM
	section(b, "rfm", "", "Recency &times; frequency",
		"Customers by recency score R and frequency score F at the report date (quintiles of the days since the last order and of the orders in the last 12 months), in the cells of the 10-segment R &times; F grid.")
	w := svgWriter{b}
	w.f(`<svg id="chart-rfm" class="chart" viewBox="0 0 600 380" role="img" aria-label="R by F heat map">`)
	most := 0
	for _, row := range h.Counts {
		for _, c := range row {
			most = max(most, c)
		}
	}
	cellX := func(f int) float64 { return heatLeft + float64(f-1)*heatCellW }
	cellY := func(r int) float64 { return heatTop + float64(5-r)*heatCellH }
	for rr := 5; rr >= 1; rr-- {
		for f := 1; f <= 5; f++ {
			c := h.Counts[rr-1][f-1]
			fill := colorHeatEmpty
			t := 0.0
			if c > 0 && most > 0 {
				t = 0.12 + 0.88*float64(c)/float64(most)
				fill = lerpColor(colorHeatLow, colorHeatHigh, t)
			}
			w.rect(cellX(f), cellY(rr), heatCellW, heatCellH, fill, fmt.Sprintf(` class="mark cell" data-r="%d" data-f="%d" data-n="%d" stroke="#fff" stroke-width="1"`, rr, f, c))
			cls := "cnt"
			if t > 0.55 {
				cls = "cnt inv"
			}
			w.text(cellX(f)+heatCellW/2, cellY(rr)+heatCellH/2+13, fmt.Sprintf(` class="%s" text-anchor="middle"`, cls), count(c))
		}
	}
	// Segment borders and names: a name is written once, in the top-left cell of its
	// segment (segments of this grid are boxes).
	seg := func(rr, f int) string {
		if rr < 1 || rr > 5 || f < 1 || f > 5 {
			return "\x00"
		}
		return h.Segments[rr-1][f-1]
	}
	for rr := 1; rr <= 5; rr++ {
		for f := 1; f <= 5; f++ {
			s := seg(rr, f)
			x, y := cellX(f), cellY(rr)
			if seg(rr+1, f) != s {
				w.line(x, y, x+heatCellW, y, "seg")
			}
			if seg(rr-1, f) != s {
				w.line(x, y+heatCellH, x+heatCellW, y+heatCellH, "seg")
			}
			if seg(rr, f-1) != s {
				w.line(x, y, x, y+heatCellH, "seg")
			}
			if seg(rr, f+1) != s {
				w.line(x+heatCellW, y, x+heatCellW, y+heatCellH, "seg")
			}
			if seg(rr+1, f) != s && seg(rr, f-1) != s && s != "" {
				t := 0.0
				if most > 0 && h.Counts[rr-1][f-1] > 0 {
					t = 0.12 + 0.88*float64(h.Counts[rr-1][f-1])/float64(most)
				}
				cls := "segname"
				if t > 0.55 {
					cls = "segname inv"
				}
				w.text(x+5, y+13, fmt.Sprintf(` class="%s"`, cls), s)
			}
		}
	}
	for i := 1; i <= 5; i++ {
		w.text(heatLeft-10, cellY(i)+heatCellH/2+4, ` class="tick" text-anchor="end"`, "R "+strconv.Itoa(i))
		w.text(cellX(i)+heatCellW/2, heatTop+5*heatCellH+18, ` class="tick" text-anchor="middle"`, "F "+strconv.Itoa(i))
	}
	w.text(heatLeft+2.5*heatCellW, 372, ` class="axis-title" text-anchor="middle"`, "frequency score (orders in 12 months) →")
	w.text(30, heatTop+2.5*heatCellH, ` class="axis-title" text-anchor="middle" transform="rotate(-90 30 171)"`, "recency score (5 = most recent) →")
	w.f("</svg>\n")
	b.WriteString("<p class=\"figures\">")
	for i, s := range h.BySegment {
		if i > 0 {
			b.WriteString(" &middot; ")
		}
		fmt.Fprintf(b, "%s <b>%s</b>", esc(s.Segment), count(s.Customers))
	}
	b.WriteString("</p>\n</section>\n")
}

// CLV histogram geometry: plot x 64..584, y 30..270.
func (r *Report) clvSection(b *strings.Builder) {
	c := r.CLV
	disc := "without discounting"
	if c.AnnualRate > 0 {
		disc = fmt.Sprintf("discounted at %s%% a year", strconv.FormatFloat(c.AnnualRate*100, 'f', -1, 64))
	}
	section(b, "clv", "", "Predicted lifetime value",
		fmt.Sprintf("Each customer's predicted gross profit over the next %d months (%s, at a %s%% margin): expected purchases from a BG/NBD model times expected spend from a Gamma-Gamma model, both fitted on the order history.", c.HorizonMonths, disc, pct(c.Margin, 0)))
	if c.Problem != "" {
		fmt.Fprintf(b, "<p class=\"problem\">%s</p>\n</section>\n", esc(c.Problem))
		return
	}
	w := svgWriter{b}
	w.f(`<svg id="chart-clv" class="chart" viewBox="0 0 600 320" role="img" aria-label="Histogram of predicted lifetime value">`)
	most := c.Over
	for _, bn := range c.Bins {
		most = max(most, bn.Customers)
	}
	ymax, step := niceMax(float64(most), 5)
	y := linear{0, ymax, 270, 30}
	w.yAxis(y, ymax, step, barLeft, barRight, func(v float64) string { return count(int(v)) })
	nb := len(c.Bins) + 1
	band := (barRight - barLeft) / float64(nb)
	for i, bn := range c.Bins {
		x := barLeft + band*float64(i)
		if bn.Customers > 0 {
			w.rect(x+1, y.at(float64(bn.Customers)), band-2, y.at(0)-y.at(float64(bn.Customers)), colorCLV, fmt.Sprintf(` class="mark" data-n="%d"`, bn.Customers))
		}
		if i%5 == 0 {
			w.text(x, 288, ` class="tick" text-anchor="middle"`, money(bn.From, -1))
		}
	}
	x := barLeft + band*float64(len(c.Bins))
	if c.Over > 0 {
		w.rect(x+1, y.at(float64(c.Over)), band-2, y.at(0)-y.at(float64(c.Over)), colorCLVOver, fmt.Sprintf(` class="mark" data-n="%d"`, c.Over))
	}
	if len(c.Bins) > 0 {
		w.text(x, 288, ` class="tick" text-anchor="middle"`, money(c.Bins[len(c.Bins)-1].To, -1))
		w.text(x+band/2, 302, ` class="tick" text-anchor="middle"`, "and up")
	}
	w.text(324, 314, ` class="axis-title" text-anchor="middle"`, "predicted value per customer ("+r.Currency+")")
	w.f("</svg>\n")
	fmt.Fprintf(b, "<p class=\"figures\">%s customers scored", count(c.Scored))
	if c.Unscored > 0 {
		fmt.Fprintf(b, " (%s could not be)", count(c.Unscored))
	}
	fmt.Fprintf(b, ": total <b>%s</b>, mean <b>%s</b>, median <b>%s</b>, 90th percentile <b>%s</b>, 99th <b>%s</b>.",
		money(c.Total, 0), money(c.Mean, 2), money(c.Median, 2), money(c.P90, 2), money(c.P99, 2))
	if c.BGNBD != nil && c.GammaGamma != nil {
		fmt.Fprintf(b, " <span class=\"params\">BG/NBD r %s, &alpha; %s weeks, a %s, b %s; Gamma-Gamma p %s, q %s, &gamma; %s.</span>",
			f3(c.BGNBD.R), f3(c.BGNBD.Alpha), f3(c.BGNBD.A), f3(c.BGNBD.B), f3(c.GammaGamma.P), f3(c.GammaGamma.Q), f3(c.GammaGamma.Gamma))
	}
	b.WriteString("</p>\n")
	if n := c.SpendLeftOut; n > 0 {
		who := count(n) + " repeat customers"
		if n == 1 {
			who = "1 repeat customer"
		}
		fmt.Fprintf(b, "<p class=\"note\">%s left out of the Gamma-Gamma spend model, and so not scored: their repeat orders average %s or less, and the model is one of positive spend.</p>\n",
			who, money(decimal.Zero, 2))
	}
	if c.Note != "" {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", esc(c.Note))
	}
	b.WriteString("</section>\n")
}

// Value-by-tier chart geometry: one horizontal bar per tier, x 130..560 for 0..the
// largest mean, rows 44 high from y 20.
func (r *Report) clvTierSection(b *strings.Builder) {
	c := r.CLV
	section(b, "clv-tiers", "", "Predicted value by tier",
		"The mean predicted lifetime value of the customers on each tier after the last review, and the share of all predicted value they hold (the brief expects VIPs&rsquo; lifetime value to be 40-60% higher).")
	if c.Problem != "" || len(c.ByTier) == 0 {
		msg := c.Problem
		if msg == "" {
			msg = "No customer was scored."
		}
		fmt.Fprintf(b, "<p class=\"problem\">%s</p>\n</section>\n", esc(msg))
		return
	}
	w := svgWriter{b}
	h := 20 + 44*float64(len(c.ByTier)) + 44
	w.f(`<svg id="chart-clvtier" class="chart" viewBox="0 0 600 %s" role="img" aria-label="Mean predicted value by tier">`, num(h))
	most := 0.0
	for _, tv := range c.ByTier {
		most = math.Max(most, tv.Mean.InexactFloat64())
	}
	top, step := niceMax(most, 4)
	x := linear{0, top, 130, 560}
	bottom := 20 + 44*float64(len(c.ByTier))
	for v := 0.0; v <= top+step/2; v += step {
		w.line(x.at(v), 14, x.at(v), bottom, gridClass(v == 0))
		w.text(x.at(v), bottom+16, ` class="tick" text-anchor="middle"`, money(decimal.NewFromFloat(v), -1))
	}
	for i, tv := range c.ByTier {
		y := 20 + 44*float64(i)
		name, col := tv.Tier, colorNone
		if tv.Tier == "" {
			name = "no tier"
		} else {
			col = tierColor(i)
		}
		w.text(122, y+22, ` class="legend" text-anchor="end"`, name)
		if tv.Customers > 0 {
			w.rect(x.at(0), y+6, x.at(tv.Mean.InexactFloat64())-x.at(0), 24, col, fmt.Sprintf(` class="mark" data-tier="%s" data-n="%d"`, esc(tv.Tier), tv.Customers))
		}
		w.text(x.at(tv.Mean.InexactFloat64())+6, y+22, ` class="legend strong"`, money(tv.Mean, 0))
	}
	w.text(345, bottom+30, ` class="axis-title" text-anchor="middle"`, "mean predicted value per customer ("+r.Currency+")")
	w.f("</svg>\n")
	b.WriteString("<table class=\"num\">\n<thead><tr><th>tier</th><th>customers scored</th><th>mean</th><th>total</th><th>share of value</th></tr></thead>\n<tbody>\n")
	for _, tv := range c.ByTier {
		name := esc(tv.Tier)
		if tv.Tier == "" {
			name = "no tier"
		}
		fmt.Fprintf(b, "<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s%%</td></tr>\n", name, count(tv.Customers), money(tv.Mean, 2), money(tv.Total, 0), pct(tv.Share, 1))
	}
	b.WriteString("</tbody></table>\n</section>\n")
}

func f3(v float64) string { return strconv.FormatFloat(v, 'g', 4, 64) }

func (r *Report) economicsSection(b *strings.Builder) {
	e := r.Economics
	lede := fmt.Sprintf("The program&rsquo;s profit and loss by tier at the last review, priced by %s: each member&rsquo;s net spend and orders of the 12 months before it, gross profit from unit costs (or a %s%% margin where orders have none), less the cost of the tier&rsquo;s benefits.", esc(e.Catalogue), pct(r.Margin, 0))
	section(b, "economics", "wide", "Economics by tier", lede)
	if e.Problem != "" || e.PnL == nil {
		msg := e.Problem
		if msg == "" {
			msg = "No review to price."
		}
		fmt.Fprintf(b, "<p class=\"problem\">%s</p>\n</section>\n", esc(msg))
		return
	}
	b.WriteString("<div class=\"scroll\"><table class=\"num\">\n<thead><tr><th>tier</th><th>members</th><th>revenue</th><th>gross profit</th><th>benefit cost</th><th>cost per member</th><th>net</th><th>net margin</th><th>ROI</th></tr></thead>\n<tbody>\n")
	row := func(rw pnlView, cls string) {
		fmt.Fprintf(b, "<tr class=\"%s\"><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=\"%s\">%s</td><td>%s%%</td><td>%s</td></tr>\n",
			cls, rw.label, count(rw.Customers), money(rw.Spend, 0), money(rw.GrossProfit, 0), money(rw.Cost, 0), money(rw.CostPerCustomer, 2),
			signClass(rw.Net), money(rw.Net, 0), pct(rw.NetMargin, 1), rw.roi)
	}
	for i, rw := range e.PnL.Rows {
		if rw.Tier == "" {
			continue
		}
		roi := "&ndash;"
		if i < len(e.ROI) && e.ROI[i] != nil {
			roi = pct(e.ROI[i].Return, 0) + "%"
		}
		row(pnlView{rw, fmt.Sprintf("<i class=\"sw\" style=\"background:%s\"></i>%s", tierColor(i), esc(rw.Tier)), roi}, "")
	}
	row(pnlView{e.PnL.Program, "all tiers", "&ndash;"}, "total")
	b.WriteString("</tbody></table></div>\n")
	if len(e.PnL.Program.Items) > 0 {
		b.WriteString("<p class=\"figures\">Benefit cost of all tiers by kind: ")
		for i, it := range e.PnL.Program.Items {
			if i > 0 {
				b.WriteString(" &middot; ")
			}
			fmt.Fprintf(b, "%s <b>%s</b>", esc(strings.ReplaceAll(string(it.Benefit), "_", " ")), money(it.Cost, 0))
		}
		b.WriteString(".</p>\n")
	}
	if e.ROINote != "" {
		fmt.Fprintf(b, "<p class=\"note\">%s</p>\n", esc(e.ROINote))
	}
	b.WriteString("</section>\n")
}

// pnlView is a P&L row with its label and ROI cell as written in the table.
type pnlView struct {
	vip.PnLRow
	label, roi string
}

func signClass(d decimal.Decimal) string {
	if d.IsNegative() {
		return "neg"
	}
	return ""
}

func (r *Report) findingsSection(b *strings.Builder) {
	section(b, "findings", "wide", "Findings",
		"The program measured against the brief&rsquo;s targets at the last review of the backtest, findings first.")
	if len(r.Metrics) == 0 {
		b.WriteString("<p class=\"empty\">No metric could be measured (the history is too short or no customer holds a tier).</p>\n</section>\n")
		return
	}
	b.WriteString("<table class=\"findings\">\n<thead><tr><th>metric</th><th>tier</th><th class=\"r\">value</th><th class=\"r\">target</th><th>finding</th></tr></thead>\n<tbody>\n")
	for _, m := range r.Metrics {
		band := "&ndash;"
		if m.Band != nil {
			band = esc(bandText(m.Band))
		}
		cls, finding := "ok", "within target"
		if m.Band == nil {
			finding = ""
		}
		if m.Finding != "" {
			cls, finding = "flag", m.Finding
		}
		fmt.Fprintf(b, "<tr class=\"%s\"><td>%s</td><td>%s</td><td class=\"r\">%s</td><td class=\"r\">%s</td><td>%s</td></tr>\n",
			cls, esc(strings.ReplaceAll(m.Name, "_", " ")), esc(m.Tier), esc(m.Value.StringFixed(4)), band, esc(finding))
	}
	b.WriteString("</tbody></table>\n</section>\n")
}

func bandText(b *vip.Band) string {
	switch {
	case b.Min.IsZero():
		return "at most " + b.Max.String()
	case b.Max.IsZero():
		return "at least " + b.Min.String()
	}
	return b.Min.String() + " to " + b.Max.String()
}

func (r *Report) footer(b *strings.Builder) {
	b.WriteString("<footer>\n")
	if len(r.Notes) > 0 {
		b.WriteString("<ul>\n")
		for _, n := range r.Notes {
			fmt.Fprintf(b, "<li>%s</li>\n", esc(n))
		}
		b.WriteString("</ul>\n")
	}
	b.WriteString("<p>Made with vip (github.com/vipkit/vip), package report. Every figure is in the report&rsquo;s JSON as well.</p>\n</footer>\n")
}

func dateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.Format("2006-01-02")
}

// count formats an integer with thousands separators.
func count(n int) string { return group(strconv.Itoa(n)) }

// money formats an amount with thousands separators and the given decimals, rounded
// half away from zero; places -1 trims trailing zeros.
func money(d decimal.Decimal, places int32) string {
	var s string
	if places < 0 {
		s = d.String()
	} else {
		s = d.StringFixed(places)
	}
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	intPart, frac, _ := strings.Cut(s, ".")
	out := group(intPart)
	if frac != "" {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out
}

func group(s string) string {
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}

// share formats a/b as a percentage with one decimal.
func share(a, b int) string {
	if b == 0 {
		return "0%"
	}
	return decimal.NewFromInt(int64(a)).DivRound(decimal.NewFromInt(int64(b)), 4).Shift(2).StringFixed(1) + "%"
}
