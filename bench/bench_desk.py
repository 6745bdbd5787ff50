"""Service desk: next-conversation pick with 10,000 waiting, routing decisions per second, and
ticket field completeness on the dev conversations.

    .venv/bin/python bench/bench_desk.py [--waiting 10000] [--postgres URL] [--skip-dev]

Runs on a fresh seeded SQLite database (and PostgreSQL when a URL is given). The pick is the real
``SqlDeskQueue.head`` + ``claim`` (index seeks and a conditional UPDATE), not an in-memory copy.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from kefu.desk.policy import load_policy
from kefu.desk.ports import AgentLoad
from kefu.desk.routing import choose_agent, need_for
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill
from kefu.store.db import Database
from kefu.store.desk_repo import SqlDeskQueue
from kefu.store.seed import prepare_database
from kefu.store.tables.conversations import ConversationRow
from kefu.store.tables.desk import DeskQueueRow

SKILLS = ["pre_sales", "after_sales", "logistics", "english"]
DEV = Path(__file__).resolve().parent.parent.parent / "shared" / "eval" / "conversations_dev.jsonl"


def _fill(db: Database, n: int, now: datetime) -> None:
    """n waiting conversations over four skill groups, a tenth of them VIP."""
    policy = load_policy().routing
    convs: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for i in range(n):
        cid = f"b{uuid.uuid4().hex[:20]}"
        since = now - timedelta(seconds=i % 3600)
        points = 30 if i % 10 == 0 else 0
        convs.append(
            {
                "id": cid,
                "customer_id": "C1001",
                "channel": "web",
                "status": "waiting_agent",
                "lang": "zh-CN",
                "state": {},
                "priority": points,
                "created_at": since,
                "updated_at": since,
                "version": 1,
                "last_seq": 0,
            }
        )
        entries.append(
            {
                "conversation_id": cid,
                "customer_id": "C1001",
                "state": "waiting",
                "skill": SKILLS[i % len(SKILLS)],
                "lang": "zh-CN",
                "vip": "normal",
                "reason": "asked_for_human",
                "summary": "",
                "points": points,
                "because": [],
                "virtual_arrival": since.timestamp() - points * policy.seconds_per_point,
                "waiting_since": since,
                "updated_at": now,
            }
        )
    with db.session() as s:
        s.execute(insert(ConversationRow), convs)
        s.execute(insert(DeskQueueRow), entries)


def bench_pick(db: Database, waiting: int, label: str) -> None:
    DeskQueueRow.__table__.create(db.engine, checkfirst=True)  # type: ignore[attr-defined]
    now = datetime.now(UTC)
    _fill(db, waiting, now)
    queue = SqlDeskQueue(db)
    skills = ["pre_sales", "after_sales", "vip"]
    for _ in range(20):  # warm the connection pool and the statement cache
        queue.head("A01", skills)
    heads, picks = [], []
    for i in range(300):
        t = time.perf_counter()
        entry = queue.head("A01", skills)
        heads.append((time.perf_counter() - t) * 1000)
        assert entry is not None
        t = time.perf_counter()
        entry = queue.head("A01", skills)
        assert entry is not None and queue.claim(entry.conversation_id, f"X{i % 50}", now)
        picks.append((time.perf_counter() - t) * 1000)
    for name, xs in (("find next (head)", heads), ("pick = head + claim", picks)):
        xs.sort()
        print(
            f"[{label}] {name} with {waiting} waiting: median {statistics.median(xs):.2f} ms, "
            f"p95 {xs[int(len(xs) * 0.95)]:.2f} ms, max {xs[-1]:.2f} ms"
        )


def bench_routing() -> None:
    policy = load_policy().routing
    loads = [
        AgentLoad(
            agent=Agent(
                f"A{i:03d}",
                "x",
                AgentRole.AGENT,
                (Skill(SKILLS[i % 4]), Skill.VIP) if i % 5 == 0 else (Skill(SKILLS[i % 4]),),
                5,
                AgentStatus.ONLINE,
                ("en",) if i % 4 == 3 else ("zh-CN",),
            ),
            active=i % 5,
            offered=0,
        )
        for i in range(200)
    ]
    intents = ["logistics", "return_refund", "product_info", "coupon", "invoice", "stock"]
    n = 50_000
    t = time.perf_counter()
    for i in range(n):
        lang = "en" if i % 7 == 0 else "zh-CN"
        need = need_for(intents[i % len(intents)], lang, "gold" if i % 9 == 0 else "normal", policy)
        choose_agent(loads, need.skill.value, need.lang, need.vip)
    rate = n / (time.perf_counter() - t)
    print(f"routing decisions (intent -> skill -> agent, 200 agents): {rate:,.0f} per second")


def bench_dev_completeness(tmp: Path) -> None:
    """Run the dev conversations through the customer API; report the bot tickets' fields."""
    from fastapi.testclient import TestClient

    from kefu.api.app import create_app
    from kefu.config import Settings
    from kefu.wiring import Kefu

    kefu = Kefu.start(Settings(data_dir=tmp / "dev"))
    DeskQueueRow.__table__.create(kefu.db.engine, checkfirst=True)  # type: ignore[attr-defined]
    try:
        with TestClient(create_app(kefu=kefu)) as client:
            for line in DEV.read_text(encoding="utf-8").splitlines():
                scenario = json.loads(line)
                conversation_id = None
                for turn in scenario["turns"]:
                    body = {
                        "channel": scenario.get("channel", "web"),
                        "customer_id": scenario["customer_id"],
                        "text": turn["text"],
                    }
                    if conversation_id:
                        body["conversation_id"] = conversation_id
                    r = client.post("/api/v1/messages", json=body)
                    if r.status_code == 404:
                        print("dev completeness: POST /api/v1/messages not wired; skipped")
                        return
                    conversation_id = r.json().get("conversation_id")
        share, count = kefu.desk.bot_ticket_completeness()
        print(
            f"ticket field completeness on dev conversations: {share:.1%} over {count} bot tickets"
        )
    finally:
        kefu.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--waiting", type=int, default=10_000)
    parser.add_argument("--postgres", default=None, help="also bench on this PostgreSQL URL")
    parser.add_argument("--skip-dev", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.from_url(f"sqlite:///{tmp}/bench.db")
        prepare_database(db, seed=True)
        bench_pick(db, args.waiting, "sqlite")
        db.dispose()
        if args.postgres:
            from sqlalchemy import create_engine, text

            admin = create_engine(
                args.postgres.replace("postgresql://", "postgresql+psycopg://"),
                isolation_level="AUTOCOMMIT",
            )
            name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
            url = str(admin.url.set(database=name).render_as_string(hide_password=False))
            try:
                pg = Database.from_url(url)
                prepare_database(pg, seed=True)
                bench_pick(pg, args.waiting, "postgres")
                pg.dispose()
            finally:
                with admin.connect() as conn:
                    conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        bench_routing()
        if not args.skip_dev:
            bench_dev_completeness(Path(tmp))


if __name__ == "__main__":
    main()
