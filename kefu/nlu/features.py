"""Features for the intent classifier: character n-grams, words, pinyin and message structure.

Character n-grams carry most of the signal for short Chinese messages; words add phrase-level
meaning; pinyin syllable pairs make homophone typos (退宽 tui kuan = 退款 tui kuan) and romanized
messages (tuikuan) look alike. Two structural marks carry what bags of n-grams miss:

- a corrected or negated part ("不是要退货，就想问钱什么时候到账", "don't cancel, just change the
  address") gets its own feature names (`n:` prefix), so what the customer rules out does not count
  as what they ask for;
- the clause that asks is featurized once more (`L` prefix): the last question ("...?") when the
  message has one, else the last clause, since in a long message the ask usually comes last;
- naming another marketplace or service (拼多多, 美团, amazon, uber; data/nlu/lexicon.json) is one
  feature of its own, so "美团外卖怎么退款" can be `other` although 退款 says return_refund.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kefu.nlu.language import is_han
from kefu.nlu.lexicon import load_json, load_lexicon
from kefu.nlu.pinyin import romanized_syllables, syllables

_CHUNK = re.compile(
    r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]+"  # Han, and Japanese kana with its kanji
    r"|[\u0e00-\u0e7f]+"  # Thai: no spaces between words
    r"|[a-z0-9\u00c0-\u024f\u1e00-\u1eff\u0400-\u04ff\u0600-\u06ff\uac00-\ud7a3]+"
    r"(?:['\-][a-z0-9\u00c0-\u024f\u1e00-\u1eff]+)*"
)
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_EN_SUFFIXES = ("ing", "ed", "es", "s")
_LONG_NUMBER = 9


@dataclass(frozen=True, slots=True)
class ClauseRules:
    """data/nlu/clauses.json compiled: clause edges, corrections and questions of every language."""

    edge: re.Pattern[str]
    correction: re.Pattern[str]
    question: re.Pattern[str]


def _joined(patterns: dict[str, list[str]]) -> re.Pattern[str]:
    return re.compile("|".join(p for per_lang in patterns.values() for p in per_lang))


@lru_cache(maxsize=1)
def clause_rules() -> ClauseRules:
    raw = load_json("clauses.json")
    return ClauseRules(
        _joined(raw["edges"]), _joined(raw["corrections"]), _joined(raw["questions"])
    )


_MIN_REST_CHARS = 2


def _stem(word: str) -> str:
    for suffix in _EN_SUFFIXES:
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def clauses(canonical: str) -> list[str]:
    """Non-empty clauses of a message, in order."""
    return [c.strip() for c in clause_rules().edge.split(canonical) if c and c.strip()]


def split_corrections(canonical: str) -> tuple[list[str], list[str]]:
    """(kept clauses, ruled-out clauses); nothing is ruled out unless something is kept."""
    kept: list[str] = []
    ruled_out: list[str] = []
    rules = clause_rules()
    for clause in clauses(canonical):
        if rules.correction.match(clause) and not rules.question.search(clause):
            ruled_out.append(clause)
        else:
            kept.append(clause)
    if not ruled_out or sum(len(c) for c in kept) < _MIN_REST_CHARS:
        return [canonical], []
    return kept, ruled_out


def ask_clause(kept: list[str]) -> str:
    """The clause that most likely holds the ask: the last one ending in "?", else the last one."""
    text = " , ".join(kept)
    mark = text.rfind("?")
    if mark > 0 and text[mark:].strip(" ?!.,~") != "":
        asked = clauses(text[:mark])
        if asked:
            return asked[-1]
    return clauses(text)[-1] if clauses(text) else text


def _surface(text: str, prefix: str, sizes: tuple[int, ...] = (1, 2, 3)) -> list[str]:
    feats: list[str] = []
    for chunk in _CHUNK.findall(text):
        if _KANA.search(chunk) or "\u0e00" <= chunk[0] <= "\u0e7f":
            # Japanese and Thai run words together: character n-grams, as for Chinese
            for size in sizes:
                for i in range(len(chunk) - size + 1):
                    feats.append(prefix + "c:" + chunk[i : i + size])
        elif is_han(chunk[0]):
            n = len(chunk)
            for size in sizes:
                for i in range(n - size + 1):
                    feats.append(prefix + "c:" + chunk[i : i + size])
            sounds = syllables(chunk)
            feats.extend(prefix + "p:" + a + "_" + b for a, b in itertools.pairwise(sounds))
        elif chunk.isdigit():
            # a number's digits say nothing about the ask: their n-grams made random six-digit
            # codes read as complaints. A long one is a phone, an order or a tracking number,
            # which says something; a number the training data knows ("618", "12315") still
            # counts as a word
            if len(chunk) >= _LONG_NUMBER:
                feats.append(prefix + "d:long")
        else:
            padded = f" {chunk} "
            # a Hangul syllable is a whole consonant-vowel block: shorter grams say as much
            for size in (2, 3) if _HANGUL.search(chunk) else (3, 4):
                for i in range(len(padded) - size + 1):
                    feats.append(prefix + "e:" + padded[i : i + size])
    romanized = romanized_syllables(text)
    if romanized:
        # the same names as the pinyin of Chinese characters: "kuaidi" meets "快递"
        feats.extend(prefix + "p:" + a + "_" + b for a, b in itertools.pairwise(romanized))
        feats.extend(prefix + "p1:" + s for s in romanized)
    return feats


def _words(tokens: list[str], prefix: str) -> list[str]:
    words = [_stem(t) if t.isascii() else t for t in tokens]
    feats = [prefix + "w:" + w for w in words]
    feats.extend(prefix + "b:" + a + "_" + b for a, b in itertools.pairwise(words))
    return feats


def extract_features(
    canonical: str, tokens: list[str], tokenize: Callable[[str], list[str]] | None = None
) -> list[str]:
    """Feature strings of one message (duplicates count as term frequency).

    `tokens` are the words of the whole message; `tokenize` segments a part of it, needed only
    when a clause is ruled out (its words then get their own names).
    """
    kept, ruled_out = split_corrections(canonical)
    feats: list[str] = []
    if ruled_out and tokenize is not None:
        for clause in kept:
            feats.extend(_surface(clause, ""))
            feats.extend(_words(tokenize(clause), ""))
        for clause in ruled_out:
            feats.extend(_surface(clause, "n:", (1, 2)))
            feats.extend(_words(tokenize(clause), "n:"))
    else:
        feats.extend(_surface(canonical, ""))
        feats.extend(_words(tokens, ""))
    if ruled_out or len(clauses(canonical)) > 1:
        feats.extend(_surface(ask_clause(kept), "L", (2,)))
    if load_lexicon().names_elsewhere(canonical):
        feats.append("o:elsewhere")
    if not tokens:
        feats.append("empty")
    return feats
