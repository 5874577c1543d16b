#!/bin/bash
# NodeBench: base (12dca79) against new (bbd87c7), alternating
cd /tmp/nb
run() { # build name args...
  local b=$1 name=$2; shift 2
  local CLI=/tmp/cli$b
  echo "== $b $name $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  java -Xmx3g -Dltm.registry.jar=/work/main/registry/target/quarkus-app/quarkus-run.jar -cp "$CLI/ltm-cli-0.1.0-SNAPSHOT.jar:$CLI/lib/*" io.ltm.topology.bench.NodeBench "$@" > $name-$b.out 2> $name-$b.err
  tail -1 $name-$b.out > $name-$b.json
}
for r in 1 2; do
  run Base k4q-$r --events 8000 --keys 4 --qps 20 --seconds 30
  run New k4q-$r --events 8000 --keys 4 --qps 20 --seconds 30
done
run Base k100-1 --events 8000 --keys 100 --qps 0
run New k100-1 --events 8000 --keys 100 --qps 0
run New lat-inline --events 2000 --keys 50 --seconds 40 --qps 20
run New lat-worker --events 2000 --keys 50 --seconds 40 --qps 20 --set ltm.attention.mode=worker
echo done $(date -u +%T)
