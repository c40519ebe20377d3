package report_test

import (
	"os"
	"testing"

	"github.com/vipkit/vip/report"
)

func TestScratch(t *testing.T) {
	r, err := report.Build(synthShop(t, 3000), report.Options{Ladder: briefLadder(t)})
	if err != nil {
		t.Fatal(err)
	}
	f, _ := os.Create("/tmp/rep/synth.html")
	defer f.Close()
	if err := r.WriteHTML(f); err != nil {
		t.Fatal(err)
	}
}
