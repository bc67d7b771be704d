"""Saves the checkpoint's weights in fp16 (no optimizer state) as models/policy/resume.pt, small enough to commit,
so a later session on a fresh machine can continue training: train.py starts from it when no checkpoint exists."""
import sys

import torch

src = sys.argv[1] if len(sys.argv) > 1 else "models/policy/checkpoints/last.pt"
dst = sys.argv[2] if len(sys.argv) > 2 else "models/policy/resume.pt"
c = torch.load(src, map_location="cpu")
state = {k: v for k, v in c["state"].items() if k in ("step", "epoch", "tokens", "seconds")}
torch.save({"model": {k: v.half() for k, v in c["model"].items()}, "state": state, "config": c["config"]}, dst)
print(f"saved {dst} at step {state['step']}")
