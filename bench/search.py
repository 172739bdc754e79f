"""Benchmark: marketplace search over 10,000 published packs, as DESIGN.md's "Search Pattern" runs it.

Builds a throwaway instance (a throwaway PostgreSQL database beside --database-url, default the
local `test` one, or SQLite with --sqlite; the embedded Redis; a fresh Whoosh index) holding
--packs published packs of 2 ready items each from 50 creators, with titles, descriptions and tags
drawn from a meditation vocabulary, then times, in one run, over the same --queries searches
(one or two words, a fifth of them misspelt, a third with a filter, sorts mixed; pages 1–3):

1. the index alone, uncached (`get_search().search`),
2. the cached lookup (`catalog_search.search_ids` answered by `search:{query_hash}`),
3. the PostgreSQL lookup of a page's packs with their creator and totals (`catalog.cards`),
4. the whole search, uncached and cached (`catalog_search.search`: cache → index → database).

    .venv/bin/python bench/search.py
    .venv/bin/python bench/search.py --packs 2000 --queries 500
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.playback import create_database, drop_database, stop_embedded_redis  # noqa: E402

SEED = 20261126
TOPICS = ["sleep", "focus", "anxiety", "morning", "gratitude", "stress", "confidence", "evening", "breath",
          "body-scan", "self-compassion", "energy", "grief", "kindness", "balance", "courage"]
WORDS = ["calm", "gentle", "deep", "quiet", "rest", "night", "dawn", "ocean", "forest", "light", "breathing",
         "letting", "release", "steady", "ground", "soft", "clear", "warm", "still", "rising", "heart", "mind",
         "journey", "reset", "pause", "wind-down", "renewal", "presence", "ease", "bright"]
TYPOS = {"sleep": "slep", "anxiety": "anxeity", "morning": "mornign", "gratitude": "gratitute", "focus": "focsu",
         "calm": "clam", "breathing": "breathign", "ocean": "ocaen", "forest": "forrest", "gentle": "gentel"}
KINDS = ("affirmation", "guided_meditation", "ritual")
DEPTHS = ("shallow", "medium", "deep")
PRICES = ("free", "one_time", "subscription")


def build(workdir: str, database_url: str | None):  # type: ignore[no-untyped-def]
    os.environ.update(WAQUP_ENV="development", INSTANCE_PATH=workdir, LOG_LEVEL="WARNING")
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import flask_migrate

    from app import create_app

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
    return app


def insert_catalog(app, packs: int, rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    """`packs` published packs of two ready items each, from 50 creators with profiles."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import ContentItem, CreatorProfile, PackItem, RitualPack, User
    from app.models.types import utcnow

    now = utcnow()
    creators = [uuid.uuid4() for _ in range(50)]
    users = [{"id": c, "email": f"creator{n}@bench.example", "password_hash": "x", "roles": ["user", "creator"]}
             for n, c in enumerate(creators)]
    profiles = [{"user_id": c, "display_name": f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} Studio",
                 "bio": "Bench creator."} for c in creators]
    pack_rows, item_rows, link_rows = [], [], []
    for n in range(packs):
        pack_id = uuid.uuid4()
        creator = creators[n % len(creators)]
        topic = str(rng.choice(TOPICS))
        words = [str(w) for w in rng.choice(WORDS, 3, replace=False)]
        price_type = PRICES[n % 3]
        pack_rows.append({
            "id": pack_id, "creator_id": creator,
            "title": f"{words[0].title()} {topic.replace('-', ' ').title()} {words[1].title()}",
            "description": f"Practices for {topic} with {words[2]} guidance, "
            f"{rng.choice(WORDS)} and {rng.choice(WORDS)}.",
            "tags": sorted({topic, str(rng.choice(TOPICS))}),
            "price_type": price_type,
            "price_amount": None if price_type == "free" else int(rng.integers(199, 1999)),
            "subscription_interval": "monthly" if price_type == "subscription" else None,
            "status": "published", "currency": "usd", "meta": {},
            "published_at": now - timedelta(minutes=int(rng.integers(1, 200_000))),
        })
        for position in range(2):
            item_id = uuid.uuid4()
            item_rows.append({
                "id": item_id, "user_id": creator, "content_type": KINDS[(n + position) % 3],
                "title": f"{words[position].title()} practice", "content_text": "", "tags": [topic],
                "audio_url": f"audio/{creator}/{item_id}/1.mp3", "audio_duration": float(rng.integers(120, 1800)),
                "depth": DEPTHS[(n + position) % 3], "structure": {}, "context": {}, "meta": {},
            })
            link_rows.append({"id": uuid.uuid4(), "pack_id": pack_id, "content_item_id": item_id, "position": position})
    with app.app_context():
        db.session.execute(sa.insert(User), users)
        db.session.execute(sa.insert(CreatorProfile), profiles)
        for model, rows in ((RitualPack, pack_rows), (ContentItem, item_rows), (PackItem, link_rows)):
            for start in range(0, len(rows), 2000):
                db.session.execute(sa.insert(model), rows[start : start + 2000])
        db.session.commit()
        db.session.execute(sa.text("ANALYZE"))  # planner statistics, as autovacuum would gather them
        db.session.commit()


