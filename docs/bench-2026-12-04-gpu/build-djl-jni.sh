#!/bin/bash
# Builds DJL's PyTorch JNI (libdjl_torch.so) against the machine's own libtorch (option B). Args: TORCH_DIR OUT_SO
set -u
TORCH=$1; OUTSO=$2
SRC=$(cd "$(dirname "$0")" && pwd)/jnisrc
JH=$(cd "$(dirname "$0")" && pwd)/jni-include
ABI=$(python3 -c "import torch;print(int(torch._C._GLIBCXX_USE_CXX11_ABI))")
B=/tmp/jnibuild; rm -rf $B; mkdir -p $B
echo "abi=$ABI g++=$(g++ --version | head -1)"
compile() { # $1 std
  ls $SRC/*.cc $SRC/reconstructed/*.cc | xargs -P 16 -I{} sh -c "f={}; o=$B/\$(basename \$f .cc).o; [ -f \$o ] || g++ -c -O2 -fPIC -std=$1 $2 -w -D_GLIBCXX_USE_CXX11_ABI=$ABI -DUSE_CUDA -I$SRC -I$JH -I$JH/linux -I$TORCH/include -I$TORCH/include/torch/csrc/api/include -I$(dirname $TORCH)/nvidia/cu13/include -I/usr/local/cuda/include \$f -o \$o 2> \$o.err || echo FAIL \$f"
}
t0=$(date +%s)
compile c++17 ''
if [ $(ls $B/*.o 2>/dev/null | wc -l) -lt $(ls $SRC/*.cc $SRC/reconstructed/*.cc | wc -l) ]; then
  echo "c++17 incomplete; errors:"; for e in $B/*.err; do [ -s $e ] && { echo "== $e"; head -c 3000 $e; }; done
  compile c++20 "-include $SRC/compat.h"
fi
echo "compiled $(ls $B/*.o 2>/dev/null | wc -l) of $(ls $SRC/*.cc $SRC/reconstructed/*.cc | wc -l) in $(( $(date +%s) - t0 )) s"
for e in $B/*.err; do [ -s $e ] && { echo "== $e"; head -c 4000 $e; }; done
g++ -shared -o $OUTSO $B/*.o -L$TORCH/lib -Wl,-rpath,$TORCH/lib -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -ltorch_cuda -lc10_cuda && echo "linked $OUTSO"
