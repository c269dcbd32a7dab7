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
    topics_int8 = Pipeline.from_pretrained(quantize=True)
    assert not topics_int8.stance_model.per_text  # int8 topics; stance stays batched fp32 (faster than int8 per text)
    same = topics_int8(BODY)
    assert [(a.actor, a.stance, a.scores) for a in same.actors] == [(a.actor, a.stance, a.scores) for a in fp32.actors]
    all_int8 = Pipeline.from_pretrained(quantize=True, quantize_stance=True)
    assert all_int8.stance_model.per_text
    int8 = all_int8(BODY)
    assert [a.actor for a in fp32.actors] == [a.actor for a in int8.actors]
    # int8 stance decides by the aggregation rule (the article head reads fp32 vectors): compare with fp32's rule
    assert all_int8.stance.head is None and pipe.stance.head is not None
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
