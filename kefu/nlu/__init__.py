"""Natural-language understanding: text -> normalized text, language, intent, entities, mood."""

from kefu.nlu.labels import ENTITY_KEYS, INTENT_LABELS
from kefu.nlu.normalize import Normalized, normalize
from kefu.nlu.pipeline import NluPipeline, Understanding

__all__ = [
    "ENTITY_KEYS",
    "INTENT_LABELS",
    "NluPipeline",
    "Normalized",
    "Understanding",
    "normalize",
]
