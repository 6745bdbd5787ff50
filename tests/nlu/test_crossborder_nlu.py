"""Customers of a cross-border shop write in Japanese, Korean, Spanish, French, German, Russian,
Portuguese, Thai, Vietnamese, Indonesian and Arabic.

The held-out set (data/crossborder_heldout.jsonl) is written in another voice than the training
templates: fuller, politer sentences, other verbs, regional wording. It is a test file, never
training data.
"""

import json
from datetime import date
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

from kefu.nlu import NluPipeline
from kefu.nlu.entities import extract_entities
from kefu.nlu.language import supported_languages
from kefu.nlu.normalize import normalize
from kefu.nlu.training_data import load_training_set
from kefu.tools.nlu_eval import evaluate_intents, format_report

HELD_OUT = Path(__file__).parent / "data" / "crossborder_heldout.jsonl"
NEW_LANGUAGES = ("ja", "ko", "es", "fr", "de", "ru", "pt", "th", "vi", "id", "ar")
LANGUAGE_FLOOR = 0.88
DETECTION_FLOOR = 0.95


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line]


def test_every_new_language_is_supported_and_held_out() -> None:
    assert set(NEW_LANGUAGES) <= set(supported_languages())
    assert {r["lang"] for r in _rows()} == set(NEW_LANGUAGES)


def test_intents_are_understood_in_each_new_language(nlu: NluPipeline) -> None:
    report = evaluate_intents(nlu, HELD_OUT)
    detail = format_report(report)
    for lang in NEW_LANGUAGES:
        assert report.lang_accuracy(lang) >= LANGUAGE_FLOOR, f"{lang}\n{detail}"
    assert report.entity_exact_match == 1.0, detail


def test_the_language_of_held_out_messages_is_detected() -> None:
    rows = _rows()
    wrong = [(r["lang"], r["text"]) for r in rows if normalize(str(r["text"])).lang != r["lang"]]
    assert len(wrong) <= (1 - DETECTION_FLOOR) * len(rows), wrong


def test_no_training_example_copies_a_held_out_sentence() -> None:
    training = sorted({normalize(e.text).normalized for e in load_training_set()})
    copied = []
    for row in _rows():
        if row["intent"] == "greeting":  # "buenas noches" is everyone's
            continue
        text = normalize(str(row["text"])).normalized
        match = process.extractOne(text, training, scorer=fuzz.ratio, score_cutoff=95)
        if match and len(text) > 8:
            copied.append(text)
    assert copied == []


@pytest.mark.parametrize(
    ("text", "key", "value"),
    [
        ("追跡番号 LX123456789CN が止まってる", "tracking_no", "LX123456789CN"),
        ("E2026111100001の荷物はどこ", "order_id", "E2026111100001"),
        ("差額の3000円を返して", "amount", "3000.00"),
        ("me cobraron 25 € de más", "amount", "25.00"),
        ("¿me devuelven los 30 euros?", "amount", "30.00"),
        ("верните 500 рублей", "amount", "500.00"),
        ("คืนเงิน 200 บาท", "amount", "200.00"),
        ("₩15000 환불해 주세요", "amount", "15000.00"),
        ("استرداد 100 ريال", "amount", "100.00"),
    ],
)
def test_ids_and_amounts_are_found_in_other_languages(text: str, key: str, value: str) -> None:
    found = extract_entities(normalize(text).normalized, date(2026, 11, 30))
    assert found.get(key) == value
