"""Products of the shop's catalogue."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Category(StrEnum):
    APPAREL = "apparel"
    ELECTRONICS = "electronics"
    BABY = "baby"
    HOME = "home"
    BEAUTY = "beauty"
    FOOD = "food"


class NoReasonReturnExclusion(StrEnum):
    """Why a product has no 7-day no-reason return (quality problems are always covered)."""

    CUSTOMIZED = "customized"
    UNDERWEAR = "underwear"
    OPENED_FOOD = "opened_food"


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name_zh: str
    name_en: str
    category: Category
    price: Decimal
    stock: int
    sizes: tuple[str, ...] = ()
    notes_zh: str = ""
    notes_en: str = ""
    aliases: tuple[str, ...] = ()
    no_reason_exclusion: NoReasonReturnExclusion | None = None
    restock_days: int | None = None
    size_chart: dict[str, str] = field(default_factory=dict)  # size -> fit, e.g. "L": "175cm/70kg"

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def name(self, lang: str) -> str:
        # customers of the cross-border languages read the English name, not the Chinese one
        return self.name_zh if lang.startswith("zh") else self.name_en
