"""Topic classifier training (``foreign-desk train configs/topic-*.yaml``) and evaluation.

Exposes the task interface used by :mod:`foreign_desk.training.commands`: ``load_config``, ``train``, ``evaluate``.
"""

from foreign_desk.training.topic.config import TopicConfig, load_config
from foreign_desk.training.topic.evaluate import evaluate
from foreign_desk.training.topic.trainer import train

__all__ = ["TopicConfig", "evaluate", "load_config", "train"]
