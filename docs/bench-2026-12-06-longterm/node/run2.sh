#!/bin/bash
# NodeBench: bbd87c7 (New) against packed sources (Pack), 4 keys, ingest only, alternating
cd /tmp/nb
run() {
  local b=$1 name=$2; shift 2
  local CLI=/tmp/cli$b
  echo "== $b $name $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  java -Xmx3g -Dltm.registry.jar=/work/main/registry/target/quarkus-app/quarkus-run.jar -cp "$CLI/ltm-cli-0.1.0-SNAPSHOT.jar:$CLI/lib/*" io.ltm.topology.bench.NodeBench "$@" > $name-$b.out 2> $name-$b.err
  tail -1 $name-$b.out > $name-$b.json
}
for r in 1 2 3; do
  run New k4p-$r --events 8000 --keys 4 --qps 0
  run Pack k4p-$r --events 8000 --keys 4 --qps 0
done
echo done $(date -u +%T)
