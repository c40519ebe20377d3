package vip_test

import (
	"bufio"
	"encoding/csv"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/vipkit/vip"
	"github.com/vipkit/vip/internal/realdata"
)

func clvReadCSV(tb testing.TB, path string) [][]string {
	tb.Helper()
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	return recs[1:]
}

func clvFloat(tb testing.TB, s string) float64 {
	tb.Helper()
	v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// clvCDNOWHoldout loads cdnow_summary_with_holdout.csv: x, t_x, T in weeks, holdout
// repeat purchases and mean repeat spend.
func clvCDNOWHoldout(tb testing.TB) vip.Cohort {
	tb.Helper()
	recs := clvReadCSV(tb, filepath.Join(realdata.Dir(tb), "cdnow", "cdnow_summary_with_holdout.csv"))
	s := vip.Cohort{Unit: vip.UnitWeek}
	for _, r := range recs {
		s.Rows = append(s.Rows, vip.PurchaseHistory{
			ID: r[0], X: clvFloat(tb, r[1]), TX: clvFloat(tb, r[2]), T: clvFloat(tb, r[3]),
			HoldoutX:        clvFloat(tb, r[4]),
			MeanRepeatSpend: decimal.RequireFromString(r[5]),
		})
	}
	return s
}

// clvCDNOWSample loads CDNOW_sample.txt as transactions (dates at midnight UTC).
func clvCDNOWSample(tb testing.TB) []vip.Transaction {
	tb.Helper()
	f, err := os.Open(filepath.Join(realdata.Dir(tb), "cdnow", "CDNOW_sample.txt"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	var txs []vip.Transaction
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 5 {
			continue
		}
		at, err := time.Parse("20060102", fs[2])
		if err != nil {
			tb.Fatal(err)
		}
		txs = append(txs, vip.Transaction{CustomerID: fs[1], At: at, Amount: decimal.RequireFromString(fs[4])})
	}
	return txs
}

func clvWeeks(w float64) time.Duration { return time.Duration(w * float64(clvWeek)) }
