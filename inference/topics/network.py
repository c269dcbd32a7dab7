"""The MiniLM multi-label network: window embeddings (token mean pooling) pooled per article, then a linear head."""

from __future__ import annotations

import torch
from torch import nn

POOLINGS = ("mean_max", "mean", "max")


class WindowPooledClassifier(nn.Module):
    """Encoder + per-article pooling over its windows + linear multi-label head (logits)."""

    def __init__(self, encoder: nn.Module, n_labels: int, pooling: str = "mean_max", dropout: float = 0.1):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        self.encoder = encoder
        self.pooling = pooling
        hidden = encoder.config.hidden_size
        self.dropout = nn.Dropout(dropout)
        self.head = nn.Linear(hidden * (2 if pooling == "mean_max" else 1), n_labels)

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor, counts: list[int]) -> torch.Tensor:
        """``input_ids``/``attention_mask``: (n_windows, length), windows of article i contiguous; ``counts``: windows
        per article. Returns logits (n_articles, n_labels)."""
        hidden = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
        window_emb = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
        pooled = []
        for chunk in torch.split(window_emb, list(counts)):
            parts = []
            if self.pooling in ("mean_max", "mean"):
                parts.append(chunk.mean(0))
            if self.pooling in ("mean_max", "max"):
                parts.append(chunk.max(0).values)
            pooled.append(torch.cat(parts))
        return self.head(self.dropout(torch.stack(pooled)))


def collate(windows: list[list[list[int]]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, list[int]]:
    """Dynamic padding of the windows of a batch of articles."""
    flat = [w for article in windows for w in article]
    length = max(len(w) for w in flat)
    ids = torch.full((len(flat), length), pad_id, dtype=torch.long)
    mask = torch.zeros((len(flat), length), dtype=torch.long)
    for i, w in enumerate(flat):
        ids[i, : len(w)] = torch.tensor(w, dtype=torch.long)
        mask[i, : len(w)] = 1
    return ids, mask, [len(a) for a in windows]
