package vip_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"pgregory.net/rapid"
)

// rfmPop10 is ten customers worked by hand in TestScoreRFM.
func rfmPop10() []vip.RFMInput {
	days := []int64{0, 3, 3, 10, 30, 60, 90, 200, 365, 400}
	freq := []int64{1, 1, 1, 1, 1, 1, 2, 3, 5, 8}
	mon := []string{"10", "20", "20.00", "5.5", "100", "1000", "0", "-5", "50", "50.0"}
	pop := make([]vip.RFMInput, 10)
	for i := range pop {
		pop[i] = vip.RFMInput{CustomerID: fmt.Sprintf("c%02d", i+1), RecencyDays: days[i], Frequency: freq[i], Monetary: decimal.RequireFromString(mon[i])}
	}
	return pop
}

func rfmScores(t testing.TB, digits string) []vip.RFMScore {
	t.Helper()
	var out []vip.RFMScore
	for _, c := range strings.Fields(digits) {
		out = append(out, vip.RFMScore{R: c[0] - '0', F: c[1] - '0', M: c[2] - '0'})
	}
	return out
}

func TestScoreRFM(t *testing.T) {
	// Ranks worked by hand: F sorted by (F, ID) is c01..c06 (F = 1), c07, c08, c09, c10; with
	// 5 bins rank r scores r/2 + 1. Under TiesTogether the six one-time buyers all score 1,
	// F = 2 has 6 below it: 6*5/10 + 1 = 4. Recency 3 days (c02, c03) is split by ID.
	for _, tc := range []struct {
		name string
		opts *vip.ScoreOptions
		want string // c01..c10
	}{
		{"Split", nil, "512 413 523 422 335 335 241 241 154 154"},
		{"Together", &vip.ScoreOptions{Ties: vip.TiesTogether}, "512 413 413 412 315 315 241 241 154 154"},
		{"ThreeBins", &vip.ScoreOptions{Bins: 3}, "311 312 312 211 223 223 121 131 132 133"},
		{"Fixed", &vip.ScoreOptions{
			RecencyDays: []int64{30, 90, 180, 365},
			Frequency:   []int64{2, 3, 5, 10},
			Monetary:    []decimal.Decimal{decimal.NewFromInt(10), decimal.NewFromInt(50), decimal.NewFromInt(100), decimal.NewFromInt(500)},
		}, "512 512 512 511 414 415 321 231 143 143"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := vip.ScoreRFM(rfmPop10(), tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(rfmScores(t, tc.want), got); d != "" {
				t.Errorf("ScoreRFM (-want +got):\n%s", d)
			}
		})
	}
}

func TestScoreRFM_Small(t *testing.T) {
	// Two customers, five bins: ranks 0 and 1 score 0*5/2+1 = 1 and 1*5/2+1 = 3.
	pop := []vip.RFMInput{{CustomerID: "b", RecencyDays: 1, Frequency: 2, Monetary: decimal.NewFromInt(2)}, {CustomerID: "a", RecencyDays: 5, Frequency: 1, Monetary: decimal.NewFromInt(1)}}
	got, err := vip.ScoreRFM(pop, nil)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(rfmScores(t, "333 111"), got); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
	got, err = vip.ScoreRFM(nil, nil)
	if err != nil || len(got) != 0 {
		t.Errorf("ScoreRFM(nil) = %v, %v; want empty, nil", got, err)
	}
}

func TestScoreOptions_Validate(t *testing.T) {
	err := vip.ScoreOptions{Bins: 101, Ties: 7, Frequency: []int64{3, 2}, Monetary: []decimal.Decimal{decimal.Zero}}.Validate()
	if !errors.Is(err, vip.ErrInvalidScoring) {
		t.Fatalf("Validate() = %v, want ErrInvalidScoring", err)
	}
	for _, w := range []string{"bins 101 is outside 2..100", "ties: unknown rule 7", "frequency: threshold 1 (2) is not above 3", "monetary: 1 thresholds for 101 bins"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q lacks %q", err, w)
		}
	}
	if _, err := vip.ScoreRFM(rfmPop10(), &vip.ScoreOptions{RecencyDays: []int64{1, 2}}); !errors.Is(err, vip.ErrInvalidScoring) {
		t.Errorf("ScoreRFM with 2 recency thresholds for 5 bins: err = %v, want ErrInvalidScoring", err)
	}
}

