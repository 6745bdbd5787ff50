"""The ``kefu`` command: serve, seed, chat, eval, kb, bench."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from kefu.config import get_settings
from kefu.knowledge.cli import make_kb_app
from kefu.knowledge.service import KnowledgeService
from kefu.privacy.cli import make_privacy_apps

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
    )


@app.command()
def seed(
    force: bool = typer.Option(False, help="Drop the embedded database and seed again."),
) -> None:
    """Create the schema and load the demo shop into a new database."""
    from kefu.store.db import Database
    from kefu.store.seed import prepare_database

    settings = get_settings()
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
    from kefu.nlu.evaluate import evaluate_intents, format_report
    from kefu.store.commerce_repo import SqlOrderBook
    from kefu.store.db import Database
    from kefu.store.seed import prepare_database
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
    from kefu.dialogue.evaluate import load_scenarios, report, run_all
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


@app.command()
def jobs(
    every: float = typer.Option(0, help="Seconds between runs; 0 runs once and exits."),
) -> None:
    """Periodic work: SLA escalations, stale-offer reassignment, due outbound deliveries (cron)."""
    import time
    from datetime import UTC, datetime

    from kefu.channels.hub import deliver_due
    from kefu.wiring import Kefu

    kefu = Kefu.start(get_settings())
    try:
        while True:
            now = datetime.now(UTC)
            desk = kefu.desk.run_jobs(now)
            sent = deliver_due(kefu, now)
            typer.echo(f"{now.isoformat(timespec='seconds')} desk {desk} deliveries {sent}")
            if every <= 0:
                break
            time.sleep(every)
    finally:
        kefu.close()


@app.command()
def token(
    customer: str = typer.Argument(..., help="Customer id to sign, e.g. C1001."),
    ttl: int = typer.Option(3600, help="Seconds the token stays valid."),
) -> None:
    """Print a signed customer identity for the web widget (required in production mode)."""
    from kefu.api.identity import token_for

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
