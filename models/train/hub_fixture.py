"""Writes the tiny "bring your own model" fixture: a decoder in the transformers.js layout with what Hub exports have
and the embedded policy has not (issue 23): grouped-query attention, fp16 KV cache and logits, 4-bit `MatMulNBits`
weights, external weights (`model_q4.onnx_data`), no `present_step.*` outputs, and a chat template.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/hub_fixture.py \
      --out e2e/fixtures/hub/cocte/tiny-gqa-chat

The weights are the embedded policy's (recovered from models/policy/onnx/model_quantized.onnx), with each pair of
key/value heads averaged into one (8 query heads share 4 key/value heads): the model writes SQL-shaped text, but it is a
test of the runtime's adapters, not a good model. Its config has no `cocte_prompt`, so the studio prompts it through
its chat template. Deterministic: the same inputs give the same files.
"""
import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper

sys.path.insert(0, os.path.dirname(__file__))
from model import Config, ExportWrapper, LlamaLM, config_from_hf  # noqa: E402
from onnx_to_checkpoint import initializers, matmul_weights  # noqa: E402
from quantize import is_table_gather, quantize_gather, replace_graph  # noqa: E402

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def policy_state(onnx_path, hf):
    """The embedded policy's weights as a LlamaLM state dict (the same recovery as onnx_to_checkpoint.py)."""
    cfg = config_from_hf(hf)
    want = LlamaLM(cfg).state_dict()
    inits, graph = initializers(onnx_path)
    state = {k: torch.from_numpy(np.ascontiguousarray(w)) for k, w in matmul_weights(inits, graph).items() if k in want}
    emb_q = next(n for n in inits if n.endswith("_q") and inits[n].shape == (cfg.vocab_size, cfg.hidden_size))
    state["model.embed_tokens.weight"] = torch.from_numpy(inits[emb_q].astype(np.float32) * inits[emb_q[:-2] + "_rs"].reshape(-1, 1))
    norms = [n for n in inits if inits[n].dtype == np.float32 and inits[n].shape == (cfg.hidden_size,)]
    import re
    for n in norms:
        m = re.search(r"layers[._/](\d+)[._/](input_layernorm|post_attention_layernorm)", n)
        if m:
            state[f"model.layers.{m.group(1)}.{m.group(2)}.weight"] = torch.from_numpy(inits[n].copy())
        elif re.search(r"(^|[._/])norm[._/]weight$|model[._/]norm", n):
            state["model.norm.weight"] = torch.from_numpy(inits[n].copy())
    return cfg, state


def grouped(state, cfg, kv_heads):
    """The state with every `rep` consecutive key/value heads averaged into one (GQA)."""
    rep = cfg.num_key_value_heads // kv_heads
    hd = cfg.head_dim
    out = dict(state)
    for k, w in state.items():
        if k.endswith("k_proj.weight") or k.endswith("v_proj.weight"):
            out[k] = w.view(kv_heads, rep, hd, -1).mean(1).reshape(kv_heads * hd, -1).contiguous()
    return out


class HalfCacheWrapper(torch.nn.Module):
    """ExportWrapper with fp16 past inputs, present outputs and logits (as fp16 and q4f16 Hub exports have)."""

    def __init__(self, lm):
        super().__init__()
        self.inner = ExportWrapper(lm)

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        out = self.inner(input_ids, attention_mask, position_ids, *[p.float() for p in flat_past])
        return tuple(t.half() for t in out)


def export(m, cfg, path):
    B, T, P = 1, 3, 5
    names_in = ["input_ids", "attention_mask", "position_ids"]
    names_out = ["logits"]
    axes = {"input_ids": {0: "batch_size", 1: "sequence_length"}, "attention_mask": {0: "batch_size", 1: "total_sequence_length"},
            "position_ids": {0: "batch_size", 1: "sequence_length"}, "logits": {0: "batch_size", 1: "sequence_length"}}
    past = []
    for i in range(cfg.num_hidden_layers):
        for kv in ("key", "value"):
            past.append(torch.zeros(B, cfg.num_key_value_heads, P, cfg.head_dim, dtype=torch.float16))
            names_in.append(f"past_key_values.{i}.{kv}")
            names_out.append(f"present.{i}.{kv}")
            axes[names_in[-1]] = {0: "batch_size", 2: "past_sequence_length"}
            axes[names_out[-1]] = {0: "batch_size", 2: "total_sequence_length"}
    ids = torch.randint(2, cfg.vocab_size, (B, T))
    mask = torch.ones(B, P + T, dtype=torch.long)
    pos = torch.arange(P, P + T).unsqueeze(0)
    torch.onnx.export(HalfCacheWrapper(m), (ids, mask, pos, *past), path, input_names=names_in, output_names=names_out,
                      dynamic_axes=axes, opset_version=14, do_constant_folding=True)


