#!/bin/bash
# NodeBench: 4bf025f (M) against ac957fc (F), alternating; 100 keys, one stream thread, ingest only
source "$(dirname "$0")/../../bench-2026-12-06-longterm/node/run-lib.sh"
cd /tmp/nb9
for r in 1 2; do
  run M k100-p$r --events 8000 --keys 100 --qps 0
  run F k100-p$r --events 8000 --keys 100 --qps 0
done
echo done $(date -u +%T)
