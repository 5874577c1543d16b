#!/bin/bash
# NodeBench: base (12dca79) against new (bbd87c7), alternating
source "$(dirname "$0")/run-lib.sh"
cd /tmp/nb
for r in 1 2; do
  run Base k4q-$r --events 8000 --keys 4 --qps 20 --seconds 30
  run New k4q-$r --events 8000 --keys 4 --qps 20 --seconds 30
done
run Base k100-1 --events 8000 --keys 100 --qps 0
run New k100-1 --events 8000 --keys 100 --qps 0
run New lat-inline --events 2000 --keys 50 --seconds 40 --qps 20
run New lat-worker --events 2000 --keys 50 --seconds 40 --qps 20 --set ltm.attention.mode=worker
echo done $(date -u +%T)
