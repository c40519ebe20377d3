package vip

// SetRFMBucketMin sets the population size from which ScoreRFM buckets all three
// dimensions in one pass, and returns a function that restores it; tests use it to run
// small populations through both paths. Not safe for parallel tests.
func SetRFMBucketMin(n int) (restore func()) {
	old := rfmBucketMin
	rfmBucketMin = n
	return func() { rfmBucketMin = old }
}
