"""The hand-written check set in voices the training templates do not use (terse, rambling, formal,
angry with typos, Taiwan wording, homophone typos, mixed Chinese-English, chat-speak, emoji).

It is a test file, never training data: the floors sit a little under what the model reaches, so
a change that makes the classifier overfit its own templates again fails here.
"""

import json
from pathlib import Path

from rapidfuzz import fuzz, process

from kefu.nlu import NluPipeline
from kefu.nlu.labels import INTENT_LABELS
from kefu.nlu.normalize import normalize
from kefu.nlu.training_data import load_training_set
from kefu.tools.nlu_eval import evaluate_intents

CHECK_SET = Path(__file__).parent / "data" / "voice_check.jsonl"
ACCURACY_FLOOR = 0.94
LANGUAGE_FLOOR = 0.92
ENTITY_FLOOR = 0.95


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in CHECK_SET.read_text(encoding="utf-8").splitlines() if line]


def test_check_set_covers_every_label_in_three_languages() -> None:
    rows = _rows()
    assert len(rows) >= 300
    assert {r["intent"] for r in rows} == set(INTENT_LABELS)
    assert {r["lang"] for r in rows} == {"zh-CN", "zh-TW", "en"}


def test_intents_and_entities_hold_up_in_unseen_voices(nlu: NluPipeline) -> None:
    report = evaluate_intents(nlu, CHECK_SET)
    assert report.accuracy >= ACCURACY_FLOOR
    for lang in ("zh-CN", "zh-TW", "en"):
        assert report.lang_accuracy(lang) >= LANGUAGE_FLOOR, lang
    assert report.entity_exact_match >= ENTITY_FLOOR


def test_no_training_example_copies_a_check_sentence() -> None:
    training = sorted({normalize(e.text).normalized for e in load_training_set()})
    # A handful of very short messages ("物流?", "tell me a joke") are unavoidably common to both.
    copied = []
    for row in _rows():
        text = normalize(str(row["text"])).normalized
        match = process.extractOne(text, training, scorer=fuzz.ratio, score_cutoff=99)
        if match and len(text) > 12:
            copied.append(text)
    assert copied == []
