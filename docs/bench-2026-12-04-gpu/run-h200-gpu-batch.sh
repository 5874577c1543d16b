#!/bin/bash
# One-shot GPU check (carried in .gpu, git-ignored): JNI built against the machine's libtorch, device tests, benches.
set -u
G=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
T0=$(date +%s); el() { echo "[t+$(( $(date +%s) - T0 ))s] $*"; }
el start; date -u
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
echo "cores=$(nproc) $(grep -m1 'model name' /proc/cpuinfo)"
TORCH=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")
python3 -c "import torch;print('torch',torch.__version__,'cuda',torch.version.cuda)"
TL=$TORCH/lib
CUDART=$(find "$(dirname "$TORCH")/nvidia" -name 'libcudart.so*' | head -1); CUDART_DIR=$(dirname "$CUDART")
mkdir -p /tmp/j && tar -C /tmp/j -xJf "$G/jre.tar.xz"; J=/tmp/j/jre17/bin/java
export HOME=/tmp/h LD_LIBRARY_PATH="$CUDART_DIR:$TL" PYTORCH_LIBRARY_PATH="$TL" PYTORCH_VERSION=2.11.0 PYTORCH_FLAVOR=cu130
JOPTS="-Duser.home=/tmp/h -Xmx24g -Djna.library.path=$CUDART_DIR"
CP="$G/lib/*"
bash "$G/build_jni.sh" "$TORCH" /tmp/libdjl_torch_b.so > "$OUT/jni_build.txt" 2>&1; tail -2 "$OUT/jni_build.txt"
mkdir -p /tmp/h/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64 && cp /tmp/libdjl_torch_b.so /tmp/h/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64/0.33.0-libdjl_torch.so
el "tests on the GPU: parity (GPU vs CPU), ready memory, device reads, device memories"
timeout 120 $J $JOPTS -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class io.ltm.model.DeviceParityTest --select-class io.ltm.model.ReadyMemoryTest \
  --select-class io.ltm.model.DeviceReadsTest --select-class io.ltm.model.internal.DeviceMemoriesTest \
  > "$OUT/tests.txt" 2>&1; el "rc=$?"
grep -E "GPU vs CPU|tests (successful|failed|aborted)|✘" "$OUT/tests.txt"
AB=($J $JOPTS -cp "$CP" io.ltm.topology.bench.AttentionBench)
el "GPU, device path, 64 memories held on the device (compare: 460/2134/8292/46931 q/s before)"
(sleep 30; nvidia-smi dmon -s u -c 15) > "$OUT/dmon-gpu.txt" 2>&1 &
timeout 170 "${AB[@]}" --device gpu --path device --chunk 4096 --keys 64 --repeats 3 --history 0 2>/dev/null \
  | grep -o '{"benchmark.*' > "$OUT/attention-gpu.json"; el "rc=$?"; cat "$OUT/attention-gpu.json"; echo
cat "$OUT/dmon-gpu.txt"
el "CPU of this host, host path (the 16-core baseline)"
timeout 110 "${AB[@]}" --device cpu --path host --chunk 4096 --keys 64 --repeats 2 --history 0 2>/dev/null \
  | grep -o '{"benchmark.*' > "$OUT/attention-cpu-host.json"; el "rc=$?"; cat "$OUT/attention-cpu-host.json"; echo
el "JFR of the GPU device path (what is still host-bound)"
timeout 100 $J $JOPTS -XX:StartFlightRecording=filename=$OUT/gpu-batch.jfr,settings=profile -cp "$CP" \
  io.ltm.topology.bench.AttentionBench --device gpu --path device --chunk 4096 --keys 64 --repeats 1 --history 0 \
  > /dev/null 2>&1; el "rc=$?"
JFR=$(dirname "$J")/jfr; [ -x "$JFR" ] || JFR=jfr
for ev in ExecutionSample NativeMethodSample; do
  "$JFR" print --events jdk.$ev --stack-depth 40 "$OUT/gpu-batch.jfr" > /tmp/$ev.txt 2>/dev/null
  python3 - /tmp/$ev.txt <<'PY' > "$OUT/jfr-$ev.txt"; head -30 "$OUT/jfr-$ev.txt"
import sys, re, collections
top, ltm, n = collections.Counter(), collections.Counter(), 0
for e in open(sys.argv[1]).read().split('jdk.')[1:]:
    fr = [f.split('(')[0] for f in re.findall(r'^\s+([\w.$<>]+\(.*?\))\s+line:', e, re.M)]
    if not fr or not any('ZeroShotRead' in f or 'MemoryRead' in f for f in fr): continue
    n += 1; top[fr[0]] += 1
    l = [f for f in fr if f.startswith('io.ltm')]; ltm[l[0] if l else 'other'] += 1
print('samples in reads', n)
for k, c in top.most_common(20): print(f'{100*c/max(n,1):5.1f}% {k}')
print('-- first io.ltm frame')
for k, c in ltm.most_common(15): print(f'{100*c/max(n,1):5.1f}% {k}')
PY
done
# optional (about 1 min more): many memories past the 1 GiB default bound (1024 x 1.57 MB): LRU churn, uploads every batch
# timeout 170 "${AB[@]}" --device gpu --path device --chunk 4096 --keys 1024 --repeats 1 --history 0 2>/dev/null | grep -o '{"benchmark.*'
el done
