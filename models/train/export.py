"""Exports a checkpoint to ONNX with a KV cache (transformers.js layout) and writes test fixtures.

  /usr/bin/python3 models/train/export.py --ckpt models/policy/checkpoints/last.pt --out models/policy

Writes <out>/onnx/model.onnx (fp32) and <out>/onnx/model_quantized.onnx (dynamic int8: DynamicQuantizeLinear +
MatMulInteger), both with `present_step.*` outputs (step_outputs.py), plus tests/fixtures/policy-logits.json (ids, greedy continuation and last-position logits from PyTorch).
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bpe import Tokenizer  # noqa: E402
from model import ExportWrapper, LlamaLM, load_checkpoint  # noqa: E402
from quantize import quantize_dynamic  # noqa: E402
from step_outputs import add_step_outputs  # noqa: E402


def export(m, cfg, path):
    w = ExportWrapper(m)
    B, T, P = 2, 3, 5
    hd = cfg.head_dim
    past = []
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    for i in range(cfg.num_hidden_layers):
        for kv in ("key", "value"):
            past.append(torch.zeros(B, cfg.num_key_value_heads, P, hd))
            n_in, n_out = f"past_key_values.{i}.{kv}", f"present.{i}.{kv}"
            names_in.append(n_in)
            names_out.append(n_out)
            axes[n_in] = {0: "batch_size", 2: "past_sequence_length"}
            axes[n_out] = {0: "batch_size", 2: "total_sequence_length"}
    ids = torch.randint(2, cfg.vocab_size, (B, T))
    mask = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0).expand(B, T)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.onnx.export(w, (ids, mask, pos, *past), path, input_names=names_in, output_names=names_out, dynamic_axes=axes,
                      opset_version=14, do_constant_folding=True)


@torch.no_grad()
def fixtures(m, tok, path, prompts):
    out = []
    for p in prompts:
        ids = tok.encode(p)
        x = torch.tensor([ids])
        logits, _ = m(x)
        greedy = []
        cur = list(ids)
        for _ in range(24):
            lg, _ = m(torch.tensor([cur]))
            nxt = int(lg[0, -1].argmax())
            greedy.append(nxt)
            cur.append(nxt)
            if nxt == 0:
                break
        out.append({"text": p, "ids": ids, "lastLogits": [round(float(v), 5) for v in logits[0, -1]], "greedy": greedy})
    json.dump(out, open(path, "w"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="models/policy/checkpoints/last.pt")
    ap.add_argument("--out", default="models/policy")
    ap.add_argument("--fixtures", default="tests/fixtures/policy-logits.json")
    args = ap.parse_args()
    m, _ = load_checkpoint(args.ckpt, LlamaLM)
    cfg = m.cfg
    fp32 = os.path.join(args.out, "onnx", "model.onnx")
    export(m, cfg, fp32)
    quantize_dynamic(fp32, os.path.join(args.out, "onnx", "model_quantized.onnx"))
    for f in (fp32, os.path.join(args.out, "onnx", "model_quantized.onnx")):
        add_step_outputs(f)  # present_step.*: the new tokens' keys and values, for runtimes that keep the cache
    tok = Tokenizer.load(os.path.join(args.out, "tokenizer.json"))
    rows = [json.loads(l) for _, l in zip(range(2), open("models/data/train.jsonl"))]
    fixtures(m, tok, args.fixtures, [rows[0]["prompt"], rows[1]["prompt"][-300:]])
    print("exported", fp32, os.path.getsize(fp32), "bytes")


if __name__ == "__main__":
    main()
