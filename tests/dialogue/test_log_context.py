"""A log line says which request and which conversation it is about, so an operator can follow
one customer's turn through a busy log."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from kefu.dialogue import Turn
from kefu.logging_setup import configure_logging
from kefu.wiring import Kefu


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    with _json_log() as out:
        yield out


@contextmanager
def _json_log() -> Iterator[io.StringIO]:
    configure_logging("INFO", "json")
    out = io.StringIO()
    logging.getLogger("kefu").handlers[0].setStream(out)  # type: ignore[attr-defined]
    yield out
    configure_logging()


class _BrokenNlu:
    def parse(self, text: str, now: object = None) -> object:
        raise RuntimeError("model file unreadable")


def test_a_turns_log_lines_carry_its_conversation_id(
    sqlite_kefu: Kefu, json_log: io.StringIO
) -> None:
    sqlite_kefu.dialogue.nlu = _BrokenNlu()  # type: ignore[assignment]
    result = sqlite_kefu.dialogue.handle(Turn("web", "在吗", customer_id="C1001"))
    lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failed = [line for line in lines if line["message"] == "NLU failed"]
    assert failed and failed[0]["conversation_id"] == result.conversation_id
    # outside a turn the field is there, and says so
    logging.getLogger("kefu.test").warning("between turns")
    last = json.loads(json_log.getvalue().splitlines()[-1])
    assert last["conversation_id"] == "-" and last["request_id"] == "-"


def test_a_turn_over_http_logs_under_the_requests_id(sqlite_kefu: Kefu) -> None:
    from fastapi.testclient import TestClient

    from kefu.api.app import create_app

    sqlite_kefu.dialogue.nlu = _BrokenNlu()  # type: ignore[assignment]
    app = create_app(kefu=sqlite_kefu)  # sets up logging as its settings say: JSON here, after
    with _json_log() as json_log, TestClient(app) as client:
        sent = client.post(
            "/api/v1/messages",
            json={"channel": "web", "customer_id": "C1001", "text": "在吗"},
            headers={"x-request-id": "turn-42"},
        )
        assert sent.status_code == 200
        lines = [json.loads(line) for line in json_log.getvalue().splitlines()]
    failed = [line for line in lines if line["message"] == "NLU failed"]
    # the turn ran on a thread of its own: the request's id went with it
    assert failed and failed[0]["request_id"] == "turn-42"
    assert failed[0]["conversation_id"] == sent.json()["conversation_id"]
