"""The demo catalog: the built-in definition, and `flask demo load` making it through the real pipeline."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rq import Queue
from rq.job import Job

from app.models import (
    ContentItem,
    CreatorProfile,
    CreditTransaction,
    GenerationJob,
    PackItem,
    RitualPack,
    User,
)
from app.models.types import as_utc, utcnow
from app.providers.storage import get_storage
from app.services import credits, demo, demo_catalog, generation, library_actions
from app.services.demo_catalog import Catalog
from app.services.practice_spec import PracticeSpec
from app.tasks import QUEUE_GENERATION, queue_connection
from tests.generation_helpers import seed_voices

SMALL: Catalog = {
    "creators": [
        {"email": "creator@demo.waqup.app", "display_name": "Sam Rivera", "bio": "Short practices for long shifts."},
        {"email": "maya@demo.waqup.app", "display_name": "Maya Lindqvist", "bio": "Slow practices for the night."},
    ],
    "packs": [
        {
            "creator": "maya@demo.waqup.app",
            "title": "Deep Sleep Wind-Down",
            "description": "Two slow practices for the end of the day.",
            "tags": ["sleep", "evening"],
            "price_type": "one_time",
            "price_amount": 499,
            "subscription_interval": None,
            "published_days_ago": 3,
            "items": [
                {
                    "title": "Heavy Body, Quiet Room",
                    "content_type": "guided_meditation",
                    "intent": "letting my body grow heavy before sleep",
                    "duration_minutes": 1,
                    "tone": "gentle",
                    "focus": "sleep",
                    "context": {"time_of_day": "night"},
                },
                {
                    "title": "Permission to Rest",
                    "content_type": "affirmation",
                    "intent": "giving myself permission to rest",
                    "duration_minutes": 1,
                    "tone": "gentle",
                },
            ],
        },
        {
            "creator": "creator@demo.waqup.app",
            "title": "Shift's End Decompression",
            "description": "A short ritual to leave work at work.",
            "tags": ["stress", "evening"],
            "price_type": "subscription",
            "price_amount": 1999,
            "subscription_interval": "annual",
            "published_days_ago": 10,
            "items": [
                {
                    "title": "Closing the Shift",
                    "content_type": "ritual",
                    "intent": "leaving work behind at the end of a long shift",
                    "duration_minutes": 1,
                    "tone": "grounding",
                },
                {
                    "title": "Shoulders Down",
                    "content_type": "guided_meditation",
                    "intent": "letting go of tension in my shoulders",
                    "duration_minutes": 1,
                    "tone": "gentle",
                    "focus": "body_scan",
                },
            ],
        },
    ],
}
COUNTED = (User, CreatorProfile, RitualPack, PackItem, ContentItem, GenerationJob, CreditTransaction)


def counts(db) -> dict[str, int]:
    return {m.__name__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED}


def pack_items(db, title: str) -> list[tuple[int, ContentItem]]:
    rows = db.session.execute(
        sa.select(PackItem.position, ContentItem)
        .join(ContentItem, ContentItem.id == PackItem.content_item_id)
        .join(RitualPack, RitualPack.id == PackItem.pack_id)
        .where(RitualPack.title == title)
        .order_by(PackItem.position)
    )
    return [(position, item) for position, item in rows]


def load(app, monkeypatch, catalog: Catalog = SMALL):
    monkeypatch.setattr(demo_catalog, "builtin_catalog", lambda: copy.deepcopy(catalog))
    result = app.test_cli_runner().invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result.output


def assert_loaded(app, db, catalog: Catalog = SMALL) -> None:
    """Every creator has the role and a profile; every pack is published with ready, titled practices."""
    db.session.expire_all()
    for creator in catalog["creators"]:
        user = db.session.scalar(sa.select(User).where(User.email == creator["email"]))
        assert user.has_role("creator")
        profile = db.session.get(CreatorProfile, user.id)
        assert (profile.display_name, profile.bio) == (creator["display_name"], creator["bio"])
        assert user.credit_balance == app.config["FREE_TIER_CREDITS"]  # the creator's own credit is untouched
        assert credits.ledger_problems(user.id) == []
    storage = get_storage()
    for pack_def in catalog["packs"]:
        pack = db.session.scalar(sa.select(RitualPack).where(RitualPack.title == pack_def["title"]))
        creator = db.session.get(User, pack.creator_id)
        assert creator.email == pack_def["creator"]
        assert (pack.status, pack.price_type, pack.subscription_interval, pack.tags) == (
            "published",
            pack_def["price_type"],
            pack_def["subscription_interval"],
            pack_def["tags"],
        )
        assert (pack.price_amount or 0) == pack_def["price_amount"]
        expected = utcnow() - timedelta(days=pack_def["published_days_ago"])
        assert abs(as_utc(pack.published_at) - expected) < timedelta(minutes=5)
        linked = pack_items(db, pack_def["title"])
        assert [position for position, _ in linked] == list(range(len(pack_def["items"])))
        for (_, item), item_def in zip(linked, pack_def["items"], strict=True):
            assert item.user_id == creator.id
            assert (item.title, item.content_type) == (item_def["title"], item_def["content_type"])
            assert item.meta["spec"]["intent"] == item_def["intent"]
            assert item.audio_duration > 0 and storage.exists(item.audio_url)
            assert generation.latest_job(item.id).status == "ready"


def test_demo_load_makes_the_catalog_once_and_mends_what_is_missing(app, db, monkeypatch):
    first = load(app, monkeypatch)
    assert "Creator  maya@demo.waqup.app" in first and "Maya Lindqvist" in first
    assert "[1/4] Heavy Body, Quiet Room: ready, 1.0 min" in first
    assert "Shift's End Decompression ($19.99 a year)" in first and "published" in first
    assert "packs in the rebuilt search index 2." in first
    assert_loaded(app, db)
    after_first = counts(db)
    assert after_first["GenerationJob"] == 4 and after_first["RitualPack"] == 2
    assert after_first["User"] == 4  # admin, creator, user and maya

    again = load(app, monkeypatch)
    assert "practices made 0" in again and "2 practices ready, published" in again
    assert counts(db) == after_first

    # A pack item's link is lost: the practice is found again, nothing is made or charged.
    kept = pack_items(db, "Deep Sleep Wind-Down")[1][1].id
    db.session.execute(sa.delete(PackItem).where(PackItem.content_item_id == kept))
    db.session.commit()
    load(app, monkeypatch)
    assert pack_items(db, "Deep Sleep Wind-Down")[1][1].id == kept
    assert counts(db) == after_first

    # A practice is taken out of its pack and deleted: exactly that one is made again.
    _, item = pack_items(db, "Shift's End Decompression")[0]
    gone = item.id
    db.session.execute(sa.delete(PackItem).where(PackItem.content_item_id == gone))
    db.session.commit()
    library_actions.delete(item.user_id, gone)
    mended = load(app, monkeypatch)
    assert "practices made 1" in mended
    assert_loaded(app, db)
    after_mend = counts(db)
    assert after_mend["GenerationJob"] == after_first["GenerationJob"]  # one deleted with its item, one new
    assert after_mend["ContentItem"] == after_first["ContentItem"]
    assert pack_items(db, "Shift's End Decompression")[0][1].id != gone


class PowerCut(Exception):
    pass


def fail_on_call(monkeypatch, target: object, name: str, call: int) -> None:
    """Make the n-th call of target.name raise, as if the process died there."""
    real = getattr(target, name)
    seen = [0]

    def wrapper(*args: object, **kwargs: object) -> object:
        seen[0] += 1
        if seen[0] == call:
            raise PowerCut(f"{name} call {call}")
        return real(*args, **kwargs)

    monkeypatch.setattr(target, name, wrapper)


def test_an_interrupted_load_is_finished_by_the_next(app, db, monkeypatch):
    seed_voices(app)
    password = app.config["DEMO_PASSWORD"]

    # Cut while requesting the third practice: the second pack exists as an empty draft.
    with monkeypatch.context() as patch:
        fail_on_call(patch, generation, "request_generation", 3)
        with pytest.raises(PowerCut):
            demo.load_catalog(copy.deepcopy(SMALL), password=password)
    second = db.session.scalar(sa.select(RitualPack).where(RitualPack.title == "Shift's End Decompression"))
    assert second.status == "draft" and second.published_at is None
    assert pack_items(db, "Shift's End Decompression") == []
    assert len(pack_items(db, "Deep Sleep Wind-Down")) == 2

    # Cut again before the fourth practice is made, and its queue entry lost with it.
    with monkeypatch.context() as patch:
        fail_on_call(patch, demo, "_finish", 2)
        with pytest.raises(PowerCut):
            demo.load_catalog(copy.deepcopy(SMALL), password=password)
    (_, made), (_, waiting) = pack_items(db, "Shift's End Decompression")
    assert made.audio_url and not waiting.audio_url
    job = generation.latest_job(waiting.id)
    assert job.status == "queued"
    waiting_id, job_id = waiting.id, job.id  # rebuilding the search index detaches the session's objects
    Job.fetch(job.rq_job_id, connection=queue_connection(app)).delete()
    assert Queue(QUEUE_GENERATION, connection=queue_connection(app)).count == 0

    before = counts(db)
    report = demo.load_catalog(copy.deepcopy(SMALL), password=password)
    assert (report.packs_created, report.packs_published, report.practices_made) == (0, 1, 1)
    assert report.unfinished == [] and report.indexed == 2
    assert counts(db)["GenerationJob"] == before["GenerationJob"] == 4  # the waiting job was run, not replaced
    assert generation.latest_job(waiting_id).id == job_id
    assert_loaded(app, db)


def test_the_built_in_catalog_is_a_marketplace_worth_browsing():
    catalog = demo_catalog.builtin_catalog()
    assert demo_catalog.catalog_problems(catalog) == []
    packs, creators = catalog["packs"], catalog["creators"]
    assert len(packs) >= 12
    assert 3 <= len(creators) <= 5
    assert "creator@demo.waqup.app" in {c["email"] for c in creators}
    assert all(c["display_name"] and 40 <= len(c["bio"]) <= 300 for c in creators)
    assert {p["creator"] for p in packs} == {c["email"] for c in creators}  # every creator has packs
    items = [item for pack in packs for item in pack["items"]]
    assert {item["content_type"] for item in items} == {"affirmation", "guided_meditation", "ritual"}
    prices = {(p["price_type"], p["subscription_interval"]) for p in packs}
    assert {("free", None), ("one_time", None), ("subscription", "monthly"), ("subscription", "annual")} <= prices
    assert all(299 <= p["price_amount"] <= 999 for p in packs if p["price_type"] == "one_time")
    assert {"sleep", "focus", "anxiety", "morning", "gratitude"} <= {tag for p in packs for tag in p["tags"]}
    assert all(2 <= len(p["items"]) <= 4 for p in packs)
    assert all(1 <= item["duration_minutes"] <= 3 for item in items)  # quick to load
    for pack in packs:
        assert 60 <= len(pack["description"]) <= 300 and 1 <= pack["description"].count(". ") + 1 <= 3
        for item in pack["items"]:
            spec = PracticeSpec.from_dict(demo_catalog.item_spec(item))
            assert spec.content_type == item["content_type"]
    assert len({p["title"] for p in packs}) == len(packs)
    days = [p["published_days_ago"] for p in packs]
    assert len(set(days)) == len(days) and max(days) >= 21  # "newest" has an order to show


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda c: c["packs"][0]["items"].pop(), "1 items, not 2–4"),
        (lambda c: c["packs"][0]["tags"].append("yoga"), "tags must be some of"),
        (lambda c: c["packs"][0]["items"][0].update(duration_minutes=0), "Duration must be"),
        (lambda c: c["packs"][1].update(subscription_interval=None), "a subscription needs an interval"),
        (lambda c: c["packs"][1].update(price_type="free"), "a free pack has price 0"),
        (lambda c: c["packs"][1].update(creator="nobody@demo.waqup.app"), "is not in the creators list"),
        (
            lambda c: c["packs"][1]["items"][1].update(
                intent="leaving work behind at the end of a long shift", content_type="ritual"
            ),
            "already has a ritual",
        ),
    ],
)
def test_catalog_problems_name_the_pack_at_fault(change, problem):
    catalog = copy.deepcopy(SMALL)
    change(catalog)
    found = demo_catalog.catalog_problems(catalog)
    assert any(problem in line for line in found), found
