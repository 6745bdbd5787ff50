"""Importing a shop's exports: the example files, re-imports that update, rejected-row reports,
orders kept whole across batches, GB18030 exports, and the admin API (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from kefu.commerce.import_rows import ImportKind
from kefu.resources import data_path
from kefu.store.importer import SqlImporter
from kefu.store.tables.commerce import OrderItemRow, OrderRow
from kefu.wiring import Kefu

EXAMPLES = [
    (ImportKind.PRODUCTS, "products.csv"),
    (ImportKind.CUSTOMERS, "customers.jsonl"),
    (ImportKind.ORDERS, "orders_taobao.csv"),
    (ImportKind.SHIPMENTS, "shipments.csv"),
]


def _import_examples(kefu: Kefu) -> list[dict[str, object]]:
    importer = SqlImporter(kefu.db)
    return [
        importer.import_path(kind, data_path("import", name)).to_dict() for kind, name in EXAMPLES
    ]


def _count(kefu: Kefu, table: type) -> int:
    with kefu.db.session() as s:
        return int(s.scalar(select(func.count()).select_from(table)) or 0)


def test_the_example_exports_import_and_the_bot_sees_them(kefu: Kefu) -> None:
    reports = _import_examples(kefu)
    assert [r["rejected"] for r in reports] == [0, 0, 0, 0]
    order = kefu.commerce.get_order("C2001", "E2026111200001")
    assert order.status == "shipped" and [i.sku for i in order.items] == ["P9001", "P9003"]
    assert order.shipment is not None and order.shipment.tracking_no == "SF2026111200001"
    assert order.shipment.courier == "SF"  # 顺丰速运 in the file
    assert kefu.commerce.get_customer("C2001").identities["wechat"] == "oWx_c2001"
    done = kefu.commerce.get_order("C2003", "E2026111200003")
    # 交易成功 (completed) is past delivered: the shipment file adds the date, not a step back
    assert done.status == "completed" and done.delivered_at is not None
    # the Taobao time 2026-11-11 00:05:12 is Beijing time
    assert order.created_at.isoformat() == "2026-11-10T16:05:12+00:00"


def test_re_importing_updates_rows_instead_of_duplicating_them(kefu: Kefu, tmp_path: Path) -> None:
    _import_examples(kefu)
    orders, items = _count(kefu, OrderRow), _count(kefu, OrderItemRow)
    _import_examples(kefu)
    assert (_count(kefu, OrderRow), _count(kefu, OrderItemRow)) == (orders, items)
    changed = tmp_path / "products.jsonl"
    changed.write_text('{"sku": "P9002", "name": "无线降噪耳机 Pro", "price": "799.00"}\n', "utf-8")
    SqlImporter(kefu.db).import_path(ImportKind.PRODUCTS, changed)
    assert str(kefu.commerce.get_product("P9002").price) == "799.00"


def test_rejected_rows_are_reported_with_line_and_reason_and_the_rest_imported(
    kefu: Kefu,
) -> None:
    _import_examples(kefu)
    text = (
        "订单编号,买家会员名,订单状态,订单创建时间,商家编码,购买数量,价格\n"
        "E2026111300001,C2001,买家已付款,2026-11-12 10:00:00,P9001,1,199.00\n"
        "E2026111300002,C9999,买家已付款,2026-11-12 10:00:00,P9001,1,199.00\n"
        "E2026111300003,C2001,飞走了,2026-11-12 10:00:00,P9001,1,199.00\n"
        "E2026111300004,C2001,买家已付款,昨天,P9001,1,199.00\n"
        "E2026111300005,C2001,买家已付款,2026-11-12 10:00:00,P0000,1,199.00\n"
        "E2026111300006,C2001,买家已付款,2026-11-12 10:00:00,P9001,1,abc\n"
        "E2026111200002,C2001,买家已付款,2026-11-12 10:00:00,P9001,1,199.00\n"
    )
    report = (
        SqlImporter(kefu.db)
        .import_stream(ImportKind.ORDERS, io.BytesIO(text.encode()), "csv")
        .to_dict()
    )
    assert (report["rows"], report["imported"], report["rejected"]) == (7, 1, 6)
    reasons = {e["line"]: e["reason"] for e in report["errors"]}  # type: ignore[union-attr]
    assert "unknown customer C9999" in reasons[3]
    assert "status" in reasons[4] and "飞走了" in reasons[4]
    assert "created_at" in reasons[5]
    assert "unknown sku P0000" in reasons[6]
    assert "unit_price" in reasons[7]
    assert "another customer" in reasons[8]  # C2002's order is not C2001's
    assert kefu.commerce.get_order("C2001", "E2026111300001").status == "paid"
    assert [o.id for o in kefu.commerce.list_orders("C2002")] == ["E2026111200002"]


def test_a_broken_json_line_is_rejected_without_stopping_the_file(kefu: Kefu) -> None:
    lines = (
        b'{"id": "C3001", "name": "A"}\n{not json\n["a list"]\n'
        b'{"id": "C3002"}\n{"id": "C3003", "name": "C"}\n'
    )
    report = SqlImporter(kefu.db).import_stream(ImportKind.CUSTOMERS, io.BytesIO(lines), "jsonl")
    assert (report.imported, report.rejected) == (2, 3)
    assert [e["line"] for e in report.errors] == [2, 3, 4]
    assert "name is missing" in report.errors[2]["reason"]


def test_an_order_is_never_split_across_batches(kefu: Kefu) -> None:
    _import_examples(kefu)
    header = "order_id,customer_id,status,created_at,sku,qty,unit_price\n"
    rows = (
        "".join(
            f"E2026111400001,C2001,paid,2026-11-12T10:00:00+08:00,{sku},1,1.00\n"
            for sku in ("P9001", "P9002", "P9003")
        )
        + "E2026111400002,C2001,paid,2026-11-12T10:00:00+08:00,P9001,1,1.00\n"
    )
    importer = SqlImporter(kefu.db, batch_size=2)
    for _ in range(2):  # and a re-import replaces the items rather than adding them
        importer.import_stream(ImportKind.ORDERS, io.BytesIO((header + rows).encode()), "csv")
    order = kefu.commerce.get_order("C2001", "E2026111400001")
    assert [i.sku for i in order.items] == ["P9001", "P9002", "P9003"]


def test_a_gb18030_export_imports(kefu: Kefu) -> None:
    text = "商家编码,宝贝标题,一口价\nP9100,羊毛围巾,129.00\n"
    report = SqlImporter(kefu.db).import_stream(
        ImportKind.PRODUCTS, io.BytesIO(text.encode("gb18030")), "csv"
    )
    assert report.rejected == 0
    assert kefu.commerce.get_product("P9100").name_zh == "羊毛围巾"


def test_the_admin_api_imports_a_file_for_supervisors_only(client: TestClient) -> None:
    body = data_path("import", "products.csv").read_bytes()
    assert client.post("/api/v1/admin/import/products", content=body).status_code == 401
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.json()['token']}", "Content-Type": "text/csv"}
    r = client.post("/api/v1/admin/import/products", content=body, headers=headers)
    assert r.status_code == 200 and r.json()["imported"] == 3
    bad = client.post("/api/v1/admin/import/planets", content=body, headers=headers)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_import"


def test_the_admin_api_takes_a_shop_export_larger_than_any_other_upload(
    client: TestClient,
) -> None:
    """A real export is megabytes: the body guard's 1 MB upload limit must not stop it."""
    header = "商家编码,宝贝标题,英文名称,类目,一口价,库存,尺码\n"
    rows = "".join(
        f"P{90000 + i},加绒卫衣{i}号 {'款' * 40},Hoodie {i},apparel,199.00,5,S/M\n"
        for i in range(20_000)
    )
    body = (header + rows).encode()
    assert len(body) > 2 * 1024 * 1024
    token = client.post("/api/v1/agent/login", json={"agent_id": "S01", "password": "demo"})
    headers = {"Authorization": f"Bearer {token.json()['token']}", "Content-Type": "text/csv"}
    r = client.post("/api/v1/admin/import/products", content=body, headers=headers)
    assert r.status_code == 200, r.text[:300]
    assert r.json()["imported"] == 20_000
    # without a supervisor's token nothing is read or stored
    assert client.post("/api/v1/admin/import/products", content=body).status_code == 401
