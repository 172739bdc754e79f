"""`flask serve`: gunicorn (gthread, so WebSockets work) plus an RQ worker, sharing one Redis."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

from flask import Flask

log = logging.getLogger(__name__)


def serve(app: Flask, *, host: str, port: int, threads: int, workers: int) -> int:
    """Run the web server and a worker until interrupted; returns the exit status."""
    env = dict(os.environ)
    # Children use the Redis this process resolved (the embedded one, when REDIS_URL was unset).
    env["REDIS_URL"] = app.config["REDIS_URL"]
    env.setdefault("FLASK_APP", "app:create_app")
    web = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--worker-class",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"{host}:{port}",
            "--access-logfile",
            "-",
            "app:create_app()",
        ],
        env=env,
    )
    worker = subprocess.Popen([sys.executable, "worker.py"], env=env)
    print(f"\n  waQup is running at http://{host}:{port}  (Ctrl-C to stop)\n", flush=True)
    children = [web, worker]
    stopping = False

    def _stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping and all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            log.warning("process %s did not stop in time; killing it", child.pid)
            child.kill()
    failed = [c for c in children if c.returncode not in (0, -signal.SIGTERM, None)]
    return 1 if failed and not stopping else 0