func TestTieRule_Text(t *testing.T) {
	var r vip.TieRule
	if err := r.UnmarshalText([]byte("together")); err != nil || r != vip.TiesTogether {
		t.Errorf("UnmarshalText(together) = %v, %v", r, err)
	}
	if err := r.UnmarshalText([]byte("sideways")); !errors.Is(err, vip.ErrInvalidScoring) {
		t.Errorf("UnmarshalText(sideways) err = %v", err)
	}
	if b, err := vip.TiesSplit.MarshalText(); err != nil || string(b) != "split" {
		t.Errorf("MarshalText = %s, %v", b, err)
	}
}

// rfmGenPop draws a population with unique IDs (some sharing a 9-byte prefix, so the
// full-ID comparison is exercised) and values from small ranges, so ties are common.
func rfmGenPop(t *rapid.T) []vip.RFMInput {
	nums := rapid.SliceOfNDistinct(rapid.IntRange(0, 1_000_000), 0, 200, func(i int) int { return i }).Draw(t, "ids")
	pop := make([]vip.RFMInput, len(nums))
	span := rapid.Int64Range(1, 1000).Draw(t, "span")
	for i, n := range nums {
		id := fmt.Sprintf("%x", n)
		if n%3 == 0 {
			id = "customer-" + id
		}
		pop[i] = vip.RFMInput{
			CustomerID:  id,
			RecencyDays: rapid.Int64Range(0, span).Draw(t, "r"),
			Frequency:   rapid.Int64Range(0, span/10+1).Draw(t, "f"),
			Monetary:    decimal.New(rapid.Int64Range(-100, span*100).Draw(t, "m"), -2),
		}
	}
	return pop
}

// rfmSortScores scores one dimension by a full sort, the textbook way, as a reference for
// the selection: better(a, b) < 0 when a's value is worse.
func rfmSortScores(pop []vip.RFMInput, bins int, split bool, worse func(a, b vip.RFMInput) int) []uint8 {
	idx := make([]int, len(pop))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := worse(pop[a], pop[b]); c != 0 || !split {
			return c
		}
		return strings.Compare(pop[a].CustomerID, pop[b].CustomerID)
	})
	out := make([]uint8, len(pop))
	n := len(pop)
	for r, i := range idx {
		if split {
			out[i] = uint8(r*bins/n + 1)
			continue
		}
		below := 0
		for _, j := range idx {
			if worse(pop[j], pop[i]) < 0 {
				below++
			}
		}
		out[i] = uint8(below*bins/n + 1)
	}
	return out
}

