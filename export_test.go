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
	return g.steps(&c, st, now, notQuiet, false)
}

// Quiet reports whether Evaluate takes that shortcut for st at now.
func (g *Ledger) Quiet(st Status, now time.Time) bool {
	return g.quietness(st, now) == quietAll
}

// NearOnly reports whether Evaluate visits only the instants orders are placed at, for
// proximity events, from st to now.
func (g *Ledger) NearOnly(st Status, now time.Time) bool {
	return g.quietness(st, now) == quietNear
}

func (g *Ledger) quietness(st Status, now time.Time) quietness {
	var c core
	if g.prime(&c, &st, now) != nil {
		return notQuiet
	}
	return c.quiet(&st, now)
}
