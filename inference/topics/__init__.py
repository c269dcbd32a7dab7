"""Multi-label topic classification of articles (diplomacy, sanctions, territorial_dispute, ...).

>>> from foreign_desk.inference.topics import TopicClassifier
>>> clf = TopicClassifier.from_pretrained("models/topic-minilm")          # or models/topic-tfidf, topic-ensemble
>>> clf.predict([article_or_text])[0].labels

One module per kind (``tfidf``, ``minilm``, ``ensemble``), registered on the saved-model seam
(:mod:`foreign_desk.inference.saved_model`) and imported only when a model of that kind is loaded.
"""

from foreign_desk.inference.topics.base import TopicClassifier, TopicPrediction

__all__ = ["TopicClassifier", "TopicPrediction"]
