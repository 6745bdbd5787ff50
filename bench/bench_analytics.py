"""Dashboard analytics on a 双11-sized day: the overview of the last 24 h, computed by the
database (``SqlAnalytics.stats``), against the old way (every row into Python, then counting).

    .venv/bin/python bench/bench_analytics.py [--conversations 20000] [--messages 10]
        [--runs 5] [--postgres URL] [--breakdown] [--skip-rows]

Seeds a fresh SQLite database (and a fresh database on the PostgreSQL server when a URL is
given, dropped afterwards) by bulk insert: conversations spread over the last 24 h with an
evening peak, ``--messages`` messages each (customer, bot and, after a handoff, agent), handoff,
accept and close events, the desk queue, surveys and unanswered questions. Prints the p50 of
``--runs`` timed overviews. Target: under 1 s for 24 h at 20,000 conversations / 200,000
messages on SQLite.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, insert, text

from kefu.analytics.aggregates import aggregate
from kefu.analytics.report import overview
from kefu.store import analytics_repo
from kefu.store.analytics_repo import SqlAnalytics
from kefu.store.db import Database
from kefu.store.tables.commerce import CustomerRow
from kefu.store.tables.conversations import ConversationEventRow, ConversationRow, MessageRow
from kefu.store.tables.desk import DeskQueueRow, SurveyRow
from kefu.store.tables.knowledge import UncoveredQuestionRow

INTENTS = ["order_status", "logistics", "refund", "return", "coupon", "invoice", "human_agent"]
QUESTIONS = ["能寄到火星吗", "支持分期吗", "可以开专票吗", "直播间的价格能保吗", "能改成自提吗"]
BATCH = 5_000


def _arrival(rnd: random.Random, start: datetime) -> datetime:
    """A time in the day: a third uniform, the rest around a peak 2 h before the end; the last
    10 minutes stay free so every conversation's messages fall inside the window."""
    last = 24 * 3600 - 600
    if rnd.random() < 0.33:
        offset = rnd.uniform(0, last)
    else:
        offset = min(last, max(0.0, rnd.gauss(22 * 3600, 1.5 * 3600)))
    return start + timedelta(seconds=offset)


