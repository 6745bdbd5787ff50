"""``GET /metrics`` (contract 5): Prometheus text, the same on every worker.

Totals come from the database and the turn histogram from the shared state, both shared by all
workers, so whichever worker Prometheus reaches answers with the whole service's numbers (no
per-process counters that a load balancer would scatter across scrapes). The true outcomes of the
last hour (bot resolution that means the need was met, first-contact resolution, containment,
complaints, ticket SLA) judge every conversation of that hour: a worker computes them at most
once a minute and answers the scrapes in between from that.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Response
from fastapi.concurrency import run_in_threadpool
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from kefu.analytics.outcomes import headline
from kefu.api.deps import get_kefu
from kefu.desk.promises import load_promises
from kefu.runtime.heartbeat import JOBS, seconds_since_beat
from kefu.store.db import Database
from kefu.store.outcomes_repo import SqlOutcomes
from kefu.store.promises_repo import SqlPromises
from kefu.store.service_counts import SqlServiceCounts
from kefu.wiring import Kefu

router = APIRouter()

OUTCOME_WINDOW = timedelta(hours=1)
OUTCOME_REFRESH_S = 60.0
# the true outcomes a scrape reports; remembered per database (one kefu's)
_OUTCOMES = (
    "bot_resolution_rate",
    "first_contact_resolution",
    "containment_rate",
    "complaint_rate",
    "fallback_rate",
    "negative_rating_rate",
)
_outcome_cache: weakref.WeakKeyDictionary[Database, tuple[float, dict[str, float]]] = (
    weakref.WeakKeyDictionary()
)
_outcome_lock = threading.Lock()


def last_hour_outcomes(kefu: Kefu, now: datetime) -> dict[str, float]:
    """The last hour's true outcomes (ratios; a measure with nothing to count is left out)."""
    with _outcome_lock:
        cached = _outcome_cache.get(kefu.db)
        if cached is not None and time.monotonic() < cached[0]:
            return cached[1]
        store = SqlOutcomes(kefu.db)
        start = now - OUTCOME_WINDOW
        numbers = headline(store.judged(start, now, now))
        ratios = {k: float(v) for k in _OUTCOMES if isinstance(v := numbers.get(k), int | float)}
        sla = store.ticket_sla(start, now, now)
        if isinstance(sla.get("compliance"), int | float):
            ratios["ticket_sla_compliance"] = float(sla["compliance"])
        _outcome_cache[kefu.db] = (time.monotonic() + OUTCOME_REFRESH_S, ratios)
        return ratios


def _bound(value: float) -> str:
    return "+Inf" if value == float("inf") else repr(value)


class KefuCollector(Collector):
    """Reads every series at scrape time from what all workers share."""

    def __init__(self, kefu: Kefu) -> None:
        self.kefu = kefu

    def collect(self) -> Iterator[Metric]:
        counts = SqlServiceCounts(self.kefu.db)
        now = datetime.now(UTC)

        messages = CounterMetricFamily(
            "kefu_messages", "Messages stored, per channel and sender", labels=["channel", "sender"]
        )
        for (channel, sender), n in sorted(counts.messages().items()):
            messages.add_metric([channel, sender], n)
        yield messages

        handoffs = CounterMetricFamily(
            "kefu_handoffs", "Conversations handed to people, per reason", labels=["reason"]
        )
        for reason, n in sorted(counts.handoffs().items()):
            handoffs.add_metric([reason], n)
        yield handoffs

        snapshot = self.kefu.turn_timer.snapshot()
        yield HistogramMetricFamily(
            "kefu_turn_seconds",
            "Seconds from a customer message arriving to its replies stored",
            buckets=[(_bound(b), n) for b, n in snapshot.cumulative],
            sum_value=snapshot.sum_s,
        )

        waiting = GaugeMetricFamily(
            "kefu_queue_waiting", "Conversations waiting for a person, per skill", labels=["skill"]
        )
        oldest = GaugeMetricFamily(
            "kefu_queue_oldest_wait_seconds",
            "Longest current wait for a person, per skill",
            labels=["skill"],
        )
        for gauge in counts.queue(now):
            waiting.add_metric([gauge.skill], gauge.waiting)
            oldest.add_metric([gauge.skill], gauge.oldest_wait_s)
        yield waiting
        yield oldest

        alerts = CounterMetricFamily(
            "kefu_service_alerts", "Alerts raised for supervisors, per kind", labels=["kind"]
        )
        for kind, n in sorted(counts.alerts().items()):
            alerts.add_metric([kind], n)
        yield alerts

        kept = GaugeMetricFamily(
            "kefu_wait_promise_met_ratio",
            "Share of first-response promises kept over the last hour, per tier",
            labels=["tier"],
        )
        promises = load_promises(self.kefu.desk.policy.routing.vip_levels)
        for tier in SqlPromises(self.kefu.db, promises).first_response(
            now - timedelta(hours=1), now, now
        ):
            if tier.share_met is not None:
                kept.add_metric([tier.tier], tier.share_met)
        yield kept

        outcomes = GaugeMetricFamily(
            "kefu_outcome_ratio",
            "True outcomes of the last hour's conversations (definitions: GET "
            "/api/v1/analytics/outcomes), refreshed at most once a minute",
            labels=["measure"],
        )
        for measure, value in sorted(last_hour_outcomes(self.kefu, now).items()):
            outcomes.add_metric([measure], value)
        yield outcomes

        share = GaugeMetricFamily("kefu_rollout_ai_share", "Percent of customers the bot serves")
        share.add_metric([], self.kefu.rollout.config().ai_share)
        yield share

        llm = self.kefu.llm
        if llm is not None:  # no model configured: no series about one
            calls = CounterMetricFamily(
                "kefu_llm_calls",
                "Uses of the shop's language model, per use and outcome",
                labels=["use", "outcome"],
            )
            for (use, outcome), n in sorted(llm.metrics.outcomes().items()):
                calls.add_metric([use, outcome], n)
            yield calls
            rejected = CounterMetricFamily(
                "kefu_llm_rejections",
                "Model texts not used (the template answer was sent), per use and reason",
                labels=["use", "reason"],
            )
            for (use, reason), n in sorted(llm.metrics.rejections().items()):
                rejected.add_metric([use, reason], n)
            yield rejected
            breaker = GaugeMetricFamily(
                "kefu_llm_breaker_open", "1 while this worker's breaker to the model is open"
            )
            breaker.add_metric([], 1.0 if llm.chat.is_open else 0.0)
            yield breaker

        since = seconds_since_beat(self.kefu.state, JOBS, now)
        if since is not None:
            beat = GaugeMetricFamily(
                "kefu_jobs_last_beat_seconds", "Seconds since the job runner's last round"
            )
            beat.add_metric([], since)
            yield beat


def render_metrics(kefu: Kefu) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(KefuCollector(kefu))
    return generate_latest(registry)


@router.get("/metrics", include_in_schema=False)
async def metrics(kefu: Kefu = Depends(get_kefu)) -> Response:
    body = await run_in_threadpool(render_metrics, kefu)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
