//go:build !unix

package vip_test

// rfmCPUTime is not available here; benchmarks report 0 CPU time.
func rfmCPUTime() int64 { return 0 }
