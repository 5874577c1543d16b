#!/bin/bash
# NodeBench: 4bf025f (M) against bda1215 (N), alternating; ingest only
source "$(dirname "$0")/../../bench-2026-12-06-longterm/node/run-lib.sh"
cd /tmp/nb8
for r in 1 2; do
  run M k4-$r --events 8000 --keys 4 --qps 0
  run N k4-$r --events 8000 --keys 4 --qps 0
done
run M k100-1 --events 8000 --keys 100 --qps 0
run N k100-1 --events 8000 --keys 100 --qps 0
echo done $(date -u +%T)
