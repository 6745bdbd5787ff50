"""Which notice an order event calls for, and the key that makes it one notice per event."""

from __future__ import annotations

from datetime import datetime

from kefu.commerce.events import OrderEventType, ShopEvent
from kefu.domain.orders import Order
from kefu.notify.policy import NoticeCategory, NoticePolicy
from kefu.notify.service import NoticeRequest

_BY_TYPE = {
    OrderEventType.CREATED: NoticeCategory.ORDER_PLACED,
    OrderEventType.PAID: NoticeCategory.ORDER_PAID,
    OrderEventType.SHIPPED: NoticeCategory.SHIPPED,
    OrderEventType.DELIVERED: NoticeCategory.DELIVERED,
    OrderEventType.REFUND_COMPLETED: NoticeCategory.REFUND_COMPLETED,
}


def notice_for_event(
    event: ShopEvent, order: Order, stale: bool, policy: NoticePolicy
) -> NoticeRequest | None:
    """The notice an applied event calls for; None for a stale step or a routine scan."""
    if stale:
        return None  # "shipped" after "delivered" would tell the customer something untrue
    category = _BY_TYPE.get(event.type)
    if event.type == OrderEventType.SHIPMENT_UPDATED:
        if not policy.mentions_out_for_delivery(str(event.data.get("description", ""))):
            return None
        category = NoticeCategory.OUT_FOR_DELIVERY
    if category is None:
        return None
    facts: dict[str, object] = {"order_id": order.id}
    shipment = order.shipment
    if shipment is not None:
        facts["tracking_no"] = shipment.tracking_no
        # the shop's own name for the carrier, as the customer knows it from the shop
        facts["carrier"] = str(event.data.get("carrier") or "")
        facts["courier_code"] = shipment.courier.value
    if category == NoticeCategory.REFUND_COMPLETED:
        facts["amount"] = str(event.data.get("amount") or order.refund_amount or "")
    # one notice per order and step: a re-sent event with a new id does not notify twice
    return NoticeRequest(
        key=f"{order.id}:{category.value}",
        customer_id=order.customer_id,
        category=category,
        order_id=order.id,
        facts=facts,
    )


def stalled_notice(
    order: Order, last_update: datetime, ticket_id: str, carrier: str, hours: int
) -> NoticeRequest:
    return NoticeRequest(
        # a parcel that moves and stalls again is a new stall
        key=f"{order.id}:stalled:{last_update.isoformat()}",
        customer_id=order.customer_id,
        category=NoticeCategory.STALLED,
        order_id=order.id,
        facts={
            "order_id": order.id,
            "ticket_id": ticket_id,
            "hours": hours,
            "carrier": carrier,
            "courier_code": order.shipment.courier.value if order.shipment else "",
            "tracking_no": order.shipment.tracking_no if order.shipment else "",
        },
    )
