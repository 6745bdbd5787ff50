"""Admin API of promotion rules and coupon definitions (issue #4).

Every change is a new version in the rule store, so the history is kept and a change is live for
quotes and the bot's answers at once: each worker's ``PromotionService`` recompiles its rules
when the store's revision changes, and a worker re-reads that revision at least twice a second.
A rule is checked on its own and with every other live rule and the catalogue before it is
stored; an import is checked as a whole and stored only if every rule passes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from kefu.api.auth import current_admin
from kefu.api.deps import kefu_of
from kefu.domain.desk import Agent
from kefu.domain.errors import ClientError, Problem
from kefu.edge.problems import NotFound
from kefu.promotions.errors import InvalidRule
from kefu.promotions.ports import RuleVersion
from kefu.promotions.rules import (
    COUPON_KINDS,
    ITEM_KINDS,
    NewCustomerCoupon,
    PlatformCoupon,
    Rule,
    StoreCoupon,
    dump_rule,
    parse_rule,
    validate_rule_set,
)
from kefu.promotions.service import PromotionService

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[Depends(current_admin)])

MAX_BODY_BYTES = 1024 * 1024
KINDS = (
    "flash_sale",
    "nth_item_discount",
    "buy_x_get_y",
    "presale",
    "group_buy",
    "cross_store_threshold",
    "store_coupon",
    "platform_coupon",
    "new_customer_coupon",
    "free_shipping",
)


def _service(request: Request) -> PromotionService:
    service: PromotionService = kefu_of(request).promotions
    return service


def _category(kind: str) -> str:
    if kind in ITEM_KINDS:
        return "item"
    if kind in COUPON_KINDS:
        return "coupon"
    return "shipping" if kind == "free_shipping" else "order"


def _summary(stored: RuleVersion, now: datetime) -> dict[str, Any]:
    rule = stored.rule
    window = rule.window
    return {
        "id": rule.id,
        "kind": rule.kind,
        "category": _category(rule.kind),
        "window": (
            None
            if window is None
            else {"start": window.start.isoformat(), "end": window.end.isoformat()}
        ),
        "active": stored.active,
        # switched on and inside its window now: what quotes apply at this moment
        "in_effect": stored.active and rule.is_active(now),
        "version": stored.version,
        "updated_at": stored.created_at.isoformat(),
        "updated_by": stored.created_by,
        "rule": dump_rule(rule),
    }


def _newest(service: PromotionService, rule_id: str) -> RuleVersion:
    history = service.rule_store.history(rule_id)
    if not history:
        raise NotFound(f"no promotion rule {rule_id!r}")
    return history[-1]


# ---- validation ---------------------------------------------------------------------------------


def _shape_problem(raw: Any, where: str) -> str | None:
    """What parse_rule's messages would say less clearly: not an object, no or unknown kind."""
    if not isinstance(raw, Mapping):
        return f"{where}: a rule must be a JSON object"
    kind = raw.get("kind")
    if kind is None:
        return f"{where}: kind is required (one of {', '.join(KINDS)})"
    if kind not in KINDS:
        return f"{where}: unknown kind {kind!r} (one of {', '.join(KINDS)})"
    if not isinstance(raw.get("id"), str) or not raw["id"].strip():
        return f"{where}: id is required"
    return None


def _policy_problems(rule: Rule) -> list[str]:
    """Checks the rule model leaves to the admin: a threshold coupon must leave something to pay."""
    coupon = StoreCoupon | PlatformCoupon | NewCustomerCoupon
    if isinstance(rule, coupon) and 0 < rule.threshold <= rule.off:
        return [f"{rule.id}: off must be below threshold (or threshold 0 for no threshold)"]
    return []


def _parse_all(items: Sequence[Any]) -> list[Rule]:
    """Every rule of ``items``, or ``InvalidRule`` naming every problem of every rule."""
    rules: list[Rule] = []
    problems: list[str] = []
    for i, raw in enumerate(items):
        where = f"rule {raw.get('id')!r}" if isinstance(raw, Mapping) else f"item {i}"
        shape = _shape_problem(raw, where)
        if shape is not None:
            problems.append(shape)
            continue
        try:
            rule = parse_rule(raw)
        except InvalidRule as exc:
            problems.append(exc.message)
            continue
        problems.extend(_policy_problems(rule))
        rules.append(rule)
    if problems:
        raise InvalidRule("; ".join(problems))
    return rules


def _check_with_live(service: PromotionService, rules: Sequence[Rule]) -> None:
    """``rules`` together with every other live rule and the catalogue; InvalidRule if not."""
    ids = {r.id for r in rules}
    others = [r for r in service.rule_store.list_rules() if r.id not in ids]
    validate_rule_set([*others, *rules], service.products())


