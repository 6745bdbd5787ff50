"""A knowledge-base entry and the validation every way in (API, import, seed, proposals) shares."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from kefu.domain.customers import Lang
from kefu.knowledge.errors import KbInvalid

# the shop's languages, then the cross-border ones (an entry may answer in any; a customer whose
# language an entry lacks gets its English answer, saying so)
LANGS = tuple(lang.value for lang in Lang)
CHANNELS = ("web", "app", "wechat", "douyin", "email", "api")
_ID = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
MAX_TEXT = 4000
MAX_VARIANTS = 50


@dataclass(frozen=True)
class KbEntry:
    id: str
    question: str
    answers: Mapping[str, str]
    variants: tuple[str, ...] = ()
    channel_answers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    tags: tuple[str, ...] = ()
    valid_from: datetime | None = None
    valid_to: datetime | None = None
    version: int = 0
    deleted: bool = False
    updated_at: datetime | None = None
    updated_by: str = "system"

    def texts(self) -> list[str]:
        """What the retriever indexes: the question and every variant."""
        return [self.question, *self.variants]

    def is_valid_at(self, now: datetime) -> bool:
        if self.valid_from is not None and now < self.valid_from:
            return False
        return self.valid_to is None or now < self.valid_to

    def content(self) -> dict[str, Any]:
        """The editable fields as JSON-ready data (export, snapshots, equality of content)."""
        return {
            "id": self.id,
            "question": self.question,
            "variants": list(self.variants),
            "answers": dict(self.answers),
            "channel_answers": {ch: dict(a) for ch, a in self.channel_answers.items()},
            "tags": list(self.tags),
            "valid_from": _iso(self.valid_from),
            "valid_to": _iso(self.valid_to),
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.content(),
            "version": self.version,
            "deleted": self.deleted,
            "updated_at": _iso(self.updated_at),
            "updated_by": self.updated_by,
        }

    def stamped(self, version: int, at: datetime, actor: str, deleted: bool = False) -> KbEntry:
        return replace(self, version=version, updated_at=at, updated_by=actor, deleted=deleted)


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.astimezone(UTC).isoformat()


def parse_time(value: Any, name: str) -> datetime | None:
    """ISO-8601 text or a datetime; a time without a zone is taken as UTC."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise KbInvalid(f"{name}: not an ISO-8601 time: {value!r}") from None
    else:
        raise KbInvalid(f"{name}: expected an ISO-8601 time")
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _text(value: Any, name: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str):
        raise KbInvalid(f"{name}: expected text")
    text = value.strip()
    if required and not text:
        raise KbInvalid(f"{name}: must not be empty")
    if len(text) > MAX_TEXT:
        raise KbInvalid(f"{name}: longer than {MAX_TEXT} characters")
    return text


def _str_list(value: Any, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise KbInvalid(f"{name}: expected a list of texts")
    items = [_text(v, f"{name}[{i}]") for i, v in enumerate(value)]
    if len(items) > MAX_VARIANTS:
        raise KbInvalid(f"{name}: at most {MAX_VARIANTS} items")
    return tuple(dict.fromkeys(items))  # drop duplicates, keep order


def _answers(value: Any, name: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise KbInvalid(f"{name}: expected an object of language -> text")
    out: dict[str, str] = {}
    for lang, text in value.items():
        if lang not in LANGS:
            raise KbInvalid(f"{name}: unknown language {lang!r} (use one of {', '.join(LANGS)})")
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        out[lang] = _text(text, f"{name}.{lang}")
    return out


def entry_from_dict(data: Any, *, entry_id: str | None = None) -> KbEntry:
    """Validate client data into an entry (version 0: the store numbers versions)."""
    if not isinstance(data, Mapping):
        raise KbInvalid("an entry must be a JSON object")
    raw_id = entry_id if entry_id is not None else data.get("id")
    if not isinstance(raw_id, str) or not _ID.match(raw_id):
        raise KbInvalid("id: 1-64 characters of a-z, 0-9, '-', '_' or '.', starting alphanumeric")
    answers = _answers(data.get("answers"), "answers")
    if not answers:
        raise KbInvalid("answers: give at least one answer (zh-CN or en)")
    channel_raw = data.get("channel_answers") or {}
    if not isinstance(channel_raw, Mapping):
        raise KbInvalid("channel_answers: expected an object of channel -> language -> text")
    channel_answers: dict[str, dict[str, str]] = {}
    for channel, per_lang in channel_raw.items():
        if channel not in CHANNELS:
            raise KbInvalid(f"channel_answers: unknown channel {channel!r}")
        parsed = _answers(per_lang, f"channel_answers.{channel}")
        if parsed:
            channel_answers[channel] = parsed
    valid_from = parse_time(data.get("valid_from"), "valid_from")
    valid_to = parse_time(data.get("valid_to"), "valid_to")
    if valid_from and valid_to and valid_to <= valid_from:
        raise KbInvalid("valid_to must be after valid_from")
    question = _text(data.get("question"), "question")
    variants = tuple(v for v in _str_list(data.get("variants"), "variants") if v != question)
    return KbEntry(
        id=raw_id,
        question=question,
        answers=answers,
        variants=variants,
        channel_answers=channel_answers,
        tags=_str_list(data.get("tags"), "tags"),
        valid_from=valid_from,
        valid_to=valid_to,
    )


def entry_from_snapshot(data: Mapping[str, Any]) -> KbEntry:
    """Rebuild a stored entry (trusted data written by ``to_dict``)."""
    entry = entry_from_dict(data)
    return replace(
        entry,
        version=int(data.get("version", 0)),
        deleted=bool(data.get("deleted", False)),
        updated_at=parse_time(data.get("updated_at"), "updated_at"),
        updated_by=str(data.get("updated_by", "system")),
    )
