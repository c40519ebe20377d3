package main

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/vipkit/vip/internal/chartcheck"
	"github.com/vipkit/vip/internal/chromium"
)

var pngOut = flag.String("png", "", "also write the UCI report's screenshot to this file (docs/report-uci.png: see docs/cli.md)")

// TestRealData_ReportScreenshot renders the UCI report written by `vip report` in
// headless Chromium at 1366 pixels wide and checks that every chart shows its marks, by
// the method of package internal/chartcheck (as report's TestWriteHTML_Rendered): each
// chart's mark colours from its SVG, its box from Chromium's layout, the pixels near a
// mark colour (each under the nearest: the heat map's shades lie closer together than
// the tolerance) covering at least 1% of the box with every colour showing, and the
// page with its marks hidden failing that count. With -png it also writes the
// screenshot (docs/report-uci.png).
func TestRealData_ReportScreenshot(t *testing.T) {
	file := uciFile(t)
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("VIP_REQUIRE_DATA") == "1" || os.Getenv("CI") == "true" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	pagePath := filepath.Join(t.TempDir(), "uci.html")
	code, _, errs := runCmd(t, "", "report", "--ladder", "testdata/uci-ladder.json", "--catalogue", "testdata/uci-catalogue.json",
		"--orders", file, "--title", "UCI Online Retail: the brief's ladder in GBP", "--out", pagePath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	data, err := os.ReadFile(pagePath)
	if err != nil {
		t.Fatal(err)
	}
	checkCharts(t, string(data), charts)
	chartcheck.Test(t, pagePath, charts, &chartcheck.Options{Width: 1366, KeepPNG: *pngOut})
}
