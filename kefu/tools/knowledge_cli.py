"""``kefu kb ...``: the knowledge base from the command line (gaps, search, import, export)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import typer

from kefu.knowledge.service import KnowledgeService

# the commands reach the service through the factory the main CLI hands in (kefu.cli starts kefu;
# this core package never imports the wiring, the store or the database)
_factories: list[Callable[[], KnowledgeService]] = []


def make_kb_app(service: Callable[[], KnowledgeService]) -> typer.Typer:
    """The ``kb`` sub-app; ``service`` starts kefu and returns its knowledge service."""
    _factories[:] = [service]
    kb_app = typer.Typer(help="Knowledge base: gaps, search, import, export.", no_args_is_help=True)
    kb_app.command()(gaps)
    kb_app.command()(search)
    kb_app.command("export")(export_kb)
    kb_app.command("import")(import_kb)
    return kb_app


def _service() -> KnowledgeService:
    return _factories[0]()


def gaps(
    days: int = typer.Option(30, help="Look back this many days."),
    limit: int = typer.Option(20, help="Show at most this many clusters."),
) -> None:
    """高频未覆盖问题: questions the knowledge base did not answer, grouped and ranked."""
    from datetime import UTC, datetime, timedelta

    clusters = _service().gaps(since=datetime.now(UTC) - timedelta(days=days), limit=limit)
    if not clusters:
        typer.echo("no uncovered questions")
    for n, c in enumerate(clusters, start=1):
        typer.echo(f"{n:>3}. x{c.count:<4} {c.representative}  [{', '.join(c.langs)}]")
        for example in c.examples[1:]:
            typer.echo(f"          - {example}")


def search(
    text: str,
    lang: str = typer.Option("zh-CN", help="zh-CN, zh-TW or en."),
    channel: str | None = typer.Option(None, help="web, app, wechat, douyin, email, api."),
) -> None:
    """What a customer asking TEXT would get (not logged as uncovered)."""
    result = _service().search(text, lang, channel, record=False)
    typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))


def export_kb(path: Path, fmt: str = typer.Option("json", "--format", help="json or csv.")) -> None:
    """Write every entry to PATH."""
    path.write_text(_service().export(fmt), encoding="utf-8")
    typer.echo(f"wrote {path}")


def import_kb(
    path: Path, fmt: str = typer.Option("", "--format", help="json or csv (default: by suffix).")
) -> None:
    """Create or update entries from PATH (all validated before any is saved)."""
    chosen = fmt or ("csv" if path.suffix.lower() == ".csv" else "json")
    counts = _service().import_entries(path.read_text(encoding="utf-8"), chosen, actor="cli")
    typer.echo(json.dumps(counts))
