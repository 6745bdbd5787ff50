"""Answers to promotion questions come from the live rules."""

from __future__ import annotations

from decimal import Decimal

from kefu.promotions.answers import PromoTopic
from kefu.promotions.rules import CrossStoreThreshold
from kefu.promotions.service import PromotionService
from kefu.promotions.store import InMemoryRuleStore
from tests.promotions.conftest import NOW


def test_cross_store_discount_stacks_with_the_store_coupon(service: PromotionService) -> None:
    text = service.answer(
        PromoTopic.STACKING, "zh-CN", rule_refs=["cross_store_threshold", "store_coupon"]
    )
    assert text.startswith("可以") and "每满300元减40元" in text and "满200元减50元" in text


def test_platform_and_new_customer_coupons_do_not_stack(service: PromotionService) -> None:
    text = service.answer(PromoTopic.STACKING, "en", rule_refs=["CPN-PLAT-20", "CPN-NEW-10"])
    assert text.startswith("No")


def test_group_price_does_not_stack_with_coupons(service: PromotionService) -> None:
    text = service.answer(PromoTopic.STACKING, "zh-CN", rule_refs=["P6001", "store_coupon"])
    assert text.startswith("不可以")


def test_price_of_two_tees_is_quoted(service: PromotionService) -> None:
    text = service.answer(PromoTopic.PRICE, "zh-CN", skus=["P1003"], qty=2)
    assert "118.50元" in text and "半价" in text


def test_socks_bogo_beats_second_tee_half_price_per_item(service: PromotionService) -> None:
    text = service.answer(
        PromoTopic.COMPARE, "zh-CN", rule_refs=["nth_item_discount", "buy_x_get_y"]
    )
    assert "59.25元" in text and "14.95元" in text
    assert text.endswith("运动袜三双装买1送1更划算。")


def test_presale_deposit_and_balance(service: PromotionService) -> None:
    text = service.answer(PromoTopic.PRESALE, "zh-CN")
    assert "定金100元" in text and "抵200元" in text and "尾款1799元" in text


def test_unfilled_group_is_refunded_automatically(service: PromotionService) -> None:
    text = service.answer(PromoTopic.GROUP_BUY, "zh-TW")
    assert "24小時" in text and "自動全額退款" in text
    assert "refunded in full automatically" in service.answer(PromoTopic.GROUP_BUY, "en")


def test_phone_does_not_join_the_cross_store_discount(service: PromotionService) -> None:
    text = service.answer(PromoTopic.CROSS_STORE_ELIGIBILITY, "zh-CN", skus=["P2001"])
    assert "不参加跨店满减" in text
    assert "可以参加" in service.answer(PromoTopic.CROSS_STORE_ELIGIBILITY, "zh-CN", skus=["P1001"])


def test_flash_sale_rules_and_that_it_has_ended(service: PromotionService) -> None:
    text = service.answer(PromoTopic.FLASH_SALE, "zh-CN")
    assert "299元" in text and "限购1件" in text and "已经结束" in text


def test_coupon_short_of_threshold_says_by_how_much(service: PromotionService) -> None:
    text = service.answer(PromoTopic.COUPON, "zh-CN", skus=["P1003"], qty=3, customer_id="C1001")
    assert "还差2.50元才满200元" in text


def test_coupon_exclusive_with_new_customer_coupon_is_said(service: PromotionService) -> None:
    text = service.answer(PromoTopic.COUPON, "en", customer_id="C1004")
    assert "not together with the new-customer coupon" in text


def test_free_shipping_threshold_and_what_is_missing(service: PromotionService) -> None:
    text = service.answer(PromoTopic.FREE_SHIPPING, "zh-CN", skus=["P1004"], qty=2)
    assert "满99元包邮" in text and "还差69.10元" in text


def test_campaign_summary_follows_a_rule_change(
    service: PromotionService, store: InMemoryRuleStore
) -> None:
    assert "每满300元减40元" in service.answer(PromoTopic.CAMPAIGN_SUMMARY, "zh-CN")
    cross = next(r for r in store.list_rules() if isinstance(r, CrossStoreThreshold))
    changed = cross.model_copy(update={"every": Decimal("400.00"), "off": Decimal("50.00")})
    store.put_rule(changed, NOW)
    text = service.answer(PromoTopic.CAMPAIGN_SUMMARY, "zh-CN")
    assert "每满400元减50元" in text and "300" not in text
    assert "every ¥400" in service.answer(PromoTopic.CAMPAIGN_SUMMARY, "en")


def test_every_topic_answers_in_every_language(service: PromotionService) -> None:
    for topic in PromoTopic:
        for lang in ("zh-CN", "zh-TW", "en"):
            assert service.answer(topic, lang, skus=["P1003"], qty=2, customer_id="C1001")
