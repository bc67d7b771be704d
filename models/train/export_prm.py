"""Exports the process reward model to ONNX (fp32 + dynamic int8) and writes a test fixture.

  /usr/bin/python3 models/train/export_prm.py --ckpt models/prm/checkpoints/best.pt --out models/prm

Writes <out>/onnx/model.onnx (not committed), <out>/onnx/model_quantized.onnx, <out>/config.json, a copy of the
policy's tokenizer files, and tests/fixtures/prm-scores.json (ids, score positions and PyTorch scores for two records).
Inputs: input_ids, attention_mask (batch, sequence); output: scores (batch, sequence), sigmoid of the step head.
"""
import argparse
import json
import os
import shutil
import sys

import torch

sys.path.insert(0, os.path.dirname(__file__))
from bpe import Tokenizer  # noqa: E402
from model import load_checkpoint  # noqa: E402
from prm_model import PrmExport, PrmModel  # noqa: E402
from quantize import quantize_dynamic  # noqa: E402
from train_prm import encode  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ckpt", default="models/prm/checkpoints/best.pt")
    ap.add_argument("--out", default="models/prm")
    ap.add_argument("--policy", default="models/policy", help="folder whose tokenizer the PRM shares")
    ap.add_argument("--data", default="models/prm/data/train.jsonl")
    ap.add_argument("--fixtures", default="tests/fixtures/prm-scores.json")
    args = ap.parse_args()
    m, h = load_checkpoint(args.ckpt, PrmModel)
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    fp32 = os.path.join(args.out, "onnx", "model.onnx")
    ids = torch.randint(2, h["vocab_size"], (2, 7))
    mask = torch.ones(2, 7, dtype=torch.long)
    torch.onnx.export(PrmExport(m), (ids, mask), fp32, input_names=["input_ids", "attention_mask"], output_names=["scores"],
                      dynamic_axes={"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "sequence_length"},
                                    "scores": {0: "batch_size", 1: "sequence_length"}}, opset_version=14, do_constant_folding=True)
    quantize_dynamic(fp32, os.path.join(args.out, "onnx", "model_quantized.onnx"))
    json.dump(h, open(os.path.join(args.out, "config.json"), "w"), indent=1)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(args.policy, f), os.path.join(args.out, f))
    tok = Tokenizer.load(os.path.join(args.out, "tokenizer.json"))
    key = h.get("prm_input", "segments")
    rows = [json.loads(l) for _, l in zip(range(400), open(args.data))]
    picks = [next(r for r in rows if r["source"] == "gold" and len(r["labels"]) > 1), next(r for r in rows if r["source"] != "gold")]
    out = []
    with torch.no_grad():
        for r in picks:
            ids, pos, labels = encode(r, tok, key, h["max_position_embeddings"])
            s = torch.sigmoid(m(torch.tensor([ids]), torch.ones(1, len(ids), dtype=torch.long)))[0]
            out.append({"segments": r[key], "ids": ids, "positions": pos, "labels": labels, "scores": [round(float(s[p]), 5) for p in pos]})
    json.dump({"maxLength": h["max_position_embeddings"], "records": out}, open(args.fixtures, "w"))
    print("exported", fp32, os.path.getsize(fp32), "bytes; quantized",
          os.path.getsize(os.path.join(args.out, "onnx", "model_quantized.onnx")), "bytes")


if __name__ == "__main__":
    main()
