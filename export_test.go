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

// StepCounts reports how many instants Evaluate steps the machine at from st to now,
// with the skip of idle order instants and without it, and how many order instants
// the skip passed over; ok is false when the evaluation does not step (the interval
// is quiet or visited at order instants alone).
func (g *Ledger) StepCounts(st Status, now time.Time) (skip, all, idle int, ok bool) {
	count := func(skip bool) (int, int) {
		var c core
		s := st
		if g.prime(&c, &s, now) != nil || c.quiet(&s, now) != notQuiet {
			return -1, 0
		}
		var m machine
		m.core, m.st = c, s
		g.fill(&m.st)
		if m.run(now, skip) != nil {
			return -1, 0
		}
		return m.nsteps, m.nidle
	}
	skip, idle = count(true)
	all, _ = count(false)
	return skip, all, idle, skip >= 0 && all >= 0
}
