"""Long articles as a few token windows: ``[CLS] headline [SEP] body chunk [SEP]``, at most ``max_windows`` of them.

Each window repeats the (truncated) headline so every window has the article's context. When the body needs more
windows than allowed, ``selection="spread"`` keeps the first and last and evenly spaced ones between them (the whole
article is sampled); ``"head"`` keeps the first ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class WindowParams:
    max_length: int = 128
    max_windows: int = 4
    stride: int = 32
    max_headline_tokens: int = 32
    selection: str = "spread"

    def __post_init__(self) -> None:
        if self.max_length < self.max_headline_tokens + 16:
            raise ValueError(f"max_length {self.max_length} leaves no room for the body after the headline")
        if not 0 <= self.stride < self.body_tokens:
            raise ValueError(f"stride must be in [0, {self.body_tokens}), got {self.stride}")
        if self.max_windows < 1:
            raise ValueError("max_windows must be >= 1")
        if self.selection not in ("spread", "head"):
            raise ValueError(f"window selection must be 'spread' or 'head', got {self.selection!r}")

    @property
    def body_tokens(self) -> int:
        return self.max_length - 3 - self.max_headline_tokens


def _starts(n_tokens: int, size: int, stride: int) -> list[int]:
    step = size - stride
    starts = [0]
    while starts[-1] + size < n_tokens:
        starts.append(starts[-1] + step)
    return starts


def _select(starts: list[int], k: int, selection: str) -> list[int]:
    if len(starts) <= k:
        return starts
    if selection == "head":
        return starts[:k]
    picks = np.linspace(0, len(starts) - 1, k).round().astype(int)
    return [starts[i] for i in sorted(set(picks.tolist()))]


def make_windows(
    tokenizer, headlines: Sequence[str], bodies: Sequence[str], params: WindowParams
) -> list[list[list[int]]]:
    """Token ids of the windows of every article (one list of windows per article, each a list of ids)."""
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    head_ids = tokenizer(list(headlines), add_special_tokens=False, verbose=False)["input_ids"] if headlines else []
    body_ids = tokenizer(list(bodies), add_special_tokens=False, verbose=False)["input_ids"] if bodies else []
    out: list[list[list[int]]] = []
    for head, body in zip(head_ids, body_ids, strict=True):
        head = head[: params.max_headline_tokens]
        size = params.max_length - 3 - len(head) if head else params.max_length - 2
        prefix = [cls_id] + head + [sep_id] if head else [cls_id]
        if not body:
            out.append([[cls_id] + head + [sep_id]])
            continue
        starts = _select(_starts(len(body), size, params.stride), params.max_windows, params.selection)
        out.append([prefix + body[s : s + size] + [sep_id] for s in starts])
    return out
