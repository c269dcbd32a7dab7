"""Stance targets: validation errors and the window/span layout the MiniLM model encodes."""

from __future__ import annotations

import pytest

from foreign_desk.inference.encoder import load_tokenizer
from foreign_desk.inference.stance.encoding import build_windows, collate
from foreign_desk.inference.stance.targets import StancePrediction, StanceTarget, TargetError, as_target

TEXT = "Ministers praised Ruritania while critics accused Ruritania of stalling talks."


@pytest.fixture(scope="module")
def tokenizer():
    return load_tokenizer()


def _tokens(tokenizer, window, k: int) -> str:
    ids = [window.input_ids[p] for p in window.positions[k]]
    return tokenizer.decode(ids)


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"text": "abc", "start": 1, "end": 9}, "out of range"),
        ({"text": "abc", "start": -1, "end": 2}, "out of range"),
        ({"text": "abc", "start": 2, "end": 2}, "empty span"),
        ({"text": "abc", "start": 3, "end": 1}, "empty span"),
        ({"text": "a   b", "start": 1, "end": 4}, "only whitespace"),
        ({"text": "abc", "start": 0}, "missing field(s): end"),
        ({"text": "abc", "start": "0", "end": 2}, "start must be an integer"),
        ({"text": None, "start": 0, "end": 2}, "text must be a string"),
        (42, "expected a StanceTarget"),
    ],
)
def test_invalid_targets_raise_clear_errors(item, message):
    with pytest.raises(TargetError, match=message.replace("(", r"\(").replace(")", r"\)")):
        as_target(item)


def test_targets_from_dicts_tuples_and_objects_agree():
    expected = StanceTarget(TEXT, 18, 27)
    assert as_target({"text": TEXT, "start": 18, "end": 27}) == expected
    assert as_target((TEXT, 18, 27)) == expected
    assert as_target(expected).mention == "Ruritania"


def test_prediction_to_dict_rounds_scores():
    p = StancePrediction("negative", {"negative": 0.712345, "neutral": 0.2, "positive": 0.087655})
    assert p.to_dict() == {"stance": "negative", "scores": {"negative": 0.7123, "neutral": 0.2, "positive": 0.0877}}
    assert p.score == pytest.approx(0.712345)


def test_targets_of_one_text_share_one_window(tokenizer):
    first, second = TEXT.index("Ruritania"), TEXT.rindex("Ruritania")
    targets = [StanceTarget(TEXT, first, first + 9), StanceTarget(TEXT, second, second + 9)]
    windows = build_windows(tokenizer, targets, max_length=64)
    assert len(windows) == 1
    assert windows[0].targets == [0, 1]
    assert [_tokens(tokenizer, windows[0], k) for k in range(2)] == ["ruritania", "ruritania"]
    assert windows[0].positions[0] != windows[0].positions[1]


def test_spans_at_sentence_start_and_end(tokenizer):
    text = "Ruritania condemned the raid by Freedonia"
    targets = [StanceTarget(text, 0, 9), StanceTarget(text, len(text) - 9, len(text))]
    (window,) = build_windows(tokenizer, targets, max_length=64)
    assert window.input_ids[0] == tokenizer.cls_token_id and window.input_ids[-1] == tokenizer.sep_token_id
    assert window.positions[0][0] == 1  # first token after [CLS]
    assert window.positions[1][-1] == len(window.input_ids) - 2  # last token before [SEP]
    assert _tokens(tokenizer, window, 1) == "freedonia"


def test_repeated_and_overlapping_targets(tokenizer):
    text = "The Prime Minister of Ruritania resigned."
    whole, country = StanceTarget(text, 4, 31), StanceTarget(text, 22, 31)
    targets = [whole, country, whole]  # the same target twice, and one inside the other
    (window,) = build_windows(tokenizer, targets, max_length=64)
    assert window.targets == [0, 1, 2]
    assert window.positions[0] == window.positions[2]
    assert set(window.positions[1]) < set(window.positions[0])
    batch = collate([window])
    assert batch.target_mask.shape == (3, len(window.input_ids))
    assert batch.target_mask.sum(1).tolist() == [len(window.positions[0]), len(window.positions[1])] + [
        len(window.positions[0])
    ]


def test_span_inside_a_word_uses_that_word_piece(tokenizer):
    text = "Anti-Ruritania protests grew."
    (window,) = build_windows(tokenizer, [StanceTarget(text, 5, 14)], max_length=32)
    assert "ruritania" in _tokens(tokenizer, window, 0).replace(" ", "")


def test_long_text_is_windowed_around_each_target(tokenizer):
    filler = "The weather was calm and nothing happened. " * 60
    text = "Ruritania spoke first. " + filler + "Then Freedonia replied."
    far = text.index("Freedonia")
    targets = [StanceTarget(text, 0, 9), StanceTarget(text, far, far + 9)]
    windows = build_windows(tokenizer, targets, max_length=64)
    assert len(windows) == 2
    for window in windows:
        assert len(window.input_ids) <= 64
    by_target = {w.targets[0]: w for w in windows}
    assert _tokens(tokenizer, by_target[0], 0) == "ruritania"
    assert _tokens(tokenizer, by_target[1], 0) == "freedonia"
