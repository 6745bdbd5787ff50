"""Admin API of promotion rules and coupon definitions (issue #4).

Every change is a new version in the rule store, so the history is kept and a change is live for
quotes and the bot's answers at once: each worker's ``PromotionService`` recompiles its rules
when the store's revision changes, and a worker re-reads that revision at least twice a second.
A rule is checked on its own and with every other live rule and the catalogue before it is
stored; an import is checked as a whole and stored only if every rule passes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pydantic_core
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from pydantic import TypeAdapter, ValidationError

from kefu.api.auth import current_admin
from kefu.api.deps import kefu_of
from kefu.api.schemas.shop import (
    CouponOut,
    PromotionDetailOut,
    PromotionImportOut,
    PromotionOut,
    RuleIn,
    RulesImport,
    errors,
    inline_schema,
)
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

router = APIRouter(
    prefix="/api/v1/admin",
    tags=["admin"],
    dependencies=[Depends(current_admin)],
    # every route: no or a bad token, an agent who is not a supervisor
    responses=errors(401, 403),
)

MAX_BODY_BYTES = 1024 * 1024
_RULES: TypeAdapter[list[RuleIn]] = TypeAdapter(list[RuleIn])


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


def _policy_problems(rule: Rule) -> list[str]:
    """Checks the rule model leaves to the admin: a threshold coupon must leave something to pay."""
    coupon = StoreCoupon | PlatformCoupon | NewCustomerCoupon
    if isinstance(rule, coupon) and 0 < rule.threshold <= rule.off:
        return [f"{rule.id}: off must be below threshold (or threshold 0 for no threshold)"]
    return []


def _parse_all(items: Sequence[RuleIn]) -> list[Rule]:
    """Every rule of ``items``, or ``InvalidRule`` naming every problem of every rule."""
    rules: list[Rule] = []
    problems: list[str] = []
    for item in items:
        try:
            # the engine's rule models check the fields of the rule's kind
            rule = parse_rule(item.model_dump())
        except InvalidRule as exc:
            problems.append(exc.message)
            continue
        problems.extend(_policy_problems(rule))
        rules.append(rule)
    if problems:
        raise InvalidRule("; ".join(problems))
    return rules


def _shape_problems(exc: ValidationError, what: str) -> InvalidRule:
    """Every rule whose id or kind is missing or unknown, in one refusal."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        parts.append(f"{what} {where}: {error['msg']}" if where else f"{what}: {error['msg']}")
    return InvalidRule("; ".join(parts))


def _check_with_live(service: PromotionService, rules: Sequence[Rule]) -> None:
    """``rules`` together with every other live rule and the catalogue; InvalidRule if not."""
    ids = {r.id for r in rules}
    others = [r for r in service.rule_store.list_rules() if r.id not in ids]
    validate_rule_set([*others, *rules], service.products())


async def _raw_body(request: Request) -> bytes:
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
    return raw


def _not_json() -> ClientError:
    return ClientError("the body must be JSON", code="invalid_json", problem=Problem.UNPROCESSABLE)


_UPLOAD = {
    "multipart/form-data": {
        "schema": {
            "type": "object",
            "properties": {"file": {"type": "string", "format": "binary"}},
        }
    }
}


# ---- rules --------------------------------------------------------------------------------------


@router.get("/promotions", response_model=list[PromotionOut])
def list_promotions(request: Request) -> list[dict[str, Any]]:
    """Every rule and coupon definition (newest version; switched off ones too)."""
    service = _service(request)
    now = service.clock()
    return [
        _summary(_newest(service, rule.id), now)
        for rule in service.rule_store.list_rules(include_inactive=True)
    ]


@router.post(
    "/promotions",
    status_code=201,
    response_model=PromotionOut,
    responses={200: {"model": PromotionOut, "description": "A new version"}, **errors(413, 422)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": inline_schema(RuleIn)}, **_UPLOAD},
        }
    },
)
async def put_promotion(
    request: Request, response: Response, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    """A new rule (201), or a new version of an existing one (200); either way switched on."""
    # read here rather than by FastAPI: the rule may come as an uploaded file, and a refused
    # rule gets the engine's invalid_rule code with every problem named
    raw = await _raw_body(request)
    try:
        body = RuleIn.model_validate_json(raw or b"null")
    except ValidationError as exc:
        if exc.errors()[0]["type"] == "json_invalid":
            raise _not_json() from None
        raise _shape_problems(exc, f"rule {_claimed_id(raw)!r}") from None
    service = _service(request)

    def store() -> RuleVersion:
        (rule,) = _parse_all([body])
        return service.put_rule(rule, created_by=admin.id)

    stored = await run_in_threadpool(store)
    if stored.version > 1:
        response.status_code = 200
    return _summary(stored, service.clock())


def _claimed_id(raw: bytes) -> object:
    """The id a refused rule names, for the message (``?`` when there is none to read)."""
    try:
        data = pydantic_core.from_json(raw)
    except ValueError:
        return "?"
    return data.get("id", "?") if isinstance(data, dict) else "?"


@router.post(
    "/promotions/import",
    response_model=PromotionImportOut,
    responses=errors(413, 422),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": inline_schema(RulesImport)},
                **_UPLOAD,
            },
        }
    },
)
async def import_promotions(
    request: Request,
    admin: Agent = Depends(current_admin),
    dry_run: bool = Query(False),
) -> dict[str, Any]:
    """A JSON list of rules (or ``{"rules": [...]}``): all stored, or none if any is invalid."""
    try:
        raw = pydantic_core.from_json(await _raw_body(request) or b"null")
    except ValueError:
        raise _not_json() from None
    if isinstance(raw, dict) and "rules" in raw:
        raw = raw["rules"]
    if not isinstance(raw, list) or not raw:
        raise InvalidRule('the import must be a non-empty JSON list of rules, or {"rules": [...]}')
    try:
        items = _RULES.validate_python(raw)
    except ValidationError as exc:
        raise _shape_problems(exc, "item") from None
    service = _service(request)

    def store() -> dict[str, Any]:
        rules = _parse_all(items)
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


@router.get("/promotions/{rule_id}", response_model=PromotionDetailOut, responses=errors(404))
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


@router.post(
    "/promotions/{rule_id}/activate", response_model=PromotionOut, responses=errors(404, 422)
)
def activate(
    request: Request, rule_id: str, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    return _switch(_service(request), rule_id, True, admin.id)


@router.post("/promotions/{rule_id}/deactivate", response_model=PromotionOut, responses=errors(404))
def deactivate(
    request: Request, rule_id: str, admin: Agent = Depends(current_admin)
) -> dict[str, Any]:
    return _switch(_service(request), rule_id, False, admin.id)


# ---- coupons ------------------------------------------------------------------------------------


@router.get("/coupons", response_model=list[CouponOut])
def list_coupons(request: Request) -> list[dict[str, Any]]:
    """Coupon definitions (store, platform, new-customer), with the slot each one takes."""
    service = _service(request)
    now = service.clock()
    out = []
    for rule in service.rule_store.list_rules(include_inactive=True):
        if isinstance(rule, StoreCoupon | PlatformCoupon | NewCustomerCoupon):
            out.append({**_summary(_newest(service, rule.id), now), "slot": rule.slot})
    return out
