#!/usr/bin/env bash
# M = 2040a4d (LRU), N = the W-TinyLFU change; the issue 13 configuration, alternating.
source ../../bench-2026-12-06-longterm/node/run-lib.sh
for r in ${RUNS:-1 2}; do
  for b in M N; do
    run $b k100-$r --events 8000 --keys 100 --qps 0
  done
done
