#!/usr/bin/env bash
# Reproduces the embedded policy (CPU only):
#   bash models/train/run.sh [minutes]
# Needs Debian's python3-torch python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
#
# The embedded policy is run 11 of a lineage (MODEL_CARD.md): run 2 was trained from scratch on schema-first prompts;
# run 3 started from run 2's weights (question-first prompts, renamed-schema copies); run 4 from run 3's weights with
# template questions over the training databases added (make-data --synthetic 80); run 5 from run 4's weights with
# template questions over copies of those databases whose names are swapped for other databases' names added
# (make-data --swapped 2), peak lr 6e-4, a 2,400-step cosine; run 6 from run 5's weights with four swapped copies
# (make-data --swapped 4), peak lr 4e-4, a 1,500-step cosine; run 7 from run 6's weights on the same data with
# spaced-name prompts (make-data --names spaced, now the default: `# t: col TYPE, …`), peak lr 5e-4, a 2,600-step
# cosine; run 8 from run 7's weights with two swapped and four invented-name copies (make-data --swapped 2
# --invented 4), peak lr 5e-4, a 2,200-step cosine; run 9 from run 8's weights with eight invented-name copies
# (make-data --invented 8, now the default), peak lr 4e-4, a 1,550-step cosine; run 10 from run 9's weights with
# questions reworded by synonyms and without explicit column mentions (make-data --reword 2 --reword-swapped) and
# prompts that mark links by meaning with `~` (make-data --links kinds, now the default), peak lr 4e-4, a 3,400-step
# cosine; run 11 from run 10's weights with template questions phrased from a column's meaning and values (make-data
# --implied 30, now the default) and database value links in every prompt, peak lr 3e-4, a 2,600-step cosine (its
# first 477 steps ran under a 3,600-step schedule, at most 1.6% higher lr).
# Only int8 ONNX weights are committed. Each run starts from its parent's committed ONNX (PARENT_COMMIT), which
# models/train/onnx_to_checkpoint.py dequantizes into a checkpoint. Training resumes from
# models/policy/checkpoints/last.pt if present; INIT=<checkpoint> starts a new run from other weights.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-90}"
PARENT_COMMIT=f65b741  # the commit that embedded run 10's models/policy/onnx/model_quantized.onnx
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
npm run data -- --spider ../shared/data/spider --out models/data --reword-swapped  # the defaults: --swapped 2 --invented 8 --implied 30 --reword 2 --links kinds
INIT="${INIT:-}"
if [ -z "$INIT" ] && [ ! -e models/policy/checkpoints/last.pt ]; then
  mkdir -p models/policy/checkpoints
  git show "$PARENT_COMMIT:models/policy/onnx/model_quantized.onnx" > models/policy/checkpoints/parent.onnx
  git show "$PARENT_COMMIT:models/policy/config.json" > models/policy/checkpoints/parent_config.json
  /usr/bin/python3 models/train/onnx_to_checkpoint.py models/policy/checkpoints/parent.onnx \
    models/policy/checkpoints/parent_config.json models/policy/checkpoints/parent.pt
  INIT=models/policy/checkpoints/parent.pt
fi
/usr/bin/python3 models/train/train.py --data models/data/train.jsonl --out models/policy --minutes "$MINUTES" \
  --total-steps 2600 --tokens-per-batch 4096 --max-len 640 --dropout 0.1 --lr 3e-4 \
  ${INIT:+--init "$INIT" --fresh-schedule}
/usr/bin/python3 models/train/export.py --ckpt models/policy/checkpoints/best.pt --out models/policy
/usr/bin/python3 models/train/tokenizer_fixtures.py --tokenizer models/policy/tokenizer.json
