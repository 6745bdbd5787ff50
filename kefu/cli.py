"""The ``kefu`` command: serve, seed, chat, eval, kb, bench, plan."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from kefu.cli_admin import admin_app
from kefu.cli_privacy import make_privacy_apps
from kefu.config import Mode, get_settings
from kefu.knowledge.service import KnowledgeService
from kefu.tools.knowledge_cli import make_kb_app

if TYPE_CHECKING:
    from kefu.wiring import Kefu

app = typer.Typer(help="kefu: AI customer service for e-commerce shops.", no_args_is_help=True)
eval_app = typer.Typer(help="Measure kefu on evaluation files.", no_args_is_help=True)
app.add_typer(eval_app, name="eval")


def _knowledge_service() -> KnowledgeService:
    from kefu.wiring import Kefu

    service: KnowledgeService = Kefu.start(get_settings()).knowledge
    return service


app.add_typer(make_kb_app(_knowledge_service), name="kb")
app.add_typer(admin_app, name="admin")


def _start_kefu() -> Kefu:
    from kefu.wiring import Kefu

    return Kefu.start(get_settings())


for _name, _sub in make_privacy_apps(_start_kefu).items():
    app.add_typer(_sub, name=_name)


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to bind (default 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default $PORT or 8000)."),
    workers: int = typer.Option(1, help="Worker processes (use Redis and PostgreSQL for >1)."),
) -> None:
    """Start the HTTP service (the demo shop is seeded into a new, empty database)."""
    import uvicorn

    from kefu.api.body_guard import MESSAGE_BODY_BYTES

    settings = get_settings()
    if workers > 1:
        # prepare the database once, before the workers race to do it
        from kefu.store.db import Database
        from kefu.store.seed import prepare_database

        settings.data_dir.mkdir(parents=True, exist_ok=True)
        prepare_database(Database.from_url(settings.sqlalchemy_url), seed=settings.seed_demo)
    uvicorn.run(
        "kefu.api.asgi:app",
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level=settings.log_level.lower(),
        ws_max_size=MESSAGE_BODY_BYTES,  # a chat frame is bounded like a message body
    )


@app.command()
def seed(
    force: bool = typer.Option(False, help="Drop the embedded database and seed again."),
) -> None:
    """Create the schema and load the demo shop into a new database."""
    from kefu.store.db import Database
    from kefu.store.seed import prepare_database

    settings = get_settings()
    if settings.mode is Mode.PRODUCTION:
        typer.echo("refused: production never loads the demo shop", err=True)
        raise typer.Exit(2)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    if force and not settings.database_url:
        for suffix in ("", "-wal", "-shm"):
            (settings.data_dir / f"kefu.db{suffix}").unlink(missing_ok=True)
    seeded = prepare_database(Database.from_url(settings.sqlalchemy_url), seed=True)
    typer.echo("seeded the demo shop" if seeded else "database already holds data; nothing seeded")


@app.command()
def bench(
    only: str | None = typer.Option(None, help="Run only benchmarks whose name contains this."),
) -> None:
    """Run the benchmarks under bench/ and print their numbers."""
    import subprocess
    import sys
    from pathlib import Path

    bench_dir = Path(__file__).resolve().parent.parent / "bench"
    scripts = sorted(p for p in bench_dir.glob("bench_*.py") if not only or only in p.name)
    if not scripts:
        raise typer.BadParameter(f"no benchmark under {bench_dir} matches {only!r}")
    failed = 0
    for script in scripts:
        typer.echo(f"== {script.name}")
        failed += subprocess.call([sys.executable, str(script)]) != 0
    raise typer.Exit(1 if failed else 0)


@eval_app.command("nlu")
def eval_nlu(
    file: str = typer.Argument(..., help="Labelled messages, one JSON object a line."),
) -> None:
    """Intent accuracy, per-label precision/recall/F1, per-language accuracy and top confusions."""
    from pathlib import Path

    from kefu.commerce.embedded import EmbeddedCommerce
    from kefu.store.commerce_repo import SqlOrderBook
    from kefu.store.db import Database
    from kefu.store.seed import prepare_database
    from kefu.tools.nlu_eval import evaluate_intents, format_report
    from kefu.wiring import shared_nlu

    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {file}")
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.sqlalchemy_url)
    prepare_database(db, seed=settings.seed_demo)  # the catalogue feeds the product gazetteer
    products = EmbeddedCommerce(SqlOrderBook(db)).list_products()
    db.dispose()
    settings.model_cache_dir.mkdir(parents=True, exist_ok=True)
    pipeline = shared_nlu(products, settings.model_cache_dir)
    typer.echo(format_report(evaluate_intents(pipeline, path)))


@eval_app.command("conversations")
def eval_conversations(
    file: str = typer.Argument(..., help="Scenarios, one JSON object a line."),
    verbose: bool = typer.Option(False, help="Print every transcript, not only failures."),
) -> None:
    """Play conversation scenarios on a fresh demo shop each and print pass/fail per scenario."""
    import tempfile
    from collections.abc import Iterator
    from contextlib import contextmanager
    from pathlib import Path

    from kefu.config import Settings
    from kefu.dialogue import Dialogue
    from kefu.tools.conversation_eval import load_scenarios, report, run_all
    from kefu.wiring import Kefu

    models = get_settings().model_cache_dir
    models.mkdir(parents=True, exist_ok=True)

    @contextmanager
    def fresh_dialogue() -> Iterator[Dialogue]:
        with tempfile.TemporaryDirectory() as tmp:
            kefu = Kefu.start(Settings(data_dir=Path(tmp), model_dir=models))
            try:  # the NLU is trained or loaded once per process (wiring.shared_nlu)
                yield kefu.dialogue
            finally:
                kefu.close()

    results = run_all(load_scenarios(Path(file)), fresh_dialogue)
    typer.echo(report(results, verbose=verbose))
    raise typer.Exit(0 if all(r.passed for r in results) else 1)


jobs_app = typer.Typer(help="Background tasks: run the periodic ones, see the dead letters.")
app.add_typer(jobs_app, name="jobs")


@jobs_app.callback(invoke_without_command=True)
def jobs(
    ctx: typer.Context,
    every: float = typer.Option(0, help="Seconds between runs; 0 runs once and exits."),
) -> None:
    """Run every periodic task here (SLA escalation, reassignment, delivery sweep): for a cron
    line or a check. ``kefu worker`` is the consumer that runs them and every other task."""
    if ctx.invoked_subcommand is not None:
        return
    import time
    from datetime import UTC, datetime

    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    try:
        while True:
            now = datetime.now(UTC)
            ran = kefu.jobs.run_periodic_now(now)
            typer.echo(f"{now.isoformat(timespec='seconds')} {ran}")
            if every <= 0:
                break
            time.sleep(every)
    finally:
        kefu.close()


@jobs_app.command("dead-letters")
def dead_letters(
    limit: int = typer.Option(50, help="How many, newest first."),
    task: str | None = typer.Option(None, help="Only this task, e.g. outbound.deliver."),
) -> None:
    """Tasks given up after their last retry, with the error that ended them."""
    from kefu.store.db import Database
    from kefu.store.jobs_repo import SqlDeadLetters
    from kefu.store.seed import prepare_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.sqlalchemy_url)
    prepare_database(db, seed=False)
    try:
        letters = SqlDeadLetters(db).latest(limit, task)
    finally:
        db.dispose()
    if not letters:
        typer.echo("no dead letters")
    for d in letters:
        at = d.failed_at.isoformat(timespec="seconds")
        typer.echo(f"{d.id}\t{at}\t{d.task}\t{d.args}\tattempts={d.attempts}\t{d.error}")


@app.command()
def worker(
    threads: int = typer.Option(4, help="Worker threads in this process."),
) -> None:
    """Consume background tasks (production: Redis); run as many as the queue needs, anywhere."""
    import logging

    from kefu.logging_setup import configure_logging
    from kefu.wiring import Kefu

    settings = get_settings()
    configure_logging(settings.log_level)
    logging.getLogger("huey").setLevel(settings.log_level.upper())
    kefu = Kefu.start(settings)
    try:
        kefu.jobs.consumer(threads).run()  # until SIGINT/SIGTERM
    finally:
        kefu.close()


@app.command()
def plan(
    hours: int = typer.Option(24, help="Hours to plan from the start."),
    start: str | None = typer.Option(None, help="ISO start with offset (default: next hour)."),
    concurrency: int = typer.Option(3, help="Chats one agent holds at once."),
    patience: float = typer.Option(180, help="Seconds a chat customer waits before leaving."),
    shift_hours: str = typer.Option("8,4", help="Allowed shift lengths in hours."),
    save: bool = typer.Option(False, help="Adopt the plan: the staff-short alert checks it."),
) -> None:
    """Forecast per hour, agents needed per hour (Erlang A) and the shifts that cover them."""
    from datetime import UTC, datetime, timedelta

    from kefu.ops.plan_report import plan_text
    from kefu.ops.planning import adopt, plan_for
    from kefu.wiring import Kefu

    first = (
        datetime.fromisoformat(start).astimezone(UTC)
        if start
        else datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    )
    lengths = tuple(int(h) for h in shift_hours.split(","))
    kefu = Kefu.start(get_settings())
    try:
        found = plan_for(
            kefu, first, hours, concurrency=concurrency, patience_s=patience, shift_hours=lengths
        )
        typer.echo(plan_text(found))
        if save:
            adopt(kefu, found, datetime.now(UTC), "cli")
            typer.echo("plan adopted")
    finally:
        kefu.close()


@app.command()
def token(
    customer: str = typer.Argument(..., help="Customer id to sign, e.g. C1001."),
    ttl: int = typer.Option(3600, help="Seconds the token stays valid."),
) -> None:
    """Print a signed customer identity for the web widget (required in production mode)."""
    from kefu.edge.identity import token_for

    typer.echo(token_for(get_settings(), customer, ttl))


@app.command()
def chat(
    customer: str = typer.Option("C1001", help="Demo customer id."),
    channel: str = typer.Option("web", help="Channel: web, app, wechat, douyin, email, api."),
) -> None:
    """Talk to the bot in the terminal as a demo customer (empty line or Ctrl-D ends)."""
    from kefu.dialogue import Dialogue, Turn
    from kefu.domain.errors import ClientError
    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    dialogue: Dialogue = kefu.dialogue
    conversation_id: str | None = None
    try:
        while True:
            try:
                text = input(f"{customer}> ")
            except EOFError:
                break
            if not text.strip():
                break
            try:
                result = dialogue.handle(
                    Turn(channel, text, customer_id=customer, conversation_id=conversation_id)
                )
            except ClientError as exc:
                typer.echo(f"! {exc.message}")
                continue
            conversation_id = result.conversation_id
            for reply in result.replies:
                typer.echo(f"bot [{reply.kind.value}]: {reply.text}")
            typer.echo(
                f"    (intent={result.intent} confidence={result.confidence:.2f} "
                f"status={result.status} handoff={result.handoff})"
            )
    finally:
        kefu.close()


notices_app = typer.Typer(help="Proactive notices: run the scheduled notice work now.")
app.add_typer(notices_app, name="notices")


@notices_app.command("dispatch")
def notices_dispatch() -> None:
    """Send held notices whose morning has come, presale balance reminders, failed group buys."""
    from datetime import UTC, datetime

    from kefu.jobs.notices import dispatch_notices
    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    try:
        typer.echo(f"notices {dispatch_notices(kefu, datetime.now(UTC))}")
    finally:
        kefu.close()


@notices_app.command("surveys")
def notices_surveys(
    idle: int = typer.Option(30, help="Minutes a bot-only conversation has been quiet."),
) -> None:
    """Ask for a satisfaction score in bot-only conversations that have gone quiet."""
    from datetime import UTC, datetime, timedelta

    from kefu.jobs.notices import ask_after_bot_conversations
    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    try:
        found = ask_after_bot_conversations(kefu, datetime.now(UTC), timedelta(minutes=idle))
        typer.echo(f"{len(found)} satisfaction question(s): {[n.status for n in found]}")
    finally:
        kefu.close()


@notices_app.command("stalled")
def notices_stalled() -> None:
    """Parcels with no tracking update for the policy's hours: a ticket, and tell the customer."""
    from datetime import UTC, datetime

    from kefu.jobs.notices import find_stalled_parcels
    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    try:
        found = find_stalled_parcels(kefu, datetime.now(UTC))
        for notice in found:
            typer.echo(f"{notice.order_id} {notice.status} ticket {notice.facts.get('ticket_id')}")
        typer.echo(f"{len(found)} stalled parcel(s)")
    finally:
        kefu.close()


