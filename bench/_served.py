"""What bench/playback.py serves: the app itself plus one trivial route, in the same gunicorn process.

The hello route runs through the very same Flask app — the same WSGI stack, before/after-request
hooks and response headers — so the ratio of the two measures what the play endpoint's own work
costs, not a difference of servers. It exists only here, never in the application.
"""

from __future__ import annotations

from app import create_app

app = create_app()


@app.get("/bench/hello")
def hello() -> str:
    return "hello"
