from __future__ import annotations

import pytest

from kefu.demo.knowledge import load_demo_entries
from kefu.knowledge import transfer
from kefu.knowledge.entry import entry_from_dict
from kefu.knowledge.errors import KbInvalid
from tests.knowledge.conftest import SEEDED_AT


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_export_then_import_gives_back_the_same_entries(fmt: str) -> None:
    entries = load_demo_entries(SEEDED_AT)
    text = transfer.export(entries, fmt)
    again = [entry_from_dict(r) for r in transfer.parse(text, fmt)]
    assert [e.content() for e in again] == [e.content() for e in entries]


def test_csv_without_required_columns_is_rejected() -> None:
    with pytest.raises(KbInvalid, match="question"):
        transfer.parse("id,answer_en\nx,y\n", "csv")


def test_unknown_format_is_rejected() -> None:
    with pytest.raises(KbInvalid, match="format"):
        transfer.parse("{}", "xml")
