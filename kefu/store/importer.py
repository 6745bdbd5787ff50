"""Writes a shop's export files into the order book in batches: streaming, idempotent (a re-import
updates rows by their ids), every rejected row reported with its line and reason.

Order files have one line per order item, and the lines of one order follow each other, as
platform exports write them; an order is never split across two batches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO, cast

from sqlalchemy import Table, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from kefu.commerce.events import OrderEventType, status_after
from kefu.commerce.import_rows import (
    VALIDATORS,
    ImportKind,
    RowRejected,
    canonical,
    format_of,
    read_rows,
)
from kefu.domain.orders import OrderStatus
from kefu.store.db import Database
from kefu.store.tables.base import Base
from kefu.store.tables.commerce import (
    ChannelIdentityRow,
    CustomerRow,
    OrderItemRow,
    OrderRow,
    ProductRow,
    ShipmentRow,
)

MAX_REPORTED = 1000  # rejected rows listed one by one; beyond that only counted
Progress = Callable[[int], None]


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    imported: int = 0
    rejected: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def reject(self, line: int, reason: str) -> None:
        self.rejected += 1
        if len(self.errors) < MAX_REPORTED:
            self.errors.append({"line": line, "reason": reason})

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "rows": self.rows,
            "imported": self.imported,
            "rejected": self.rejected,
            "errors": self.errors,
            "errors_truncated": self.rejected > len(self.errors),
        }


Line = tuple[int, dict[str, Any]]


class SqlImporter:
    def __init__(self, db: Database, batch_size: int = 2000) -> None:
        self.db = db
        self.batch_size = batch_size
        self._dialect = db.engine.dialect.name

    def import_path(
        self, kind: ImportKind, path: Path, progress: Progress | None = None
    ) -> ImportReport:
        with path.open("rb") as raw:
            return self.import_stream(kind, raw, format_of(path), progress)

    def import_stream(
        self, kind: ImportKind, raw: BinaryIO, fmt: str, progress: Progress | None = None
    ) -> ImportReport:
        report = ImportReport(kind.value)
        validate = VALIDATORS[kind]
        write = {
            ImportKind.PRODUCTS: self._products,
            ImportKind.CUSTOMERS: self._customers,
            ImportKind.ORDERS: self._orders,
            ImportKind.SHIPMENTS: self._shipments,
        }[kind]

        def valid_lines() -> Iterator[Line]:
            for number, row in read_rows(raw, fmt):
                report.rows += 1
                try:
                    yield number, validate(canonical(kind, row))
                except RowRejected as exc:
                    report.reject(number, str(exc))

        for batch in self._batches(kind, valid_lines()):
            with self.db.session() as s:
                write(s, batch, report)
            if progress is not None:
                progress(report.rows)
        return report

    def _batches(self, kind: ImportKind, lines: Iterable[Line]) -> Iterator[list[Line]]:
        batch: list[Line] = []
        for line in lines:
            if (
                len(batch) >= self.batch_size
                # the lines of one order stay together
                and (
                    kind is not ImportKind.ORDERS or batch[-1][1]["order_id"] != line[1]["order_id"]
                )
            ):
                yield batch
                batch = []
            batch.append(line)
        if batch:
            yield batch

    # ---- upserts -----------------------------------------------------------------------------
    def _upsert(
        self, s: Session, table: type[Base], rows: list[dict[str, Any]], keys: list[str]
    ) -> None:
        if not rows:
            return
        upsert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        # Core, not the ORM's bulk path: one executemany per batch, no per-row ORM bookkeeping
        stmt = upsert(_table(table))
        changed = {c: stmt.excluded[c] for c in rows[0] if c not in keys}
        s.execute(stmt.on_conflict_do_update(index_elements=keys, set_=changed), rows)

    def _last_wins(self, batch: list[Line], key: str) -> list[Line]:
        """A key twice in one batch: the later line is the newer (one statement, one row)."""
        seen: dict[Any, Line] = {}
        for line in batch:
            seen[line[1][key]] = line
        return list(seen.values())

    def _products(self, s: Session, batch: list[Line], report: ImportReport) -> None:
        lines = self._last_wins(batch, "sku")
        self._upsert(s, ProductRow, [row for _, row in lines], ["sku"])
        report.imported += len(batch)

    def _customers(self, s: Session, batch: list[Line], report: ImportReport) -> None:
        now = datetime.now(UTC)
        lines = self._last_wins(batch, "id")
        rows = [
            {k: v for k, v in row.items() if k != "identities"} | {"created_at": now}
            for _, row in lines
        ]
        upsert = postgresql.insert if self._dialect == "postgresql" else sqlite.insert
        stmt = upsert(_table(CustomerRow))
        # a re-import keeps when the customer was first seen
        changed = {c: stmt.excluded[c] for c in rows[0] if c not in ("id", "created_at")}
        s.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changed), rows)
        identities = {
            (channel, user_id): row["id"]
            for _, row in lines
            for channel, user_id in row["identities"].items()
        }
        self._upsert(
            s,
            ChannelIdentityRow,
            [
                {"channel": c, "channel_user_id": u, "customer_id": cid}
                for (c, u), cid in identities.items()
            ],
            ["channel", "channel_user_id"],
        )
        report.imported += len(batch)

    def _orders(self, s: Session, batch: list[Line], report: ImportReport) -> None:
        customers = {row["customer_id"] for _, row in batch}
        skus = {row["item"]["sku"] for _, row in batch}
        known_customers = set(
            s.scalars(select(CustomerRow.id).where(CustomerRow.id.in_(customers)))
        )
        known_skus = set(s.scalars(select(ProductRow.sku).where(ProductRow.sku.in_(skus))))
        owners = _pairs(
            s.execute(
                select(OrderRow.id, OrderRow.customer_id).where(
                    OrderRow.id.in_({row["order_id"] for _, row in batch})
                )
            )
        )
        orders: dict[str, dict[str, Any]] = {}
        items: list[dict[str, Any]] = []
        for number, row in batch:
            order_id = row["order_id"]
            if row["customer_id"] not in known_customers:
                report.reject(
                    number, f"unknown customer {row['customer_id']}: import customers first"
                )
                continue
            if row["item"]["sku"] not in known_skus:
                report.reject(number, f"unknown sku {row['item']['sku']}: import products first")
                continue
            if owners.get(order_id, row["customer_id"]) != row["customer_id"]:
                report.reject(number, f"order {order_id} belongs to another customer")
                continue
            first = orders.setdefault(order_id, {k: v for k, v in row.items() if k != "item"})
            if first["customer_id"] != row["customer_id"]:
                report.reject(number, f"order {order_id} has lines for two customers")
                continue
            items.append({"order_id": order_id, **row["item"]})
            report.imported += 1
        if not orders:
            return
        rows = [
            {**{k: v for k, v in o.items() if k != "order_id"}, "id": o["order_id"]}
            for o in orders.values()
        ]
        self._upsert(s, OrderRow, rows, ["id"])
        # re-importing an order replaces its items with the file's
        s.execute(delete(OrderItemRow).where(OrderItemRow.order_id.in_(list(orders))))
        s.execute(insert(_table(OrderItemRow)), items)

    def _shipments(self, s: Session, batch: list[Line], report: ImportReport) -> None:
        lines = self._last_wins(batch, "order_id")
        order_ids = {row["order_id"] for _, row in lines}
        orders = {o.id: o for o in s.scalars(select(OrderRow).where(OrderRow.id.in_(order_ids)))}
        tracking_owner = _pairs(
            s.execute(
                select(ShipmentRow.tracking_no, ShipmentRow.order_id).where(
                    ShipmentRow.tracking_no.in_({row["tracking_no"] for _, row in lines})
                )
            )
        )
        rows: list[dict[str, Any]] = []
        for number, row in lines:
            order = orders.get(row["order_id"])
            if order is None:
                report.reject(number, f"unknown order {row['order_id']}: import orders first")
                continue
            if tracking_owner.get(row["tracking_no"], row["order_id"]) != row["order_id"]:
                report.reject(
                    number, f"tracking number {row['tracking_no']} belongs to another order"
                )
                continue
            rows.append(row)
            order.shipped_at = order.shipped_at or row["shipped_at"]
            current = OrderStatus(order.status)
            target = status_after(current, OrderEventType.SHIPPED)
            if row["delivered_at"] is not None:
                order.delivered_at = order.delivered_at or row["delivered_at"]
                target = status_after(target or current, OrderEventType.DELIVERED) or target
            if target is not None:
                order.status = target.value
            report.imported += 1
        report.imported += len(batch) - len(lines)  # earlier duplicates of a line that won
        s.flush()
        self._upsert(s, ShipmentRow, rows, ["order_id"])


def _pairs(result: Iterable[Any]) -> dict[Any, Any]:
    return {key: value for key, value in result}


def _table(entity: type[Base]) -> Table:
    return cast(Table, entity.__table__)
