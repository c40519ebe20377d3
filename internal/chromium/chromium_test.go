package chromium_test

import (
	"image/png"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vipkit/vip/internal/chromium"
)

func need(t *testing.T) {
	t.Helper()
	if _, err := chromium.Path(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("CI=true and %v", err)
		}
		t.Skipf("skipping: %v", err)
	}
}

// TestScreenshot renders a page with a red 100x50 box at (20, 30) on white and checks
// pixels inside and outside it. (Chromium will not make a window much narrower than
// 500 pixels: a smaller one is a scaled-down view of a wider page.)
func TestScreenshot(t *testing.T) {
	need(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "box.html")
	const html = `<!DOCTYPE html><html><body style="margin:0;background:#fff">` +
		`<div style="position:absolute;left:20px;top:30px;width:100px;height:50px;background:#ff0000"></div></body></html>`
	if err := os.WriteFile(page, []byte(html), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "box.png")
	if err := chromium.Screenshot(t.Context(), page, out, 640, 400); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if b := img.Bounds(); b.Dx() != 640 || b.Dy() != 400 {
		t.Fatalf("screenshot is %dx%d, want 640x400", b.Dx(), b.Dy())
	}
	for _, p := range []struct {
		x, y    int
		r, g, b uint32
	}{{70, 55, 255, 0, 0}, {20, 30, 255, 0, 0}, {119, 79, 255, 0, 0}, {10, 10, 255, 255, 255}, {125, 85, 255, 255, 255}, {600, 380, 255, 255, 255}} {
		r, g, b, _ := img.At(p.x, p.y).RGBA()
		if r>>8 != p.r || g>>8 != p.g || b>>8 != p.b {
			t.Errorf("pixel (%d, %d) = %d,%d,%d, want %d,%d,%d", p.x, p.y, r>>8, g>>8, b>>8, p.r, p.g, p.b)
		}
	}
}

// TestDumpDOM checks that scripts run before the DOM is dumped.
func TestDumpDOM(t *testing.T) {
	need(t)
	page := filepath.Join(t.TempDir(), "dom.html")
	if err := os.WriteFile(page, []byte(`<html><body><script>document.body.setAttribute("data-w", window.innerWidth)</script></body></html>`), 0o644); err != nil {
		t.Fatal(err)
	}
	dom, err := chromium.DumpDOM(t.Context(), page, 640, 480)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(dom), `data-w="640"`) {
		t.Errorf("DumpDOM = %q, want the body's data-w set to the window width 640", dom)
	}
}

func TestPath_Env(t *testing.T) {
	t.Setenv("VIP_CHROMIUM", filepath.Join(t.TempDir(), "no-such-chromium"))
	if _, err := chromium.Path(); err == nil || !strings.Contains(err.Error(), "VIP_CHROMIUM") {
		t.Errorf("Path with a missing VIP_CHROMIUM = %v, want an error naming it", err)
	}
}

func TestScreenshot_BadInput(t *testing.T) {
	need(t)
	if err := chromium.Screenshot(t.Context(), filepath.Join(t.TempDir(), "missing.html"), "x.png", 100, 100); err == nil {
		t.Error("Screenshot of a missing page succeeded")
	}
	if err := chromium.Screenshot(t.Context(), "chromium.go", "x.png", 0, 100); err == nil {
		t.Error("Screenshot with width 0 succeeded")
	}
}
