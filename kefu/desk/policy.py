"""The desk's rules as data (data/desk/*.json), loaded and checked once at start."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from kefu.domain.desk import Skill, TicketKind
from kefu.resources import data_path

DESK_DATA = data_path("desk")


def _load(name: str, folder: Path) -> dict[str, Any]:
    with (folder / name).open(encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@dataclass(frozen=True)
class RoutingPolicy:
    seconds_per_point: float
    vip_points: dict[str, int]
    reason_points: dict[str, int]
    complaint_intent_points: int
    urgent_points: int  # the customer says it is urgent, whatever the reason of the handoff
    anger_points_max: int
    negative_sentiment_points: int
    yuan_per_point: int
    order_value_max_points: int
    requeue_points: int
    intent_skills: dict[str, Skill]
    default_skill: Skill
    english_langs: tuple[str, ...]
    vip_levels: tuple[str, ...]
    accept_timeout_s: int
    response_timeout_s: int
    average_handle_s: int
    vip_reserved_seats: int = 0  # per VIP-skilled agent, held for VIPs (wait-time promises)
    # a customer whose language no online agent speaks goes to agents of this one (their replies
    # then come in a language an international customer most likely reads)
    fallback_lang: str | None = None


@dataclass(frozen=True)
class TicketKindPolicy:
    resolve_h: float
    skill: Skill | None
    department: str
    required: tuple[str, ...]


@dataclass(frozen=True)
class SlaPolicy:
    kinds: dict[TicketKind, TicketKindPolicy]
    vip_factor: float
    escalate_priority_points: int

    def due_at(self, kind: TicketKind, created_at: datetime, vip: bool) -> datetime:
        hours = self.kinds[kind].resolve_h * (self.vip_factor if vip else 1.0)
        return created_at + timedelta(hours=hours)


@dataclass(frozen=True)
class ServiceHours:
    timezone: ZoneInfo
    opens: time
    closes: time | None  # None: midnight
    around_the_clock_days: int

    def is_open(self, now: datetime, campaign_ends: datetime | None = None) -> bool:
        """Whether human agents are on duty at ``now`` (round the clock at the campaign's end)."""
        if campaign_ends is not None:
            start = campaign_ends - timedelta(days=self.around_the_clock_days)
            if start <= now < campaign_ends:
                return True
        local = now.astimezone(self.timezone).time()
        return local >= self.opens and (self.closes is None or local < self.closes)


@dataclass(frozen=True)
class WaitingRoomPolicy:
    bot_answers_while_waiting: bool
    leave_message_after_s: int  # this long a wait (or nobody online) offers 留言 / call back

    def is_saturated(self, expected_wait_s: int, agents_online: bool, room: bool) -> bool:
        """Nobody to serve soon: none online, none with room, or a long expected wait."""
        return not agents_online or not room or expected_wait_s >= self.leave_message_after_s


@dataclass(frozen=True)
class DeskPolicy:
    routing: RoutingPolicy
    sla: SlaPolicy
    hours: ServiceHours
    messages: dict[str, Any]
    waiting: WaitingRoomPolicy = WaitingRoomPolicy(True, 600)


def _clock(text: str) -> time | None:
    hours, minutes = (int(p) for p in text.split(":"))
    return None if hours == 24 else time(hours, minutes)


def load_policy(folder: Path = DESK_DATA) -> DeskPolicy:
    r = _load("routing.json", folder)
    routing = RoutingPolicy(
        seconds_per_point=float(r["seconds_per_point"]),
        vip_points={str(k): int(v) for k, v in r["vip_points"].items()},
        reason_points={str(k): int(v) for k, v in r["reason_points"].items()},
        complaint_intent_points=int(r["complaint_intent_points"]),
        urgent_points=int(r["urgent_points"]),
        anger_points_max=int(r["anger_points_max"]),
        negative_sentiment_points=int(r["negative_sentiment_points"]),
        yuan_per_point=int(r["order_value"]["yuan_per_point"]),
        order_value_max_points=int(r["order_value"]["max_points"]),
        requeue_points=int(r["requeue_points"]),
        intent_skills={str(k): Skill(v) for k, v in r["intent_skills"].items()},
        default_skill=Skill(r["default_skill"]),
        english_langs=tuple(r["english_langs"]),
        vip_levels=tuple(r["vip_levels"]),
        accept_timeout_s=int(r["accept_timeout_s"]),
        response_timeout_s=int(r["response_timeout_s"]),
        average_handle_s=int(r["average_handle_s"]),
        vip_reserved_seats=int(r.get("vip_reserved_seats", 0)),
        fallback_lang=r.get("fallback_lang"),
    )
    s = _load("sla.json", folder)
    kinds = {
        TicketKind(name): TicketKindPolicy(
            resolve_h=float(k["resolve_h"]),
            skill=Skill(k["skill"]) if k.get("skill") else None,
            department=str(k["department"]),
            required=tuple(k["required"]),
        )
        for name, k in s["kinds"].items()
    }
    missing = set(TicketKind) - set(kinds)
    if missing:
        raise ValueError(f"sla.json has no policy for ticket kinds {sorted(missing)}")
    sla = SlaPolicy(
        kinds=kinds,
        vip_factor=float(s["vip_factor"]),
        escalate_priority_points=int(s["escalate_priority_points"]),
    )
    h = _load("service_hours.json", folder)
    opens = _clock(h["opens"])
    hours = ServiceHours(
        timezone=ZoneInfo(h["timezone"]),
        opens=opens or time(0, 0),
        closes=_clock(h["closes"]),
        around_the_clock_days=int(h["around_the_clock_last_campaign_days"]),
    )
    w = _load("waiting_room.json", folder)
    waiting = WaitingRoomPolicy(
        bot_answers_while_waiting=bool(w["bot_answers_while_waiting"]),
        leave_message_after_s=int(w["leave_message_after_s"]),
    )
    return DeskPolicy(
        routing=routing,
        sla=sla,
        hours=hours,
        messages=_load("messages.json", folder),
        waiting=waiting,
    )