func TestScoreRFM_Properties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		pop := rfmGenPop(t)
		bins := rapid.IntRange(2, 12).Draw(t, "bins")
		ties := rapid.SampledFrom([]vip.TieRule{vip.TiesSplit, vip.TiesTogether}).Draw(t, "ties")
		opts := &vip.ScoreOptions{Bins: bins, Ties: ties}
		got, err := vip.ScoreRFM(pop, opts)
		if err != nil {
			t.Fatal(err)
		}
		split := ties == vip.TiesSplit
		dims := []struct {
			name  string
			get   func(vip.RFMScore) uint8
			worse func(a, b vip.RFMInput) int
		}{
			{"R", func(s vip.RFMScore) uint8 { return s.R }, func(a, b vip.RFMInput) int { return -rfmCmpInt(a.RecencyDays, b.RecencyDays) }},
			{"F", func(s vip.RFMScore) uint8 { return s.F }, func(a, b vip.RFMInput) int { return rfmCmpInt(a.Frequency, b.Frequency) }},
			{"M", func(s vip.RFMScore) uint8 { return s.M }, func(a, b vip.RFMInput) int { return a.Monetary.Cmp(b.Monetary) }},
		}
		for _, d := range dims {
			want := rfmSortScores(pop, bins, split, d.worse)
			count := make([]int, bins+1)
			for i := range pop {
				s := d.get(got[i])
				if s < 1 || int(s) > bins {
					t.Fatalf("%s score %d of %q outside 1..%d", d.name, s, pop[i].CustomerID, bins)
				}
				if s != want[i] {
					t.Fatalf("%s score of %q = %d, a full sort gives %d", d.name, pop[i].CustomerID, s, want[i])
				}
				count[s]++
				for j := range pop { // monotone, and equal values score equally under TiesTogether
					c := d.worse(pop[i], pop[j])
					sj := d.get(got[j])
					if c < 0 && s > sj || !split && c == 0 && s != sj {
						t.Fatalf("%s: %q (score %d) vs %q (score %d): not monotone", d.name, pop[i].CustomerID, s, pop[j].CustomerID, sj)
					}
				}
			}
			if split && len(pop) > 0 {
				lo, hi := len(pop)/bins, (len(pop)+bins-1)/bins
				for s := 1; s <= bins; s++ {
					if count[s] < lo || count[s] > hi {
						t.Fatalf("%s: bin %d holds %d of %d, want %d..%d", d.name, s, count[s], len(pop), lo, hi)
					}
				}
			}
		}
		// Input order does not matter.
		perm := rapid.Permutation(pop).Draw(t, "perm")
		again, err := vip.ScoreRFM(perm, opts)
		if err != nil {
			t.Fatal(err)
		}
		byID := map[string]vip.RFMScore{}
		for i, p := range pop {
			byID[p.CustomerID] = got[i]
		}
		for i, p := range perm {
			if byID[p.CustomerID] != again[i] {
				t.Fatalf("%q scores %s, after shuffling %s", p.CustomerID, byID[p.CustomerID], again[i])
			}
		}
	})
}

func rfmCmpInt(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// TestScoreRFM_Large covers populations large enough for the sampled selection, with
// heavy ties (most customers buy once), against the full-sort reference.
func TestScoreRFM_Large(t *testing.T) {
	if testing.Short() {
		t.Skip("large population")
	}
	rng := rand.New(rand.NewPCG(7, 8))
	pop := make([]vip.RFMInput, 150_000)
	for i := range pop {
		f := int64(1)
		for rng.Float64() < 0.4 {
			f++
		}
		pop[i] = vip.RFMInput{
			CustomerID:  fmt.Sprintf("customer-%d", rng.IntN(1<<40)<<8|i&255),
			RecencyDays: int64(rng.IntN(400)),
			Frequency:   f,
			Monetary:    decimal.New(int64(rng.IntN(50_000)), -2),
		}
	}
	for _, ties := range []vip.TieRule{vip.TiesSplit, vip.TiesTogether} {
		for _, bins := range []int{5, 4, 10} {
			t.Run(fmt.Sprintf("%s/%d", ties, bins), func(t *testing.T) {
				got, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Bins: bins, Ties: ties})
				if err != nil {
					t.Fatal(err)
				}
				want := rfmSortReference(pop, bins, ties)
				bad := 0
				for i := range pop {
					if got[i] != want[i] {
						if bad++; bad < 5 {
							t.Errorf("%q scores %s, a full sort gives %s", pop[i].CustomerID, got[i], want[i])
						}
					}
				}
			})
		}
	}
}

// rfmSortReference scores pop on all three dimensions by full sorts (rfmSortScoresFast),
// recency reversed: the reference the selection paths of ScoreRFM are checked against.
func rfmSortReference(pop []vip.RFMInput, bins int, ties vip.TieRule) []vip.RFMScore {
	split := ties == vip.TiesSplit
	r := rfmSortScoresFast(pop, bins, split, func(a, b vip.RFMInput) int { return -rfmCmpInt(a.RecencyDays, b.RecencyDays) })
	f := rfmSortScoresFast(pop, bins, split, func(a, b vip.RFMInput) int { return rfmCmpInt(a.Frequency, b.Frequency) })
	m := rfmSortScoresFast(pop, bins, split, func(a, b vip.RFMInput) int { return a.Monetary.Cmp(b.Monetary) })
	out := make([]vip.RFMScore, len(pop))
	for i := range out {
		out[i] = vip.RFMScore{R: r[i], F: f[i], M: m[i]}
	}
	return out
}

