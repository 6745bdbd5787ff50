"""The NLU pipeline: text -> Understanding (language, intent, entities, sentiment, tokens)."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kefu.domain.catalog import Product
from kefu.nlu import entities as entities_module
from kefu.nlu import features as features_module
from kefu.nlu import intent_model as intent_model_module
from kefu.nlu import pinyin as pinyin_module
from kefu.nlu.dates import local_today
from kefu.nlu.entities import extract_entities
from kefu.nlu.features import extract_features
from kefu.nlu.gazetteer import Gazetteer
from kefu.nlu.intent_model import IntentModel, train_intent_model
from kefu.nlu.labels import INTENT_LABELS
from kefu.nlu.lexicon import load_lexicon
from kefu.nlu.normalize import normalize
from kefu.nlu.segment import Segmenter
from kefu.nlu.sentiment import analyze_sentiment
from kefu.nlu.training_data import load_training_set, training_fingerprint
from kefu.texts.zone import DEFAULT_SHOP_TIMEZONE

log = logging.getLogger(__name__)

# Bump when a change to the pipeline's code changes what the trained model means.
MODEL_VERSION = "nlu-6"


@dataclass(frozen=True, slots=True)
class Understanding:
    text: str
    normalized: str
    lang: str
    intent: str
    confidence: float
    ranked: tuple[tuple[str, float], ...]
    entities: dict[str, Any]
    product_skus: tuple[str, ...]
    sentiment: str
    anger: float
    tokens: tuple[str, ...]


def _code_fingerprint() -> str:
    h = hashlib.sha256(MODEL_VERSION.encode())
    for module in (features_module, intent_model_module, entities_module, pinyin_module):
        h.update(Path(str(module.__file__)).read_bytes())
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


class NluPipeline:
    def __init__(
        self,
        segmenter: Segmenter,
        model: IntentModel,
        gazetteer: Gazetteer,
        timezone: str = DEFAULT_SHOP_TIMEZONE,
    ) -> None:
        self._segmenter = segmenter
        self._model = model
        self._gazetteer = gazetteer
        self._timezone = timezone
        self._lexicon = load_lexicon()

    @classmethod
    def load(
        cls,
        products: Sequence[Product],
        cache_dir: Path | None = None,
        timezone: str = DEFAULT_SHOP_TIMEZONE,
    ) -> NluPipeline:
        """Build the pipeline; train the intent model unless `cache_dir` holds a current one."""
        started = time.perf_counter()
        extra_words = [w for p in products for w in (p.name_zh, *p.aliases)]
        segmenter = Segmenter(load_lexicon(), extra_words, cache_dir)
        gazetteer = Gazetteer(products)
        key = hashlib.sha256(
            (training_fingerprint() + _code_fingerprint() + "|".join(sorted(extra_words))).encode()
        ).hexdigest()[:16]
        path = cache_dir / f"intent-model-{key}.npz" if cache_dir is not None else None
        model: IntentModel | None = None
        if path is not None and path.exists():
            try:
                model = IntentModel.load(path)
            except (OSError, ValueError, KeyError) as exc:
                log.warning("nlu: cached model %s unreadable (%s); retraining", path.name, exc)
        if model is None:
            pipeline = cls(segmenter, _EMPTY_MODEL, gazetteer, timezone)
            examples = load_training_set()
            docs = [pipeline.features(e.text) for e in examples]
            model = train_intent_model(
                docs,
                [e.label for e in examples],
                [e.group for e in examples],
                INTENT_LABELS,
                release_docs=True,
            )
            if path is not None:
                model.save(path)
            log.info("nlu: trained intent model on %d examples", len(examples))
        log.info("nlu: ready in %.2f s", time.perf_counter() - started)
        return cls(segmenter, model, gazetteer, timezone)

    @property
    def labels(self) -> tuple[str, ...]:
        return self._model.labels

    def _canonical(self, normalized: str) -> str:
        return self._lexicon.fix_typos(normalized)

    def segment(self, text: str) -> list[str]:
        """Normalized, typo-fixed, synonym-mapped tokens (for retrieval as well as intents)."""
        return self._segmenter.tokens(self._canonical(normalize(text).normalized))

    def features(self, text: str) -> list[str]:
        canonical = self._canonical(normalize(text).normalized)
        tokenize = self._segmenter.tokens
        return extract_features(canonical, tokenize(canonical), tokenize)

    def parse(self, text: str, now: datetime | None = None) -> Understanding:
        norm = normalize(text)
        canonical = self._canonical(norm.normalized)
        tokens = self._segmenter.tokens(canonical)
        feats = extract_features(canonical, tokens, self._segmenter.tokens)
        probs = self._model.probabilities(feats)
        order = probs.argsort()[::-1][:3]
        ranked = tuple((self._model.labels[i], round(float(probs[i]), 4)) for i in order)
        mentions = self._gazetteer.find(norm.normalized)
        today = local_today(now or datetime.now(UTC), self._timezone)
        found = extract_entities(norm.normalized, today, [(m.start, m.end) for m in mentions])
        skus: list[str] = []
        positions = [(m.start, m.skus) for m in mentions]
        if "sku" in found:
            positions.append((norm.normalized.find(found["sku"].lower()), (found["sku"],)))
        for _, mention_skus in sorted(positions, key=lambda p: p[0]):
            skus.extend(s for s in mention_skus if s not in skus)
        if mentions:
            found["product"] = norm.original_span(mentions[0].start, mentions[0].end).strip()
        mood = analyze_sentiment(text, norm.normalized)
        return Understanding(
            text=text,
            normalized=norm.normalized,
            lang=norm.lang,
            intent=ranked[0][0],
            confidence=ranked[0][1],
            ranked=ranked,
            entities=found,
            product_skus=tuple(skus),
            sentiment=mood.label,
            anger=mood.anger,
            tokens=tuple(tokens),
        )


def _empty_model() -> IntentModel:
    import numpy as np

    n = len(INTENT_LABELS)
    return IntentModel(
        INTENT_LABELS,
        {},
        np.zeros(0, np.float32),
        np.zeros((0, n), np.float32),
        np.zeros(n, np.float32),
        1.0,
    )


# Used only to featurize training text before a model exists.
_EMPTY_MODEL = _empty_model()
