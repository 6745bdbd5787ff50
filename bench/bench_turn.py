"""One bot turn in-process on a database the size of a real shop's: the turn's cost must not grow
with the tables.

Run: .venv/bin/python bench/bench_turn.py [--customers 100000] [--messages 2000000] [--turns 2000]
         [--database-url postgresql://postgres@127.0.0.1:5432/kefu_turn --redis-url redis://…/12]
     (the defaults are the issue's large database; --customers 0 measures the bare demo shop;
     with --database-url that PostgreSQL database is dropped and made afresh, and with
     --redis-url the turn locks and limits live in that Redis database, flushed first)

Loads the demo shop into a fresh database (SQLite unless told), adds synthetic customers, each
with closed conversations holding the synthetic messages (bulk inserted through the same tables,
so personal data is encrypted as in production), then plays routine questions from demo and
synthetic customers through ``Dialogue.handle`` and prints p50/p99 per turn and turns/s, with the
CPU time of the turning thread beside the wall time (this machine's other load shows in the wall
time only).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import insert

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fresh import fresh_postgres, fresh_redis
from kefu.config import Settings
from kefu.dialogue import Turn
from kefu.store.tables.commerce import CustomerRow
from kefu.store.tables.conversations import ConversationRow, MessageRow
from kefu.wiring import Kefu

# routine questions of a peak day, by the demo shop's customers (whose orders they touch) and by
# synthetic ones (no orders: pre-sales)
DEMO_MIX = [
    ("C1001", "耳机那个订单发货了没"),
    ("C1001", "ZT7788990011 这个单号现在在哪"),
    ("C1002", "退款咋还没到"),
    ("C1004", "Are the Pro earbuds back in stock?"),
    ("C1006", "满减是怎么算的"),
    ("C1006", "羽绒服175 70公斤穿啥码"),
    ("C1005", "寄到台灣要幾天？"),
    ("C1002", "谢谢"),
]
PRESALE = [
    "在吗",
    "羽绒服有没有XL",
    "包邮吗",
    "七天无理由退货吗",
    "满300减40能和店铺券一起用吗",
    "谢谢",
]
BATCH = 20_000


def load_large(kefu: Kefu, customers: int, messages: int) -> None:
    now = datetime.now(UTC) - timedelta(days=30)
    per_customer = max(1, messages // max(1, customers))
    per_conversation = 10
    rng = random.Random(7)
    customer_rows: list[dict[str, Any]] = []
    conversation_rows: list[dict[str, Any]] = []
    message_rows: list[dict[str, Any]] = []

    def flush() -> None:
        # parents first: customers, their conversations, then the messages
        with kefu.db.engine.begin() as conn:
            for table, rows in (
                (CustomerRow, customer_rows),
                (ConversationRow, conversation_rows),
                (MessageRow, message_rows),
            ):
                if rows:
                    conn.execute(insert(table), rows)
                    rows.clear()

    for i in range(customers):
        cid = f"S{i:07d}"
        customer_rows.append(
            {"id": cid, "name": f"顾客{i}", "vip": "normal", "phone": f"139{i:08d}",
             "lang": "zh-CN", "is_new_customer": False, "created_at": now}
        )  # fmt: skip
        for c in range(max(1, per_customer // per_conversation)):
            conv = f"c{uuid.uuid4().hex[:20]}"
            at = now + timedelta(minutes=rng.randint(0, 40_000))
            conversation_rows.append(
                {"id": conv, "customer_id": cid, "channel": "web", "status": "closed",
                 "lang": "zh-CN", "state": {}, "priority": 0, "created_at": at, "updated_at": at,
                 "closed_at": at, "version": 1, "last_seq": per_conversation}
            )  # fmt: skip
            for seq in range(1, per_conversation + 1):
                message_rows.append(
                    {"id": f"m{uuid.uuid4().hex[:20]}", "conversation_id": conv, "seq": seq,
                     "sender": "customer" if seq % 2 else "bot",
                     "text": rng.choice(PRESALE), "kind": None, "channel": "web",
                     "agent_id": None, "intent": "greeting", "confidence": 0.9, "meta": {},
                     "at": at + timedelta(seconds=seq)}
                )  # fmt: skip
            del c
        if len(message_rows) >= BATCH:
            flush()
    flush()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=2_000_000)
    parser.add_argument("--turns", type=int, default=2000)
    parser.add_argument("--database-url", help="a PostgreSQL database to drop and make afresh")
    parser.add_argument("--redis-url", help="a Redis database to flush and use for shared state")
    args = parser.parse_args()
    models = Path(__file__).resolve().parent.parent / "var" / "models"
    models.mkdir(parents=True, exist_ok=True)
    if args.database_url:
        fresh_postgres(args.database_url)
    if args.redis_url:
        fresh_redis(args.redis_url)
    with tempfile.TemporaryDirectory() as tmp:
        kefu = Kefu.start(
            Settings(
                data_dir=Path(tmp),
                model_dir=models,
                database_url=args.database_url,
                redis_url=args.redis_url,
            )
        )
        started = time.perf_counter()
        if args.customers:
            load_large(kefu, args.customers, args.messages)
        loaded_s = time.perf_counter() - started
        dialogue = kefu.dialogue
        rng = random.Random(11)
        plan = []
        for i in range(args.turns):
            if i % 2 == 0 or not args.customers:
                customer, text = DEMO_MIX[i % len(DEMO_MIX)]
            else:
                customer, text = f"S{rng.randrange(args.customers):07d}", rng.choice(PRESALE)
            plan.append((customer, text))
        for customer, text in plan[:50]:  # warm caches: model, rule book, embeddings, statements
            dialogue.handle(Turn("web", text, customer_id=customer))
        wall, cpu = [], []
        t0 = time.perf_counter()
        for customer, text in plan:
            w, c = time.perf_counter(), time.thread_time()
            dialogue.handle(Turn("web", text, customer_id=customer))
            cpu.append((time.thread_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        elapsed = time.perf_counter() - t0
        kefu.close()

    def pct(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]

    size = (
        f"{args.customers:,} extra customers, {args.messages:,} messages"
        if args.customers
        else ("the demo shop only")
    )
    where = "PostgreSQL" if args.database_url else "SQLite"
    where += " + Redis" if args.redis_url else ""
    print(f"bot turn in-process, {where}, {size} (loaded in {loaded_s:.0f} s), {args.turns} turns")
    print(f"  wall p50 {statistics.median(wall):.2f} ms  p99 {pct(wall, 99):.2f} ms")
    print(f"  cpu  p50 {statistics.median(cpu):.2f} ms  p99 {pct(cpu, 99):.2f} ms")
    print(f"  {args.turns / elapsed:.0f} turns/s (one thread)")


if __name__ == "__main__":
    main()
