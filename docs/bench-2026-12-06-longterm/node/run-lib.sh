# Sourced by run.sh, run2.sh and run3.sh: run BUILD NAME ARGS... runs NodeBench with the build copied to /tmp/cliBUILD
# (its cli/target) and keeps the JSON line as NAME-BUILD.json in the current directory.
run() {
  local b=$1 name=$2; shift 2
  local CLI=/tmp/cli$b
  echo "== $b $name $(date -u +%T) load $(cut -d' ' -f1 /proc/loadavg)"
  java -Xmx3g -Dltm.registry.jar=/work/main/registry/target/quarkus-app/quarkus-run.jar \
    -cp "$CLI/ltm-cli-0.1.0-SNAPSHOT.jar:$CLI/lib/*" io.ltm.topology.bench.NodeBench "$@" > $name-$b.out 2> $name-$b.err
  tail -1 $name-$b.out > $name-$b.json
}
