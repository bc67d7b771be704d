"""Writes the tiny "bring your own model" fixture: a decoder in the transformers.js layout with what Hub exports have
and the embedded policy has not (issue 23): grouped-query attention, fp16 KV cache and logits, 4-bit `MatMulNBits`
weights, external weights (`model_q4.onnx_data`), no `present_step.*` outputs, and a chat template.

  LD_LIBRARY_PATH=/usr/lib/x86_64-linux-gnu/openblas-openmp /usr/bin/python3 models/train/hub_fixture.py \
      --out e2e/fixtures/hub/cocte/tiny-gqa-chat

The weights are the embedded policy's (recovered from models/policy/onnx/model_quantized.onnx), with each pair of
key/value heads averaged into one (8 query heads share 4 key/value heads): the model writes SQL-shaped text, but it is a
test of the runtime's adapters, not a good model. Its config has no `cocte_prompt`, so the studio prompts it through
its chat template. Deterministic: the same inputs give the same files.

`--attention gqa-op` writes the same model (to e2e/fixtures/hub/cocte/tiny-gqa-op-chat) as onnxruntime-genai writes
Llama and Qwen2 exports: one `com.microsoft` GroupQueryAttention node per layer with the rotary embedding inside it and
no `position_ids` input (`gqa_op_graph`). Its weights file is byte for byte the default fixture's, so regenerate both
from the same policy; tests/gqaOpModel.test.ts checks that they decode alike.
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
from onnx import TensorProto, external_data_helper, helper, numpy_helper

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


def gqa_op_graph(state, cfg):
    """The same decoder written with onnx.helper around the `com.microsoft` GroupQueryAttention contrib op, as
    onnxruntime-genai's builder writes Llama and Qwen2 exports for CPU: one GroupQueryAttention node per layer with the
    rotary embedding inside it (do_rotary=1, cos/sin caches of `max_position_embeddings` rows), so the inputs are
    input_ids, attention_mask and past_key_values.* with no position_ids; seqlens_k (mask sum - 1, int32) and
    total_sequence_length (mask width, int32) are computed from attention_mask in the graph. Attention runs in fp16 on
    the fp16 cache, as in q4f16 exports; the residual stream and the MatMuls are fp32 (quantize_q4 makes the MatMuls
    MatMulNBits). Initializers come in the order of the torch export's (norms, embedding, then MatMul weights by node),
    so the q4 weights file is byte for byte the `export` fixture's."""
    H, KV, D = cfg.num_attention_heads, cfg.num_key_value_heads, cfg.head_dim
    F32, F16, I64, I32 = TensorProto.FLOAT, TensorProto.FLOAT16, TensorProto.INT64, TensorProto.INT32
    w = {k: v.detach().numpy().astype(np.float32) for k, v in state.items()}
    norms = [f"model.layers.{i}.{n}.weight" for i in range(cfg.num_hidden_layers) for n in ("input_layernorm", "post_attention_layernorm")]
    inits = [numpy_helper.from_array(w[n], n) for n in norms + ["model.norm.weight"]]
    inits.append(numpy_helper.from_array(w["model.embed_tokens.weight"], "embed_tokens"))
    inv = 1.0 / (cfg.rope_theta ** (np.arange(0, D, 2, dtype=np.float32) / D))
    freqs = np.arange(cfg.max_position_embeddings, dtype=np.float32)[:, None] * inv[None, :]
    inits += [numpy_helper.from_array(np.cos(freqs).astype(np.float16), "cos_cache"), numpy_helper.from_array(np.sin(freqs).astype(np.float16), "sin_cache")]
    inits += [numpy_helper.from_array(np.array(v, dtype=t), n) for n, v, t in
              [("one_i64", 1, np.int64), ("axis1", [1], np.int64), ("two", 2.0, np.float32), ("eps", cfg.rms_norm_eps, np.float32)]]
    nodes = []

    def node(op, ins, outs, **attrs):
        nodes.append(helper.make_node(op, ins, outs, name=f"{op}_{len(nodes)}", **attrs))
        return outs[0]

    def matmul(x, weight, out):
        inits.append(numpy_helper.from_array(np.ascontiguousarray(weight), out + "_w"))
        return node("MatMul", [x, out + "_w"], [out])

    def rms(x, weight, out):
        sq = node("Pow", [x, "two"], [out + "_sq"])
        ms = node("ReduceMean", [sq], [out + "_ms"], axes=[-1], keepdims=1)
        r = node("Sqrt", [node("Add", [ms, "eps"], [out + "_mse"])], [out + "_rms"])
        return node("Mul", [node("Div", [x, r], [out + "_n"]), weight], [out])

    x = node("Gather", ["embed_tokens", "input_ids"], ["embeds"])
    total = node("ReduceSum", ["attention_mask", "axis1"], ["mask_sum"], keepdims=0)
    seqlens = node("Cast", [node("Sub", [total, "one_i64"], ["seqlens_k_i64"])], ["seqlens_k"], to=I32)
    width = node("Gather", [node("Shape", ["attention_mask"], ["mask_shape"]), "one_i64"], ["mask_width"], axis=0)
    total_len = node("Cast", [width], ["total_sequence_length"], to=I32)
    inputs = [helper.make_tensor_value_info("input_ids", I64, ["batch_size", "sequence_length"]),
              helper.make_tensor_value_info("attention_mask", I64, ["batch_size", "total_sequence_length"])]
    outputs = [helper.make_tensor_value_info("logits", F16, ["batch_size", "sequence_length", cfg.vocab_size])]
    for i in range(cfg.num_hidden_layers):
        L = f"model.layers.{i}"
        h = rms(x, f"{L}.input_layernorm.weight", f"l{i}_ln1")
        q, k, v = (node("Cast", [matmul(h, w[f"{L}.self_attn.{p}_proj.weight"].T, f"l{i}_{p}")], [f"l{i}_{p}16"], to=F16) for p in "qkv")
        past, present = [f"past_key_values.{i}.key", f"past_key_values.{i}.value"], [f"present.{i}.key", f"present.{i}.value"]
        att = node("GroupQueryAttention", [q, k, v, *past, seqlens, total_len, "cos_cache", "sin_cache"], [f"l{i}_att16", *present],
                   domain="com.microsoft", num_heads=H, kv_num_heads=KV, do_rotary=1, rotary_interleaved=0, scale=1.0 / float(np.sqrt(D)))
        o = matmul(node("Cast", [att], [f"l{i}_att"], to=F32), w[f"{L}.self_attn.o_proj.weight"].T, f"l{i}_o")
        x = node("Add", [x, o], [f"l{i}_res1"])
        h = rms(x, f"{L}.post_attention_layernorm.weight", f"l{i}_ln2")
        gate = matmul(h, w[f"{L}.mlp.gate_proj.weight"].T, f"l{i}_gate")
        act = node("Mul", [gate, node("Sigmoid", [gate], [f"l{i}_sig"])], [f"l{i}_silu"])
        up = matmul(h, w[f"{L}.mlp.up_proj.weight"].T, f"l{i}_up")
        x = node("Add", [x, matmul(node("Mul", [act, up], [f"l{i}_gated"]), w[f"{L}.mlp.down_proj.weight"].T, f"l{i}_down")], [f"l{i}_res2"])
        for name in past:
            inputs.append(helper.make_tensor_value_info(name, F16, ["batch_size", KV, "past_sequence_length", D]))
        for name in present:
            outputs.append(helper.make_tensor_value_info(name, F16, ["batch_size", KV, "total_sequence_length", D]))
    h = rms(x, "model.norm.weight", "final_ln")
    node("Cast", [matmul(h, w["model.embed_tokens.weight"].T, "lm_head")], ["logits"], to=F16)
    graph = helper.make_graph(nodes, "tiny-gqa-op", inputs, outputs, inits)
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 14), helper.make_opsetid("com.microsoft", 1)], producer_name="cocte hub_fixture.py")
    m.ir_version = 8
    onnx.checker.check_model(m)
    return m


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


