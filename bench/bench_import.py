"""Importing a 双11-sized order export: rows/s and peak memory of ``kefu import orders``.

    .venv/bin/python bench/bench_import.py [--orders 1000000] [--batch 2000] [--postgres URL]

Writes a Taobao-style order CSV (one line per item, every fifth order with two items) for
``--orders`` orders into a temp dir, imports the products and 20,000 customers it refers to, then
times the order import into a fresh SQLite database (and a fresh PostgreSQL database when a URL is
given, dropped afterwards). Peak memory is the process's peak RSS, sampled before and after the
import: streaming in batches keeps it flat whatever the file's size.
"""

from __future__ import annotations

import argparse
import csv
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from kefu.commerce.import_rows import ImportKind
from kefu.store.db import Database
from kefu.store.importer import SqlImporter
from kefu.store.seed import prepare_database

CUSTOMERS = 20_000
SKUS = 200
HEADER = ["订单编号", "买家会员名", "订单状态", "订单创建时间", "订单付款时间", "收货地址",
          "商家编码", "购买数量", "价格", "商品属性"]  # fmt: skip


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def write_files(folder: Path, orders: int) -> tuple[Path, Path, Path, int]:
    products = folder / "products.csv"
    with products.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["sku", "name_zh", "price", "stock"])
        for i in range(SKUS):
            w.writerow([f"B{i:05d}", f"商品{i}", f"{19 + i % 300}.90", 1000])
    customers = folder / "customers.csv"
    with customers.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "name", "phone"])
        for i in range(CUSTOMERS):
            w.writerow([f"B{i:07d}", f"买家{i}", f"139{i:08d}"])
    path = folder / "orders.csv"
    lines = 0
    statuses = ["买家已付款", "卖家已发货", "交易成功", "等待买家付款"]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        for n in range(orders):
            order_id = f"E2026111{n:06d}"
            customer = f"B{n % CUSTOMERS:07d}"
            base = [order_id, customer, statuses[n % 4], "2026-11-11 00:00:01",
                    "2026-11-11 00:00:30", f"上海市浦东新区世纪大道{n % 999}号"]  # fmt: skip
            for item in range(2 if n % 5 == 0 else 1):
                w.writerow([*base, f"B{(n + item) % SKUS:05d}", 1 + item, "99.00", "L"])
                lines += 1
    return products, customers, path, lines


def run(url: str, label: str, files: tuple[Path, Path, Path, int], orders: int, batch: int) -> None:
    products, customers, path, lines = files
    db = Database.from_url(url)
    prepare_database(db, seed=False)
    importer = SqlImporter(db, batch_size=batch)
    importer.import_path(ImportKind.PRODUCTS, products)
    importer.import_path(ImportKind.CUSTOMERS, customers)
    rss_before = peak_rss_mb()
    start = time.perf_counter()
    report = importer.import_path(ImportKind.ORDERS, path)
    seconds = time.perf_counter() - start
    assert report.rejected == 0, report.errors[:3]
    start_again = time.perf_counter()
    importer.import_path(ImportKind.ORDERS, path)  # the idempotent re-import (all updates)
    again = time.perf_counter() - start_again
    db.dispose()
    print(
        f"{label}: {orders:,} orders / {lines:,} lines in {seconds:.1f} s = "
        f"{lines / seconds:,.0f} lines/s ({orders / seconds:,.0f} orders/s); "
        f"re-import {again:.1f} s; peak RSS {rss_before:.0f} MB before, "
        f"{peak_rss_mb():.0f} MB after"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--postgres", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_files(Path(tmp), args.orders)
        size_mb = files[2].stat().st_size / 1024**2
        print(f"order file: {files[3]:,} lines, {size_mb:.0f} MB")
        run(f"sqlite:///{Path(tmp) / 'kefu.db'}", "SQLite", files, args.orders, args.batch)
        if args.postgres:
            admin = create_engine(args.postgres.replace("postgresql://", "postgresql+psycopg://"),
                                  isolation_level="AUTOCOMMIT")  # fmt: skip
            name = f"kefu_bench_{uuid.uuid4().hex[:8]}"
            with admin.connect() as c:
                c.execute(text(f'CREATE DATABASE "{name}"'))
            try:
                base = admin.url.set(database=name).render_as_string(hide_password=False)
                run(base, "PostgreSQL", files, args.orders, args.batch)
            finally:
                with admin.connect() as c:
                    c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                admin.dispose()


if __name__ == "__main__":
    main()
