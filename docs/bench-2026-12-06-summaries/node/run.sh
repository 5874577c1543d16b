#!/usr/bin/env bash
# P = 894d22f (novelty summaries logged), N = this change (summaries local, made again where missing); the issue 13
# configuration (100 young keys) and 4 long streams with Streams' record cache off, alternating.
source ../../bench-2026-12-06-longterm/node/run-lib.sh
for r in ${RUNS:-1}; do
  for b in P N; do
    run $b k100-$r --events 8000 --keys 100 --qps 0
  done
  for b in P N; do
    run $b k4-nocache-$r --events 8000 --keys 4 --qps 0 --set statestore.cache.max.bytes=0
  done
done
