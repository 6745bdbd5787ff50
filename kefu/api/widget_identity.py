"""Who a widget call acts as: the shop's signed customer token, a guest's visitor id (the id the
widget keeps in the browser; it never stands for a shop customer), or in demo mode a plain
``customer_id``."""

from __future__ import annotations

from fastapi import Request

from kefu.commerce.ports import CommerceError
from kefu.config import Mode
from kefu.desk.errors import Invalid
from kefu.domain.customers import Channel, is_guest
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.problems import NotFound, Unauthorized
from kefu.wiring import Kefu


def visitor_id(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 8 <= len(value.strip()) <= 128:
        raise Invalid("visitor must be 8 to 128 characters")
    return value.strip()


def widget_customer(
    kefu: Kefu,
    request: Request,
    claimed: str | None,
    visitor: str | None,
    *,
    create_guest: bool = False,
) -> str | None:
    """The customer a widget call acts as; None for a visitor who has never written (and
    ``create_guest`` off). A visitor id that a shop customer holds is refused without their
    token: an id in a browser is no proof of who someone is."""
    # an <img src> cannot send a header: a photo's address may carry ?token= instead
    token = token_from(request, request.query_params.get("token"))
    if token is not None or claimed is not None:
        customer_id = str(identify_customer(kefu.settings, claimed, token))
        try:
            kefu.commerce.get_customer(customer_id)
        except CommerceError:
            raise NotFound("unknown customer") from None
        return customer_id
    if visitor is None:
        if kefu.settings.mode is Mode.PRODUCTION:
            raise Unauthorized("a signed customer token or a visitor id is required")
        raise Invalid("customer_id or visitor is required")
    found = kefu.commerce.find_customer_by_identity(Channel.WEB.value, visitor)
    if found is None:
        if not create_guest:
            return None
        found = kefu.dialogue.customer_for(Channel.WEB.value, None, visitor)
    if not is_guest(found.id):
        raise Unauthorized("a signed customer token is required for this customer")
    return found.id
