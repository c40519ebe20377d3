#!/usr/bin/env bash
# Runs the RFM comparison on one core: vip's timings, then pandas' on the same
# customers, and the agreement check. Needs python3 with pandas (Debian:
# apt-get install python3-pandas). N sets the customers (default 1,000,000).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${TMPDIR:-/tmp}/vip-rfm-pandas"
go build -o "$dir.bin" ./bench/pandas
GOMAXPROCS=1 "$dir.bin" -n "${N:-1000000}" -out "$dir"
"${PYTHON:-/usr/bin/python3}" bench/pandas/rfm.py "$dir"