@app.command("import")
def import_file(
    kind: str = typer.Argument(..., help="products, customers, orders or shipments"),
    file: str = typer.Argument(..., help="A .csv (UTF-8 or GB18030) or .jsonl file."),
    batch: int = typer.Option(2000, help="Rows written per transaction."),
    report: str | None = typer.Option(None, help="Write the full report (JSON) to this file."),
) -> None:
    """Import a shop's export (columns: docs/import.md); re-importing updates, never duplicates."""
    import json
    from pathlib import Path

    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from kefu.commerce.import_rows import ImportKind, format_of
    from kefu.store.db import Database
    from kefu.store.importer import SqlImporter
    from kefu.store.seed import prepare_database

    try:
        what = ImportKind(kind)
    except ValueError:
        raise typer.BadParameter("kind must be products, customers, orders or shipments") from None
    path = Path(file)
    if not path.is_file():
        raise typer.BadParameter(f"no such file: {file}")
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.sqlalchemy_url)
    prepare_database(db, seed=settings.seed_demo)
    with path.open("rb") as f:  # the bar's total: lines, counted without parsing
        lines = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b""))
    rows = lines - 1 if format_of(path) == "csv" else lines  # a CSV's first line is its header
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    try:
        with Progress(*columns, TimeElapsedColumn()) as bar:
            task = bar.add_task(f"{what.value} {path.name}", total=max(rows, 1))
            result = SqlImporter(db, batch_size=batch).import_path(
                what, path, progress=lambda done: bar.update(task, completed=done)
            )
    finally:
        db.dispose()
    out = result.to_dict()
    typer.echo(f"{out['rows']} rows: {out['imported']} imported, {out['rejected']} rejected")
    for error in out["errors"][:20]:
        typer.echo(f"  line {error['line']}: {error['reason']}")
    if report:
        Path(report).write_text(json.dumps(out, ensure_ascii=False, indent=2), encoding="utf-8")
    raise typer.Exit(0 if out["rejected"] == 0 else 2)
