#!/bin/bash
# Counts the instructions of one review of the 10,000-customer synthetic shop
# (BenchmarkLadder_Review/customers=10000/prepared, the reviewAll function alone) with
# callgrind: a count that does not move with the machine's load, for comparing commits.
# GC off, one P and no async preemption keep it repeatable; run from the repository root:
#   bash bench/callgrind-review.sh            # this checkout
#   bash bench/callgrind-review.sh <commit>   # another commit that has reviewAll, in a
#                                             # temporary worktree
#   bash bench/callgrind-review.sh --batch    # the same review through vip.ReviewLedgers
#                                             # (.../prepared-batch, reviewBatch alone)
set -euo pipefail
fn=reviewAll
bench='prepared$'
if [ "${1:-}" = --batch ]; then
	fn=reviewBatch
	bench='prepared-batch$'
	shift
fi
root=$(pwd)
src=$root
if [ $# -gt 0 ]; then
	src=$(mktemp -d)/vip
	git worktree add -q --detach "$src" "$1"
	trap 'git -C "$root" worktree remove --force "$src"' EXIT
fi
bin=$(mktemp)
(cd "$src" && go test -c -o "$bin" .)
cd "$src"
GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
	--toggle-collect="github.com/vipkit/vip_test.$fn" \
	"$bin" -test.run XXX -test.bench "Ladder_Review/customers=10000\$/$bench" -test.benchtime 1x 2>&1 |
	grep -E 'Collected|ns/order'
rm -f "$bin"
