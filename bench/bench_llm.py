"""Conversation scenarios with and without the shop's language model: pass rate and turn latency.

Run: .venv/bin/python bench/bench_llm.py FILE.jsonl [--mode good] [--slow-s 3] [--one-shop]
FILE is a conversation set (``kefu eval conversations`` format). The model is the scripted
OpenAI-compatible stand-in of the tests (tests/llm/standin.py), a real HTTP server on a free port:
``good`` answers with a faithful rewrite ("亲，" / "Sure! " + the answer), ``price`` changes a
figure, ``slow`` answers after --slow-s seconds, ``error`` fails. It measures kefu's side (the
check, the budget, the fallback), not a real model's speed or wording.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kefu.config import Settings
from kefu.dialogue import Dialogue
from kefu.tools.conversation_eval import load_scenarios, run_all
from kefu.wiring import Kefu
from tests.llm.standin import Script, serve


def run(
    scenarios: list[dict[str, Any]], models: Path, one_shop: bool = False, **llm: Any
) -> tuple[float, list[float], Counter[str]]:
    took: list[float] = []
    outcomes: Counter[str] = Counter()

    def start(tmp: str) -> Kefu:
        kefu = Kefu.start(Settings(data_dir=Path(tmp), model_dir=models, **llm))
        handle = kefu.dialogue.handle

        def timed(turn: Any) -> Any:
            started = time.perf_counter()
            try:
                return handle(turn)
            finally:
                took.append(time.perf_counter() - started)

        kefu.dialogue.handle = timed  # type: ignore[method-assign]
        return kefu

    def stop(kefu: Kefu) -> None:
        if kefu.llm is not None:
            for (use, outcome), n in kefu.llm.metrics.outcomes().items():
                outcomes[f"{use}:{outcome}"] += n
            for (use, reason), n in kefu.llm.metrics.rejections().items():
                outcomes[f"{use}:rejected:{reason}"] += n
        kefu.close()

    if one_shop:  # one long-running worker (its breaker, its caches) for every scenario
        with tempfile.TemporaryDirectory() as tmp:
            kefu = start(tmp)

            @contextmanager
            def same() -> Iterator[Dialogue]:
                yield kefu.dialogue

            try:
                results = run_all(scenarios, same)
            finally:
                stop(kefu)
    else:

        @contextmanager
        def fresh() -> Iterator[Dialogue]:
            with tempfile.TemporaryDirectory() as tmp:
                kefu = start(tmp)
                try:
                    yield kefu.dialogue
                finally:
                    stop(kefu)

        results = run_all(scenarios, fresh)
    return sum(r.passed for r in results) / len(results), took, outcomes


def line(name: str, rate: float, took: list[float]) -> str:
    ms = sorted(t * 1000 for t in took)
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    return (
        f"{name:<22} pass {rate:6.1%}  turns {len(ms):4d}  p50 {statistics.median(ms):7.1f} ms"
        f"  p95 {p95:7.1f} ms  max {ms[-1]:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--mode", default="good")
    parser.add_argument("--slow-s", type=float, default=3.0)
    parser.add_argument("--budget-ms", type=int, default=1500)
    parser.add_argument(
        "--one-shop",
        action="store_true",
        help="every scenario on one running kefu (the breaker's effect over time; pass rates"
        " then also depend on earlier scenarios' changes to the shop)",
    )
    args = parser.parse_args()
    models = Path("var/models")
    models.mkdir(parents=True, exist_ok=True)
    scenarios = load_scenarios(args.file)
    run(scenarios, models)  # models and caches load once per process: not part of either number
    rate, took, _ = run(scenarios, models, args.one_shop)
    print(line("without the model", rate, took))
    script = Script(mode=args.mode, slow_s=args.slow_s)
    with serve(script) as url:
        rate_llm, took_llm, outcomes = run(
            scenarios,
            models,
            args.one_shop,
            llm_base_url=url,
            llm_model="standin",
            llm_turn_budget_ms=args.budget_ms,
        )
    print(line(f"with stand-in ({args.mode})", rate_llm, took_llm))
    ratio = statistics.median(took_llm) / statistics.median(took)
    print(f"p50 ratio {ratio:.2f}x, pass-rate change {rate_llm - rate:+.1%}")
    print("model outcomes:", ", ".join(f"{k} {n}" for k, n in sorted(outcomes.items())))


if __name__ == "__main__":
    main()
