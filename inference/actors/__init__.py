"""Actor extraction: find countries, people and organisations in an article and normalise them.

``ActorExtractor.default().extract(text, headline)`` returns an :class:`ActorResult` whose offsets refer to
``headline + "\\n\\n" + text`` (the article's ``full_text``), or to ``text`` when there is no headline.
"""

from foreign_desk.inference.actors.extractor import ActorExtractor
from foreign_desk.inference.actors.gazetteer import Gazetteer, GazetteerError
from foreign_desk.inference.actors.model import Actor, ActorResult, Mention
from foreign_desk.inference.sentences import Sentence

__all__ = ["Actor", "ActorExtractor", "ActorResult", "Gazetteer", "GazetteerError", "Mention", "Sentence"]
