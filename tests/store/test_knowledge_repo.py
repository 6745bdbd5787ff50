from __future__ import annotations

import json
import time
from pathlib import Path

from kefu.config import Settings
from kefu.knowledge.retriever import Decision
from kefu.knowledge.service import KnowledgeService
from kefu.wiring import Kefu

POLICY_ENTRIES = {
    "shipping-time", "shipping-campaign-peak", "presale-shipping", "delivery-time",
    "delivery-hk-macau-taiwan-overseas", "couriers", "free-shipping", "returns-no-reason",
    "return-shipping-fee", "return-exceptions", "quality-problems", "refund-timing",
    "cancel-order", "address-change", "invoice", "price-protection", "service-hours",
    "vip-levels", "presale-deposit", "group-buy", "payment-methods", "points", "size-advice",
    "contact-human",
}  # fmt: skip


def _kb(kefu: Kefu) -> KnowledgeService:
    service: KnowledgeService = kefu.knowledge
    return service


def test_new_database_is_seeded_with_every_policy_of_the_demo_shop(kefu: Kefu) -> None:
    entries = {e.id: e for e in _kb(kefu).list_entries()}
    assert set(entries) >= POLICY_ENTRIES
    exceptions = entries["return-exceptions"].answers["zh-CN"]
    assert all(sku in exceptions for sku in ("P6002", "P1005", "P6001", "P3003"))
    assert all(e.version == 1 for e in entries.values())


def test_crud_versions_and_rollback_are_stored(kefu: Kefu) -> None:
    kb = _kb(kefu)
    created = kb.create_entry(
        {"id": "gift-wrap", "question": "可以礼品包装吗", "answers": {"zh-CN": "可以。"}}
    )
    assert created.version == 1
    kb.update_entry("gift-wrap", {"answers": {"zh-CN": "可以，免费。", "en": "Yes, free."}})
    kb.delete_entry("gift-wrap")
    assert "gift-wrap" not in {e.id for e in kb.list_entries()}
    restored = kb.rollback("gift-wrap", 2)
    assert restored.version == 4 and restored.answers["en"] == "Yes, free."
    versions = kb.versions("gift-wrap")
    assert [v.version for v in versions] == [1, 2, 3, 4]
    assert versions[2].snapshot["deleted"] is True


def test_export_import_round_trip_changes_nothing(kefu: Kefu) -> None:
    kb = _kb(kefu)
    for fmt in ("json", "csv"):
        exported = kb.export(fmt)
        assert kb.import_entries(exported, fmt) == {
            "created": 0,
            "updated": 0,
            "unchanged": len(kb.list_entries()),
        }
    data = json.loads(kb.export("json"))
    data["entries"][0]["answers"]["en"] = "Changed."
    data["entries"].append({"id": "new-one", "question": "新问题", "answers": {"en": "A."}})
    assert kb.import_entries(json.dumps(data), "json") == {
        "created": 1,
        "updated": 1,
        "unchanged": len(data["entries"]) - 2,
    }


def test_an_edit_in_one_worker_is_served_by_another_within_a_second(
    kefu: Kefu, settings: Settings, tmp_path: Path
) -> None:
    other = Kefu.start(settings.model_copy(update={"data_dir": tmp_path / "other"}))
    try:
        reader = _kb(other)
        question = "你们支持以旧换新吗"
        assert reader.search(question, record=False).decision is not Decision.ANSWER
        _kb(kefu).create_entry(
            {
                "id": "trade-in",
                "question": "支持以旧换新吗？",
                "variants": ["旧手机能抵钱吗", "trade in my old phone"],
                "answers": {"zh-CN": "暂不支持以旧换新。", "en": "No trade-in for now."},
            }
        )
        started = time.monotonic()
        while True:
            top = reader.search(question, record=False).top
            if top is not None and top.entry_id == "trade-in":
                break
            assert time.monotonic() - started < 1.0, "the other worker did not see the change"
            time.sleep(0.05)
    finally:
        other.close()


def test_uncovered_questions_and_proposals_are_stored(kefu: Kefu) -> None:
    kb = _kb(kefu)
    for text in ("你们有实体店吗", "有没有线下实体店", "今天天气怎么样"):
        kb.search(text, customer_id="C1001", conversation_id="conv-1")
    gaps = kb.gaps()
    assert gaps[0].count == 2 and "实体店" in gaps[0].representative
    proposal = kb.propose("有实体店吗", "目前只有网店。", "zh-CN", "A01")
    assert [p.id for p in kb.proposals()] == [proposal.id]
    entry = kb.approve(proposal.id)
    assert kb.get_entry(entry.id).answers["zh-CN"] == "目前只有网店。"
    assert kb.proposals("approved")[0].reviewed_by == "admin"
