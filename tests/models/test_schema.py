"""What the schema itself refuses, whatever the code above it does."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.models import ContentItem, CreditTransaction, RitualPack, User
from tests.factories import make_user


def _expect_refused(db, statement) -> None:
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
        db.session.commit()
    db.session.rollback()


def test_credit_balance_cannot_go_negative(app, db):
    person = make_user(app)
    _expect_refused(db, sa.update(User).where(User.id == person.id).values(credit_balance=-1))


def test_enum_columns_are_checked(app, db):
    person = make_user(app)
    _expect_refused(
        db, sa.insert(ContentItem).values(user_id=person.id, content_type="podcast", title="x", content_text="")
    )
    _expect_refused(
        db,
        sa.insert(ContentItem).values(
            user_id=person.id, content_type="ritual", title="x", content_text="", depth="bottomless"
        ),
    )


def test_ledger_idempotency_key_is_unique(app, db):
    person = make_user(app)
    _expect_refused(
        db,
        sa.insert(CreditTransaction).values(
            user_id=person.id,
            transaction_type="purchase",
            amount=1,
            balance_after=2,
            entry_no=2,
            idempotency_key=f"signup:{person.id}",
        ),
    )


def test_pack_price_must_match_its_type(app, db):
    creator = make_user(app, roles=["user", "creator"])
    base = {"creator_id": creator.id, "title": "Sleep", "description": "", "currency": "usd", "status": "draft"}
    _expect_refused(db, sa.insert(RitualPack).values(**base, price_type="free", price_amount=500))
    _expect_refused(db, sa.insert(RitualPack).values(**base, price_type="one_time", price_amount=None))
    _expect_refused(
        db,
        sa.insert(RitualPack).values(**base, price_type="one_time", price_amount=500, subscription_interval="monthly"),
    )
    db.session.execute(
        sa.insert(RitualPack).values(
            **base, price_type="subscription", price_amount=499, subscription_interval="monthly"
        )
    )
    db.session.commit()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(RitualPack)) == 1


@pytest.mark.postgres
def test_roles_are_checked_by_postgres(app, db):
    person = make_user(app)
    _expect_refused(db, sa.update(User).where(User.id == person.id).values(roles=["user", "overlord"]))


def test_deleting_a_user_removes_their_rows(app, db):
    person = make_user(app)
    db.session.add(ContentItem(user_id=person.id, content_type="ritual", title="Morning", content_text="Wake."))
    db.session.commit()
    db.session.execute(sa.delete(User).where(User.id == person.id))
    db.session.commit()
    for model in (ContentItem, CreditTransaction):
        assert db.session.scalar(sa.select(sa.func.count()).select_from(model).where(model.user_id == person.id)) == 0


@pytest.mark.postgres
def test_audit_rows_are_append_only(app, db):
    """SECURITY.md 22: no update or delete of an audit row, except the actor's own deletion nulling actor_id."""
    from sqlalchemy.exc import DBAPIError

    from app.models import AuditLog
    from app.services import audit

    actor = db.session.get(User, make_user(app).id)
    row = audit.record("role.grant", actor=actor, target_type="user", target_id=actor.id, after={"roles": ["admin"]})
    db.session.commit()
    row_id = row.id
    for statement in (
        sa.update(AuditLog).where(AuditLog.id == row_id).values(action="nothing.happened"),
        sa.update(AuditLog).where(AuditLog.id == row_id).values(after={"roles": []}),
        sa.delete(AuditLog).where(AuditLog.id == row_id),
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(statement)
            db.session.commit()
        db.session.rollback()
    db.session.execute(sa.delete(User).where(User.id == actor.id))  # the actor leaves: the row stays
    db.session.commit()
    kept = db.session.get(AuditLog, row_id)
    assert (kept.actor_id, kept.actor_email, kept.action) == (None, actor.email, "role.grant")
