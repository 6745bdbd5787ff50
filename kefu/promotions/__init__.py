"""Promotions: rules as data, the exact price calculator, explanations and answers.

Pure: depends on kefu.domain and on the ``RuleStore`` / ``CatalogLookup`` ports only.
"""

from kefu.promotions.answers import PromoTopic
from kefu.promotions.book import RuleBook
from kefu.promotions.calculator import quote
from kefu.promotions.errors import (
    CouponConflict,
    CouponNotHeld,
    InvalidCart,
    InvalidRule,
    PromotionError,
    UnknownCustomer,
    UnknownProduct,
)
from kefu.promotions.ports import CatalogLookup, CustomerWallet, RuleStore, RuleVersion
from kefu.promotions.quote import CartItem, Discount, Quote, QuoteLine
from kefu.promotions.rules import Rule, dump_rule, parse_rule, validate_rule_set
from kefu.promotions.service import PricedQuote, PromotionService
from kefu.promotions.store import InMemoryRuleStore

__all__ = [
    "CartItem",
    "CatalogLookup",
    "CouponConflict",
    "CouponNotHeld",
    "CustomerWallet",
    "Discount",
    "InMemoryRuleStore",
    "InvalidCart",
    "InvalidRule",
    "PricedQuote",
    "PromoTopic",
    "PromotionError",
    "PromotionService",
    "Quote",
    "QuoteLine",
    "Rule",
    "RuleBook",
    "RuleStore",
    "RuleVersion",
    "UnknownCustomer",
    "UnknownProduct",
    "dump_rule",
    "parse_rule",
    "quote",
    "validate_rule_set",
]
