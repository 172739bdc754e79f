"""Reading the audit log: filters, newest first, paged. Rows are only ever added (`audit.record`);
nothing here or anywhere in the app edits or deletes them, and PostgreSQL's trigger refuses it anyway."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.extensions import db
from app.models import AuditLog
from app.services import ServiceError
from app.services.credits import MAX_PAGE

PER_PAGE = 25
MAX_PER_PAGE = 100
MAX_TEXT = 254
FILTER_NAMES = ("action", "actor", "target_type", "target_id", "date_from", "date_to")


@dataclass(frozen=True)
class AuditFilters:
    """What to look for; empty fields do not filter. `action` ending in "." matches every action it begins."""

    action: str = ""
    actor: str = ""
    target_type: str = ""
    target_id: str = ""
    date_from: date | None = None
    date_to: date | None = None

    @property
    def active(self) -> dict[str, str]:
        """The filters that are set, as query arguments (for page links and the API)."""
        values = {
            "action": self.action,
            "actor": self.actor,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "date_from": self.date_from.isoformat() if self.date_from else "",
            "date_to": self.date_to.isoformat() if self.date_to else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass
class AuditPage:
    rows: list[AuditLog]
    page: int
    per_page: int
    total: int
    filters: AuditFilters = field(default_factory=AuditFilters)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def _text(args: Mapping[str, str], name: str, label: str) -> str:
    value = " ".join((args.get(name) or "").split())
    if len(value) > MAX_TEXT:
        raise ServiceError(f"{label} must be at most {MAX_TEXT} characters.", field=name)
    if any(ord(c) < 32 for c in value):
        raise ServiceError(f"{label} holds a character that cannot be searched for.", field=name)
    return value


def _date(args: Mapping[str, str], name: str, label: str) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ServiceError(f"{label} must be a date written YYYY-MM-DD.", field=name) from None


def parse_filters(args: Mapping[str, str]) -> AuditFilters:
    """Filters from query arguments, or ServiceError (422) naming the bad one."""
    filters = AuditFilters(
        action=_text(args, "action", "Action").lower(),
        actor=_text(args, "actor", "Actor email").lower(),
        target_type=_text(args, "target_type", "Target type").lower(),
        target_id=_text(args, "target_id", "Target id"),
        date_from=_date(args, "date_from", "From"),
        date_to=_date(args, "date_to", "To"),
    )
    if filters.date_from and filters.date_to and filters.date_from > filters.date_to:
        raise ServiceError("The From date must not be after the To date.", field="date_from")
    if filters.target_id:  # ids are stored as text; a UUID is matched in its canonical form
        with contextlib.suppress(ValueError):
            filters = AuditFilters(**{**filters.__dict__, "target_id": str(uuid.UUID(filters.target_id))})
    return filters


def _escape_like(text: str) -> str:
    return text.replace("!", "!!").replace("%", "!%").replace("_", "!_")


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _where(filters: AuditFilters) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.action.endswith("."):
        conditions.append(AuditLog.action.like(_escape_like(filters.action) + "%", escape="!"))
    elif filters.action:
        conditions.append(AuditLog.action == filters.action)
    if filters.actor:
        conditions.append(sa.func.lower(AuditLog.actor_email).like(f"%{_escape_like(filters.actor)}%", escape="!"))
    if filters.target_type:
        conditions.append(AuditLog.target_type == filters.target_type)
    if filters.target_id:
        conditions.append(AuditLog.target_id == filters.target_id)
    if filters.date_from:
        conditions.append(AuditLog.created_at >= _start_of(filters.date_from))
    if filters.date_to and filters.date_to < date.max:  # the whole of the To day
        conditions.append(AuditLog.created_at < _start_of(filters.date_to + timedelta(days=1)))
    return conditions


def search(filters: AuditFilters | None = None, page: int = 1, per_page: int = PER_PAGE) -> AuditPage:
    """Audit rows matching the filters, newest first."""
    filters = filters or AuditFilters()
    page = min(max(1, page), MAX_PAGE)
    per_page = min(max(1, per_page), MAX_PER_PAGE)
    conditions = _where(filters)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(AuditLog).where(*conditions)) or 0
    rows = db.session.scalars(
        sa.select(AuditLog)
        .where(*conditions)
        .order_by(AuditLog.created_at.desc(), AuditLog.id.desc())
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return AuditPage(list(rows), page, per_page, total, filters)


def known_actions() -> list[str]:
    """Every action recorded so far, for the filter's suggestions."""
    return list(db.session.scalars(sa.select(AuditLog.action).distinct().order_by(AuditLog.action)))


def known_target_types() -> list[str]:
    rows = db.session.scalars(
        sa.select(AuditLog.target_type)
        .where(AuditLog.target_type.is_not(None))
        .distinct()
        .order_by(AuditLog.target_type)
    )
    return list(rows)
