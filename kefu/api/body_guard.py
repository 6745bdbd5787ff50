"""Request bodies checked before any route sees them: size, encoding, JSON nesting, surrogates.

- A body over the limit (64 KB; 1 MB for the back office, 5 MB for a knowledge base import) is
  answered 413 before it is read: at once when ``Content-Length`` says so, and as soon as a
  streamed or chunked body passes the limit, so a 200 MB upload never sits in memory.
- A shop's data export (``/api/v1/admin/import/{kind}``, up to 2 GiB) is not read here at all:
  the route streams it to a spooled file after checking who sends it, and bounds it itself.
- A JSON body (declared, or undeclared but looking like JSON) must be UTF-8, nested at most
  ``MAX_JSON_DEPTH`` deep and free of lone surrogates (``"\\ud800"``): such text cannot be stored
  or encoded later and used to end as a 500 deep inside a route.

Every refusal is the contract's 4xx JSON error, and nothing downstream has run.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kefu.api.errors import error_body
from kefu.domain.images import MAX_IMAGE_BYTES

MESSAGE_BODY_BYTES = 64 * 1024
UPLOAD_BODY_BYTES = 1024 * 1024
MAX_JSON_DEPTH = 32
# routes that take whole files: knowledge base and promotion imports, the back office
_UPLOAD_PREFIXES = ("/api/v1/admin/",)
_STRING = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


# a customer's photo (kefu.domain.images checks the file itself), with room for the form around it
IMAGE_BODY_BYTES = MAX_IMAGE_BYTES + 64 * 1024
_IMAGE_UPLOAD = re.compile(r"^/api/v1/conversations/[^/]+/images$")
# a million orders: streamed by the route, never held here
IMPORT_BODY_BYTES = 2 * 1024**3
_STREAMED_IMPORT = re.compile(r"^/api/v1/admin/import/[^/]+$")
# a shop's whole knowledge base (thousands of answers), read and checked in one piece
KNOWLEDGE_IMPORT_BYTES = 5 * 1024 * 1024
_KNOWLEDGE_IMPORT = "/api/v1/admin/kb/import"


def body_limit_for(path: str) -> int:
    if _STREAMED_IMPORT.match(path):
        return IMPORT_BODY_BYTES
    if path == _KNOWLEDGE_IMPORT:
        return KNOWLEDGE_IMPORT_BYTES
    if _IMAGE_UPLOAD.match(path):
        return IMAGE_BODY_BYTES
    return UPLOAD_BODY_BYTES if path.startswith(_UPLOAD_PREFIXES) else MESSAGE_BODY_BYTES


class _Refusal(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _json_depth(raw: bytes) -> int:
    """How deep arrays and objects nest, without building them (a parser would recurse)."""
    brackets = _STRING.sub(b"", raw).translate(None, _NOT_BRACKETS)
    depth = deepest = 0
    for b in brackets:
        if b in b"[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


def check_json_body(raw: bytes) -> None:
    """Refuse what no route could use; valid JSON passes (the route reports its own errors)."""
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(400, "invalid_encoding", "the body must be UTF-8") from None
    # a body with fewer brackets than the limit cannot nest deeper (a customer's message: no scan)
    few = raw.count(b"[") + raw.count(b"{") <= MAX_JSON_DEPTH
    if not few and _json_depth(raw) > MAX_JSON_DEPTH:
        raise _Refusal(400, "too_deep", f"JSON may nest at most {MAX_JSON_DEPTH} levels")
    if b"\\u" not in raw:
        # valid UTF-8 holds no surrogate: only a \u escape can make one, so nothing to decode
        return
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return  # not JSON after all: the route answers with its own error code
    except RecursionError:  # the depth scan should have caught it; never a 500 regardless
        raise _Refusal(400, "too_deep", "JSON nests too deep") from None
    try:
        # a lone surrogate escape decodes fine but can never be encoded, stored or sent back
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise _Refusal(
            400, "invalid_text", "text holds a lone surrogate (\\ud800-\\udfff)"
        ) from None


def _looks_like_json(scope: Scope, first: bytes) -> bool:
    content_type = ""
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            content_type = value.decode("latin-1").lower()
    if "json" in content_type:
        return True
    # routes that read the body by hand accept JSON without a content type
    return not content_type and first.lstrip()[:1] in (b"{", b"[", b'"')


class BodyGuard:
    """ASGI middleware: bounded, well-formed request bodies for every HTTP route."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = body_limit_for(scope["path"])
        try:
            declared = _content_length(scope)
            if declared is not None and declared > limit:
                raise _too_large(limit)
            if _STREAMED_IMPORT.match(scope["path"]):
                await self.app(scope, receive, send)
                return
            body = await _read_bounded(receive, limit)
            if body and _looks_like_json(scope, body[:64]):
                check_json_body(body)
        except _Refusal as refusal:
            await _answer(send, refusal)
            return
        await self.app(scope, _replay(body, receive), send)


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                raise _Refusal(400, "bad_request", "Content-Length must be a number") from None
    return None


def _too_large(limit: int) -> _Refusal:
    return _Refusal(413, "payload_too_large", f"the body may be at most {limit // 1024} KB")


async def _read_bounded(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:  # a chunked or lying body: stop reading here
            raise _too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()  # after the body: wait for the disconnect, as the server would

    return replay


async def _answer(send: Send, refusal: _Refusal) -> None:
    payload: dict[str, Any] = error_body(refusal.code, refusal.message)
    data = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(data)).encode())]
    if refusal.status == 413:
        headers.append((b"connection", b"close"))  # the rest of the body is not worth reading
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
