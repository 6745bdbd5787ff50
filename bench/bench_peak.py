"""The peak in one run: kefu's replies/s against its own framework's ceiling, same machine, same
worker count, same load generator, measured back to back.

Run: .venv/bin/python bench/bench_peak.py [--workers 2] [--connections 32] [--seconds 20]
         [--database-url postgresql://postgres@127.0.0.1:5432/kefu_peak --redis-url redis://...]
     or `kefu bench peak` with the same options.

1. The ceiling: ``bench/peak_ceiling.py`` (a bare FastAPI endpoint validating the same message
   body and answering a reply of the same shape) under uvicorn with the same worker count.
2. kefu: ``kefu serve`` on a fresh database (PostgreSQL + Redis when given, else the embedded
   SQLite), thousands of distinct guests asking routine questions.
Load comes from wrk (Debian's package) on the same cores. Every 200 must carry replies, and after
the run every answered message must be in the database (nothing acknowledged is lost). Prints both
rates, the ratio, p50/p99 and the errors, and (on Linux) where the CPU went during kefu's run:
milliseconds of CPU per reply in kefu's workers, PostgreSQL, Redis and wrk, against the machine's
cores: the answer to "is the machine saturated, and by whom".
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.fresh import fresh_postgres, fresh_redis  # noqa: E402
from kefu.store.tables.conversations import MessageRow  # noqa: E402

# routine pre-sales and order questions of a peak day (written for this bench)
QUESTIONS = [
    "在吗",
    "羽绒服有没有XL",
    "什么时候发货啊",
    "满300减40能和店铺券一起用吗",
    "退货运费谁出",
    "能开发票吗",
    "包邮吗",
    "谢谢",
    "how do coupons stack",
    "請問什麼時候出貨",
    "耳机还有货吗",
    "七天无理由退货吗",
]

LUA = """
local questions = {QUESTIONS}
local guests = GUESTS
local threads = {}
local counter = 0
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  ok = 0; empty = 0; bad = 0
end
request = function()
  counter = counter + 1
  local g = (tid * 7919 + counter) % guests
  local q = questions[(counter % #questions) + 1]
  local body = '{"channel":"web","channel_user_id":"peak-' .. g .. '","text":"' .. q .. '"}'
  return wrk.format("POST", "/api/v1/messages", {["Content-Type"] = "application/json"}, body)
end
response = function(status, headers, body)
  if status == 200 then
    if string.find(body, '"replies":[]', 1, true) then empty = empty + 1 else ok = ok + 1 end
  else
    bad = bad + 1
  end
end
done = function(summary, latency, requests)
  local o, e, b = 0, 0, 0
  for _, t in ipairs(threads) do
    o = o + t:get("ok"); e = e + t:get("empty"); b = b + t:get("bad")
  end
  io.write(string.format(
    "RESULT ok=%d empty=%d bad=%d sockerr=%d p50=%.2f p99=%.2f rps=%.1f\\n",
    o, e, b, summary.errors.connect + summary.errors.read + summary.errors.write
      + summary.errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests / (summary.duration / 1e6)))
end
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_ready(url: str, timeout_s: float = 180) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"server at {url} did not come up")


def _cpu_by_process() -> dict[int, tuple[str, int, float]]:
    """Every process's (command, parent, CPU seconds used so far) from /proc; empty elsewhere."""
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    found: dict[int, tuple[str, int, float]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            raw = stat.read_text()
        except OSError:
            continue  # the process ended while we looked
        # the command is in parentheses and may hold spaces; the fields after it are numbered
        comm = raw[raw.index("(") + 1 : raw.rindex(")")]
        fields = raw[raw.rindex(")") + 2 :].split()
        found[int(stat.parent.name)] = (
            comm,
            int(fields[1]),
            (int(fields[11]) + int(fields[12])) / tick,
        )
    return found


def _descendants(root: int, procs: dict[int, tuple[str, int, float]]) -> set[int]:
    tree = {root}
    grew = True
    while grew:
        grew = False
        for pid, (_, parent, _) in procs.items():
            if parent in tree and pid not in tree:
                tree.add(pid)
                grew = True
    return tree


def cpu_split(
    server: int, before: dict[int, tuple[str, int, float]], after: dict[int, tuple[str, int, float]]
) -> dict[str, float]:
    """CPU seconds between two snapshots: kefu (the server and its workers), PostgreSQL, Redis.

    Processes that ended between the snapshots are not seen (pooled connections live on)."""
    mine = _descendants(server, after)
    split = {"kefu": 0.0, "postgres": 0.0, "redis": 0.0}
    for pid, (comm, _, used) in after.items():
        was = before.get(pid)
        spent = used - (was[2] if was and was[0] == comm else 0.0)
        if pid in mine:
            split["kefu"] += spent
        elif comm.startswith("postgres"):
            split["postgres"] += spent
        elif comm.startswith("redis"):
            split["redis"] += spent
    return split


def wrk(port: int, script: Path, seconds: int, connections: int, threads: int) -> dict[str, float]:
    out = subprocess.run(
        [
            "wrk",
            f"-t{threads}",
            f"-c{connections}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "-s",
            str(script),
            f"http://127.0.0.1:{port}/api/v1/messages",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    found = re.search(r"RESULT (.*)", out)
    if not found:
        raise SystemExit(f"wrk printed no result:\n{out}")
    return {k: float(v) for k, v in (kv.split("=") for kv in found.group(1).split())}


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--guests", type=int, default=5000)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--redis-url", default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is needed: apt-get install wrk")

    tmp = Path(tempfile.mkdtemp(prefix="kefu-peak-"))
    script = tmp / "peak.lua"
    quoted = ", ".join('"' + q + '"' for q in QUESTIONS)
    script.write_text(
        LUA.replace("{QUESTIONS}", "{" + quoted + "}").replace("GUESTS", str(args.guests))
    )
    env = {
        **os.environ,
        "KEFU_DATA_DIR": str(tmp / "data"),
        "KEFU_MODEL_DIR": str(ROOT / "var" / "models"),
        "KEFU_LOG_LEVEL": "WARNING",
        "KEFU_CUSTOMER_MESSAGES_PER_MINUTE": "1000000",
        "KEFU_IP_MESSAGES_PER_MINUTE": "0",
    }
    env.pop("KEFU_DATABASE_URL", None)
    env.pop("KEFU_REDIS_URL", None)
    db_url = None
    if args.database_url:
        db_url = fresh_postgres(args.database_url)
        env["KEFU_DATABASE_URL"] = args.database_url
    else:
        db_url = f"sqlite:///{tmp / 'data' / 'kefu.db'}"
    if args.redis_url:
        env["KEFU_REDIS_URL"] = args.redis_url
        fresh_redis(args.redis_url)

    # 1. the ceiling
    port = free_port()
    ceiling = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "bench.peak_ceiling:app", "--port", str(port),
         "--workers", str(args.workers), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}/docs")
        wrk(port, script, 2, args.connections, args.threads)  # warm-up
        bare = wrk(port, script, max(5, args.seconds // 2), args.connections, args.threads)
    finally:
        stop(ceiling)

    # 2. kefu on the chosen topology
    port = free_port()
    kefu = subprocess.Popen(
        [str(Path(sys.executable).parent / "kefu"), "serve", "--port", str(port),
         "--workers", str(args.workers)],
        cwd=ROOT, env=env,
    )  # fmt: skip
    try:
        wait_ready(f"http://127.0.0.1:{port}/healthz")
        wrk(port, script, 3, args.connections, args.threads)  # warm-up: caches, pools
        time.sleep(1)  # let the warm-up's last turns land before counting
        engine = create_engine(db_url)
        with engine.connect() as conn:
            before = conn.scalar(
                select(func.count()).select_from(MessageRow).where(MessageRow.sender == "customer")
            )
        procs_before = _cpu_by_process()
        wrk_before = os.times()
        started = time.monotonic()
        run = wrk(port, script, args.seconds, args.connections, args.threads)
        elapsed = time.monotonic() - started
        wrk_after = os.times()
        split = cpu_split(kefu.pid, procs_before, _cpu_by_process())
        split["wrk"] = (wrk_after.children_user + wrk_after.children_system) - (
            wrk_before.children_user + wrk_before.children_system
        )
    finally:
        stop(kefu)
    with engine.connect() as conn:
        after = conn.scalar(
            select(func.count()).select_from(MessageRow).where(MessageRow.sender == "customer")
        )
    engine.dispose()
    stored = int(after or 0) - int(before or 0)
    answered = int(run["ok"] + run["empty"])

    topology = "PostgreSQL + Redis" if args.database_url else "SQLite (embedded)"
    print(f"peak: {args.workers} worker(s), {args.connections} connections, {topology}")
    print(f"  ceiling (bare FastAPI, same body): {bare['rps']:,.0f} req/s  "
          f"p50 {bare['p50']:.1f} ms  p99 {bare['p99']:.1f} ms")  # fmt: skip
    print(f"  kefu:  {run['rps']:,.0f} replies/s  p50 {run['p50']:.1f} ms  p99 {run['p99']:.1f} ms")
    print(f"  ratio: {run['rps'] / bare['rps']:.1%} of the ceiling")
    print(f"  answers: {int(run['ok'])} with replies, {int(run['empty'])} empty, "
          f"{int(run['bad'])} non-200, {int(run['sockerr'])} socket errors")  # fmt: skip
    print(f"  stored: {stored} customer messages for {answered} answered (lost: "
          f"{max(0, answered - stored)})")  # fmt: skip
    if split["kefu"] > 0 and answered:
        cores = os.cpu_count() or 1
        busy = sum(split.values()) / (elapsed * cores)
        per_reply = ", ".join(f"{k} {1000 * v / answered:.2f}" for k, v in split.items() if v)
        print(f"  CPU per reply (ms): {per_reply}; the {cores} cores {busy:.0%} busy with these")
    shutil.rmtree(tmp, ignore_errors=True)
    if run["bad"] or run["empty"] or answered > stored:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
