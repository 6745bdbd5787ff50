"""Inbound channel endpoints: the WeChat official account and the signed JSON webhooks."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, PlainTextResponse, Response

from kefu.api.schemas.shop import (
    WebhookAcceptedOut,
    WebhookIn,
    WebhookReplyOut,
    errors,
    json_body,
)
from kefu.channels.hub import channels_of, close_channels
from kefu.channels.wechat import BadWechatMessage
from kefu.domain.errors import ClientError


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Start the channels with the app: wake-ups for chat sockets and outbound delivery of agent
    replies must work before the first channel request arrives."""
    kefu = app.state.kefu
    await run_in_threadpool(channels_of, kefu)
    try:
        yield
    finally:
        await run_in_threadpool(close_channels, kefu)


router = APIRouter(lifespan=lifespan)


class BadWechatBody(ClientError):
    code = "invalid_message"


@router.get(
    "/channels/wechat",
    response_class=PlainTextResponse,
    responses={
        200: {"description": "The ``echostr`` WeChat sent", "content": {"text/plain": {}}},
        **errors(403),
    },
)
async def wechat_verify(request: Request) -> Response:
    """WeChat's server URL check: echo ``echostr`` when the signature is ours and fresh."""
    guard = channels_of(request.app.state.kefu).wechat_guard
    return PlainTextResponse(guard.check_url(request.query_params, time.time()))


@router.post(
    "/channels/wechat",
    response_class=Response,
    responses={
        200: {
            "description": "The sealed XML reply, or ``success`` when there is none to send now",
            "content": {"application/xml": {}, "text/plain": {}},
        },
        **errors(400, 403, 413),
    },
)
async def wechat_message(request: Request) -> Response:
    body = await request.body()
    channels = channels_of(request.app.state.kefu)
    try:
        opened = await run_in_threadpool(
            channels.wechat_guard.open, request.query_params, body, time.time()
        )
        answer = await run_in_threadpool(channels.wechat.handle, opened.xml)
    except BadWechatMessage as exc:
        raise BadWechatBody(str(exc)) from None
    if answer == "success":
        return PlainTextResponse(answer)
    return Response(channels.wechat_guard.seal(opened, answer), media_type="application/xml")


@router.post(
    "/channels/webhook/{platform}",
    # the channel builds (and replays) the answer itself: the models document it
    response_model=WebhookReplyOut,
    responses={
        202: {"model": WebhookAcceptedOut, "description": "Taken; the reply goes to the callback"},
        **errors(400, 401, 404, 409, 413, 422, 429, 503),
    },
    openapi_extra=json_body(WebhookIn),
)
async def webhook_message(platform: str, request: Request) -> Response:
    body = await request.body()
    channels = channels_of(request.app.state.kefu)
    answer = await run_in_threadpool(channels.webhook.handle, platform, dict(request.headers), body)
    headers = {"X-Kefu-Replay": "true"} if answer.replayed else {}
    if answer.status == 429:
        headers["Retry-After"] = "60"  # the per-customer window is a minute at most
    return JSONResponse(answer.body, answer.status, headers=headers)
