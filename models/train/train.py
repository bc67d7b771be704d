"""Trains the embedded CoCTE policy on CPU, resumable.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/train.py \
      --data models/data/train.jsonl --out models/policy --minutes 90

Loss is on the CoCTE target tokens (and the end token); the prompt (schema + question) is context only.
Checkpoints go to <out>/checkpoints/last.pt every few minutes (not committed); the log to <out>/train_log.jsonl.
"""
import argparse
import json
import math
import os
import random
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bpe import SPECIALS, Tokenizer, train as train_bpe  # noqa: E402
from model import Config, LlamaLM  # noqa: E402
from prompt_format import cocte_prompt_of  # noqa: E402

EOS = 0
PAD = 1


def load_rows(path):
    return [json.loads(l) for l in open(path) if l.strip()]


def build_tokenizer(rows, out, vocab):
    path = os.path.join(out, "tokenizer.json")
    if os.path.exists(path):
        return Tokenizer.load(path)
    t0 = time.time()
    texts = [r["prompt"] + r["target"] for r in rows]
    v, merges = train_bpe(texts, vocab)
    tok = Tokenizer(v, merges)
    tok.save(path)
    json.dump(
        {"tokenizer_class": "GPT2Tokenizer", "bos_token": SPECIALS[0], "eos_token": SPECIALS[0], "unk_token": SPECIALS[0],
         "pad_token": SPECIALS[1], "add_bos_token": False, "add_prefix_space": False, "clean_up_tokenization_spaces": False,
         "model_max_length": 768},
        open(os.path.join(out, "tokenizer_config.json"), "w"), indent=1)
    print(f"tokenizer: {len(v)} tokens in {time.time() - t0:.1f}s", flush=True)
    return tok


def encode_rows(rows, tok, max_len):
    out = []
    dropped = 0
    for r in rows:
        p = tok.encode(r["prompt"])
        t = tok.encode(r["target"]) + [EOS]
        if len(t) >= max_len // 2:
            dropped += 1
            continue
        if len(p) + len(t) > max_len:
            p = p[-(max_len - len(t)):]  # keep the question end of the prompt
        out.append((p, t))
    return out, dropped


def batches(seqs, tokens_per_batch, rng):
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i][0]) + len(seqs[i][1]) + rng.random() * 8)
    out, cur, longest = [], [], 0
    for i in order:
        L = len(seqs[i][0]) + len(seqs[i][1])
        if cur and max(longest, L) * (len(cur) + 1) > tokens_per_batch:
            out.append(cur)
            cur, longest = [], 0
        cur.append(i)
        longest = max(longest, L)
    if cur:
        out.append(cur)
    rng.shuffle(out)
    return out


