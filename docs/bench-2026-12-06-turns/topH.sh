#!/bin/bash
# run the bench, and from the moment the node's ingest is reported, sample per-thread CPU for 40 s
CLI=/tmp/cliU
java -Xmx3g -Dltm.registry.jar=/work/main/registry/target/quarkus-app/quarkus-run.jar -cp "$CLI/ltm-cli-0.1.0-SNAPSHOT.jar:$CLI/lib/*" io.ltm.topology.bench.NodeBench --events 2000 --keys 50 --seconds 40 --qps 20 > /tmp/nb/topH.json 2> /tmp/nb/topH.err &
P=$!
until grep -q "node ingest:" /tmp/nb/topH.err 2>/dev/null; do sleep 0.5; done
echo "node ingest reported at $(date -u +%T)" > /tmp/nb/topH.txt
for i in $(seq 1 20); do
  echo "--- $(date -u +%T)" >> /tmp/nb/topH.txt
  top -H -b -n 1 -d 1 -p $P | sed -n '8,22p' >> /tmp/nb/topH.txt
  sleep 1
done
wait $P
echo done >> /tmp/nb/topH.txt
