// Package proptest runs rapid properties that must also reach the cases they are
// written to cover.
//
// A property that counts which branches of the code under test its draws reached, and
// fails when one was never reached, fails now and then by chance alone: a hundred draws
// sometimes miss a branch that one draw in fifty takes. Check runs such a property
// again, with fresh draws, until the counts are enough, so that a failure means the
// generator does not reach a branch, not that it was unlucky.
package proptest

import "pgregory.net/rapid"

// Check runs prop with rapid.Check, then asks covered whether the draws so far reached
// everything they must; covered reads counts that prop adds to, which carry over from
// one round to the next. While covered returns an error, Check runs prop again, at most
// rounds times in all, and then fails t with the last error. A property that fails
// ends Check at once. t is a *testing.T in a test.
func Check(t rapid.TB, rounds int, prop func(*rapid.T), covered func() error) {
	t.Helper()
	var err error
	for i := range rounds {
		rapid.Check(t, prop)
		if t.Failed() {
			return
		}
		if err = covered(); err == nil {
			if i > 0 {
				t.Logf("covered after %d rounds of draws", i+1)
			}
			return
		}
	}
	t.Fatalf("after %d rounds of draws: %v", rounds, err)
}
