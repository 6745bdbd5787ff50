"""Language of a customer message: zh-CN, zh-TW (written in traditional characters), en, and the
cross-border languages of data/nlu/languages.json (ja, ko, th, ar, ru by script; es, pt, fr, de, vi,
id among Latin-script messages by their own letters and common words).

Toneless pinyin ("kuaidi dao na le", "tuikuan") is Chinese typed without an input method: the
customer reads Chinese, so it counts as zh-CN.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from kefu.nlu.lexicon import load_json, nlu_data_dir
from kefu.nlu.pinyin import split_word

_LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
_CODE = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*\d[A-Za-z0-9]*(?![A-Za-z0-9])")
# Many single English words are pinyin-spellable ("human" hu man, "sure" su re, "name" na me), so a
# message counts as pinyin only with two or more words, none spelt with a syllable that pinyin
# typists hardly write alone but English endings produce ("re", "ce", "se", "te", "o"), and not
# made only of English lookalikes ("he can", "china man").
_ENGLISH_ENDINGS = frozenset({"a", "e", "o", "re", "ce", "se", "te"})
_ENGLISH_LOOKALIKES = frozenset(
    {
        "an", "ban", "bang", "can", "change", "china", "den", "die", "fan", "gang", "hang", "he",
        "hen", "lie", "long", "man", "me", "men", "pen", "pie", "pin", "ran", "run", "she", "shun",
        "sun", "tan", "tie", "you", "zen",
    }
)  # fmt: skip
_MIN_PINYIN_WORDS = 2


def is_han(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def is_pinyin(text: str) -> bool:
    """True when the message reads as toneless pinyin rather than English (see above)."""
    words = re.findall(r"[a-z]+", text.lower())
    if len(words) < _MIN_PINYIN_WORDS:
        return False
    for word in words:
        parts = split_word(word)
        if parts is None or any(p in _ENGLISH_ENDINGS for p in parts):
            return False
    return any(w not in _ENGLISH_LOOKALIKES for w in words)


@dataclass(frozen=True, slots=True)
class _LatinLanguage:
    code: str
    letters: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True, slots=True)
class _Rules:
    scripts: tuple[tuple[str, re.Pattern[str]], ...]
    latin: tuple[_LatinLanguage, ...]


@lru_cache(maxsize=1)
def _rules() -> _Rules:
    raw = load_json("languages.json")
    scripts = tuple(
        (code, re.compile("[" + "".join(ranges) + "]")) for code, ranges in raw["scripts"].items()
    )
    latin = tuple(
        _LatinLanguage(code, frozenset(spec["letters"]), frozenset(spec["words"]))
        for code, spec in raw["latin"].items()
    )
    return _Rules(scripts, latin)


def supported_languages() -> tuple[str, ...]:
    """Every language detection can answer, shop languages first."""
    rules = _rules()
    extra = [code for code, _ in rules.scripts] + [lang.code for lang in rules.latin]
    return ("zh-CN", "zh-TW", "en", *dict.fromkeys(c for c in extra if c != "en"))


# Letters of Latin-script words, accents included ("dónde", "größe", "đơn").
_LATIN_ANY_WORD = re.compile(r"[a-zA-Z\u00c0-\u024f\u1e00-\u1eff']+")
_LETTER_POINTS = 2
_ACCENTED = re.compile(r"[\u00c0-\u024f\u1e00-\u1eff]")
# A script of its own must show this many characters to outweigh Latin words (an "ok" or a
# brand name in a Japanese message does not make it English).
_MIN_SCRIPT_CHARS = 2


def _script_language(text: str, latin_words: int) -> str | None:
    best: tuple[int, str] | None = None
    for code, pattern in _rules().scripts:
        n = len(pattern.findall(text))
        if n and (best is None or n > best[0]):
            best = (n, code)
    if best is None:
        return None
    n, code = best
    # Japanese shows kana in nearly every sentence; its kanji count towards it.
    if code == "ja":
        n += sum(1 for ch in text if is_han(ch))
    if n >= _MIN_SCRIPT_CHARS and n >= latin_words:
        return code
    if latin_words == 0:
        return code
    return None


_TEMPLATE_MARKUP = re.compile(r"\{\w+\}|^\d+:")
_NGRAM_SIZES = (1, 2, 3)


@dataclass(frozen=True, slots=True)
class _Profiles:
    """Character n-gram log-probabilities per Latin-script language, and English's words.

    Both come from the intent training files (data/nlu/intents/<lang>, data/nlu/public), so a
    language added there is recognized without a word list of its own.
    """

    english_words: frozenset[str]
    logprob: dict[str, dict[str, float]]
    unseen: dict[str, float]


def _grams(word: str) -> list[str]:
    padded = f" {word} "
    return [padded[i : i + n] for n in _NGRAM_SIZES for i in range(len(padded) - n + 1)]


@lru_cache(maxsize=1)
def _profiles() -> _Profiles:
    base = nlu_data_dir()
    english: set[str] = set()
    counts: dict[str, Counter[str]] = {}
    for lang in _rules().latin:
        grams: Counter[str] = Counter()
        for path in sorted((base / "intents" / lang.code).glob("*.txt")):
            text = path.read_text(encoding="utf-8").lower()
            for line in text.splitlines():
                if line.startswith("#"):
                    continue
                words = _LATIN_ANY_WORD.findall(_TEMPLATE_MARKUP.sub(" ", line))
                for w in words:
                    grams.update(_grams(w))
                if lang.code == "en":
                    english.update(words)
        counts[lang.code] = grams
    slots = load_json("slots.json")
    english.update(w for v in slots.values() for w in _LATIN_ANY_WORD.findall(" ".join(v).lower()))
    for path in sorted((base / "public").glob("*.tsv")):
        english.update(_LATIN_ANY_WORD.findall(path.read_text(encoding="utf-8").lower()))
    logprob: dict[str, dict[str, float]] = {}
    unseen: dict[str, float] = {}
    for code, grams in counts.items():
        total = sum(grams.values()) + len(grams) + 1
        logprob[code] = {g: math.log((n + 1) / total) for g, n in grams.items()}
        unseen[code] = math.log(1 / total)
    return _Profiles(frozenset(english), logprob, unseen)


def _by_ngrams(words: list[str]) -> str | None:
    profiles = _profiles()
    grams = [g for w in words for g in _grams(w)]
    best: tuple[float, str] | None = None
    for code, table in profiles.logprob.items():
        miss = profiles.unseen[code]
        score = sum(table.get(g, miss) for g in grams)
        if best is None or score > best[0]:
            best = (score, code)
    return None if best is None or best[1] == "en" else best[1]


_NOT_PINYIN_HITS = 3


def _word_hits(text: str) -> int:
    """The most common words of one non-English Latin-script language the text holds."""
    words = _LATIN_ANY_WORD.findall(text.lower())
    return max(
        (sum(1 for w in words if w in lang.words) for lang in _rules().latin if lang.code != "en"),
        default=0,
    )


def latin_language(text: str) -> str | None:
    """es, pt, fr, de, vi or id for a Latin-script message that is not English (zh-CN for
    pinyin that only looked English); else None.

    Letters only one language uses and its common words decide first; a message they leave
    undecided ("storno", "lupa password") goes to character n-grams, but only when some word is
    not an English word, so short English ("see ya", "reset password") stays English.
    """
    lowered = text.lower()
    words = _LATIN_ANY_WORD.findall(lowered)
    best_code, best_score, english, tied = None, 0, 0, False
    for lang in _rules().latin:
        score = sum(1 for w in words if w in lang.words)
        score += _LETTER_POINTS * len(lang.letters.intersection(lowered))
        if lang.code == "en":
            english = score
        elif score > best_score:
            best_code, best_score, tied = lang.code, score, False
        elif score == best_score and score:
            tied = True
    english_words = _profiles().english_words
    foreign = [w for w in words if w.strip("'") not in english_words]
    if best_code is not None and not tied and best_score > english and (foreign or best_score > 1):
        return best_code
    if not foreign:
        return None
    if (
        not _ACCENTED.search(lowered)
        and all(split_word(w) is not None for w in words)
        and any(w not in _ENGLISH_LOOKALIKES for w in foreign)
    ):
        # undecided, not English, and every word spells as pinyin ("denglu mima wang le a")
        return "zh-CN"
    return _by_ngrams(words)


def detect_language(text: str, simplified: str) -> str:
    """`simplified` is `text` after OpenCC t2s: characters that change mark traditional writing."""
    han = sum(1 for ch in text if is_han(ch))
    latin_words = len(_LATIN_WORD.findall(text))
    by_script = _script_language(text, latin_words)
    if by_script is not None:
        return by_script
    # letters inside codes (tax ids, tracking numbers: "91310000MA1FL4XQ3B") are no words
    words_only = _CODE.sub(" ", text)
    if han == 0:
        if not latin_words and not _ACCENTED.search(text):
            return "zh-CN"
        # pinyin first: its syllables include "de", "le", "na" that other languages also write;
        # but "barang saya di mana" (Indonesian) spells as pinyin too, so many common words win
        if not _ACCENTED.search(text) and is_pinyin(text) and _word_hits(text) < _NOT_PINYIN_HITS:
            return "zh-CN"
        return latin_language(words_only) or "en"
    if latin_words > han:
        return latin_language(words_only) or "en"
    changed = sum(1 for a, b in zip(text, simplified, strict=False) if a != b)
    return "zh-TW" if changed else "zh-CN"
