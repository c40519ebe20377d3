package main

import (
	"io"
	"strings"
	"testing"
)

// BenchmarkReport_UCI is the whole `vip report` pipeline on the UCI Online Retail file:
// read and parse the CSV, group the customers, Build the report (backtest, RFM, CLV
// fits, economics) and write its HTML. The target is under 2 s.
//
//	VIP_DATA=../shared/data flock /tmp/vip-heavy.lock go test -run XXX -bench Report_UCI -benchmem -cpu 1 ./cmd/vip
func BenchmarkReport_UCI(b *testing.B) {
	args := []string{"--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json", "--orders", uciFile(b)}
	e := &env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
	b.ReportAllocs()
	for b.Loop() {
		if err := runReport(append(args, "--out", "-"), e); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoad_UCI is the CSV reading alone (csvin and grouping by customer).
func BenchmarkLoad_UCI(b *testing.B) {
	in := &input{orders: uciFile(b), sep: ",", cur: "GBP", tz: "UTC"}
	if err := in.check(); err != nil {
		b.Fatal(err)
	}
	e := &env{stdout: io.Discard, stderr: io.Discard}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := load(in, e); err != nil {
			b.Fatal(err)
		}
	}
}
