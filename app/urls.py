"""The address the outside world reaches this app at, for links that leave it (Stripe's return URLs)."""

from __future__ import annotations

from flask import current_app, request


def public_base_url() -> str:
    """`PUBLIC_BASE_URL` when set (required in production: behind a proxy the request's Host and scheme
    are the proxy's, and a client may send any Host), else the address this request came to."""
    configured = current_app.config.get("PUBLIC_BASE_URL")
    return (configured.rstrip("/") + "/") if configured else request.host_url
