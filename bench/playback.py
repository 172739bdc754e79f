"""Benchmark: the play-metadata endpoint against a hello-world route under the same gunicorn.

Builds a throwaway instance (SQLite in WAL mode and the embedded Redis, or a throwaway PostgreSQL
database with --database-url) holding 10,000 ready practices of one user, and serves
bench/_served.py — the app plus a trivial `/bench/hello` route — with gunicorn gthread, 2 workers.
Plays follow a bounded Zipf(1.1) popularity over the 10,000 items (rank k drawn with probability
∝ 1/k^1.1, ranks shuffled over the items). The cache first sees the plays that precede the run
(--warmup-plays of the same stream, through the playback service in this process), then:

1. throughput, closed loop: --connections keep-alive connections, each sending its next request
   as soon as the last answer arrives; hello and play alternate on the same connections in short
   rounds of equal length (--rounds × --seconds per route), so that a second or two in which
   something else on the machine takes the cores falls on both routes rather than on one;
2. latency, open loop: play requests sent at a fixed 200/s whatever the answers, each timed from
   its scheduled send time (so a stalled server is not hidden by a client that waits for it);
3. the metadata cache's hit rate over 1 and 2, from its own hit/miss counters, and the share of
   the workers' key reads their in-process copies served (app/near_cache.py).

The client is a small asyncio HTTP/1.1 keep-alive loop (no HTTP library), to take as little as
possible of the two cores it shares with the server; its CPU time is printed.

    .venv/bin/python bench/playback.py
    .venv/bin/python bench/playback.py --database-url postgresql+psycopg://postgres@127.0.0.1:5432/test
    .venv/bin/python bench/playback.py --profile 2000     # the endpoint in-process under cProfile
    .venv/bin/python bench/playback.py --diagnose         # the round trip alone and a bare wait, served
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import os
import pstats
import secrets
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._load import (  # noqa: E402  (needs ROOT on the path)
    HELLO,
    Connection,
    closed_loop,
    cpu_split,
    free_port,
    open_loop,
    percentile,
    request_bytes,
    serve,
    server_pids,
    stop,
)

EMAIL, PASSWORD = "bench@example.com", "bench password 123"
ZIPF_S = 1.1
SEED = 20240611


# --- the instance -------------------------------------------------------------------------------


def create_database(admin_url: str) -> str:
    """A throwaway PostgreSQL database beside the one `admin_url` names; its URL."""
    import sqlalchemy as sa

    name = f"waqup_bench_{secrets.token_hex(4)}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return str(sa.make_url(admin_url).set(database=name).render_as_string(hide_password=False))


def drop_database(admin_url: str, url: str) -> None:
    import sqlalchemy as sa

    name = sa.make_url(url).database
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    engine.dispose()


def build(workdir: str, database_url: str | None):  # type: ignore[no-untyped-def]
    os.environ.update(WAQUP_ENV="development", INSTANCE_PATH=workdir, LOG_LEVEL="WARNING")
    os.environ.pop("REDIS_URL", None)
    if database_url:
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    import flask_migrate

    from app import create_app
    from app.services import accounts

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        user_id = accounts.register(EMAIL, PASSWORD).id
    return app, user_id


def insert_items(app, user_id: uuid.UUID, count: int, rng: np.random.Generator) -> list[uuid.UUID]:  # type: ignore[no-untyped-def]
    """`count` ready practices as the pipeline leaves them (no audio files: signing does not read them)."""
    import sqlalchemy as sa

    from app.extensions import db
    from app.models import ContentItem
    from app.models.types import utcnow
    from app.providers.storage import audio_key

    kinds = ("affirmation", "guided_meditation", "ritual")
    names = ("arrival", "breath", "body", "visualisation", "affirmations", "return")
    words = ["settle", "breathe", "soften", "notice", "release", "rest", "gently", "slowly", "warm", "calm"]
    backgrounds = ("rain", "ocean", "forest", "none")
    now = utcnow()
    ids = [uuid.uuid4() for _ in range(count)]
    rows = []
    for n, item_id in enumerate(ids):
        minutes = int(rng.integers(3, 31))
        duration = minutes * 60.0 + float(rng.uniform(-20, 20))
        bounds = np.linspace(1.5, duration - 20.0, len(names) + 1)
        sections = [
            {
                "name": name,
                "segments": [
                    {"text": " ".join(rng.choice(words, 12)).capitalize() + ".", "pause": 2.0},
                    {"text": " ".join(rng.choice(words, 9)).capitalize() + ".", "pause": 3.0},
                ],
                "start": round(float(bounds[i]), 2),
                "end": round(float(bounds[i + 1]), 2),
            }
            for i, name in enumerate(names)
        ]
        rows.append(
            {
                "id": item_id,
                "user_id": user_id,
                "content_type": kinds[n % 3],
                "title": f"Practice {n}: {rng.choice(words)} and {rng.choice(words)}",
                "content_text": " ".join(seg["text"] for s in sections for seg in s["segments"]),
                "audio_url": audio_key(user_id, item_id, 1),
                "audio_duration": duration,
                "depth": "medium",
                "tags": ["evening", "calm"],
                "structure": {"sections": sections, "closing_silence": 20.0},
                "context": {"time_of_day": "evening"},
                "meta": {"version": 1, "background": backgrounds[n % 4], "spec": {"duration_minutes": minutes}},
                "created_at": now - timedelta(seconds=count - n),
                "updated_at": now,
            }
        )
    with app.app_context():
        for start in range(0, count, 1000):
            db.session.execute(sa.insert(ContentItem), rows[start : start + 1000])
        db.session.commit()
    return ids


def zipf_indices(count: int, plays: int, rng: np.random.Generator) -> np.ndarray:
    """`plays` item indices, rank k ∈ 1..count drawn ∝ 1/k^s; rank k is item `popularity[k - 1]`."""
    weights = np.arange(1, count + 1, dtype=float) ** -ZIPF_S
    ranks = rng.choice(count, size=plays, p=weights / weights.sum())
    return popularity(count)[ranks]


def popularity(count: int) -> np.ndarray:
    """The items in order of popularity: a fixed shuffle, the same for every part of the run."""
    return np.random.default_rng(SEED + 1).permutation(count)


def expected_hit_rate(count: int, before: int, plays: int) -> float:
    """The hit rate a cache that forgets nothing gets on `plays` plays after `before` plays of the same stream."""
    weights = np.arange(1, count + 1, dtype=float) ** -ZIPF_S
    p = weights / weights.sum()
    misses = ((1 - p) ** before * (1 - (1 - p) ** plays)).sum()
    return 1 - misses / plays


def warm_cache(app, item_ids: list[uuid.UUID], indices: np.ndarray) -> None:  # type: ignore[no-untyped-def]
    from app.services import playback

    with app.app_context():
        for i in indices:
            playback.ritual_metadata(item_ids[i])


def cache_counts(app, served: bool = False) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """Hits and misses of the metadata cache, then of the processes' copies (app/near_cache.py)."""
    from app.redis_client import near_cache_stats
    from app.services import playback

    if served:
        time.sleep(1.5)  # the workers add their counts to Redis once a second
    with app.app_context():
        stats, near = playback.cache_stats(), near_cache_stats()
    return stats["hits"], stats["misses"], near["hits"], near["misses"]


