"""``kefu customer export|erase ID``, ``kefu privacy retention`` and ``kefu data new-key|rekey``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import typer

from kefu.privacy.keyring import DataKeyring

if TYPE_CHECKING:  # started by the caller's ``start`` only when a command runs, as in kefu.cli
    from kefu.wiring import Kefu

CLI_ACTOR = "cli"


def make_privacy_apps(start: Callable[[], Kefu]) -> dict[str, typer.Typer]:
    """The sub-commands, each starting kefu through ``start`` only when run."""
    customer = typer.Typer(help="A customer's data requests (PIPL, GDPR).", no_args_is_help=True)
    privacy = typer.Typer(help="Retention of personal data.", no_args_is_help=True)
    data = typer.Typer(help="Keys of personal data at rest.", no_args_is_help=True)

    @customer.command("export")
    def export(customer_id: str) -> None:
        """Print everything kefu holds about the customer as JSON (audited)."""
        from kefu.privacy.requests import CustomerNotFound, export_customer

        kefu = start()
        try:
            found = export_customer(kefu, customer_id, CLI_ACTOR, datetime.now(UTC))
        except CustomerNotFound as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
        finally:
            kefu.close()
        typer.echo(json.dumps(found, ensure_ascii=False, indent=2))

    @customer.command("erase")
    def erase(
        customer_id: str,
        yes: bool = typer.Option(False, "--yes", help="Do not ask for confirmation."),
    ) -> None:
        """Anonymise the customer everywhere (orders stay, without anything naming them)."""
        from kefu.privacy.requests import CustomerNotFound, erase_customer

        if not yes:
            typer.confirm(
                f"Erase the personal data of {customer_id}? This cannot be undone", abort=True
            )
        kefu = start()
        try:
            erase_customer(kefu, customer_id, CLI_ACTOR, datetime.now(UTC))
        except CustomerNotFound as exc:
            typer.echo(exc.message, err=True)
            raise typer.Exit(1) from None
        finally:
            kefu.close()
        typer.echo(f"erased {customer_id}")

    @privacy.command("retention")
    def retention() -> None:
        """Anonymise conversations and personal data older than KEFU_RETENTION_DAYS, now."""
        from kefu.privacy.requests import run_retention

        kefu = start()
        try:
            typer.echo(json.dumps(run_retention(kefu, datetime.now(UTC))))
        finally:
            kefu.close()

    @data.command("new-key")
    def new_key() -> None:
        """Print a new random key; to rotate, put it first in KEFU_DATA_KEY (id:key,old-id:key)."""
        typer.echo(DataKeyring.generate())

    @data.command("rekey")
    def rekey() -> None:
        """Re-encrypt personal data with the current key (after a rotation, or to encrypt a
        database written before encryption); safe to stop and run again."""
        kefu = start()
        try:
            typer.echo(json.dumps(kefu.personal_data.rekey()))
        finally:
            kefu.close()

    return {"customer": customer, "privacy": privacy, "data": data}