def queries(count: int, rng: np.random.Generator) -> list:  # type: ignore[no-untyped-def]
    from app.providers.search import SearchQuery

    out = []
    for n in range(count):
        words = [str(w) for w in rng.choice(TOPICS + WORDS, int(rng.integers(1, 3)), replace=False)]
        if n % 5 == 0:
            words = [TYPOS.get(w, w) for w in words]
        fields: dict = {"text": " ".join(words), "page": int(rng.integers(1, 4)),
                        "sort": str(rng.choice(["relevance", "relevance", "popular", "newest", "price"]))}
        if n % 3 == 0:  # a third narrowed by one filter
            pick = int(rng.integers(0, 3))
            fields[("content_type", "price_type", "depth")[pick]] = str(rng.choice((KINDS, PRICES, DEPTHS)[pick]))
        out.append(SearchQuery(**fields))
    return out


def timed(fn, items) -> list[float]:  # type: ignore[no-untyped-def]
    times = []
    for item in items:
        start = time.perf_counter()
        fn(item)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    p50, p99 = np.percentile(times, [50, 99])
    print(f"  {label:<52} p50 {p50:7.2f} ms   p99 {p99:7.2f} ms   ({len(times)} runs)")


def run(workdir: str, database_url: str | None, args: argparse.Namespace) -> None:
    rng = np.random.default_rng(SEED)
    app = build(workdir, database_url)
    started = time.perf_counter()
    insert_catalog(app, args.packs, rng)
    print(f"{args.packs} packs inserted in {time.perf_counter() - started:.1f} s "
          f"({'PostgreSQL' if database_url else 'SQLite'})")
    from app.providers.search import get_search
    from app.services import catalog, catalog_search

    with app.app_context():
        started = time.perf_counter()
        indexed = catalog.reindex_all()
        print(f"indexed {indexed} packs in {time.perf_counter() - started:.1f} s")
        search = get_search()
        for query in queries(50, np.random.default_rng(SEED + 1)):  # open the index and the connection pool
            search.search(query)
        work = queries(args.queries, rng)
        hits: list = []
        first = timed(lambda q: hits.append(search.search(q)), work)
        print(f"{sum(1 for h in hits if h.total) / len(hits):.0%} of the searches found packs "
              f"(median {int(np.median([h.total for h in hits]))} matches)")
        pages = [[uuid.UUID(i) for i in h.ids] for h in hits if h.ids]
        print("timings:")
        report(f"index alone, first time each query ({search.__class__.__name__})", first)
        report("index alone, the same queries again", timed(search.search, work))
        catalog.invalidate_search()
        uncached = timed(catalog_search.search, work)
        cached_lookup = timed(catalog_search.search_ids, work)
        report("cached lookup (search:{query_hash} in Redis)", cached_lookup)
        report("PostgreSQL lookup of a page's packs" if database_url else "SQLite lookup of a page's packs",
               timed(catalog.cards, pages))
        report("whole search, uncached (cache miss → index → DB)", uncached)
        report("whole search, cached (cache hit → DB)", timed(catalog_search.search, work))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=2_000)
    parser.add_argument("--database-url", default="postgresql+psycopg://postgres@127.0.0.1:5432/test",
                        help="a PostgreSQL URL; a throwaway database is made beside it")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite in the throwaway instance instead")
    args = parser.parse_args()
    database_url = None if args.sqlite else create_database(args.database_url)
    try:
        with tempfile.TemporaryDirectory(prefix="waqup-bench-") as workdir:
            try:
                run(workdir, database_url, args)
            finally:
                stop_embedded_redis(workdir)
    finally:
        if database_url:
            drop_database(args.database_url, database_url)
    print(f"load average {os.getloadavg()[0]:.2f} after the run")


if __name__ == "__main__":
    main()
