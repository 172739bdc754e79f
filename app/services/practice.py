"""Practice events and the practice history summary they feed.

The player reports a start when playback begins, progress while it runs and a completion when
it ends or the page is left (through the API or the page's beacon). Reports are idempotent by
the client's event id, which is the `practice_events` primary key: a repeated start does
nothing, a completion that arrives before its start creates the event, a second completion only
extends the listened time (and stores a feeling check sent with it). One event is one play.

In the same transaction as the event: `content_items.play_count` / `last_played_at`, the
listener's resume position and `users.practice_history_summary`, recomputed from the events
themselves so that no order of arrival can count anything twice. Days are calendar days in the
user's `preferences.timezone` (an IANA name) when set, else UTC.
"""

from __future__ import annotations

import math
import unicodedata
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import ContentItem, PracticeEvent, User
from app.models.types import as_utc, utcnow
from app.services import Conflict, NotFound, ServiceError, access, library_state
from app.services.accounts import invalidate_profile

KINDS = ("start", "progress", "complete")
MAX_NOTE = 500
MAX_SECONDS = 24 * 3600
END_MARGIN = 15.0  # stopping this close to the end counts as finished: the next play starts over
EMPTY_SUMMARY: dict[str, Any] = {
    "total_practices": 0,
    "total_minutes": 0.0,
    "current_streak": 0,
    "longest_streak": 0,
    "last_practice": None,
}


@dataclass(frozen=True)
class Report:
    """One message from a player about one practice event; build it with `Report.parse`."""

    event_id: uuid.UUID
    ritual_id: uuid.UUID
    kind: str
    position: float | None = None
    listened_seconds: float | None = None
    feeling: int | None = None
    note: str | None = None

    @classmethod
    def parse(cls, data: Mapping[str, Any]) -> Report:
        """Validated from JSON or form values (numbers may arrive as text); ServiceError names the field."""
        if not isinstance(data, Mapping):
            raise ServiceError("Send the report as an object.")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ServiceError(f"kind must be one of: {', '.join(KINDS)}.", field="kind")
        report = cls(
            event_id=_uuid(data.get("event_id"), "event_id"),
            ritual_id=_uuid(data.get("ritual_id"), "ritual_id"),
            kind=kind,
            position=_seconds(data.get("position"), "position"),
            listened_seconds=_seconds(data.get("listened_seconds"), "listened_seconds"),
            feeling=_feeling(data.get("feeling")),
            note=_note(data.get("note")),
        )
        if kind != "complete" and (report.feeling is not None or report.note is not None):
            raise ServiceError("A feeling check goes with a completion (kind complete).", field="feeling")
        return report


@dataclass(frozen=True)
class Outcome:
    event: dict[str, Any]
    created: bool
    resume_position: float
    summary: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "created": self.created,
            "resume_position": self.resume_position,
            "summary": self.summary,
        }


def record(user_id: uuid.UUID, report: Report, *, client: str = "api") -> Outcome:
    """Apply a report (404 without access to the practice) and return the updated summary."""
    access.check_readable(user_id, report.ritual_id)
    try:
        outcome = _apply(user_id, report, client)
        db.session.commit()
    except IntegrityError:
        # The same new event id was inserted by a concurrent report: apply this one to that row.
        db.session.rollback()
        outcome = _apply(user_id, report, client)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    invalidate_profile(user_id)
    return outcome


def _apply(user_id: uuid.UUID, report: Report, client: str) -> Outcome:
    now = utcnow()
    # One writer per user at a time (a row lock on PostgreSQL), so summaries never miss an event.
    user = db.session.scalars(sa.select(User).where(User.id == user_id).with_for_update()).one()
    duration = db.session.scalar(sa.select(ContentItem.audio_duration).where(ContentItem.id == report.ritual_id))
    cap = min(MAX_SECONDS, 2 * duration + 60) if duration else MAX_SECONDS  # half speed at the slowest
    listened = min(report.listened_seconds, cap) if report.listened_seconds is not None else None

    event = db.session.get(PracticeEvent, report.event_id, populate_existing=True)
    if event is not None and event.user_id != user_id:
        raise NotFound("No such practice event.")
    if event is not None and event.ritual_id != report.ritual_id:
        raise Conflict("That event id belongs to another practice.", field="event_id")
    created = event is None
    if event is None:
        # A completion or progress report that overtook its start began about that long ago.
        started = now - timedelta(seconds=listened or 0)
        event = PracticeEvent(
            id=report.event_id, user_id=user_id, ritual_id=report.ritual_id, started_at=started, meta={"client": client}
        )
        db.session.add(event)
        db.session.flush()
        db.session.execute(
            sa.update(ContentItem)
            .where(ContentItem.id == report.ritual_id)
            .values(play_count=ContentItem.play_count + 1, last_played_at=now)
        )
    was_complete = event.completed_at is not None
    if listened is not None:
        event.duration = max(event.duration or 0, round(listened))
    if report.kind == "complete":
        event.completed_at = event.completed_at or now
        if report.feeling is not None or report.note is not None:
            event.meta = {**(event.meta or {}), "feeling": report.feeling, "note": report.note}
    if report.position is not None and not (was_complete and report.kind != "complete"):
        _save_position(user_id, event, report.position, duration)

    user.practice_history_summary = compute_summary(user_id, user_zone(user))
    return Outcome(
        event=event_json(event),
        created=created,
        resume_position=library_state.resume_position(user_id, report.ritual_id),
        summary=user.practice_history_summary,
    )


