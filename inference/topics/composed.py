"""What the topic kinds made of other saved topic models (``ensemble`` members, ``routed`` routes) share: the parts are
saved as paths relative to the model's directory, each loaded from its own directory (checking its own manifest), and
encoder sharing with the stance model is delegated to every part."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, ClassVar

from foreign_desk.inference.topics.base import TopicClassifier


class ComposedTopicClassifier(TopicClassifier):
    """Base of the composed kinds; subclasses list their parts (:meth:`parts`) under ``config[part_key]``."""

    part_key: ClassVar[str] = ""
    part_name: ClassVar[str] = "part"

    def parts(self) -> list[TopicClassifier]:
        raise NotImplementedError

    def share_encoder(self, stance_model: Any) -> bool:
        shared = [part.share_encoder(stance_model) for part in self.parts()]  # every part, not the first that shares
        return any(shared)

    def reuse_states(self) -> contextlib.AbstractContextManager[None]:
        stack = contextlib.ExitStack()
        for part in self.parts():
            stack.enter_context(part.reuse_states())
        return stack

    def _save_weights(self, model_dir: Path) -> None:
        for entry in self.config[self.part_key]:
            if not (model_dir / entry["path"] / "config.json").is_file():
                raise ValueError(f"{model_dir}: {self.part_name} {entry['path']} is not a saved model beside it")

    @classmethod
    def load_part(cls, model_dir: Path, path: str, quantize: bool, allow_unverified: bool) -> TopicClassifier:
        """The saved topic model at ``path`` (relative to ``model_dir``); missing: ``FileNotFoundError`` naming both."""
        part_dir = (model_dir / path).resolve()
        if not part_dir.is_dir():
            raise FileNotFoundError(f"{model_dir}: {cls.part_name} not found: {part_dir}")
        return TopicClassifier.from_pretrained(part_dir, quantize=quantize, allow_unverified=allow_unverified)
