"""`flask payments reconcile`: mend purchases from the payment provider's own record."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from app.providers.payments import PaymentGatewayError
from app.services.reconcile import reconcile

payments_cli = click.Group("payments", help="Payments: reconcile purchases with Stripe.")


@payments_cli.command("reconcile")
@click.option("--days", default=3, show_default=True, type=click.IntRange(1, 90), help="How far back to look.")
@with_appcontext
def reconcile_command(days: int) -> None:
    """Fulfil paid sessions a webhook missed, cancel expired ones, retry unprocessed events."""
    try:
        report = reconcile(days)
    except PaymentGatewayError as exc:
        raise click.ClickException(f"The payment provider could not be read: {exc}") from None
    click.echo(f"Checked {report.checked} checkout sessions from the last {days} days.")
    for label, ids in (
        ("Fulfilled", report.fulfilled),
        ("Canceled (expired)", report.expired),
        ("Subscriptions canceled at Stripe", report.canceled),
        ("Events replayed", report.replayed),
        ("Events still waiting", report.waiting),
        ("Not ours (no purchase)", report.unknown),
        ("Failed (see the log)", report.failed),
    ):
        if ids:
            click.echo(f"{label}: {len(ids)}")
            for item in ids:
                click.echo(f"  {item}")
    if not (report.fulfilled or report.expired or report.replayed or report.canceled):
        click.echo("Nothing needed fixing.")
    if report.failed:
        raise click.ClickException(f"{len(report.failed)} could not be mended; see the log.")
