#!/usr/bin/env bash
# The GPT-2 124M forward and three single-thread products under other block sizes of the matmul (SimdMatmul's
# jtune.matmul.* properties), for a CPU whose caches differ from the one the defaults were chosen on (L1d 48 KiB, L2
# 1-2 MiB per core). Settings alternate within each round, so all of them see the same moments of a shared machine.
# Usage: bench/scripts/matmul_blocking_sweep.sh [rounds] ["SETTING" ...]
#   SETTING: JVM flags, e.g. "-Djtune.matmul.kc=192 -Djtune.matmul.depthBlocks=2"; "default" is the defaults.
# Prints per round and setting: the forward's median (ms; both sides of `bench gpt2-ab` run the setting, so the two
# medians are 2 x 15 forwards of it) and GFLOP/s of [256,768]@[768,3072], [256,3072]@[3072,768] and the tied head.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
ROUNDS=${1:-2}
shift || true
if [[ $# -gt 0 ]]; then
  SETTINGS=("$@")
else
  SETTINGS=(default "-Djtune.matmul.kc=192" "-Djtune.matmul.kc=128" "-Djtune.matmul.depthBlocks=2"
            "-Djtune.matmul.depthBlocks=1" "-Djtune.matmul.mc=128" "-Djtune.matmul.nc=512")
fi
lscpu | grep -E "Model name|CPU family|Model:|L1d|L2|L3"
./jtune info >/dev/null 2>&1  # builds what changed
jar=$(mktemp --suffix=.jar)
trap 'rm -f "$jar"' EXIT
find core/target -maxdepth 1 -name 'jtune-core-*.jar' ! -name '*-tests.jar' -exec cp {} "$jar" \;
for ((r = 1; r <= ROUNDS; r++)); do
  for s in "${SETTINGS[@]}"; do
    flags=$s
    [[ $s == default ]] && flags=""
    forward=$(JTUNE_JAVA_OPTS="$flags" ./jtune bench gpt2-ab --core "$jar" --core "$jar" --config 124m \
              --mode forward --pairs 15 2>&1 | sed -nE 's/^A: median ([0-9.]+) ms, B: median ([0-9.]+) ms.*/\1 \2/p')
    products=$(JTUNE_JAVA_OPTS="$flags" ./jtune bench matmul --threads 1 --case MLP_UP,MLP_DOWN,LM_HEAD_TIED 2>&1 |
               awk '/^matmul/ {printf "%s ", $6}')
    [[ -n $forward ]] || { echo "matmul_blocking_sweep.sh: no forward result for setting '$s'" >&2; exit 1; }
    echo "round $r [$s]: forward ${forward// / \/ } ms; 1 thread GFLOP/s: mlp_up, mlp_down, tied head = $products"
  done
done
