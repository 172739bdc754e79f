"""What bench/playback.py serves: the app itself plus trivial routes, in the same gunicorn process.

The hello route runs through the very same Flask app — the same WSGI stack, before/after-request
hooks and response headers — so the ratio of the two measures what the play endpoint's own work
costs, not a difference of servers. `--diagnose` also times a route that makes only a Redis round
trip and one that only waits 0.1 ms. They exist only here, never in the application.
"""

from __future__ import annotations

import time

from app import create_app
from app.redis_client import round_trip

app = create_app()


@app.get("/bench/hello")
def hello() -> str:
    return "hello"


@app.get("/bench/redis")
def redis_only() -> str:
    """A Redis round trip of four commands on keys that hold nothing: what a play waited for on every
    request before the processes kept copies of its keys."""
    round_trip(("EXISTS", "bench:a"), ("GET", "bench:b"), ("GET", "bench:c"), ("INCR", "bench:d"))
    return "hello"


@app.get("/bench/wait")
def wait_only() -> str:
    """A 0.1 ms wait that lets go of the GIL, and nothing else."""
    time.sleep(0.0001)
    return "hello"