// rfmCheckAgainstSort scores pop through ScoreRFM, one-pass bucketing from bucketMin
// customers, and fails at the first customer whose scores differ from rfmSortReference.
func rfmCheckAgainstSort(t interface {
	Helper()
	Fatal(...any)
	Fatalf(string, ...any)
}, pop []vip.RFMInput, bins int, ties vip.TieRule, bucketMin int) {
	t.Helper()
	got, err := vip.ScoreRFMBucketMin(pop, &vip.ScoreOptions{Bins: bins, Ties: ties}, bucketMin)
	if err != nil {
		t.Fatal(err)
	}
	want := rfmSortReference(pop, bins, ties)
	for i := range pop {
		if w := want[i]; got[i] != w {
			t.Fatalf("%q (recency %d, frequency %d, monetary %s) scores %d-%d-%d, a full sort gives %d-%d-%d",
				pop[i].CustomerID, pop[i].RecencyDays, pop[i].Frequency, pop[i].Monetary, got[i].R, got[i].F, got[i].M, w.R, w.F, w.M)
		}
	}
}

// rfmSortScoresFast is rfmSortScores with the TiesTogether count done on the sorted order.
func rfmSortScoresFast(pop []vip.RFMInput, bins int, split bool, worse func(a, b vip.RFMInput) int) []uint8 {
	if split {
		return rfmSortScores(pop, bins, true, worse)
	}
	idx := make([]int, len(pop))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return worse(pop[a], pop[b]) })
	out := make([]uint8, len(pop))
	n, below := len(pop), 0
	for r, i := range idx {
		if r > 0 && worse(pop[idx[r-1]], pop[i]) < 0 {
			below = r
		}
		out[i] = uint8(below*bins/n + 1)
	}
	return out
}

// TestScoreRFM_RadixProperties draws populations of 4,096-6,000 customers, run through
// the one-pass bucketing (its threshold lowered to 4,096), with narrow and wide value
// ranges and IDs that share long prefixes, and checks them against the full-sort
// reference.
func TestScoreRFM_RadixProperties(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(4096, 6000).Draw(t, "n")
		seed := rapid.Uint64().Draw(t, "seed")
		span := rapid.SampledFrom([]int64{1, 3, 50, 1 << 20, 1 << 40}).Draw(t, "span")
		prefix := rapid.SampledFrom([]string{"", "C", "customer-0000"}).Draw(t, "prefix")
		rng := rand.New(rand.NewPCG(seed, 1))
		pop := make([]vip.RFMInput, n)
		for i := range pop {
			pop[i] = vip.RFMInput{
				CustomerID:  fmt.Sprintf("%s%d", prefix, rng.IntN(1<<30)<<13|i),
				RecencyDays: rng.Int64N(span),
				Frequency:   1 + rng.Int64N(span/4+1)*rng.Int64N(2),
				Monetary:    decimal.New(rng.Int64N(span*100)-span, -2),
			}
		}
		bins := rapid.IntRange(2, 11).Draw(t, "bins")
		ties := rapid.SampledFrom([]vip.TieRule{vip.TiesSplit, vip.TiesTogether}).Draw(t, "ties")
		rfmCheckAgainstSort(t, pop, bins, ties, 4096)
	})
}

