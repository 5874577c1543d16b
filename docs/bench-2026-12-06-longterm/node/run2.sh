#!/bin/bash
# NodeBench: bbd87c7 (New) against packed sources (Pack), 4 keys, ingest only, alternating
source "$(dirname "$0")/run-lib.sh"
cd /tmp/nb
for r in 1 2 3; do
  run New k4p-$r --events 8000 --keys 4 --qps 0
  run Pack k4p-$r --events 8000 --keys 4 --qps 0
done
echo done $(date -u +%T)
