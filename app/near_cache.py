"""Copies of hot Redis keys inside the process, kept true by Redis itself (client-side caching).

A play reads three keys (the token's revocation mark, its user's auth record, the practice's
metadata). Fetched from Redis they cost a round trip per play, and the wait for its answer (the
thread blocking, then woken) is the largest cost left on that path. `NearCache` keeps what it read
and serves it again for as long as Redis has not said it changed:

- a thread of the process holds a RESP3 connection with `CLIENT TRACKING on BCAST` for the key
  prefixes it may keep. Redis pushes the name of every key under them that anyone writes or
  deletes, or that expires or is evicted, and a flush as None; the thread drops those copies;
- copies are served only while that connection is tracking. When it is lost, every copy is dropped
  and reads go to Redis until a new connection tracks again;
- a value read from Redis is kept only if no push for its key was applied (and the connection was
  not lost) between the moment before the read was sent and now (`reading`, then `keep`): a write
  racing the read cannot leave a stale copy behind;
- this process's own writes drop their copies at once (`forget`), not waiting for the push;
- a copy lapses after `max_age` seconds whatever happens, and the oldest go first beyond `max_bytes`.

A write made by another process reaches this one when its push does (well under a millisecond on an
idle machine); `sync()` waits for that. Counters (`count`) are also kept in the process, and added
to Redis once a second by the same thread, or at once by `flush_counts()`.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
import time
import uuid
import weakref
from collections import Counter, OrderedDict
from typing import Any

import hiredis
import redis

log = logging.getLogger(__name__)

MISSING: Any = object()  # what `get` answers for a key it holds no copy of
SYNC_PREFIX = "near:sync:"  # `sync` writes a key under it and waits for its push
ENTRY_OVERHEAD = 120  # bytes counted per copy beside its key and value
TICK = 1.0  # seconds between the thread's counter flushes and liveness pings
MAX_PENDING = 4096  # reads in flight remembered at most
SILENCE = 3 * TICK  # a connection that answers nothing (not even a ping) for this long is lost


class NearCache:
    def __init__(self, url: str, prefixes: tuple[str, ...], *, max_bytes: int, max_age: float) -> None:
        self.url = url
        self.prefixes = (*prefixes, SYNC_PREFIX)
        self.max_bytes, self.max_age = max_bytes, max_age
        self._client = redis.Redis.from_url(url, decode_responses=True)
        self._reset()
        _instances.add(self)

    def _reset(self) -> None:
        """An empty cache with no thread yet (also what a forked child starts from)."""
        self._lock = threading.Lock()
        self._start_lock = threading.Lock()
        self._data: OrderedDict[str, tuple[Any, float, int]] = OrderedDict()
        self._bytes = 0
        self._pending: dict[str, int] = {}  # key -> ticket of the latest read in flight
        self._tickets = 0
        self._live = False
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._counts: Counter[str] = Counter()
        self._syncs: dict[str, threading.Event] = {}

    # --- reading and writing copies ---

    def get(self, key: str) -> Any:
        """The copy of the key's value (None when the key does not exist), or MISSING."""
        if self._thread is None:
            self._start()
        entry = self._data.get(key)
        if entry is None or entry[1] <= time.monotonic():
            return MISSING
        return entry[0]

    def reading(self, key: str) -> int | None:
        """Called before reading the key from Redis: the ticket to hand to `keep` with what was read
        (None when not tracking: nothing will be kept)."""
        if not self._live:
            return None
        with self._lock:
            if len(self._pending) >= MAX_PENDING:  # reads that never came back: their copies are not kept
                self._pending.clear()
            self._tickets += 1
            self._pending[key] = self._tickets
            return self._tickets

    def keep(self, key: str, ticket: int | None, value: str | None) -> None:
        """Keep what was read from Redis, unless a push for the key (or a loss) came since `reading`."""
        if not key.startswith(self.prefixes):  # a key no push would ever invalidate
            raise ValueError(f"{key!r} is not under a tracked prefix {self.prefixes}")
        size = len(key) + len(value or "") + ENTRY_OVERHEAD
        with self._lock:
            if ticket is None or self._pending.get(key) != ticket:
                return
            del self._pending[key]
            if not self._live or size > self.max_bytes // 16:  # one large value never empties the cache
                return
            self._drop(key)
            self._data[key] = (value, time.monotonic() + self.max_age, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, (_, _, dropped) = self._data.popitem(last=False)
                self._bytes -= dropped

    def forget(self, *keys: str) -> None:
        """This process has just written these keys: drop their copies now, and keep no read in flight."""
        with self._lock:
            for key in keys:
                self._drop(key)

    def clear(self, *, counts: bool = False) -> None:
        """Drop every copy and read in flight (and with `counts`, the counts not yet added to Redis)."""
        with self._lock:
            self._drop_all()
            if counts:
                self._counts.clear()

    def __len__(self) -> int:
        return len(self._data)

    @property
    def client_name(self) -> str:
        """The tracking connection's name in CLIENT LIST."""
        return f"near-cache-{os.getpid()}-{id(self):x}"

    @property
    def live(self) -> bool:
        """Whether copies can be kept: the tracking connection is up."""
        return self._live

    def _drop(self, key: str) -> None:
        self._pending.pop(key, None)
        entry = self._data.pop(key, None)
        if entry is not None:
            self._bytes -= entry[2]

    def _drop_all(self) -> None:
        self._pending.clear()
        self._data.clear()
        self._bytes = 0

    # --- counters ---

    def count(self, key: str, amount: int = 1) -> None:
        """Add to a Redis counter within a second (see `flush_counts`)."""
        if self._thread is None:
            self._start()
        with self._lock:
            self._counts[key] += amount

    def flush_counts(self) -> None:
        """Add the counts kept so far to Redis, all in one transaction."""
        with self._lock:
            counts, self._counts = self._counts, Counter()
        if not counts:
            return
        try:
            pipe = self._client.pipeline(transaction=True)
            for key, amount in counts.items():
                pipe.incrby(key, amount)
            pipe.execute()
        except redis.RedisError:
            log.exception("could not add counts %s to Redis at %s; kept for the next flush", dict(counts), self.url)
            with self._lock:
                self._counts.update(counts)

    # --- the tracking thread ---

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until every push Redis sent before this call has been applied. False when not tracking
        (nothing is kept then) or on timeout."""
        if self._thread is None:
            self._start()
        if not self._live:
            return False
        key, done = f"{SYNC_PREFIX}{uuid.uuid4().hex}", threading.Event()
        self._syncs[key] = done
        try:
            self._client.set(key, "1", px=int(timeout * 1000))  # its push comes after every earlier one
            return done.wait(timeout)
        finally:
            self._syncs.pop(key, None)
            self._client.delete(key)

    def wait_live(self, timeout: float = 5.0) -> bool:
        """Start the thread if need be and wait until it tracks (for tests and benchmarks)."""
        if self._thread is None:
            self._start()
        deadline = time.monotonic() + timeout
        while not self._live and time.monotonic() < deadline:
            time.sleep(0.005)
        return self._live

    def close(self) -> None:
        """Stop tracking (nothing is kept after) and add the pending counts to Redis."""
        self._stop.set()
        self._lose()
        self.flush_counts()

    def _start(self) -> None:
        with self._start_lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="near-cache", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        delay, failing = 0.1, False
        while not self._stop.is_set():
            try:
                self._track()
            except (OSError, redis.RedisError) as exc:
                if self._stop.is_set():
                    break
                if self._live or not failing:  # once per outage
                    log.warning(
                        "near cache: no tracking connection to %s (%s); reading from Redis until there is one again",
                        self.url,
                        exc,
                    )
                if self._live:
                    delay = 0.1
                failing = True
            self._lose()
            self._stop.wait(delay)
            delay = min(delay * 2, 5.0)

    def _track(self) -> None:
        """Connect, turn tracking on, then apply pushes until the connection is lost."""
        client = redis.Redis.from_url(self.url, protocol=3, client_name=self.client_name)
        conn = client.connection_pool.make_connection()
        try:
            conn.connect()  # HELLO 3, AUTH, SELECT as configured
            sock, reader = conn._sock, hiredis.Reader(replyError=redis.ResponseError, encoding="utf-8")
            prefixes = [part for prefix in self.prefixes for part in ("PREFIX", prefix)]
            sock.settimeout(TICK)
            sock.sendall(hiredis.pack_command(("CLIENT", "TRACKING", "on", "BCAST", *prefixes)))
            heard = time.monotonic()
            next_tick = heard + TICK
            while not self._stop.is_set():
                try:
                    chunk = sock.recv(65536)
                except TimeoutError:
                    chunk = None
                else:
                    if not chunk:
                        raise ConnectionError("Redis closed the tracking connection")
                    heard = time.monotonic()
                    reader.feed(chunk)
                    while (reply := reader.gets()) is not False:
                        self._apply(reply)
                now = time.monotonic()
                if now - heard > SILENCE:
                    raise TimeoutError(f"the tracking connection was silent for {now - heard:.1f} s")
                if now >= next_tick:
                    next_tick = now + TICK
                    self.flush_counts()
                    sock.sendall(hiredis.pack_command(("PING",)))
        finally:
            conn.disconnect()

    def _apply(self, reply: Any) -> None:
        if isinstance(reply, hiredis.PushNotification):
            if reply[0] == "invalidate":
                self._invalidate(reply[1])
        elif isinstance(reply, redis.ResponseError):
            raise reply
        elif reply == "OK" and not self._live:  # CLIENT TRACKING's answer: from now on, every write is pushed
            with self._lock:
                self._drop_all()
                self._live = True
            log.info("near cache: tracking %s on %s", ", ".join(self.prefixes), self.url)

    def _invalidate(self, keys: list[str] | None) -> None:
        with self._lock:
            if keys is None:  # a flush
                self._drop_all()
                return
            for key in keys:
                self._drop(key)
        for key in keys:
            if key.startswith(SYNC_PREFIX) and (done := self._syncs.get(key)) is not None:
                done.set()

    def _lose(self) -> None:
        with self._lock:
            self._live = False
            self._drop_all()


# --- one cache per Redis URL and process ---

_instances: weakref.WeakSet[NearCache] = weakref.WeakSet()
_caches: dict[str, NearCache] = {}
_caches_lock = threading.Lock()


def for_url(url: str, prefixes: tuple[str, ...], *, max_bytes: int, max_age: float) -> NearCache:
    """The process's cache for this Redis (made by the first app that asks; later apps share it)."""
    with _caches_lock:
        cache = _caches.get(url)
        if cache is None:
            cache = _caches[url] = NearCache(url, prefixes, max_bytes=max_bytes, max_age=max_age)
            atexit.register(cache.close)  # before an embedded server registered earlier is shut down
        return cache


def clear_all() -> None:
    """Drop every copy and every pending count in this process (before a flush of the Redis databases)."""
    for cache in list(_caches.values()):
        cache.clear(counts=True)


def sync_all() -> None:
    """Wait for the pushes Redis has sent so far to every cache that is tracking (after a flush)."""
    for cache in list(_caches.values()):
        if cache.live:
            cache.sync()


def _after_fork() -> None:
    """A forked child has none of its parent's threads: it starts its own, with nothing kept or counted."""
    global _caches_lock
    _caches_lock = threading.Lock()
    for cache in list(_instances):
        cache._reset()


os.register_at_fork(after_in_child=_after_fork)
