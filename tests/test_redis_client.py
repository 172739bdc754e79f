"""The embedded Redis: started on demand, and always stopped by whoever started it."""

from __future__ import annotations

import os
import shutil
import time

from app.redis_client import EmbeddedRedis


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
