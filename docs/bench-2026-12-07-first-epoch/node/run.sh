#!/usr/bin/env bash
# The issue 13 configuration (100 young keys of 2,560 tokens, no queries) at the new default first epoch (8) and with
# the old one (1), alternating; each run's JSON line as NAME.json. Run from this directory.
set -u
LTM=../../../ltm
run() {
  local name=$1; shift
  echo "== $name $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  $LTM bench node "$@" > $name.out 2> $name.err
  echo "rc=$? $(date -u +%T)"
  tail -1 $name.out > $name.json
}
for r in ${RUNS:-1 2}; do
  run k100-fe8-$r --events 8000 --keys 100 --qps 0
  run k100-fe1-$r --events 8000 --keys 100 --qps 0 --set ltm.memory.first.epoch=1
done
