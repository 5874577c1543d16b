#!/bin/bash
# NodeBench with ac957fc (F): 100 keys, 1, 2 and 4 stream threads (4 partitions), ingest only
source "$(dirname "$0")/../../bench-2026-12-06-longterm/node/run-lib.sh"
cd /tmp/nb9
for t in 1 2 4; do
  run F k100-t$t --events 8000 --keys 100 --qps 0 --threads $t
done
echo done $(date -u +%T)
