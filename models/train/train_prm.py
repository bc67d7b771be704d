"""Trains the process reward model on CPU, resumable, from the policy's weights.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/train_prm.py \
      --data models/prm/data/train.jsonl --init models/policy/checkpoints/best.pt --out models/prm --minutes 25
  ... --no-exec --out models/prm-noexec     # the ablation: the same model without execution summaries

Data: scripts/make-prm-data.ts (records with `segments`, `plain` and one label per step). Loss: binary cross-entropy
at the last token of every step segment. Validation: whole training databases held out (never Spider dev); reports
step accuracy, step AUC and chain AUC (min over steps, all-correct chains against the rest). Writes
<out>/train_log.jsonl, <out>/metrics.json, <out>/checkpoints/{last,best}.pt (best by step AUC).
"""
import argparse
import json
import os
import random
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from bpe import Tokenizer  # noqa: E402
from model import config_from_hf  # noqa: E402
from prm_model import PrmModel  # noqa: E402
from prompt_format import cocte_prompt_of  # noqa: E402

PAD = 1


def fit_prompt(tok, text, room):
    """The prompt's tokens in at most `room`: its end, after the question line of a question-first prompt
    (as src/core/prm.ts fitPrompt)."""
    prompt = list(tok.encode(text))
    if len(prompt) <= room:
        return prompt
    line_end = text.find("\n") + 1
    question = list(tok.encode(text[:line_end])) if text.startswith("-- ") and line_end > 0 else []
    if not question or len(question) > room / 2:
        return prompt[len(prompt) - room:]
    rest = list(tok.encode(text[line_end:]))
    return question + rest[max(0, len(rest) - (room - len(question))):]


def encode(rec, tok, key, max_len):
    """(ids, positions, labels): positions are the last token of each step segment."""
    steps = [tok.encode(s) for s in rec[key][1:]]
    labels = list(rec["labels"])
    room = max_len - sum(len(s) for s in steps)
    if room < 64:  # a very long chain: keep the steps that fit after a minimal prompt
        keep, used = 0, 0
        for s in steps:
            if used + len(s) > max_len - 64:
                break
            used += len(s)
            keep += 1
        steps, labels = steps[:keep], labels[:keep]
        room = max_len - used
    if not steps:
        return None
    ids, pos = fit_prompt(tok, rec[key][0], room), []
    for s in steps:
        ids += s
        pos.append(len(ids) - 1)
    return ids, pos, labels


def batches(seqs, tokens_per_batch, rng, shuffle=True):
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i][0]) + (rng.random() * 8 if shuffle else 0))
    out, cur, longest = [], [], 0
    for i in order:
        L = len(seqs[i][0])
        if cur and max(longest, L) * (len(cur) + 1) > tokens_per_batch:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, L)
    if cur:
        out.append(cur)
    if shuffle:
        rng.shuffle(out)
    return out


def collate(seqs, idx):
    L = max(len(seqs[i][0]) for i in idx)
    ids = torch.full((len(idx), L), PAD, dtype=torch.long)
    mask = torch.zeros((len(idx), L), dtype=torch.long)
    rows, cols, labels = [], [], []
    for b, i in enumerate(idx):
        s, pos, lab = seqs[i]
        ids[b, : len(s)] = torch.tensor(s)
        mask[b, : len(s)] = 1
        rows += [b] * len(pos)
        cols += pos
        labels += lab
    return ids, mask, torch.tensor(rows), torch.tensor(cols), torch.tensor(labels, dtype=torch.float32)


def auc(scores, labels):
    """Rank AUC (ties count half)."""
    pairs = sorted(zip(scores, labels))
    pos = sum(labels)
    neg = len(labels) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    rank_sum, i = 0.0, 0
    while i < len(pairs):
        j = i
        while j < len(pairs) and pairs[j][0] == pairs[i][0]:
            j += 1
        avg_rank = (i + j + 1) / 2  # 1-based ranks i+1..j
        rank_sum += avg_rank * sum(l for _, l in pairs[i:j])
        i = j
    return (rank_sum - pos * (pos + 1) / 2) / (pos * neg)


