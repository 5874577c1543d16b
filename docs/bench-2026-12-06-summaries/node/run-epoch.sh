#!/usr/bin/env bash
# E = the first-epoch setting (ltm.memory.first.epoch, default 1): the issue 13 configuration (100 young keys) with the
# default and with a first epoch of 8 contractions, and 4 long streams with Streams' record cache off, alternating.
source ../../bench-2026-12-06-longterm/node/run-lib.sh
for r in ${RUNS:-1}; do
  run E k100-fe1-$r --events 8000 --keys 100 --qps 0
  run E k100-fe8-$r --events 8000 --keys 100 --qps 0 --set ltm.memory.first.epoch=8
  run E k4-nocache-fe8-$r --events 8000 --keys 4 --qps 0 --set statestore.cache.max.bytes=0 --set ltm.memory.first.epoch=8
done
