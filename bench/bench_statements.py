"""What one statement on a turn's path costs the client: SQLAlchemy's execution against the same
statement compiled once and run on the driver's connection (``Database.rows``).

Run: .venv/bin/python bench/bench_statements.py [--database-url postgresql://...] [--n 5000]

On a fresh database with the demo shop, the customer behind a channel identity (the first read
of every turn) is read ``n`` times each way, alternating blocks; prints microseconds of process
CPU and of wall time per statement.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fresh import fresh_postgres  # noqa: E402
from kefu.config import Settings  # noqa: E402
from kefu.store.commerce_repo import _CUSTOMER_BY_IDENTITY, _customer_of_rows  # noqa: E402
from kefu.store.db import Database  # noqa: E402
from kefu.store.encrypted import use_keyring  # noqa: E402
from kefu.store.seed import prepare_database  # noqa: E402

PARAMS = {"channel": "wechat", "channel_user_id": "oWx_c1001"}


def timed(fn: Callable[[], object], n: int) -> tuple[float, float]:
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        fn()
    return (time.process_time() - cpu) / n * 1e6, (time.perf_counter() - wall) / n * 1e6


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--n", type=int, default=5000)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="kefu-statements-"))
    use_keyring(Settings(data_dir=tmp).data_keyring())
    if args.database_url:
        fresh_postgres(args.database_url)
        db = Database.from_url(args.database_url)
    else:
        db = Database.from_url(f"sqlite:///{tmp / 'kefu.db'}")
    prepare_database(db, seed=True)

    def through_sqlalchemy() -> object:
        with db.reading() as conn:
            return _customer_of_rows(conn.execute(_CUSTOMER_BY_IDENTITY, PARAMS).all())

    def compiled_once() -> object:
        return _customer_of_rows(db.rows(_CUSTOMER_BY_IDENTITY, PARAMS))

    assert through_sqlalchemy() == compiled_once() is not None  # the same customer either way
    ways = {"SQLAlchemy conn.execute": through_sqlalchemy, "Database.rows": compiled_once}
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in ways}
    for fn in ways.values():
        timed(fn, 200)  # warm: pool, prepared statements, compiled caches
    for _ in range(3):  # alternating blocks: the machine's speed drifts
        for name, fn in ways.items():
            results[name].append(timed(fn, args.n // 3))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"the customer behind a channel identity, {backend}, {args.n} reads each way")
    for name, runs in results.items():
        cpu = sorted(c for c, _ in runs)[1]
        wall = sorted(w for _, w in runs)[1]
        print(f"  {name:<26} CPU {cpu:6.1f} µs   wall {wall:6.1f} µs  (median of 3 blocks)")
    db.dispose()


if __name__ == "__main__":
    main()
