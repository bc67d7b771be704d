#!/usr/bin/env bash
# Reproduces the embedded PRM (CPU only) and its ablation without execution summaries, resuming from checkpoints:
#   bash models/train/run_prm.sh [max-steps]
# Needs the policy checkpoint (models/policy/checkpoints/best.pt, from models/train/run.sh), Debian's python3-torch
# python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
set -euo pipefail
cd "$(dirname "$0")/../.."
STEPS="${1:-300}"
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
[ -f models/data/train.jsonl ] || npm run data -- --spider ../shared/data/spider --out models/data
npm run prm:data -- --spider ../shared/data/spider --limit 4000
/usr/bin/python3 models/train/train_prm.py --out models/prm --init models/policy/checkpoints/best.pt --threads 2 --max-steps "$STEPS" --minutes 120
/usr/bin/python3 models/train/train_prm.py --out models/prm-noexec --no-exec --init models/policy/checkpoints/best.pt --threads 2 --max-steps "$STEPS" --minutes 120
/usr/bin/python3 models/train/export_prm.py --ckpt models/prm/checkpoints/best.pt --out models/prm
