"""Turn stance targets into encoder windows: each distinct text is tokenized once and all its targets share a pass.

A text that fits in ``max_length`` tokens is one window; a longer text is cut into overlapping windows and each target
goes to the window where it sits most centrally, so targets of one passage still share forward passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import torch

from foreign_desk.inference.stance.targets import StanceTarget


@dataclass
class Window:
    """One encoder input: token ids (with [CLS]/[SEP]) and, per target it carries, the positions of its tokens."""

    input_ids: list[int]
    targets: list[int] = field(default_factory=list)  # indices into the caller's target list
    positions: list[list[int]] = field(default_factory=list)  # token positions (in input_ids) of each target


@dataclass
class Batch:
    """Padded tensors for one forward pass over several windows and all their targets."""

    input_ids: torch.Tensor  # (W, L)
    attention_mask: torch.Tensor  # (W, L)
    target_window: torch.Tensor  # (T,) index of each target's window
    target_mask: torch.Tensor  # (T, L) 1.0 on each target's tokens
    targets: list[int]  # caller's indices of the T targets, in row order


def _span_tokens(offsets: Sequence[tuple[int, int]], start: int, end: int) -> list[int]:
    hits = [i for i, (s, e) in enumerate(offsets) if s < end and e > start and e > s]
    if hits or not offsets:
        return hits
    # characters the tokenizer drops (e.g. zero-width marks): use the nearest token instead of failing
    nearest = min(range(len(offsets)), key=lambda i: min(abs(offsets[i][0] - start), abs(offsets[i][1] - end)))
    return [nearest]


def build_windows(
    tokenizer, targets: Sequence[StanceTarget], max_length: int, share_texts: bool = True
) -> list[Window]:
    """Group ``targets`` by text and lay them out in windows of at most ``max_length`` tokens.

    ``share_texts=False`` gives every target its own window (one forward pass per target, for comparison).
    """
    groups: list[tuple[str, list[int]]]
    if share_texts:
        by_text: dict[str, list[int]] = {}
        for i, t in enumerate(targets):
            by_text.setdefault(t.text, []).append(i)
        groups = list(by_text.items())
    else:
        groups = [(t.text, [i]) for i, t in enumerate(targets)]
    cap = max(max_length - 2, 8)
    stride = max(cap // 2, 1)
    cls_id, sep_id = tokenizer.cls_token_id, tokenizer.sep_token_id
    windows: list[Window] = []
    for text, indices in groups:
        enc = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, return_attention_mask=False,
                        verbose=False)
        ids, offsets = enc["input_ids"], [tuple(o) for o in enc["offset_mapping"]]
        n = len(ids)
        starts = [0] if n <= cap else list(range(0, n - cap, stride)) + [n - cap]
        by_start: dict[int, Window] = {}
        for i in indices:
            toks = _span_tokens(offsets, targets[i].start, targets[i].end) or [0]
            centre = (toks[0] + toks[-1]) / 2
            w0 = min(starts, key=lambda s: (not (s <= toks[0] and toks[-1] < s + cap), abs(s + cap / 2 - centre)))
            window = by_start.get(w0)
            if window is None:
                window = by_start[w0] = Window([cls_id, *ids[w0 : w0 + cap], sep_id])
            pos = [p - w0 + 1 for p in toks if w0 <= p < w0 + cap] or [1]
            window.targets.append(i)
            window.positions.append(pos)
        windows.extend(by_start.values())
    return windows


def collate(windows: Sequence[Window], pad_id: int = 0) -> Batch:
    """Pad a group of windows into one :class:`Batch`."""
    length = max(len(w.input_ids) for w in windows)
    input_ids = torch.full((len(windows), length), pad_id, dtype=torch.long)
    attention = torch.zeros((len(windows), length), dtype=torch.long)
    n_targets = sum(len(w.targets) for w in windows)
    target_window = torch.empty(n_targets, dtype=torch.long)
    target_mask = torch.zeros((n_targets, length), dtype=torch.float32)
    order: list[int] = []
    row = 0
    for w_idx, w in enumerate(windows):
        input_ids[w_idx, : len(w.input_ids)] = torch.tensor(w.input_ids, dtype=torch.long)
        attention[w_idx, : len(w.input_ids)] = 1
        for t_idx, pos in zip(w.targets, w.positions, strict=True):
            target_window[row] = w_idx
            target_mask[row, pos] = 1.0
            order.append(t_idx)
            row += 1
    return Batch(input_ids, attention, target_window, target_mask, order)


def batches(windows: Sequence[Window], batch_size: int) -> list[list[Window]]:
    """Windows sorted by length (little padding) and cut into groups of ``batch_size``."""
    ordered = sorted(windows, key=lambda w: len(w.input_ids))
    return [ordered[i : i + batch_size] for i in range(0, len(ordered), batch_size)]
