"""Customers and their identities on each channel."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class VipLevel(StrEnum):
    NORMAL = "normal"
    SILVER = "silver"
    GOLD = "gold"
    PLATINUM = "platinum"

    @property
    def rank(self) -> int:
        return list(VipLevel).index(self)

    @property
    def jumps_queue(self) -> bool:
        """Gold and platinum customers go first in the human-agent queue (shop policy)."""
        return self.rank >= VipLevel.GOLD.rank


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    WECHAT = "wechat"
    DOUYIN = "douyin"
    EMAIL = "email"
    API = "api"


class Lang(StrEnum):
    ZH_CN = "zh-CN"
    ZH_TW = "zh-TW"
    EN = "en"
    # customers of a cross-border shop (data/nlu/languages.json detects them)
    JA = "ja"
    KO = "ko"
    ES = "es"
    FR = "fr"
    DE = "de"
    RU = "ru"
    PT = "pt"
    TH = "th"
    VI = "vi"
    ID = "id"
    AR = "ar"


@dataclass(frozen=True, slots=True)
class Customer:
    id: str
    name: str
    vip: VipLevel
    phone: str
    lang: Lang
    is_new_customer: bool = False
    email: str | None = None
    identities: dict[str, str] = field(default_factory=dict)  # channel -> channel user id
    # where an overseas customer lives: ETAs and times in their zone (IANA name), money also
    # shown approximately in their currency (ISO 4217); None: the shop's own
    timezone: str | None = None
    currency: str | None = None


@dataclass(frozen=True, slots=True)
class NewGuest:
    """What a guest's first contact got: the customer, and whether this call created it (false
    when another worker's first message of the same visitor created it a moment before)."""

    customer: Customer
    created: bool


GUEST_PREFIX = "G"  # guests' ids (kefu.store.channel_repo creates them); shop customers' never


def is_guest(customer_id: str) -> bool:
    """A visitor known only by a channel identity, not (yet) linked to a shop customer."""
    return customer_id.startswith(GUEST_PREFIX)


def mask_phone(phone: str) -> str:
    """Keep the last four digits only: views and logs that do not need the number see this."""
    digits = phone.strip()
    if len(digits) <= 4:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7 if len(digits) > 7 else 1) + digits[-4:]
