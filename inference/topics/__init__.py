"""Multi-label topic classification of articles (diplomacy, sanctions, territorial_dispute, ...).

>>> from foreign_desk.inference.topics import TopicClassifier
>>> clf = TopicClassifier.from_pretrained("models/topic-minilm")          # or models/topic-tfidf
>>> clf.predict([article_or_text])[0].labels
"""

from foreign_desk.inference.topics.base import TopicClassifier, TopicPrediction

__all__ = ["TopicClassifier", "TopicPrediction"]
