package vip_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
)

// rfmTableGrid is SEGMENTS.md's 11-segment table transcribed into a grid, R by R: each
// string is one F (1..5 top to bottom), its columns M = 1..5. It was written from the
// published cell lists by a different path than the lists in segments.go, so a typo in
// either shows up here.
var rfmTableGrid = []string{
	// R = 1
	"LS LS CL CL CL",
	"LS HI HI AR AR",
	"LS HI AR AR AR",
	"LS AR AR CL AR",
	"LS AR AR CL CL",
	// R = 2
	"HI HI AS CL CL",
	"AS HI HI AR AR",
	"AS HI HI AR AR",
	"AS AR AR AR AR",
	"AS AR AR AR AR",
	// R = 3
	"NC AS PR PR PR",
	"AS HI PL NA NA",
	"AS HI PL NA LO",
	"PL PL NA LO LO",
	"PL PL PL LO LO",
	// R = 4
	"NC NC PR PR PR",
	"NC NC PL PR PR",
	"PL PL PL NA LO",
	"PL PL NA LO CH",
	"PL PL PL CH CH",
	// R = 5
	"NC NC PR PR PR",
	"PR PR PR PR PR",
	"PL PL PL NA NA",
	"PL PL LO CH CH",
	"PL PL PL CH CH",
}

var rfmTableCodes = map[string]string{
	"CH": "Champions", "LO": "Loyal", "PL": "Potential Loyalist", "NC": "New Customers",
	"PR": "Promising", "NA": "Need Attention", "AS": "About To Sleep", "AR": "At Risk",
	"CL": "Cannot Lose Them", "HI": "Hibernating", "LS": "Lost",
}

func TestSegmentsRFMTable_EveryCell(t *testing.T) {
	for _, tc := range []struct {
		name string
		m    vip.SegmentMap
		neal bool
	}{
		{"published", vip.SegmentsRFMTable, false},
		{"neal", vip.SegmentsRFMTableNeal, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			count := map[string]int{}
			for r := 1; r <= 5; r++ {
				for f := 1; f <= 5; f++ {
					row := strings.Fields(rfmTableGrid[(r-1)*5+f-1])
					for m := 1; m <= 5; m++ {
						want := rfmTableCodes[row[m-1]]
						if tc.neal && r == 2 && m == 1 && f >= 3 {
							want = "Hibernating" // 231, 241, 251
						}
						s := vip.RFMScore{R: uint8(r), F: uint8(f), M: uint8(m)}
						got := tc.m.Segment(s)
						if got != want {
							t.Errorf("Segment(%s) = %q, want %q", s, got, want)
						}
						count[got]++
					}
				}
			}
			// The published list sizes.
			want := map[string]int{"Champions": 7, "Loyal": 8, "Potential Loyalist": 24, "New Customers": 7,
				"Promising": 16, "Need Attention": 8, "About To Sleep": 8, "At Risk": 22, "Cannot Lose Them": 8,
				"Hibernating": 11, "Lost": 6}
			if tc.neal {
				want["About To Sleep"], want["Hibernating"] = 5, 14
			}
			if d := cmp.Diff(want, count); d != "" {
				t.Errorf("cells per segment (-want +got):\n%s", d)
			}
		})
	}
}

