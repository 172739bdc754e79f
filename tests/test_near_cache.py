"""The process's copies of Redis keys (app/near_cache.py), against the real Redis: a copy is served
only while no write has been pushed for it, no read racing a write is kept, and nothing is kept
without a tracking connection."""

from __future__ import annotations

import os
import socket
import time
from collections.abc import Iterator

import pytest
import redis

from app.near_cache import MISSING, NearCache

PREFIX = "nctest:"


@pytest.fixture
def near(redis_url: str) -> Iterator[NearCache]:
    cache = NearCache(redis_url, (PREFIX,), max_bytes=1 << 20, max_age=60)
    assert cache.wait_live()
    yield cache
    cache.close()


@pytest.fixture
def other(redis_url: str) -> redis.Redis:
    """Another process's connection: its writes reach the cache only by Redis's push."""
    return redis.Redis.from_url(redis_url, decode_responses=True)


def _read(near: NearCache, client: redis.Redis, key: str) -> str | None:
    """What `redis_client.cached_get` does for one key."""
    held = near.get(key)
    if held is not MISSING:
        return held
    ticket = near.reading(key)
    value = client.get(key)
    near.keep(key, ticket, value)
    return value


def test_a_copy_is_served_until_a_write_is_pushed(near, other):
    other.set(f"{PREFIX}a", "1")
    assert near.sync()  # the push of that SET is behind us
    assert _read(near, other, f"{PREFIX}a") == "1"
    other.set(f"{PREFIX}a", "2", xx=True, keepttl=True)
    assert near.sync()
    assert near.get(f"{PREFIX}a") is MISSING
    assert _read(near, other, f"{PREFIX}a") == "2"
    assert near.get(f"{PREFIX}a") == "2"


@pytest.mark.parametrize("change", ["delete", "expire", "flush", "incr"])
def test_every_kind_of_change_drops_the_copy(near, other, change):
    key = f"{PREFIX}{change}"
    other.set(key, "1", px=200 if change == "expire" else None)
    assert near.sync()
    assert _read(near, other, key) == "1" and near.get(key) == "1"
    if change == "delete":
        other.delete(key)
    elif change == "expire":
        time.sleep(0.3)
        assert other.get(key) is None  # expired: Redis pushes its invalidation too
    elif change == "flush":
        other.flushdb()
    else:
        other.incr(key)
    assert near.sync()
    assert near.get(key) is MISSING


def test_absence_is_kept_and_dropped_like_a_value(near, other):
    key = f"{PREFIX}absent"
    assert _read(near, other, key) is None
    assert near.get(key) is None  # held: "no such key"
    other.set(key, "now")
    assert near.sync()
    assert _read(near, other, key) == "now"


def test_a_read_racing_a_write_is_not_kept(near, other):
    key = f"{PREFIX}race"
    other.set(key, "old")
    assert near.sync()
    ticket = near.reading(key)
    value = other.get(key)  # read before the write below...
    other.set(key, "new")
    assert near.sync()  # ...whose push has been applied before the read's value is kept
    near.keep(key, ticket, value)
    assert near.get(key) is MISSING


def test_a_push_for_another_key_does_not_void_a_read(near, other):
    key = f"{PREFIX}calm"
    other.set(key, "1")
    assert near.sync()
    ticket = near.reading(key)
    value = other.get(key)
    other.set(f"{PREFIX}elsewhere", "x")
    assert near.sync()
    near.keep(key, ticket, value)
    assert near.get(key) == "1"


def test_forget_drops_at_once_and_voids_reads_in_flight(near, other):
    key = f"{PREFIX}mine"
    other.set(key, "1")
    assert near.sync()
    assert _read(near, other, key) == "1"
    ticket = near.reading(key)
    near.forget(key)  # this process wrote it: no waiting for the push
    assert near.get(key) is MISSING
    near.keep(key, ticket, "1")  # a read sent before the write
    assert near.get(key) is MISSING


def test_keys_no_push_would_invalidate_are_refused(near):
    with pytest.raises(ValueError, match="tracked prefix"):
        near.keep("elsewhere:key", 1, "1")


