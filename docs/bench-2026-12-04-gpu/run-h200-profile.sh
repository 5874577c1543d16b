#!/bin/bash
# Final one-shot GPU check: JNI built against the machine's libtorch, parity and model tests, JFR profile, benches.
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
JOPTS="-Duser.home=/tmp/h -Xmx16g -Djna.library.path=$CUDART_DIR"
CP="$G/lib/*"
bash "$G/build_jni.sh" "$TORCH" /tmp/libdjl_torch_b.so > "$OUT/jni_build.txt" 2>&1; tail -2 "$OUT/jni_build.txt"
mkdir -p /tmp/h/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64 && cp /tmp/libdjl_torch_b.so /tmp/h/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64/0.33.0-libdjl_torch.so
el "parity and ready-memory tests"
timeout 90 $J $JOPTS -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=tree \
  --select-class io.ltm.model.DeviceParityTest --select-class io.ltm.model.ReadyMemoryTest > "$OUT/parity.txt" 2>&1; el "rc=$?"
grep -E "GPU vs CPU|tests (successful|failed|aborted)" "$OUT/parity.txt"
if [ -z "${PROFILE_ONLY:-}" ]; then
el "model test suite, GPU as default device"
timeout 90 $J $JOPTS -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --scan-class-path="$G/lib/ltm-model-tests.jar" --exclude-package=io.ltm.model.encoder > "$OUT/model-tests.txt" 2>&1; el "rc=$?"
grep -E "tests (found|successful|failed|aborted|skipped)|MethodSource|=>" "$OUT/model-tests.txt" | head -20
AB=($J $JOPTS -cp "$CP" io.ltm.topology.bench.AttentionBench)
el "attention bench, GPU"
timeout 150 "${AB[@]}" --device gpu --chunk 4096 --keys 64 --repeats 3 --history 0 2>/dev/null | grep -o '{"benchmark.*' > "$OUT/attention-gpu.json"; el "rc=$?"
cat "$OUT/attention-gpu.json"; echo
el "attention bench, this machine's CPU"
timeout 110 "${AB[@]}" --device cpu --keys 64 --repeats 3 --history 0 2>/dev/null | grep -o '{"benchmark.*' > "$OUT/attention-cpu.json"; el "rc=$?"
cat "$OUT/attention-cpu.json"; echo
fi
el "JFR profile of GPU batches of 4096 over 64 memories"
(sleep 6; nvidia-smi dmon -s u -c 12) &
timeout 90 $J $JOPTS -XX:StartFlightRecording=filename=$OUT/gpu4096.jfr,settings=profile -cp "$CP:$G/prof" Prof 64 4096 120 gpu 2>&1 | grep -v " INFO \|jfr,startup"; el "rc=$?"
ls -la "$OUT"
el done
