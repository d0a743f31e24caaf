package web_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowser runs the browser tests (web/e2e/*.spec.mjs: each page's
// main path in Chromium, driven by playwright-core) against a demo
// server, and keeps their screenshots in web/e2e/artifacts. Node.js,
// Chromium and web/e2e's node_modules come from scripts/setup.sh; when
// one is missing the test fails (it is not skipped), unless
// THAITRUST_SKIP_BROWSER=1 says to skip it.
func TestBrowser(t *testing.T) {
	// Mostly waiting for Chromium: let the package's other tests run
	// meanwhile.
	t.Parallel()
	if os.Getenv("THAITRUST_SKIP_BROWSER") == "1" {
		t.Skip("THAITRUST_SKIP_BROWSER=1: the browser tests of web/e2e are not run")
	}
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not on PATH: run scripts/setup.sh (or set THAITRUST_SKIP_BROWSER=1 to skip the browser tests)")
	}
	chromium := os.Getenv("THAITRUST_CHROMIUM")
	if chromium == "" {
		chromium = "/usr/bin/chromium"
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("no Chromium at %s: run scripts/setup.sh (or set THAITRUST_CHROMIUM, or THAITRUST_SKIP_BROWSER=1)", chromium)
	}
	dir, err := filepath.Abs("e2e")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "playwright-core", "package.json")); err != nil {
		t.Fatal("playwright-core is not installed in web/e2e: run scripts/setup.sh")
	}
	d := startPortalDemo(t)
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "run.mjs")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(),
		"THAITRUST_URL="+d.URL, "THAITRUST_TOKEN="+portalToken, "THAITRUST_CHROMIUM="+chromium,
		"THAITRUST_ARTIFACTS="+filepath.Join(dir, "artifacts"),
	)
	out, err := cmd.CombinedOutput()
	t.Logf("web/e2e:\n%s", out)
	if err != nil {
		t.Fatalf("the browser tests failed (%v); screenshots in web/e2e/artifacts", err)
	}
}