func TestScoreRFM_MonetaryForms(t *testing.T) {
	// Amounts in every decimal form: positive exponents, many digits, negatives, equal
	// values written differently. Ascending: -0.001 < 0 = 0.00 < 4999.99 < 5E+3 = 5000.0
	// < 123456789012345678.9 < 1E+20.
	mon := []string{"5E+3", "4999.99", "123456789012345678.9", "-0.001", "0", "0.00", "5000.0", "1E+20"}
	pop := make([]vip.RFMInput, len(mon))
	for i, m := range mon {
		pop[i] = vip.RFMInput{CustomerID: fmt.Sprintf("c%d", i), Monetary: rfmDec(m)}
	}
	got, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Bins: 8, Ties: vip.TiesTogether})
	if err != nil {
		t.Fatal(err)
	}
	// Under TiesTogether with 8 bins and 8 customers a score is 1 + the number below.
	want := []uint8{5, 4, 7, 1, 2, 2, 5, 8}
	var ms []uint8
	for _, s := range got {
		ms = append(ms, s.M)
	}
	if d := cmp.Diff(want, ms); d != "" {
		t.Errorf("M scores (-want +got):\n%s", d)
	}
}

func FuzzScoreOptions(f *testing.F) {
	f.Add([]byte(`{"bins":4,"ties":"together"}`))
	f.Add([]byte(`{"bins":3,"recency_days":[30,90],"frequency":[2,5],"monetary":["10","100.5"]}`))
	f.Add([]byte(`{"ties":"sideways","bins":-1}`))
	pop := rfmPop10()
	f.Fuzz(func(t *testing.T, data []byte) {
		var o vip.ScoreOptions
		if err := json.Unmarshal(data, &o); err != nil {
			return
		}
		got, err := vip.ScoreRFM(pop, &o)
		if err != nil {
			if !errors.Is(err, vip.ErrInvalidScoring) || !strings.HasPrefix(err.Error(), "vip: ") {
				t.Fatalf("error %q does not wrap ErrInvalidScoring with the vip: prefix", err)
			}
			return
		}
		bins := o.Bins
		if bins == 0 {
			bins = vip.DefaultBins
		}
		for _, s := range got {
			for _, v := range []uint8{s.R, s.F, s.M} {
				if v < 1 || int(v) > bins {
					t.Fatalf("score %s outside 1..%d with options %s", s, bins, data)
				}
			}
		}
	})
}

func TestScoreOptions_HugeExponent(t *testing.T) {
	// Comparing with 1E+999999999 exactly would build a billion-digit number.
	huge := decimal.New(1, 999_999_999)
	o := vip.ScoreOptions{Bins: 2, Monetary: []decimal.Decimal{huge}}
	if err := o.Validate(); !errors.Is(err, vip.ErrInvalidScoring) || !strings.Contains(err.Error(), "exponent 999999999") {
		t.Errorf("Validate() = %v, want ErrInvalidScoring naming the exponent", err)
	}
	pop := []vip.RFMInput{{CustomerID: "a", Monetary: huge}, {CustomerID: "b", Monetary: decimal.New(-1, 999_999_999)}, {CustomerID: "c", Monetary: decimal.New(5, -999_999_999)}}
	got, err := vip.ScoreRFM(pop, &vip.ScoreOptions{Bins: 3, Monetary: []decimal.Decimal{decimal.Zero, decimal.NewFromInt(1)}})
	if err != nil {
		t.Fatal(err)
	}
	if got[0].M != 3 || got[1].M != 1 || got[2].M != 2 {
		t.Errorf("M scores %d %d %d, want 3 1 2", got[0].M, got[1].M, got[2].M)
	}
	if _, err := vip.TopThreshold([]decimal.Decimal{decimal.Zero}, huge); !errors.Is(err, vip.ErrInvalidScoring) {
		t.Errorf("TopThreshold(huge share) err = %v", err)
	}
}

