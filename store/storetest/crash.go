package storetest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vipkit/vip"
)

// Target says how to make and open a store that several processes share: New makes a
// fresh, empty place for one (a file name, a schema) and Open opens it. Open must work
// in a child process given only the string New returned.
type Target struct {
	New  func(t *testing.T) string
	Open func(t testing.TB, place string) vip.Store
}

const (
	envPlace  = "VIP_STORETEST_PLACE"
	envRole   = "VIP_STORETEST_ROLE"
	envShard  = "VIP_STORETEST_SHARD"
	envReview = "VIP_STORETEST_REVIEW_AT"
)

// CrashConfig is the workload of [RunCrash] and [RunShardedReview]: big enough that a
// writer killed after a few hundred events is in the middle of it.
var CrashConfig = WorkloadConfig{Seed: 7, Writers: 8, OrdersPerWriter: 600, Customers: 200, BatchSize: 10}

// child reports whether this process is a child started by RunCrash or
// RunShardedReview, and if so does the child's work and returns true.
func child(t *testing.T, tg Target) bool {
	place := os.Getenv(envPlace)
	if place == "" {
		return false
	}
	s := tg.Open(t, place)
	w := NewWorkload(CrashConfig)
	switch os.Getenv(envRole) {
	case "writer":
		if err := w.Run(context.Background(), s, 0); err != nil {
			t.Fatal(err)
		}
	case "review":
		i, _ := strconv.Atoi(os.Getenv(envShard))
		at, err := time.Parse(time.RFC3339Nano, os.Getenv(envReview))
		if err != nil {
			t.Fatal(err)
		}
		e, err := vip.NewEngine(slowStore{s}, Ladder(), &vip.EngineOptions{PageSize: 4})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.ReviewAt(context.Background(), vip.Shard{Index: i, Count: 4}, at); err != nil {
			t.Fatal(err)
		}
	default:
		t.Fatalf("unknown role %q", os.Getenv(envRole))
	}
	return true
}

// slowStore delays each commit, so that a review process can be killed in its middle.
type slowStore struct{ vip.Store }

func (s slowStore) Commit(ctx context.Context, c vip.Change) error {
	time.Sleep(20 * time.Millisecond)
	return s.Store.Commit(ctx, c)
}

// start runs this test binary again as a child with the given role.
func start(t *testing.T, place string, env ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), append([]string{envPlace + "=" + place}, env...)...)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting a child process: %v", err)
	}
	return cmd
}

// countEvents returns how many events the store has logged.
func countEvents(t testing.TB, s vip.Store) int {
	t.Helper()
	var n int
	var after int64
	for {
		recs, err := s.Events(context.Background(), after, 5000)
		if err != nil {
			t.Fatalf("Events = %v", err)
		}
		if len(recs) == 0 {
			return n
		}
		n += len(recs)
		after = recs[len(recs)-1].Seq
	}
}

// killWhen kills the child with SIGKILL as soon as ready reports true; the test fails
// if the child ends first.
func killWhen(t *testing.T, cmd *exec.Cmd, ready func() bool) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	deadline := time.Now().Add(2 * time.Minute)
	for !ready() {
		select {
		case err := <-done:
			t.Fatalf("the child ended (%v) before it could be killed in its middle: the workload is too small", err)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the child made too little progress in 2 minutes")
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL: %v", err)
	}
	<-done
}

// RunCrash kills a writer process with SIGKILL in the middle of ingesting
// [CrashConfig]'s workload, then checks the store's invariants ([Workload.Check]),
// re-sends the whole workload from this process, and checks that everything is stored
// exactly once. The test that calls it is re-run as the child.
func RunCrash(t *testing.T, tg Target) {
	if child(t, tg) {
		return
	}
	place := tg.New(t)
	s := tg.Open(t, place)
	cmd := start(t, place, envRole+"=writer")
	killWhen(t, cmd, func() bool { return countEvents(t, s) >= 400 })
	w := NewWorkload(CrashConfig)
	stored := w.Check(t, s, false)
	if stored == 0 || stored == len(w.Orders) {
		t.Fatalf("after the kill %d of %d orders are stored; want the writer killed in the middle", stored, len(w.Orders))
	}
	t.Logf("killed the writer with %d of %d orders stored", stored, len(w.Orders))
	if err := w.Run(t.Context(), s, 0); err != nil {
		t.Fatalf("re-sending the workload after the crash: %v", err)
	}
	w.Check(t, s, true)
}

// RunShardedReview reviews one store with four processes, one per shard, kills one of
// them with SIGKILL in its middle and starts it again; the statuses and events must
// equal those of a single review of a second store holding the same data.
func RunShardedReview(t *testing.T, tg Target) {
	if child(t, tg) {
		return
	}
	w := NewWorkload(CrashConfig)
	one, many := tg.New(t), tg.New(t)
	s1, s4 := tg.Open(t, one), tg.Open(t, many)
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []vip.Store{s1, s4} {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = w.Run(t.Context(), s, 0) }()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	at := w.End().AddDate(1, 0, 0)
	before1 := countEvents(t, s1)
	e, err := vip.NewEngine(s1, Ladder(), nil)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.ReviewAt(t.Context(), vip.Shard{}, at)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed == 0 {
		t.Fatalf("the single review changed nobody (%+v): the test would prove nothing", res)
	}

	before := countEvents(t, s4)
	env := func(i int) []string {
		return []string{envRole + "=review", envShard + "=" + strconv.Itoa(i), envReview + "=" + at.Format(time.RFC3339Nano)}
	}
	victim := start(t, many, env(0)...)
	var others []*exec.Cmd
	for i := 1; i < 4; i++ {
		others = append(others, start(t, many, env(i)...))
	}
	killWhen(t, victim, func() bool { // shard 0's process has committed a page or two
		recs, err := s4.Events(t.Context(), int64(before), 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range recs {
			if vip.ShardOf(r.Event.CustomerID, 4) == 0 {
				n++
			}
		}
		return n >= 5
	})
	restarted := start(t, many, env(0)...)
	for _, c := range append(others, restarted) {
		if err := c.Wait(); err != nil {
			t.Fatalf("review process: %v", err)
		}
	}

	ids, err := s1.Customers(t.Context(), vip.Shard{}, "", 1<<30)
	if err != nil {
		t.Fatal(err)
	}
	a, err := s1.Load(t.Context(), Ladder().Name, ids)
	if err != nil {
		t.Fatal(err)
	}
	b, err := s4.Load(t.Context(), Ladder().Name, ids)
	if err != nil {
		t.Fatal(err)
	}
	for i := range ids {
		if !a[i].Status.Equal(b[i].Status) {
			t.Errorf("customer %s: single review %+v\nfour processes %+v", ids[i], a[i].Status, b[i].Status)
		}
	}
	// The ingest before the review raced differently on the two stores; the review's
	// own events must match one for one.
	reviewEvents := func(s vip.Store, after int) map[string]int {
		recs, err := s.Events(t.Context(), int64(after), 1<<30)
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]int{}
		for _, r := range recs {
			m[fmt.Sprintf("%s %s %s %s->%s", r.Event.CustomerID, r.Event.Kind, r.Event.At.Format(time.RFC3339Nano), r.Event.From, r.Event.To)]++
		}
		return m
	}
	if diff := cmp.Diff(reviewEvents(s1, before1), reviewEvents(s4, before)); diff != "" {
		t.Errorf("events of the single review (-) and of the four processes (+):\n%s", diff)
	}
	w.Check(t, s4, true)
}
