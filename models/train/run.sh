#!/usr/bin/env bash
# Reproduces the embedded policy (CPU only):
#   bash models/train/run.sh [minutes]
# Needs Debian's python3-torch python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
#
# The embedded policy is run 3 of a lineage (MODEL_CARD.md): run 2 was trained from scratch on schema-first prompts;
# run 3 starts from run 2's weights and trains on question-first prompts with renamed-schema copies. Run 2's fp32
# checkpoint was lost with a machine, so run 3 started from run 2's committed int8 ONNX, dequantized
# (onnx_to_checkpoint.py); this script does the same, taking that ONNX from git history.
# Training resumes from models/policy/checkpoints/last.pt if present. INIT=models/policy/resume.pt (the committed fp16
# weights of the embedded run) starts a new run from those weights instead of run 2's.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-85}"
RUN2_COMMIT=6f122d4  # the last commit whose models/policy/onnx/model_quantized.onnx is run 2
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
npm run data -- --spider ../shared/data/spider --out models/data
INIT="${INIT:-}"
if [ -z "$INIT" ] && [ ! -e models/policy/checkpoints/last.pt ]; then
  mkdir -p models/policy/checkpoints
  git show "$RUN2_COMMIT:models/policy/onnx/model_quantized.onnx" > models/policy/checkpoints/run2_int8.onnx
  git show "$RUN2_COMMIT:models/policy/config.json" > models/policy/checkpoints/run2_config.json
  (cd models/train && /usr/bin/python3 onnx_to_checkpoint.py ../policy/checkpoints/run2_int8.onnx \
    ../policy/checkpoints/run2_config.json ../policy/checkpoints/run2_dequant.pt)
  INIT=models/policy/checkpoints/run2_dequant.pt
fi
/usr/bin/python3 models/train/train.py --data models/data/train.jsonl --out models/policy --minutes "$MINUTES" \
  --total-steps 2800 --tokens-per-batch 4096 --max-len 640 --dropout 0.1 --lr 1e-3 \
  ${INIT:+--init "$INIT" --fresh-schedule}
/usr/bin/python3 models/train/export.py --ckpt models/policy/checkpoints/best.pt --out models/policy
/usr/bin/python3 models/train/tokenizer_fixtures.py --tokenizer models/policy/tokenizer.json
/usr/bin/python3 models/train/save_resume.py models/policy/checkpoints/best.pt models/policy/resume.pt
