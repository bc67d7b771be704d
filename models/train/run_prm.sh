#!/usr/bin/env bash
# Reproduces the embedded PRM (CPU only) and its ablation without execution summaries, resuming from checkpoints:
#   bash models/train/run_prm.sh [max-steps]
# Starts from the embedded policy's weights, dequantized from its committed int8 ONNX (onnx_to_checkpoint.py; the fp32
# checkpoints are not committed); needs Debian's python3-torch python3-onnx
# python3-regex libopenblas0-openmp, and ../shared/data/spider. Data: gold and corrupted-gold chains of every training
# question (prm:data, ~6 minutes) plus the embedded policy's own sampled chains with execution step labels
# (prm:samples, ~45 minutes on 2 cores): Spider questions, half of them on respelled copies of their databases, and
# template questions on invented-name copies. The validation databases (VALIDATION_DBS) are left out of both: they are
# the split `npm run prm:select` chooses the PRM and the studio's rule on (models/prm/MODEL_CARD.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS="${1:-600}"
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
[ -f models/data/train.jsonl ] || npm run data -- --spider ../shared/data/spider --out models/data
npm run prm:data -- --spider ../shared/data/spider --corruptions 3
[ -f models/prm/data/samples.jsonl ] || npm run prm:samples -- --spider ../shared/data/spider --limit 2000 --renamed 0.5 --invented 800 --samples 6 --rollouts 0 --jobs 2
DATA="models/prm/data/train.jsonl models/prm/data/samples.jsonl"
INIT=models/prm/checkpoints/policy_init.pt
mkdir -p models/prm/checkpoints
[ -f "$INIT" ] || /usr/bin/python3 models/train/onnx_to_checkpoint.py models/policy/onnx/model_quantized.onnx models/policy/config.json "$INIT"
/usr/bin/python3 models/train/train_prm.py --data $DATA --out models/prm --init "$INIT" --threads 1 --max-steps "$STEPS" --minutes 120 --eval-every 150 &
P1=$!
/usr/bin/python3 models/train/train_prm.py --data $DATA --out models/prm-noexec --no-exec --init "$INIT" --threads 1 --max-steps "$STEPS" --minutes 120 --eval-every 150 &
P2=$!
wait $P1
wait $P2
/usr/bin/python3 models/train/export_prm.py --ckpt models/prm/checkpoints/best.pt --out models/prm
