package report

import (
	"slices"
	"testing"
)

// TestLabelled works the period labels by hand for a year, two years and a short run,
// and checks for every length up to 200 that at most maxPeriodLabels show, evenly spaced,
// never side by side, the last period always among them.
func TestLabelled(t *testing.T) {
	which := func(n int) []int {
		var out []int
		for i := range n {
			if labelled(i, n) {
				out = append(out, i)
			}
		}
		return out
	}
	for _, tt := range []struct {
		n    int
		want []int
	}{
		{1, []int{0}},
		{9, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}},
		{13, []int{0, 2, 4, 6, 8, 10, 12}},       // a monthly review over a year: every other month
		{24, []int{2, 5, 8, 11, 14, 17, 20, 23}}, // two years: every third, counted back from the last
		{25, []int{0, 3, 6, 9, 12, 15, 18, 21, 24}},
	} {
		if got := which(tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("labels of %d periods at %v, want %v", tt.n, got, tt.want)
		}
	}
	for n := 1; n <= 200; n++ {
		got := which(n)
		if len(got) > maxPeriodLabels || got[len(got)-1] != n-1 {
			t.Fatalf("%d periods: labels at %v, want at most %d ending at %d", n, got, maxPeriodLabels, n-1)
		}
		for k := 1; k < len(got); k++ {
			if gap := got[k] - got[k-1]; gap != got[1]-got[0] || (n > maxPeriodLabels && gap < 2) {
				t.Fatalf("%d periods: labels at %v are not evenly spaced or touch", n, got)
			}
		}
	}
}
