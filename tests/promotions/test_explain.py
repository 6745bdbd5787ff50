"""The price story in zh-CN, zh-TW (Taiwan wording) and English."""

from __future__ import annotations

from kefu.promotions.service import PromotionService


def test_cross_store_and_coupon_are_explained_in_simplified_chinese(
    service: PromotionService,
) -> None:
    priced = service.quote("C1006", [{"sku": "P3001", "qty": 1}])
    text = priced.explanations["zh-CN"]
    assert "跨店满减每满300元减40元" in text and "共减160元" in text
    assert "店铺券满200元减50元" in text and "合计应付1069元" in text


def test_traditional_chinese_uses_taiwan_wording(service: PromotionService) -> None:
    priced = service.quote("C1006", [{"sku": "P3001", "qty": 1}])
    text = priced.explanations["zh-TW"]
    assert "優惠券" in text and "滿減" in text and "免運" in text
    assert "优惠券" not in text and "包邮" not in text


def test_english_explanation_names_each_step(service: PromotionService) -> None:
    items = [{"sku": "P6002", "qty": 2}, {"sku": "P1004", "qty": 1}]
    text = service.quote("C1004", items).explanations["en"]
    assert "platform coupon" in text and "¥187.90" in text


def test_a_coupon_that_does_not_reach_its_threshold_is_explained(
    service: PromotionService,
) -> None:
    priced = service.quote("C1001", [{"sku": "P1003", "qty": 3}], ["CPN-STORE-50"])
    assert "还差2.50元才满200元" in priced.explanations["zh-CN"]
    assert priced.to_wire()["coupons_not_used"][0]["reason"] == "threshold_not_reached"


def test_wire_form_has_two_place_money_and_explanations(service: PromotionService) -> None:
    body = service.quote("C1001", [{"sku": "P1002", "qty": 1}]).to_wire()
    assert body["total"] == "749.00" and body["shipping"] == "0.00"
    assert body["coupons_used"] == ["CPN-PLAT-20", "CPN-STORE-50"]
    for discount in body["discounts"]:
        assert discount["explanation"] and discount["explanation_en"]
        assert discount["explanation_zh_tw"]
    assert body["explanation_zh"] and body["explanation_en"] and body["explanation_zh_tw"]
