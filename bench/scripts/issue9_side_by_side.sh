#!/usr/bin/env bash
# The side-by-side runs behind the README's "Fast: measured" table (issue 9): jtune and PyTorch back to back on the
# same machine. PyTorch runs with Debian's OpenMP build of OpenBLAS, with and without forced AVX-512 kernels
# (OPENBLAS_CORETYPE=SkylakeX); the README quotes the faster. On a VM shared with other tenants one pair says little
# (the same program's times move by 15% from minute to minute), so the training pairs run in ROUNDS alternating rounds,
# each round's ratio is printed against the faster PyTorch setting of that round, and the median ratio at the end.
# Usage: bench/scripts/issue9_side_by_side.sh [steps] [rounds]
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STEPS=${1:-10}
ROUNDS=${2:-1}
TORCH=(/usr/bin/python3 ../shared/tools/torch_gpt2_bench.py --threads 2 --steps "$STEPS" --fwd "$STEPS" --breakdown)
OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
RATIOS=$(mktemp)
trap 'rm -f "$RATIOS"' EXIT
lscpu | grep -E "Model name|Vendor|CPU family|Model:|L1d|L2|L3"  # the caches decide the matmul's blocking

# The median PyTorch time (ms) of RESULT line $1 in the output $2.
torch_ms() { grep -E "RESULT $1:" <<<"$2" | sed -E 's/.*median ([0-9.]+) ms.*/\1/'; }

for round in $(seq "$ROUNDS"); do
  for cfg in 124m 16m; do
    [[ $cfg == 124m ]] && shape=(--L 12 --NH 12 --C 768 --B 4 --T 64) || shape=(--L 4 --NH 4 --C 256 --B 8 --T 128)
    echo "== round $round: jtune $cfg"
    out=$(./jtune bench gpt2-step --config "$cfg" --steps "$STEPS" 2>&1 | grep -v WARNING); echo "$out"
    jtune_fwd=$(sed -nE 's/^forward ([0-9.]+) s, train step ([0-9.]+) s.*/\1/p' <<<"$out")
    jtune_step=$(sed -nE 's/^forward ([0-9.]+) s, train step ([0-9.]+) s.*/\2/p' <<<"$out")
    if [[ -z "$jtune_step" ]]; then  # a failed build or run (sources changed mid-run rebuild the launcher's jars)
      echo "issue9_side_by_side: ./jtune bench gpt2-step --config $cfg printed no 'forward X s, train step Y s' line" >&2
      exit 1
    fi
    best_step="" best_fwd=""
    for core in "" SkylakeX; do
      echo "== round $round: torch $cfg openmp coretype=${core:-detected}"
      out=$(OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP "${TORCH[@]}" "${shape[@]}" 2>&1 | grep -E "RESULT"); echo "$out"
      step=$(torch_ms train_step "$out") fwd=$(torch_ms "forward_only\(inference_mode\)" "$out")
      best_step=$(awk -v a="$step" -v b="$best_step" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }')
      best_fwd=$(awk -v a="$fwd" -v b="$best_fwd" 'BEGIN { print (b == "" || a + 0 < b + 0) ? a : b }')
    done
    awk -v c="$cfg" -v r="$round" -v js="$jtune_step" -v jf="$jtune_fwd" -v ts="$best_step" -v tf="$best_fwd" 'BEGIN {
      printf "round %d %s: step %.3f vs %.3f s (%.2fx), forward %.3f vs %.3f s (%.2fx)\n", r, c, js, ts / 1000,
             js * 1000 / ts, jf, tf / 1000, jf * 1000 / tf }' | tee -a "$RATIOS"
  done
done
echo "== median ratio over $ROUNDS round(s), jtune / PyTorch's faster setting"
for cfg in 124m 16m; do
  for what in step forward; do
    grep " $cfg: " "$RATIOS" | sed -E "s/.*$what [0-9.]+ vs [0-9.]+ s \(([0-9.]+)x\).*/\1/" | sort -n |
      awk -v c="$cfg" -v w="$what" '{ v[NR] = $1 } END {
        m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
        printf "%s %s: %.2fx (rounds:", c, w, m; for (i = 1; i <= NR; i++) printf " %.2f", v[i]; print ")" }'
  done
done

echo "== bandwidth"; ./jtune bench bandwidth 2>&1 | grep -v WARNING
echo "== jtune generate"; ./jtune bench generate --runs 3 2>&1 | grep -v WARNING
for core in "" SkylakeX; do
  echo "== torch generate openmp coretype=${core:-detected}"
  OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP /usr/bin/python3 bench/scripts/torch_generate_bench.py --runs 3 2>&1 | tail -6
done
