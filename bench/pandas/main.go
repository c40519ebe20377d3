// Command pandas is the Go half of the RFM comparison with pandas: it draws the
// population of the ScoreRFM benchmarks (internal/synth.RFMPopulation), times
// vip.ScoreRFM plus segment names on it, and writes the population, vip's scores and
// segment names, and both segment maps cell by cell into a directory for rfm.py, which
// times the pandas recipe on the same customers and checks that it agrees. run.sh runs
// both; see README.md.
package main

import (
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/synth"
)

func main() {
	n := flag.Int("n", 1_000_000, "customers")
	runs := flag.Int("runs", 7, "timed runs of each case (the best and the median are printed)")
	out := flag.String("out", filepath.Join(os.TempDir(), "vip-rfm-pandas"), "directory for pop.csv, vip.csv and segments.json")
	flag.Parse()
	if err := run(*n, *runs, *out); err != nil {
		log.Fatal(err)
	}
}

func run(n, runs int, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	pop := synth.RFMPopulation(n)
	names := make([]string, n)
	var scores []vip.RFMScore
	for _, tc := range []struct {
		label string
		ties  vip.TieRule
		m     *vip.SegmentMap
	}{
		{"scores, ties split, + 125-cell segment names", vip.TiesSplit, &vip.SegmentsRFMTable},
		{"scores, ties together, + 125-cell segment names", vip.TiesTogether, &vip.SegmentsRFMTable},
		{"scores, ties split, + 10-segment R x F names", vip.TiesSplit, &vip.SegmentsRFGrid},
	} {
		var times []time.Duration
		for range runs {
			t0 := time.Now()
			s, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Ties: tc.ties})
			if err != nil {
				return err
			}
			for i := range s {
				names[i] = tc.m.Segment(s[i])
			}
			times = append(times, time.Since(t0))
			if tc.ties == vip.TiesSplit && scores == nil {
				scores = s
			}
		}
		slices.Sort(times)
		fmt.Printf("vip    %-50s best %7.1f ms, median %7.1f ms (%d runs, %d customers)\n", tc.label,
			ms(times[0]), ms(times[len(times)/2]), runs, n)
	}
	if err := writeCSV(filepath.Join(dir, "pop.csv"), []string{"id", "recency", "frequency", "monetary"}, n, func(i int) []string {
		p := pop[i]
		return []string{p.CustomerID, strconv.FormatInt(p.RecencyDays, 10), strconv.FormatInt(p.Frequency, 10), p.Monetary.StringFixed(2)}
	}); err != nil {
		return err
	}
	if err := writeCSV(filepath.Join(dir, "vip.csv"), []string{"id", "r", "f", "m", "table", "grid"}, n, func(i int) []string {
		s := scores[i]
		return []string{pop[i].CustomerID, strconv.Itoa(int(s.R)), strconv.Itoa(int(s.F)), strconv.Itoa(int(s.M)),
			vip.SegmentsRFMTable.Segment(s), vip.SegmentsRFGrid.Segment(s)}
	}); err != nil {
		return err
	}
	// Both maps cell by cell: "RFM" digits to the 11-segment table, "RF" digits to the grid.
	maps := map[string]map[string]string{"table": {}, "grid": {}}
	for r := uint8(1); r <= 5; r++ {
		for f := uint8(1); f <= 5; f++ {
			maps["grid"][fmt.Sprintf("%d%d", r, f)] = vip.SegmentsRFGrid.Segment(vip.RFMScore{R: r, F: f, M: 1})
			for m := uint8(1); m <= 5; m++ {
				s := vip.RFMScore{R: r, F: f, M: m}
				maps["table"][s.String()] = vip.SegmentsRFMTable.Segment(s)
			}
		}
	}
	b, err := json.MarshalIndent(maps, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "segments.json"), b, 0o644)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func writeCSV(path string, header []string, n int, row func(int) []string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	if err := w.Write(header); err != nil {
		f.Close()
		return err
	}
	for i := range n {
		if err := w.Write(row(i)); err != nil {
			f.Close()
			return err
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
