"""``POST /api/v1/promotions/quote``: price a cart exactly, with the explanation (contract 3)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from kefu.api.schemas.shop import QuoteIn, QuoteOut, errors, json_body
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.limits import address_limit
from kefu.promotions.errors import InvalidCart
from kefu.promotions.service import PromotionService

router = APIRouter()


async def get_promotion_service(request: Request) -> PromotionService:
    """The running kefu's promotion engine."""
    service: PromotionService = request.app.state.kefu.promotions
    return service


def _cart_error(error: ErrorDetails) -> InvalidCart:
    """The engine's own code for the first thing wrong with a cart's shape (the codes clients
    already read: invalid_json, invalid_customer, empty_cart, invalid_item, invalid_quantity,
    invalid_coupons)."""
    loc = error["loc"]
    if error["type"] == "json_invalid":
        return InvalidCart("the body must be JSON", "invalid_json")
    if not loc:
        return InvalidCart('the body must be {"customer_id", "items", "coupons"?}', "invalid_json")
    field = loc[0]
    if field == "customer_id":
        return InvalidCart("customer_id is required", "invalid_customer")
    if field == "coupons":
        return InvalidCart("coupons must be a list of coupon ids", "invalid_coupons")
    if len(loc) == 1:
        return InvalidCart("items must be a non-empty list of {sku, qty}", "empty_cart")
    if len(loc) == 2:
        return InvalidCart("each item must be an object {sku, qty}", "invalid_item")
    if loc[2] == "sku":
        return InvalidCart("each item needs a sku", "invalid_item")
    return InvalidCart(f"quantity of item {loc[1]} must be a positive integer", "invalid_quantity")


@router.post(
    "/api/v1/promotions/quote",
    dependencies=[Depends(address_limit("quotes"))],
    response_model=QuoteOut,
    responses=errors(401, 404, 413, 422, 429),
    openapi_extra=json_body(QuoteIn),
)
async def quote_cart(
    request: Request, service: PromotionService = Depends(get_promotion_service)
) -> dict[str, Any]:
    # parsed here rather than by FastAPI so every malformed cart gets the engine's own error codes
    # (and a client that forgets the JSON content type still gets a quote)
    try:
        body = QuoteIn.model_validate_json(await request.body() or b"null")
    except ValidationError as exc:
        raise _cart_error(exc.errors()[0]) from None
    # production: a quote only for the customer the token proves (coupons held are theirs to see)
    customer_id = identify_customer(
        request.app.state.kefu.settings, body.customer_id, token_from(request)
    )
    # the engine reads carts as JSON data: the items' typed values, in the engine's form
    items = [item.model_dump() for item in body.items]
    # the quote reads the database: keep it off the event loop
    priced = await run_in_threadpool(service.quote, customer_id, items, body.coupons)
    return priced.to_wire()
