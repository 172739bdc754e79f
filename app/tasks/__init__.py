"""Background jobs (RQ). Queue names are defined here and nowhere else."""

from __future__ import annotations

import redis
from flask import Flask

QUEUE_GENERATION = "generation"
QUEUE_DEFAULT = "default"
QUEUES = [QUEUE_GENERATION, QUEUE_DEFAULT]


def queue_connection(app: Flask) -> redis.Redis:
    """A binary-safe connection for RQ (it stores pickled job data), shared per app."""
    if "rq_redis" not in app.extensions:
        app.extensions["rq_redis"] = redis.Redis.from_url(app.config["REDIS_URL"])
    return app.extensions["rq_redis"]
