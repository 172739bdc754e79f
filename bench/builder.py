"""Benchmark: time per builder turn with the embedded understanding, over the socket and over HTTP.

Serves the app with gunicorn (gthread, as `flask serve` does) on a throwaway instance (SQLite and the
embedded Redis), logs a user in, and plays the same short conversation — a request, a place, a
length, an acceptance, "start over" — in a fresh conversation each time, for 1,000 turns over the
WebSocket and 1,000 as htmx posts, timing each turn from send to reply on the loopback. Then the
same turns straight through the conversation service in this process: the server's own share.

    .venv/bin/python bench/builder.py
    .venv/bin/python bench/builder.py --turns 200
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
from websockets.sync.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CYCLE = ["I want to wind down before sleep", "in bed", "10 minutes", "sounds good", "start over"]
EMAIL, PASSWORD = "bench@example.com", "bench password 123"


def build(workdir: str):  # type: ignore[no-untyped-def]
    os.environ.update(WAQUP_ENV="development", INSTANCE_PATH=workdir, LOG_LEVEL="WARNING")
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    os.environ["RATELIMIT_BUILDER"] = "1000000 per minute"
    import flask_migrate

    from app import create_app
    from app.services import accounts, voices

    app = create_app()
    with app.app_context():
        flask_migrate.upgrade()
        voices.seed(previews=False)
        accounts.register(EMAIL, PASSWORD)
    return app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app, port: int, threads: int) -> subprocess.Popen:  # type: ignore[no-untyped-def]
    env = {**os.environ, "REDIS_URL": app.config["REDIS_URL"]}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1", "--threads",
         str(threads), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "app:create_app()"],
        cwd=ROOT,
        env=env,
    )
    for _ in range(100):
        try:
            requests.get(f"http://127.0.0.1:{port}/", timeout=10)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start")


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)[1]


def log_in(base: str) -> tuple[requests.Session, str]:
    http = requests.Session()
    token = csrf_token(http.get(f"{base}/login").text)
    http.post(f"{base}/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}).raise_for_status()
    return http, csrf_token(http.get(f"{base}/create").text)


def new_conversation(base: str, http: requests.Session, token: str) -> str:
    page = http.post(f"{base}/create/new", data={"csrf_token": token}).text  # follows the redirect to /create
    return re.search(r'name="conversation_id" value="([^"]+)"', page)[1]


def over_socket(base: str, http: requests.Session, token: str, turns: int) -> list[float]:
    cookie = "; ".join(f"{c.name}={c.value}" for c in http.cookies)
    times = []
    url = base.replace("http://", "ws://") + "/builder/ws"
    with connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws:
        for n in range(turns):
            if n % len(CYCLE) == 0:
                conversation = new_conversation(base, http, token)
            body = json.dumps({"text": CYCLE[n % len(CYCLE)], "conversation_id": conversation, "csrf_token": token})
            started = time.perf_counter()
            ws.send(body)
            reply = ws.recv(timeout=10)
            times.append(time.perf_counter() - started)
            assert 'id="transcript"' in reply, reply[:300]
    return times


def over_http(base: str, http: requests.Session, token: str, turns: int) -> list[float]:
    times = []
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    for n in range(turns):
        if n % len(CYCLE) == 0:
            conversation = new_conversation(base, http, token)
        data = {"text": CYCLE[n % len(CYCLE)], "conversation_id": conversation}
        started = time.perf_counter()
        response = http.post(f"{base}/create/messages", data=data, headers=headers)
        times.append(time.perf_counter() - started)
        assert response.status_code == 200 and 'id="transcript"' in response.text, response.status_code
    return times


def in_process(app, turns: int) -> list[float]:  # type: ignore[no-untyped-def]
    from app.extensions import db
    from app.models import User
    from app.services import conversations

    times = []
    with app.test_request_context():
        user = db.session.scalar(db.select(User).where(User.email == EMAIL))
        for n in range(turns):
            if n % len(CYCLE) == 0:
                conversation = conversations.start(user).row.id
            started = time.perf_counter()
            conversations.send(user, conversation, CYCLE[n % len(CYCLE)])
            times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float]) -> None:
    ms = sorted(t * 1000 for t in times)
    p99 = ms[min(len(ms) - 1, int(len(ms) * 0.99))]
    print(f"  {name:<28} p50 {statistics.median(ms):6.2f} ms   p99 {p99:6.2f} ms   ({len(ms)} turns)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="waqup-bench-") as workdir:
        app = build(workdir)
        port = free_port()
        server = serve(app, port, args.threads)
        try:
            base = f"http://127.0.0.1:{port}"
            http, token = log_in(base)
            over_socket(base, http, token, 50)  # warm-up
            socket_times = over_socket(base, http, token, args.turns)
            http_times = over_http(base, http, token, args.turns)
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        service_times = in_process(app, args.turns)
    print("builder turn, embedded understanding (target p50 ≤ 10 ms):")
    report("WebSocket round trip", socket_times)
    report("HTTP (htmx post) round trip", http_times)
    report("conversation service only", service_times)


if __name__ == "__main__":
    main()
