"""``POST /api/v1/promotions/quote``: price a cart exactly, with the explanation (contract 3)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool

from kefu.edge.identity import identify_customer, token_from
from kefu.edge.limits import address_limit
from kefu.promotions.errors import InvalidCart
from kefu.promotions.service import PromotionService

router = APIRouter()


async def get_promotion_service(request: Request) -> PromotionService:
    """The running kefu's promotion engine."""
    service: PromotionService = request.app.state.kefu.promotions
    return service


# the body is read by hand (the engine's own error codes); documented here for clients and the
# schema fuzzer, which then sends carts, valid and not
_CART = {
    "type": "object",
    "required": ["customer_id", "items"],
    "properties": {
        "customer_id": {"type": "string", "maxLength": 32},
        "items": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["sku", "qty"],
                "properties": {"sku": {"type": "string"}, "qty": {"type": "integer"}},
            },
        },
        "coupons": {"type": "array", "items": {"type": "string"}},
    },
}


@router.post(
    "/api/v1/promotions/quote",
    dependencies=[Depends(address_limit("quotes"))],
    openapi_extra={
        "requestBody": {"required": True, "content": {"application/json": {"schema": _CART}}}
    },
)
async def quote_cart(
    request: Request, service: PromotionService = Depends(get_promotion_service)
) -> dict[str, Any]:
    # the body is read by hand so every malformed cart gets the engine's own error codes
    try:
        body = json.loads(await request.body() or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidCart("the body must be JSON", "invalid_json") from exc
    if not isinstance(body, dict):
        raise InvalidCart('the body must be {"customer_id", "items", "coupons"?}', "invalid_json")
    # production: a quote only for the customer the token proves (coupons held are theirs to see)
    customer_id = identify_customer(
        request.app.state.kefu.settings, body.get("customer_id"), token_from(request)
    )
    # the quote reads the database: keep it off the event loop
    priced = await run_in_threadpool(
        service.quote, customer_id, body.get("items"), body.get("coupons")
    )
    return priced.to_wire()
