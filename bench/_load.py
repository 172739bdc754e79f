"""The serving half of bench/playback.py: gunicorn on bench/_served.py, the CPU its processes use
(read from /proc), and a small asyncio HTTP/1.1 keep-alive client that takes as little as possible
of the cores it shares with the server."""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import requests

ROOT = Path(__file__).resolve().parents[1]
HELLO = "/bench/hello"


# --- the server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app, port: int, workers: int, threads: int) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"]}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", str(workers),
         "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning",
         "bench._served:app"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            requests.get(f"http://127.0.0.1:{port}{HELLO}", timeout=10).raise_for_status()
            return server
        except requests.RequestException:
            if server.poll() is not None:
                break
            time.sleep(0.2)
    stop(server)
    raise SystemExit("the server did not start")


def server_pids(app, server: subprocess.Popen) -> list[int]:  # type: ignore[no-untyped-def]
    """The gunicorn workers and the redis-server: the processes that do a request's work."""
    from app.redis_client import get_redis

    workers = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    with app.app_context():
        redis_pid = int(get_redis().info("server")["process_id"])
    return [int(pid) for pid in workers] + [redis_pid]


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU time these processes have used so far (Linux /proc; 10 ms resolution)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def cpu_split(pids: list[int]) -> np.ndarray:
    """CPU seconds so far of the gunicorn workers and of the redis-server (the last pid), apart."""
    return np.array([cpu_seconds(pids[:-1]), cpu_seconds(pids[-1:])])


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the client ---------------------------------------------------------------------------------


class Connection:
    """One keep-alive HTTP/1.1 connection; requests are prebuilt bytes, answers need a Content-Length."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> Connection:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        return self

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            self.reader = self.writer = None

    async def send(self, data: bytes) -> int:
        """The answer's status; reconnects once when the server has closed an idle connection."""
        for attempt in (1, 2):
            if self.writer is None:
                await self.open()
            try:
                self.writer.write(data)
                head = await self.reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n"):
                    if line[:15].lower() == b"content-length:":
                        length = int(line[15:])
                if length:
                    await self.reader.readexactly(length)
                if b"\r\nConnection: close" in head:
                    self.close()
                return int(head[9:12])
            except (asyncio.IncompleteReadError, ConnectionError):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def request_bytes(port: int, path: str, token: str | None = None) -> bytes:
    auth = f"Authorization: Bearer {token}\r\n" if token else ""
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n{auth}\r\n".encode()


async def closed_loop(
    port: int,
    stream: list[bytes],
    connections: int,
    seconds: float,
    conns: list[Connection] | None = None,
    start: int = 0,
) -> tuple[int, int]:
    """Requests answered (and how many were not 200) by `connections` clients in `seconds`, going
    through `stream` (round and round) from position `start`; on `conns` when given (left open for
    the next call), else on connections opened and closed here."""
    own = conns is None
    if conns is None:
        conns = [await Connection(port).open() for _ in range(connections)]
    position = iter(range(start, sys.maxsize))
    done = errors = 0
    deadline = time.perf_counter() + seconds

    async def client(conn: Connection) -> None:
        nonlocal done, errors
        while time.perf_counter() < deadline:
            status = await conn.send(stream[next(position) % len(stream)])
            done += 1
            errors += status != 200

    await asyncio.gather(*(client(c) for c in conns))
    if own:
        for c in conns:
            c.close()
    return done, errors


async def open_loop(port: int, stream: list[bytes], rate: float, seconds: float) -> tuple[list[float], int]:
    """Latencies (from the scheduled send time) of requests sent at a fixed `rate`, and the non-200 count."""
    idle = [await Connection(port).open() for _ in range(8)]
    latencies: list[float] = []
    errors = 0

    async def one(data: bytes, scheduled: float) -> None:
        nonlocal errors
        conn = idle.pop() if idle else Connection(port)
        status = await conn.send(data)
        latencies.append(time.perf_counter() - scheduled)
        errors += status != 200
        idle.append(conn)

    tasks = []
    start = time.perf_counter() + 0.05
    for n in range(int(rate * seconds)):
        scheduled = start + n / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(one(stream[n % len(stream)], scheduled)))
    await asyncio.gather(*tasks)
    for c in idle:
        c.close()
    return latencies, errors


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values) * 1000, q))
