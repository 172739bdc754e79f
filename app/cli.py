"""`flask users …`, `flask demo …` and `flask worker`."""

from __future__ import annotations

import secrets

import click
import sqlalchemy as sa
from flask import Flask, current_app

from app.extensions import db
from app.models import User
from app.services import Conflict, ServiceError, accounts, voices

DEMO_ACCOUNTS = [
    ("admin@demo.waqup.app", ["user", "admin"], "Admin"),
    ("creator@demo.waqup.app", ["user", "creator"], "Creator"),
    ("user@demo.waqup.app", ["user"], "User"),
]

users_cli = click.Group("users", help="Manage accounts.")
demo_cli = click.Group("demo", help="Demo data for a fresh install.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--password", help="Password for a new account (prompted for when omitted).")
def create_admin(email: str, password: str | None) -> None:
    """Make EMAIL an admin, creating the account if it does not exist."""
    try:
        user = accounts.get_by_email(email)
    except ServiceError:
        if password is None:
            password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
        try:
            user = accounts.register(email, password)
        except ServiceError as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Created account {user.email}.")
    accounts.set_role(user, "admin", True, actor=None)
    click.echo(f"{user.email} is an admin (roles: {', '.join(user.roles)}).")


@demo_cli.command("load")
@click.option(
    "--catalog/--no-catalog",
    "with_catalog",
    default=True,
    show_default=True,
    help="Also load the demo marketplace: creators, their packs and the practices in them.",
)
@click.option("--packs", type=click.IntRange(min=0), help="Load only the first N packs of the catalog.")
def demo_load(with_catalog: bool, packs: int | None) -> None:
    """Create the demo accounts, voices and marketplace catalog (safe to run again)."""
    click.echo("Voices (with preview clips):")
    for voice in voices.seed():
        click.echo(f"  {voice.name}")
    password = current_app.config["DEMO_PASSWORD"]
    click.echo(f"Demo accounts (password for each: {password})")
    for email, roles, label in DEMO_ACCOUNTS:
        user = db.session.scalar(sa.select(User).where(User.email == email))
        if user is None:
            try:
                user = accounts.register(email, password, roles=roles)
            except Conflict:
                user = accounts.get_by_email(email)
        for role in roles:
            if not user.has_role(role):
                accounts.set_role(user, role, True, actor=None)
        click.echo(f"  {label:<8} {email}")
    if not with_catalog:
        return
    from app.services import demo, demo_catalog

    catalog = demo_catalog.builtin_catalog()
    if packs is not None:
        catalog = {"creators": catalog["creators"], "packs": catalog["packs"][:packs]}
    practices = sum(len(pack["items"]) for pack in catalog["packs"])
    click.echo(f"Demo catalog: packs {len(catalog['packs'])}, practices {practices} (creators: the same password)")
    for creator in catalog["creators"]:
        click.echo(f"  Creator  {creator['email']:<24} {creator['display_name']}")
    try:
        report = demo.load_catalog(catalog, password=password, progress=click.echo)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(
        f"Catalog loaded in {report.seconds:.0f} s. Packs created {report.packs_created}, "
        f"published {report.packs_published}; practices made {report.practices_made}; "
        f"packs in the rebuilt search index {report.indexed}."
    )
    if report.unfinished:
        click.echo(f"Not finished (left as drafts): {', '.join(report.unfinished)}. Run `flask demo load` again.")


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
def worker_command(burst: bool) -> None:
    """Run a background worker on every queue."""
    from app.tasks.worker import run_worker

    run_worker(current_app._get_current_object(), burst=burst)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--threads", default=32, show_default=True, type=int, help="Threads per process; each open socket holds one."
)
@click.option("--workers", default=1, show_default=True, type=int, help="gunicorn processes.")
def serve_command(host: str, port: int, threads: int, workers: int) -> None:
    """Serve the app with gunicorn and run a background worker beside it."""
    from app.serve import serve

    raise SystemExit(serve(current_app._get_current_object(), host=host, port=port, threads=threads, workers=workers))


@click.command("secret-key")
def secret_key() -> None:
    """Print a fresh random SECRET_KEY for production."""
    click.echo(secrets.token_urlsafe(48))


def register_cli(app: Flask) -> None:
    from app.cli_payments import payments_cli
    from app.cli_practices import rituals_cli, voices_cli
    from app.cli_search import search_cli

    app.cli.add_command(rituals_cli)
    app.cli.add_command(voices_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(worker_command)
    app.cli.add_command(secret_key)
    app.cli.add_command(serve_command)
    app.cli.add_command(payments_cli)
    app.cli.add_command(search_cli)
