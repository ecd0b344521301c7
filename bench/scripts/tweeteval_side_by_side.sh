#!/usr/bin/env bash
# The README's TweetEval fine-tune (its "Fine-tuning on real data" command) beside the same fine-tune in plain PyTorch
# (../shared/tools/torch_finetune_ref.py: fp32, 2 threads, Debian's python3-torch), back to back on this machine, each
# under /usr/bin/time -v for its peak RSS (issue 9's last target: jtune <= 0.45x PyTorch's training time, <= 1.5 GiB).
# PyTorch gets the faster of Debian's OpenMP OpenBLAS settings here (the kernels OpenBLAS detects, or its AVX-512 ones
# forced), chosen by a 10-step probe of torch_gpt2_bench.py at the fine-tune's shapes (L4 C128, B=8 T=64).
# Its inputs are the walkthrough's rows tokenized by `./jtune tokenize`, written to a temporary folder.
# Usage: bench/scripts/tweeteval_side_by_side.sh          (about 5 minutes for jtune, 10-20 for PyTorch)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
MODEL=../shared/models/tweet-gpt2-small DATA=../shared/data/tweeteval-sentiment
OMP=/usr/lib/x86_64-linux-gnu/openblas-openmp
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
lscpu | grep -E "Model name|Vendor"

# Peak RSS in GiB from /usr/bin/time -v's report in file $1.
peak_gib() { awk -F': ' '/Maximum resident set size/ { printf "%.2f", $2 / 1048576 }' "$1"; }

echo "== jtune"
/usr/bin/time -v -o "$WORK/jtune.time" ./jtune finetune --model "$MODEL" --data "$DATA" \
  --text-template "Tweet: {text}\nSentiment: {label_text}" --label-column label_text --max-length 64 \
  --per-device-train-batch-size 8 --gradient-accumulation-steps 4 --learning-rate 5e-4 --num-train-epochs 1 \
  --seed 42 --save-strategy no --logging-steps 16 --output-dir "$WORK/out" 2>&1 | grep -v WARNING | tee "$WORK/jtune.log"
jtune_s=$(python3 -c 'import json, sys; print([e for e in json.load(open(sys.argv[1]))["log_history"]
                                               if "train_runtime" in e][-1]["train_runtime"])' "$WORK/out/trainer_state.json")
echo "jtune train_runtime $jtune_s s"
echo "jtune peak RSS $(peak_gib "$WORK/jtune.time") GiB"

echo "== PyTorch inputs (./jtune tokenize)"
python3 - "$DATA" "$WORK" <<'EOF'
import json, sys
data, work = sys.argv[1], sys.argv[2]
for split, name, text in (("train", "train", "Tweet: {text}\nSentiment: {label_text}"),
                          ("validation", "eval_prompt", "Tweet: {text}\nSentiment:")):
    rows = [json.loads(line) for line in open(f"{data}/{split}.jsonl")]
    with open(f"{work}/{name}_text.jsonl", "w") as out:
        for r in rows: out.write(json.dumps({"text": text.format(**r)}) + "\n")
    with open(f"{work}/{name}_labels.json", "w") as out: json.dump([r["label"] for r in rows], out)
EOF
for name in train eval_prompt; do
  ./jtune tokenize --tokenizer "$MODEL" --input "$WORK/${name}_text.jsonl" --output "$WORK/${name}_only_ids.jsonl" \
    2>&1 | grep -v WARNING || true
  python3 - "$WORK" "$name" <<'EOF'
import json, sys
work, name = sys.argv[1], sys.argv[2]
labels = json.load(open(f"{work}/{name}_labels.json"))
ids = [json.loads(line)["ids"] for line in open(f"{work}/{name}_only_ids.jsonl")]
assert len(ids) == len(labels), f"{name}: {len(ids)} tokenized rows for {len(labels)} labels"
with open(f"{work}/{name}_ids.jsonl", "w") as out:
    for i, label in zip(ids, labels): out.write(json.dumps({"ids": i, "label": label}) + "\n")
EOF
done

echo "== PyTorch: probe of OpenBLAS settings (torch_gpt2_bench.py at L4 C128 B=8 T=64)"
best_core="" best_ms=""
for core in "" SkylakeX; do
  ms=$(OPENBLAS_CORETYPE=$core LD_LIBRARY_PATH=$OMP /usr/bin/python3 ../shared/tools/torch_gpt2_bench.py --L 4 --NH 4 \
         --C 128 --B 8 --T 64 --steps 10 --fwd 1 2>&1 | sed -nE 's/^RESULT train_step: median ([0-9.]+) ms.*/\1/p')
  echo "coretype=${core:-detected}: train step median $ms ms"
  if [[ -z "$best_ms" ]] || awk -v a="$ms" -v b="$best_ms" 'BEGIN { exit !(a + 0 < b + 0) }'; then
    best_core=$core best_ms=$ms
  fi
done

echo "== PyTorch (OpenMP OpenBLAS, coretype=${best_core:-detected})"
ABS_WORK=$(realpath "$WORK")
(cd .. && OPENBLAS_CORETYPE=$best_core LD_LIBRARY_PATH=$OMP /usr/bin/time -v -o "$ABS_WORK/torch.time" \
   /usr/bin/python3 shared/tools/torch_finetune_ref.py "$ABS_WORK") 2>&1 | tee "$WORK/torch.log"
torch_s=$(grep -oE '"train_seconds": [0-9.]+' "$WORK/torch.log" | grep -oE "[0-9.]+$")
echo "PyTorch peak RSS $(peak_gib "$WORK/torch.time") GiB"

awk -v j="$jtune_s" -v t="$torch_s" -v jr="$(peak_gib "$WORK/jtune.time")" -v tr="$(peak_gib "$WORK/torch.time")" \
  'BEGIN { printf "TweetEval fine-tune: training %.1f vs %.1f s (%.2fx), peak RSS %s vs %s GiB\n", j, t, j / t, jr, tr }'
