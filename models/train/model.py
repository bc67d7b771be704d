"""A Llama-style decoder (RMSNorm, RoPE, SwiGLU, tied embeddings) with HF parameter names, plus the ONNX export
wrapper with an HF-style KV cache (past_key_values.{i}.key/value -> present.{i}.key/value)."""
import math
from dataclasses import asdict, dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass
class Config:
    vocab_size: int = 4096
    hidden_size: int = 256
    intermediate_size: int = 704
    num_hidden_layers: int = 8
    num_attention_heads: int = 8
    num_key_value_heads: int = 8
    max_position_embeddings: int = 768
    rms_norm_eps: float = 1e-5
    rope_theta: float = 10000.0
    dropout: float = 0.0

    @property
    def head_dim(self):
        return self.hidden_size // self.num_attention_heads

    def hf(self):
        d = asdict(self)
        d.pop("dropout")
        d.update(
            architectures=["LlamaForCausalLM"], model_type="llama", head_dim=self.head_dim, hidden_act="silu",
            tie_word_embeddings=True, bos_token_id=0, eos_token_id=0, pad_token_id=1, torch_dtype="float32", use_cache=True,
        )
        return d


def config_from_hf(h, **overrides):
    """The Config of a saved checkpoint from its HF-style config dict (extra keys ignored)."""
    keys = ("vocab_size", "hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads",
            "num_key_value_heads", "max_position_embeddings", "rms_norm_eps", "rope_theta")
    return Config(**{**{k: h[k] for k in keys}, **overrides})


def load_checkpoint(path, make):
    """A model built by `make(config)` from a saved checkpoint, in eval mode, with the checkpoint's HF-style config."""
    c = torch.load(path, map_location="cpu")
    m = make(config_from_hf(c["config"]))
    m.load_state_dict(c["model"])
    m.eval()
    return m, c["config"]


class RMSNorm(nn.Module):
    def __init__(self, n, eps):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(n))
        self.eps = eps

    def forward(self, x):
        # The residual stream is float32 (also under autocast), so no casts: torch 1.13's exporter leaves a
        # dangling Cast output in the graph for `.float()` / `.to(x.dtype)` pairs.
        v = x.pow(2).mean(-1, keepdim=True)
        return x * torch.rsqrt(v + self.eps) * self.weight


def rotate_half(x):
    a, b = x.chunk(2, dim=-1)
    return torch.cat((-b, a), dim=-1)


def rope(cfg, position_ids, dtype):
    inv = 1.0 / (cfg.rope_theta ** (torch.arange(0, cfg.head_dim, 2, dtype=torch.float32) / cfg.head_dim))
    freqs = position_ids.float().unsqueeze(-1) * inv  # B,T,hd/2
    emb = torch.cat((freqs, freqs), dim=-1)
    return emb.cos().to(dtype).unsqueeze(1), emb.sin().to(dtype).unsqueeze(1)  # B,1,T,hd


