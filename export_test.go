package vip

// ScoreRFMBucketMin is ScoreRFM with the one-pass bucketing from populations of n
// customers (ScoreRFM uses 32,768), so that tests run small populations through both
// paths.
func ScoreRFMBucketMin(pop []RFMInput, opts *ScoreOptions, n int) ([]RFMScore, error) {
	return scoreRFM(pop, opts, n)
}
