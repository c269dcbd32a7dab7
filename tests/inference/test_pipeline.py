"""The Python API with the committed transformer models: README example, batching, errors, int8."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from foreign_desk.inference import Article, Pipeline
from foreign_desk.inference.actors import ActorExtractor
from foreign_desk.inference.stance.article import ArticleStance

BODY = (
    "Beijing on Monday praised the new maritime agreement as a step toward peace, while Washington accused "
    "Pyongyang of breaking its promises on missile tests. Chinese Foreign Ministry spokesman Geng Shuang said "
    "China welcomed the talks."
)


@pytest.fixture(scope="module")
def pipe() -> Pipeline:
    return Pipeline.from_pretrained()


def test_readme_python_example_runs(repo_root: Path) -> None:
    readme = (repo_root / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    code = code.replace('"..."', '"Talks between the two governments resumed in Geneva."')
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102 - the documented example must run
    assert namespace["results"][0].id == "a1"
    assert namespace["result"].actors


def test_single_article_call(pipe: Pipeline) -> None:
    result = pipe(BODY, headline="China welcomes accord", id="x1")
    assert result.id == "x1" and result.error is None
    names = {a.actor for a in result.actors}
    assert {"China", "United States", "North Korea"} <= names
    for actor in result.actors:
        assert abs(sum(actor.scores.values()) - 1) < 1e-3
        assert len(actor.evidence) <= 3
    assert set(result.topics.labels) <= set(pipe.topic_labels)


def test_predict_is_batch_invariant_and_ordered(pipe: Pipeline) -> None:
    items = [BODY, Article.from_text(BODY, headline="Accord", id="b"), {"id": "c", "text": BODY}, ""]
    one = pipe.predict(items, batch_size=1)
    many = pipe.predict(items, batch_size=3)
    assert [r.id for r in one][1:3] == ["b", "c"]
    assert one[3].error and "empty text" in one[3].error
    for a, b in zip(one[:3], many[:3], strict=True):
        assert a.topics.labels == b.topics.labels
        assert [x.actor for x in a.actors] == [x.actor for x in b.actors]
        for x, y in zip(a.actors, b.actors, strict=True):
            assert x.stance == y.stance
            assert x.scores == pytest.approx(y.scores, abs=1e-4)


def test_int8_path_gives_close_results(pipe: Pipeline) -> None:
    fp32 = pipe(BODY)
    # --int8 with the committed (calibrated) stance model: static int8 stance, batched, article head kept
    all_int8 = Pipeline.from_pretrained(quantize=True)
    assert all_int8.stance_model.int8 == "static" and not all_int8.stance_model.per_text
    assert all_int8.stance.head is not None and all_int8.relation_model.encoder is all_int8.stance_model.model.encoder
    int8 = all_int8(BODY)
    assert [a.actor for a in fp32.actors] == [a.actor for a in int8.actors]
    for x, y in zip(fp32.actors, int8.actors, strict=True):
        assert x.scores == pytest.approx(y.scores, abs=0.15)
    # --int8 --fp32-stance: int8 topics only; stance identical to fp32
    topics_int8 = Pipeline.from_pretrained(quantize=True, quantize_stance=False)
    assert topics_int8.stance_model.int8 is None
    same = topics_int8(BODY)
    assert [(a.actor, a.stance, a.scores) for a in same.actors] == [(a.actor, a.stance, a.scores) for a in fp32.actors]


def test_uncalibrated_int8_stance_is_dynamic_and_decides_by_the_rule(pipe: Pipeline, tmp_path: Path) -> None:
    import shutil

    from foreign_desk.inference.int8 import CALIBRATION_NAME
    from foreign_desk.inference.manifest import write_manifest
    from foreign_desk.inference.paths import default_models_dir

    for name in ("stance-minilm", "relations-pairs", "topic-tfidf"):
        shutil.copytree(default_models_dir() / name, tmp_path / name)
    (tmp_path / "stance-minilm" / CALIBRATION_NAME).unlink()
    write_manifest(tmp_path / "stance-minilm")
    assert Pipeline.from_pretrained(tmp_path, topic_model="topic-tfidf", quantize=True).stance_model.int8 is None
    forced = Pipeline.from_pretrained(tmp_path, topic_model="topic-tfidf", quantize=True, quantize_stance=True)
    assert forced.stance_model.int8 == "dynamic" and forced.stance_model.per_text
    # dynamic int8 decides article-level stance by the aggregation rule (the head reads fp32-like vectors)
    assert forced.stance.head is None and pipe.stance.head is not None
    int8 = forced(BODY)
    fp32_rule = ArticleStance(pipe.stance_model, use_head=False).predict([ActorExtractor.default().extract(BODY)])[0]
    for x, y in zip(fp32_rule, int8.actors, strict=True):
        assert x.scores == pytest.approx(y.scores, abs=0.15)


def test_missing_model_dir_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="model directory not found"):
        Pipeline.from_pretrained(tmp_path)


def test_long_body_bounds_what_the_topic_model_reads(pipe: Pipeline) -> None:
    from foreign_desk.inference.pipeline import MAX_TOPIC_CHARS

    filler = "Officials met in Geneva on Monday to discuss the harbour project. " * (MAX_TOPIC_CHARS // 60 + 50)
    sanctions = "The European Union imposed sanctions on Russia and froze the assets of its banks."
    result = pipe(filler + sanctions, headline="Harbour talks", id="long")
    assert result.error is None
    [note] = [w for w in result.warnings if w.startswith("topics read the first")]
    read, total = map(int, re.findall(r"\d+", note))
    assert read <= MAX_TOPIC_CHARS < total == len(filler + sanctions)
    for passages in result.topics.evidence.values():  # evidence comes from the part that was read
        assert all((filler + sanctions).find(p["text"]) < MAX_TOPIC_CHARS for p in passages)
    short = pipe(BODY, headline="China welcomes accord", id="short")
    assert not any(w.startswith("topics read") for w in short.warnings)
