#!/usr/bin/env bash
# Reproduces the embedded policy (CPU only):
#   bash models/train/run.sh [minutes]
# Needs Debian's python3-torch python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
#
# The embedded policy is run 7 of a lineage (MODEL_CARD.md): run 2 was trained from scratch on schema-first prompts;
# run 3 started from run 2's weights (question-first prompts, renamed-schema copies); run 4 from run 3's weights with
# template questions over the training databases added (make-data --synthetic 80); run 5 from run 4's weights with
# template questions over copies of those databases whose names are swapped for other databases' names added
# (make-data --swapped 2), peak lr 6e-4, a 2,400-step cosine; run 6 from run 5's weights with four swapped copies
# (make-data --swapped 4), peak lr 4e-4, a 1,500-step cosine; run 7 from run 6's weights on the same data with
# spaced-name prompts (make-data --names spaced, now the default: `# t: col TYPE, …`), peak lr 5e-4, a 2,600-step cosine.
# Run 6's weights are models/policy/resume.pt as of commit PARENT_COMMIT (fp16; run 7 itself started from the fp32
# checkpoint those were saved from, the same weights up to fp16 rounding); this script takes them from git history.
# Training resumes from models/policy/checkpoints/last.pt if present. models/policy/resume.pt still holds run 6's fp16
# weights: run 7's were not committed, to keep the repository's model files under budget (its int8 ONNX is;
# models/train/onnx_to_checkpoint.py turns that back into a checkpoint, as for run 3). INIT=<checkpoint> starts a new
# run from other weights.
set -euo pipefail
cd "$(dirname "$0")/../.."
MINUTES="${1:-85}"
PARENT_COMMIT=f44361a  # the last commit whose models/policy/resume.pt is run 6
export LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp
npm run data -- --spider ../shared/data/spider --out models/data
INIT="${INIT:-}"
if [ -z "$INIT" ] && [ ! -e models/policy/checkpoints/last.pt ]; then
  mkdir -p models/policy/checkpoints
  git show "$PARENT_COMMIT:models/policy/resume.pt" > models/policy/checkpoints/parent_resume.pt
  INIT=models/policy/checkpoints/parent_resume.pt
fi
/usr/bin/python3 models/train/train.py --data models/data/train.jsonl --out models/policy --minutes "$MINUTES" \
  --total-steps 2600 --tokens-per-batch 4096 --max-len 640 --dropout 0.1 --lr 5e-4 \
  ${INIT:+--init "$INIT" --fresh-schedule}
/usr/bin/python3 models/train/export.py --ckpt models/policy/checkpoints/best.pt --out models/policy
/usr/bin/python3 models/train/tokenizer_fixtures.py --tokenizer models/policy/tokenizer.json
/usr/bin/python3 models/train/save_resume.py models/policy/checkpoints/best.pt models/policy/resume.pt