async def _json_body(request: Request) -> Any:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        # an uploaded file (the admin page's file picker): its first file part is the JSON
        form = await request.form()
        upload = next((v for v in form.values() if not isinstance(v, str)), None)
        if upload is None:
            raise ClientError(
                "no file in the upload", code="invalid_json", problem=Problem.UNPROCESSABLE
            )
        raw = await upload.read()
    if len(raw) > MAX_BODY_BYTES:
        raise ClientError("body larger than 1 MB", code="too_large", problem=Problem.TOO_LARGE)
    try:
        return json.loads(raw or b"null")
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ClientError(
            "the body must be JSON", code="invalid_json", problem=Problem.UNPROCESSABLE
        ) from None


# ---- rules --------------------------------------------------------------------------------------


@router.get("/promotions")
def list_promotions(request: Request) -> list[dict[str, Any]]:
    """Every rule and coupon definition (newest version; switched off ones too)."""
    service = _service(request)
    now = service.clock()
    return [
        _summary(_newest(service, rule.id), now)
        for rule in service.rule_store.list_rules(include_inactive=True)
    ]


@router.post("/promotions", status_code=201)
async def put_promotion(
    request: Request, response: Response, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    """A new rule (201), or a new version of an existing one (200); either way switched on."""
    raw = await _json_body(request)
    service = _service(request)

    def store() -> RuleVersion:
        (rule,) = _parse_all([raw])
        return service.put_rule(rule, created_by=admin.id)

    stored = await run_in_threadpool(store)
    if stored.version > 1:
        response.status_code = 200
    return _summary(stored, service.clock())


@router.post("/promotions/import")
async def import_promotions(
    request: Request,
    admin: Agent = Depends(current_admin),
    dry_run: bool = Query(False),
) -> dict[str, Any]:
    """A JSON list of rules (or ``{"rules": [...]}``): all stored, or none if any is invalid."""
    raw = await _json_body(request)
    if isinstance(raw, Mapping) and "rules" in raw:
        raw = raw["rules"]
    if not isinstance(raw, list) or not raw:
        raise InvalidRule('the import must be a non-empty JSON list of rules, or {"rules": [...]}')
    service = _service(request)

    def store() -> dict[str, Any]:
        rules = _parse_all(raw)
        _check_with_live(service, rules)  # duplicate ids within the import are caught here too
        known = {r.id for r in service.rule_store.list_rules(include_inactive=True)}
        created = [r.id for r in rules if r.id not in known]
        updated = [r.id for r in rules if r.id in known]
        if not dry_run:
            now = service.clock()
            for rule in rules:
                service.rule_store.put_rule(rule, now, admin.id)
        return {
            "imported": 0 if dry_run else len(rules),
            "created": created,
            "updated": updated,
            "dry_run": dry_run,
        }

    return await run_in_threadpool(store)


@router.get("/promotions/{rule_id}")
def get_promotion(request: Request, rule_id: str) -> dict[str, Any]:
    """The rule now, and every version of it, oldest first."""
    service = _service(request)
    history = service.rule_store.history(rule_id)
    if not history:
        raise NotFound(f"no promotion rule {rule_id!r}")
    now = service.clock()
    return {**_summary(history[-1], now), "history": [_summary(v, now) for v in history]}


def _switch(service: PromotionService, rule_id: str, active: bool, by: str) -> dict[str, Any]:
    current = _newest(service, rule_id)
    if current.active != active:
        if active:
            # switching a rule back on must not make a price ambiguous with the live ones
            _check_with_live(service, [current.rule])
        service.rule_store.set_active(rule_id, active, service.clock(), by)
        current = _newest(service, rule_id)
    return _summary(current, service.clock())


@router.post("/promotions/{rule_id}/activate")
def activate(
    request: Request, rule_id: str, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    return _switch(_service(request), rule_id, True, admin.id)


@router.post("/promotions/{rule_id}/deactivate")
def deactivate(
    request: Request, rule_id: str, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    return _switch(_service(request), rule_id, False, admin.id)


# ---- coupons ------------------------------------------------------------------------------------


@router.get("/coupons")
def list_coupons(request: Request) -> list[dict[str, Any]]:
    """Coupon definitions (store, platform, new-customer), with the slot each one takes."""
    service = _service(request)
    now = service.clock()
    out = []
    for rule in service.rule_store.list_rules(include_inactive=True):
        if isinstance(rule, StoreCoupon | PlatformCoupon | NewCustomerCoupon):
            out.append({**_summary(_newest(service, rule.id), now), "slot": rule.slot})
    return out
