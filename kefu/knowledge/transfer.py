"""Import and export of entries as JSON or CSV (one row per entry, spreadsheet friendly)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from kefu.knowledge.entry import LANGS, KbEntry
from kefu.knowledge.errors import KbInvalid

FORMATS = ("json", "csv")
CSV_COLUMNS = [
    "id",
    "question",
    "variants",
    *[f"answer_{lang}" for lang in LANGS],
    "channel_answers",
    "tags",
    "valid_from",
    "valid_to",
]
# variants and tags sit in one cell each, a line per item: readable and editable in a spreadsheet
_LIST_SEP = "\n"


def export_json(entries: Sequence[KbEntry]) -> str:
    return json.dumps({"entries": [e.content() for e in entries]}, ensure_ascii=False, indent=2)


def export_csv(entries: Sequence[KbEntry]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for e in entries:
        data = e.content()
        row: dict[str, Any] = {
            "id": e.id,
            "question": e.question,
            "variants": _LIST_SEP.join(e.variants),
            "channel_answers": (
                json.dumps(data["channel_answers"], ensure_ascii=False) if e.channel_answers else ""
            ),
            "tags": _LIST_SEP.join(e.tags),
            "valid_from": data["valid_from"] or "",
            "valid_to": data["valid_to"] or "",
        }
        for lang in LANGS:
            row[f"answer_{lang}"] = e.answers.get(lang, "")
        writer.writerow(row)
    return out.getvalue()


def parse_json(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise KbInvalid(f"not valid JSON: {exc.msg} (line {exc.lineno})") from None
    records = data.get("entries") if isinstance(data, dict) else data
    if not isinstance(records, list):
        raise KbInvalid('expected a list of entries or {"entries": [...]}')
    return [r if isinstance(r, dict) else {"_bad": r} for r in records]


def parse_csv(text: str) -> list[dict[str, Any]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"id", "question"} - set(reader.fieldnames or [])
    if missing:
        raise KbInvalid(f"CSV header lacks column(s): {', '.join(sorted(missing))}")
    records = []
    for n, row in enumerate(reader, start=2):
        channel_cell = (row.get("channel_answers") or "").strip()
        try:
            channel_answers = json.loads(channel_cell) if channel_cell else {}
        except json.JSONDecodeError:
            raise KbInvalid(f"line {n}: channel_answers is not valid JSON") from None
        records.append(
            {
                "id": (row.get("id") or "").strip(),
                "question": row.get("question") or "",
                "variants": _split(row.get("variants")),
                "answers": {lang: row.get(f"answer_{lang}") or "" for lang in LANGS},
                "channel_answers": channel_answers,
                "tags": _split(row.get("tags")),
                "valid_from": row.get("valid_from") or None,
                "valid_to": row.get("valid_to") or None,
            }
        )
    return records


def _split(cell: str | None) -> list[str]:
    return [part.strip() for part in (cell or "").split(_LIST_SEP) if part.strip()]


def parse(text: str, fmt: str) -> list[dict[str, Any]]:
    if fmt not in FORMATS:
        raise KbInvalid(f"format must be one of {', '.join(FORMATS)}")
    return parse_json(text) if fmt == "json" else parse_csv(text)


def export(entries: Sequence[KbEntry], fmt: str) -> str:
    if fmt not in FORMATS:
        raise KbInvalid(f"format must be one of {', '.join(FORMATS)}")
    return export_json(entries) if fmt == "json" else export_csv(entries)
