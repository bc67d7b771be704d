"""The update half of process-supervised GRPO (`npm run rl`, scripts/rl.ts): a long-running process that takes a batch
of scored rollouts, takes clipped-ratio policy-gradient steps with a KL penalty to the starting policy, and exports
the new weights to ONNX for the next rollouts.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/grpo.py \
      --init RUN/init.pt --out RUN [--lr 3e-5 --kl 0.02 --clip 0.2 --minibatches 2 --max-grad-norm 1]

Protocol: one JSON command per stdin line, one JSON reply per stdout line (logs go to stderr):
  {"batch": "RUN/batches/000012.jsonl"} -> {"update": 13, "trainedChains": …, "loss": …, "kl": …, "entropy": …, "clipfrac": …, "seconds": …}
  {"quit": true}                         -> {"bye": true}
A batch line is {"ids": prompt + completion token ids, "start": prompt length, "adv": group-normalized advantage}.
The completion's tokens (the end token included when the chain ended on it) carry the loss; the prompt is context.

Per completion token t of chain i, with r = exp(log pi(t) - log pi_old(t)):
  loss_t = -min(r A_i, clip(r, 1-eps, 1+eps) A_i) + beta * k3,   k3 = exp(q) - q - 1,  q = log pi_ref(t) - log pi(t)
(k3 clamped to [-10, 10], veRL's `low_var_kl`), averaged over the chain's tokens, then over the chains (GRPO).
The batch is split into `minibatches` optimizer steps; pi_old is the policy before the first, so the clip acts from
the second on. The reference policy is the starting one (`--init`) and stays frozen.
After every update: RUN/checkpoints/last.pt (weights, AdamW state, update count) and RUN/policy/onnx/model.onnx
(fp32, KV-cache layout of export.py). A restarted process resumes from last.pt.
"""
import argparse
import copy
import json
import os
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from export import export  # noqa: E402
from model import LlamaLM, load_checkpoint  # noqa: E402
from step_outputs import add_step_outputs  # noqa: E402

KL_CLAMP = 10.0


def grpo_token_loss(lp, lp_old, lp_ref, adv, mask, clip, beta):
    """The loss of a micro-batch and its statistics.

    lp, lp_old, lp_ref: [B, T] log-probabilities of the taken tokens under the policy being trained, the policy that
    sampled them and the reference policy; adv: [B] advantages; mask: [B, T] 1 on completion tokens.
    Returns (sum over chains of each chain's mean token loss, stats dict of sums over chains).
    """
    ratio = torch.exp(lp - lp_old)
    a = adv[:, None]
    pg = -torch.minimum(ratio * a, ratio.clamp(1 - clip, 1 + clip) * a)
    q = lp_ref - lp
    k3 = (torch.exp(q) - q - 1).clamp(-KL_CLAMP, KL_CLAMP)
    per_token = pg + beta * k3
    n = mask.sum(1).clamp(min=1)
    per_chain = (per_token * mask).sum(1) / n
    clipped = ((ratio - 1).abs() > clip).float()
    stats = {
        "kl": float(((k3 * mask).sum(1) / n).sum()),
        "clipfrac": float(((clipped * mask).sum(1) / n).sum()),
        "pg": float(((pg * mask).sum(1) / n).sum()),
    }
    return per_chain.sum(), stats


def token_logprobs(model, ids, mask, with_entropy=False):
    """log pi(ids[:, t+1] | ids[:, :t+1]) for every position, [B, T-1] (and the mean entropy per chain)."""
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits, _ = model(ids[:, :-1], attention_mask=mask[:, :-1])
    logp = torch.log_softmax(logits.float(), -1)
    lp = logp.gather(-1, ids[:, 1:, None]).squeeze(-1)
    if not with_entropy:
        return lp, None
    with torch.no_grad():
        ent = -(logp.exp() * logp).sum(-1)
    return lp, ent


def collate(rows):
    """Right-padded ids, attention mask and completion mask (over target positions) of a list of batch rows."""
    T = max(len(r["ids"]) for r in rows)
    ids = torch.ones(len(rows), T, dtype=torch.long)  # pad id 1
    att = torch.zeros(len(rows), T, dtype=torch.long)
    comp = torch.zeros(len(rows), T - 1)
    for i, r in enumerate(rows):
        n = len(r["ids"])
        ids[i, :n] = torch.tensor(r["ids"])
        att[i, :n] = 1
        comp[i, r["start"] - 1 : n - 1] = 1  # position t predicts token t+1
    adv = torch.tensor([float(r["adv"]) for r in rows])
    return ids, att, comp, adv


def micro_batches(rows, tokens):
    """Rows grouped by length into micro-batches of at most `tokens` padded tokens."""
    order = sorted(range(len(rows)), key=lambda i: len(rows[i]["ids"]))
    out, cur = [], []
    for i in order:
        longest = max([len(rows[j]["ids"]) for j in cur] + [len(rows[i]["ids"])])
        if cur and longest * (len(cur) + 1) > tokens:
            out.append(cur)
            cur = []
        cur.append(i)
    if cur:
        out.append(cur)
    return out


