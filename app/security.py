"""Response headers every page carries: CSP, framing, sniffing, referrer (SECURITY.md 16–17)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, request

from app.providers.storage import Storage, get_storage

STRIPE_CHECKOUT_ORIGIN = "https://checkout.stripe.com"


def content_security_policy(storage: Storage, *, stripe_checkout: bool = False) -> str:
    """The policy for every response. Audio and images may also come from where signed URLs point
    (an S3 endpoint or a CDN), found by signing a probe key once. With real Stripe payments a form
    may lead to Stripe Checkout (browsers apply `form-action` to the redirect after a post)."""
    checkout = f" {STRIPE_CHECKOUT_ORIGIN}" if stripe_checkout else ""
    probe = urlsplit(storage.signed_url("audio/csp-probe.mp3", 60).url)
    elsewhere = f" {probe.scheme}://{probe.netloc}" if probe.netloc else ""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            f"img-src 'self' data: blob:{elsewhere}",
            f"media-src 'self' blob:{elsewhere}",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            f"form-action 'self'{checkout}",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask) -> None:
    production = app.config.get("ENV_NAME") == "production"
    policy: list[str] = []  # made on the first response, once the storage provider can sign

    @app.after_request
    def _headers(response: Response) -> Response:
        if not policy:
            stripe_checkout = not app.config.get("PAYMENTS_SIMULATED", True)
            policy.append(content_security_policy(get_storage(), stripe_checkout=stripe_checkout))
        response.headers.setdefault("Content-Security-Policy", policy[0])
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if production:
            response.headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        if request.path.startswith("/api/") or response.mimetype == "text/html":
            response.headers.setdefault("Cache-Control", "no-store")
        return response
