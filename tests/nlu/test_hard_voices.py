"""A hard check set in voices unlike the dev set and the training templates.

Terse, misspelt, long with the ask last, negated and corrected, pinyin, Cantonese, mixed
Chinese-English, non-native English, questions about other platforms and services, and the hard
label pairs. It is a test file, never training data; floors sit a little under what the model
reaches so a regression in any of those voices fails here.
"""

import json
from pathlib import Path

from rapidfuzz import fuzz, process

from kefu.nlu import NluPipeline
from kefu.nlu.labels import INTENT_LABELS
from kefu.nlu.normalize import normalize
from kefu.nlu.training_data import load_training_set
from kefu.tools.nlu_eval import evaluate_intents, format_report

HARD_SET = Path(__file__).parent / "data" / "hard_voices.jsonl"
ACCURACY_FLOOR = 0.93
LANGUAGE_FLOOR = 0.90
KIND_FLOORS = {
    "pinyin": 0.9,
    "cantonese": 0.85,
    "negation": 0.9,
    "long": 0.9,
    "mixed": 0.9,
    "non_native": 0.9,
}


def _rows() -> list[dict[str, object]]:
    return [json.loads(line) for line in HARD_SET.read_text(encoding="utf-8").splitlines() if line]


def test_hard_set_covers_every_label_language_and_kind() -> None:
    rows = _rows()
    assert {r["intent"] for r in rows} == set(INTENT_LABELS)
    assert {r["lang"] for r in rows} == {"zh-CN", "zh-TW", "en"}
    kinds = {k for r in rows for k in r["kinds"]}  # type: ignore[attr-defined]
    assert set(KIND_FLOORS) | {"out_of_scope", "hard_pair"} <= kinds


def test_understanding_holds_up_in_hard_voices(nlu: NluPipeline) -> None:
    report = evaluate_intents(nlu, HARD_SET)
    detail = format_report(report)
    assert report.accuracy >= ACCURACY_FLOOR, detail
    for lang in ("zh-CN", "zh-TW", "en"):
        assert report.lang_accuracy(lang) >= LANGUAGE_FLOOR, lang
    for kind, floor in KIND_FLOORS.items():
        assert report.kind_accuracy(kind) >= floor, kind


def test_corrections_pinyin_and_greetings_read_as_a_customer_means_them(
    nlu: NluPipeline,
) -> None:
    assert nlu.parse("不是要退货,就想问钱什么时候到账").intent == "refund_status"
    assert nlu.parse("别取消,改个收货地址就行").intent == "change_address"
    assert nlu.parse("tuikuan").intent in {"return_refund", "refund_status"}
    assert nlu.parse("kuaidi dao na le").intent == "logistics"
    assert nlu.parse("我嘅單幾時到").intent in {"order_status", "logistics"}
    for text in ("在吗", "有人吗", "亲"):
        assert nlu.parse(text).intent == "greeting", text


def test_no_training_example_copies_a_hard_sentence() -> None:
    training = sorted({normalize(e.text).normalized for e in load_training_set()})
    copied = []
    for row in _rows():
        text = normalize(str(row["text"])).normalized
        match = process.extractOne(text, training, scorer=fuzz.ratio, score_cutoff=97)
        if match and len(text) > 8:
            copied.append(text)
    assert copied == []
