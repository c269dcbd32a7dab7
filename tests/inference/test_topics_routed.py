"""The routed topic kind: each article scored by the one saved model its body length selects, with that model's own
thresholds (scores rescaled so they sit at 0.5), evidence included; save/load through the seam."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import Pipeline

from foreign_desk.inference.manifest import ModelLoadError, write_manifest
from foreign_desk.inference.topics import TopicClassifier
from foreign_desk.inference.topics.passages import PassageParams, PassageTopicClassifier
from foreign_desk.inference.topics.routed import RoutedTopicClassifier, body_length, rescale_to_half
from foreign_desk.inference.topics.tfidf import TfidfTopicClassifier

LABELS = ["diplomacy", "sanctions", "trade"]
LIMIT = 80  # characters of prepared body: the short route takes at most this

# Our own fixture texts (never text from ../shared).
SHORT = [
    {"title": "Envoys meet", "text": "The envoys held talks on a treaty."},
    "New sanctions froze the assets of two banks.",
    {"title": "Tariffs", "text": "PORTVILLE (Reuters) - Duties on steel rose."},
]
LONG = [
    {
        "title": "Avaland and Borduria hold talks",
        "text": "OSLAVIA (Reuters) - The foreign ministers of Avaland and Borduria met on Monday for talks. "
        "They discussed a treaty on fishing rights. The European Union extended an asset freeze on three banks. "
        "The embargo on arms exports remains in force until March.",
    },
    "Customs duties on steel rose again as the trade deficit widened in October. Ministers blamed the new tariffs "
    "on imported cars. Talks with the neighbours resume next week.",
]
ARTICLES = [SHORT[0], LONG[0], SHORT[1], LONG[1], SHORT[2]]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("models")
    texts = ["talks on a treaty with the envoy", "sanctions froze bank assets", "tariffs and duties on steel",
             "the embargo and the asset freeze", "a trade pact on grain", "the ambassador was summoned"]  # fmt: skip
    y = np.array([[1, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [1, 0, 0]])
    pipe = Pipeline([("tfidf", TfidfVectorizer()), ("clf", OneVsRestClassifier(LogisticRegression(C=100.0)))]).fit(texts, y)
    write_manifest(TfidfTopicClassifier(LABELS, pipe, {"diplomacy": 0.3, "sanctions": 0.6, "trade": 0.45}).save_pretrained(root / "short"))
    torch.manual_seed(0)
    passages = PassageTopicClassifier.build(LABELS, PassageParams(size=2, stride=1, max_tokens=32), hidden=8)
    long_proba = passages.predict_proba(LONG)
    # thresholds inside the range of the long texts' scores, so some labels are on and some off
    passages.thresholds = {label: float(np.median(long_proba[:, j])) for j, label in enumerate(LABELS)}
    write_manifest(passages.save_pretrained(root / "long"))
    short, long = (TopicClassifier.from_pretrained(root / name) for name in ("short", "long"))
    routed = RoutedTopicClassifier(LABELS, [(short, LIMIT, "../short"), (long, None, "../long")])
    write_manifest(routed.save_pretrained(root / "routed"))
    return root


def test_rescaling_keeps_order_and_moves_each_threshold_to_half() -> None:
    rng = np.random.default_rng(0)
    p = rng.random((200, 3))
    t = np.array([0.05, 0.5, 0.9])
    r = rescale_to_half(p, t)
    np.testing.assert_array_equal(r >= 0.5, p >= t)  # the same decisions
    for j in range(3):
        order = np.argsort(p[:, j])
        assert np.all(np.diff(r[order, j]) >= 0)  # monotone
    np.testing.assert_allclose(rescale_to_half(np.array([[0.0, 1.0, 0.9]]), t), [[0.0, 1.0, 0.5]])
    assert np.all((r >= 0) & (r <= 1))


def test_each_article_gets_its_routes_labels_and_rescaled_scores(models_dir: Path) -> None:
    routed = TopicClassifier.from_pretrained(models_dir / "routed")
    assert isinstance(routed, RoutedTopicClassifier) and set(routed.thresholds.values()) == {0.5}
    short, long = (TopicClassifier.from_pretrained(models_dir / name) for name in ("short", "long"))
    lengths = [body_length(a, i) for i, a in enumerate(ARTICLES)]
    assert lengths[4] < len(SHORT[2]["text"])  # the dateline does not count
    which = routed.route_of(ARTICLES)
    assert which.tolist() == [0, 1, 0, 1, 0] and all((n <= LIMIT) == (k == 0) for n, k in zip(lengths, which, strict=True))
    preds = routed.predict(ARTICLES)
    proba = routed.predict_proba(ARTICLES)
    for i, article in enumerate(ARTICLES):
        own = (short, long)[which[i]]
        expected = own.predict([article])[0]
        assert preds[i].labels == expected.labels
        np.testing.assert_allclose(proba[i], rescale_to_half(own.predict_proba([article])[0], own.threshold_vector()), atol=1e-6)
    assert any(p.labels for p in preds[1::2]) and any(set(LABELS) - set(p.labels) for p in preds[1::2])


def test_evidence_comes_from_the_long_route_verbatim(models_dir: Path) -> None:
    routed = TopicClassifier.from_pretrained(models_dir / "routed")
    long = TopicClassifier.from_pretrained(models_dir / "long")
    preds = routed.predict(ARTICLES)
    for i in (0, 2, 4):
        assert preds[i].evidence == {}  # the TF-IDF route scores no passages
    checked = 0
    for i in (1, 3):
        own = long.predict([ARTICLES[i]])[0]
        assert set(preds[i].evidence) == set(preds[i].labels) == set(own.evidence)
        article = ARTICLES[i]
        text = " ".join((article["title"] + " " + article["text"] if isinstance(article, dict) else article).split())
        for label, items in preds[i].evidence.items():
            assert [e["text"] for e in items] == [e["text"] for e in own.evidence[label]]
            j = LABELS.index(label)
            assert all(e["score"] >= 0.5 - 1e-4 for e in items[1:])  # after the best, only passages over the threshold
            for e, o in zip(items, own.evidence[label], strict=True):
                assert " ".join(e["text"].split()) in text
                assert e["score"] == pytest.approx(rescale_to_half(np.array([o["score"]]), long.threshold_vector()[j:j + 1])[0], abs=1e-4)
                checked += 1
    assert checked


def test_only_routes_that_get_articles_run(models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    routed = TopicClassifier.from_pretrained(models_dir / "routed")
    long = routed.routes[1][0]
    monkeypatch.setattr(long, "predict_details", lambda *a, **k: pytest.fail("the long route ran for short items"))
    assert len(routed.predict(SHORT)) == 3
    assert routed.predict([]) == []


def test_saved_directory_moves_with_its_routes_and_missing_route_is_named(models_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(models_dir, tmp_path / "moved")
    before = TopicClassifier.from_pretrained(models_dir / "routed").predict_proba(ARTICLES)
    np.testing.assert_allclose(TopicClassifier.from_pretrained(tmp_path / "moved" / "routed").predict_proba(ARTICLES), before)
    shutil.rmtree(tmp_path / "moved" / "long")
    with pytest.raises(FileNotFoundError, match="route model not found"):
        TopicClassifier.from_pretrained(tmp_path / "moved" / "routed")


@pytest.mark.parametrize(
    ("routes", "field"),
    [
        ([{"path": "../short", "max_chars": 80}, {"path": "../long", "max_chars": 90}], "last route"),
        ([{"path": "../short", "max_chars": 80}, {"path": "../x", "max_chars": 40}, {"path": "../long"}], "must increase"),
        ([{"path": "../short"}, {"path": "../long"}], "only the last route"),
        ([], "routes"),
    ],
)
def test_bad_routes_are_a_load_error(models_dir: Path, tmp_path: Path, routes: list, field: str) -> None:
    target = tmp_path / "m" / "routed"
    shutil.copytree(models_dir, tmp_path / "m")
    cfg = json.loads((target / "config.json").read_text())
    cfg["routes"] = routes
    (target / "config.json").write_text(json.dumps(cfg))
    write_manifest(target)
    with pytest.raises(ModelLoadError, match=field):
        TopicClassifier.from_pretrained(target)


def test_committed_default_routes_short_and_long_articles_through_the_pipeline() -> None:
    """The default topic model in the pipeline: a long article gets the labels of its long route (sharing the stance
    pass), a short one those of its short route, each with the route's evidence."""
    from foreign_desk.inference.paths import DEFAULT_TOPIC_MODEL, default_models_dir
    from foreign_desk.inference.pipeline import Pipeline

    root = default_models_dir()
    if not (root / DEFAULT_TOPIC_MODEL / "config.json").is_file():
        pytest.skip("committed models not found")
    routed = TopicClassifier.from_pretrained(root / DEFAULT_TOPIC_MODEL)
    if not isinstance(routed, RoutedTopicClassifier):
        pytest.skip(f"the default topic model is {routed.kind}, not routed")
    short_text = "Ruritania imposed sanctions on Freedonian banks and froze their assets."
    long_text = (
        "The foreign ministers of Ruritania and Freedonia met in the capital on Monday to discuss the disputed border "
        "islands. Ruritania said it would lift the export ban and sanctions on Freedonian steel if talks went well. "
        "Freedonia's president said the coast guard would stay near the islands. The two sides agreed to meet again "
        "next month, and officials said a treaty on fishing rights could be signed before the end of the year."
    )
    articles = [{"id": "short", "title": "Sanctions", "text": short_text},
                {"id": "long", "title": "Ruritania and Freedonia hold talks", "text": long_text}]  # fmt: skip
    assert routed.route_of(articles).tolist() == [0, 1]
    pipe = Pipeline.from_pretrained()
    assert pipe.shared_encoder  # the long route reads the stance pass
    results = pipe.predict(articles)
    for k, (article, result) in enumerate(zip(articles, results, strict=True)):
        own = routed.routes[k][0].predict([article])[0]
        assert result.topics.labels == own.labels
        assert set(result.topics.evidence) == set(own.labels)
        for items in result.topics.evidence.values():
            assert items and all(" ".join(e["text"].split()) in " ".join((article["title"] + " " + article["text"]).split()) for e in items)
    assert "sanctions" in results[0].topics.labels and "diplomacy" in results[1].topics.labels