func TestSegmentsRFGrid_EveryCell(t *testing.T) {
	// Rows R = 1..5, columns F = 1..5, written from the grid in SEGMENTS.md.
	const (
		hi = "Hibernating"
		ar = "At Risk"
		cl = "Can't Lose Them"
		as = "About To Sleep"
		na = "Need Attention"
		lo = "Loyal Customers"
		pr = "Promising"
		nc = "New Customers"
		pl = "Potential Loyalists"
		ch = "Champions"
	)
	grid := [5][5]string{
		{hi, hi, ar, ar, cl},
		{hi, hi, ar, ar, cl},
		{as, as, na, lo, lo},
		{pr, pl, pl, lo, lo},
		{nc, pl, pl, ch, ch},
	}
	count := map[string]int{}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ { // M is ignored
				s := vip.RFMScore{R: uint8(r), F: uint8(f), M: uint8(m)}
				if got, want := vip.SegmentsRFGrid.Segment(s), grid[r-1][f-1]; got != want {
					t.Errorf("Segment(%s) = %q, want %q", s, got, want)
				}
			}
			count[grid[r-1][f-1]]++
		}
	}
	if len(count) != 10 {
		t.Errorf("grid has %d segments, want 10", len(count))
	}
	if d := cmp.Diff([]string{hi, ar, cl, as, na, lo, pr, nc, pl, ch}, vip.SegmentsRFGrid.Names()); d != "" {
		t.Errorf("Names() (-want +got):\n%s", d)
	}
}

func TestSegmentsRFMPackage_EveryCell(t *testing.T) {
	// The rfm 0.3.0 boxes from SEGMENTS.md, applied here by a plain loop.
	boxes := []struct {
		name                   string
		rlo, rhi, flo, fhi, ml int
		mh                     int
	}{
		{"Champions", 5, 5, 5, 5, 5, 5},
		{"Potential Loyalist", 3, 5, 3, 5, 2, 5},
		{"Loyal Customers", 2, 4, 2, 4, 2, 4},
		{"Promising", 3, 4, 1, 3, 3, 5},
		{"New Customers", 4, 5, 1, 3, 1, 5},
		{"Can't Lose Them", 1, 2, 3, 4, 4, 5},
		{"At Risk", 1, 2, 2, 5, 4, 5},
		{"Need Attention", 1, 3, 3, 5, 3, 5},
		{"About To Sleep", 2, 3, 1, 3, 1, 4},
		{"Lost", 1, 1, 1, 5, 1, 5},
	}
	for r := 1; r <= 5; r++ {
		for f := 1; f <= 5; f++ {
			for m := 1; m <= 5; m++ {
				want := "Others"
				for _, b := range boxes {
					if b.rlo <= r && r <= b.rhi && b.flo <= f && f <= b.fhi && b.ml <= m && m <= b.mh {
						want = b.name
						break
					}
				}
				s := vip.RFMScore{R: uint8(r), F: uint8(f), M: uint8(m)}
				if got := vip.SegmentsRFMPackage.Segment(s); got != want {
					t.Errorf("Segment(%s) = %q, want %q", s, got, want)
				}
			}
		}
	}
	// A few cells worked by hand.
	for cell, want := range map[string]string{
		"555": "Champions", "554": "Potential Loyalist", "111": "Lost", "511": "New Customers",
		"215": "Others", "222": "Loyal Customers", "235": "Can't Lose Them", "153": "Need Attention", "133": "Need Attention",
		"125": "At Risk", "134": "Can't Lose Them", "314": "Promising", "213": "About To Sleep",
	} {
		s := vip.RFMScore{R: cell[0] - '0', F: cell[1] - '0', M: cell[2] - '0'}
		if got := vip.SegmentsRFMPackage.Segment(s); got != want {
			t.Errorf("Segment(%s) = %q, want %q", cell, got, want)
		}
	}
}