def question_groups(rows, tok, key, max_len):
    """Encodes the records; returns (seqs, groups), groups being the indices of the sampled chains of each question
    (source "sample") that has more than one."""
    seqs, by_question = [], {}
    for r in rows:
        e = encode(r, tok, key, max_len)
        if not e:
            continue
        if r.get("source") == "sample":
            by_question.setdefault((r["db_id"], r["question"]), []).append(len(seqs))
        seqs.append(e)
    return seqs, [g for g in by_question.values() if len(g) > 1]


def right(seq):
    return all(l == 1 for l in seq[2])


def pair_loss(model, seqs, pairs):
    """Ranking loss over (right chain, wrong chain) pairs of the same question: softplus(z_wrong - z_right) on the
    logit of each chain's last step (a wrong chain's last step is always labelled 0, a right one's 1), so the scores
    of one question's chains are pushed apart, which is what best-of-N reads."""
    flat = [i for p in pairs for i in p]
    ids, mask, _, _, _ = collate(seqs, flat)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        logits = model(ids, mask)
    last = torch.tensor([seqs[i][1][-1] for i in flat])
    z = logits.float()[torch.arange(len(flat)), last].view(-1, 2)
    return F.softplus(z[:, 1] - z[:, 0]).mean()


def pick_rates(per_seq, seqs, groups):
    """Best-of-N on held-out questions, from the records alone: among the questions whose sampled chains include both
    a right one (every step labelled 1) and a wrong one, the share where the chain with the highest min / mean / last
    step score is a right one. What search needs of the PRM, more directly than a pooled AUC."""
    mixed = [g for g in groups if len({right(seqs[i]) for i in g}) == 2]
    # What picking a chain at random would score (the chains are distinct, so no vote is hidden in it).
    chance = sum(sum(right(seqs[i]) for i in g) / len(g) for g in mixed) / len(mixed) if mixed else float("nan")
    out = {"pick_questions": len(mixed), "pick_chance": round(chance, 4)}
    for name, f in (("min", min), ("mean", lambda x: sum(x) / len(x)), ("last", lambda x: x[-1])):
        hits = sum(right(seqs[max(g, key=lambda i: f(per_seq[i]))]) for g in mixed)
        out[f"pick_{name}"] = round(hits / len(mixed), 4) if mixed else float("nan")
    return out


