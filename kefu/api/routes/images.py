"""Photos in a conversation: the customer uploads one (the raw image as the body), the customer
and the agents who may read the conversation fetch it. Limits: 5 MB, JPEG/PNG/GIF/WebP (read from
the bytes, not the client's word), a few uploads a minute per customer."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from kefu.api.auth import current_agent, get_desk
from kefu.api.deps import get_kefu
from kefu.api.schemas.messages import ErrorOut
from kefu.api.schemas.ops import ImageMessageOut
from kefu.api.widget_identity import visitor_id, widget_customer
from kefu.desk.events import message_dict
from kefu.desk.ports import StoredImage
from kefu.desk.service import Desk
from kefu.domain.desk import Agent
from kefu.domain.errors import ClientError, Problem
from kefu.domain.images import MAX_IMAGE_BYTES, ImageRefused, accept_image
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.problems import NotFound, TooManyRequests
from kefu.wiring import Kefu

router = APIRouter(prefix="/api/v1", tags=["images"])

UPLOADS_PER_MINUTE = 10
_PROBLEM = {
    "too_large": Problem.TOO_LARGE,
    "bad_type": Problem.UNSUPPORTED,
    "empty": Problem.UNPROCESSABLE,
}


def _customer(request: Request, kefu: Kefu) -> str:
    # an <img src> cannot send a header: the signed identity may come as ?token= as well
    token = token_from(request, request.query_params.get("token"))
    visitor = request.query_params.get("visitor")
    if token is None and request.query_params.get("customer_id") is None and visitor:
        # the widget's guest: its visitor id names the guest (never a shop customer)
        guest = widget_customer(kefu, request, None, visitor_id(visitor))
        if guest is None:
            raise NotFound("not found")
        return guest
    who = identify_customer(kefu.settings, request.query_params.get("customer_id"), token)
    if not isinstance(who, str) or not who:
        raise ClientError(
            "customer_id is required", code="invalid_request", problem=Problem.UNPROCESSABLE
        )
    return who


async def _read_limited(request: Request, limit: int) -> bytes:
    """The body, refused as soon as it passes ``limit`` (a huge upload is never held whole)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise ImageRefused("too_large", f"images may be at most {limit // (1024 * 1024)} MB")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ImageRefused("too_large", f"images may be at most {limit // (1024 * 1024)} MB")
        chunks.append(chunk)
    return b"".join(chunks)


# the bytes as stored, typed by what they are (never the uploader's word)
_IMAGE: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The photo",
        "content": {
            kind: {"schema": {"type": "string", "format": "binary"}}
            for kind in ("image/jpeg", "image/png", "image/gif", "image/webp")
        },
    },
    **{code: {"model": ErrorOut} for code in (401, 403, 404, 422)},
}


def _image_response(stored: StoredImage) -> Response:
    return Response(
        content=stored.data,
        media_type=stored.content_type,
        headers={
            "cache-control": "private, max-age=3600",
            "x-content-type-options": "nosniff",
            "content-security-policy": "default-src 'none'",
        },
    )


@router.post(
    "/conversations/{conversation_id}/images",
    status_code=201,
    response_model=ImageMessageOut,
    responses={code: {"model": ErrorOut} for code in (401, 403, 404, 413, 415, 422, 429)},
)
async def upload_image(
    conversation_id: str, request: Request, kefu: Kefu = Depends(get_kefu)
) -> dict[str, Any]:
    customer_id = _customer(request, kefu)
    if not kefu.state.allow(f"images:{customer_id}", UPLOADS_PER_MINUTE, 60):
        raise TooManyRequests(f"at most {UPLOADS_PER_MINUTE} photos a minute; please wait")
    try:
        image = accept_image(await _read_limited(request, MAX_IMAGE_BYTES))
    except ImageRefused as refused:
        raise ClientError(str(refused), code=refused.code, problem=_PROBLEM[refused.code]) from None
    desk: Desk = kefu.desk
    message = await run_in_threadpool(
        desk.receive_image, conversation_id, customer_id, image, datetime.now(UTC)
    )
    return message_dict(message)


@router.get("/images/{upload_id}", response_class=Response, responses=_IMAGE)
def customer_image(upload_id: str, request: Request, kefu: Kefu = Depends(get_kefu)) -> Response:
    desk: Desk = kefu.desk
    return _image_response(desk.image_for_customer(upload_id, _customer(request, kefu)))


@router.get("/agent/images/{upload_id}", response_class=Response, responses=_IMAGE)
def agent_image(
    upload_id: str, agent: Agent = Depends(current_agent), desk: Desk = Depends(get_desk)
) -> Response:
    return _image_response(desk.image_for_agent(agent, upload_id))
