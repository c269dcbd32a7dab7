"""A reproducible sample of the relations the product emits on real Reuters world articles, to hand-check precision.

    .venv/bin/python benchmarks/relations_sample.py                      # 30 relations of the held-out half, seed 13
    .venv/bin/python benchmarks/relations_sample.py --half tune --n 60   # the half used while tuning
    .venv/bin/python benchmarks/relations_sample.py --dump all.jsonl --half tune   # every relation of a half

The 430 ``reuters_world`` articles (read from ``../shared/data`` at run time, never copied into the repository) are
split in two halves by a hash of their id: ``tune`` (looked at while tuning the relation model and its filters) and
``heldout`` (only sampled for the final hand-check). Every article of the half runs through the product path of
``Pipeline`` (the actor extractor with the headline, the same mention bound, then the relation model); all
relations of the half are pooled and ``--n`` of them are drawn with ``--seed``. Each line shows holder -> target,
stance, score, the mention texts and the sentence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"


def half_of(article_id: str) -> str:
    """``tune`` or ``heldout``: a fixed split of the articles by a hash of their id."""
    return "tune" if hashlib.sha256(f"relations:{article_id}".encode()).digest()[0] % 2 == 0 else "heldout"


def articles(data: Path, half: str) -> list[dict]:
    rows = []
    with open(data / "reuters_world" / "articles.jsonl", encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            if half == "all" or half_of(row["id"]) == half:
                rows.append({"id": row["id"], "headline": row.get("title") or "", "text": row["text"]})
    return rows


def relations_of(rows: list[dict], model_dir: str | None = None, batch: int = 16) -> list[tuple[str, object]]:
    """``(article id, Relation)`` of every article, through the product path (extractor, mention bound, relations)."""
    from foreign_desk.inference import Pipeline
    from foreign_desk.inference.pipeline import _as_record, _bound_mentions
    from foreign_desk.inference.wire import sanitize_article

    kwargs = {"relation_model": model_dir} if model_dir else {}
    pipe = Pipeline.from_pretrained(**kwargs)
    if pipe.relation_model is None:
        raise SystemExit("no relation model")
    out = []
    for start in range(0, len(rows), batch):
        records = [_as_record(r, start + k) for k, r in enumerate(rows[start : start + batch])]
        arts = [sanitize_article(r.article) for r in records if r.article is not None]
        found = [_bound_mentions(pipe.extractor.extract(a.text, headline=a.headline))[0] for a in arts]
        for art, rels in zip(arts, pipe.relation_model.predict(found), strict=True):
            out += [(art.id, r) for r in rels]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--model", default=None, help="relation model directory (default: the models folder's)")
    parser.add_argument("--half", default="heldout", choices=["tune", "heldout", "all"])
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--dump", type=Path, help="write every relation of the half here (JSONL) instead")
    args = parser.parse_args()

    import torch

    torch.set_num_threads(args.threads)
    rows = articles(args.data, args.half)
    started = time.perf_counter()
    found = relations_of(rows, args.model)
    seconds = time.perf_counter() - started
    if args.dump:
        with open(args.dump, "w", encoding="utf-8") as fh:
            for aid, r in found:
                fh.write(json.dumps({"id": aid, **r.to_dict()}) + "\n")
        print(f"{len(found)} relations of {len(rows)} {args.half} articles -> {args.dump} ({seconds:.0f} s)")
        return
    picked = random.Random(args.seed).sample(found, min(args.n, len(found)))
    print(f"{len(found)} relations in {len(rows)} {args.half} articles ({seconds:.0f} s); {len(picked)} drawn, "
          f"seed {args.seed}:")  # fmt: skip
    for k, (aid, r) in enumerate(picked, 1):
        print(f"{k}. [{aid}] {r.holder} -> {r.target}: {r.stance} ({r.score:.2f}) "
              f"[{r.holder_text} / {r.target_text}]\n   {r.sentence}")  # fmt: skip


if __name__ == "__main__":
    main()
