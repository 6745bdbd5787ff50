import pytest

from kefu.nlu import normalize


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("快递到哪了", "zh-CN"),
        ("包裹現在到哪裡了", "zh-TW"),
        ("可以幫我改地址嗎", "zh-TW"),
        ("Where is my parcel?", "en"),
        ("my 羽绒服 has not arrived yet", "en"),
        ("ok 谢谢", "zh-CN"),
        ("E2026111100001", "zh-CN"),
        ("hi", "en"),
        ("kuaidi dao na le", "zh-CN"),
        ("zai ma", "zh-CN"),
        ("he can", "en"),
        ("human", "en"),
        ("nice one", "en"),
        ("sure", "en"),
        ("where is my parcel", "en"),
        ("注文はいつ届きますか", "ja"),
        ("iPhoneケースまだ？", "ja"),
        ("E2026111100001 어디쯤이에요", "ko"),
        ("¿Dónde está mi pedido?", "es"),
        ("donde esta mi pedido", "es"),
        ("où est mon colis", "fr"),
        ("wo ist mein paket", "de"),
        ("storno bitte", "de"),
        ("где мой заказ", "ru"),
        ("cadê meu pedido", "pt"),
        ("พัสดุอยู่ที่ไหน", "th"),
        ("đơn hàng của tôi đâu rồi", "vi"),
        ("toi muon tra hang", "vi"),
        ("barang saya di mana", "id"),
        ("أين طلبي", "ar"),
        ("my DHL parcel أين", "ar"),
        ("see ya", "en"),
        ("reset password", "en"),
        ("denglu mima wang le a", "zh-CN"),
    ],
)
def test_language_follows_the_script_the_customer_writes(text: str, lang: str) -> None:
    assert normalize(text).lang == lang
