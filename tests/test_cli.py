"""The command-line tools."""

from __future__ import annotations

import sqlalchemy as sa

from app.models import AuditLog, CreditTransaction, User
from app.services import credits
from tests.factories import make_user


def test_create_admin_makes_a_new_account(app, db):
    result = app.test_cli_runner().invoke(
        args=["users", "create-admin", "Boss@Example.com", "--password", "a long admin password"]
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.email == "boss@example.com"))
    assert user.roles == ["user", "admin"]
    assert user.credit_balance == 1
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.target_id == str(user.id))).one()
    assert audit.action == "user.role_granted" and audit.after == {"roles": ["user", "admin"]}


def test_create_admin_promotes_an_existing_account(app, db):
    person = make_user(app, roles=["user", "creator"])
    result = app.test_cli_runner().invoke(args=["users", "create-admin", person.email])
    assert result.exit_code == 0, result.output
    assert db.session.get(User, person.id).roles == ["user", "creator", "admin"]


def test_create_admin_reports_a_bad_password_clearly(app, db):
    result = app.test_cli_runner().invoke(args=["users", "create-admin", "new@example.com", "--password", "short"])
    assert result.exit_code != 0
    assert "Use at least 10 characters." in result.output
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_demo_load_is_idempotent_and_prints_the_logins(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo", "load", "--no-catalog"])  # the catalog: tests/test_demo_catalog.py
    second = runner.invoke(args=["demo", "load", "--no-catalog"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    for email in ["admin@demo.waqup.app", "creator@demo.waqup.app", "user@demo.waqup.app"]:
        assert email in first.output
    assert app.config["DEMO_PASSWORD"] in first.output
    users = {u.email: u for u in db.session.scalars(sa.select(User)).all()}
    assert len(users) == 3
    assert users["admin@demo.waqup.app"].roles == ["user", "admin"]
    assert users["creator@demo.waqup.app"].roles == ["user", "creator"]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(CreditTransaction)) == 3
    for user in users.values():
        assert credits.ledger_problems(user.id) == []


def test_rituals_create_makes_a_practice_with_a_progress_bar(app, db):
    from app.models import ContentItem
    from tests.generation_helpers import seed_voices

    seed_voices(app)
    person = make_user(app)
    result = app.test_cli_runner().invoke(
        args=[
            "rituals",
            "create",
            "--user",
            person.email,
            "--minutes",
            "1",
            "--intent",
            "letting go of a stressful workday",
            "--inline",
        ]
    )
    assert result.exit_code == 0, result.output
    assert "Making your practice" in result.output
    assert "Ready:" in result.output and "LUFS" in result.output
    item = db.session.scalars(sa.select(ContentItem)).one()
    assert item.audio_url == f"audio/{person.id}/{item.id}/1.mp3"
    second = app.test_cli_runner().invoke(
        args=["rituals", "create", "--user", person.email, "--intent", "sleep", "--inline"]
    )
    assert second.exit_code != 0
    assert "Not enough credits" in second.output


def test_rituals_create_names_unknown_voices(app, db):
    from tests.generation_helpers import seed_voices

    seed_voices(app)
    person = make_user(app)
    result = app.test_cli_runner().invoke(
        args=["rituals", "create", "--user", person.email, "--intent", "calm", "--voice", "Nobody"]
    )
    assert result.exit_code != 0
    assert "No voice called 'Nobody'" in result.output and "Joe" in result.output
    assert db.session.get(User, person.id).credit_balance == 1
