"""A scripted OpenAI-compatible chat server: a real HTTP server on a free port, answering
``POST /v1/chat/completions`` the way a model might (a faithful rewrite, a changed price, an
invented order id, a slow answer, an error), for the tests and the conversation benchmark.

``python -m tests.llm.standin --port 8001 --mode good`` serves it by itself.
"""

from __future__ import annotations

import argparse
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

_ANSWER = re.compile(r"ANSWER \(the facts\):\n(.*?)\n\nFacts it was built from:", re.DOTALL)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_HAN = re.compile(r"[\u3400-\u9fff]")


@dataclass
class Script:
    """What the server does now; the tests change ``mode`` between turns."""

    # good | price | invent_id | boast | slow | error | intent:<label> | garbage
    mode: str = "good"
    slow_s: float = 5.0
    requests: list[dict[str, Any]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # the Authorization headers received


def _rewrite(answer: str, mode: str) -> str:
    zh = bool(_HAN.search(answer))
    if mode == "price":
        # the first figure one higher: what a model misreading "¥158.00" might write
        return _NUMBER.sub(lambda m: str(int(float(m.group(0))) + 1), answer, count=1)
    if mode == "boast":  # no fact changed, but words advertising law forbids
        return ("亲，" if zh else "Sure! ") + answer + ("全网最低价哦！" if zh else "")
    if mode == "invent_id":
        extra = "您的订单号是E2026999999999。" if zh else " Your order is E2026999999999."
        return answer + extra
    return ("亲，" if zh else "Sure! ") + answer


def answer_for(body: dict[str, Any], script: Script) -> str:
    messages = body.get("messages") or []
    system = str(messages[0].get("content", "")) if messages else ""
    user = str(messages[-1].get("content", "")) if messages else ""
    if "classify" in system:
        if script.mode.startswith("intent:"):
            return json.dumps({"intent": script.mode.split(":", 1)[1], "entities": {}})
        if script.mode == "garbage":
            return "I think the customer wants their parcel"
        return json.dumps({"intent": "not-a-label"})
    if script.mode == "garbage":
        return ""
    if "suggest a reply" in system:
        if script.mode == "invent_id":
            return "亲，您的订单E2026999999999已经退款了。"
        return "亲，我这边看到订单E2026111100002已付款待发货，马上为您催促。"
    if "Draft a short answer" in system:
        return "[to confirm] 门店自提的时间和地址请以店铺公告为准。"
    found = _ANSWER.search(user)
    if found:
        return _rewrite(found.group(1), script.mode)
    return "客户想了解订单进度，机器人已回复，尚待确认。" if _HAN.search(user) else "Customer asks."


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            script.requests.append(body)
            script.keys.append(self.headers.get("Authorization") or "")
            if not self.path.endswith("/chat/completions"):
                self._send(404, {"error": {"message": "not found"}})
                return
            if script.mode == "error":
                self._send(500, {"error": {"message": "the model crashed", "type": "server"}})
                return
            if script.mode == "slow":
                time.sleep(script.slow_s)
            text = answer_for(body, script)
            self._send(
                200,
                {
                    "id": "chatcmpl-standin",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body.get("model", "standin"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                },
            )

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload, ensure_ascii=False).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its deadline): nothing to tell it

    return Handler


@contextmanager
def serve(script: Script, port: int = 0) -> Iterator[str]:
    """The server on 127.0.0.1 (a free port unless given); yields its base URL (…/v1)."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _handler(script))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--mode", default="good")
    args = parser.parse_args()
    with serve(Script(mode=args.mode), args.port) as url:
        print(f"serving {url} ({args.mode})", flush=True)
        threading.Event().wait()
