"""Personal data in the database: lookup by phone, re-encryption, a customer's export and erasure,
and retention.

Erasure and retention anonymise rather than delete: orders, refunds and invoices stay for the
shop's accounts (and the law on them), but nothing left points to a person: no name, phone,
e-mail, address, tax details, channel identity or message text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, Text, delete, or_, select, text, type_coerce, update
from sqlalchemy.orm import Session

from kefu.privacy.keyring import DataKeyring, normalize_phone
from kefu.store.db import Database
from kefu.store.encrypted import keyring
from kefu.store.tables.channels import ChannelCallbackRow, InboundReceiptRow, OutboundDeliveryRow
from kefu.store.tables.commerce import (
    AfterSalesRequestRow,
    ChannelIdentityRow,
    CustomerRow,
    OrderEventRow,
    OrderRow,
)
from kefu.store.tables.conversations import ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow, TicketRow
from kefu.store.tables.knowledge import UncoveredQuestionRow
from kefu.store.tables.notes import ConversationNoteRow

ERASED = "[erased]"  # what an agent sees where erased text was
ERASED_NAME = "(erased)"
# orders in these states are over: their delivery address is no longer needed
_FINISHED = ("delivered", "completed", "cancelled", "refunded")


@dataclass
class RetentionReport:
    messages: int = 0
    orders: int = 0
    requests: int = 0
    customers: int = 0

    def to_wire(self) -> dict[str, int]:
        return {
            "messages": self.messages,
            "orders": self.orders,
            "requests": self.requests,
            "customers": self.customers,
        }


# (table, primary key, column, purpose) of every encrypted column, for re-encryption
def _encrypted_columns() -> list[tuple[Table, str, str, str]]:
    return [
        (CustomerRow.__table__, "id", "phone", "customers.phone"),  # type: ignore[list-item]
        (OrderRow.__table__, "id", "address", "orders.address"),  # type: ignore[list-item]
        (OrderEventRow.__table__, "id", "detail", "order_events.detail"),  # type: ignore[list-item]
        (
            AfterSalesRequestRow.__table__,  # type: ignore[list-item]
            "id",
            "details",
            "aftersales_requests.details",
        ),
        (TicketRow.__table__, "id", "fields", "tickets.fields"),  # type: ignore[list-item]
        (MessageRow.__table__, "id", "text", "messages.text"),  # type: ignore[list-item]
        (MessageRow.__table__, "id", "meta", "messages.meta"),  # type: ignore[list-item]
        (
            ConversationRow.__table__,  # type: ignore[list-item]
            "id",
            "summary",
            "conversations.summary",
        ),
        (ConversationRow.__table__, "id", "state", "conversations.state"),  # type: ignore[list-item]
        (
            DeskQueueRow.__table__,  # type: ignore[list-item]
            "conversation_id",
            "summary",
            "desk_queue.summary",
        ),
        (
            InboundReceiptRow.__table__,  # type: ignore[list-item]
            "id",
            "reply_text",
            "inbound_receipts.reply_text",
        ),
        (
            OutboundDeliveryRow.__table__,  # type: ignore[list-item]
            "id",
            "payload",
            "outbound_deliveries.payload",
        ),
    ]


class SqlPersonalData:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- lookup ------------------------------------------------------------------------------
    def customer_id_by_phone(self, phone: str) -> str | None:
        """The customer with this phone (any format), found by keyed hash, never by plain text."""
        digits = normalize_phone(phone)
        if not digits:
            return None
        hashes = keyring().lookup_hashes(digits)
        with self.db.session() as s:
            found = s.scalars(
                select(CustomerRow.id).where(CustomerRow.phone_hash.in_(hashes)).limit(2)
            ).all()
        # two customers sharing a phone is ambiguous: linking must not guess between them
        return found[0] if len(found) == 1 else None

    # ---- re-encryption -----------------------------------------------------------------------
    def rekey(self, batch: int = 500) -> dict[str, int]:
        """Encrypt plain values and values under old keys with the current key; recompute the
        phone hashes. Safe to stop and run again: it only touches what still needs it."""
        ring = keyring()
        counts: dict[str, int] = {}
        for table, pk, column, purpose in _encrypted_columns():
            counts[purpose] = self._rekey_column(ring, table, pk, column, purpose, batch)
        counts["customers.phone_hash"] = self._rehash_phones(ring)
        return counts

    def _rekey_column(
        self, ring: DataKeyring, table: Table, pk: str, column: str, purpose: str, batch: int
    ) -> int:
        # raw values (read and written as plain text, past the encrypting type) so ciphertext is
        # seen and replaced as stored
        key_col, value_col = table.c[pk], type_coerce(table.c[column], Text)
        write = text(f"UPDATE {table.name} SET {column} = :value WHERE {pk} = :key")
        done, after = 0, None
        while True:
            with self.db.session() as s:
                query = select(key_col, value_col).order_by(key_col).limit(batch)
                if after is not None:
                    query = query.where(key_col > after)
                rows = s.execute(query).all()
                for key, stored in rows:
                    if stored is None or not ring.needs_rekey(stored):
                        continue
                    fresh = ring.encrypt(ring.decrypt(stored, purpose), purpose)
                    s.execute(write, {"value": fresh, "key": key})
                    done += 1
            if len(rows) < batch:
                return done
            after = rows[-1][0]

    def _rehash_phones(self, ring: DataKeyring) -> int:
        changed = 0
        with self.db.session() as s:
            for row in s.scalars(select(CustomerRow)):
                digits = normalize_phone(row.phone or "")
                wanted = ring.lookup_hash(digits) if digits else None
                if row.phone_hash != wanted:
                    row.phone_hash = wanted
                    changed += 1
        return changed

    # ---- a customer's data request -------------------------------------------------------------
    def export(self, customer_id: str) -> dict[str, Any] | None:
        """Everything kefu holds about one customer, readable (PIPL art. 45, GDPR art. 15/20)."""
        with self.db.session() as s:
            customer = s.get(CustomerRow, customer_id)
            if customer is None:
                return None
            orders = s.scalars(
                select(OrderRow).where(OrderRow.customer_id == customer_id).order_by(OrderRow.id)
            ).all()
            requests = s.scalars(
                select(AfterSalesRequestRow)
                .where(AfterSalesRequestRow.customer_id == customer_id)
                .order_by(AfterSalesRequestRow.created_at)
            ).all()
            conversations = s.scalars(
                select(ConversationRow)
                .where(ConversationRow.customer_id == customer_id)
                .order_by(ConversationRow.created_at)
            ).all()
            tickets = s.scalars(
                select(TicketRow)
                .where(TicketRow.customer_id == customer_id)
                .order_by(TicketRow.created_at)
            ).all()
            return {
                "customer": {
                    "id": customer.id,
                    "name": customer.name,
                    "phone": customer.phone,
                    "email": customer.email,
                    "lang": customer.lang,
                    "vip": customer.vip,
                    "created_at": customer.created_at.isoformat(),
                    "channels": {i.channel: i.channel_user_id for i in customer.identities},
                },
                "orders": [
                    {
                        "id": o.id,
                        "status": o.status,
                        "address": o.address,
                        "created_at": o.created_at.isoformat(),
                        "items": [
                            {"sku": i.sku, "qty": i.qty, "unit_price": str(i.unit_price)}
                            for i in o.items
                        ],
                    }
                    for o in orders
                ],
                "requests": [
                    {
                        "id": r.id,
                        "kind": r.kind,
                        "order_id": r.order_id,
                        "status": r.status,
                        "created_at": r.created_at.isoformat(),
                        "details": r.details,
                    }
                    for r in requests
                ],
                "conversations": [
                    {
                        "id": c.id,
                        "channel": c.channel,
                        "status": c.status,
                        "created_at": c.created_at.isoformat(),
                        "messages": [
                            {"sender": m.sender, "text": m.text, "at": m.at.isoformat()}
                            for m in s.scalars(
                                select(MessageRow)
                                .where(MessageRow.conversation_id == c.id)
                                .order_by(MessageRow.seq)
                            )
                        ],
                    }
                    for c in conversations
                ],
                "tickets": [
                    {
                        "id": t.id,
                        "kind": t.kind,
                        "status": t.status,
                        "description": t.description,
                        "fields": t.fields,
                        "created_at": t.created_at.isoformat(),
                    }
                    for t in tickets
                ],
            }

    def erase(self, customer_id: str) -> bool:
        """Anonymise one customer everywhere; False when there is no such customer."""
        with self.db.session() as s:
            if s.get(CustomerRow, customer_id) is None:
                return False
            _anonymise_customer(s, customer_id)
        return True

    # ---- retention ---------------------------------------------------------------------------
    def apply_retention(self, cutoff: datetime) -> RetentionReport:
        """Anonymise what is older than ``cutoff``: message text, finished orders' addresses,
        invoice details, and customers with no activity since."""
        report = RetentionReport()
        with self.db.session() as s:
            report.messages = _count(
                s.execute(
                    update(MessageRow)
                    .where(MessageRow.at < cutoff, _raw_text(MessageRow.text) != ERASED)
                    .values(text=_ERASED_RAW)
                )
            )
            # questions the knowledge base missed: old ones have served the gap report
            s.execute(delete(UncoveredQuestionRow).where(UncoveredQuestionRow.at < cutoff))
            s.execute(delete(ConversationNoteRow).where(ConversationNoteRow.at < cutoff))
            s.execute(
                update(ConversationRow)
                .where(ConversationRow.updated_at < cutoff)
                .values(state={}, summary=None, version=ConversationRow.version + 1)
            )
            for order in s.scalars(
                select(OrderRow).where(OrderRow.created_at < cutoff, OrderRow.status.in_(_FINISHED))
            ):
                if order.address:
                    order.address = ""
                    report.orders += 1
                for event in order.events:
                    if event.kind == "address_changed" and event.detail:
                        event.detail = ""
            for request in s.scalars(
                select(AfterSalesRequestRow).where(AfterSalesRequestRow.created_at < cutoff)
            ):
                scrubbed = _scrub_details(request.details)
                if scrubbed != request.details:
                    request.details = scrubbed
                    report.requests += 1
            active = (
                select(OrderRow.customer_id)
                .where(OrderRow.created_at >= cutoff)
                .union(
                    select(ConversationRow.customer_id).where(ConversationRow.updated_at >= cutoff)
                )
            )
            idle = s.scalars(
                select(CustomerRow.id).where(
                    CustomerRow.created_at < cutoff,
                    CustomerRow.name != ERASED_NAME,
                    CustomerRow.id.not_in(active),
                )
            ).all()
            for customer_id in idle:
                _anonymise_customer(s, customer_id)
            report.customers = len(idle)
        return report


def _raw_text(column: Any) -> Any:
    return type_coerce(column, Text)


# the marker is stored as is (it names nobody), so "already erased" is a plain comparison
_ERASED_RAW = type_coerce(ERASED, Text)


def _count(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def _scrub_details(details: dict[str, Any] | None) -> dict[str, Any]:
    # keep what the accounts need (the kind of invoice, amounts); drop who it was for
    kept = {k: v for k, v in (details or {}).items() if k in ("type", "reason", "amount")}
    return kept if kept == (details or {}) else {**kept, "erased": True}


def _anonymise_customer(s: Session, customer_id: str) -> None:
    customer = s.get(CustomerRow, customer_id)
    if customer is None:
        return
    open_ids = [i.channel_user_id for i in customer.identities]
    customer.name, customer.phone, customer.email = ERASED_NAME, "", None
    s.execute(delete(ChannelIdentityRow).where(ChannelIdentityRow.customer_id == customer_id))
    if open_ids:
        s.execute(
            delete(ChannelCallbackRow).where(ChannelCallbackRow.channel_user_id.in_(open_ids))
        )
        s.execute(delete(OutboundDeliveryRow).where(OutboundDeliveryRow.target.in_(open_ids)))
        # receipts of WeChat messages are keyed "<OpenID>:<MsgId>" and keep the reply text
        s.execute(
            delete(InboundReceiptRow).where(
                or_(*(InboundReceiptRow.external_id.startswith(f"{o}:") for o in open_ids))
            )
        )
    for order in s.scalars(select(OrderRow).where(OrderRow.customer_id == customer_id)):
        order.address = ""
        for event in order.events:
            if event.kind == "address_changed":
                event.detail = ""
    for request in s.scalars(
        select(AfterSalesRequestRow).where(AfterSalesRequestRow.customer_id == customer_id)
    ):
        request.details = _scrub_details(request.details)
    conversation_ids = select(ConversationRow.id).where(ConversationRow.customer_id == customer_id)
    s.execute(
        update(MessageRow)
        .where(MessageRow.conversation_id.in_(conversation_ids))
        .values(text=_ERASED_RAW, meta={})
    )
    s.execute(
        update(ConversationRow)
        .where(ConversationRow.customer_id == customer_id)
        .values(state={}, summary=None, version=ConversationRow.version + 1)
    )
    for ticket in s.scalars(select(TicketRow).where(TicketRow.customer_id == customer_id)):
        ticket.description, ticket.fields = ERASED, {}
    s.execute(update(SurveyRow).where(SurveyRow.customer_id == customer_id).values(comment=None))
    s.execute(delete(UncoveredQuestionRow).where(UncoveredQuestionRow.customer_id == customer_id))
    # what agents wrote about the customer goes with what the customer wrote
    s.execute(
        delete(ConversationNoteRow).where(ConversationNoteRow.conversation_id.in_(conversation_ids))
    )
    s.execute(
        update(DeskQueueRow).where(DeskQueueRow.customer_id == customer_id).values(summary="")
    )
