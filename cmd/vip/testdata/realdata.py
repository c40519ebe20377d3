#!/usr/bin/env python3
"""Independent figures for cmd/vip's real-data tests, from the raw files with Python's
decimal module (no vip code): customers, orders, revenue, the 12-month window's
revenue, and the tier counts and upgrades of a lifetime ladder, whose tier at t is the
highest threshold reached by everything spent up to t (orders at t included).

    python3 cmd/vip/testdata/realdata.py /work/shared/data
"""
import sys
from collections import defaultdict
from datetime import date
from decimal import Decimal, ROUND_HALF_UP

data = sys.argv[1]


def tiers(rows, reviews, thresholds):
    """Tier counts at each review and upgrades in the period ending there (the first
    period: everything up to the first review). An upgrade is an instant at which a
    customer's tier rises; same-day orders are one instant."""
    level = lambda s: sum(1 for th in thresholds if s >= th)
    by = defaultdict(lambda: defaultdict(Decimal))
    for cust, d, amt in rows:
        by[cust][d] += amt
    ups = defaultdict(int)  # review index -> upgrades
    final = []  # per customer: [(day, level after it)]
    for cust, days in by.items():
        s, lv, path = Decimal(0), 0, []
        for d in sorted(days):
            s += days[d]
            nl = level(s)
            if nl > lv:
                k = next((i for i, t in enumerate(reviews) if d <= t), None)
                if k is not None:
                    ups[k] += 1
            lv = nl
            path.append((d, lv))
        final.append(path)
    out = []
    for i, t in enumerate(reviews):
        counts = [0] * (len(thresholds) + 1)
        for path in final:
            lv = 0
            for d, l in path:
                if d <= t:
                    lv = l
            counts[lv] += 1
        out.append((t.isoformat(), counts, ups[i]))
    return out


def first_of_months(a, b):
    out = []
    y, m = a.year, a.month
    while date(y, m, 1) <= b:
        out.append(date(y, m, 1))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


# UCI Online Retail: one row per invoice, TotalPrice rounded half up to pence.
rows = []
with open(f"{data}/online_retail/online_retail_invoices.csv") as f:
    next(f)
    for line in f:
        inv, d, cust, total = line.strip().split(",")
        y, m, dd = map(int, d.split("-"))
        rows.append((cust, date(y, m, dd), Decimal(total).quantize(Decimal("0.01"), ROUND_HALF_UP)))
asof = date(2011, 12, 10)
print("UCI customers", len({r[0] for r in rows}), "orders", len(rows), "revenue", sum(r[2] for r in rows))
print("UCI 12-month revenue to 2011-12-10", sum(r[2] for r in rows if date(2010, 12, 10) < r[1] <= asof),
      "orders", sum(1 for r in rows if date(2010, 12, 10) < r[1] <= asof))
for t, c, u in tiers(rows, first_of_months(date(2011, 1, 1), date(2012, 1, 1)), [Decimal(2000), Decimal(5000), Decimal(10000)]):
    print("UCI", t, c, "upgrades", u)

# CDNOW master: whitespace separated, one row per purchase, dollars.
rows = []
with open(f"{data}/cdnow/CDNOW_master.txt") as f:
    next(f)
    for line in f:
        cust, d, cds, amt = line.split()
        rows.append((cust, date(int(d[:4]), int(d[4:6]), int(d[6:])), Decimal(amt).quantize(Decimal("0.01"), ROUND_HALF_UP)))
print("CDNOW customers", len({r[0] for r in rows}), "orders", len(rows), "revenue", sum(r[2] for r in rows))
for t, c, u in tiers(rows, first_of_months(date(1997, 2, 1), date(1998, 7, 1)), [Decimal(100), Decimal(300), Decimal(1000)]):
    print("CDNOW", t, c, "upgrades", u)
