"""``kefu admin create|password``: the first admin of a production shop, and new passwords.

A password is prompted without echo (twice), or read from standard input (``--password-stdin``)
or ``KEFU_ADMIN_PASSWORD`` for scripted installs; it never appears on the command line, where
``ps`` and shell history would keep it.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

import typer

from kefu.config import get_settings
from kefu.desk.credentials import check_new_password
from kefu.desk.errors import Invalid
from kefu.desk.passwords import hash_password
from kefu.domain.desk import Agent, AgentRole, AgentStatus, Skill

if TYPE_CHECKING:
    from kefu.store.desk_repo import SqlAgents

admin_app = typer.Typer(
    help="Agents and admins: the first admin, new passwords.", no_args_is_help=True
)

PASSWORD_ENV = "KEFU_ADMIN_PASSWORD"


def _agents() -> SqlAgents:
    from kefu.store.db import Database
    from kefu.store.desk_repo import SqlAgents
    from kefu.store.seed import prepare_database

    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    db = Database.from_url(settings.sqlalchemy_url)
    prepare_database(db, seed=settings.seed_demo)
    return SqlAgents(db)


def _read_password(from_stdin: bool) -> str:
    from kefu.store.desk_repo import demo_passwords

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif os.environ.get(PASSWORD_ENV):
        password = os.environ[PASSWORD_ENV]
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        check_new_password(password, demo_passwords())
    except Invalid as exc:
        typer.echo(f"refused: {exc.message}", err=True)
        raise typer.Exit(2) from None
    return password


@admin_app.command("create")
def create_admin(
    agent_id: str = typer.Argument(..., help="The new admin's id, e.g. ADM1."),
    name: str = typer.Option("", help="Display name (default: the id)."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Create an admin agent (the first one of a production shop)."""
    agent_id = agent_id.strip()
    if not agent_id or len(agent_id) > 32:
        typer.echo("refused: the id must be 1-32 characters", err=True)
        raise typer.Exit(2)
    agents = _agents()
    if agents.get(agent_id) is not None:
        typer.echo(f"refused: agent {agent_id} exists; use `kefu admin password`", err=True)
        raise typer.Exit(1)
    password = _read_password(password_stdin)
    admin = Agent(
        id=agent_id,
        name=name.strip() or agent_id,
        role=AgentRole.ADMIN,
        skills=tuple(Skill),
        max_chats=5,
        status=AgentStatus.OFFLINE,
        langs=("zh-CN", "en"),
    )
    agents.add(admin, hash_password(password))
    typer.echo(f"created admin {agent_id}")


@admin_app.command("password")
def set_password(
    agent_id: str = typer.Argument(..., help="The agent whose password to set."),
    password_stdin: bool = typer.Option(False, help="Read the password from standard input."),
) -> None:
    """Set a new password for an agent (e.g. a demo agent kept in production)."""
    agents = _agents()
    agent = agents.get(agent_id.strip())
    if agent is None:
        typer.echo(f"refused: no agent {agent_id}", err=True)
        raise typer.Exit(1)
    password = _read_password(password_stdin)
    agents.update(agent, hash_password(password))
    typer.echo(f"new password set for {agent.id}")
