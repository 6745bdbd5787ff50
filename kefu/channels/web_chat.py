"""The chat page's socket: one customer, their current conversation, frames both ways.

The database is the source of truth: every frame of type ``message`` is a stored message, read by
``seq`` after the last one this socket sent. Pub/sub (``kefu.state``) only wakes the socket up, so
a message stored by another worker, or while the socket was away, is never lost or sent twice:
a reconnect with ``after=<last seq seen>`` gets exactly the missed ones.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import anyio
from fastapi.concurrency import run_in_threadpool
from starlette.websockets import WebSocket, WebSocketDisconnect

from kefu.channels.hub import Host, channels_of
from kefu.config import Mode
from kefu.desk.events import conversation_channel
from kefu.desk.inbox import seen_by_staff_key
from kefu.dialogue import Dialogue, Turn, TurnResult
from kefu.domain.conversations import Conversation, Message, Sender
from kefu.domain.customers import Channel, is_guest
from kefu.domain.errors import ClientError
from kefu.edge.identity import identify_customer, token_from
from kefu.edge.limits import check_address, check_customer

log = logging.getLogger("kefu.realtime")

CLOSE_UNAUTHORIZED = 4401
CLOSE_NOT_FOUND = 4404
_ACK_TTL_S = 24 * 3600.0  # a resent client_msg_id within a day gets the first answer
_PENDING = "pending"
_RESEND_WAIT_S = 10.0
_TYPING_TTL_S = 10.0
_MAX_CLIENT_MSG_ID = 100
_AUTH_WAIT_S = 10.0  # a client that connects and says nothing holds a socket no longer


def typing_key(conversation_id: str) -> str:
    """Whether the customer is typing, for the agent console (expires by itself)."""
    return f"typing:customer:{conversation_id}"


def message_frame(m: Message, quick_replies: list[str] | None = None) -> dict[str, Any]:
    frame: dict[str, Any] = {
        "type": "message",
        "conversation_id": m.conversation_id,
        "id": m.id,
        "seq": m.seq,
        "sender": m.sender.value,
        "text": m.text,
        "at": m.at.isoformat(),
    }
    if m.kind:
        frame["kind"] = m.kind
    if m.meta and m.meta.get("image"):
        frame["image"] = m.meta["image"]  # a photo the customer sent (fetched by its id)
    if quick_replies:
        frame["quick_replies"] = quick_replies
    return frame


def error_frame(code: str, message: str) -> dict[str, Any]:
    return {"type": "error", "code": code, "message": message}


def quick_replies_of(conversation: Conversation) -> list[str]:
    """What the bot is waiting for the customer to pick (the orders it listed), as chips."""
    awaiting = (conversation.state or {}).get("awaiting") or {}
    options = awaiting.get("options") if awaiting.get("slot") == "order" else None
    return [str(o) for o in options] if isinstance(options, list) else []


class _Refused(Exception):
    def __init__(self, close_code: int, error: ClientError) -> None:
        super().__init__(error.message)
        self.close_code = close_code
        self.error = error


class ChatSession:
    def __init__(self, ws: WebSocket, kefu: Host) -> None:
        self.ws = ws
        self.kefu = kefu
        self.dialogue: Dialogue = kefu.dialogue
        self.channel = "web"
        self.customer_id = ""
        # a guest of the embedded widget: the visitor id its browser keeps (the web channel's
        # user id); the guest customer exists from the first message on
        self.visitor: str | None = None
        self.conversation_id: str | None = None
        self.status: str | None = None
        self.last_seq = 0
        self._send_lock = asyncio.Lock()
        self._flush_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()  # no turn of this socket running: pushes may go out
        self._idle.set()
        self._tasks: set[asyncio.Future[None]] = set()
        self._unsubscribe: Callable[[], None] | None = None
        self._loop = asyncio.get_running_loop()

    # ---- connect -----------------------------------------------------------------------------
    async def run(self) -> None:
        await self.ws.accept()
        try:
            conversation = await self._identify()
        except _Refused as refused:
            await self.send(error_frame(refused.error.code, refused.error.message))
            await self.ws.close(refused.close_code)
            return
        await run_in_threadpool(channels_of, self.kefu)  # stored messages announce themselves
        pusher = asyncio.create_task(self._push_forever())
        try:
            if conversation is not None:
                await self._follow(conversation.id)
            await self.send(
                {
                    "type": "ready",
                    "conversation_id": self.conversation_id,
                    "status": conversation.status.value if conversation else "bot",
                }
            )
            read_seq = await self._read_seq()
            if read_seq:  # the last message a person at the shop has seen (read receipts)
                await self.send({"type": "read", "seq": read_seq})
            self.status = conversation.status.value if conversation else None
            await self.flush()
            await self._receive_forever()
        finally:
            pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await pusher
            await self._unfollow()

    async def _identify(self) -> Conversation | None:
        q = self.ws.query_params
        channel = q.get("channel") or "web"
        if channel not in {c.value for c in Channel}:
            raise _Refused(CLOSE_NOT_FOUND, ClientError("unknown channel", code="unknown_channel"))
        self.channel = channel
        visitor = q.get("visitor")
        token = await self._token()
        if token is None and visitor is not None and q.get("customer_id") is None:
            return await self._identify_visitor(channel, visitor)
        try:
            claimed = identify_customer(self.kefu.settings, q.get("customer_id"), token)
        except ClientError as exc:
            raise _Refused(CLOSE_UNAUTHORIZED, exc) from None
        try:
            customer = await run_in_threadpool(self.dialogue.customer_for, channel, claimed, None)
            self.customer_id = customer.id
            wanted = q.get("conversation_id")
            if wanted:
                conversation = await run_in_threadpool(
                    self.dialogue.conversation_of, wanted, customer.id
                )
                self.last_seq = _non_negative_int(q.get("after"))
                return conversation
            return await run_in_threadpool(self.dialogue.store.latest_open, customer.id)
        except ClientError as exc:
            raise _Refused(CLOSE_NOT_FOUND, exc) from None

    async def _identify_visitor(self, channel: str, visitor: str) -> Conversation | None:
        """A widget guest: the guest behind the visitor id, if it has written before. An id that
        belongs to a shop customer needs their signed token, as on ``POST /messages``."""
        visitor = visitor.strip()
        if not 8 <= len(visitor) <= 128:
            raise _Refused(
                CLOSE_NOT_FOUND,
                ClientError("visitor must be 8 to 128 characters", code="invalid_visitor"),
            )
        self.visitor = visitor
        found = await run_in_threadpool(
            self.dialogue.commerce.find_customer_by_identity, channel, visitor
        )
        wanted = self.ws.query_params.get("conversation_id")
        if found is None:
            if wanted:  # a visitor with no history asks for a conversation: not theirs
                raise _Refused(
                    CLOSE_NOT_FOUND, ClientError("conversation not found", code="not_found")
                )
            return None  # a new guest: created by its first message
        if not is_guest(found.id):
            raise _Refused(
                CLOSE_UNAUTHORIZED,
                ClientError("a signed customer token is required", code="unauthorized"),
            )
        self.customer_id = found.id
        try:
            if wanted:
                conversation = await run_in_threadpool(
                    self.dialogue.conversation_of, wanted, found.id
                )
                self.last_seq = _non_negative_int(self.ws.query_params.get("after"))
                return conversation
        except ClientError as exc:
            raise _Refused(CLOSE_NOT_FOUND, exc) from None
        return await run_in_threadpool(self.dialogue.store.latest_open, found.id)

    async def _read_seq(self) -> int:
        if self.conversation_id is None:
            return 0
        stored = await run_in_threadpool(
            self.kefu.state.get, seen_by_staff_key(self.conversation_id)
        )
        return _non_negative_int(stored)

    async def _token(self) -> str | None:
        """The customer token: an ``Authorization`` header, else the first frame
        ``{"type": "auth", "token": "..."}``; never the URL, which proxies and access logs keep."""
        if "token" in self.ws.query_params:
            raise _Refused(
                CLOSE_UNAUTHORIZED,
                ClientError(
                    'send the token in the first frame {"type": "auth", "token": ...}, '
                    "never in the URL",
                    code="token_in_url",
                ),
            )
        header = token_from(self.ws)
        if header is not None:
            return header
        # a widget guest has no token: it names its visitor id
        if self.ws.query_params.get("visitor") and not self.ws.query_params.get("customer_id"):
            return None
        # demo mode names the customer in the URL and sends no token: nothing to wait for
        if self.kefu.settings.mode is not Mode.PRODUCTION and self.ws.query_params.get(
            "customer_id"
        ):
            return None
        try:
            raw = await asyncio.wait_for(self.ws.receive_text(), _AUTH_WAIT_S)
            frame = json.loads(raw)
        except (TimeoutError, json.JSONDecodeError, WebSocketDisconnect, RuntimeError, KeyError):
            frame = None
        token = frame.get("token") if isinstance(frame, dict) else None
        if not isinstance(frame, dict) or frame.get("type") != "auth" or not isinstance(token, str):
            raise _Refused(
                CLOSE_UNAUTHORIZED,
                ClientError(
                    'the first frame must be {"type": "auth", "token": "..."}', code="unauthorized"
                ),
            )
        return token.strip() or None

    # ---- following one conversation ---------------------------------------------------------
    async def _follow(self, conversation_id: str) -> None:
        await self._unfollow()
        self.conversation_id = conversation_id
        channel = conversation_channel(conversation_id)
        self._unsubscribe = await run_in_threadpool(
            self.kefu.state.subscribe, channel, self._on_event
        )

    async def _unfollow(self) -> None:
        stop, self._unsubscribe = self._unsubscribe, None
        if stop is not None:
            await run_in_threadpool(stop)

    def _on_event(self, raw: str) -> None:
        """Called on a pub/sub thread (or the publisher's): hand over to the event loop."""
        with contextlib.suppress(RuntimeError):  # the loop is gone: the socket is closed
            self._loop.call_soon_threadsafe(self._event, raw)

    def _event(self, raw: str) -> None:
        try:
            event = json.loads(raw)
        except json.JSONDecodeError:
            event = {}
        if isinstance(event, dict) and event.get("type") == "read":
            seq = event.get("seq")
            if isinstance(seq, int):
                task = asyncio.ensure_future(self.send({"type": "read", "seq": seq}))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            return
        if isinstance(event, dict) and event.get("type") == "typing":
            if event.get("sender") in ("agent", "bot"):
                frame = {"type": "typing", "sender": event["sender"], "on": bool(event.get("on"))}
                task = asyncio.ensure_future(self.send(frame))
                self._tasks.add(task)  # keep a reference until it is sent
                task.add_done_callback(self._tasks.discard)
            return  # the customer's own typing is for the agent side
        self._wake.set()

    async def _push_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            # a turn of this socket sends its ack before the messages it caused
            await self._idle.wait()
            await self.flush()

    async def flush(self) -> None:
        """Send every stored message after the last one sent, then a status change if any."""
        async with self._flush_lock:
            if self.conversation_id is None:
                return
            conversation_id = self.conversation_id
            conversation, messages = await run_in_threadpool(self._read, conversation_id)
            if conversation is None:
                return
            chips = quick_replies_of(conversation)
            for i, m in enumerate(messages):
                last_bot = i == len(messages) - 1 and m.sender is Sender.BOT
                await self.send(message_frame(m, chips if last_bot else None))
                self.last_seq = m.seq
            if conversation.status.value != self.status:
                self.status = conversation.status.value
                await self.send(
                    {
                        "type": "status",
                        "status": self.status,
                        "conversation_id": conversation_id,
                    }
                )

    def _read(self, conversation_id: str) -> tuple[Conversation | None, list[Message]]:
        store = self.dialogue.store
        messages = store.messages(conversation_id, after_seq=self.last_seq, limit=500)
        return store.get(conversation_id), messages

    # ---- frames from the client --------------------------------------------------------------
    async def _receive_forever(self) -> None:
        while True:
            try:
                message = await self.ws.receive()
            except (WebSocketDisconnect, RuntimeError):
                return
            if message["type"] == "websocket.disconnect":
                return
            raw = message.get("text")
            try:
                frame = json.loads(raw) if raw is not None else None
            except json.JSONDecodeError:
                frame = None
            if not isinstance(frame, dict):
                await self.send(error_frame("bad_frame", "frames must be JSON objects"))
                continue
            kind = frame.get("type")
            if kind == "message":
                await self._customer_message(frame)
            elif kind == "typing":
                await self._customer_typing(frame)
            elif kind == "ping":
                await self.send({"type": "pong"})
            else:
                await self.send(error_frame("bad_frame", f"unknown frame type {kind!r}"))

    async def _customer_message(self, frame: dict[str, Any]) -> None:
        text, client_msg_id = frame.get("text"), frame.get("client_msg_id")
        problem = self._check_text(text)
        if (
            problem is None
            and client_msg_id is not None
            and (
                not isinstance(client_msg_id, str)
                or not 0 < len(client_msg_id) <= _MAX_CLIENT_MSG_ID
            )
        ):
            problem = error_frame("bad_frame", "client_msg_id must be a short string")
        if problem is not None:
            await self.send(problem)
            return
        who = self.customer_id or f"visitor:{self.visitor}"
        key = f"ws:client_msg:{who}:{client_msg_id}" if client_msg_id else None
        state = self.kefu.state
        if key and not await run_in_threadpool(state.set_once, key, _PENDING, _ACK_TTL_S):
            await self._answer_resend(key)
            return
        reply = await self._run_turn(str(text), client_msg_id)
        if key:
            await run_in_threadpool(state.set, key, json.dumps(reply), _ACK_TTL_S)

    def _check_text(self, text: object) -> dict[str, Any] | None:
        if not isinstance(text, str) or not text.strip():
            return error_frame("invalid_message", "text must be a non-empty string")
        limit = self.kefu.settings.max_message_chars
        if len(text) > limit:
            return error_frame("message_too_long", f"text is longer than {limit} characters")
        return None

    async def _run_turn(self, text: str, client_msg_id: str | None) -> dict[str, Any]:
        """Run the turn; the frame answering it (ack or error), already sent."""
        bot_answers = self.status in (None, "bot")
        self._idle.clear()
        try:
            if bot_answers:
                await self.send({"type": "typing", "sender": "bot", "on": True})
            guest_first = not self.customer_id and self.visitor is not None
            turn = Turn(
                channel=self.channel,
                text=text,
                customer_id=self.customer_id or None,
                channel_user_id=self.visitor if guest_first else None,
                conversation_id=self.conversation_id,
                guest_only=guest_first,
            )
            try:
                result: TurnResult = await run_in_threadpool(self._limited_turn, turn)
            except ClientError as exc:
                reply = error_frame(exc.code, exc.message)
                retry_after_s = getattr(exc, "retry_after_s", None)
                if retry_after_s is not None:
                    reply["retry_after_s"] = retry_after_s
            except Exception:
                log.exception("chat turn failed")
                reply = error_frame("internal_error", "internal error")
            else:
                if not self.customer_id:
                    stored = await run_in_threadpool(
                        self.dialogue.store.get, result.conversation_id
                    )
                    self.customer_id = stored.customer_id if stored else ""
                if result.conversation_id != self.conversation_id:
                    await self._follow(result.conversation_id)
                    self.last_seq = 0  # a new conversation: its messages from the start
                reply = {
                    "type": "ack",
                    "client_msg_id": client_msg_id,
                    "conversation_id": result.conversation_id,
                    "message_id": result.message_id,
                }
            await self.send(reply)
            await self.flush()
            if bot_answers:
                await self.send({"type": "typing", "sender": "bot", "on": False})
            return reply
        finally:
            self._idle.set()

    def _limited_turn(self, turn: Turn) -> TurnResult:
        # the socket is a door like POST /messages: the same per-customer and per-address limits
        check_address(self.kefu, self.ws, "messages")
        return self.dialogue.handle(turn, admit=partial(check_customer, self.kefu))

    async def _answer_resend(self, key: str) -> None:
        """A client_msg_id seen before: the first answer again, never a second message."""
        deadline = self._loop.time() + _RESEND_WAIT_S
        while True:
            stored = await run_in_threadpool(self.kefu.state.get, key)
            if stored and stored != _PENDING:
                await self.send(json.loads(stored))
                await self.flush()
                return
            if self._loop.time() >= deadline:
                await self.send(error_frame("in_progress", "this message is still being handled"))
                return
            await asyncio.sleep(0.05)

    async def _customer_typing(self, frame: dict[str, Any]) -> None:
        on = frame.get("on")
        if not isinstance(on, bool):
            await self.send(error_frame("bad_frame", "typing needs on: true or false"))
            return
        if self.conversation_id is None:
            return  # nobody to tell yet
        conversation_id = self.conversation_id
        event = json.dumps({"type": "typing", "sender": "customer", "on": on})

        def tell() -> None:
            self.kefu.state.set(typing_key(conversation_id), "1" if on else "", _TYPING_TTL_S)
            self.kefu.state.publish(conversation_channel(conversation_id), event)

        await run_in_threadpool(tell)

    # ---- sending -----------------------------------------------------------------------------
    async def send(self, frame: dict[str, Any]) -> None:
        async with self._send_lock:
            # a push (typing, read) may race the socket's close: nothing to tell anyone then
            with contextlib.suppress(WebSocketDisconnect, RuntimeError, anyio.ClosedResourceError):
                await self.ws.send_json(frame)


def _non_negative_int(value: str | None) -> int:
    try:
        return max(0, int(value or 0))
    except ValueError:
        return 0
