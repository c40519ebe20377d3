#!/usr/bin/env python3
"""The pandas half of the RFM comparison (see README.md).

Reads the population that `go run ./bench/pandas` wrote, times the usual pandas recipe
on it (quintiles by qcut over rank(method="first"), then segment names), and checks that
pandas and vip give every customer the same scores and segment names.

The recipe is the one the RFM tutorials teach, with the ties split the way vip splits
them (rank by value, equal values by customer ID in byte order, the lower ID first):
rows sorted by ID, recency ranked on -recency so that the most recent score 5.
Segment names are timed two ways: the tutorials' regex replace over "RF" strings for
the 10-segment grid, and a dict lookup of "RFM" strings for the 125-cell table.
"""
import json
import os
import sys
import time

import pandas as pd

# The 10-segment R x F grid as the tutorials write it: regexes over "RF" strings.
GRID_REGEX = {
    r"[1-2][1-2]": "Hibernating",
    r"[1-2][3-4]": "At Risk",
    r"[1-2]5": "Can't Lose Them",
    r"3[1-2]": "About To Sleep",
    r"33": "Need Attention",
    r"[3-4][4-5]": "Loyal Customers",
    r"41": "Promising",
    r"51": "New Customers",
    r"[4-5][2-3]": "Potential Loyalists",
    r"5[4-5]": "Champions",
}


def best_median(f, runs):
    times, out = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[0] * 1e3, times[len(times) // 2] * 1e3, out


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/vip-rfm-pandas"
    runs = int(os.environ.get("RUNS", "5"))
    pop = pd.read_csv(os.path.join(d, "pop.csv"), dtype={"id": str})
    want = pd.read_csv(os.path.join(d, "vip.csv"), dtype={"id": str}, keep_default_na=False)
    maps = json.load(open(os.path.join(d, "segments.json")))
    n = len(pop)

    def scores():
        df = pop.sort_values("id", kind="stable", ignore_index=True)
        q = lambda s: pd.qcut(s.rank(method="first"), 5, labels=False) + 1
        return df.assign(r=q(-df["recency"]), f=q(df["frequency"]), m=q(df["monetary"]))

    b, m, df = best_median(scores, runs)
    print(f"pandas {'scores (sort by ID, 3 x qcut of rank first)':50s} best {b:7.1f} ms, median {m:7.1f} ms ({runs} runs, {n} customers)")

    table = maps["table"]

    def table_names():
        rfm = df["r"].astype(str) + df["f"].astype(str) + df["m"].astype(str)
        return rfm.map(table)

    b, m, names = best_median(table_names, runs)
    print(f"pandas {'125-cell segment names (str concat + dict map)':50s} best {b:7.1f} ms, median {m:7.1f} ms")

    def grid_names():
        rf = df["r"].astype(str) + df["f"].astype(str)
        return rf.replace(GRID_REGEX, regex=True)

    b, m, grid = best_median(grid_names, max(1, min(runs, 2)))
    print(f"pandas {'10-segment names (the tutorials regex replace)':50s} best {b:7.1f} ms, median {m:7.1f} ms")

    # The regex grid must be the grid vip ships, cell by cell.
    for rf, name in maps["grid"].items():
        got = pd.Series([rf]).replace(GRID_REGEX, regex=True)[0]
        if got != name:
            sys.exit(f"grid cell {rf}: the tutorials' regexes say {got!r}, vip {name!r}")

    got = df.assign(table=names, grid=grid).set_index("id")
    w = want.set_index("id").loc[got.index]
    for col in ["r", "f", "m", "table", "grid"]:
        diff = int((got[col].astype(str).values != w[col].astype(str).values).sum())
        print(f"agreement {col:6s}: {n - diff} of {n} customers" + ("" if diff == 0 else f"  ({diff} differ)"))
        if diff:
            sys.exit(1)


if __name__ == "__main__":
    main()
