"""The MiniLM span-pooling stance network: encode a sentence once, pool each target's tokens, classify."""

from __future__ import annotations

import torch
from torch import nn

from foreign_desk.inference.stance.targets import LABELS


class SpanStanceNet(nn.Module):
    """MiniLM encoder + a small head over ``[mean(target tokens); mean(sentence tokens)]`` for every target.

    One forward pass scores every target of every window in the batch: ``target_window`` says which window each
    target lies in and ``target_mask`` marks its tokens.
    """

    def __init__(self, encoder: nn.Module, head_hidden: int = 256, dropout: float = 0.1, num_labels: int = len(LABELS)):
        super().__init__()
        self.encoder = encoder
        hidden = encoder.config.hidden_size
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(2 * hidden, head_hidden),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(head_hidden, num_labels),
        )

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        target_window: torch.Tensor,
        target_mask: torch.Tensor,
    ) -> torch.Tensor:
        return self.features(input_ids, attention_mask, target_window, target_mask)[0]

    def features(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        target_window: torch.Tensor,
        target_mask: torch.Tensor,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(logits (T, 3), mention vectors (T, 2H + head_hidden))``: a target's vector is the head's input
        ``[span; sentence]`` and its hidden layer, what the article-level head reads (same pass as the logits)."""
        states = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state  # (W, L, H)
        mask = attention_mask.to(states.dtype).unsqueeze(-1)
        sentence = (states * mask).sum(1) / mask.sum(1).clamp(min=1.0)  # (W, H)
        per_target = states[target_window]  # (T, L, H)
        tmask = target_mask.to(states.dtype).unsqueeze(-1)
        span = (per_target * tmask).sum(1) / tmask.sum(1).clamp(min=1.0)  # (T, H)
        pooled = torch.cat([span, sentence[target_window]], dim=-1)
        hidden = self.head[2](self.head[1](self.head[0](pooled)))
        return self.head[4](self.head[3](hidden)), torch.cat([pooled, hidden], dim=-1)