def _save_position(user_id: uuid.UUID, event: PracticeEvent, position: float, duration: float | None) -> None:
    """Remember where the listener is, unless a later play of the same item has taken over."""
    newer = db.session.scalar(
        sa.select(
            sa.exists().where(
                PracticeEvent.user_id == user_id,
                PracticeEvent.ritual_id == event.ritual_id,
                PracticeEvent.started_at > event.started_at,
            )
        )
    )
    if newer:
        return
    if duration:
        position = 0.0 if position >= duration - END_MARGIN else min(position, duration)
    library_state.save_position(user_id, event.ritual_id, position)


def event_json(event: PracticeEvent) -> dict[str, Any]:
    meta = event.meta or {}
    completed = as_utc(event.completed_at)
    return {
        "id": str(event.id),
        "ritual_id": str(event.ritual_id),
        "started_at": as_utc(event.started_at).isoformat(),
        "completed_at": completed.isoformat() if completed else None,
        "duration": event.duration,
        "feeling": meta.get("feeling"),
        "note": meta.get("note"),
    }


# Summary and streaks -----------------------------------------------------------------------------


def user_zone(user: User) -> tzinfo:
    """The user's time zone for calendar days: `preferences.timezone` when it names one, else UTC."""
    name = (user.preferences or {}).get("timezone")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return UTC


def local_day(moment: datetime, zone: tzinfo) -> date:
    return as_utc(moment).astimezone(zone).date()


def streaks(days: Iterable[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive days; the current run is alive through the day after it."""
    longest = run = 0
    previous: date | None = None
    for day in sorted(set(days)):
        run = run + 1 if previous is not None and day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
        previous = day
    current = run if previous is not None and (today - previous).days <= 1 else 0
    return current, longest


def compute_summary(user_id: uuid.UUID, zone: tzinfo) -> dict[str, Any]:
    """{total_practices, total_minutes, current_streak, longest_streak, last_practice}, from the events."""
    rows = db.session.execute(
        sa.select(PracticeEvent.started_at, PracticeEvent.duration).where(PracticeEvent.user_id == user_id)
    ).all()
    if not rows:
        return dict(EMPTY_SUMMARY)
    days = {local_day(started, zone) for started, _ in rows}
    current, longest = streaks(days, local_day(utcnow(), zone))
    return {
        "total_practices": len(rows),
        "total_minutes": round(sum(seconds or 0 for _, seconds in rows) / 60, 1),
        "current_streak": current,
        "longest_streak": longest,
        "last_practice": max(days).isoformat(),
    }


def refresh_summaries(user_ids: Iterable[uuid.UUID]) -> None:
    """Recompute stored summaries after events were removed (in the caller's transaction)."""
    for user_id in sorted(set(user_ids)):
        user = db.session.scalars(sa.select(User).where(User.id == user_id).with_for_update()).one_or_none()
        if user is not None:
            user.practice_history_summary = compute_summary(user_id, user_zone(user))


def summary_of(user: User) -> dict[str, Any]:
    """The stored summary as of today: a streak whose last day is before yesterday has ended."""
    summary = {**EMPTY_SUMMARY, **(user.practice_history_summary or {})}
    last = summary.get("last_practice")
    zone = user_zone(user)
    if last and (local_day(utcnow(), zone) - date.fromisoformat(last)).days > 1:
        summary["current_streak"] = 0
    return summary


# Parsing -----------------------------------------------------------------------------------------


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _uuid(value: Any, field: str) -> uuid.UUID:
    if isinstance(value, str):
        try:
            return uuid.UUID(value.strip())
        except ValueError:
            pass
    raise ServiceError(f"{field} must be a UUID.", field=field)


def _number(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ServiceError(f"{field} must be a number.", field=field)
    try:
        number = float(value)
    except (ValueError, OverflowError):
        raise ServiceError(f"{field} must be a number.", field=field) from None
    if not math.isfinite(number):
        raise ServiceError(f"{field} must be a number.", field=field)
    return number


def _seconds(value: Any, field: str) -> float | None:
    if _blank(value):
        return None
    seconds = _number(value, field)
    if not 0 <= seconds <= MAX_SECONDS:
        raise ServiceError(f"{field} must be between 0 and {MAX_SECONDS} seconds.", field=field)
    return seconds


def _feeling(value: Any) -> int | None:
    if _blank(value):
        return None
    number = _number(value, "feeling")
    if number != int(number) or not 1 <= number <= 5:
        raise ServiceError("feeling must be a whole number from 1 to 5.", field="feeling")
    return int(number)


def _note(value: Any) -> str | None:
    if _blank(value):
        return None
    if not isinstance(value, str):
        raise ServiceError("note must be text.", field="note")
    # Kept as written (it is shown escaped), minus control characters other than line breaks.
    text = "".join(ch for ch in value if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cs")).strip()
    if len(text) > MAX_NOTE:
        raise ServiceError(f"note is too long: keep it to {MAX_NOTE} characters.", field="note")
    return text or None
