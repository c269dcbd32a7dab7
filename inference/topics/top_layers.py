"""Transformer layers a topic model stacks on a shared encoder's final token states.

A passages topic model that shares the stance encoder (one encoder pass per sentence for both tasks) reads the
stance pass's final token states of every sentence; the stance fine-tune moved those states away from topics, so the
topic model runs ``n`` layers of its own on them before the token mean (trained on the topic labels, initialised from
the topic encoder's top layers). They cost ``n`` / 6 of a MiniLM-L6 pass per sentence instead of a whole pass.

The layer is BERT's post-norm layer (self-attention, residual + LayerNorm, GELU feed-forward, residual + LayerNorm)
written with plain ``nn.Linear`` modules, so :meth:`TopLayer.from_bert` copies a ``BertLayer`` exactly.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F  # noqa: N812 - the usual alias


class TopLayer(nn.Module):
    """One post-norm transformer layer in BERT's layout."""

    def __init__(self, dim: int = 384, heads: int = 12, intermediate: int = 1536, dropout: float = 0.1,
                 eps: float = 1e-12):
        super().__init__()
        if dim % heads:
            raise ValueError(f"dim {dim} is not a multiple of heads {heads}")
        self.heads, self.dropout = heads, dropout
        self.query, self.key, self.value = nn.Linear(dim, dim), nn.Linear(dim, dim), nn.Linear(dim, dim)
        self.attention_output = nn.Linear(dim, dim)
        self.attention_norm = nn.LayerNorm(dim, eps=eps)
        self.intermediate = nn.Linear(dim, intermediate)
        self.output = nn.Linear(intermediate, dim)
        self.output_norm = nn.LayerNorm(dim, eps=eps)

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """``x`` (batch, tokens, dim); ``padding`` (batch, tokens), True where a position is padding."""
        b, t, d = x.shape
        h = self.heads

        def split(z: torch.Tensor) -> torch.Tensor:
            return z.view(b, t, h, d // h).transpose(1, 2)

        attend = ~padding[:, None, None, :]
        a = F.scaled_dot_product_attention(split(self.query(x)), split(self.key(x)), split(self.value(x)),
                                           attn_mask=attend, dropout_p=self.dropout if self.training else 0.0)
        a = a.transpose(1, 2).reshape(b, t, d)
        x = self.attention_norm(x + F.dropout(self.attention_output(a), self.dropout, self.training))
        y = self.output(F.gelu(self.intermediate(x)))
        return self.output_norm(x + F.dropout(y, self.dropout, self.training))

    @classmethod
    def from_bert(cls, layer: nn.Module, dropout: float = 0.1) -> TopLayer:
        """A copy of a transformers ``BertLayer`` (same weights, same outputs)."""
        attn = layer.attention
        dim = attn.self.query.in_features
        out = cls(dim, attn.self.num_attention_heads, layer.intermediate.dense.out_features, dropout,
                  attn.output.LayerNorm.eps)
        pairs = [(out.query, attn.self.query), (out.key, attn.self.key), (out.value, attn.self.value),
                 (out.attention_output, attn.output.dense), (out.attention_norm, attn.output.LayerNorm),
                 (out.intermediate, layer.intermediate.dense), (out.output, layer.output.dense),
                 (out.output_norm, layer.output.LayerNorm)]
        with torch.no_grad():
            for mine, theirs in pairs:
                mine.weight.copy_(theirs.weight)
                mine.bias.copy_(theirs.bias)
        return out


class TopLayers(nn.Module):
    """``n`` :class:`TopLayer` s and the token mean: token states of sentences -> sentence embeddings."""

    def __init__(self, n: int, dim: int = 384, heads: int = 12, intermediate: int = 1536, dropout: float = 0.1):
        super().__init__()
        self.layers = nn.ModuleList(TopLayer(dim, heads, intermediate, dropout) for _ in range(n))

    def forward(self, x: torch.Tensor, padding: torch.Tensor) -> torch.Tensor:
        """Sentence embeddings (batch, dim): the layers, then the mean over the non-padding tokens."""
        for layer in self.layers:
            x = layer(x, padding)
        keep = (~padding).unsqueeze(-1).to(x.dtype)
        return (x * keep).sum(1) / keep.sum(1).clamp(min=1.0)

    def embed(self, states: Sequence[torch.Tensor], batch_size: int = 64) -> torch.Tensor:
        """Sentence embeddings (n, dim) of token-state matrices ``(tokens_i, dim)``, in length-sorted batches (each
        row is computed on its own: the padding of a batch does not change it)."""
        dim = self.layers[0].query.in_features if len(self.layers) else (states[0].shape[1] if states else 0)
        out = torch.zeros((len(states), dim))
        order = sorted(range(len(states)), key=lambda i: len(states[i]))
        for start in range(0, len(order), batch_size):
            idx = order[start : start + batch_size]
            rows = [states[i].float() for i in idx]
            lengths = torch.tensor([len(r) for r in rows])
            x = nn.utils.rnn.pad_sequence(rows, batch_first=True)
            padding = torch.arange(x.shape[1])[None, :] >= lengths[:, None]
            out[torch.tensor(idx)] = self(x, padding)
        return out
