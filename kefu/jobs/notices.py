"""The notice work a job runner schedules, as plain functions of a running kefu.

- ``receive_order_event``: apply an order event and send the notice it calls for (the events API
  calls it at once, so a shipped notice reaches the customer within seconds);
- ``dispatch_notices``: every minute: notices held through quiet hours whose morning has come,
  presale balances falling due, group buys past their deadline;
- ``ask_after_bot_conversations``: every 5-10 minutes: a satisfaction question in conversations
  the bot served alone once they have gone quiet;
- ``find_stalled_parcels``: every 15-60 minutes: parcels with no tracking update for the policy's
  hours get a logistics ticket and the customer is told before they ask.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

from kefu.commerce.events import ORDER_EVENTS_CHANNEL, ShopEvent
from kefu.commerce.ports import CommerceError
from kefu.domain.desk import TicketKind
from kefu.domain.handoff import TicketRequest
from kefu.domain.orders import OrderStatus
from kefu.jobs.host import NoticeHost
from kefu.notify.policy import NoticeCategory
from kefu.notify.service import NoticeRecord, NoticeRequest
from kefu.notify.triggers import notice_for_event, stalled_notice
from kefu.store.notice_repo import SqlNotices
from kefu.store.order_event_repo import AppliedEvent

log = logging.getLogger("kefu.notify")

# a conversation quiet for longer than this is not worth a survey any more
SURVEY_UNTIL = timedelta(days=1)


def _start_channels(kefu: NoticeHost) -> None:
    """Delivery to WeChat and webhook platforms listens for stored messages: start it first."""
    from kefu.channels.hub import channels_of

    channels_of(kefu)


def receive_order_event(
    kefu: NoticeHost, event: ShopEvent, now: datetime, source: str = "shop"
) -> tuple[AppliedEvent, NoticeRecord | None]:
    """Apply ``event`` to its order and notify the customer (both once per event)."""
    applied = kefu.order_events.apply(event, now, source)
    if not applied.duplicate:
        payload = {**event.to_dict(), "source": source}
        kefu.state.publish(ORDER_EVENTS_CHANNEL, json.dumps(payload, ensure_ascii=False))
    request = notice_for_event(event, applied.order, applied.stale, kefu.notices.policy)
    if request is None:
        return applied, None
    # also on a repeated event: a crash between applying and notifying is healed by the retry,
    # and the notice's key keeps it to one
    _start_channels(kefu)
    return applied, kefu.notices.notify(request, now)


def find_stalled_parcels(kefu: NoticeHost, now: datetime) -> list[NoticeRecord]:
    """Parcels in transit with no tracking update for the policy's hours: a logistics ticket each
    and a notice to the customer, once per stall."""
    _start_channels(kefu)
    policy = kefu.notices.policy
    hours = int(policy.stalled_after.total_seconds() // 3600)
    store = SqlNotices(kefu.db)
    found: list[NoticeRecord] = []
    for order_id, customer_id, last_update in store.parcels_in_transit():
        if now - last_update <= policy.stalled_after:
            continue
        key = f"{order_id}:stalled:{last_update.isoformat()}"
        if store.by_key(key) is not None:
            continue  # this stall was handled on an earlier run
        try:
            order = kefu.commerce.get_order(customer_id, order_id)
        except CommerceError:
            continue
        ticket_id = kefu.desk.open_ticket(
            TicketRequest(
                kind=TicketKind.LOGISTICS,
                customer_id=customer_id,
                description=f"parcel stalled: no tracking update since {last_update.isoformat()}",
                at=now,
                order_id=order_id,
                fields={"stalled_since": last_update.isoformat()},
            )
        )
        carrier = ""  # named from the courier code in the customer's language
        record = kefu.notices.notify(
            stalled_notice(order, last_update, ticket_id, carrier, hours), now
        )
        found.append(record)
    return found


def dispatch_notices(kefu: NoticeHost, now: datetime) -> dict[str, int]:
    """Release held notices that are due and send the time-driven ones (balance due, group buy
    failed); counts of this run's decisions by outcome."""
    _start_channels(kefu)
    counts = dict(kefu.notices.release_held(now))
    store = SqlNotices(kefu.db)
    requests: list[NoticeRequest] = []
    for row in store.orders_in(OrderStatus.AWAITING_BALANCE):
        if row.balance_due is not None:
            requests.append(
                NoticeRequest(
                    key=f"{row.id}:balance_due",
                    customer_id=row.customer_id,
                    category=NoticeCategory.BALANCE_DUE,
                    order_id=row.id,
                    facts={"order_id": row.id, "amount": str(row.balance_due)},
                )
            )
    for row in store.orders_in(OrderStatus.GROUP_FORMING):
        if row.group_deadline is not None and row.group_deadline <= now:
            requests.append(
                NoticeRequest(
                    key=f"{row.id}:group_buy_failed",
                    customer_id=row.customer_id,
                    category=NoticeCategory.GROUP_BUY_FAILED,
                    order_id=row.id,
                    facts={"order_id": row.id},
                )
            )
    for request in requests:
        if store.by_key(request.key) is None:  # decided on an earlier run: not counted again
            record = kefu.notices.notify(request, now)
            counts[record.status] = counts.get(record.status, 0) + 1
    return counts


def ask_after_bot_conversations(
    kefu: NoticeHost, now: datetime, idle: timedelta = timedelta(minutes=30)
) -> list[NoticeRecord]:
    """Ask for a 1-5 score in conversations the bot served alone, once they have gone quiet for
    ``idle``; the customer answers by replying, on any channel."""
    _start_channels(kefu)
    store = SqlNotices(kefu.db)
    asked: list[NoticeRecord] = []
    for conversation_id, customer_id in store.idle_bot_conversations(
        now - idle, now - SURVEY_UNTIL
    ):
        key = f"{conversation_id}:satisfaction"
        if store.by_key(key) is not None:
            continue
        request = NoticeRequest(
            key=key,
            customer_id=customer_id,
            category=NoticeCategory.SATISFACTION,
            conversation_id=conversation_id,
        )
        asked.append(kefu.notices.notify(request, now))
    return asked