func TestSegmentsPyMCQuartiles(t *testing.T) {
	count := map[string]int{}
	for r := 1; r <= 4; r++ {
		for f := 1; f <= 4; f++ {
			for m := 1; m <= 4; m++ {
				count[vip.SegmentsPyMCQuartiles.Segment(vip.RFMScore{R: uint8(r), F: uint8(f), M: uint8(m)})]++
			}
		}
	}
	want := map[string]int{"Premium Customer": 8, "Repeat Customer": 7, "Top Spender": 13,
		"At Risk Customer": 11, "Inactive Customer": 7, "Other": 64 - 46}
	if d := cmp.Diff(want, count); d != "" {
		t.Errorf("cells per segment (-want +got):\n%s", d)
	}
	for cell, want := range map[string]string{
		"444": "Premium Customer", "232": "Repeat Customer", "144": "Top Spender",
		"122": "At Risk Customer", "111": "Inactive Customer", "121": "Other", "241": "Other",
	} {
		s := vip.RFMScore{R: cell[0] - '0', F: cell[1] - '0', M: cell[2] - '0'}
		if got := vip.SegmentsPyMCQuartiles.Segment(s); got != want {
			t.Errorf("Segment(%s) = %q, want %q", cell, got, want)
		}
	}
	// Quintile scores beyond the quartile scale name nothing.
	if got := vip.SegmentsPyMCQuartiles.Segment(vip.RFMScore{R: 5, F: 1, M: 1}); got != "" {
		t.Errorf("Segment(511) on a quartile map = %q, want \"\"", got)
	}
}

func TestSegmentMap_Segment_OutOfRange(t *testing.T) {
	for _, s := range []vip.RFMScore{{}, {R: 0, F: 3, M: 3}, {R: 6, F: 1, M: 1}, {R: 3, F: 3, M: 0}, {R: 255, F: 255, M: 255}} {
		if got := vip.SegmentsRFMTable.Segment(s); got != "" {
			t.Errorf("Segment(%v) = %q, want \"\"", s, got)
		}
	}
	var zero vip.SegmentMap
	if got := zero.Segment(vip.RFMScore{R: 1, F: 1, M: 1}); got != "" {
		t.Errorf("zero map Segment(111) = %q, want \"\"", got)
	}
}