def q4_blocks(W):
    """MatMulNBits' B and scales for a MatMul weight W [K, N]: 4 bits, blocks of 32 along K, symmetric (zero point 8),
    element k of a block in byte k // 2, low nibble first."""
    K, N = W.shape
    blocks = (K + 31) // 32
    Wt = np.zeros((N, blocks * 32), dtype=np.float32)
    Wt[:, :K] = W.T
    Wb = Wt.reshape(N, blocks, 32)
    s = np.abs(Wb).max(axis=2, keepdims=True) / 8.0
    s[s == 0] = 1.0
    q = np.clip(np.round(Wb / s) + 8, 0, 15).astype(np.uint8)
    packed = (q[:, :, 0::2] | (q[:, :, 1::2] << 4)).astype(np.uint8)
    return packed, s.reshape(-1).astype(np.float32)


def quantize_q4(src, dst, data_name):
    """Every MatMul with a 2-D float initializer as B becomes com.microsoft MatMulNBits (q4); the embedding Gather an
    int8 per-row table (as quantize.py does). Saved with every weight in one external file `data_name`."""
    m = onnx.load(src)
    g = m.graph
    inits = {i.name: i for i in g.initializer}
    nodes, drop, added = [], set(), []
    for node in g.node:
        if node.op_type == "MatMul" and node.input[1] in inits and len(inits[node.input[1]].dims) == 2:
            W = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
            K, N = W.shape
            packed, scales = q4_blocks(W)
            base = node.input[1].replace("/", "_").replace(".", "_")
            added += [numpy_helper.from_array(packed, base + "_q4"), numpy_helper.from_array(scales, base + "_q4s")]
            drop.add(node.input[1])
            nodes.append(helper.make_node("MatMulNBits", [node.input[0], base + "_q4", base + "_q4s"], list(node.output),
                                          name=(node.name or base) + "_q4", domain="com.microsoft", K=K, N=N, bits=4, block_size=32))
        elif is_table_gather(node, inits):
            nodes += quantize_gather(node, inits, added, drop)
        else:
            nodes.append(node)
    replace_graph(g, nodes, added, drop)
    m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    onnx.save(m, dst, save_as_external_data=True, all_tensors_to_one_file=True, location=data_name, size_threshold=1024)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="models/policy")
    ap.add_argument("--out", default="e2e/fixtures/hub/cocte/tiny-gqa-chat")
    ap.add_argument("--kv-heads", type=int, default=4)
    args = ap.parse_args()
    torch.manual_seed(0)
    hf = json.load(open(os.path.join(args.policy, "config.json")))
    cfg, state = policy_state(os.path.join(args.policy, "onnx", "model_quantized.onnx"), hf)
    gcfg = Config(**{**{k: getattr(cfg, k) for k in Config.__dataclass_fields__}, "num_key_value_heads": args.kv_heads})
    m = LlamaLM(gcfg)
    m.load_state_dict(grouped(state, cfg, args.kv_heads))
    m.eval()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = os.path.join(tmp, "model.onnx")
        export(m, gcfg, fp32)
        quantize_q4(fp32, os.path.join(args.out, "onnx", "model_q4.onnx"), "model_q4.onnx_data")
    out_cfg = {k: v for k, v in gcfg.hf().items()}
    out_cfg.update(torch_dtype="float16", max_position_embeddings=hf["max_position_embeddings"])
    json.dump(out_cfg, open(os.path.join(args.out, "config.json"), "w"), indent=1)
    json.dump({"bos_token_id": 0, "eos_token_id": 0, "pad_token_id": 1, "max_new_tokens": 320, "do_sample": False},
              open(os.path.join(args.out, "generation_config.json"), "w"), indent=1)
    shutil.copy(os.path.join(args.policy, "tokenizer.json"), os.path.join(args.out, "tokenizer.json"))
    tc = json.load(open(os.path.join(args.policy, "tokenizer_config.json")))
    tc["chat_template"] = CHAT_TEMPLATE
    json.dump(tc, open(os.path.join(args.out, "tokenizer_config.json"), "w"), indent=1)
    for root, _, files in os.walk(args.out):
        for f in sorted(files):
            print(os.path.join(root, f), os.path.getsize(os.path.join(root, f)), "bytes")


if __name__ == "__main__":
    main()