class Attention(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        hd = cfg.head_dim
        self.q_proj = nn.Linear(cfg.hidden_size, cfg.num_attention_heads * hd, bias=False)
        self.k_proj = nn.Linear(cfg.hidden_size, cfg.num_key_value_heads * hd, bias=False)
        self.v_proj = nn.Linear(cfg.hidden_size, cfg.num_key_value_heads * hd, bias=False)
        self.o_proj = nn.Linear(cfg.num_attention_heads * hd, cfg.hidden_size, bias=False)

    def forward(self, x, cos, sin, mask, past=None):
        B, T, _ = x.shape
        c = self.cfg
        hd = c.head_dim
        q = self.q_proj(x).view(B, T, c.num_attention_heads, hd).transpose(1, 2)
        k = self.k_proj(x).view(B, T, c.num_key_value_heads, hd).transpose(1, 2)
        v = self.v_proj(x).view(B, T, c.num_key_value_heads, hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        if past is not None:
            k = torch.cat([past[0], k], dim=2)
            v = torch.cat([past[1], v], dim=2)
        present = (k, v)
        rep = c.num_attention_heads // c.num_key_value_heads
        if rep > 1:
            S = k.shape[2]
            k = k[:, :, None].expand(B, c.num_key_value_heads, rep, S, hd).reshape(B, c.num_attention_heads, S, hd)
            v = v[:, :, None].expand(B, c.num_key_value_heads, rep, S, hd).reshape(B, c.num_attention_heads, S, hd)
        S = k.shape[2]
        H = c.num_attention_heads
        # baddbmm fuses scale, QK^T and the additive mask; the softmax stays in the compute dtype (bf16 under
        # autocast): the elementwise work on the (B, H, T, S) scores is what costs most on CPU.
        scores = torch.baddbmm(mask, q.reshape(B * H, T, hd),
                               k.reshape(B * H, S, hd).transpose(1, 2), alpha=1.0 / math.sqrt(hd))
        att = torch.softmax(scores, dim=-1)
        y = torch.bmm(att, v.reshape(B * H, S, hd)).view(B, H, T, hd).transpose(1, 2).reshape(B, T, H * hd)
        return self.o_proj(y), present


class MLP(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.gate_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.up_proj = nn.Linear(cfg.hidden_size, cfg.intermediate_size, bias=False)
        self.down_proj = nn.Linear(cfg.intermediate_size, cfg.hidden_size, bias=False)

    def forward(self, x):
        return self.down_proj(F.silu(self.gate_proj(x)) * self.up_proj(x))


class Layer(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.self_attn = Attention(cfg)
        self.mlp = MLP(cfg)
        self.input_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        self.post_attention_layernorm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)
        # Residual dropout (training only; a no-op in eval and in the exported graph): the training set has ~140
        # schemas, and without it the model memorizes them (train loss 0.3 against held-out-schema loss 1.75).
        self.drop = nn.Dropout(getattr(cfg, "dropout", 0.0))

    def forward(self, x, cos, sin, mask, past=None):
        h, present = self.self_attn(self.input_layernorm(x), cos, sin, mask, past)
        x = x + self.drop(h)
        return x + self.drop(self.mlp(self.post_attention_layernorm(x))), present


class Inner(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.embed_tokens = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        self.layers = nn.ModuleList([Layer(cfg) for _ in range(cfg.num_hidden_layers)])
        self.norm = RMSNorm(cfg.hidden_size, cfg.rms_norm_eps)


class LlamaLM(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.model = Inner(cfg)
        self.apply(self._init)

    def _init(self, m):
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, std=0.02)
        elif isinstance(m, nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)

    def forward(self, input_ids, attention_mask=None, position_ids=None, past=None):
        B, T = input_ids.shape
        P = 0 if past is None else past[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones(B, P + T, dtype=torch.long)
        if position_ids is None:
            position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)[:, P:]
        x = self.model.embed_tokens(input_ids)
        cos, sin = rope(self.cfg, position_ids, x.dtype)
        causal = torch.ones(T, P + T, dtype=torch.bool).tril(diagonal=P)
        keep = causal[None, None] & attention_mask[:, None, None, :].bool()
        # One additive mask for every layer, already shaped (B*H, T, P+T) and in the compute dtype.
        dtype = torch.bfloat16 if torch.is_autocast_cpu_enabled() else x.dtype
        H = self.cfg.num_attention_heads
        mask = torch.zeros(keep.shape, dtype=dtype).masked_fill(~keep, -1e9).expand(B, H, T, P + T).reshape(B * H, T, P + T)
        presents = []
        for i, layer in enumerate(self.model.layers):
            x, pr = layer(x, cos, sin, mask, None if past is None else past[i])
            presents.append(pr)
        x = self.model.norm(x)
        logits = x @ self.model.embed_tokens.weight.t()
        return logits, presents


class ExportWrapper(nn.Module):
    """forward(input_ids, attention_mask, position_ids, *past) -> (logits, *presents), flat k/v per layer."""

    def __init__(self, lm):
        super().__init__()
        self.lm = lm

    def forward(self, input_ids, attention_mask, position_ids, *flat_past):
        past = [(flat_past[2 * i], flat_past[2 * i + 1]) for i in range(len(flat_past) // 2)]
        logits, presents = self.lm(input_ids, attention_mask, position_ids, past)
        out = [logits]
        for k, v in presents:
            out += [k, v]
        return tuple(out)
