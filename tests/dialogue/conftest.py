"""Fixtures for the dialogue: the real NLU (trained once per session) or small fakes of the
ports (NLU, desk) over the real database."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from kefu.config import Settings
from kefu.domain.desk import TicketKind
from kefu.domain.handoff import (
    HandoffOutcome,
    HandoffRequest,
    LeftMessage,
    TicketRequest,
    WaitStatus,
)
from kefu.nlu import NluPipeline
from kefu.wiring import Kefu

MODELS = Path(__file__).resolve().parents[2] / "var" / "test-models"


@pytest.fixture(scope="session")
def real_nlu() -> NluPipeline:
    """The project's NLU, trained once and cached between runs."""
    MODELS.mkdir(parents=True, exist_ok=True)
    with_products = Kefu.start(Settings(data_dir=MODELS / "shop", model_dir=MODELS))
    try:
        return NluPipeline.load(with_products.commerce.list_products(), MODELS)
    finally:
        with_products.close()


@dataclass(frozen=True)
class FakeUnderstanding:
    text: str
    normalized: str
    lang: str = "zh-CN"
    intent: str = "other"
    confidence: float = 0.95
    ranked: tuple[tuple[str, float], ...] = ()
    entities: Mapping[str, Any] = field(default_factory=dict)
    product_skus: tuple[str, ...] = ()
    sentiment: str = "neutral"
    anger: float = 0.0


class ScriptedNlu:
    """Understands exactly what a test tells it to, so each rule is tested on its own."""

    def __init__(self) -> None:
        self.script: dict[str, dict[str, Any]] = {}

    def says(self, text: str, **understood: Any) -> None:
        self.script[text] = understood

    def parse(self, text: str, now: datetime | None = None) -> FakeUnderstanding:
        return FakeUnderstanding(text=text, normalized=text.lower(), **self.script.get(text, {}))


class RecordingDesk:
    """A DeskPort that remembers what it was given; tickets stay open, one per order and kind
    as the real desk keeps them, and the queue is what the test sets in ``wait``."""

    def __init__(self, agents_online: bool = True) -> None:
        self.handoffs: list[HandoffRequest] = []
        self.tickets: list[TicketRequest] = []
        self.left: list[LeftMessage] = []
        self.notices: list[tuple[str, str]] = []
        self.agents_online = agents_online
        self.wait = WaitStatus(True, 2, 300, agents_online)

    def hand_off(self, request: HandoffRequest) -> HandoffOutcome:
        self.handoffs.append(request)
        priority = 10 if request.vip in ("gold", "platinum") else 0
        return HandoffOutcome(
            priority, "after_sales", 2, 300, None, self.agents_online, not self.agents_online
        )

    def open_ticket(self, request: TicketRequest) -> str:
        self.tickets.append(request)
        return f"T{len(self.tickets):04d}"

    def find_open_ticket(
        self, customer_id: str, order_id: str | None, kind: TicketKind
    ) -> str | None:
        for number, t in enumerate(self.tickets, start=1):
            if (t.customer_id, t.order_id, t.kind) == (customer_id, order_id, kind) and order_id:
                return f"T{number:04d}"
        return None

    def waiting_status(self, conversation_id: str, at: datetime) -> WaitStatus:
        return self.wait

    def waiting_conversations(self, limit: int) -> list[str]:
        return [h.conversation_id for h in self.handoffs][:limit] if self.wait.waiting else []

    def notify(self, conversation_id: str, text: str, at: datetime) -> None:
        self.notices.append((conversation_id, text))

    def leave_message(self, message: LeftMessage) -> str:
        self.left.append(message)
        self.wait = WaitStatus(False)
        return "T9001"


@pytest.fixture
def scripted_nlu() -> ScriptedNlu:
    return ScriptedNlu()


@pytest.fixture
def desk() -> RecordingDesk:
    return RecordingDesk()


@pytest.fixture
def sqlite_kefu(tmp_path: Path) -> Iterator[Kefu]:
    k = Kefu.start(Settings(data_dir=tmp_path, model_dir=MODELS))
    yield k
    k.close()


@pytest.fixture
def faked(sqlite_kefu: Kefu, scripted_nlu: ScriptedNlu, desk: RecordingDesk) -> Kefu:
    """The demo shop with a scripted NLU and a recording desk."""
    sqlite_kefu.dialogue.nlu = scripted_nlu
    sqlite_kefu.dialogue.desk = desk
    return sqlite_kefu


@pytest.fixture
def live(sqlite_kefu: Kefu, real_nlu: NluPipeline) -> Kefu:
    """The demo shop with every real component."""
    sqlite_kefu.dialogue.nlu = real_nlu
    return sqlite_kefu
