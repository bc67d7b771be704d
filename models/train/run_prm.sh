#!/usr/bin/env bash
# Reproduces the embedded PRM (CPU only) and its ablation without execution summaries, resuming from checkpoints:
#   bash models/train/run_prm.sh [max-steps]
# Starts from the embedded policy's weights (models/policy/resume.pt); needs Debian's python3-torch python3-onnx
# python3-regex libopenblas0-openmp, and ../shared/data/spider. Data: gold and corrupted-gold chains (prm:data) plus
# the policy's own sampled chains with execution / Monte-Carlo step labels (prm:samples, ~45 minutes).
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS="${1:-300}"
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
[ -f models/data/train.jsonl ] || npm run data -- --spider ../shared/data/spider --out models/data
npm run prm:data -- --spider ../shared/data/spider --limit 4000
[ -f models/prm/data/samples.jsonl ] || npm run prm:samples -- --spider ../shared/data/spider --limit 1200
DATA="models/prm/data/train.jsonl models/prm/data/samples.jsonl"
/usr/bin/python3 models/train/train_prm.py --data $DATA --out models/prm --init models/policy/resume.pt --threads 2 --max-steps "$STEPS" --minutes 120
/usr/bin/python3 models/train/train_prm.py --data $DATA --out models/prm-noexec --no-exec --init models/policy/resume.pt --threads 2 --max-steps "$STEPS" --minutes 120
/usr/bin/python3 models/train/export_prm.py --ckpt models/prm/checkpoints/best.pt --out models/prm
