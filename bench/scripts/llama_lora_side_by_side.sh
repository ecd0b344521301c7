#!/usr/bin/env bash
# A Llama-family LoRA step side by side with PyTorch: `./jtune bench llama-lora-step` (bf16 and f32 frozen base) and
# its plain-PyTorch twin bench/scripts/torch_llama_step_bench.py (f32 base; Debian's OpenMP OpenBLAS, detected and
# forced-AVX-512 kernels, the faster counts), ROUNDS alternating rounds; each round prints the ratios.
# Usage: bench/scripts/llama_lora_side_by_side.sh [config] [steps] [rounds]   (config: qwen2.5-0.5b or llama-16m)
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
CONFIG=${1:-qwen2.5-0.5b}
STEPS=${2:-5}
ROUNDS=${3:-3}
OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
lscpu | grep -E "Model name|CPU family|Model:"

# "step forward" seconds from a jtune run's output.
jtune_times() { sed -nE 's/^train step ([0-9.]+) s, forward ([0-9.]+) s.*/\1 \2/p' <<<"$1"; }
# The median ms of PyTorch's RESULT line $1 in the output $2.
torch_ms() { grep -E "RESULT $1:" <<<"$2" | sed -E 's/.*median ([0-9.]+) ms.*/\1/'; }

for round in $(seq "$ROUNDS"); do
  declare -A step fwd
  for base in bf16 f32; do
    out=$(./jtune bench llama-lora-step --config "$CONFIG" --base-dtype "$base" --steps "$STEPS" 2>&1 | grep -v WARNING)
    echo "== round $round: jtune $base base"; echo "$out"
    read -r step[$base] fwd[$base] <<<"$(jtune_times "$out")"
    if [[ -z "${step[$base]}" ]]; then
      echo "llama_lora_side_by_side: ./jtune bench llama-lora-step printed no 'train step X s, forward Y s' line" >&2
      exit 1
    fi
  done
  best_step="" best_fwd=""
  for core in "" SkylakeX; do
    echo "== round $round: torch f32 base, openmp coretype=${core:-detected}"
    out=$(OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP /usr/bin/python3 bench/scripts/torch_llama_step_bench.py \
          --config "$CONFIG" --steps "$STEPS" --fwd "$STEPS" 2>&1 | grep -E "RESULT"); echo "$out"
    s=$(torch_ms train_step "$out") f=$(torch_ms "forward_only\(inference_mode\)" "$out")
    best_step=$(awk -v a="$s" -v b="$best_step" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }')
    best_fwd=$(awk -v a="$f" -v b="$best_fwd" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }')
  done
  for base in bf16 f32; do
    awk -v r="$round" -v b="$base" -v js="${step[$base]}" -v jf="${fwd[$base]}" -v ts="$best_step" -v tf="$best_fwd" \
      'BEGIN { printf "round %s %s base: step %.3f vs %.3f s (%.2fx), forward %.3f vs %.3f s (%.2fx)\n",
               r, b, js, ts / 1000, js * 1000 / ts, jf, tf / 1000, jf * 1000 / tf }'
  done
done
