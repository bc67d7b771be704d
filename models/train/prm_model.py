"""The process reward model: the policy's decoder body (initialized from the policy's weights) with a one-logit head.

Math-Shepherd style without the two-token trick (method.md section 9): the PRM reads one sequence, the policy's
prompt followed by every step and its execution summary, and the head's logit at the last token of each step's
segment is that step's score, s_j = sigmoid(logit). A causal mask makes every score depend only on the steps so far,
so one forward pass scores every prefix.
"""
import torch
import torch.nn as nn

from model import LlamaLM, rope


class PrmModel(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg
        self.body = LlamaLM(cfg)
        self.head = nn.Linear(cfg.hidden_size, 1)
        nn.init.zeros_(self.head.weight)
        nn.init.zeros_(self.head.bias)

    def hidden(self, input_ids, attention_mask):
        m = self.body
        B, T = input_ids.shape
        position_ids = (attention_mask.cumsum(-1) - 1).clamp(min=0)
        x = m.model.embed_tokens(input_ids)
        cos, sin = rope(self.cfg, position_ids, x.dtype)
        causal = torch.ones(T, T, dtype=torch.bool).tril()
        keep = causal[None, None] & attention_mask[:, None, None, :].bool()
        dtype = torch.bfloat16 if torch.is_autocast_cpu_enabled() else x.dtype
        H = self.cfg.num_attention_heads
        mask = torch.zeros(keep.shape, dtype=dtype).masked_fill(~keep, -1e9).expand(B, H, T, T).reshape(B * H, T, T)
        for layer in m.model.layers:
            x, _ = layer(x, cos, sin, mask, None)
        return m.model.norm(x)

    def forward(self, input_ids, attention_mask):
        """Per-position step logits, (B, T); read them at the segment ends."""
        return self.head(self.hidden(input_ids, attention_mask)).squeeze(-1)


class PrmExport(nn.Module):
    """forward(input_ids, attention_mask) -> scores (B, T) in [0, 1]."""

    def __init__(self, prm):
        super().__init__()
        self.prm = prm

    def forward(self, input_ids, attention_mask):
        return torch.sigmoid(self.prm(input_ids, attention_mask))