@torch.no_grad()
def evaluate(model, seqs, tokens_per_batch, groups=None):
    """Step accuracy / AUC, chain AUC; with `groups` (indices of the chains of one question) also pick_rates."""
    model.eval()
    step_s, step_l, chain_s, chain_l, loss_sum = [], [], [], [], 0.0
    per_seq = {}
    for idx in batches(seqs, tokens_per_batch, random.Random(1), shuffle=False):
        ids, mask, rows, cols, labels = collate(seqs, idx)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            logits = model(ids, mask)
        z = logits.float()[rows, cols]
        loss_sum += F.binary_cross_entropy_with_logits(z, labels, reduction="sum").item()
        s = torch.sigmoid(z).tolist()
        step_s += s
        step_l += labels.tolist()
        k = 0
        for i in idx:
            n = len(seqs[i][1])
            per_seq[i] = s[k:k + n]
            chain_s.append(min(s[k:k + n]))
            chain_l.append(1.0 if all(l == 1 for l in seqs[i][2]) else 0.0)
            k += n
    model.train()
    acc = sum((x >= 0.5) == (l == 1) for x, l in zip(step_s, step_l)) / len(step_l)
    picks = pick_rates(per_seq, seqs, groups) if groups else {}
    return {**picks, "val_loss": round(loss_sum / len(step_l), 4), "step_acc": round(acc, 4), "step_auc": round(auc(step_s, step_l), 4),
            "chain_auc_min": round(auc(chain_s, chain_l), 4), "val_steps": len(step_l), "val_positive": round(sum(step_l) / len(step_l), 4)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", nargs="+", default=["models/prm/data/train.jsonl"],
                    help="record files: make-prm-data's gold/corrupted chains, make-prm-samples' policy chains, …")
    ap.add_argument("--out", default="models/prm")
    ap.add_argument("--init", default="models/policy/checkpoints/best.pt", help="policy checkpoint whose body the PRM starts from")
    ap.add_argument("--tokenizer", default="models/policy/tokenizer.json")
    ap.add_argument("--no-exec", action="store_true", help="train on segments without execution summaries (ablation)")
    ap.add_argument("--minutes", type=float, default=25)
    ap.add_argument("--max-steps", type=int, default=0, help="stop after this many optimizer steps (0: time only); the ablation uses the same budget")
    ap.add_argument("--max-len", type=int, default=640)
    ap.add_argument("--tokens-per-batch", type=int, default=4096)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--freeze-layers", type=int, default=4, help="lowest decoder layers (and embeddings) kept frozen")
    ap.add_argument("--val-frac", type=float, default=0.08)
    ap.add_argument("--val-max", type=int, default=900)
    ap.add_argument("--eval-every", type=int, default=150)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--pair-weight", type=float, default=0.0,
                    help="weight of a ranking loss between a right and a wrong sampled chain of the same question (0: off)")
    ap.add_argument("--pairs-per-step", type=int, default=3, help="questions (one right + one wrong chain each) per step for the ranking loss")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
    tok = Tokenizer.load(args.tokenizer)
    key = "plain" if args.no_exec else "segments"
    rows = [json.loads(l) for f in args.data for l in open(f) if l.strip()]
    dbs = sorted({r["db_id"] for r in rows})
    random.Random(0).shuffle(dbs)
    val_dbs = set(dbs[: max(1, int(len(dbs) * args.val_frac))])
    enc = lambda rs: [e for e in (encode(r, tok, key, args.max_len) for r in rs) if e]  # noqa: E731
    train_seqs, train_groups = question_groups([r for r in rows if r["db_id"] not in val_dbs], tok, key, args.max_len)
    train_mixed = [g for g in train_groups if len({right(train_seqs[i]) for i in g}) == 2]
    val_rows = [r for r in rows if r["db_id"] in val_dbs]
    random.Random(1).shuffle(val_rows)
    val_seqs = enc(val_rows[: args.val_max])
    # The policy's own sampled chains on the held-out databases (what best-of-N ranks), when the data has them.
    val_sample_rows = [r for r in val_rows if r.get("source") == "sample"][: args.val_max]
    val_sample_seqs, val_groups = question_groups(val_sample_rows, tok, key, args.max_len)
    n_steps = sum(len(s[2]) for s in train_seqs)
    n_pos = sum(sum(s[2]) for s in train_seqs)
    print(f"train {len(train_seqs)} chains, {n_steps} steps ({n_pos / n_steps:.1%} positive), "
          f"{sum(len(s[0]) for s in train_seqs)} tokens, {len(train_mixed)} questions with right and wrong sampled chains; val {len(val_seqs)} chains on {len(val_dbs)} held-out dbs; input: {key}", flush=True)

    c = torch.load(args.init, map_location="cpu")
    h = c["config"]
    cfg = config_from_hf(h, max_position_embeddings=args.max_len, dropout=0.1)
    model = PrmModel(cfg)
    model.body.load_state_dict({k: v.float() for k, v in c["model"].items()})
    model.body.model.embed_tokens.weight.requires_grad_(False)
    for layer in model.body.model.layers[: args.freeze_layers]:
        for p in layer.parameters():
            p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW([{"params": [p for n, p in model.named_parameters() if p.requires_grad and not n.startswith("head")], "lr": args.lr},
                             {"params": list(model.head.parameters()), "lr": args.lr * 10}], betas=(0.9, 0.95), weight_decay=0.01)
    ckpt = os.path.join(args.out, "checkpoints", "last.pt")
    state = {"step": 0, "epoch": 0, "seconds": 0.0, "tokens": 0, "init": args.init, "input": key}
    if os.path.exists(ckpt):
        c = torch.load(ckpt)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        state = c["state"]
        print(f"resumed at step {state['step']}", flush=True)
    log = open(os.path.join(args.out, "train_log.jsonl"), "a")
    cfg_out = dict(cfg.hf(), architectures=["LlamaForStepScoring"], model_type="cocte-prm", prm_input=key,
                   score="sigmoid of the head at the last token of each step segment")
    cocte_prompt = cocte_prompt_of(args.data[0])  # the prompt layout of the policy data the PRM records were made from
    if cocte_prompt:
        cfg_out["cocte_prompt"] = cocte_prompt
    json.dump(cfg_out, open(os.path.join(args.out, "config.json"), "w"), indent=1)

    def save_best(metrics):
        torch.save({"model": model.state_dict(), "state": dict(state), "config": cfg_out, "metrics": metrics},
                   os.path.join(args.out, "checkpoints", "best.pt"))

    start, last_save = time.time(), time.time()
    base_lrs = [g["lr"] for g in opt.param_groups]
    rng = random.Random(state["epoch"])
    def validate():
        m = evaluate(model, val_seqs, args.tokens_per_batch)
        if val_sample_seqs:
            m.update({f"sample_{k}": v for k, v in evaluate(model, val_sample_seqs, args.tokens_per_batch, val_groups).items()})
        return m

    # Checkpoint choice: step AUC on the policy's sampled chains when there are some, else on all validation chains.
    select = "sample_step_auc" if val_sample_seqs else "step_auc"
    if state["step"] == 0:
        m0 = validate()
        print(json.dumps({"step": 0, **m0}), flush=True)
    done = False
    while not done:
        plan = batches(train_seqs, args.tokens_per_batch, rng)
        skip = state["step"] % len(plan) if state.get("mid_epoch") else 0
        for idx in plan[skip:]:
            t0 = time.time()
            warm = min(1.0, (state["step"] + 1) / 50)
            for g, lr in zip(opt.param_groups, base_lrs):
                g["lr"] = lr * warm
            ids, mask, rows_, cols, labels = collate(train_seqs, idx)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits = model(ids, mask)
            loss = F.binary_cross_entropy_with_logits(logits.float()[rows_, cols], labels)
            if args.pair_weight > 0 and train_mixed:
                pairs = []
                for g in rng.sample(train_mixed, min(args.pairs_per_step, len(train_mixed))):
                    pairs.append((rng.choice([i for i in g if right(train_seqs[i])]), rng.choice([i for i in g if not right(train_seqs[i])])))
                loss = loss + args.pair_weight * pair_loss(model, train_seqs, pairs)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            state["step"] += 1
            state["tokens"] += int(mask.sum())
            state["seconds"] += time.time() - t0
            if state["step"] % 25 == 0:
                rec = {"step": state["step"], "epoch": state["epoch"], "loss": round(loss.item(), 4), "tokens": state["tokens"],
                       "tok_per_s": round(int(mask.sum()) / (time.time() - t0)), "train_seconds": round(state["seconds"])}
                if state["step"] % args.eval_every == 0:
                    rec.update(validate())
                    if rec[select] > state.get("best_auc", -1):
                        state["best_auc"] = rec[select]
                        state["best_step"] = state["step"]
                        save_best(rec)
                print(json.dumps(rec), flush=True)
                log.write(json.dumps(rec) + "\n")
                log.flush()
            out_of_time = time.time() - start > args.minutes * 60 or (args.max_steps and state["step"] >= args.max_steps)
            if time.time() - last_save > 300 or out_of_time:
                state["mid_epoch"] = True
                torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": cfg_out}, ckpt + ".tmp")
                os.replace(ckpt + ".tmp", ckpt)
                last_save = time.time()
            if out_of_time:
                done = True
                break
        else:
            state["epoch"] += 1
            state["mid_epoch"] = False
    final = validate()
    if final[select] > state.get("best_auc", -1):
        state["best_auc"], state["best_step"] = final[select], state["step"]
        save_best(final)
    best = torch.load(os.path.join(args.out, "checkpoints", "best.pt"))["metrics"]
    summary = {"input": key, "init": args.init, "params": n_params, "steps": state["step"], "train_seconds": round(state["seconds"]),
               "train_tokens": state["tokens"], "train_chains": len(train_seqs), "train_steps": n_steps,
               "train_positive": round(n_pos / n_steps, 4), "pair_weight": args.pair_weight, "train_pair_questions": len(train_mixed), "data": args.data, "selected_by": select, "val_dbs": sorted(val_dbs), "best_step": state["best_step"], "best": best, "final": final}
    json.dump(summary, open(os.path.join(args.out, "metrics.json"), "w"), indent=1)
    print(json.dumps({k: summary[k] for k in ("input", "steps", "best_step", "best")}), flush=True)


if __name__ == "__main__":
    main()
