"""Recovers a training checkpoint from a committed dynamically quantized ONNX policy (quantize.py's layout).

Use it when the fp32 checkpoints are gone (they are not committed) and training has to continue from the last
exported model: int8 MatMul weights (`<name>_q`, per-column `<name>_scale`, zero point 0) and the int8 embedding
table (`<name>_q`, per-row `<name>_rs`) are dequantized; fp32 initializers (the RMSNorm weights) are kept as they are.
The result is a weights-only checkpoint ({"model", "state", "config"}) that train.py --init starts from.

    python3 models/train/onnx_to_checkpoint.py models/policy/onnx/model_quantized.onnx models/policy/config.json out.pt
"""
import json
import re
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

from model import Config, LlamaLM, config_from_hf


def initializers(path):
    g = onnx.load(path).graph
    return {i.name: numpy_helper.to_array(i) for i in g.initializer}, g


def matmul_weights(inits, graph):
    """{torch linear name: fp32 weight [out, in]} for every quantized MatMul, found by its node name."""
    out = {}
    for node in graph.node:
        if node.op_type != "MatMulInteger":
            continue
        w_q = next((i for i in node.input if i in inits and i.endswith("_q")), None)
        if w_q is None:
            continue
        base = w_q[: -len("_q")]
        zp = inits.get(base + "_zp", np.zeros(1)).astype(np.float32).reshape(1, -1)
        w = (inits[w_q].astype(np.float32) - zp) * inits[base + "_scale"].astype(np.float32).reshape(1, -1)
        m = re.search(r"layers[._/](\d+)[._/](self_attn|mlp)[._/](\w+?_proj)", node.name + " " + base)
        if m:
            out[f"model.layers.{m.group(1)}.{m.group(2)}.{m.group(3)}.weight"] = w.T
        else:
            out.setdefault("lm_head", w.T)
    return out


def main():
    onnx_path, config_path, dst = sys.argv[1:4]
    hf = json.load(open(config_path))
    cfg: Config = config_from_hf(hf)
    model = LlamaLM(cfg)
    want = model.state_dict()
    inits, graph = initializers(onnx_path)
    state = {}
    for k, w in matmul_weights(inits, graph).items():
        if k in want:
            state[k] = torch.from_numpy(np.ascontiguousarray(w))
    emb_q = next(n for n in inits if n.endswith("_q") and inits[n].shape == (cfg.vocab_size, cfg.hidden_size))
    emb = inits[emb_q].astype(np.float32) * inits[emb_q[: -len("_q")] + "_rs"].astype(np.float32).reshape(-1, 1)
    state["model.embed_tokens.weight"] = torch.from_numpy(emb)
    # RMSNorm weights: fp32 vectors of hidden_size, in graph order (input, post_attention per layer, then final norm).
    norms = [n for n in inits if inits[n].dtype == np.float32 and inits[n].shape == (cfg.hidden_size,)]
    norm_keys = [k for k in want if k.endswith("layernorm.weight") or k == "model.norm.weight"]
    by_name = {}
    for n in norms:
        m = re.search(r"layers[._/](\d+)[._/](input_layernorm|post_attention_layernorm)", n)
        if m:
            by_name[f"model.layers.{m.group(1)}.{m.group(2)}.weight"] = n
        elif re.search(r"(^|[._/])norm[._/]weight$|model[._/]norm", n):
            by_name["model.norm.weight"] = n
    for k in norm_keys:
        if k in by_name:
            state[k] = torch.from_numpy(inits[by_name[k]].copy())
    missing = [k for k in want if k not in state]
    if missing:
        raise SystemExit(f"could not recover {len(missing)} tensors, e.g. {missing[:5]}; ONNX initializers: {sorted(inits)[:20]}")
    model.load_state_dict(state)
    torch.save({"model": {k: v.half() for k, v in state.items()}, "state": {"step": 0, "tokens": 0, "seconds": 0.0},
                "config": hf, "source": onnx_path}, dst)
    print(f"recovered {len(state)} tensors ({sum(v.numel() for v in state.values())} parameters) from {onnx_path} -> {dst}")


if __name__ == "__main__":
    main()
