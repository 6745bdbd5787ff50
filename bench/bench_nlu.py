"""NLU benchmark: model load time (cold train and from cache), parse latency, throughput, RSS.

Run: .venv/bin/python bench/bench_nlu.py [--messages 4000]
Messages are varied customer texts built from the shipped training templates (short, terse,
traditional, English, with emoji) plus long rambling ones made by joining several; never eval data.
"""

from __future__ import annotations

import argparse
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from kefu.demo.promotions import load_demo_products
from kefu.nlu import NluPipeline
from kefu.nlu.training_data import load_training_set
from kefu.tools.nlu_eval import group_holdout_accuracy


def build_messages(count: int, seed: int = 5) -> list[str]:
    rng = random.Random(seed)
    texts = [e.text for e in load_training_set()]
    out: list[str] = []
    while len(out) < count:
        kind = rng.random()
        if kind < 0.15:
            out.append("，".join(rng.sample(texts, rng.randint(3, 6))) + "！！！")
        elif kind < 0.25:
            out.append(rng.choice(texts) + rng.choice(["😡😡", "🙏", "～～～", "???", "!!!"]))
        elif kind < 0.3:
            out.append(rng.choice(texts).upper())
        else:
            out.append(rng.choice(texts))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=4000)
    parser.add_argument(
        "--holdout", action="store_true", help="also report accuracy on held-out template lines"
    )
    args = parser.parse_args()
    products = list(load_demo_products().values())
    with tempfile.TemporaryDirectory() as tmp:
        cache = Path(tmp)
        t0 = time.perf_counter()
        NluPipeline.load(products, cache)
        cold_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        nlu = NluPipeline.load(products, cache)
        warm_s = time.perf_counter() - t0
    messages = build_messages(args.messages)
    for text in messages[:200]:  # warm caches (pinyin, regexes)
        nlu.parse(text)
    latencies: list[float] = []
    # CPU time of the parsing thread: on a shared VM wall time also counts the waits for a core,
    # which say more about the neighbours than about the parser
    cpu_latencies: list[float] = []
    started = time.perf_counter()
    for text in messages:
        t = time.perf_counter()
        c = time.thread_time()
        nlu.parse(text)
        cpu_latencies.append((time.thread_time() - c) * 1000)
        latencies.append((time.perf_counter() - t) * 1000)
    elapsed = time.perf_counter() - started
    latencies.sort()
    cpu_latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"messages: {len(messages)} (mean length {statistics.mean(map(len, messages)):.0f} chars)"
    )
    print(f"load: cold (train + cache) {cold_s:.2f} s, from cache {warm_s:.2f} s")
    print(
        f"parse latency: p50 {latencies[len(latencies) // 2]:.2f} ms, p99 {p99:.2f} ms, "
        f"max {latencies[-1]:.2f} ms"
    )
    cpu_p99 = cpu_latencies[int(len(cpu_latencies) * 0.99) - 1]
    print(
        f"parse CPU time: p50 {cpu_latencies[len(cpu_latencies) // 2]:.2f} ms, "
        f"p99 {cpu_p99:.2f} ms, max {cpu_latencies[-1]:.2f} ms"
    )
    print(f"throughput: {len(messages) / elapsed:.0f} parses/s (one core, in-process)")
    print(f"peak RSS: {rss_mb:.0f} MB")
    if args.holdout:
        scores = group_holdout_accuracy(nlu)
        print("held-out template lines: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))


if __name__ == "__main__":
    main()
