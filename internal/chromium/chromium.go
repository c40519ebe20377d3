// Package chromium runs a headless Chromium to render HTML pages to PNG, for tests that
// look at what a page really shows.
//
// Chromium is found at $VIP_CHROMIUM, else /usr/bin/chromium, else chromium or
// chromium-browser on the PATH. Every run gets a fresh, throwaway profile directory and
// the switches that stop it from reaching the network on its own (no background
// networking, component updates, sync or QUIC).
package chromium

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// ErrNotFound is returned when no Chromium binary can be found.
var ErrNotFound = errors.New("chromium: no chromium binary (install chromium or set VIP_CHROMIUM)")

// DefaultTimeout bounds a run when the context has no deadline.
const DefaultTimeout = 90 * time.Second

// Path returns the Chromium binary to run, or [ErrNotFound].
func Path() (string, error) {
	if p := os.Getenv("VIP_CHROMIUM"); p != "" {
		if _, err := os.Stat(p); err != nil {
			return "", fmt.Errorf("chromium: VIP_CHROMIUM=%s: %w", p, err)
		}
		return p, nil
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium", nil
	}
	for _, name := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Screenshot renders the HTML file at htmlPath in a window of width x height CSS
// pixels and writes what the window shows to pngPath. Content below the window's height
// is not captured: make the window as tall as the page. Chromium does not lay out pages
// narrower than about 500 pixels: a smaller window shows a wider page scaled down.
func Screenshot(ctx context.Context, htmlPath, pngPath string, width, height int) error {
	png, err := filepath.Abs(pngPath)
	if err != nil {
		return err
	}
	_, err = run(ctx, htmlPath, width, height, "--screenshot="+png)
	if err != nil {
		return err
	}
	if st, err := os.Stat(png); err != nil || st.Size() == 0 {
		return fmt.Errorf("chromium: no screenshot written to %s", png)
	}
	return nil
}

// DumpDOM renders the HTML file at htmlPath in a window of width x height CSS pixels,
// runs its scripts, and returns the serialised DOM afterwards. Tests use it to read
// layout (element positions) that a script they add writes into the DOM.
func DumpDOM(ctx context.Context, htmlPath string, width, height int) ([]byte, error) {
	return run(ctx, htmlPath, width, height, "--dump-dom")
}

func run(ctx context.Context, htmlPath string, width, height int, action string) ([]byte, error) {
	bin, err := Path()
	if err != nil {
		return nil, err
	}
	if width <= 0 || height <= 0 {
		return nil, fmt.Errorf("chromium: window %dx%d is not positive", width, height)
	}
	page, err := filepath.Abs(htmlPath)
	if err != nil {
		return nil, err
	}
	if _, err := os.Stat(page); err != nil {
		return nil, fmt.Errorf("chromium: %w", err)
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultTimeout)
		defer cancel()
	}
	profile, err := os.MkdirTemp("", "vip-chromium-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(profile)
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--hide-scrollbars", "--user-data-dir=" + profile,
		"--window-size=" + strconv.Itoa(width) + "," + strconv.Itoa(height),
		action, "file://" + filepath.ToSlash(page),
	}
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = profile
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("chromium: %s: %w", filepath.Base(page), ctx.Err())
		}
		tail := stderr.Bytes()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		return nil, fmt.Errorf("chromium: %s: %w: %s", filepath.Base(page), err, tail)
	}
	return stdout.Bytes(), nil
}
