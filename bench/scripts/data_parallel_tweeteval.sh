#!/usr/bin/env bash
# The README's data-parallel measurement: the TweetEval walkthrough's first STEPS optimizer steps (global batch 32:
# accumulation 4) as 1 process x 2 threads (batch 8) and as mpirun -np 2 x 1 thread (batch 4 per rank), back to back.
# Prints each run's last log line and train metrics (train_runtime; allreduce_* for the two ranks) and the load.
# Usage: bench/scripts/data_parallel_tweeteval.sh [steps]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
STEPS=${1:-64}
COMMON=(finetune --model ../shared/models/tweet-gpt2-small --data ../shared/data/tweeteval-sentiment/train.jsonl
  --text-template "Tweet: {text}\nSentiment: {label_text}" --max-length 64 --gradient-accumulation-steps 4
  --learning-rate 5e-4 --num-train-epochs 1 --max-steps "$STEPS" --seed 42 --save-strategy no --logging-steps 8
  --disable-tqdm)
OUT=$(mktemp -d)
./jtune --version >/dev/null 2>&1  # build first, outside the timings
lscpu | grep -E "Model name"; uptime
echo "== 1 process x 2 threads"
JTUNE_JAVA_OPTS=-Djtune.threads=2 ./jtune "${COMMON[@]}" --per-device-train-batch-size 8 --output-dir "$OUT/one" 2>&1 \
  | grep -v WARNING | tail -3
uptime
echo "== mpirun -np 2 x 1 thread"
mpirun --oversubscribe --allow-run-as-root -np 2 -x JTUNE_JAVA_OPTS=-Djtune.threads=1 ./jtune "${COMMON[@]}" \
  --per-device-train-batch-size 4 --output-dir "$OUT/two" 2>&1 | grep -v WARNING | tail -3
uptime
rm -rf "$OUT"
