// Package realdata finds the real data sets (../shared/data) for the tests that use them.
package realdata

import (
	"os"
	"testing"
)

// Dir returns the real-data folder named by VIP_DATA. Without it the test is skipped
// with a message saying how to enable it, or fails when VIP_REQUIRE_DATA=1 (as in CI);
// a VIP_DATA that does not exist fails the test.
func Dir(tb testing.TB) string {
	tb.Helper()
	dir := os.Getenv("VIP_DATA")
	if dir == "" {
		if os.Getenv("VIP_REQUIRE_DATA") == "1" {
			tb.Fatal("VIP_REQUIRE_DATA=1 but VIP_DATA is not set")
		}
		tb.Skip("real-data test: set VIP_DATA to the shared data folder (e.g. VIP_DATA=../shared/data) to run it")
	}
	if _, err := os.Stat(dir); err != nil {
		tb.Fatalf("VIP_DATA=%s: %v", dir, err)
	}
	return dir
}
