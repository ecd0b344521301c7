#!/usr/bin/env bash
# The side-by-side runs behind the README's "Fast: measured" table (issue 9): jtune and PyTorch back to back on the
# same machine. PyTorch runs with Debian's OpenMP build of OpenBLAS, with and without forced AVX-512 kernels
# (OPENBLAS_CORETYPE=SkylakeX); the README quotes the faster. Usage: bench/scripts/issue9_side_by_side.sh [steps]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STEPS=${1:-10}
TORCH=(/usr/bin/python3 ../shared/tools/torch_gpt2_bench.py --threads 2 --steps "$STEPS" --fwd "$STEPS" --breakdown)
OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
lscpu | grep -E "Model name|Vendor"
for cfg in 124m 16m; do
  [[ $cfg == 124m ]] && shape=(--L 12 --NH 12 --C 768 --B 4 --T 64) || shape=(--L 4 --NH 4 --C 256 --B 8 --T 128)
  echo "== jtune $cfg"; ./jtune bench gpt2-step --config "$cfg" --steps "$STEPS" 2>&1 | grep -v WARNING
  for core in "" SkylakeX; do
    echo "== torch $cfg openmp coretype=${core:-detected}"
    OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP "${TORCH[@]}" "${shape[@]}" 2>&1 | grep -E "RESULT"
  done
done
echo "== bandwidth"; ./jtune bench bandwidth 2>&1 | grep -v WARNING
echo "== jtune generate"; ./jtune bench generate --runs 3 2>&1 | grep -v WARNING
for core in "" SkylakeX; do
  echo "== torch generate openmp coretype=${core:-detected}"
  OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP /usr/bin/python3 bench/scripts/torch_generate_bench.py --runs 3 2>&1 | tail -6
done
