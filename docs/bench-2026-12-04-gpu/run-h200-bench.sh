#!/bin/bash
# One-shot GPU check of LTM Streams (not part of the project; carried in .gpu). Writes its results under $OUT.
set -u
G=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/out}; mkdir -p "$OUT"
exec > >(tee "$OUT/log.txt") 2>&1
T0=$(date +%s); el() { echo "[t+$(( $(date +%s) - T0 ))s] $*"; }
el start; date -u
nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv
echo "cores=$(nproc) cpu=$(grep -m1 'model name' /proc/cpuinfo)"
command -v java && java -version 2>&1 | head -1
command -v g++ && g++ --version | head -1
TORCH=$(python3 -c "import torch,os;print(os.path.dirname(torch.__file__))")
python3 -c "import torch;print('torch',torch.__version__,'cuda',torch.version.cuda,'avail',torch.cuda.is_available(),'cxx11abi',torch._C._GLIBCXX_USE_CXX11_ABI)"
TL=$TORCH/lib; ls "$TL"
CUDART=$(find "$(dirname "$TORCH")/nvidia" /usr/local/cuda/lib64 /usr/local/cuda/targets -name 'libcudart.so*' 2>/dev/null | grep -v stubs | head -1); echo "cudart=$CUDART"
CUDART_DIR=$(dirname "$CUDART")
mkdir -p /tmp/j && tar -C /tmp/j -xJf "$G/jre.tar.xz"; J=/tmp/j/jre17/bin/java
export HOME=/tmp/h LD_LIBRARY_PATH="$CUDART_DIR:$TL" PYTORCH_LIBRARY_PATH="$TL"
JOPTS="-Duser.home=/tmp/h -Xmx16g -Djna.library.path=$CUDART_DIR"
CP="$G/lib/*"
# option B (DJL's JNI compiled here against this libtorch) builds in the background meanwhile
( bash "$G/build_jni.sh" "$TORCH" /tmp/libdjl_torch_b.so > "$OUT/jni_build.txt" 2>&1 ) &
BPID=$!
parity() { # $1 label
  timeout 120 $J $JOPTS -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --disable-banner \
    --details=tree --select-class io.ltm.model.DeviceParityTest --select-class io.ltm.model.ReadyMemoryTest > "$OUT/parity-$1.txt" 2>&1
  local rc=$?; el "parity $1 rc=$rc"; grep -E "tests (successful|failed|aborted)|✘|↷|Exception|Error" "$OUT/parity-$1.txt" | head -20
  grep -Eq " 0 tests failed" "$OUT/parity-$1.txt" && grep -Eq " 0 tests aborted" "$OUT/parity-$1.txt" && [ $rc -eq 0 ]
}
el "option A: DJL's prebuilt cu124 JNI (PyTorch 2.5.1) over libtorch $(python3 -c 'import torch;print(torch.__version__)')"
export PYTORCH_VERSION=2.5.1 PYTORCH_FLAVOR=cu124
if [ -z "${SKIP_A:-}" ] && parity A; then MODE=A; pkill -f build_jni.sh; pkill -x xargs; pkill -x g++; pkill cc1plus; else
  el "waiting for option B build"; wait $BPID; tail -5 "$OUT/jni_build.txt"
  export PYTORCH_VERSION=2.11.0 PYTORCH_FLAVOR=cu130
  mkdir -p $HOME/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64 && cp /tmp/libdjl_torch_b.so $HOME/.djl.ai/pytorch/2.11.0-cu130-linux-x86_64/0.33.0-libdjl_torch.so
  MODE=none
  if parity B; then MODE=B; fi
  export NVIDIA_TF32_OVERRIDE=0
  if parity B32; then [ $MODE = none ] && MODE=B32; fi
  [ $MODE = B32 ] || unset NVIDIA_TF32_OVERRIDE
  grep -h "GPU vs CPU" "$OUT"/parity-B*.txt
fi
el "using option $MODE"
AB=($J $JOPTS -cp "$CP" io.ltm.topology.bench.AttentionBench)
el "attention bench on the GPU (batches)"
timeout 150 "${AB[@]}" --device gpu --chunk 4096 --keys 64 --repeats 3 --history 0 2> /tmp/ag.err | grep -o '{"benchmark.*' > "$OUT/attention-gpu.json"; el "rc=$?"
cat "$OUT/attention-gpu.json"; echo; grep -v " INFO " /tmp/ag.err | tail -8
el "model test suite with the GPU as default device"
timeout 90 $J $JOPTS -Dai.djl.pytorch.num_threads=1 -Dai.djl.pytorch.num_interop_threads=1 -cp "$CP" \
  org.junit.platform.console.ConsoleLauncher execute --disable-banner --details=summary \
  --scan-class-path="$G/lib/ltm-model-tests.jar" --exclude-package=io.ltm.model.encoder > "$OUT/model-tests.txt" 2>&1; el "rc=$?"
grep -E "tests (found|successful|failed|aborted|skipped)|MethodSource|=>" "$OUT/model-tests.txt" | head -40
el "attention bench on this machine's CPU (batches)"
timeout 110 "${AB[@]}" --device cpu --keys 64 --repeats 2 --history 0 2>/dev/null | grep -o '{"benchmark.*' > "$OUT/attention-cpu.json"; el "rc=$?"
cat "$OUT/attention-cpu.json"; echo
el "attention bench on the GPU (history)"
timeout 120 "${AB[@]}" --device gpu --keys 1 --repeats 1 --history 1000,100000,1000000 2> /tmp/ah.err | grep -o '{"benchmark.*' > "$OUT/attention-history.json"; el "rc=$?"
cat "$OUT/attention-history.json"; echo; grep -v " INFO " /tmp/ah.err | tail -5
el done
