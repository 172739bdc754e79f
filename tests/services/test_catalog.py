"""The catalog: pack cards from the database, search through the cache and the index, and the cache
and index following every change to a published pack (DESIGN.md "Search Pattern")."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from app.models import RitualPack
from app.models.types import utcnow
from app.providers.search import SearchQuery
from app.redis_client import get_redis
from app.services import ServiceError, catalog, catalog_search
from app.services.cache_keys import SEARCH_TTL, search_key
from tests.factories import make_user
from tests.library_helpers import entitle
from tests.marketplace_helpers import make_creator, publish_pack


def _search(**fields) -> catalog_search.CatalogPage:
    return catalog_search.search(SearchQuery(**fields))


def test_a_card_adds_up_its_items_and_its_listeners(app, db):
    creator = make_creator(app, "Maya Rivers")
    pack_id = publish_pack(app, creator, items=(("guided_meditation", 10), ("affirmation", 5), ("ritual", 3)))
    held, revoked, expired = (make_user(app).id for _ in range(3))
    entitle(app, held, pack_id)
    entitle(app, revoked, pack_id, revoked_at=utcnow())
    entitle(app, expired, pack_id, expires_at=utcnow() - timedelta(days=1))

    card = catalog.card(pack_id)
    assert card.creator_name == "Maya Rivers"
    assert card.item_count == 3 and card.total_duration == 18 * 60 and card.minutes == 18
    assert card.content_types == ["affirmation", "guided_meditation", "ritual"]
    assert card.popularity == 1  # only the entitlement still in force
    assert card.price_label == "Free"


@pytest.mark.parametrize(
    ("price_type", "amount", "interval", "label"),
    [("one_time", 499, None, "$4.99"), ("subscription", 399, "monthly", "$3.99 / month"),
     ("subscription", 2999, "annual", "$29.99 / year")],
)
def test_prices_read_as_people_expect(app, db, price_type, amount, interval, label):
    pack_id = publish_pack(app, make_creator(app), price_type=price_type, price_amount=amount, interval=interval)
    assert catalog.card(pack_id).price_label == label


def test_unpublished_packs_are_not_cards_of_the_catalog(app, db):
    creator = make_creator(app)
    draft = publish_pack(app, creator, status="draft", index=False)
    archived = publish_pack(app, creator, status="archived", index=False)
    assert catalog.cards([draft, archived]) == []
    assert catalog.card(archived, published_only=False).status == "archived"


def test_a_creator_without_a_profile_still_has_a_name(app, db):
    creator = make_user(app, roles=["user", "creator"]).id
    pack_id = publish_pack(app, creator)
    assert catalog.card(pack_id).creator_name == catalog.DEFAULT_CREATOR_NAME


def test_search_finds_by_words_then_serves_the_same_search_from_the_cache(app, db):
    creator = make_creator(app)
    sleep = publish_pack(app, creator, title="Deep Sleep Wind-Down", tags=("sleep",))
    publish_pack(app, creator, title="Five-Minute Morning Reset", tags=("morning",), description="Wake up gently.")

    first = _search(text="sleep")
    assert [card.id for card in first.cards] == [sleep] and first.total == 1 and not first.cached
    key = search_key(catalog_search.query_hash(SearchQuery(text="sleep")))
    assert 0 < get_redis().ttl(key) <= SEARCH_TTL

    again = _search(text="  SLEEP ")  # the same search however it is typed
    assert again.cached and [card.id for card in again.cards] == [sleep]
    assert _search(text="sleep", page=2).cached is False  # the page is part of the hash


def test_publishing_a_pack_invalidates_cached_searches_at_once(app, db):
    creator = make_creator(app)
    publish_pack(app, creator, title="Deep Sleep Wind-Down", tags=("sleep",))
    assert _search(text="sleep").total == 1
    assert _search(text="sleep").cached

    newcomer = publish_pack(app, creator, title="Sleep Stories for Busy Minds", tags=("sleep",))
    fresh = _search(text="sleep")
    assert not fresh.cached and fresh.total == 2 and newcomer in {card.id for card in fresh.cards}


def test_archiving_a_pack_removes_it_from_search_at_once(app, db):
    creator = make_creator(app)
    pack_id = publish_pack(app, creator, title="Calm Before the Interview", tags=("anxiety",))
    assert _search(text="interview").total == 1
    db.session.get(RitualPack, pack_id).status = "archived"
    db.session.commit()
    catalog.pack_changed(pack_id)
    assert _search(text="interview").total == 0
    assert _search().total == 0


def test_a_search_that_raced_a_change_cannot_serve_stale_results(app, db):
    creator = make_creator(app)
    publish_pack(app, creator, title="Deep Sleep Wind-Down", tags=("sleep",))
    query = SearchQuery(text="sleep")
    key = search_key(catalog_search.query_hash(query))
    # A search made before the change fills the cache after it, under the old generation.
    stale = '{"g": 0, "ids": [], "total": 0, "suggestion": null}'
    catalog.invalidate_search()
    get_redis().set(key, stale, ex=SEARCH_TTL)
    page = catalog_search.search(query)
    assert page.total == 1 and not page.cached


def test_filters_and_sorts_reach_the_index(app, db):
    creator = make_creator(app)
    now = utcnow()
    free = publish_pack(
        app, creator, title="Gratitude Evenings", tags=("gratitude",), published_at=now - timedelta(days=9)
    )
    cheap = publish_pack(
        app, creator, title="Focus Sprints", tags=("focus",), price_type="one_time", price_amount=299,
        items=(("ritual", 3),), published_at=now - timedelta(days=5),
    )
    dear = publish_pack(
        app, creator, title="Anxiety Toolkit", tags=("anxiety",), price_type="subscription", price_amount=999,
        interval="monthly", published_at=now - timedelta(days=1),
    )
    assert [c.id for c in _search(sort="newest").cards] == [dear, cheap, free]
    assert [c.id for c in _search(sort="price").cards] == [free, cheap, dear]
    assert [c.id for c in _search(price_type="one_time").cards] == [cheap]
    assert [c.id for c in _search(content_type="ritual").cards] == [cheap]
    assert [c.id for c in _search(max_minutes=5).cards] == [cheap]
    assert [c.id for c in _search(tag="anxiety").cards] == [dear]


def test_search_pages_carry_totals(app, db):
    creator = make_creator(app)
    for n in range(5):
        publish_pack(app, creator, title=f"Morning Practice {n}", tags=("morning",), items=(("ritual", 2),))
    page = _search(text="morning", per_page=2, page=3)
    assert (page.total, page.pages, len(page.cards), page.has_next) == (5, 3, 1, False)


@pytest.mark.parametrize(
    ("args", "field"),
    [({"type": "podcast"}, "type"), ({"price": "cheap"}, "price"), ({"sort": "random"}, "sort"),
     ({"page": "0"}, "page"), ({"page": "x"}, "page"), ({"min_minutes": "20", "max_minutes": "5"}, "min_minutes"),
     ({"q": "z" * 201}, "q"), ({"per_page": "500"}, "per_page")],
)
def test_bad_search_arguments_are_named(args, field):
    with pytest.raises(ServiceError) as info:
        catalog_search.parse_query(args)
    assert info.value.field == field


def test_reindex_rebuilds_from_the_database(app, db):
    creator = make_creator(app)
    ids = {publish_pack(app, creator, title=f"Evening Calm {n}", index=False) for n in range(3)}
    assert _search().total == 0
    seen: list[int] = []
    assert catalog.reindex_all(progress=seen.append) == 3
    assert seen and seen[-1] == 3
    assert {card.id for card in _search().cards} == ids
    assert all(isinstance(pack_id, uuid.UUID) for pack_id in ids)


def test_the_reindex_command_reports_what_it_indexed(app, db):
    creator = make_creator(app)
    for n in range(2):
        publish_pack(app, creator, title=f"Gratitude Evenings {n}", index=False)
    result = app.test_cli_runner().invoke(args=["search", "reindex"])
    assert result.exit_code == 0, result.output
    assert "Indexed 2 published packs" in result.output
    assert _search(text="gratitude").total == 2


def test_a_new_version_of_an_item_updates_the_packs_that_hold_it(app, db):
    from app.models import ContentItem
    from tests.marketplace_helpers import pack_item_ids

    creator = make_creator(app)
    pack_id = publish_pack(app, creator, title="Evening Calm", items=(("guided_meditation", 10), ("ritual", 5)))
    assert _search(text="evening").cards[0].minutes == 15
    item = db.session.get(ContentItem, pack_item_ids(app, pack_id)[0])
    item.audio_duration = 20 * 60  # what a regenerated, slower version leaves
    db.session.commit()
    catalog.item_changed(item.id)
    fresh = _search(text="evening")
    assert not fresh.cached and fresh.cards[0].minutes == 25
    assert _search(max_minutes=20).total == 0  # the index has the new total too
