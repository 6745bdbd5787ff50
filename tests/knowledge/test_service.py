from __future__ import annotations

from datetime import timedelta

import pytest

from kefu.knowledge.errors import KbConflict, KbInvalid, KbNotFound
from kefu.knowledge.retriever import Decision, Thresholds, decide
from kefu.knowledge.service import KnowledgeService
from tests.knowledge.conftest import SEEDED_AT
from tests.knowledge.memory_repo import MemoryRepository

NOW = SEEDED_AT + timedelta(hours=1)


def test_a_plain_policy_question_is_answered_from_its_entry(service: KnowledgeService) -> None:
    result = service.search("退货的运费谁来出", "zh-CN", now=NOW)
    assert result.decision is Decision.ANSWER
    assert result.top is not None and result.top.entry_id == "return-shipping-fee"
    assert "运费险" in result.top.answer
    assert len(result.hits) == 3 and result.hits[0].score >= result.hits[1].score


def test_unrelated_question_falls_back_and_is_logged_as_uncovered(
    service: KnowledgeService, repo: MemoryRepository
) -> None:
    result = service.search("今天天气怎么样", "zh-CN", now=NOW, customer_id="C1001")
    assert result.decision is Decision.FALLBACK
    assert [q.text for q in repo.uncovered_log] == ["今天天气怎么样"]
    assert repo.uncovered_log[0].customer_id == "C1001"


def test_confident_answers_are_not_logged_as_uncovered(
    service: KnowledgeService, repo: MemoryRepository
) -> None:
    service.search("可以开发票吗", "zh-CN", now=NOW)
    assert repo.uncovered_log == []


def test_decision_suggests_between_thresholds_or_when_the_top_two_are_close() -> None:
    t = Thresholds(answer=0.5, suggest=0.3, margin=0.05)
    assert decide([0.8, 0.2], t) is Decision.ANSWER
    assert decide([0.4, 0.1], t) is Decision.SUGGEST
    assert decide([0.8, 0.78], t) is Decision.SUGGEST
    assert decide([0.2, 0.1], t) is Decision.FALLBACK
    assert decide([], t) is Decision.FALLBACK


def test_traditional_chinese_customer_gets_taiwan_phrasing(service: KnowledgeService) -> None:
    result = service.search("退款幾天會到帳", "zh-TW", now=NOW)
    assert result.top is not None and result.top.entry_id == "refund-timing"
    assert "個工作日" in result.top.answer and "个" not in result.top.answer


def test_english_customer_gets_the_english_answer_and_question(service: KnowledgeService) -> None:
    result = service.search("do you ship to hong kong", "en", now=NOW)
    assert result.top is not None and result.top.entry_id == "delivery-hk-macau-taiwan-overseas"
    assert "5-10 days" in result.top.answer
    assert result.top.question.isascii()


def test_channel_specific_answer_wins_on_that_channel_only(service: KnowledgeService) -> None:
    on_wechat = service.search("怎么转人工客服", "zh-CN", channel="wechat", now=NOW).top
    on_web = service.search("怎么转人工客服", "zh-CN", channel="web", now=NOW).top
    assert on_wechat is not None and on_web is not None
    assert "公众号" in on_wechat.answer
    assert "公众号" not in on_web.answer


def test_campaign_answer_is_served_only_inside_its_validity_window(
    service: KnowledgeService,
) -> None:
    inside = service.search("双十一大促发货要等多久", "zh-CN", now=NOW)
    after = service.search("双十一大促发货要等多久", "zh-CN", now=SEEDED_AT + timedelta(days=3))
    assert inside.top is not None and inside.top.entry_id == "shipping-campaign-peak"
    assert "shipping-campaign-peak" not in [h.entry_id for h in after.hits]


def test_an_edit_is_searchable_at_once_in_the_same_worker(service: KnowledgeService) -> None:
    service.create_entry(
        {
            "id": "gift-wrap",
            "question": "可以礼品包装吗？",
            "variants": ["能帮我包装成礼物吗", "gift wrapping"],
            "answers": {
                "zh-CN": "可以，下单时备注礼品包装即可。",
                "en": "Yes, add a gift-wrap note.",
            },
        },
        now=NOW,
    )
    top = service.search("能不能做礼品包装", "zh-CN", now=NOW).top
    assert top is not None and top.entry_id == "gift-wrap"


def test_a_question_asked_before_an_edit_finds_the_new_answer_after_it(
    service: KnowledgeService,
) -> None:
    # the scores of a repeated question are kept per index: an edit makes a new index
    before = [service.search("能不能做礼品包装", "zh-CN", now=NOW).top for _ in range(2)]
    assert before[0] == before[1] and (before[0] is None or before[0].entry_id != "gift-wrap")
    service.create_entry(
        {
            "id": "gift-wrap",
            "question": "可以礼品包装吗？",
            "variants": ["能帮我包装成礼物吗"],
            "answers": {"zh-CN": "可以，下单时备注礼品包装即可。"},
        },
        now=NOW,
    )
    after = service.search("能不能做礼品包装", "zh-CN", now=NOW).top
    assert after is not None and after.entry_id == "gift-wrap"


def test_update_keeps_other_fields_and_rollback_restores_an_old_version(
    service: KnowledgeService,
) -> None:
    before = service.get_entry("invoice")
    service.update_entry("invoice", {"answers": {"zh-CN": "新的发票说明"}}, now=NOW)
    updated = service.get_entry("invoice")
    assert updated.version == before.version + 1
    assert updated.variants == before.variants and dict(updated.answers) == {
        "zh-CN": "新的发票说明"
    }
    restored = service.rollback("invoice", before.version, now=NOW)
    assert restored.version == before.version + 2
    assert restored.answers == before.answers
    assert [v.version for v in service.versions("invoice")] == [1, 2, 3]


