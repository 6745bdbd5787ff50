"""What the channel adapters keep in the database: inbound receipts (de-duplication of platform
retries), outbound deliveries with retries, webhook callback addresses, and guest customers for
channel users the shop has never seen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import String, bindparam, delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from kefu.domain.conversations import Sender
from kefu.domain.customers import GUEST_PREFIX, Customer, Lang, NewGuest, VipLevel
from kefu.store.commerce_repo import customer_by_identity
from kefu.store.db import Database
from kefu.store.privacy_repo import SqlPersonalData
from kefu.store.tables.channels import ChannelCallbackRow, InboundReceiptRow, OutboundDeliveryRow
from kefu.store.tables.commerce import (
    AfterSalesRequestRow,
    ChannelIdentityRow,
    CustomerRow,
    OrderRow,
)
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow, TicketRow
from kefu.store.tables.knowledge import UncoveredQuestionRow
from kefu.store.tables.ops import ConversationSideRow
from kefu.store.tables.promotions import CustomerCouponRow
from kefu.store.tables.shop import NoticePreferenceRow, NoticeRow
from kefu.store.tables.uploads import UploadRow

PENDING = "pending"
SENT = "sent"
FAILED = "failed"

_NEW_CUSTOMER = insert(CustomerRow)
_NEW_IDENTITY = insert(ChannelIdentityRow)
_GUEST_COLUMNS = ("id", "name", "vip", "phone", "lang", "is_new_customer", "created_at")
# PostgreSQL: the guest and its identity in one statement (a data-modifying CTE), atomic by
# itself, so a first contact's guest costs one round trip instead of BEGIN, two INSERTs, COMMIT
_NEW_GUEST_AT_ONCE = insert(ChannelIdentityRow).from_select(
    ["customer_id", "channel", "channel_user_id"],
    select(
        (
            insert(CustomerRow)
            .values({c: bindparam(c) for c in _GUEST_COLUMNS})
            .returning(CustomerRow.id)
            .cte("guest")
        ).c.id,
        bindparam("channel", type_=String),
        bindparam("channel_user_id", type_=String),
    ),
)
# every table that names a customer: a linked guest's rows become the customer's
_OWNED_BY_CUSTOMER: tuple[Any, ...] = (
    ChannelIdentityRow,
    ConversationRow,
    TicketRow,
    SurveyRow,
    DeskQueueRow,
    NoticeRow,
    ConversationSideRow,
    UploadRow,
    UncoveredQuestionRow,
    CustomerCouponRow,
    OrderRow,
    AfterSalesRequestRow,
)
_CUSTOMER_OF = select(ChannelIdentityRow.customer_id).where(
    ChannelIdentityRow.channel == bindparam("channel"),
    ChannelIdentityRow.channel_user_id == bindparam("channel_user_id"),
)


@dataclass(frozen=True, slots=True)
class Receipt:
    """A platform message seen before; ``reply_text`` is None while its turn is still running."""

    channel: str
    external_id: str
    reply_text: str | None
    payload: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    id: str
    channel: str
    target: str
    payload: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None


def _delivery(row: OutboundDeliveryRow) -> Delivery:
    return Delivery(
        id=row.id,
        channel=row.channel,
        target=row.target,
        payload=dict(row.payload or {}),
        status=row.status,
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        last_error=row.last_error,
    )


class SqlChannelStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # ---- inbound receipts --------------------------------------------------------------------
    def claim_receipt(
        self,
        channel: str,
        external_id: str,
        at: datetime,
        payload: dict[str, Any] | None = None,
    ) -> bool:
        """Record a platform message id (and what it said, for a task to rerun it); False when
        another request recorded it first."""
        try:
            with self.db.session() as s:
                s.add(
                    InboundReceiptRow(
                        channel=channel, external_id=external_id, at=at, payload=payload
                    )
                )
            return True
        except IntegrityError:
            return False

    def receipt(self, channel: str, external_id: str) -> Receipt | None:
        with self.db.session() as s:
            row = s.scalar(
                select(InboundReceiptRow).where(
                    InboundReceiptRow.channel == channel,
                    InboundReceiptRow.external_id == external_id,
                )
            )
            if row is None:
                return None
            return Receipt(row.channel, row.external_id, row.reply_text, row.payload)

    def settle_receipt(self, channel: str, external_id: str, reply_text: str) -> None:
        """What the message was answered with ("" when the answer went out another way)."""
        with self.db.session() as s:
            s.execute(
                update(InboundReceiptRow)
                .where(
                    InboundReceiptRow.channel == channel,
                    InboundReceiptRow.external_id == external_id,
                )
                .values(reply_text=reply_text)
            )

    def forget_receipt(self, channel: str, external_id: str) -> None:
        """Let a retry run the message again (its first run crashed before answering)."""
        with self.db.session() as s:
            s.execute(
                delete(InboundReceiptRow).where(
                    InboundReceiptRow.channel == channel,
                    InboundReceiptRow.external_id == external_id,
                )
            )

    # ---- outbound deliveries -----------------------------------------------------------------
    def enqueue(self, channel: str, target: str, payload: dict[str, Any], at: datetime) -> str:
        delivery_id = f"d{uuid.uuid4().hex[:20]}"
        with self.db.session() as s:
            # a lane is sent in created_at order: keep it strictly increasing per customer
            last = s.scalar(
                select(func.max(OutboundDeliveryRow.created_at)).where(
                    OutboundDeliveryRow.channel == channel,
                    OutboundDeliveryRow.target == target,
                )
            )
            created_at = at if last is None or last < at else last + timedelta(microseconds=1)
            s.add(
                OutboundDeliveryRow(
                    id=delivery_id,
                    channel=channel,
                    target=target,
                    payload=payload,
                    status=PENDING,
                    attempts=0,
                    next_attempt_at=at,
                    created_at=created_at,
                )
            )
        return delivery_id

    def due(self, now: datetime, limit: int = 100) -> list[Delivery]:
        with self.db.session() as s:
            rows = s.scalars(
                select(OutboundDeliveryRow)
                .where(
                    OutboundDeliveryRow.status == PENDING,
                    OutboundDeliveryRow.next_attempt_at <= now,
                )
                .order_by(OutboundDeliveryRow.next_attempt_at)
                .limit(limit)
            )
            return [_delivery(r) for r in rows]

    def lane_head(self, channel: str, target: str) -> Delivery | None:
        """The oldest unsent delivery to one customer on one channel: the only one that may be
        sent now, so messages arrive in the order they were written."""
        with self.db.session() as s:
            row = s.scalar(
                select(OutboundDeliveryRow)
                .where(
                    OutboundDeliveryRow.status == PENDING,
                    OutboundDeliveryRow.channel == channel,
                    OutboundDeliveryRow.target == target,
                )
                .order_by(OutboundDeliveryRow.created_at, OutboundDeliveryRow.id)
                .limit(1)
            )
            return _delivery(row) if row else None

    def get(self, delivery_id: str) -> Delivery | None:
        with self.db.session() as s:
            row = s.get(OutboundDeliveryRow, delivery_id)
            return _delivery(row) if row else None

    def all(self, channel: str | None = None) -> list[Delivery]:
        with self.db.session() as s:
            query = select(OutboundDeliveryRow).order_by(OutboundDeliveryRow.created_at)
            if channel is not None:
                query = query.where(OutboundDeliveryRow.channel == channel)
            return [_delivery(r) for r in s.scalars(query)]

    def claim(self, delivery: Delivery, now: datetime, lease_s: float) -> bool:
        """Take a due delivery for one attempt. The lease moves ``next_attempt_at`` on, so two
        workers never send it at once, and a worker that dies mid-send is retried after it."""
        with self.db.session() as s:
            result = s.execute(
                update(OutboundDeliveryRow)
                .where(
                    OutboundDeliveryRow.id == delivery.id,
                    OutboundDeliveryRow.status == PENDING,
                    OutboundDeliveryRow.attempts == delivery.attempts,
                    OutboundDeliveryRow.next_attempt_at <= now,
                )
                .values(
                    attempts=delivery.attempts + 1,
                    next_attempt_at=now + timedelta(seconds=lease_s),
                )
            )
            return int(getattr(result, "rowcount", 0)) == 1

    def mark_sent(self, delivery_id: str) -> None:
        self._set(delivery_id, status=SENT, last_error=None)

    def mark_failed(self, delivery_id: str, error: str, retry_at: datetime | None) -> None:
        """A failed attempt: retried at ``retry_at``, or given up for good when it is None."""
        if retry_at is None:
            self._set(delivery_id, status=FAILED, last_error=error[:2000])
        else:
            self._set(delivery_id, next_attempt_at=retry_at, last_error=error[:2000])

    def _set(self, delivery_id: str, **values: Any) -> None:
        with self.db.session() as s:
            s.execute(
                update(OutboundDeliveryRow)
                .where(OutboundDeliveryRow.id == delivery_id)
                .values(**values)
            )

    # ---- webhook callback addresses ----------------------------------------------------------
    def remember_callback(self, channel: str, user_id: str, url: str, at: datetime) -> None:
        with self.db.session() as s:
            row = s.get(ChannelCallbackRow, (channel, user_id))
            if row is None:
                s.add(
                    ChannelCallbackRow(
                        channel=channel, channel_user_id=user_id, callback_url=url, updated_at=at
                    )
                )
            else:
                row.callback_url = url
                row.updated_at = at

    def callback(self, channel: str, user_id: str) -> str | None:
        with self.db.session() as s:
            row = s.get(ChannelCallbackRow, (channel, user_id))
            return row.callback_url if row else None

    # ---- where replies go ----
    def reply_route(self, conversation_id: str) -> tuple[str, str | None] | None:
        """The conversation's customer and the channel they last wrote on (None: no such
        conversation); replies from people go back where the customer is."""
        with self.db.session() as s:
            customer_id = s.scalar(
                select(ConversationRow.customer_id).where(ConversationRow.id == conversation_id)
            )
            if customer_id is None:
                return None
            channel = s.scalar(
                select(MessageRow.channel)
                .where(
                    MessageRow.conversation_id == conversation_id,
                    MessageRow.sender == Sender.CUSTOMER.value,
                )
                .order_by(MessageRow.seq.desc())
                .limit(1)
            )
            if channel is None:
                channel = s.scalar(
                    select(ConversationRow.channel).where(ConversationRow.id == conversation_id)
                )
            return str(customer_id), channel

    # ---- channel identities ------------------------------------------------------------------
    def identity_of(self, customer_id: str, channel: str) -> str | None:
        """The customer's user id on a channel (their WeChat OpenID, app user id)."""
        with self.db.session() as s:
            found: str | None = s.scalar(
                select(ChannelIdentityRow.channel_user_id)
                .where(
                    ChannelIdentityRow.customer_id == customer_id,
                    ChannelIdentityRow.channel == channel,
                )
                .order_by(ChannelIdentityRow.id)
                .limit(1)
            )
            return found

    def bind_guest(self, channel: str, channel_user_id: str, name: str, at: datetime) -> str:
        """The customer behind a channel user, creating a guest customer on first contact.
        Two first messages at once both end with the one customer that won the insert."""
        existing = self._customer_of(channel, channel_user_id)
        if existing is not None:
            return existing
        return self._insert_guest(channel, channel_user_id, name, at).customer.id

    def create_guest(self, channel: str, channel_user_id: str, name: str, at: datetime) -> NewGuest:
        """A guest for an identity the caller has just found no customer for, as it was stored:
        a peak's first contacts are mostly guests, and asking again (before, or after to read
        back what was just written) would double the statements of their first turn."""
        return self._insert_guest(channel, channel_user_id, name, at)

    def _insert_guest(
        self, channel: str, channel_user_id: str, name: str, at: datetime
    ) -> NewGuest:
        guest = Customer(
            id=f"{GUEST_PREFIX}{uuid.uuid4().hex[:12].upper()}",
            name=name,
            vip=VipLevel.NORMAL,
            phone="",
            lang=Lang.ZH_CN,
            is_new_customer=True,
            identities={channel: channel_user_id},
        )
        row = {
            "id": guest.id,
            "name": guest.name,
            "vip": guest.vip.value,
            "phone": guest.phone,
            "lang": guest.lang.value,
            "is_new_customer": guest.is_new_customer,
            "created_at": at,
        }
        identity = {"channel": channel, "channel_user_id": channel_user_id}
        try:
            if self.db.engine.dialect.name == "postgresql":
                self.db.rows(_NEW_GUEST_AT_ONCE, row | identity)
            else:  # SQLite has no INSERT in a WITH: two plain INSERTs in one transaction
                with self.db.engine.begin() as conn:
                    conn.execute(_NEW_CUSTOMER, row)
                    conn.execute(_NEW_IDENTITY, {"customer_id": guest.id} | identity)
        except IntegrityError:
            # another worker's first message of the same visitor won: theirs is the customer
            winner = customer_by_identity(self.db, channel, channel_user_id)
            if winner is None:
                raise
            return NewGuest(winner, created=False)
        return NewGuest(guest, created=True)

    def customer_id_by_phone(self, phone: str) -> str | None:
        """The one shop customer with this phone, found by its keyed hash (never plain text)."""
        found = SqlPersonalData(self.db).customer_id_by_phone(phone)
        # a guest has no phone; never link a guest to another guest
        return None if found is None or found.startswith(GUEST_PREFIX) else found

    def link_guest(self, guest_id: str, customer_id: str, at: datetime) -> None:
        """The guest becomes the customer, in one transaction: channel identities,
        conversations (one history), tickets, queue entries and the rest move to the customer,
        and the guest row is removed so nothing can reach the customer through it again."""
        if not guest_id.startswith(GUEST_PREFIX) or customer_id.startswith(GUEST_PREFIX):
            raise ValueError("only a guest links, and only to a shop customer")
        with self.db.engine.begin() as conn:
            if conn.scalar(select(CustomerRow.id).where(CustomerRow.id == customer_id)) is None:
                raise ValueError(f"unknown customer {customer_id}")
            moved = conn.scalars(
                select(ConversationRow.id).where(ConversationRow.customer_id == guest_id)
            ).all()
            if moved:
                # each conversation's own history says when and from whom it came
                conn.execute(
                    insert(ConversationEventRow),
                    [
                        {
                            "conversation_id": conversation_id,
                            "at": at,
                            "kind": "guest_linked",
                            "actor": customer_id,
                            "detail": {"guest_id": guest_id},
                        }
                        for conversation_id in moved
                    ],
                )
            for row in _OWNED_BY_CUSTOMER:
                conn.execute(
                    update(row).where(row.customer_id == guest_id).values(customer_id=customer_id)
                )
            # the customer's own notice preferences stand; a guest's few are dropped
            conn.execute(
                delete(NoticePreferenceRow).where(NoticePreferenceRow.customer_id == guest_id)
            )
            conn.execute(delete(CustomerRow).where(CustomerRow.id == guest_id))

    def _customer_of(self, channel: str, channel_user_id: str) -> str | None:
        with self.db.reading() as conn:
            found: str | None = conn.scalar(
                _CUSTOMER_OF, {"channel": channel, "channel_user_id": channel_user_id}
            )
            return found
