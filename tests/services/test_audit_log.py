"""Reading the audit log (SECURITY.md 22): filters, newest first, pages; nothing in the app edits it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest

from app.extensions import db as _db
from app.models import AuditLog
from app.services import ServiceError, audit_log

TARGET = uuid.uuid4()


def _row(action: str, when: datetime, *, actor: str | None = "boss@example.com", target=("user", TARGET)) -> None:
    _db.session.add(
        AuditLog(
            action=action,
            actor_email=actor,
            target_type=target[0],
            target_id=str(target[1]),
            before={"status": "in_review"},
            after={"status": "published"},
            ip="203.0.113.9",
            created_at=when,
        )
    )


@pytest.fixture
def rows(db):
    _row("role.grant", datetime(2025, 3, 1, 9, tzinfo=UTC))
    _row("pack.approve", datetime(2025, 3, 2, 23, 59, tzinfo=UTC), target=("pack", uuid.uuid4()))
    _row(
        "pack.takedown", datetime(2025, 3, 3, 0, 0, tzinfo=UTC), actor="Moderator@Example.com", target=("pack", TARGET)
    )
    _row("credits.grant", datetime(2025, 3, 4, 12, tzinfo=UTC), actor=None)
    _row("package.other", datetime(2025, 3, 5, 12, tzinfo=UTC))
    db.session.commit()


def _actions(page: audit_log.AuditPage) -> list[str]:
    return [r.action for r in page.rows]


def _search(**args: str) -> audit_log.AuditPage:
    return audit_log.search(audit_log.parse_filters(args))


def test_newest_first_without_filters(rows):
    page = audit_log.search()
    assert _actions(page) == ["package.other", "credits.grant", "pack.takedown", "pack.approve", "role.grant"]
    assert page.total == 5 and page.pages == 1


def test_action_exact_or_a_family_ending_in_a_dot(rows):
    assert _actions(_search(action="pack.approve")) == ["pack.approve"]
    assert _actions(_search(action="Pack.")) == ["pack.takedown", "pack.approve"]  # not "package.other"
    assert _actions(_search(action="pack")) == []


def test_actor_email_fragment_any_case(rows):
    assert _actions(_search(actor="moderator")) == ["pack.takedown"]
    assert _actions(_search(actor="EXAMPLE.COM")) == [
        "package.other",
        "pack.takedown",
        "pack.approve",
        "role.grant",
    ]
    assert _actions(_search(actor="%")) == []  # wildcards are literal


def test_target_type_and_id(rows):
    assert _actions(_search(target_type="pack")) == ["pack.takedown", "pack.approve"]
    assert _actions(_search(target_id=str(TARGET).upper())) == [
        "package.other",
        "credits.grant",
        "pack.takedown",
        "role.grant",
    ]
    assert _actions(_search(target_type="pack", target_id=str(TARGET))) == ["pack.takedown"]


def test_date_range_includes_both_whole_days(rows):
    assert _actions(_search(date_from="2025-03-02", date_to="2025-03-03")) == ["pack.takedown", "pack.approve"]
    assert _actions(_search(date_from="2025-03-04")) == ["package.other", "credits.grant"]
    assert _actions(_search(date_to="2025-03-01")) == ["role.grant"]
    assert _actions(_search(date_to="9999-12-31")) != []


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"date_from": "yesterday"}, "date_from"),
        ({"date_to": "2025-13-01"}, "date_to"),
        ({"date_from": "2025-03-05", "date_to": "2025-03-01"}, "date_from"),
        ({"action": "x" * 300}, "action"),
        ({"actor": "a\x00b"}, "actor"),
    ],
)
def test_bad_filters_name_the_field(db, args, field):
    with pytest.raises(ServiceError) as exc:
        audit_log.parse_filters(args)
    assert exc.value.status == 422 and exc.value.field == field


def test_pages_keep_the_filters(db):
    for n in range(30):
        _row("role.grant", datetime(2025, 1, 1, 0, n, tzinfo=UTC))
    _row("user.suspend", datetime(2025, 1, 2, tzinfo=UTC))
    db.session.commit()
    filters = audit_log.parse_filters({"action": "role.grant"})
    first, second = audit_log.search(filters, 1, 25), audit_log.search(filters, 2, 25)
    assert (len(first.rows), len(second.rows), first.total, first.pages) == (25, 5, 30, 2)
    assert first.rows[0].created_at > second.rows[0].created_at
    assert first.filters.active == {"action": "role.grant"}


def test_known_actions_and_target_types(rows):
    assert audit_log.known_actions() == [
        "credits.grant",
        "pack.approve",
        "pack.takedown",
        "package.other",
        "role.grant",
    ]
    assert audit_log.known_target_types() == ["pack", "user"]


def test_no_route_edits_or_deletes_audit_rows(app):
    """Append-only in the app: the audit log has read routes only (PostgreSQL's trigger refuses the rest)."""
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule
