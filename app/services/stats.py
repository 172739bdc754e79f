"""A listener's practice statistics, computed from their practice events (for the stats page and API)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta
from typing import Any

import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, PracticeEvent, User
from app.models.content import CONTENT_TYPES
from app.models.types import as_utc, utcnow
from app.services.practice import local_day, streaks, user_zone
from app.services.practice_spec import TIMES_OF_DAY

DAYS_CHART = 30
WEEKS_CHART = 12
CALENDAR_DAYS = 365
TOP_ITEMS = 5
HEAT_MINUTES = (5, 15, 30)  # a day's level: 1 below 5 minutes, 2 below 15, 3 below 30, else 4


def time_of_day(hour: int) -> str:
    """The builder's times of day: morning 5–11, midday 11–14, afternoon 14–17, evening 17–21, night."""
    if 5 <= hour < 11:
        return "morning"
    if 11 <= hour < 14:
        return "midday"
    if 14 <= hour < 17:
        return "afternoon"
    if 17 <= hour < 21:
        return "evening"
    return "night"


def stats(user: User) -> dict[str, Any]:
    """Totals, streaks, minutes per day (30 days), practices per week (12 weeks), a year's calendar
    (days with practice only), practices by content type and time of day, and the most played items.
    Days are in the user's time zone (see `practice.user_zone`)."""
    zone = user_zone(user)
    today = local_day(utcnow(), zone)
    rows = db.session.execute(
        sa.select(
            PracticeEvent.ritual_id,
            PracticeEvent.started_at,
            PracticeEvent.duration,
            ContentItem.content_type,
            ContentItem.title,
        )
        .join(ContentItem, ContentItem.id == PracticeEvent.ritual_id)
        .where(PracticeEvent.user_id == user.id)
    ).all()

    minutes: defaultdict[date, float] = defaultdict(float)
    practices: Counter[date] = Counter()
    by_type: Counter[str] = Counter({t: 0 for t in CONTENT_TYPES})
    by_time: Counter[str] = Counter({t: 0 for t in TIMES_OF_DAY})
    plays: Counter[Any] = Counter()
    seconds_by_item: defaultdict[Any, int] = defaultdict(int)
    titles: dict[Any, tuple[str, str]] = {}
    for item_id, started, seconds, content_type, title in rows:
        local = as_utc(started).astimezone(zone)
        minutes[local.date()] += (seconds or 0) / 60
        practices[local.date()] += 1
        by_type[content_type] += 1
        by_time[time_of_day(local.hour)] += 1
        plays[item_id] += 1
        seconds_by_item[item_id] += seconds or 0
        titles[item_id] = (title, content_type)

    current, longest = streaks(practices, today)
    week_start = today - timedelta(days=today.weekday())
    weeks = [week_start - timedelta(weeks=n) for n in range(WEEKS_CHART - 1, -1, -1)]
    first_calendar_day = today - timedelta(days=CALENDAR_DAYS - 1)
    return {
        "total_practices": len(rows),
        "total_minutes": round(sum(minutes.values()), 1),
        "current_streak": current,
        "longest_streak": longest,
        "last_practice": max(practices).isoformat() if practices else None,
        "minutes_per_day": [
            {"date": day.isoformat(), "minutes": round(minutes.get(day, 0.0), 1)}
            for day in (today - timedelta(days=n) for n in range(DAYS_CHART - 1, -1, -1))
        ],
        "practices_per_week": [
            {
                "week_start": start.isoformat(),
                "practices": sum(practices[start + timedelta(days=d)] for d in range(7)),
                "minutes": round(sum(minutes.get(start + timedelta(days=d), 0.0) for d in range(7)), 1),
            }
            for start in weeks
        ],
        "calendar": [
            {"date": day.isoformat(), "practices": practices[day], "minutes": round(minutes[day], 1)}
            for day in sorted(practices)
            if first_calendar_day <= day <= today
        ],
        "by_content_type": dict(by_type),
        "by_time_of_day": dict(by_time),
        "top_items": [
            {
                "id": str(item_id),
                "title": titles[item_id][0],
                "content_type": titles[item_id][1],
                "plays": count,
                "minutes": round(seconds_by_item[item_id] / 60, 1),
            }
            for item_id, count in sorted(plays.items(), key=lambda kv: (-kv[1], titles[kv[0]][0]))[:TOP_ITEMS]
        ],
    }


def year_grid(calendar: list[dict[str, Any]], today: date) -> list[list[dict[str, Any]]]:
    """The last year for a heat map: week columns from Monday, each day with its minutes and a level
    0–4 (0: no practice); the current week stops at `today`."""
    by_day = {row["date"]: row for row in calendar}
    start = today - timedelta(days=CALENDAR_DAYS - 1)
    start -= timedelta(days=start.weekday())
    mondays = (start + timedelta(weeks=n) for n in range((today - start).days // 7 + 1))
    return [
        [_heat_cell(day, by_day.get(day.isoformat())) for day in (monday + timedelta(days=n) for n in range(7))
         if day <= today]
        for monday in mondays
    ]


def _heat_cell(day: date, row: dict[str, Any] | None) -> dict[str, Any]:
    minutes = row["minutes"] if row else 0.0
    level = 1 + sum(minutes >= limit for limit in HEAT_MINUTES) if row else 0
    return {"date": day, "minutes": minutes, "practices": row["practices"] if row else 0, "level": level}