// TestScoreRFM_AgainstSort checks ScoreRFM against a plain full sort (rfmSortScoresFast:
// ranks by value with decimal.Cmp, then by ID with strings.Compare) on populations built
// to tie: values drawn from a handful, the same amount written in several forms ("20",
// "20.00", "2E+1"), amounts of 19 digits that round to one float64, recencies past the
// exactly bucketed window (NeverBoughtRecency), IDs sharing long prefixes or differing
// only in trailing zero bytes. Both tie rules, 2 to 100 bins, and both paths: the
// one-pass bucketing is forced on small populations by lowering its threshold.
func TestScoreRFM_AgainstSort(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(0, 1500).Draw(t, "n")
		prefix := rapid.SampledFrom([]string{"", "c", "customer-000000", "shop/eu/customer/"}).Draw(t, "prefix")
		nr := rapid.IntRange(1, 40).Draw(t, "distinct_r")
		nf := rapid.IntRange(1, 10).Draw(t, "distinct_f")
		nm := rapid.IntRange(1, 60).Draw(t, "distinct_m")
		seed := rapid.Uint64().Draw(t, "seed")
		rng := rand.New(rand.NewPCG(seed, 2))
		recencies := []int64{0, 1, 7, 30, 365, 16383, 16384, 1 << 20, vip.NeverBoughtRecency, -5}
		forms := func(cents int64) decimal.Decimal {
			switch rng.IntN(4) {
			case 0:
				return decimal.New(cents, -2)
			case 1:
				return decimal.New(cents*10, -3)
			case 2:
				if cents%100 == 0 {
					return decimal.New(cents/100, 0)
				}
			}
			return decimal.New(cents*1000, -5)
		}
		big := decimal.RequireFromString("1234567890123456700") // 19 digits: +0..99 share a float64
		pop := make([]vip.RFMInput, n)
		for i := range pop {
			id := fmt.Sprintf("%s%d", prefix, rng.IntN(1<<20)<<11|i)
			if i%7 == 3 {
				id = fmt.Sprintf("%s%d", prefix, i-1) + "\x00" // after the ID without the zero byte
			}
			var r int64
			if k := rng.IntN(nr); k < len(recencies) && rng.IntN(3) == 0 {
				r = recencies[k]
			} else {
				r = int64(k * 13)
			}
			var m decimal.Decimal
			switch k := int64(rng.IntN(nm)); {
			case k%11 == 5:
				m = big.Add(decimal.NewFromInt(k))
			case k%13 == 7:
				m = decimal.New(-k*100-1, -2)
			default:
				m = forms(k * 250)
			}
			pop[i] = vip.RFMInput{CustomerID: id, RecencyDays: r, Frequency: int64(1 + rng.IntN(nf)), Monetary: m}
		}
		bins := rapid.IntRange(2, vip.MaxBins).Draw(t, "bins")
		ties := rapid.SampledFrom([]vip.TieRule{vip.TiesSplit, vip.TiesTogether}).Draw(t, "ties")
		bucketMin := 1 << 15 // ScoreRFM's own threshold: small populations take the per-dimension path
		if rapid.Bool().Draw(t, "bucket_pass") {
			bucketMin = rapid.IntRange(1, 200).Draw(t, "bucket_min")
		}
		rfmCheckAgainstSort(t, pop, bins, ties, bucketMin)
	})
}

