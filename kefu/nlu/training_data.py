"""The intent training set: shipped templates (zh and en), noisy copies, and public data.

Everything comes from data/nlu/; nothing here reads evaluation files.
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pypinyin import lazy_pinyin

from kefu.nlu.labels import INTENT_LABELS
from kefu.nlu.lexicon import nlu_data_dir
from kefu.nlu.templates import expand, expand_lines

# Per-template expansion caps: Chinese carries the shop's real traffic, English has public data too.
_LIMITS = {"zh": 14, "en": 10}
_NOISY_SHARE = 0.2
# Share of Chinese template examples also written in toneless pinyin ("kuaidi dao na le"), the way
# customers type when they cannot or will not switch input method; syllables join into words at
# random, as people write "tuikuan" as well as "tui kuan".
_ROMANIZED_SHARE = 0.15
# Share of template examples that also appear behind an intent-neutral lead-in ("是这样的，我上周
# 买了…"): customers often give background before the ask, and without these copies a long
# message reads like the long out-of-scope sentences of the public data.
_CONTEXT_SHARE = 0.25
_CONTEXT_SLOT = {"zh": "ctx", "en": "ctx_en"}
# A lead-in about an order says nothing about these labels' meaning; keep them short and clean.
_NO_CONTEXT = {"greeting", "other"}
_SEED = 20261111
_FINGERPRINTED = (
    "slots.json",
    "homophones.txt",
    "lexicon.json",
    "pinyin_syllables.txt",
    "clauses.json",
)


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: str
    source: str  # "zh", "en", "zh-noisy", "zh-ctx", "en-ctx", "bitext", "clinc150"
    # Examples expanded from one template line share a group; held-out checks split by group so
    # they measure generalization to new phrasings, not to new slot fillers.
    group: str


def _slots(data_dir: Path) -> dict[str, list[str]]:
    raw = json.loads((data_dir / "slots.json").read_text(encoding="utf-8"))
    raw.pop("_comment", None)
    return {k: list(v) for k, v in raw.items()}


def _homophones(data_dir: Path) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for line in (data_dir / "homophones.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        chars = line.split()
        for ch in chars:
            groups.setdefault(ch, []).extend(c for c in chars if c != ch)
    return groups


def _noisy(text: str, homophones: dict[str, list[str]], rng: random.Random) -> str | None:
    spots = [i for i, ch in enumerate(text) if ch in homophones]
    if not spots:
        return None
    i = rng.choice(spots)
    return text[:i] + rng.choice(homophones[text[i]]) + text[i + 1 :]


def _romanized(text: str, rng: random.Random) -> str | None:
    sounds = [s for s in lazy_pinyin(text, errors="ignore") if s.isascii() and s.isalpha()]
    if len(sounds) < 2:
        return None
    words = [sounds[0]]
    for sound in sounds[1:]:
        if rng.random() < 0.5:
            words[-1] += sound
        else:
            words.append(sound)
    return " ".join(words)


def _with_context(
    text: str, lang: str, slots: dict[str, list[str]], rng: random.Random
) -> str | None:
    leads = slots.get(_CONTEXT_SLOT.get(lang, ""), [])
    if not leads:
        return None
    lead = expand(rng.choice(leads), slots, 1, rng)[0]
    joiner = "" if lang == "zh" or lead.endswith(" ") else " "
    return (lead + joiner + text).strip()


def template_files(data_dir: Path | None = None) -> list[Path]:
    base = (data_dir or nlu_data_dir()) / "intents"
    return sorted(base.glob("*/*.txt"))


def public_files(data_dir: Path | None = None) -> list[Path]:
    return sorted(((data_dir or nlu_data_dir()) / "public").glob("*.tsv"))


def _read_public(path: Path) -> Iterable[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.reader(f, delimiter="\t"):
            if len(row) == 2 and row[1] in INTENT_LABELS:
                yield row[0], row[1]


def load_training_set(data_dir: Path | None = None) -> list[Example]:
    """All training examples, deterministic for the same data files."""
    data_dir = data_dir or nlu_data_dir()
    slots = _slots(data_dir)
    homophones = _homophones(data_dir)
    examples: list[Example] = []
    for path in template_files(data_dir):
        lang, label = path.parent.name, path.stem
        if label not in INTENT_LABELS:
            raise ValueError(f"{path}: {label!r} is not a contract intent label")
        lines = path.read_text(encoding="utf-8").splitlines()
        seed = int(hashlib.sha256(str(path.relative_to(data_dir)).encode()).hexdigest()[:8], 16)
        rel = str(path.relative_to(data_dir))
        # the variants (typos, pinyin, context) drawn per file: a line added to one file
        # changes no other file's examples
        rng = random.Random(seed ^ _SEED)
        for number, text in expand_lines(lines, slots, _LIMITS.get(lang, 10), seed):
            group = f"{rel}:{number}"
            examples.append(Example(text, label, lang, group))
            if lang == "zh" and rng.random() < _NOISY_SHARE:
                noisy = _noisy(text, homophones, rng)
                if noisy:
                    examples.append(Example(noisy, label, "zh-noisy", group))
            if lang == "zh" and rng.random() < _ROMANIZED_SHARE:
                romanized = _romanized(text, rng)
                if romanized:
                    examples.append(Example(romanized, label, "zh-pinyin", group))
            if label not in _NO_CONTEXT and rng.random() < _CONTEXT_SHARE:
                longer = _with_context(text, lang, slots, rng)
                if longer:
                    examples.append(Example(longer, label, f"{lang}-ctx", group))
    for path in public_files(data_dir):
        for i, (text, label) in enumerate(_read_public(path)):
            examples.append(Example(text, label, path.stem, f"{path.stem}:{i}"))
    return examples


def training_fingerprint(data_dir: Path | None = None) -> str:
    """A hash of every data file training reads."""
    data_dir = data_dir or nlu_data_dir()
    h = hashlib.sha256()
    files = [data_dir / name for name in _FINGERPRINTED]
    for path in [*files, *template_files(data_dir), *public_files(data_dir)]:
        h.update(str(path.relative_to(data_dir)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()
