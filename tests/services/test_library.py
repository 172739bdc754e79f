"""The library query and who may see what: owned items, pack items, filters, search, sort, pages."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.models.types import utcnow
from app.services import NotFound, ServiceError, access, library, library_actions, practice
from app.services.library import LibraryFilters
from tests.factories import make_user
from tests.library_helpers import entitle, make_item, make_pack


def _titles(app, user_id, **args):
    with app.app_context():
        page = library.library_page(user_id, LibraryFilters.from_args({k: str(v) for k, v in args.items()}))
        return [e.title for e in page.entries]


@pytest.fixture
def shelf(app):
    """A listener with three items of their own and one free pack of two from a creator."""
    me, creator = make_user(app), make_user(app, roles=["user", "creator"])
    ids = {
        "morning": make_item(
            app,
            me.id,
            title="Morning affirmations",
            content_type="affirmation",
            minutes=3,
            tags=("morning", "confidence"),
            text="I am ready for today.",
        ),
        "evening": make_item(app, me.id, title="Evening calm", minutes=10, text="Let the workday drift away."),
        "ritual": make_item(
            app, me.id, title="Tea ritual", content_type="ritual", minutes=20, tags=("focus",), text="Pour slowly."
        ),
        "sleep": make_item(app, creator.id, title="Deep sleep", minutes=30, tags=("night",), text="Sink into rest."),
        "waves": make_item(app, creator.id, title="Ocean waves", minutes=15, tags=("night",), text="100% calm_ness."),
        "private": make_item(app, creator.id, title="Creator's own draft", minutes=5),
    }
    pack = make_pack(app, creator.id, [ids["sleep"], ids["waves"]], title="Night pack")
    entitle(app, me.id, pack)
    return me, creator, ids, pack


def test_owned_and_entitled_items_are_listed_and_marked(app, shelf):
    me, _creator, _ids, pack = shelf
    with app.app_context():
        page = library.library_page(me.id)
    assert page.total == 5 and not page.has_next
    by_title = {e.title: e for e in page.entries}
    assert "Creator's own draft" not in by_title
    assert by_title["Evening calm"].source == "mine" and by_title["Evening calm"].pack_id is None
    sleep = by_title["Deep sleep"]
    assert (sleep.source, sleep.pack_id, sleep.pack_title) == ("pack", pack, "Night pack")
    assert sleep.playable and sleep.generation is None
    assert next(e.title for e in page.entries) == "Ocean waves"  # newest first
    assert _titles(app, me.id, source="pack") == ["Ocean waves", "Deep sleep"]
    assert set(_titles(app, me.id, source="mine")) == {"Morning affirmations", "Evening calm", "Tea ritual"}


def test_revoked_or_expired_entitlements_grant_nothing(app, shelf):
    _me, creator, ids, _pack = shelf
    other = make_user(app)
    revoked = make_pack(app, creator.id, [ids["private"]], title="Revoked pack")
    entitle(app, other.id, revoked, revoked_at=utcnow())
    expired = make_pack(app, creator.id, [ids["sleep"]], title="Expired pack")
    entitle(app, other.id, expired, source="subscription", expires_at=utcnow() - timedelta(days=1))
    assert _titles(app, other.id) == []
    with app.app_context(), pytest.raises(NotFound):
        access.check_readable(other.id, ids["sleep"])


def test_access_rules(app, shelf):
    me, _creator, ids, _pack = shelf
    stranger = make_user(app)
    with app.app_context():
        assert access.check_readable(me.id, ids["evening"]) == "mine"
        assert access.check_readable(me.id, ids["sleep"]) == "pack"
        for item_id in (ids["private"], uuid.uuid4()):
            with pytest.raises(NotFound):
                access.check_readable(me.id, item_id)
        with pytest.raises(NotFound):
            access.check_readable(stranger.id, ids["evening"])
        with pytest.raises(access.Forbidden) as info:
            access.owned_item(me.id, ids["sleep"], action="rename")
        assert info.value.status == 403 and "only its creator can rename" in info.value.message


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ({"type": "affirmation"}, {"Morning affirmations"}),
        ({"type": "ritual"}, {"Tea ritual"}),
        ({"tag": "night"}, {"Deep sleep", "Ocean waves"}),
        ({"tag": "CONFIDENCE"}, {"Morning affirmations"}),
        ({"min_minutes": 10, "max_minutes": 20}, {"Evening calm", "Tea ritual", "Ocean waves"}),
        ({"max_minutes": 3}, {"Morning affirmations"}),
        ({"min_minutes": 25}, {"Deep sleep"}),
        ({"q": "WORKDAY"}, {"Evening calm"}),  # script text, any case
        ({"q": "calm"}, {"Evening calm", "Ocean waves"}),  # title or script
        ({"q": "ocean 100%"}, {"Ocean waves"}),  # every word must match
        ({"q": "100%"}, {"Ocean waves"}),
        ({"q": "%"}, {"Ocean waves"}),  # a literal percent sign, not a wildcard
        ({"q": "workd_y"}, set()),  # a literal underscore, not any character
        ({"q": "calm_ness"}, {"Ocean waves"}),
        ({"q": "nothing like this"}, set()),
    ],
)
def test_filters_and_search(app, shelf, args, expected):
    me, *_ = shelf
    assert set(_titles(app, me.id, **args)) == expected


def test_favourites_are_the_listeners_own(app, shelf):
    me, creator, ids, pack = shelf
    friend = make_user(app)
    entitle(app, friend.id, pack)
    with app.app_context():
        library_actions.set_favourite(me.id, ids["sleep"], True)
        library_actions.set_favourite(me.id, ids["ritual"], True)
    assert set(_titles(app, me.id, favourites="true")) == {"Deep sleep", "Tea ritual"}
    assert _titles(app, friend.id, favourites="1") == []
    assert _titles(app, creator.id, favourites="yes") == []
    with app.app_context():
        library_actions.set_favourite(me.id, ids["sleep"], False)
    assert _titles(app, me.id, favourites="on") == ["Tea ritual"]


def test_sorts(app, shelf):
    me, _creator, ids, _pack = shelf
    assert _titles(app, me.id, sort="title") == [
        "Deep sleep",
        "Evening calm",
        "Morning affirmations",
        "Ocean waves",
        "Tea ritual",
    ]
    assert _titles(app, me.id, sort="longest")[:3] == ["Deep sleep", "Tea ritual", "Ocean waves"]
    with app.app_context():
        for item_id, plays in ((ids["ritual"], 3), (ids["sleep"], 1), (ids["morning"], 2)):
            for _ in range(plays):
                practice.record(me.id, practice.Report(uuid.uuid4(), item_id, "start"))
    assert _titles(app, me.id, sort="most_played")[:3] == ["Tea ritual", "Morning affirmations", "Deep sleep"]
    # The last report was for the morning affirmations; never-played items come last.
    assert _titles(app, me.id, sort="last_played")[:3] == ["Morning affirmations", "Deep sleep", "Tea ritual"]
    assert _titles(app, me.id, sort="last_played")[3:] == ["Ocean waves", "Evening calm"]
    with app.app_context():
        entries = {e.title: e for e in library.library_page(me.id).entries}
    assert entries["Tea ritual"].play_count == 3 and entries["Tea ritual"].last_played_at is not None
    assert entries["Evening calm"].play_count == 0 and entries["Evening calm"].last_played_at is None


def test_pagination(app):
    me = make_user(app)
    for n in range(7):
        make_item(app, me.id, title=f"Practice {n}")
    with app.app_context():
        first = library.library_page(me.id, LibraryFilters(per_page=3))
        last = library.library_page(me.id, LibraryFilters(per_page=3, page=3))
        beyond = library.library_page(me.id, LibraryFilters(per_page=3, page=4))
    assert [e.title for e in first.entries] == ["Practice 6", "Practice 5", "Practice 4"]
    assert (first.total, first.pages, first.has_next) == (7, 3, True)
    assert [e.title for e in last.entries] == ["Practice 0"] and not last.has_next
    assert beyond.entries == [] and beyond.total == 7


def test_items_still_being_made_show_their_progress(app, shelf):
    me, creator, _ids, _pack = shelf
    mine = make_item(app, me.id, title="Being made", ready=False)
    theirs = make_item(app, creator.id, title="Creator's unfinished", ready=False)
    entitle(app, me.id, make_pack(app, creator.id, [theirs], title="Another pack"))
    with app.app_context():
        entries = {e.title: e for e in library.library_page(me.id).entries}
        single = library.entry(me.id, mine)
    assert "Creator's unfinished" not in entries  # pack items appear once playable
    making = entries["Being made"]
    assert not making.playable and making.duration is None
    assert making.generation["status"] == "voicing" and making.generation["progress"] == 40
    assert single.generation == making.generation
    assert entries["Evening calm"].generation is None


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"type": "podcast"}, "type"),
        ({"sort": "random"}, "sort"),
        ({"source": "theirs"}, "source"),
        ({"favourites": "maybe"}, "favourites"),
        ({"min_minutes": "-1"}, "min_minutes"),
        ({"max_minutes": "ten"}, "max_minutes"),
        ({"min_minutes": "20", "max_minutes": "10"}, "min_minutes"),
        ({"page": "0"}, "page"),
        ({"per_page": "51"}, "per_page"),
        ({"per_page": "٣"}, "per_page"),
        ({"q": "x" * 101}, "q"),
        ({"tag": "t" * 61}, "tag"),
    ],
)
def test_bad_parameters_name_the_field(args, field):
    with pytest.raises(ServiceError) as info:
        LibraryFilters.from_args(args)
    assert info.value.status == 422 and info.value.field == field


def test_parameters_are_cleaned():
    filters = LibraryFilters.from_args({"q": "  calm\x00  evening ", "tag": " Night ", "favourites": ""})
    assert (filters.q, filters.tag, filters.favourites, filters.sort) == ("calm evening", "night", False, "recent")
