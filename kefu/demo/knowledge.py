"""The demo shop's knowledge base (data/knowledge/demo_kb.json), times resolved against seeding."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from kefu.domain.timeexpr import resolve
from kefu.knowledge.entry import KbEntry, entry_from_dict
from kefu.resources import data_path

DEMO_KB = data_path("knowledge", "demo_kb.json")


def load_demo_entries(now: datetime, path: Path = DEMO_KB) -> list[KbEntry]:
    """Entries of the shipped file; '-10d'-style validity is relative to ``now``."""
    with path.open(encoding="utf-8") as f:
        records = json.load(f)["entries"]
    entries = []
    for record in records:
        data = dict(record)
        for key in ("valid_from", "valid_to"):
            value = data.get(key)
            if isinstance(value, str) and value[:1] in "+-n":
                data[key] = resolve(value, now).isoformat()
        entries.append(entry_from_dict(data))
    return entries