def _rows(n: int, per: int, start: datetime) -> dict[Any, list[dict[str, Any]]]:
    rnd = random.Random(1111)
    rows: dict[Any, list[dict[str, Any]]] = {
        t: []
        for t in (
            CustomerRow,
            ConversationRow,
            MessageRow,
            ConversationEventRow,
            DeskQueueRow,
            SurveyRow,
            UncoveredQuestionRow,
        )
    }
    customers = [f"B{i:05d}" for i in range(max(1, n // 10))]
    for cid in customers:
        rows[CustomerRow].append(
            {"id": cid, "name": cid, "phone": "13800000000", "created_at": start}
        )
    for i in range(n):
        conv = f"c{uuid.uuid4().hex[:24]}"
        customer = customers[i % len(customers)]
        created = _arrival(rnd, start)
        handoff_at = None
        clock = created
        for seq in range(1, per + 1):
            clock += timedelta(seconds=rnd.uniform(0.2, 40))
            replier = "bot" if handoff_at is None else "agent"
            sender = "customer" if seq % 2 else replier
            rows[MessageRow].append(
                {
                    "id": f"m{uuid.uuid4().hex[:24]}",
                    "conversation_id": conv,
                    "seq": seq,
                    "sender": sender,
                    "text": "我的订单到哪了，什么时候发货？"
                    if sender == "customer"
                    else "亲，已为您查询。",
                    "intent": rnd.choice(INTENTS) if sender == "customer" else None,
                    "meta": {},
                    "at": clock,
                }
            )
            if handoff_at is None and seq == 3 and rnd.random() < 0.2:
                handoff_at = clock + timedelta(seconds=1)
                rows[ConversationEventRow].append(
                    {"conversation_id": conv, "kind": "handoff", "at": handoff_at, "detail": {}}
                )
        rows[ConversationRow].append(
            {
                "id": conv,
                "customer_id": customer,
                "channel": rnd.choice(["web", "app", "wechat", "web"]),
                "status": "bot" if handoff_at is None else "closed",
                "lang": "zh-CN",
                "state": {},
                "created_at": created,
                "updated_at": clock,
                "version": 1,
                "last_seq": per,
            }
        )
        if handoff_at is not None:
            accepted = handoff_at + timedelta(seconds=rnd.uniform(5, 300))
            state = rnd.choice(["closed", "closed", "active", "waiting"])
            rows[DeskQueueRow].append(
                {
                    "conversation_id": conv,
                    "customer_id": customer,
                    "state": state,
                    "skill": rnd.choice(["pre_sales", "after_sales", "logistics"]),
                    "lang": "zh-CN",
                    "reason": "asked",
                    "because": [],
                    "virtual_arrival": handoff_at.timestamp(),
                    "waiting_since": handoff_at,
                    "accepted_at": None if state == "waiting" else accepted,
                    "updated_at": accepted,
                }
            )
            if state != "waiting":
                rows[ConversationEventRow].append(
                    {"conversation_id": conv, "kind": "accepted", "at": accepted, "detail": {}}
                )
            if state == "closed":
                closed = accepted + timedelta(seconds=rnd.uniform(60, 900))
                rows[ConversationEventRow].append(
                    {"conversation_id": conv, "kind": "closed", "at": closed, "detail": {}}
                )
                rows[SurveyRow].append(
                    {
                        "id": f"s{uuid.uuid4().hex[:24]}",
                        "conversation_id": conv,
                        "customer_id": customer,
                        "score": rnd.choice([1, 2, 3, 4, 5, 5, 5, None]),
                        "sent_at": closed,
                    }
                )
        if rnd.random() < 0.1:
            q = rnd.choice(QUESTIONS)
            rows[UncoveredQuestionRow].append(
                {
                    "text": q + rnd.choice(["", "？", "呀"]),
                    "normalized": q,
                    "lang": "zh-CN",
                    "at": clock,
                }
            )
    return rows


def seed(db: Database, n: int, per: int, start: datetime) -> dict[str, int]:
    t0 = time.perf_counter()
    rows = _rows(n, per, start)
    built = time.perf_counter() - t0
    t0 = time.perf_counter()
    with db.engine.begin() as conn:
        for table, items in rows.items():
            for i in range(0, len(items), BATCH):
                conn.execute(insert(table), items[i : i + BATCH])
    counts = {table.__tablename__: len(items) for table, items in rows.items()}
    inserted = time.perf_counter() - t0
    print(f"  seeded {json.dumps(counts)} (build {built:.1f} s, insert {inserted:.1f} s)")
    return counts


def _p50(fn: Callable[[], object], runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), result


def bench(db: Database, label: str, args: argparse.Namespace) -> None:
    end = datetime.now(UTC)
    start = end - timedelta(hours=24)
    print(f"[{label}]")
    seed(db, args.conversations, args.messages, start)
    if label == "postgres":  # what autovacuum would do after a bulk load: plans need stats
        with db.engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    analytics = SqlAnalytics(db)
    analytics.stats(start, end)  # warm the page cache and the statement cache
    p50, result = _p50(lambda: overview(analytics.stats(start, end)), args.runs)
    assert isinstance(result, dict)
    totals = result["totals"]
    print(
        f"  overview 24 h via SQL aggregates: p50 {p50 * 1000:.0f} ms over {args.runs} runs "
        f"({totals['messages']} messages, {totals['conversations']} conversations, "
        f"handoff rate {result['handoff_rate']}, first response median "
        f"{result['first_response_s']['median']} s)"
    )
    if args.breakdown:
        with db.session() as s:
            parts: dict[str, Callable[[], object]] = {
                "volume+intents": lambda: analytics._volume_and_intents(
                    s, start, end, timedelta(minutes=12)
                ),
                "conversations": lambda: analytics._conversations(s, start, end),
                "talked+handoffs+first_response": lambda: analytics._conversations_asked(
                    s, start, end
                ),
                "agent_first_response": lambda: analytics_repo._sample(
                    s, analytics._agent_first_responses(start, end)
                ),
                "handle_time": lambda: analytics_repo._sample(
                    s, analytics._handle_times(start, end)
                ),
                "queue": lambda: analytics._queue(s, start, end),
                "satisfaction": lambda: analytics._satisfaction(s, start, end),
                "uncovered": lambda: analytics._uncovered(s, start, end),
            }
            for name, fn in parts.items():
                took, _ = _p50(fn, args.runs)
                print(f"    {name:<22} p50 {took * 1000:7.1f} ms")
    if not args.skip_rows:
        old, reference = _p50(lambda: overview(aggregate(analytics.records(start, end))), 1)
        assert isinstance(reference, dict)
        same = reference["totals"] == totals
        print(
            f"  overview 24 h the old way (rows into Python, capped at "
            f"{analytics_repo.MAX_ROWS:,} per table): {old * 1000:.0f} ms; totals equal: {same}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--messages", type=int, default=10, help="messages per conversation")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default=None, help="also bench on this PostgreSQL URL")
    parser.add_argument("--breakdown", action="store_true", help="time each query too")
    parser.add_argument("--skip-rows", action="store_true", help="skip the old-way comparison")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{Path(tmp) / 'bench.db'}")
        db.migrate()
        try:
            bench(db, "sqlite", args)
        finally:
            db.dispose()

    if args.postgres:
        admin = create_engine(
            args.postgres.replace("postgresql://", "postgresql+psycopg://", 1),
            isolation_level="AUTOCOMMIT",
        )
        name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            url = admin.url.set(database=name).render_as_string(hide_password=False)
            pg = Database.from_url(url)
            pg.migrate()
            try:
                bench(pg, "postgres", args)
            finally:
                pg.dispose()
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


if __name__ == "__main__":
    main()
