import json
from collections import Counter
from pathlib import Path

from kefu.nlu import INTENT_LABELS
from kefu.nlu.lexicon import nlu_data_dir
from kefu.nlu.training_data import load_training_set, training_fingerprint

# the shared evaluation sets sit beside the checkout (../shared/eval), never inside it
EVAL_DIR = Path(__file__).resolve().parents[3] / "shared" / "eval"


def test_every_label_has_hundreds_of_chinese_and_some_english_examples() -> None:
    examples = load_training_set()
    zh = Counter(e.label for e in examples if e.source.startswith("zh"))
    en = Counter(e.label for e in examples if e.source in ("en", "bitext", "clinc150"))
    assert set(zh) == set(INTENT_LABELS)
    assert min(zh.values()) >= 200
    assert min(en.values()) >= 30


def test_training_set_is_deterministic() -> None:
    assert load_training_set() == load_training_set()
    assert training_fingerprint() == training_fingerprint()


def test_no_evaluation_sentence_is_trained_on() -> None:
    training = {e.text.strip().lower() for e in load_training_set()}
    copied = []
    for path in EVAL_DIR.glob("intents_*.jsonl"):
        for line in path.read_text(encoding="utf-8").splitlines():
            text = json.loads(line)["text"].strip().lower()
            # One-word greetings (在吗, 你好) are everyone's; anything longer must not be copied.
            if len(text) > 2 and text in training:
                copied.append(text)
    assert copied == []


def test_shipped_public_data_has_its_licences() -> None:
    licences = nlu_data_dir().parent / "licenses"
    assert (licences / "bitext-CDLA-Sharing-1.0.txt").exists()
    assert (licences / "clinc150-CC-BY-3.0.txt").exists()


def test_no_template_syntax_leaks_into_training_text() -> None:
    # a nested "[a|[b|c]]" is not template syntax: it would train on the brackets themselves
    leaked = [e.text for e in load_training_set() if any(c in e.text for c in "[]{}|")]
    assert leaked == []
