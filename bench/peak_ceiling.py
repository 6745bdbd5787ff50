"""The ceiling kefu is measured against: a bare FastAPI endpoint that validates the same message
body (the same wire model) and answers a reply of the same shape, with no work behind it.

Served by ``bench/bench_peak.py`` as ``uvicorn bench.peak_ceiling:app`` with kefu's worker count.
"""

from __future__ import annotations

import orjson
from fastapi import FastAPI, Response

from kefu.api.schemas import MessageIn

app = FastAPI()

_REPLY = {
    "message_id": "m0",
    "replies": [
        {"text": "亲，您的订单已发货，顺丰速运 SF1234567890，预计明天送达。", "kind": "answer"}
    ],
    "intent": "logistics",
    "confidence": 0.93,
    "entities": {},
    "sentiment": "neutral",
    "handoff": False,
    "status": "bot",
}


@app.post("/api/v1/messages")
async def message(body: MessageIn) -> Response:
    reply = {"conversation_id": f"c-{body.channel_user_id or body.customer_id}", **_REPLY}
    return Response(orjson.dumps(reply), media_type="application/json")
