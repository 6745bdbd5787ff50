"""One bot turn in-process, database write included (SQLite): p50/p99 latency and turns/s.

Run: .venv/bin/python bench/bench_dialogue.py [--turns 600]
Each turn is a full ``Dialogue.handle``: validate, load the conversation, NLU, the skill
(commerce reads, knowledge or promotions where the message needs them), safety filter, and the
customer message, bot replies and state committed to SQLite.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kefu.config import Settings
from kefu.dialogue import Dialogue, Turn
from kefu.nlu import NluPipeline
from kefu.wiring import Kefu

# a mix of routine questions, each from a customer whose data it touches
MIX = [
    ("C1001", "耳机那个订单发货了没"),
    ("C1001", "ZT7788990011 这个单号现在在哪"),
    ("C1002", "退款咋还没到"),
    ("C1004", "Are the Pro earbuds back in stock?"),
    ("C1006", "满减是怎么算的"),
    ("C1006", "羽绒服175 70公斤穿啥码"),
    ("C1005", "寄到台灣要幾天？"),
    ("C1002", "谢谢"),
    # the voice set's paths: confirmations, codes inside Chinese, pushback on a big order
    ("C1001", "耳机那单取消吧"),
    ("C1001", "算了，不改了"),
    ("C1001", "税号 91310000MA1FL4XQ3B"),
    ("C1003", "X12手机买了以后降价了，可以补差价不"),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--turns", type=int, default=600)
    args = parser.parse_args()
    models = Path(__file__).resolve().parent.parent / "var" / "models"
    models.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        kefu = Kefu.start(Settings(data_dir=Path(tmp), model_dir=models))
        kefu.dialogue.nlu = NluPipeline.load(kefu.commerce.list_products(), models)
        dialogue: Dialogue = kefu.dialogue
        for customer, text in MIX:  # warm caches (embeddings, rule book, OpenCC)
            dialogue.handle(Turn("web", text, customer_id=customer))
        timings = []
        started = time.perf_counter()
        for i in range(args.turns):
            customer, text = MIX[i % len(MIX)]
            t0 = time.perf_counter()
            dialogue.handle(Turn("web", text, customer_id=customer))
            timings.append((time.perf_counter() - t0) * 1000)
        elapsed = time.perf_counter() - started
        kefu.close()
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(len(timings) * 0.99) - 1]
    print(f"dialogue turn (SQLite, in-process, {args.turns} turns, mix of {len(MIX)} questions)")
    print(f"  p50 {p50:.1f} ms   p99 {p99:.1f} ms   max {timings[-1]:.1f} ms")
    print(f"  {args.turns / elapsed:.0f} turns/s (one thread)")
    print(f"  target p99 <= 30 ms: {'met' if p99 <= 30 else 'MISSED'}")


if __name__ == "__main__":
    main()
