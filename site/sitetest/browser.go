package sitetest

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"github.com/chromedp/chromedp"
)

// Browser starts headless Chromium for the rest of the test and returns a
// context that opens tabs in it. It finds the browser at $CHROMIUM or on
// PATH; without one it skips the test, unless $CI is set, where the
// browser tests must run and it fails instead.
func Browser(t testing.TB) context.Context {
	t.Helper()
	execPath := os.Getenv("CHROMIUM")
	if execPath == "" {
		for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
			if p, err := exec.LookPath(name); err == nil {
				execPath = p
				break
			}
		}
	}
	if execPath == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("no Chromium: install it (apt-get install chromium) or set $CHROMIUM; CI must run the browser tests")
		}
		t.Skip("no Chromium: install it (apt-get install chromium) or set $CHROMIUM to run the browser tests")
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(execPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		// This machine's network is closed: no background connections.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		// Colours as the stylesheet gives them, for contrast checks.
		chromedp.Flag("force-color-profile", "srgb"),
		// Background tabs must keep their timers and sockets running.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.UserDataDir(t.TempDir()),
	)
	t.Cleanup(cancelAlloc)
	ctx, cancel := chromedp.NewContext(allocCtx)
	t.Cleanup(cancel)
	// Start the browser now, without a timeout: a timeout on the first
	// Run would stop the browser with it.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", execPath, err)
	}
	return ctx
}