func TestParseSegmentMap(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		m, err := vip.ParseSegmentMap([]byte(`{"name":"two","scale":2,"dimensions":"RF",
			"segments":[{"name":"good","cells":["22","21"]},{"name":"bad","r":[1,1]}]}`))
		if err != nil {
			t.Fatal(err)
		}
		for cell, want := range map[[2]uint8]string{{2, 2}: "good", {2, 1}: "good", {1, 1}: "bad", {1, 2}: "bad"} {
			if got := m.Segment(vip.RFMScore{R: cell[0], F: cell[1], M: 2}); got != want {
				t.Errorf("Segment(%v) = %q, want %q", cell, got, want)
			}
		}
	})
	t.Run("RoundTrip", func(t *testing.T) {
		for _, m := range []vip.SegmentMap{vip.SegmentsRFGrid, vip.SegmentsRFMTable, vip.SegmentsRFMTableNeal, vip.SegmentsRFMPackage, vip.SegmentsPyMCQuartiles} {
			b, err := json.Marshal(m)
			if err != nil {
				t.Fatal(err)
			}
			var back vip.SegmentMap
			if err := json.Unmarshal(b, &back); err != nil {
				t.Fatalf("%s: %v", m.Name(), err)
			}
			for r := uint8(1); r <= 5; r++ {
				for f := uint8(1); f <= 5; f++ {
					for mm := uint8(1); mm <= 5; mm++ {
						s := vip.RFMScore{R: r, F: f, M: mm}
						if a, b := m.Segment(s), back.Segment(s); a != b {
							t.Errorf("%s: Segment(%s) = %q after a JSON round trip, want %q", m.Name(), s, b, a)
						}
					}
				}
			}
		}
	})
	for _, tc := range []struct {
		name string
		json string
		want []string // substrings of the error
	}{
		{"ErrMissingCells", `{"name":"x","scale":2,"dimensions":"RF","segments":[{"name":"a","cells":["11","12"]}]}`,
			[]string{"no segment holds cells 21 22"}},
		{"ErrCellTwice", `{"name":"x","scale":2,"dimensions":"RF","segments":[{"name":"a","r":[1,2]},{"name":"b","cells":["22"]}]}`,
			[]string{`cell 22 is in segment "a" and in segment "b"`}},
		{"ErrBadCell", `{"name":"x","scale":2,"dimensions":"RFM","other":"o","segments":[{"name":"a","cells":["113","1x1","11"]}]}`,
			[]string{`cell "113" has a score outside 1..2`, `cell "1x1" has a score outside`, `cell "11" is not 3 digits`}},
		{"ErrBadRange", `{"name":"x","scale":5,"dimensions":"RF","other":"o","segments":[{"name":"a","r":[3,2]},{"name":"b","f":[0,6]},{"name":"c","m":[1,1]}]}`,
			[]string{"r range [3, 2]", "f range [0, 6]", "an RF map has no M range"}},
		{"ErrNames", `{"name":"","scale":2,"dimensions":"RF","other":"a","segments":[{"name":"a","r":[1,1]},{"name":"a","r":[2,2]},{"name":" ","r":[2,2]}]}`,
			[]string{"name is empty", `segment "a" appears twice`, "segment 2: name is empty", `other "a" is also a segment`}},
		{"ErrScale", `{"name":"x","scale":6,"dimensions":"RF","segments":[]}`, []string{"scale 6 is outside 2..5"}},
		{"ErrDimensions", `{"name":"x","scale":5,"dimensions":"FM","segments":[]}`, []string{`dimensions "FM"`}},
		{"ErrUnknownField", `{"name":"x","scale":5,"dimension":"RF"}`, []string{"unknown field"}},
		{"ErrTrailing", `{"name":"x","scale":2,"dimensions":"RF","segments":[{"name":"a"}]} {}`, []string{"data after"}},
		{"ErrNotJSON", `[`, []string{"segment map"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := vip.ParseSegmentMap([]byte(tc.json))
			if !errors.Is(err, vip.ErrInvalidScoring) {
				t.Fatalf("ParseSegmentMap(%s) = %v, want ErrInvalidScoring", tc.json, err)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
	t.Run("FirstMatchOverlaps", func(t *testing.T) {
		m, err := vip.ParseSegmentMap([]byte(`{"name":"x","scale":2,"dimensions":"RFM","first_match":true,
			"segments":[{"name":"top","cells":["222"]},{"name":"rest"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Segment(vip.RFMScore{R: 2, F: 2, M: 2}); got != "top" {
			t.Errorf("Segment(222) = %q, want top", got)
		}
		if got := m.Segment(vip.RFMScore{R: 2, F: 2, M: 1}); got != "rest" {
			t.Errorf("Segment(221) = %q, want rest", got)
		}
	})
}

func FuzzParseSegmentMap(f *testing.F) {
	for _, m := range []vip.SegmentMap{vip.SegmentsRFGrid, vip.SegmentsRFMTable, vip.SegmentsRFMPackage, vip.SegmentsPyMCQuartiles} {
		b, _ := json.Marshal(m)
		f.Add(b)
	}
	f.Add([]byte(`{"name":"x","scale":2,"dimensions":"RF","segments":[{"name":"a","r":[1,2]}]}`))
	f.Add([]byte(`{"name":"x","scale":9,"dimensions":"RFM","segments":[{"name":"a","cells":["999"]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := vip.ParseSegmentMap(data)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidScoring) || !strings.HasPrefix(err.Error(), "vip: ") {
				t.Fatalf("error %q does not wrap ErrInvalidScoring with the vip: prefix", err)
			}
			return
		}
		// A valid map names every cell of its scale.
		sc := uint8(m.Scale())
		for r := uint8(1); r <= sc; r++ {
			for f := uint8(1); f <= sc; f++ {
				for mm := uint8(1); mm <= sc; mm++ {
					if m.Segment(vip.RFMScore{R: r, F: f, M: mm}) == "" {
						t.Fatalf("valid map %s leaves cell %d%d%d unnamed", data, r, f, mm)
					}
				}
			}
		}
	})
}
