"""Topic classifier training (``foreign-desk train configs/topic-*.yaml``) and evaluation.

Exposes the task interface used by :mod:`training.commands`: ``load_config``, ``train``, ``evaluate``.
"""

from training.topic.config import TopicConfig, load_config
from training.topic.evaluate import evaluate
from training.topic.trainer import train

__all__ = ["TopicConfig", "evaluate", "load_config", "train"]
