#!/usr/bin/env bash
# Reproduces the embedded policy's RL stage (CPU only): process-supervised GRPO from run 11's committed int8 ONNX.
#   bash models/train/run_rl.sh
# Needs Debian's python3-torch python3-onnx python3-regex libopenblas0-openmp, and ../shared/data/spider.
#
# The embedded policy is update 24 of this run (models/policy/rl_log_prm.jsonl; MODEL_CARD.md "Process-supervised
# RL"): G = 8 chains per question at T = 1, 16 questions per update, reward = outcome (1 / 0 / -0.5) + 0.5 x the PRM's
# entropy-weighted step score, lr 3e-5, KL 0.02 to run 11, clip 0.2, 2 minibatches (src/core/rl/grpo.ts RL_DEFAULTS).
# It ran beside the outcome-only ablation (--process-weight 0, rl_log_outcome.jsonl) with one rollout process and one
# torch thread each; rollouts are seeded per question, but a chain cut by the 60 s question limit depends on the
# machine's load, so a rerun is close to, not bit-identical with, the committed weights.
set -euo pipefail
cd "$(dirname "$0")/../.."
PARENT_COMMIT=cea29fe  # the commit that embedded run 11
RUN=scratch/rl-prm
mkdir -p "$RUN" scratch/rl-parent/onnx
git show "$PARENT_COMMIT:models/policy/onnx/model_quantized.onnx" > scratch/rl-parent/onnx/model_quantized.onnx
for f in config.json generation_config.json tokenizer.json tokenizer_config.json; do git show "$PARENT_COMMIT:models/policy/$f" > "scratch/rl-parent/$f"; done
npm run rl -- --model scratch/rl-parent --out "$RUN" --updates 24 --process-weight 0.5 --jobs 1 --threads 1 --eval-every 8 --eval-limit 120
LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/export.py --ckpt "$RUN/checkpoints/update-24.pt" --out models/policy
