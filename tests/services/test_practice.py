"""Practice events, the summary and streaks (time frozen and moved day by day), resume points, stats."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.models import ContentItem, PracticeEvent, User
from app.redis_client import get_redis
from app.services import Conflict, NotFound, ServiceError, library_actions, library_state, practice, stats
from app.services.cache_keys import profile_key
from app.services.practice import Report
from app.services.profile import get_profile
from tests.factories import make_user
from tests.library_helpers import make_item

DAY1 = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # a Monday


def _report(app, user_id, item_id, kind, event_id=None, **fields):
    raw = {"event_id": str(event_id or uuid.uuid4()), "ritual_id": str(item_id), "kind": kind, **fields}
    with app.app_context():
        return practice.record(user_id, Report.parse(raw))


def _item(app, item_id):
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        db.session.expunge(item)
        return item


def _summary(app, user_id):
    with app.app_context():
        return practice.summary_of(db.session.get(User, user_id))


@pytest.fixture
def listener(app):
    me = make_user(app)
    return me, make_item(app, me.id, minutes=10)


def test_a_start_counts_one_play_and_updates_everything_in_one_go(app, listener):
    me, item_id = listener
    with app.app_context():
        get_profile(me.id)  # cached now
        assert get_redis().get(profile_key(me.id)) is not None
    with time_machine.travel(DAY1, tick=False):
        outcome = _report(app, me.id, item_id, "start")
    assert outcome.created and outcome.event["started_at"] == DAY1.isoformat()
    assert outcome.summary == {
        "total_practices": 1,
        "total_minutes": 0.0,
        "current_streak": 1,
        "longest_streak": 1,
        "last_practice": "2026-03-02",
    }
    item = _item(app, item_id)
    assert item.play_count == 1 and item.last_played_at.replace(tzinfo=UTC) == DAY1
    with app.app_context():
        assert get_redis().get(profile_key(me.id)) is None  # invalidated
        assert db.session.get(User, me.id).practice_history_summary == outcome.summary
        assert get_profile(me.id)["practice_history_summary"] == outcome.summary


def test_duplicate_and_out_of_order_reports_do_not_double_count(app, listener):
    me, item_id = listener
    event_id = uuid.uuid4()
    with time_machine.travel(DAY1, tick=False):
        # The completion overtakes its start: the event is made from it, started as long ago as it lasted.
        done = _report(app, me.id, item_id, "complete", event_id, listened_seconds=300, position=300)
        assert done.created and done.event["started_at"] == (DAY1 - timedelta(seconds=300)).isoformat()
        late_start = _report(app, me.id, item_id, "start", event_id)
        again = _report(app, me.id, item_id, "complete", event_id, listened_seconds=200)
    assert not late_start.created and not again.created
    assert again.event["duration"] == 300 and again.event["completed_at"] == DAY1.isoformat()
    assert again.summary["total_practices"] == 1 and again.summary["total_minutes"] == 5.0
    assert _item(app, item_id).play_count == 1

    with time_machine.travel(DAY1 + timedelta(minutes=10), tick=False):
        # A second completion may extend the time and carry the feeling check.
        felt = _report(app, me.id, item_id, "complete", event_id, listened_seconds=420, feeling=4, note=" Calmer <3 ")
    assert felt.event["duration"] == 420 and felt.event["completed_at"] == DAY1.isoformat()
    assert (felt.event["feeling"], felt.event["note"]) == (4, "Calmer <3")
    assert felt.summary["total_minutes"] == 7.0 and felt.summary["total_practices"] == 1
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PracticeEvent)) == 1


def test_listened_time_is_capped_at_twice_the_track(app, listener):
    me, item_id = listener
    outcome = _report(app, me.id, item_id, "complete", listened_seconds=80_000)
    assert outcome.event["duration"] == 2 * 600 + 60


def test_streaks_grow_day_by_day_and_a_gap_resets_only_the_current_one(app, listener):
    me, item_id = listener
    for day in range(3):
        with time_machine.travel(DAY1 + timedelta(days=day), tick=False):
            outcome = _report(app, me.id, item_id, "start")
            _report(app, me.id, item_id, "start")  # twice in a day is still one day
        assert (outcome.summary["current_streak"], outcome.summary["longest_streak"]) == (day + 1, day + 1)
    with time_machine.travel(DAY1 + timedelta(days=3, hours=12), tick=False):
        assert _summary(app, me.id)["current_streak"] == 3  # alive until the day after the last practice ends
    with time_machine.travel(DAY1 + timedelta(days=4), tick=False):
        assert _summary(app, me.id)["current_streak"] == 0
        after_gap = _report(app, me.id, item_id, "start")
    assert after_gap.summary["current_streak"] == 1 and after_gap.summary["longest_streak"] == 3
    assert after_gap.summary["total_practices"] == 7 and after_gap.summary["last_practice"] == "2026-03-06"
    with time_machine.travel(DAY1 + timedelta(days=5), tick=False):
        assert _report(app, me.id, item_id, "start").summary["current_streak"] == 2
    assert _item(app, item_id).play_count == 8


def test_days_follow_the_users_time_zone(app, listener):
    me, item_id = listener
    with app.app_context():
        user = db.session.get(User, me.id)
        user.preferences = {**user.preferences, "timezone": "America/New_York"}
        db.session.commit()
    late_evening = datetime(2026, 3, 3, 2, 30, tzinfo=UTC)  # 21:30 on 2 March in New York
    with time_machine.travel(late_evening - timedelta(days=1), tick=False):
        _report(app, me.id, item_id, "start")
    with time_machine.travel(late_evening, tick=False):
        outcome = _report(app, me.id, item_id, "start")
    assert outcome.summary["last_practice"] == "2026-03-02" and outcome.summary["current_streak"] == 2


def test_an_unknown_time_zone_means_utc():
    for name in ("Mars/Olympus", "../../etc/passwd", 42, ""):
        assert practice.user_zone(User(preferences={"timezone": name})) is UTC


def test_resume_position_follows_the_latest_play(app, listener):
    me, item_id = listener
    first = uuid.uuid4()
    with time_machine.travel(DAY1, tick=False):
        _report(app, me.id, item_id, "start", first)
        assert _report(app, me.id, item_id, "progress", first, position=125.25).resume_position == 125.2
        _report(app, me.id, item_id, "complete", first, position=200, listened_seconds=200)
        # A progress beacon that arrives after its completion is stale.
        assert _report(app, me.id, item_id, "progress", first, position=30).resume_position == 200
    second = uuid.uuid4()
    with time_machine.travel(DAY1 + timedelta(hours=1), tick=False):
        _report(app, me.id, item_id, "start", second)
        _report(app, me.id, item_id, "progress", second, position=260)
        # The first play's late completion does not move the second play's place.
        assert _report(app, me.id, item_id, "complete", first, position=210).resume_position == 260
        # Stopping within the last seconds counts as finished: the next play starts over.
        assert _report(app, me.id, item_id, "complete", second, position=595).resume_position == 0
    with app.app_context():
        assert library_state.resume_position(me.id, item_id) == 0


def test_reports_about_someone_elses_event_or_item_are_refused(app, listener):
    me, item_id = listener
    other = make_user(app)
    theirs = make_item(app, other.id)
    event_id = uuid.uuid4()
    _report(app, me.id, item_id, "start", event_id)
    with app.app_context():
        with pytest.raises(NotFound):
            practice.record(other.id, Report(event_id, theirs, "start"))  # my event id
        with pytest.raises(NotFound):
            practice.record(other.id, Report(uuid.uuid4(), item_id, "start"))  # my practice
        with pytest.raises(Conflict):
            practice.record(me.id, Report(event_id, make_item(app, me.id), "start"))  # same id, other item
        assert db.session.scalar(sa.select(sa.func.count()).select_from(PracticeEvent)) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "pause"}, "kind"),
        ({"event_id": "not-a-uuid"}, "event_id"),
        ({"ritual_id": 12}, "ritual_id"),
        ({"position": -1}, "position"),
        ({"position": float("nan")}, "position"),
        ({"listened_seconds": float("inf")}, "listened_seconds"),
        ({"listened_seconds": "lots"}, "listened_seconds"),
        ({"listened_seconds": True}, "listened_seconds"),
        ({"kind": "complete", "feeling": 6}, "feeling"),
        ({"kind": "complete", "feeling": 2.5}, "feeling"),
        ({"kind": "start", "feeling": 3}, "feeling"),
        ({"kind": "complete", "note": "x" * 501}, "note"),
        ({"kind": "complete", "note": ["a"]}, "note"),
    ],
)
def test_bad_reports_name_the_field(change, field):
    raw = {"event_id": str(uuid.uuid4()), "ritual_id": str(uuid.uuid4()), "kind": "progress", **change}
    with pytest.raises(ServiceError) as info:
        Report.parse(raw)
    assert info.value.status == 422 and info.value.field == field


def test_form_values_parse_like_json():
    raw = {
        "event_id": str(uuid.uuid4()),
        "ritual_id": str(uuid.uuid4()),
        "kind": "complete",
        "position": "12.5",
        "listened_seconds": "",
        "feeling": "3",
        "note": "  line one\nline two\x00 ",
        "csrf_token": "ignored here",
    }
    report = Report.parse(raw)
    assert (report.position, report.listened_seconds, report.feeling) == (12.5, None, 3)
    assert report.note == "line one\nline two"


def test_deleting_an_item_recomputes_the_summary(app, listener):
    me, item_id = listener
    other_item = make_item(app, me.id)
    _report(app, me.id, item_id, "complete", listened_seconds=120)
    _report(app, me.id, other_item, "complete", listened_seconds=60)
    with app.app_context():
        library_actions.delete(me.id, item_id)
    summary = _summary(app, me.id)
    assert summary["total_practices"] == 1 and summary["total_minutes"] == 1.0


def test_stats(app):
    me = make_user(app)
    meditation = make_item(app, me.id, title="Evening calm", minutes=10)
    ritual = make_item(app, me.id, title="Tea ritual", content_type="ritual", minutes=5)
    plan = [  # (day offset, hour UTC, item, seconds)
        (0, 7, meditation, 600),
        (0, 19, ritual, 300),
        (1, 7, meditation, 540),
        (2, 22, meditation, 600),
        (9, 12, ritual, 240),
    ]
    for offset, hour, item_id, seconds in plan:
        with time_machine.travel(DAY1 + timedelta(days=offset, hours=hour - 8), tick=False):
            _report(app, me.id, item_id, "complete", listened_seconds=seconds)
    with time_machine.travel(DAY1 + timedelta(days=9, hours=10), tick=False), app.app_context():
        result = stats.stats(db.session.get(User, me.id))
    assert (result["total_practices"], result["total_minutes"]) == (5, 38.0)
    assert (result["current_streak"], result["longest_streak"]) == (1, 3)
    per_day = result["minutes_per_day"]
    assert len(per_day) == 30 and per_day[-1] == {"date": "2026-03-11", "minutes": 4.0}
    assert per_day[-10] == {"date": "2026-03-02", "minutes": 15.0} and per_day[-9]["minutes"] == 9.0
    assert sum(d["minutes"] for d in per_day) == 38.0
    weeks = result["practices_per_week"]
    assert len(weeks) == 12 and weeks[-1] == {"week_start": "2026-03-09", "practices": 1, "minutes": 4.0}
    assert weeks[-2] == {"week_start": "2026-03-02", "practices": 4, "minutes": 34.0}
    assert [d["date"] for d in result["calendar"]] == ["2026-03-02", "2026-03-03", "2026-03-04", "2026-03-11"]
    assert result["by_content_type"] == {"affirmation": 0, "guided_meditation": 3, "ritual": 2}
    assert result["by_time_of_day"] == {"morning": 2, "midday": 1, "afternoon": 0, "evening": 1, "night": 1}
    assert [(i["title"], i["plays"], i["minutes"]) for i in result["top_items"]] == [
        ("Evening calm", 3, 29.0),
        ("Tea ritual", 2, 9.0),
    ]
    assert date.fromisoformat(result["last_practice"]) == date(2026, 3, 11)


def test_the_year_grid_is_week_columns_ending_today_with_levels_by_minutes():
    today = date(2026, 11, 26)  # a Thursday
    calendar = [
        {"date": "2025-11-27", "minutes": 3.0, "practices": 1},  # the first day of the year shown
        {"date": "2026-11-20", "minutes": 12.0, "practices": 1},
        {"date": "2026-11-26", "minutes": 40.0, "practices": 2},
        {"date": "2025-11-01", "minutes": 30.0, "practices": 1},  # older than a year: not shown
    ]
    grid = stats.year_grid(calendar, today)
    days = [cell for week in grid for cell in week]
    assert all(len(week) == 7 for week in grid[:-1]) and len(grid[-1]) == 4  # Monday to Thursday
    assert all(week[0]["date"].weekday() == 0 for week in grid)
    assert days[-1]["date"] == today and days[0]["date"] <= date(2025, 11, 27)
    levels = {cell["date"].isoformat(): cell["level"] for cell in days if cell["level"]}
    assert levels == {"2025-11-27": 1, "2026-11-20": 2, "2026-11-26": 4}
