#!/usr/bin/env bash
# M = 2040a4d (LRU), N = the W-TinyLFU change (3a5c9ab); the issue 13 configuration, alternating. Runs 5-7 (P =
# 124aa88, L = 124aa88 with harness/lru-with-metrics.patch) were started by hand with the same arguments.
source ../../bench-2026-12-06-longterm/node/run-lib.sh
for r in ${RUNS:-1 2}; do
  for b in M N; do
    run $b k100-$r --events 8000 --keys 100 --qps 0
  done
done