def collate(seqs, idx):
    L = max(len(seqs[i][0]) + len(seqs[i][1]) for i in idx)
    ids = torch.full((len(idx), L), PAD, dtype=torch.long)
    labels = torch.full((len(idx), L), -100, dtype=torch.long)
    mask = torch.zeros((len(idx), L), dtype=torch.long)
    for b, i in enumerate(idx):
        p, t = seqs[i]
        s = p + t
        ids[b, : len(s)] = torch.tensor(s)
        mask[b, : len(s)] = 1
        labels[b, len(p) - 1 : len(s) - 1] = torch.tensor(t)
    return ids, mask, labels


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="models/data/train.jsonl")
    ap.add_argument("--out", default="models/policy")
    ap.add_argument("--minutes", type=float, default=60)
    ap.add_argument("--vocab", type=int, default=4096)
    ap.add_argument("--hidden", type=int, default=256)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--heads", type=int, default=8)
    ap.add_argument("--ffn", type=int, default=704)
    ap.add_argument("--max-len", type=int, default=768)
    ap.add_argument("--tokens-per-batch", type=int, default=6144)
    ap.add_argument("--lr", type=float, default=1.5e-3)
    ap.add_argument("--total-steps", type=int, default=6000)
    ap.add_argument("--val-frac", type=float, default=0.03)
    ap.add_argument("--dropout", type=float, default=0.1)
    ap.add_argument("--init", default=None,
                    help="weights to start from when there is no checkpoint: a committed int8 ONNX dequantized by onnx_to_checkpoint.py")
    ap.add_argument("--fresh-schedule", action="store_true",
                    help="with --init: a new run (step 0, new warm-up and schedule) that starts from the init's weights only")
    args = ap.parse_args()

    torch.set_num_threads(2)
    torch.manual_seed(0)
    os.makedirs(os.path.join(args.out, "checkpoints"), exist_ok=True)
    rows = load_rows(args.data)
    tok = build_tokenizer(rows, args.out, args.vocab)
    # Validation: whole databases held out, so the number says something about unseen schemas.
    dbs = sorted({r["db_id"] for r in rows})
    random.Random(0).shuffle(dbs)
    val_dbs = set(dbs[: max(1, int(len(dbs) * args.val_frac))])
    train_rows = [r for r in rows if r["db_id"] not in val_dbs]
    val_rows = [r for r in rows if r["db_id"] in val_dbs and not r.get("aug") and not r.get("synthetic")]
    train_seqs, dropped = encode_rows(train_rows, tok, args.max_len)
    val_seqs, _ = encode_rows(val_rows, tok, args.max_len)
    n_target = sum(len(t) for _, t in train_seqs)
    n_all = sum(len(p) + len(t) for p, t in train_seqs)
    print(f"train {len(train_seqs)} seqs ({n_all} tokens, {n_target} target tokens), val {len(val_seqs)} on {len(val_dbs)} dbs, dropped {dropped}", flush=True)

    cfg = Config(vocab_size=len(tok.vocab), hidden_size=args.hidden, intermediate_size=args.ffn, num_hidden_layers=args.layers,
                 num_attention_heads=args.heads, num_key_value_heads=args.heads, max_position_embeddings=args.max_len, dropout=args.dropout)
    model = LlamaLM(cfg)
    n_params = sum(p.numel() for p in model.parameters())
    opt = torch.optim.AdamW(model.parameters(), lr=args.lr, betas=(0.9, 0.95), weight_decay=0.1)
    ckpt = os.path.join(args.out, "checkpoints", "last.pt")
    state = {"step": 0, "epoch": 0, "tokens": 0, "seconds": 0.0}
    if os.path.exists(ckpt):
        c = torch.load(ckpt)
        model.load_state_dict(c["model"])
        opt.load_state_dict(c["opt"])
        state = c["state"]
        print(f"resumed at step {state['step']}", flush=True)
    elif args.init and os.path.exists(args.init):
        c = torch.load(args.init)
        model.load_state_dict({k: v.float() for k, v in c["model"].items()})
        prior = c.get("state", {})
        if args.fresh_schedule:
            state["init"] = {"path": args.init, **{k: prior.get(k) for k in ("step", "tokens", "seconds")}}
        else:
            state.update(prior)
        print(f"initialized from {args.init} (step {prior.get('step')}, optimizer state starts fresh, "
              f"{'new schedule' if args.fresh_schedule else 'schedule continues'})", flush=True)
    hf = cfg.hf()
    cocte_prompt = cocte_prompt_of(args.data)  # the prompt layout the data was made with (prompt_format.py)
    if cocte_prompt:
        hf["cocte_prompt"] = cocte_prompt
    json.dump(hf, open(os.path.join(args.out, "config.json"), "w"), indent=1)
    # max_new_tokens is the token limit src/core/answerConfig.ts gives the studio, eval and bench.
    json.dump({"bos_token_id": 0, "eos_token_id": 0, "pad_token_id": 1, "max_new_tokens": 320, "do_sample": False},
              open(os.path.join(args.out, "generation_config.json"), "w"), indent=1)
    log = open(os.path.join(args.out, "train_log.jsonl"), "a")

    def lr_at(step):
        warm = 200
        if step < warm:
            return args.lr * (step + 1) / warm
        p = min(1.0, (step - warm) / max(1, args.total_steps - warm))
        return args.lr * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * p)))

    def evaluate():
        model.eval()
        tot, n = 0.0, 0
        with torch.no_grad(), torch.autocast("cpu", dtype=torch.bfloat16):
            for idx in batches(val_seqs, args.tokens_per_batch, random.Random(1)):
                ids, mask, labels = collate(val_seqs, idx)
                logits, _ = model(ids, mask)
                loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.shape[-1]), labels.view(-1), reduction="sum", ignore_index=-100)
                tot += loss.item()
                n += (labels != -100).sum().item()
        model.train()
        return tot / max(1, n)

    start = time.time()
    last_save = time.time()
    rng = random.Random(state["epoch"])
    done = False
    while not done:
        plan = batches(train_seqs, args.tokens_per_batch, rng)
        skip = state["step"] % len(plan) if state.get("mid_epoch") else 0
        for bi, idx in enumerate(plan[skip:], start=skip):
            t0 = time.time()
            for g in opt.param_groups:
                g["lr"] = lr_at(state["step"])
            ids, mask, labels = collate(train_seqs, idx)
            with torch.autocast("cpu", dtype=torch.bfloat16):
                logits, _ = model(ids, mask)
            loss = torch.nn.functional.cross_entropy(logits.float().view(-1, logits.shape[-1]), labels.view(-1), ignore_index=-100)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            state["step"] += 1
            state["tokens"] += int(mask.sum())
            state["seconds"] += time.time() - t0
            if state["step"] % 25 == 0:
                rec = {"step": state["step"], "epoch": state["epoch"], "loss": round(loss.item(), 4), "lr": lr_at(state["step"]),
                       "tokens": state["tokens"], "tok_per_s": round(int(mask.sum()) / (time.time() - t0)), "train_seconds": round(state["seconds"])}
                if state["step"] % 250 == 0:
                    rec["val_loss"] = round(evaluate(), 4)
                    if rec["val_loss"] < state.get("best_val", 1e9):
                        # The held-out-schema loss bottoms out before the schedule ends: export from the best step.
                        state["best_val"] = rec["val_loss"]
                        state["best_step"] = state["step"]
                        torch.save({"model": model.state_dict(), "state": dict(state), "config": cfg.hf(), "params": n_params},
                                   os.path.join(args.out, "checkpoints", "best.pt"))
                print(json.dumps(rec), flush=True)
                log.write(json.dumps(rec) + "\n")
                log.flush()
            out_of_time = time.time() - start > args.minutes * 60 or state["step"] >= args.total_steps
            if time.time() - last_save > 300 or out_of_time:
                state["mid_epoch"] = True
                torch.save({"model": model.state_dict(), "opt": opt.state_dict(), "state": state, "config": cfg.hf(), "params": n_params}, ckpt + ".tmp")
                os.replace(ckpt + ".tmp", ckpt)
                last_save = time.time()
            if out_of_time:
                done = True
                break
        else:
            state["epoch"] += 1
            state["mid_epoch"] = False
    final_val = round(evaluate(), 4)
    if final_val < state.get("best_val", 1e9):  # the last step can be the best one
        state["best_val"], state["best_step"] = final_val, state["step"]
        torch.save({"model": model.state_dict(), "state": dict(state), "config": cfg.hf(), "params": n_params},
                   os.path.join(args.out, "checkpoints", "best.pt"))
    print(json.dumps({"final_step": state["step"], "params": n_params, "tokens": state["tokens"], "train_seconds": round(state["seconds"]), "val_loss": final_val}), flush=True)


if __name__ == "__main__":
    main()
