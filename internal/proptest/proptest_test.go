package proptest

import (
	"errors"
	"fmt"
	"testing"

	"pgregory.net/rapid"
)

// TestCheck_Rounds checks that Check runs the property again until it is covered, and
// no more: a property covered once it has run twice is run twice.
func TestCheck_Rounds(t *testing.T) {
	rounds := 0
	Check(t, 5, func(t *rapid.T) { rapid.Int().Draw(t, "x") }, func() error {
		rounds++
		if rounds < 2 {
			return errors.New("not yet")
		}
		return nil
	})
	if rounds != 2 {
		t.Errorf("covered asked %d times, want 2", rounds)
	}
}

// TestCheck_NeverCovered checks that a property never covered fails, after the rounds
// allowed, naming what covered said was missing.
func TestCheck_NeverCovered(t *testing.T) {
	ft := &fatalT{TB: t}
	asked := 0
	Check(ft, 3, func(t *rapid.T) { rapid.Int().Draw(t, "x") }, func() error { asked++; return errors.New("branch b never reached") })
	if asked != 3 {
		t.Errorf("covered asked %d times, want 3", asked)
	}
	if want := "after 3 rounds of draws: branch b never reached"; ft.fatal != want {
		t.Errorf("failed with %q, want %q", ft.fatal, want)
	}
}

// fatalT is the test's T, with Fatalf recorded instead of failing the test.
type fatalT struct {
	rapid.TB
	fatal string
}

func (t *fatalT) Fatalf(format string, args ...any) { t.fatal = fmt.Sprintf(format, args...) }