def stop_embedded_redis(workdir: str) -> None:
    """Shut down the embedded Redis of the instance now: once its directory is gone it cannot save, and a
    redis-server that cannot save refuses to stop at exit."""
    import redis

    sock = Path(workdir) / "redis.sock"
    if sock.exists():
        with contextlib.suppress(redis.ConnectionError):  # SHUTDOWN closes the connection: the success case
            redis.Redis(unix_socket_path=str(sock), socket_timeout=5).shutdown(nosave=True)


# --- the run ------------------------------------------------------------------------------------


def measure(app, args, item_ids: list[uuid.UUID], rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    port = free_port()
    server = serve(app, port, args.workers, args.threads)
    try:
        base = f"http://127.0.0.1:{port}"
        answer = requests.post(f"{base}/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}, timeout=10)
        answer.raise_for_status()
        token = answer.json()["access_token"]
        plays = [request_bytes(port, f"/api/v1/rituals/{item_ids[i]}/play", token)
                 for i in zipf_indices(len(item_ids), 200_000, rng)]
        check = requests.get(
            f"{base}/api/v1/rituals/{item_ids[0]}/play", headers={"Authorization": f"Bearer {token}"}, timeout=10
        )
        check.raise_for_status()
        assert check.json()["audio_url"] and check.json()["sections"], check.text[:300]
        hello = [request_bytes(port, HELLO)]

        asyncio.run(closed_loop(port, hello, args.connections, 2))  # warm the server: both routes
        warm, _ = asyncio.run(closed_loop(port, plays[-5000:], args.connections, 3))

        counts0 = cache_counts(app, served=True)
        pids = server_pids(app, server)
        cpu0 = time.process_time()
        closed = asyncio.run(rotate(port, {"hello": hello, "play": plays}, pids, args))
        cpu_closed = time.process_time() - cpu0
        wall_closed = 2 * args.rounds * args.seconds
        offset, failures = closed.done["play"], closed.failures

        cpu0 = time.process_time()
        latencies, e3 = asyncio.run(open_loop(port, plays[offset:], args.rate, args.latency_seconds))
        cpu_open = time.process_time() - cpu0
        offset += len(latencies)
        hello_latencies, e4 = asyncio.run(open_loop(port, hello, args.rate, args.latency_seconds))
        failures += e3 + e4
        counts1 = cache_counts(app, served=True)
    finally:
        stop(server)

    hits, misses, near_hits, near_misses = (after - before for after, before in zip(counts1, counts0, strict=True))
    span = args.rounds * args.seconds
    hello_done, play_done = closed.done["hello"], closed.done["play"]
    print(f"throughput, closed loop, {args.connections} keep-alive connections, hello and play alternating"
          f" in {args.rounds} rounds of {args.seconds:g} s each:")
    print(f"  hello   {hello_done / span:7.0f} req/s")
    print(f"  play    {play_done / span:7.0f} req/s")
    ratios = [counts["play"] / counts["hello"] for counts in closed.rounds]
    q10, q25, q50, q75, q90 = np.percentile(ratios, [10, 25, 50, 75, 90])
    print(f"  ratio   {play_done / hello_done:.2f}×   (target ≥ 0.65×; single rounds: median {q50:.2f},"
          f" middle half {q25:.2f}–{q75:.2f}, 10–90 % {q10:.2f}–{q90:.2f})")
    print(f"  client CPU {100 * cpu_closed / wall_closed:.0f} % of one core")
    hello_cpu, play_cpu = closed.cpu["hello"], closed.cpu["play"]
    (hello_workers, hello_redis), (play_workers, play_redis) = 1e6 * hello_cpu / hello_done, 1e6 * play_cpu / play_done
    per_hello, per_play = hello_workers + hello_redis, play_workers + play_redis
    print(f"  server CPU per request (gunicorn workers + redis-server): hello {per_hello:.0f} µs,"
          f" play {per_play:.0f} µs   (ratio {per_hello / per_play:.2f}×, less sensitive to other work than req/s)")
    print(f"    of which redis-server: hello {hello_redis:.0f} µs, play {play_redis:.0f} µs")
    print(f"latency, open loop at {args.rate:g} req/s for {args.latency_seconds:g} s (from the scheduled send):")
    print(f"  play    p50 {percentile(latencies, 50):6.2f} ms   p99 {percentile(latencies, 99):6.2f} ms"
          f"   max {percentile(latencies, 100):6.1f} ms   (target p99 < 50 ms)")
    print(f"  hello   p50 {percentile(hello_latencies, 50):6.2f} ms   p99 {percentile(hello_latencies, 99):6.2f} ms")
    print(f"  client CPU {100 * cpu_open / args.latency_seconds:.0f} % of one core")
    total = hits + misses
    print(f"metadata cache over the measured plays: {hits} hits, {misses} misses, hit rate {hits / total:.1%}"
          f"   (target ≥ 95 %; a cache that forgets nothing would get"
          f" {expected_hit_rate(len(item_ids), args.warmup_plays + min(warm, 5000), total):.1%} here)")
    print(f"the workers' copies of Redis keys (revocation mark, auth record, entry): {near_hits} of"
          f" {near_hits + near_misses} reads served in process ({near_hits / max(1, near_hits + near_misses):.1%})")
    if failures:
        print(f"NOTE: {failures} answers were not 200")


@dataclass
class Rotation:
    """Closed-loop rounds of several routes in turn: requests answered, server CPU seconds (workers,
    redis-server) of each route, answers that were not 200, and each round's requests by route."""

    done: dict[str, int]
    cpu: dict[str, np.ndarray]
    failures: int = 0
    rounds: list[dict[str, int]] = field(default_factory=list)


async def rotate(port: int, streams: dict[str, list[bytes]], pids: list[int], args) -> Rotation:  # type: ignore[no-untyped-def]
    """Each stream in turn for --seconds, --rounds times, on the same open connections, each stream
    going on where its last turn stopped: a spell in which something else on the machine takes the
    cores for a second or two falls on every route, not on one."""
    conns = [await Connection(port).open() for _ in range(args.connections)]
    result = Rotation(done=dict.fromkeys(streams, 0), cpu={name: np.zeros(2) for name in streams})
    try:
        for _ in range(args.rounds):
            counts = {}
            for name, stream in streams.items():
                before = cpu_split(pids)
                count, errors = await closed_loop(
                    port, stream, args.connections, args.seconds, conns, start=result.done[name]
                )
                result.cpu[name] += cpu_split(pids) - before
                result.done[name] += count
                result.failures += errors
                counts[name] = count
            result.rounds.append(counts)
    finally:
        for conn in conns:
            conn.close()
    return result


def diagnose(app, args, item_ids: list[uuid.UUID], rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    """Server CPU per request of hello, the play's Redis round trip alone, a bare 0.1 ms wait, and the play."""
    port = free_port()
    server = serve(app, port, args.workers, args.threads)
    try:
        token = requests.post(
            f"http://127.0.0.1:{port}/api/v1/auth/token", json={"email": EMAIL, "password": PASSWORD}, timeout=10
        ).json()["access_token"]
        streams = {
            "hello": [request_bytes(port, HELLO)],
            "redis": [request_bytes(port, "/bench/redis")],
            "wait": [request_bytes(port, "/bench/wait")],
            "play": [request_bytes(port, f"/api/v1/rituals/{item_ids[i]}/play", token)
                     for i in zipf_indices(len(item_ids), 50_000, rng)],
        }
        for stream in streams.values():
            asyncio.run(closed_loop(port, stream, args.connections, 1))
        rotation = asyncio.run(rotate(port, streams, server_pids(app, server), args))
    finally:
        stop(server)
    print(f"server CPU per request, closed loop, the routes in turn in {args.rounds} rounds of {args.seconds:g} s:")
    for name in streams:
        workers, redis_server = 1e6 * rotation.cpu[name] / rotation.done[name]
        print(f"  {name:6s} {rotation.done[name] / (args.rounds * args.seconds):6.0f} req/s   workers {workers:5.0f} µs"
              f"   redis-server {redis_server:4.0f} µs")


def profile(app, user_id: uuid.UUID, item_ids: list[uuid.UUID], count: int, rng: np.random.Generator) -> None:  # type: ignore[no-untyped-def]
    """The play endpoint through Flask's test client in this process, warm cache, under cProfile."""
    from app.models import User
    from app.services import tokens

    with app.app_context():
        from app.extensions import db

        token, _ = tokens.issue(db.session.get(User, user_id))
    app.add_url_rule(HELLO, "bench_hello", lambda: "hello")  # as bench/_served.py does
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    paths = [f"/api/v1/rituals/{item_ids[i]}/play" for i in zipf_indices(len(item_ids), count, rng)]
    for path in paths:  # fill the cache for exactly these plays: the profile is of hits
        assert client.get(path, headers=headers).status_code == 200
    plain = {}
    for route, urls in (("hello", [HELLO] * count), ("play", paths)):
        passes = []
        for _ in range(3):
            started = time.process_time()
            for url in urls:
                client.get(url, headers=headers)
            passes.append(time.process_time() - started)
        plain[route] = 1e6 * min(passes) / count
    print(f"without the profiler (CPU, best of 3 passes, test client included): hello {plain['hello']:.0f} µs,"
          f" play {plain['play']:.0f} µs per request")
    for route, urls in (("hello", [HELLO] * count), ("play", paths)):
        profiler = cProfile.Profile()
        started = time.perf_counter()
        profiler.enable()
        for url in urls:
            client.get(url, headers=headers)
        profiler.disable()
        elapsed = time.perf_counter() - started
        print(f"{route}: {1e6 * elapsed / count:.0f} µs per request in-process under cProfile")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)


def run(workdir: str, database_url: str | None, args: argparse.Namespace, rng: np.random.Generator) -> None:
    load = os.getloadavg()[0]
    app, user_id = build(workdir, database_url)
    started = time.perf_counter()
    item_ids = insert_items(app, user_id, args.items, rng)
    inserted = time.perf_counter() - started
    from app.extensions import db

    with app.app_context():
        dialect = db.engine.dialect.name
    if args.profile:
        profile(app, user_id, item_ids, args.profile, rng)
        return
    if args.diagnose:
        diagnose(app, args, item_ids, rng)
        return
    started = time.perf_counter()
    hits0, misses0, _, _ = cache_counts(app)
    warm_cache(app, item_ids, zipf_indices(args.items, args.warmup_plays, rng))
    hits1, misses1, _, _ = cache_counts(app)
    print(f"database: {dialect}; {args.items} items inserted in {inserted:.1f} s; gunicorn gthread, "
          f"{args.workers} workers × {args.threads} threads; load average {load:.2f} before the run")
    warmed = time.perf_counter() - started
    print(f"cache warm-up: {args.warmup_plays} plays of the stream in {warmed:.1f} s,"
          f" from cold: hit rate {(hits1 - hits0) / max(1, hits1 - hits0 + misses1 - misses0):.1%}")
    measure(app, args, item_ids, rng)
    with app.app_context():
        db.engine.dispose()
    app.extensions["near_cache"].close()  # before its Redis stops


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--warmup-plays", type=int, default=50_000, help="plays of the stream before the run")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=0.5, help="per route per round")
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--latency-seconds", type=float, default=10.0)
    parser.add_argument("--database-url", help="a PostgreSQL URL; a throwaway database is made beside it")
    parser.add_argument("--profile", type=int, metavar="N", help="profile N requests in-process instead")
    parser.add_argument("--diagnose", action="store_true", help="time the round trip and a bare wait instead")
    args = parser.parse_args()
    rng = np.random.default_rng(SEED)

    database_url = create_database(args.database_url) if args.database_url else None
    try:
        with tempfile.TemporaryDirectory(prefix="waqup-bench-") as workdir:
            try:
                run(workdir, database_url, args, rng)
            finally:
                stop_embedded_redis(workdir)
    finally:
        if database_url:
            drop_database(args.database_url, database_url)
    print(f"load average {os.getloadavg()[0]:.2f} after the run")


if __name__ == "__main__":
    main()
