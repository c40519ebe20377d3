package vip

import "time"

// ScoreRFMBucketMin is ScoreRFM with the one-pass bucketing from populations of n
// customers (ScoreRFM uses 32,768), so that tests run small populations through both
// paths.
func ScoreRFMBucketMin(pop []RFMInput, opts *ScoreOptions, n int) ([]RFMScore, error) {
	return scoreRFM(pop, opts, n)
}

// EvaluateSteps is Evaluate stepping through every instant, without the shortcut for
// an interval in which nothing can happen.
func (g *Ledger) EvaluateSteps(st Status, now time.Time) (Status, []Event, error) {
	var c core
	if err := g.prime(&c, &st, now); err != nil {
		return st, nil, err
	}
	return g.steps(&c, st, now, false)
}

// Quiet reports whether Evaluate takes that shortcut for st at now.
func (g *Ledger) Quiet(st Status, now time.Time) bool {
	m, err := g.start(st)
	return err == nil && validInstant(now) && !now.Before(st.Checked) && m.quiet(&m.st, now)
}
