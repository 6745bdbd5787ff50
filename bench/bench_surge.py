"""A 双11-style surge against a real server: many customers at once, over HTTP, end to end.

Run: .venv/bin/python bench/bench_surge.py [--customers 200] [--messages 5] [--concurrency 64]
     [--workers 1] [--database-url postgresql://...] [--redis-url redis://...]

Starts ``kefu serve`` on a fresh database with extra synthetic customers, lets ``--concurrency``
customers talk at once (each sends its messages one after another, as a person does), then checks
the database: every message answered 200 must be stored with its reply (no lost messages), and no
request may fail with a 5xx. Prints throughput and latency percentiles.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import func, select

from kefu.config import Settings
from kefu.store.db import Database
from kefu.store.seed import prepare_database
from kefu.store.tables.commerce import CustomerRow
from kefu.store.tables.conversations import MessageRow

# routine questions in the voices of a peak day (written for this bench, not from the eval sets)
ROUTINE = [
    "在吗",
    "我的快递到哪了",
    "什么时候发货啊",
    "满300减40能和店铺券一起用吗",
    "羽绒服有没有XL",
    "退货运费谁出",
    "能开发票吗",
    "降价了能补差价吗",
    "谢谢",
    "where is my parcel",
    "how do coupons stack",
    "請問什麼時候出貨",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def add_customers(db: Database, n: int) -> list[str]:
    ids = [f"S{i:06d}" for i in range(n)]
    now = datetime.now(UTC)
    with db.session() as s:
        for cid in ids:
            s.add(
                CustomerRow(
                    id=cid, name=f"顾客{cid}", phone="13800000000", lang="zh-CN", created_at=now
                )
            )
    return ids


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))]


async def customer(
    client: httpx.AsyncClient, cid: str, messages: int, gate: asyncio.Semaphore, out: dict
) -> None:
    rng = random.Random(cid)
    async with gate:
        for _ in range(messages):
            body = {"channel": "web", "customer_id": cid, "text": rng.choice(ROUTINE)}
            started = time.perf_counter()
            try:
                r = await client.post("/api/v1/messages", json=body)
                status = r.status_code
            except httpx.HTTPError:
                status = 0
            out["latency"].append((time.perf_counter() - started) * 1000)
            out["status"][status] = out["status"].get(status, 0) + 1


async def surge(base: str, ids: list[str], messages: int, concurrency: int) -> dict:
    out: dict = {"latency": [], "status": {}}
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=60, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(*(customer(client, cid, messages, gate, out) for cid in ids))
        out["seconds"] = time.perf_counter() - started
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=200)
    parser.add_argument("--messages", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {
            **os.environ,
            "KEFU_DATA_DIR": tmp,
            "KEFU_LOG_LEVEL": "WARNING",
            "KEFU_CUSTOMER_MESSAGES_PER_MINUTE": "100000",
        }
        if args.database_url:
            env["KEFU_DATABASE_URL"] = args.database_url
        if args.redis_url:
            env["KEFU_REDIS_URL"] = args.redis_url
        settings = Settings(data_dir=Path(tmp), database_url=args.database_url)
        db = Database.from_url(settings.sqlalchemy_url)
        prepare_database(db, seed=True)
        customer_rows = (
            select(func.count()).select_from(MessageRow).where(MessageRow.sender == "customer")
        )
        with db.session() as s:
            before = s.scalar(select(func.count()).select_from(MessageRow)) or 0
            before_customer = s.scalar(customer_rows) or 0
        ids = add_customers(db, args.customers)

        port = free_port()
        command = [sys.executable, "-m", "kefu", "serve", "--port", str(port)]
        server = subprocess.Popen([*command, "--workers", str(args.workers)], env=env)
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.time() + 120
            while time.time() < deadline:
                try:
                    if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.3)
            else:
                raise SystemExit("server did not come up")
            out = asyncio.run(surge(base, ids, args.messages, args.concurrency))
        finally:
            server.terminate()
            server.wait(timeout=30)

        with db.session() as s:
            stored = (s.scalar(customer_rows) or 0) - before_customer
            total = s.scalar(select(func.count()).select_from(MessageRow)) or 0
        db.dispose()

    lat = out["latency"]
    ok = out["status"].get(200, 0)
    sent = len(lat)
    print(
        f"surge: {args.customers} customers x {args.messages} messages, "
        f"concurrency {args.concurrency}, workers {args.workers}, "
        f"db {'postgresql' if args.database_url else 'sqlite'}"
        f"{', redis' if args.redis_url else ''}"
    )
    print(f"  statuses: {dict(sorted(out['status'].items()))}")
    print(f"  throughput: {sent / out['seconds']:.1f} messages/s over {out['seconds']:.1f} s")
    print(
        f"  latency ms: p50 {statistics.median(lat):.1f}  p95 {percentile(lat, 95):.1f}"
        f"  p99 {percentile(lat, 99):.1f}  max {max(lat):.1f}"
    )
    print(f"  customer messages stored: {stored} of {ok} answered 200; rows added {total - before}")
    lost = ok - stored
    failed = sum(n for code, n in out["status"].items() if code >= 500 or code == 0)
    if lost or failed:
        print(f"  FAILED: {lost} lost, {failed} server errors")
        raise SystemExit(1)


if __name__ == "__main__":
    main()
