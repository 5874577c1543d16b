#!/bin/bash
# NodeBench: 12dca79 (Base) against b3d4422 (Bulk, the final code), 4 keys with queries, alternating; then latency with 50 keys
source "$(dirname "$0")/run-lib.sh"
cd /tmp/nb
for r in 1 2; do
  run Base k4f-$r --events 8000 --keys 4 --qps 20 --seconds 30
  run Bulk k4f-$r --events 8000 --keys 4 --qps 20 --seconds 30
done
run Bulk latf-inline --events 2000 --keys 50 --seconds 40 --qps 20
run Bulk latf-worker --events 2000 --keys 50 --seconds 40 --qps 20 --set ltm.attention.mode=worker
echo done $(date -u +%T)