// TestScoreRFM_OneValueSets draws populations of 4,096-8,192 customers, all through the
// one-pass bucketing, whose recency and frequency take one to three values: under
// TiesSplit the sets of one value holding a cut are then large (4,096 customers and up)
// and are placed with a histogram of their ID prefixes filled on the way. IDs share
// prefixes, differ in length (from one byte), in trailing zero bytes, or in their first
// four bytes only. Scores must equal the full-sort reference on every dimension.
func TestScoreRFM_OneValueSets(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		n := rapid.IntRange(4096, 8192).Draw(t, "n")
		prefix := rapid.SampledFrom([]string{"", "C", "customer-000000", "\x00\x00\x00\x00\x00"}).Draw(t, "prefix")
		wide := rapid.SampledFrom([]int{0, 4, 20, 40}).Draw(t, "id_bits") // 0: IDs are prefix + index
		recencies := rapid.SliceOfN(rapid.SampledFrom([]int64{0, 3, 30, 16383, 1 << 20, vip.NeverBoughtRecency}), 1, 3).Draw(t, "recencies")
		freqs := rapid.SliceOfN(rapid.Int64Range(0, 5), 1, 3).Draw(t, "frequencies")
		amounts := rapid.SliceOfN(rapid.Int64Range(-100, 100_000), 1, 4).Draw(t, "cents")
		seed := rapid.Uint64().Draw(t, "seed")
		rng := rand.New(rand.NewPCG(seed, 3))
		pop := make([]vip.RFMInput, n)
		for i := range pop {
			id := fmt.Sprintf("%s%d", prefix, rng.Int64N(1<<wide)<<14|int64(i))
			switch rng.IntN(8) {
			case 0:
				id += "\x00"
			case 1:
				id = fmt.Sprintf("%s%x.", prefix, i) // other bytes; the dot keeps it unique
			}
			pop[i] = vip.RFMInput{
				CustomerID:  id,
				RecencyDays: recencies[rng.IntN(len(recencies))],
				Frequency:   freqs[rng.IntN(len(freqs))],
				Monetary:    decimal.New(amounts[rng.IntN(len(amounts))], -2),
			}
		}
		seen := make(map[string]bool, n)
		for _, p := range pop {
			if seen[p.CustomerID] { // the reference would order repeated IDs arbitrarily
				t.Fatalf("ID %q drawn twice", p.CustomerID)
			}
			seen[p.CustomerID] = true
		}
		bins := rapid.IntRange(2, vip.MaxBins).Draw(t, "bins")
		ties := rapid.SampledFrom([]vip.TieRule{vip.TiesSplit, vip.TiesSplit, vip.TiesTogether}).Draw(t, "ties")
		rfmCheckAgainstSort(t, pop, bins, ties, rapid.SampledFrom([]int{1, 4096}).Draw(t, "bucket_min"))
	})
}

// TestScoreRFM_ScratchReuse scores populations of different sizes, shapes and tie rules
// in turn, on one goroutine and then on several at once, so that calls find the working
// memory others left behind (or share none while running): every result must equal the
// full-sort reference.
func TestScoreRFM_ScratchReuse(t *testing.T) {
	type job struct {
		pop  []vip.RFMInput
		opts vip.ScoreOptions
		min  int
		want []vip.RFMScore
	}
	var jobs []job
	rng := rand.New(rand.NewPCG(11, 12))
	for k, n := range []int{40_000, 5_000, 300, 70_000, 9_000, 50} {
		pop := make([]vip.RFMInput, n)
		span := []int64{3, 400, 1 << 30}[k%3]
		for i := range pop {
			pop[i] = vip.RFMInput{
				CustomerID:  fmt.Sprintf("%s%d", []string{"", "id-", "customer-0000"}[k%3], rng.IntN(1<<24)<<17|i),
				RecencyDays: rng.Int64N(span),
				Frequency:   1 + rng.Int64N(span/100+1),
				Monetary:    decimal.New(rng.Int64N(span*100), -2),
			}
		}
		for _, ties := range []vip.TieRule{vip.TiesSplit, vip.TiesTogether} {
			bins := 3 + 2*k
			want := rfmSortReference(pop, bins, ties)
			jobs = append(jobs, job{pop: pop, opts: vip.ScoreOptions{Bins: bins, Ties: ties}, min: []int{1 << 15, 1000}[k%2], want: want})
		}
	}
	check := func(tb testing.TB, j job) {
		got, err := vip.ScoreRFMBucketMin(j.pop, &j.opts, j.min)
		if err != nil {
			tb.Error(err)
			return
		}
		if d := cmp.Diff(j.want, got); d != "" {
			tb.Errorf("%d customers, %d bins, ties %s, bucketing from %d: scores differ from a full sort (-want +got):\n%.2000s", len(j.pop), j.opts.Bins, j.opts.Ties, j.min, d)
		}
	}
	for range 2 {
		for _, j := range jobs {
			check(t, j)
		}
	}
	done := make(chan struct{})
	for g := range 4 {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := range jobs {
				check(t, jobs[(k+g)%len(jobs)])
			}
		}()
	}
	for range 4 {
		<-done
	}
}
