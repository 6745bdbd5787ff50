"""Overseas customers of a cross-border shop, end to end through POST /api/v1/messages.

A Japanese, a Spanish and an Arabic customer (data/demo/crossborder.json) each ask where their
parcel is and return a delivered order: the replies are in their language, state their own
orders' facts, give times in their time zone, and money in the shop's currency with an
approximate amount in theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kefu.config import Settings
from kefu.dialogue.locale import format_time
from kefu.nlu import NluPipeline
from kefu.wiring import Kefu

MODELS = Path(__file__).resolve().parents[2] / "var" / "test-models"

# customer, zone, (logistics question, words of the language), (return question, order returned,
# approximate-currency mark), a word of the reply that only their language writes
CUSTOMERS = [
    (
        "C7001",
        "Asia/Tokyo",
        "ja",
        "注文はいつ届きますか",
        "Tシャツを返品したいです",
        "E2026111500102",
        "￥",
        "追跡番号",
    ),
    (
        "C7003",
        "Europe/Madrid",
        "es",
        "¿Dónde está mi pedido?",
        "quiero devolver el abrigo, no me queda bien",
        "E2026111400302",
        "€",
        "seguimiento",
    ),
    (
        "C7011",
        "Asia/Riyadh",
        "ar",
        "وين طلبي؟ متى يوصل",
        "ابغى ارجع قلاية الهواء",
        "E2026111500112",
        "ر.س",
        "التتبع",
    ),
]


@pytest.fixture(scope="module")
def nlu() -> NluPipeline:
    MODELS.mkdir(parents=True, exist_ok=True)
    shop = Kefu.start(Settings(data_dir=MODELS / "shop", model_dir=MODELS))
    try:
        return NluPipeline.load(shop.commerce.list_products(), MODELS)
    finally:
        shop.close()


@pytest.fixture
def api(kefu: Kefu, client: TestClient, nlu: NluPipeline) -> TestClient:
    kefu.dialogue.nlu = nlu
    return client


def ask(api: TestClient, customer_id: str, text: str, conversation_id: str | None) -> Any:
    body: dict[str, Any] = {"channel": "web", "customer_id": customer_id, "text": text}
    if conversation_id:
        body["conversation_id"] = conversation_id
    response = api.post("/api/v1/messages", json=body)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("customer_id", "zone", "lang", "where", "give_back", "returned", "currency", "own_word"),
    CUSTOMERS,
    ids=[c[2] for c in CUSTOMERS],
)
def test_overseas_customers_track_and_return_in_their_language(
    api: TestClient,
    kefu: Kefu,
    customer_id: str,
    zone: str,
    lang: str,
    where: str,
    give_back: str,
    returned: str,
    currency: str,
    own_word: str,
) -> None:
    in_transit = next(
        o for o in kefu.commerce.list_orders(customer_id) if o.status.value == "shipped"
    )
    assert in_transit.shipment is not None and in_transit.shipment.latest_event is not None
    latest = in_transit.shipment.latest_event

    tracked = ask(api, customer_id, where, None)
    text = " ".join(r["text"] for r in tracked["replies"])
    assert tracked["intent"] == "logistics" and not tracked["handoff"]
    assert in_transit.id in text and in_transit.shipment.tracking_no in text
    assert latest.description in text  # the latest hand-off of the journey
    assert format_time(latest.at, lang, zone) in text  # in the customer's zone, not Beijing's
    assert own_word in text
    assert "English" not in text and "inglés" not in text  # no fallback note: their language

    refund = ask(api, customer_id, give_back, tracked["conversation_id"])
    text = " ".join(r["text"] for r in refund["replies"])
    assert refund["intent"] == "return_refund" and not refund["handoff"]
    assert returned in text
    order = next(o for o in kefu.commerce.list_orders(customer_id) if o.id == returned)
    shop_amount = f"{order.goods_total:.2f}".replace(".", "," if lang == "es" else ".")
    assert shop_amount in text  # the refund stated in the shop's currency...
    assert "≈" in text and currency in text  # ...with the approximate amount in theirs
    other = {c[0] for c in CUSTOMERS} - {customer_id}
    assert not any(
        o.id in text for c in other for o in kefu.commerce.list_orders(c)
    )  # never another customer's order


def test_a_reply_the_language_lacks_comes_in_english_and_says_so(api: TestClient) -> None:
    # Korean has no invoice templates: the English reply is introduced by the Korean note
    reply = ask(api, "C7002", "영수증 발급해 주세요", None)
    text = reply["replies"][0]["text"]
    assert text.startswith("(죄송합니다. 이 답변은 영어로만 제공됩니다.)")
    assert "invoice" in text.lower()


def test_kanji_alone_keeps_a_japanese_conversation_in_japanese(api: TestClient) -> None:
    first = ask(api, "C7001", "こんにちは", None)
    reply = ask(api, "C7001", "返品", first["conversation_id"])  # reads as Chinese on its own
    text = " ".join(r["text"] for r in reply["replies"])
    assert any("\u3040" <= ch <= "\u30ff" for ch in text), text  # kana: Japanese, not Chinese


def test_promotion_rules_written_only_in_chinese_and_english_come_in_english(
    api: TestClient,
) -> None:
    reply = ask(api, "C7003", "¿hay ofertas ahora?", None)
    text = reply["replies"][-1]["text"]
    assert text.startswith("(Lo siento, esta respuesta solo está disponible en inglés.)")
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in text), text  # never Chinese to her
