//go:build unix

package vip_test

import "syscall"

// rfmCPUTime returns the process's user plus system CPU time in nanoseconds, so that
// benchmarks on a shared machine can report the work done rather than the wall time.
func rfmCPUTime() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
