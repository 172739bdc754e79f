"""The player page and its play endpoint (a fresh signed URL on every call).

While an item's first version is being made the page shows its progress and refreshes itself
(htmx polling) until it can be played.
"""

from __future__ import annotations

import uuid

from flask import current_app
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.library import bp
from app.errors import json_error
from app.htmx import is_htmx_request, render
from app.permissions import login_required
from app.services import ServiceError, library, playback
from app.services.beds import BEDS
from app.services.playback import NotReady
from app.services.practice import MAX_NOTE

SPEEDS = (0.75, 1.0, 1.25, 1.5)
SLEEP_MINUTES = (5, 10, 15, 30)
FEELINGS = ((1, "Low"), (2, "Uneasy"), (3, "Okay"), (4, "Good"), (5, "Great"))


# SECURITY.md 9: tests/blueprints/test_player_page.py::test_another_users_item_is_not_found_on_both_routes
@bp.get("/<uuid:item_id>")
@login_required
def player(item_id: uuid.UUID) -> Response:
    entry = library.entry(current_user.id, item_id)  # NotFound → 404 page
    track = None
    if entry.playable:
        try:
            track = playback.play(current_user.id, item_id)
        except NotReady:
            track = None
    if track is None:
        return render("library/player.html", "library/_making.html", entry=entry, track=None)
    if is_htmx_request():  # the progress poll, and the practice is ready now: load the player
        response = Response(status=204)
        response.headers["HX-Refresh"] = "true"
        return response
    return render(
        "library/player.html",
        entry=entry,
        track=track,
        beds=BEDS,
        speeds=SPEEDS,
        sleep_minutes=SLEEP_MINUTES,
        feelings=FEELINGS,
        max_note=MAX_NOTE,
    )


@bp.get("/<uuid:item_id>/play")
@login_required
def play(item_id: uuid.UUID) -> Response:
    """The playback JSON: signed URL and its expiry, duration, sections, background, resume position."""
    try:
        track = playback.play(current_user.id, item_id)
    except ServiceError as exc:  # 404 for anyone without access, 409 not_ready while it is being made
        return json_error(exc.status, exc.message, code=exc.code)
    response = current_app.json.response(track.to_json())
    response.headers["Cache-Control"] = "no-store"  # the URL must not outlive its expiry (SECURITY.md 20)
    return response
