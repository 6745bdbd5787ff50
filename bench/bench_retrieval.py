"""Knowledge-base retrieval: accuracy on held-out paraphrases, decisions, latency, model load.

    .venv/bin/python bench/bench_retrieval.py [--embedder use|e5] [--queries FILE]

--queries data/knowledge/paraphrases_crossborder.json measures the cross-border languages.

The paraphrases (data/knowledge/paraphrases_eval.json) are never indexed. Runs the real service on
a fresh seeded SQLite database, revision checks included.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

from kefu.config import Settings
from kefu.knowledge.embedder import EMBEDDERS
from kefu.knowledge.retriever import Decision
from kefu.knowledge.service import KnowledgeService
from kefu.resources import data_path
from kefu.store.knowledge_repo import SqlKnowledgeRepository
from kefu.wiring import Kefu

EVAL = data_path("knowledge", "paraphrases_eval.json")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--embedder", choices=sorted(EMBEDDERS), default="use")
    parser.add_argument("--queries", type=Path, default=EVAL)
    args = parser.parse_args()
    queries = json.loads(args.queries.read_text(encoding="utf-8"))["queries"]

    started = time.perf_counter()
    embedder = EMBEDDERS[args.embedder]()
    embedder.embed(["warm up"])
    load_s = time.perf_counter() - started

    with tempfile.TemporaryDirectory() as tmp:
        kefu = Kefu.start(Settings(data_dir=Path(tmp)))
        cache_dir = Path(tmp) / "models"
        service = KnowledgeService(
            SqlKnowledgeRepository(kefu.db), embedder=embedder, cache_dir=cache_dir
        )
        started = time.perf_counter()
        n_entries = service.warm()
        cold_build_s = time.perf_counter() - started
        reload = KnowledgeService(
            SqlKnowledgeRepository(kefu.db), embedder=embedder, cache_dir=cache_dir
        )
        started = time.perf_counter()
        reload.warm()
        warm_build_s = time.perf_counter() - started

        per_lang: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
        decisions: dict[str, int] = defaultdict(int)
        misses = []
        first_ms, repeat_ms = [], []
        for q in queries:
            t0 = time.perf_counter()
            result = service.search(q["text"], q["lang"], record=False)
            first_ms.append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            service.search(q["text"], q["lang"], record=False)
            repeat_ms.append((time.perf_counter() - t0) * 1000)
            ids = [h.entry_id for h in result.hits]
            expect = q["expect"]
            if expect is None:
                decisions[f"negative->{result.decision.value}"] += 1
                continue
            top1, top3 = ids[:1] == [expect], expect in ids[:3]
            per_lang[q["lang"]].append((top1, top3))
            if result.decision is Decision.ANSWER:
                decisions["positive->answer(right)" if top1 else "positive->answer(WRONG)"] += 1
            else:
                decisions[f"positive->{result.decision.value}"] += 1
            if not top1:
                misses.append(f"  {q['text']!r}: expected {expect}, got {ids[:3]}")
        kefu.close()

    everything = [r for rows in per_lang.values() for r in rows]
    print(f"embedder: {embedder.name}; entries: {n_entries}; queries: {len(queries)}")
    print(f"model load: {load_s:.2f} s")
    print(f"index build: cold {cold_build_s:.2f} s, reload (cached vectors) {warm_build_s:.2f} s")
    for lang, rows in [*sorted(per_lang.items()), ("all", everything)]:
        top1 = sum(r[0] for r in rows) / len(rows)
        top3 = sum(r[1] for r in rows) / len(rows)
        print(f"{lang:>6}: top-1 {top1:.3f}  top-3 {top3:.3f}  (n={len(rows)})")
    print("decisions: " + ", ".join(f"{k} {v}" for k, v in sorted(decisions.items())))
    for label, ms in (("first time", first_ms), ("repeated", repeat_ms)):
        p50, p99 = np.percentile(ms, [50, 99])
        print(f"search latency ({label}): p50 {p50:.2f} ms  p99 {p99:.2f} ms  max {max(ms):.2f} ms")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if misses:
        print("top-1 misses:")
        print("\n".join(misses))


if __name__ == "__main__":
    main()