def quantize_q4(src, dst, data_name, inline=()):
    """Every MatMul with a 2-D float initializer as B becomes com.microsoft MatMulNBits (q4); the embedding Gather an
    int8 per-row table (as quantize.py does). Saved with every weight of 1 kB or more in one external file `data_name`,
    in initializer order, except those named in `inline`, which stay in the graph."""
    m = onnx.load(src) if isinstance(src, str) else src
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
    if not any(o.domain == "com.microsoft" for o in m.opset_import):
        m.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    external_data_helper.convert_model_to_external_data(m, all_tensors_to_one_file=True, location=data_name, size_threshold=1024)
    for t in g.initializer:
        if t.name in inline:
            t.data_location = TensorProto.DEFAULT
            del t.external_data[:]
    # onnx appends to an existing weights file: start from none.
    data_path = os.path.join(os.path.dirname(dst), data_name)
    if os.path.exists(data_path):
        os.remove(data_path)
    onnx.save(m, dst)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--policy", default="models/policy")
    ap.add_argument("--out", default=None, help="default: e2e/fixtures/hub/cocte/tiny-gqa-chat, or tiny-gqa-op-chat with --attention gqa-op")
    ap.add_argument("--kv-heads", type=int, default=4)
    ap.add_argument("--attention", choices=["ops", "gqa-op"], default="ops",
                    help="ops: the torch export (attention in plain ONNX ops, position_ids input); gqa-op: gqa_op_graph")
    args = ap.parse_args()
    args.out = args.out or f"e2e/fixtures/hub/cocte/{'tiny-gqa-op-chat' if args.attention == 'gqa-op' else 'tiny-gqa-chat'}"
    torch.manual_seed(0)
    hf = json.load(open(os.path.join(args.policy, "config.json")))
    cfg, state = policy_state(os.path.join(args.policy, "onnx", "model_quantized.onnx"), hf)
    gcfg = Config(**{**{k: getattr(cfg, k) for k in Config.__dataclass_fields__}, "num_key_value_heads": args.kv_heads})
    m = LlamaLM(gcfg)
    m.load_state_dict(grouped(state, cfg, args.kv_heads))
    m.eval()
    os.makedirs(os.path.join(args.out, "onnx"), exist_ok=True)
    dst = os.path.join(args.out, "onnx", "model_q4.onnx")
    if args.attention == "gqa-op":
        quantize_q4(gqa_op_graph(m.state_dict(), gcfg), dst, "model_q4.onnx_data", inline=("cos_cache", "sin_cache"))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            fp32 = os.path.join(tmp, "model.onnx")
            export(m, gcfg, fp32)
            quantize_q4(fp32, dst, "model_q4.onnx_data")
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
