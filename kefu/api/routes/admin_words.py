"""Admin API of sensitive words: the shipped lexicons (read-only) and the shop's own words.

A shop word is masked (or replaced) in everything the bot says, and a shop word of category
``profanity`` also marks a customer's message as abusive, on every worker within a second.
"""

from __future__ import annotations

import unicodedata
from functools import cache
from typing import Any

from fastapi import APIRouter, Depends, Request, Response

from kefu.api.auth import current_admin
from kefu.api.deps import kefu_of
from kefu.api.schemas.desk import MAX_WORD, WordIn, WordOut, error_responses
from kefu.dialogue.safety import CATEGORY_KINDS, Word, shipped_words
from kefu.domain.errors import ClientError, Problem
from kefu.edge.problems import Conflict, NotFound
from kefu.store.safety_repo import SqlSensitiveWords

router = APIRouter(
    prefix="/api/v1/admin/sensitive-words",
    tags=["admin"],
    dependencies=[Depends(current_admin)],
)

CATEGORIES = tuple(CATEGORY_KINDS)


class InvalidWord(ClientError):
    problem = Problem.UNPROCESSABLE
    code = "invalid_word"


def _store(request: Request) -> SqlSensitiveWords:
    store: SqlSensitiveWords = kefu_of(request).sensitive_words
    return store


@cache
def _shipped() -> dict[str, Word]:
    return {w.word: w for w in shipped_words()}


def _clean_text(value: Any, field: str, required: bool) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip() and not required):
        if required:
            raise InvalidWord(f"{field} is required")
        return None
    if not isinstance(value, str):
        raise InvalidWord(f"{field} must be a string")
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        raise InvalidWord(f"{field} must not be empty")
    if len(text) > MAX_WORD:
        raise InvalidWord(f"{field} is longer than {MAX_WORD} characters")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise InvalidWord(f"{field} must not contain control characters")
    return text


def _parse(body: WordIn) -> Word:
    word = _clean_text(body.word, "word", required=True)
    assert word is not None
    if body.category not in CATEGORIES:
        raise InvalidWord(f"category must be one of {', '.join(CATEGORIES)}")
    replacement = _clean_text(body.replacement, "replacement", required=False)
    # the filter matches lower-cased text: store the word as it will be matched
    return Word(word.lower(), str(body.category), replacement)


def _wire(word: Word, source: str) -> dict[str, Any]:
    return {
        "word": word.word,
        "category": word.category,
        "replacement": word.replacement,
        "source": source,
    }


@router.get("", response_model=list[WordOut], responses=error_responses(401, 403))
def list_words(request: Request) -> list[dict[str, Any]]:
    """Shipped words (source "shipped"; allowed phrases are not listed) and the shop's ("shop")."""
    shipped = [_wire(w, "shipped") for w in _shipped().values() if w.category in CATEGORY_KINDS]
    return shipped + [_wire(w, "shop") for w in _store(request).list()]


@router.post(
    "",
    status_code=201,
    response_model=WordOut,
    responses={
        200: {"model": WordOut, "description": "an existing shop word changed"},
        **error_responses(401, 403, 409, 422),
    },
)
def add_word(request: Request, body: WordIn, response: Response) -> dict[str, Any]:
    """Add a shop word (201), or change an existing one's category or replacement (200)."""
    word = _parse(body)
    shipped = _shipped().get(word.word)
    if shipped is not None:
        what = "an allowed phrase" if shipped.category == "allow" else "already filtered"
        raise Conflict(f"{word.word!r} is a shipped word ({what}); shipped words cannot change")
    created = _store(request).put(word)
    if not created:
        response.status_code = 200
    return _wire(word, "shop")


@router.delete(
    "/{word:path}",
    status_code=204,
    response_class=Response,
    responses=error_responses(401, 403, 404, 409),
)
def delete_word(request: Request, word: str) -> Response:
    key = unicodedata.normalize("NFKC", word).strip().lower()
    if key in _shipped():
        raise Conflict(
            f"{key!r} is shipped with kefu (data/safety/) and cannot be removed here; "
            "only the shop's own words can"
        )
    if not _store(request).remove(key):
        raise NotFound(f"no shop word {key!r}")
    return Response(status_code=204)