class Trainer:
    def __init__(self, args):
        self.args = args
        self.ckpt = os.path.join(args.out, "checkpoints", "last.pt")
        self.onnx = os.path.join(args.out, "policy", "onnx", "model.onnx")
        self.model, self.hf = load_checkpoint(args.init, LlamaLM)
        self.model.float()
        self.ref = copy.deepcopy(self.model)
        for p in self.ref.parameters():
            p.requires_grad_(False)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=args.lr, betas=(0.9, 0.99), weight_decay=0.0)
        self.updates = 0
        if os.path.exists(self.ckpt):
            c = torch.load(self.ckpt, map_location="cpu")
            self.model.load_state_dict(c["model"])
            self.opt.load_state_dict(c["opt"])
            self.updates = c["updates"]
            print(f"resumed at update {self.updates}", file=sys.stderr, flush=True)
        for g in self.opt.param_groups:
            g["lr"] = args.lr
        if not os.path.exists(self.onnx) or self.updates == 0:
            self.export()

    def export(self):
        self.model.eval()
        tmp = self.onnx + ".tmp.onnx"
        export(self.model, self.model.cfg, tmp)
        add_step_outputs(tmp)
        os.replace(tmp, self.onnx)

    def save(self):
        tmp = self.ckpt + ".tmp"
        os.makedirs(os.path.dirname(self.ckpt), exist_ok=True)
        torch.save({"model": self.model.state_dict(), "opt": self.opt.state_dict(), "updates": self.updates, "config": self.hf}, tmp)
        os.replace(tmp, self.ckpt)

    def update(self, path):
        t0 = time.time()
        a = self.args
        rows = [json.loads(l) for l in open(path) if l.strip()]
        if not rows:
            return {"update": self.updates, "skipped": "no rows"}
        # pi_old and pi_ref for every row, before any step.
        self.model.eval()
        with torch.no_grad():
            for mb in micro_batches(rows, a.micro_tokens):
                ids, att, comp, _ = collate([rows[i] for i in mb])
                old, _ = token_logprobs(self.model, ids, att)
                ref, _ = token_logprobs(self.ref, ids, att)
                for k, i in enumerate(mb):
                    rows[i]["old"], rows[i]["ref"] = old[k], ref[k]
        order = torch.randperm(len(rows), generator=torch.Generator().manual_seed(self.updates)).tolist()
        parts = [order[k :: a.minibatches] for k in range(a.minibatches)]
        totals = {"loss": 0.0, "kl": 0.0, "clipfrac": 0.0, "pg": 0.0, "entropy": 0.0, "gradNorm": 0.0}
        self.model.train()
        for part in parts:
            if not part:
                continue
            sub = [rows[i] for i in part]
            self.opt.zero_grad(set_to_none=True)
            for mb in micro_batches(sub, a.micro_tokens):
                batch = [sub[i] for i in mb]
                ids, att, comp, adv = collate(batch)
                T = ids.shape[1] - 1
                old = torch.stack([torch.nn.functional.pad(r["old"], (0, T - r["old"].shape[0])) for r in batch])
                ref = torch.stack([torch.nn.functional.pad(r["ref"], (0, T - r["ref"].shape[0])) for r in batch])
                lp, ent = token_logprobs(self.model, ids, att, with_entropy=True)
                loss, st = grpo_token_loss(lp, old, ref, adv, comp, a.clip, a.kl)
                (loss / len(sub)).backward()
                totals["loss"] += float(loss)
                for k in ("kl", "clipfrac", "pg"):
                    totals[k] += st[k]
                totals["entropy"] += float(((ent * comp).sum(1) / comp.sum(1).clamp(min=1)).sum())
            gn = torch.nn.utils.clip_grad_norm_(self.model.parameters(), a.max_grad_norm)
            totals["gradNorm"] += float(gn) / len(parts)
            self.opt.step()
        self.updates += 1
        self.save()
        self.export()
        n = len(rows)
        out = {"update": self.updates, "trainedChains": n, "tokens": sum(len(r["ids"]) - r["start"] for r in rows)}
        out.update({k: round(v / n, 5) if k != "gradNorm" else round(v, 4) for k, v in totals.items()})
        out["seconds"] = round(time.time() - t0, 1)
        return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--init", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--lr", type=float, default=3e-5)
    ap.add_argument("--kl", type=float, default=0.02)
    ap.add_argument("--clip", type=float, default=0.2)
    ap.add_argument("--minibatches", type=int, default=2)
    ap.add_argument("--max-grad-norm", type=float, default=1.0)
    ap.add_argument("--micro-tokens", type=int, default=4096)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    trainer = Trainer(args)
    print(json.dumps({"ready": True, "update": trainer.updates}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        cmd = json.loads(line)
        if cmd.get("quit"):
            print(json.dumps({"bye": True}), flush=True)
            return
        try:
            print(json.dumps(trainer.update(cmd["batch"])), flush=True)
        except Exception as e:  # the orchestrator reports it and stops
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), flush=True)
            raise


if __name__ == "__main__":
    main()
