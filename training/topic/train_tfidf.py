"""Baseline: TF-IDF word + char n-grams, one-vs-rest logistic regression with balanced class weights."""

from __future__ import annotations

import logging
import time

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline

from foreign_desk.inference.topics.tfidf import TfidfTopicClassifier
from foreign_desk.training.topic.config import TfidfParams, TopicConfig
from foreign_desk.training.topic.data import TopicData
from foreign_desk.training.topic.metrics import decide, multilabel_report, thresholds_for

log = logging.getLogger(__name__)


def build_pipeline(params: TfidfParams, seed: int) -> Pipeline:
    features = [
        (
            "word",
            TfidfVectorizer(
                ngram_range=tuple(params.word_ngram_range),
                max_features=params.max_features_word,
                min_df=params.min_df,
                sublinear_tf=params.sublinear_tf,
                strip_accents="unicode",
                dtype=np.float32,
            ),
        )
    ]
    if params.char_ngram_range:
        features.append(
            (
                "char",
                TfidfVectorizer(
                    analyzer="char_wb",
                    ngram_range=tuple(params.char_ngram_range),
                    max_features=params.max_features_char,
                    min_df=params.min_df,
                    sublinear_tf=params.sublinear_tf,
                    lowercase=True,
                    dtype=np.float32,
                ),
            )
        )
    lr = LogisticRegression(
        C=params.C, class_weight=params.class_weight, max_iter=params.max_iter, solver="liblinear", random_state=seed
    )
    return Pipeline([("features", FeatureUnion(features)), ("clf", OneVsRestClassifier(lr))])


def _drop_stop_words(pipeline: Pipeline) -> None:
    """``stop_words_`` (every pruned term) is only for introspection and would bloat the saved file."""
    for _, vec in pipeline.named_steps["features"].transformer_list:
        if hasattr(vec, "stop_words_"):
            del vec.stop_words_


def train_tfidf(config: TopicConfig, data: TopicData, resume: bool = False) -> tuple[TfidfTopicClassifier, dict]:
    """Fit on train, tune thresholds on dev. (Fitting takes seconds; ``resume`` simply refits.)"""
    params: TfidfParams = config.model  # type: ignore[assignment]
    started = time.perf_counter()
    clf = TfidfTopicClassifier(
        config.labels, build_pipeline(params, config.seed), strip_dateline=config.data.strip_dateline
    )
    train_texts = [f"{h}\n\n{b}" if h else b for h, b in data.texts("train")]
    log.info("fitting TF-IDF + logistic regression on %d articles", len(train_texts))
    clf.pipeline.fit(train_texts, data.y("train"))
    _drop_stop_words(clf.pipeline)
    dev_texts = [f"{h}\n\n{b}" if h else b for h, b in data.texts("dev")]
    proba = clf.pipeline.predict_proba(dev_texts)
    clf.thresholds = thresholds_for(config, data.y("dev"), proba, config.labels, data.splits["dev"]["source"])
    report = multilabel_report(
        data.y("dev"), decide(proba, clf.thresholds, config.labels), config.labels, config.core_labels
    )
    entry = {
        "epoch": 1,
        "dev_macro_f1": report["macro_f1"],
        "dev_core_macro_f1": report["averages"].get("core_macro", {}).get("f1"),
    }
    log.info("dev: %s", entry)
    return clf, {"training_seconds": time.perf_counter() - started, "history": [entry], "best_epoch": 1}