def test_nothing_is_kept_without_the_tracking_connection(near, other):
    key = f"{PREFIX}lost"
    assert _read(near, other, key) is None
    (tracking,) = [c["id"] for c in other.client_list() if c["name"] == near.client_name]
    other.client_kill_filter(_id=tracking)
    deadline = time.monotonic() + 5
    while near.live and time.monotonic() < deadline:
        time.sleep(0.005)
    assert not near.live and near.get(key) is MISSING and len(near) == 0
    near.keep(key, near.reading(key), "x")
    assert near.get(key) is MISSING
    assert near.wait_live()  # a new connection tracks again: copies are kept again
    assert _read(near, other, key) is None and near.get(key) is None


def test_a_cache_that_cannot_reach_redis_keeps_nothing_and_keeps_its_counts(caplog):
    with socket.socket() as unused:  # a local port nothing listens on
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    cache = NearCache(f"redis://127.0.0.1:{port}/0", (PREFIX,), max_bytes=1 << 20, max_age=60)
    assert not cache.wait_live(timeout=0.3)
    cache.keep(f"{PREFIX}a", cache.reading(f"{PREFIX}a"), "1")
    assert cache.get(f"{PREFIX}a") is MISSING
    cache.count("nctest:counter", 2)
    cache.flush_counts()  # fails: logged, and the counts stay for the next flush
    assert cache._counts["nctest:counter"] == 2
    cache.close()
    assert "no tracking connection" in caplog.text and "could not add counts" in caplog.text


def test_the_oldest_copies_go_first_beyond_the_byte_budget(redis_url, other):
    cache = NearCache(redis_url, (PREFIX,), max_bytes=16 * 1000, max_age=60)
    try:
        assert cache.wait_live()
        for n in range(40):  # about 900 bytes each with the overhead: some 17 fit
            key = f"{PREFIX}{n:02d}"
            cache.keep(key, cache.reading(key), "v" * 770)
        held = [n for n in range(40) if cache.get(f"{PREFIX}{n:02d}") is not MISSING]
        assert held == list(range(40 - len(held), 40)) and 10 < len(held) < 20
        assert cache._bytes <= 16 * 1000
        cache.keep(f"{PREFIX}big", cache.reading(f"{PREFIX}big"), "v" * 2000)  # over 1/16 of the budget: not kept
        assert cache.get(f"{PREFIX}big") is MISSING and cache.get(f"{PREFIX}39") is not MISSING
    finally:
        cache.close()


def test_copies_lapse_after_max_age(redis_url):
    cache = NearCache(redis_url, (PREFIX,), max_bytes=1 << 20, max_age=0.05)
    try:
        assert cache.wait_live()
        cache.keep(f"{PREFIX}short", cache.reading(f"{PREFIX}short"), "1")
        assert cache.get(f"{PREFIX}short") == "1"
        time.sleep(0.06)
        assert cache.get(f"{PREFIX}short") is MISSING
    finally:
        cache.close()


def test_counts_reach_redis_in_a_second_without_a_flush(near, other):
    other.delete("nctest:plays", "nctest:misses")
    for _ in range(5):
        near.count("nctest:plays")
    near.count("nctest:misses", 2)
    assert other.get("nctest:plays") is None  # not yet: no round trip per count
    deadline = time.monotonic() + 5
    while other.get("nctest:plays") is None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert other.mget("nctest:plays", "nctest:misses") == ["5", "2"]  # one transaction: both or neither


def test_a_forked_child_starts_with_nothing_of_its_parents(near, other):
    key = f"{PREFIX}fork"
    other.set(key, "parent")
    assert near.sync()
    assert _read(near, other, key) == "parent"
    near.count("nctest:forked")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report what it holds and whether it tracks on its own
        try:
            held = near.get(key) is MISSING and len(near) == 0 and not near._counts
            live = near.wait_live()
            os.write(write_end, b"%d%d" % (held, live))
        finally:
            os._exit(0)
    os.close(write_end)
    answer = os.read(read_end, 2)
    os.waitpid(pid, 0)
    assert answer == b"11"
    assert near.get(key) == "parent"  # the parent's copies are its own
