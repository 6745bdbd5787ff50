"""Importing overseas customers: their time zone and currency come with the profile; a zone or
currency that does not exist is a rejected row, reported, not a broken profile."""

from __future__ import annotations

import json
from pathlib import Path

from kefu.commerce.import_rows import ImportKind
from kefu.store.importer import SqlImporter
from kefu.wiring import Kefu


def test_customers_import_with_their_zone_and_currency(kefu: Kefu, tmp_path: Path) -> None:
    rows = [
        {"id": "C8801", "name": "山田 花子", "lang": "ja", "时区": "Asia/Tokyo", "币种": "jpy"},
        {"id": "C8802", "name": "Marta", "lang": "es", "timezone": "Europe/Atlantis"},
        {"id": "C8803", "name": "Omar", "lang": "ar", "currency": "dinar"},
    ]
    path = tmp_path / "customers.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    report = SqlImporter(kefu.db).import_path(ImportKind.CUSTOMERS, path).to_dict()
    assert report["imported"] == 1 and report["rejected"] == 2
    reasons = " ".join(str(r) for r in report["errors"])  # type: ignore[attr-defined]
    assert "Europe/Atlantis" in reasons and "dinar" in reasons
    customer = kefu.commerce.get_customer("C8801")
    assert (customer.lang, customer.timezone, customer.currency) == ("ja", "Asia/Tokyo", "JPY")
