package report_test

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/vipkit/vip/internal/chartcheck"
	"github.com/vipkit/vip/internal/chromium"
	"github.com/vipkit/vip/report"
)

// needChromium skips the test when there is no Chromium; under CI=true a missing
// Chromium fails the test instead.
func needChromium(t *testing.T) {
	t.Helper()
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// chartIDs are the report's charts, each an <svg class="chart"> with this id.
var chartIDs = []string{"chart-pareto", "chart-tiers", "chart-flows", "chart-rfm", "chart-clv", "chart-clvtier"}

// TestWriteHTML_Rendered renders the synthetic shop's report in headless Chromium at
// 1366 pixels wide and checks that every chart shows its marks, by the method of
// package internal/chartcheck: each chart's mark colours from its SVG, its box from
// Chromium's layout, the pixels near its mark colours (each under the nearest) in a
// screenshot covering at least 1% of the box with every colour showing, and the page
// with its marks hidden failing that count.
//
// Set VIP_REPORT_PNG to a path to keep the screenshot.
func TestWriteHTML_Rendered(t *testing.T) {
	needChromium(t)
	r, err := report.Build(synthShop(t, 3000), report.Options{Ladder: briefLadder(t), Title: "Synthetic shop, brief ladder"})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := r.WriteHTML(&buf); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "report.html")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	chartcheck.Test(t, path, chartIDs, &chartcheck.Options{Width: 1366, KeepPNG: os.Getenv("VIP_REPORT_PNG")})
}
