"""Notices, notice preferences and the queries the notice rules and jobs read."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.exc import IntegrityError

from kefu.domain.conversations import Sender
from kefu.domain.orders import OrderStatus
from kefu.notify.policy import NoticeCategory
from kefu.notify.service import NoticeRecord, Preferences
from kefu.store.db import Database
from kefu.store.tables.channels import ChannelCallbackRow
from kefu.store.tables.commerce import ChannelIdentityRow, OrderRow, ShipmentRow, TrackingEventRow
from kefu.store.tables.conversations import ConversationRow, MessageRow
from kefu.store.tables.shop import NoticePreferenceRow, NoticeRow

# a notice still pending after this was claimed by a worker that died before deciding it
PENDING_GRACE = timedelta(minutes=5)


def _record(row: NoticeRow) -> NoticeRecord:
    return NoticeRecord(
        id=row.id,
        key=row.dedupe_key,
        customer_id=row.customer_id,
        category=NoticeCategory(row.category),
        status=row.status,
        order_id=row.order_id,
        facts=dict(row.facts or {}),
        reason=row.reason,
        channel=row.channel,
        delivery=row.delivery,
        due_at=row.due_at,
        message_id=row.message_id,
        conversation_id=row.conversation_id,
    )


class SqlNotices:
    """Implements ``kefu.notify.service.NoticeStore``."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def claim(self, record: NoticeRecord, now: datetime) -> bool:
        try:
            with self.db.session() as s:
                s.add(
                    NoticeRow(
                        id=record.id,
                        dedupe_key=record.key,
                        customer_id=record.customer_id,
                        order_id=record.order_id,
                        category=record.category.value,
                        status="pending",
                        facts=record.facts,
                        created_at=now,
                    )
                )
        except IntegrityError:  # the unique key: this event already has its notice
            return False
        return True

    def by_key(self, key: str) -> NoticeRecord | None:
        with self.db.session() as s:
            row = s.scalar(select(NoticeRow).where(NoticeRow.dedupe_key == key))
            return _record(row) if row else None

    def finish(self, record: NoticeRecord, now: datetime) -> None:
        with self.db.session() as s:
            row = s.get_one(NoticeRow, record.id)
            row.status = record.status
            row.reason = record.reason
            row.channel = record.channel
            row.delivery = record.delivery
            row.due_at = record.due_at
            row.message_id = record.message_id
            row.conversation_id = record.conversation_id
            row.sent_at = now if record.status == "sent" else None

    def all(self, customer_id: str | None = None) -> list[NoticeRecord]:
        with self.db.session() as s:
            q = select(NoticeRow).order_by(NoticeRow.created_at)
            if customer_id:
                q = q.where(NoticeRow.customer_id == customer_id)
            return [_record(r) for r in s.scalars(q)]

    # ---- preferences -------------------------------------------------------------------------
    def preferences(self, customer_id: str) -> Preferences:
        with self.db.session() as s:
            row = s.get(NoticePreferenceRow, customer_id)
            if row is None:
                return Preferences()
            return Preferences(row.time_zone, frozenset(row.opted_out or ()))

    def set_preferences(
        self, customer_id: str, time_zone: str | None, opted_out: list[str]
    ) -> Preferences:
        with self.db.session() as s:
            row = s.get(NoticePreferenceRow, customer_id)
            if row is None:
                row = NoticePreferenceRow(customer_id=customer_id)
                s.add(row)
            row.time_zone = time_zone
            row.opted_out = sorted(set(opted_out))
        return Preferences(time_zone, frozenset(opted_out))

    # ---- what the rules read -----------------------------------------------------------------
    def _customer_messages(self, customer_id: str) -> Any:
        return (
            select(MessageRow.channel, MessageRow.at)
            .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
            .where(
                ConversationRow.customer_id == customer_id,
                MessageRow.sender == Sender.CUSTOMER.value,
            )
            .order_by(MessageRow.at.desc())
            .limit(1)
        )

    def last_customer_message(self, customer_id: str) -> tuple[str, datetime] | None:
        with self.db.session() as s:
            row = s.execute(self._customer_messages(customer_id)).first()
            if row is None or row[0] is None:
                return None
            return str(row[0]), row[1]

    def last_customer_message_on(self, customer_id: str, channel: str) -> datetime | None:
        with self.db.session() as s:
            row = s.execute(
                self._customer_messages(customer_id).where(MessageRow.channel == channel)
            ).first()
            return None if row is None else row[1]

    def has_callback(self, customer_id: str, channel: str) -> bool:
        with self.db.session() as s:
            found = s.scalar(
                select(ChannelCallbackRow.callback_url)
                .join(
                    ChannelIdentityRow,
                    and_(
                        ChannelIdentityRow.channel == ChannelCallbackRow.channel,
                        ChannelIdentityRow.channel_user_id == ChannelCallbackRow.channel_user_id,
                    ),
                )
                .where(
                    ChannelIdentityRow.customer_id == customer_id,
                    ChannelCallbackRow.channel == channel,
                )
                .limit(1)
            )
            return found is not None

    def non_service_sent_since(
        self, customer_id: str, since: datetime, categories: frozenset[str]
    ) -> int:
        with self.db.session() as s:
            count = s.scalar(
                select(func.count())
                .select_from(NoticeRow)
                .where(
                    NoticeRow.customer_id == customer_id,
                    NoticeRow.status == "sent",
                    NoticeRow.sent_at >= since,
                    NoticeRow.category.in_(sorted(categories)),
                )
            )
            return int(count or 0)

    def held_due(self, now: datetime, limit: int) -> list[NoticeRecord]:
        """Held notices whose morning has come, and notices left pending by a crashed worker."""
        stuck = now - PENDING_GRACE
        with self.db.session() as s:
            rows = s.scalars(
                select(NoticeRow)
                .where(
                    or_(
                        and_(NoticeRow.status == "held", NoticeRow.due_at <= now),
                        and_(NoticeRow.status == "pending", NoticeRow.created_at <= stuck),
                    )
                )
                .order_by(NoticeRow.created_at)
                .limit(limit)
            )
            return [_record(r) for r in rows]

    # ---- what the scheduled jobs scan --------------------------------------------------------
    def parcels_in_transit(self, limit: int = 10_000) -> list[tuple[str, str, datetime]]:
        """(order id, customer id, time of the last tracking update) of undelivered parcels."""
        last_event = (
            select(TrackingEventRow.order_id, func.max(TrackingEventRow.at).label("last_at"))
            .group_by(TrackingEventRow.order_id)
            .subquery()
        )
        with self.db.session() as s:
            rows = s.execute(
                select(
                    OrderRow.id, OrderRow.customer_id, ShipmentRow.shipped_at, last_event.c.last_at
                )
                .join(ShipmentRow, ShipmentRow.order_id == OrderRow.id)
                .outerjoin(last_event, last_event.c.order_id == OrderRow.id)
                .where(
                    OrderRow.status == OrderStatus.SHIPPED.value,
                    ShipmentRow.delivered_at.is_(None),
                )
                .limit(limit)
            )
            return [(r[0], r[1], max(t for t in (r[2], r[3]) if t is not None)) for r in rows]

    def orders_in(self, status: OrderStatus, limit: int = 10_000) -> list[OrderRow]:
        with self.db.session() as s:
            return list(
                s.scalars(select(OrderRow).where(OrderRow.status == status.value).limit(limit))
            )

    def idle_bot_conversations(
        self, idle_since: datetime, not_before: datetime, limit: int = 1000
    ) -> list[tuple[str, str]]:
        """(conversation id, customer id) of conversations only the bot served, in which the
        customer wrote, quiet since ``idle_since`` (and not older than ``not_before``)."""
        wrote = (
            select(MessageRow.id)
            .where(
                MessageRow.conversation_id == ConversationRow.id,
                MessageRow.sender == Sender.CUSTOMER.value,
            )
            .exists()
        )
        with self.db.session() as s:
            rows = s.execute(
                select(ConversationRow.id, ConversationRow.customer_id)
                .where(
                    ConversationRow.status == "bot",
                    ConversationRow.agent_id.is_(None),
                    ConversationRow.updated_at <= idle_since,
                    ConversationRow.updated_at >= not_before,
                    wrote,
                )
                .order_by(ConversationRow.updated_at)
                .limit(limit)
            )
            return [(r[0], r[1]) for r in rows]

    # ---- the dashboard -----------------------------------------------------------------------
    def counts(self, start: datetime, end: datetime) -> dict[str, Any]:
        with self.db.session() as s:
            rows = s.execute(
                select(NoticeRow.status, NoticeRow.reason, NoticeRow.category, func.count())
                .where(NoticeRow.created_at >= start, NoticeRow.created_at < end)
                .group_by(NoticeRow.status, NoticeRow.reason, NoticeRow.category)
            ).all()
        totals = {"sent": 0, "held": 0, "suppressed": 0}
        by_rule: dict[str, int] = {}
        by_category: dict[str, dict[str, int]] = {}
        for status, reason, category, n in rows:
            if status in totals:
                totals[status] += n
            if status == "suppressed" and reason:
                by_rule[reason] = by_rule.get(reason, 0) + n
            per = by_category.setdefault(category, {})
            per[status] = per.get(status, 0) + n
        return {**totals, "suppressed_by_rule": by_rule, "by_category": by_category}

    def where_is_my_parcel(self, start: datetime, end: datetime) -> dict[str, Any]:
        """Customers with a shipped order in the window who still asked where it is: those told
        by a shipped notice versus those not told."""
        with self.db.session() as s:
            shipped = set(
                s.scalars(
                    select(OrderRow.customer_id).where(
                        OrderRow.shipped_at >= start, OrderRow.shipped_at < end
                    )
                )
            )
            notified: dict[str, datetime] = {}
            for customer_id, first_sent in s.execute(
                select(NoticeRow.customer_id, func.min(NoticeRow.sent_at))
                .where(
                    NoticeRow.category == NoticeCategory.SHIPPED.value,
                    NoticeRow.status == "sent",
                    NoticeRow.sent_at >= start,
                    NoticeRow.sent_at < end,
                )
                .group_by(NoticeRow.customer_id)
            ):
                if first_sent is not None:
                    notified[customer_id] = first_sent
            asked: dict[str, list[datetime]] = {}
            for customer_id, at in s.execute(
                select(ConversationRow.customer_id, MessageRow.at)
                .join(ConversationRow, ConversationRow.id == MessageRow.conversation_id)
                .where(
                    MessageRow.sender == Sender.CUSTOMER.value,
                    MessageRow.intent.in_(("logistics", "order_status")),
                    MessageRow.at >= start,
                    MessageRow.at < end,
                )
            ):
                asked.setdefault(customer_id, []).append(at)
        customers = shipped | set(notified)
        told = {c for c in customers if c in notified}
        not_told = customers - told
        told_asked = {c for c in told if any(at > notified[c] for at in asked.get(c, ()))}
        not_told_asked = {c for c in not_told if c in asked}

        def rate(part: set[str], whole: set[str]) -> float | None:
            return round(len(part) / len(whole), 4) if whole else None

        return {
            "notified_customers": len(told),
            "notified_who_asked": len(told_asked),
            "notified_ask_rate": rate(told_asked, told),
            "unnotified_customers": len(not_told),
            "unnotified_who_asked": len(not_told_asked),
            "unnotified_ask_rate": rate(not_told_asked, not_told),
        }
