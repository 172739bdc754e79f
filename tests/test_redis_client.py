"""The embedded Redis: started on demand, and always stopped by whoever started it."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time

import pytest
import redis

from app.redis_client import EmbeddedRedis, RoundTrip


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_server_whose_folder_is_gone_still_stops(tmp_path):
    """It cannot save its data there, and a redis-server that cannot save refuses a plain SHUTDOWN."""
    server = EmbeddedRedis(tmp_path / "redis")
    server.ensure_running()
    pid = int(server.pidfile.read_text())
    server._client(timeout=5).set("key", "value")
    shutil.rmtree(tmp_path / "redis")
    server.shutdown()
    deadline = time.monotonic() + 5
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(pid)


# --- RoundTrip: the hot path's one round trip -------------------------------------------------


def _round_trip(redis_url: str) -> tuple[redis.Redis, RoundTrip]:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    client.delete("rt:text", "rt:n", "rt:after", "rt:key")
    return client, RoundTrip(client)


def test_a_round_trip_answers_like_the_client(redis_url):
    client, send = _round_trip(redis_url)
    client.set("rt:text", "héllo")
    assert send(("GET", "rt:text"), ("EXISTS", "rt:none"), ("GET", "rt:none"), ("INCR", "rt:n")) == [
        "héllo", 0, None, 1
    ]
    assert send(("INCR", "rt:n")) == [2]
    assert client.get("rt:n") == "2"


def test_replies_longer_than_one_read_are_read_whole(redis_url):
    client, send = _round_trip(redis_url)
    big = "é" * 200_000  # 400,000 bytes: several reads of READ_SIZE
    client.set("rt:text", big)
    assert send(("GET", "rt:text"), ("INCR", "rt:n"), ("GET", "rt:text")) == [big, 1, big]
    assert send(("INCR", "rt:n")) == [2]  # nothing of the long replies is left over


def test_an_error_reply_is_raised_and_leaves_nothing_unread_for_the_next_call(redis_url):
    client, send = _round_trip(redis_url)
    client.set("rt:text", "x")
    with pytest.raises(redis.ResponseError):
        send(("INCR", "rt:text"), ("GET", "rt:text"), ("SET", "rt:after", "1"))
    assert send(("GET", "rt:text")) == ["x"]  # not the GET left unread by the failed call
    assert client.get("rt:after") == "1"  # the commands after the error did run: no transaction


def test_a_lost_connection_is_replaced_and_the_commands_sent_again(redis_url, caplog):
    client, send = _round_trip(redis_url)
    first = send(("CLIENT", "ID"))[0]
    client.client_kill_filter(_id=first)  # as when the server restarts or drops an idle client
    assert send(("SET", "rt:key", "v"), ("GET", "rt:key")) == ["OK", "v"]
    assert send(("CLIENT", "ID"))[0] != first
    assert "Redis connection lost" in caplog.text


def test_each_thread_and_each_forked_process_has_a_connection_of_its_own(redis_url, monkeypatch):
    _, send = _round_trip(redis_url)
    here = send(("CLIENT", "ID"))[0]
    assert send(("CLIENT", "ID"))[0] == here
    there: list[int] = []
    thread = threading.Thread(target=lambda: there.append(send(("CLIENT", "ID"))[0]))
    thread.start()
    thread.join()
    assert there and there[0] != here
    monkeypatch.setattr(os, "getpid", lambda: -1)  # as a child after fork sees it
    assert send(("CLIENT", "ID"))[0] not in (here, there[0])


def test_a_server_that_never_answers_times_out_without_retrying():
    """The socket blocks with the kernel's timeouts (no poll per call); silence still ends in time."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        accepted: list[socket.socket] = []
        threading.Thread(target=lambda: accepted.append(server.accept()[0]), daemon=True).start()
        send = RoundTrip(redis.Redis(host="127.0.0.1", port=server.getsockname()[1], socket_timeout=0.3))
        started = time.monotonic()
        with pytest.raises(redis.TimeoutError, match=r"did not answer within 0\.3 s"):
            send(("GET", "key"))
        assert 0.25 < time.monotonic() - started < 2
        assert len(accepted) == 1  # not sent again on a second connection
        for conn in accepted:
            conn.close()
