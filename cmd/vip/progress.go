package main

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// progressBar draws the progress of reading a file on one terminal line, at most once
// per every.
type progressBar struct {
	w     io.Writer
	label string
	total int64 // bytes; -1 when unknown
	every time.Duration
	now   func() time.Time
	last  time.Time
	read  int64
	drawn bool
}

func (p *progressBar) update(read int64) {
	p.read = read
	if t := p.now(); !p.drawn || t.Sub(p.last) >= p.every {
		p.last = t
		p.drawn = true
		fmt.Fprint(p.w, "\r"+renderProgress(p.label, read, p.total, 30))
	}
}

// finish draws the final state and ends the line.
func (p *progressBar) finish() {
	fmt.Fprint(p.w, "\r"+renderProgress(p.label, p.read, p.total, 30)+"\n")
}

// renderProgress renders one line of progress: the label, the percentage, a bar of
// width cells and the bytes read of the total, e.g.
// "orders.csv  45% [=============>                ] 1.2 MB / 2.7 MB". With an unknown
// total (-1) it shows the bytes read only. Reads beyond the total show as 100%.
func renderProgress(label string, read, total int64, width int) string {
	if total < 0 {
		return fmt.Sprintf("%s %s", label, byteSize(read))
	}
	frac := 1.0
	if total > 0 {
		frac = min(float64(read)/float64(total), 1)
	}
	if read < 0 {
		frac = 0
	}
	full := int(frac * float64(width))
	bar := strings.Repeat("=", full)
	if full < width {
		bar += ">" + strings.Repeat(" ", width-full-1)
	}
	return fmt.Sprintf("%s %3d%% [%s] %s / %s", label, int(frac*100), bar, byteSize(read), byteSize(total))
}

// byteSize writes n bytes in B, kB or MB (powers of 1000, one decimal place above B).
func byteSize(n int64) string {
	switch {
	case n < 1000:
		return fmt.Sprintf("%d B", n)
	case n < 1000*1000:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	case n < 1000*1000*1000:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	}
	return fmt.Sprintf("%.1f GB", float64(n)/1e9)
}
