#!/usr/bin/env bash
# Reproduces the embedded policy from scratch (CPU only), resuming from models/policy/checkpoints/last.pt if present
# (about 75 min on 2 idle cores):
#   bash models/train/run.sh [minutes]
# Needs Debian's python3-torch python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-85}"
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
npm run data -- --spider ../shared/data/spider --out models/data
/usr/bin/python3 models/train/train.py --data models/data/train.jsonl --out models/policy --minutes "$MINUTES" \
  --total-steps 2100 --tokens-per-batch 4096 --max-len 640 --dropout 0.1
/usr/bin/python3 models/train/export.py --ckpt models/policy/checkpoints/best.pt --out models/policy
/usr/bin/python3 models/train/tokenizer_fixtures.py --tokenizer models/policy/tokenizer.json
