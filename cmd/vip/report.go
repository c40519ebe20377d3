package main

func runReport(args []string, e *env) error {
	return usagef("report: not yet available")
}