def test_stale_expected_version_is_a_conflict(service: KnowledgeService) -> None:
    with pytest.raises(KbConflict):
        service.update_entry("invoice", {"tags": ["x"]}, expected_version=7, now=NOW)


def test_deleted_entry_is_no_longer_found_or_served(service: KnowledgeService) -> None:
    service.delete_entry("wool-coat-care", now=NOW)
    with pytest.raises(KbNotFound):
        service.get_entry("wool-coat-care")
    hits = service.search("羊毛大衣怎么洗", "zh-CN", now=NOW, record=False).hits
    assert "wool-coat-care" not in [h.entry_id for h in hits]


def test_invalid_entries_are_rejected_with_a_reason(service: KnowledgeService) -> None:
    with pytest.raises(KbInvalid, match="answers"):
        service.create_entry({"id": "x1", "question": "q", "answers": {}})
    with pytest.raises(KbInvalid, match="language"):
        service.create_entry({"id": "x1", "question": "q", "answers": {"xx": "oui"}})
    with pytest.raises(KbInvalid, match="valid_to"):
        service.create_entry(
            {
                "id": "x1",
                "question": "q",
                "answers": {"en": "a"},
                "valid_from": "2026-11-02T00:00:00Z",
                "valid_to": "2026-11-01T00:00:00Z",
            }
        )
    with pytest.raises(KbConflict):
        service.create_entry({"id": "invoice", "question": "q", "answers": {"en": "a"}})


def test_import_validates_everything_before_saving_anything(service: KnowledgeService) -> None:
    revision = service.repo.revision()
    bad = '[{"id": "ok-1", "question": "q", "answers": {"en": "a"}}, {"id": "Bad Id"}]'
    with pytest.raises(KbInvalid, match="entry 2"):
        service.import_entries(bad, "json", now=NOW)
    assert service.repo.revision() == revision


def test_approved_proposal_becomes_a_new_version_of_its_entry(service: KnowledgeService) -> None:
    proposal = service.propose(
        "发票能开专票吗", "目前只开电子普通发票。", "zh-CN", "A02", entry_id="invoice", now=NOW
    )
    assert [p.id for p in service.proposals()] == [proposal.id]
    entry = service.approve(proposal.id, reviewer="admin", now=NOW)
    assert entry.answers["zh-CN"] == "目前只开电子普通发票。"
    assert "发票能开专票吗" in entry.variants
    assert service.proposals() == []
    with pytest.raises(KbConflict):
        service.reject(proposal.id)


def test_approved_proposal_without_entry_creates_one_and_rejected_changes_nothing(
    service: KnowledgeService,
) -> None:
    new = service.propose("支持货到付款吗", "暂不支持货到付款。", "zh-CN", "A01", now=NOW)
    entry = service.approve(new.id, now=NOW)
    assert entry.version == 1 and entry.question == "支持货到付款吗"
    revision = service.repo.revision()
    other = service.propose("x", "y", "en", "A03", now=NOW)
    assert service.reject(other.id).status == "rejected"
    assert service.repo.revision() == revision


def test_gaps_group_paraphrases_and_rank_by_frequency(service: KnowledgeService) -> None:
    asked = ["你们有实体店吗", "线下有门店吗", "实体店在哪里", "你们招聘客服吗", "有实体店吗"]
    for text in asked:
        service.log_uncovered(text, "zh-CN", now=NOW)
    clusters = service.gaps()
    assert clusters[0].count >= 3
    assert "实体店" in clusters[0].representative
    assert any("招聘" in c.representative for c in clusters[1:])


def test_under_overload_a_new_question_skips_the_encoder_but_is_still_answered(
    repo: MemoryRepository,
) -> None:
    from kefu.knowledge.embedder import shared_embedder

    real = shared_embedder()
    embedded: list[str] = []

    class CountingEmbedder:
        name = real.name
        similarity_floor = real.similarity_floor

        def embed(self, texts: list[str]) -> object:
            embedded.extend(texts)
            return real.embed(texts)

    busy = [False]
    service = KnowledgeService(repo, embedder=CountingEmbedder(), overloaded=lambda: busy[0])  # type: ignore[arg-type]
    service.search("退货的运费谁来出", "zh-CN", now=NOW, record=False)  # index built, warm
    embedded.clear()
    busy[0] = True
    result = service.search("退货运费是谁承担的呀", "zh-CN", now=NOW, record=False)
    assert embedded == []  # the encoder was not run for the new question
    assert result.top is not None and result.top.entry_id == "return-shipping-fee"
    busy[0] = False
    service.search("退货运费是谁承担的呀", "zh-CN", now=NOW, record=False)
    assert len(embedded) == 1  # back to hybrid retrieval once the peak passes


def test_answers_people_approved_are_told_apart_from_the_shipped_ones(
    service: KnowledgeService,
) -> None:
    assert not service.has_curated_answers()
    shipped = service.search("发票能开专票吗", now=NOW, record=False).top
    assert shipped is not None and not shipped.curated
    proposal = service.propose(
        "发票能开专票吗", "目前只开电子普通发票。", "zh-CN", "A02", entry_id="invoice", now=NOW
    )
    service.approve(proposal.id, reviewer="S01", now=NOW)
    assert service.has_curated_answers()
    approved = service.search("发票能开专票吗", now=NOW, record=False).top
    assert approved is not None and approved.curated and approved.updated_by == "proposal:A02"
