"""Jinja globals and filters shared by every template."""

from __future__ import annotations

from datetime import datetime

from flask import Flask, url_for
from flask_login import current_user

from app.models.types import as_utc

# (endpoint, label, role needed) — an entry shows only once its blueprint exists.
NAV = [
    ("builder.create", "Create", None),
    ("library.index", "Library", None),
    ("marketplace.index", "Marketplace", None),
    ("studio.index", "Studio", "creator"),
    ("admin.index", "Admin", "admin"),
    ("account.index", "Account", None),
]

CONTENT_TYPE_LABELS = {
    "affirmation": "Affirmations",
    "guided_meditation": "Guided meditation",
    "ritual": "Ritual",
}


def init_app(app: Flask) -> None:
    @app.context_processor
    def _nav() -> dict:
        def nav_items() -> list[dict]:
            if not current_user.is_authenticated:
                return []
            items = []
            for endpoint, label, role in NAV:
                if endpoint in app.view_functions and (role is None or current_user.has_role(role)):
                    items.append({"endpoint": endpoint, "label": label, "url": url_for(endpoint)})
            return items

        return {"nav_items": nav_items}

    @app.template_filter("datetime")
    def _datetime(value: datetime | None, fmt: str = "%d %b %Y, %H:%M") -> str:
        value = as_utc(value)
        return value.strftime(fmt) + " UTC" if value else "—"

    @app.template_filter("date")
    def _date(value: datetime | None) -> str:
        value = as_utc(value)
        return value.strftime("%d %b %Y") if value else "—"

    @app.template_filter("signed")
    def _signed(value: int) -> str:
        return f"+{value}" if value > 0 else str(value)

    @app.template_filter("content_type")
    def _content_type(value: str | None) -> str:
        return CONTENT_TYPE_LABELS.get(value or "", value or "")

    del _nav, _datetime, _date, _signed, _content_type
