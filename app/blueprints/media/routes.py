"""Objects of the local storage backend, served only to holders of a valid signed URL."""

from __future__ import annotations

import mimetypes
import time

from flask import abort, current_app, request, send_file
from werkzeug.wrappers import Response

from app.blueprints.media import bp
from app.providers.storage import attachment, get_storage


@bp.get("/<path:key>")
def serve(key: str) -> Response:
    """SECURITY.md 20: an expired or tampered URL gets 403 (test_signed_urls_expire_and_resist_tampering)."""
    storage = get_storage()
    if getattr(storage, "name", "") != "local":
        abort(404)
    expires, signature, download_name = request.args.get("e"), request.args.get("s"), request.args.get("d")
    if not storage.verify(key, expires, signature, download_name):
        current_app.logger.info("refused media request for %s (bad or expired signature)", key)
        abort(403)
    path = storage.path(key)
    if not path.is_file():
        abort(404)
    remaining = max(0, int(expires) - int(time.time()))
    response = send_file(
        path,
        mimetype=mimetypes.guess_type(key)[0] or "application/octet-stream",
        conditional=True,  # Range requests, so players can seek
        max_age=remaining,
    )
    response.headers["Cache-Control"] = f"private, max-age={remaining}"
    if download_name:  # signed with the URL, so it is the name the app chose
        response.headers["Content-Disposition"] = attachment(download_name)
    return response
