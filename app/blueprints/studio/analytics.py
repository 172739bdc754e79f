"""The creator's analytics and tokens: totals and charts over 30 or 90 days, each pack's figures,
the token ledger and payout requests.

Creators only (SECURITY.md 10: tests/blueprints/test_analytics_pages.py::test_analytics_needs_the_creator_role);
another creator's pack is a 404 (SECURITY.md 9: …::test_another_creators_pack_is_not_found); the payout
form carries its CSRF token (SECURITY.md 15: …::test_the_payout_form_needs_the_csrf_token).
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.studio import bp
from app.extensions import db
from app.htmx import render
from app.permissions import roles_required
from app.services import ServiceError, analytics, creator_tokens, payouts
from app.services.catalog import money

log = logging.getLogger(__name__)

CHART_LEVELS = 20  # bar heights in steps of 5 % (the CSP allows no inline styles)
LEDGER_PER_PAGE = 15
creator_required = roles_required("creator")


def _levelled(points: list[analytics.DayPoint], key: str) -> list[dict[str, Any]]:
    """Each day with its value and `level`, a share of the largest in steps of 5 % (a non-zero value shows)."""
    values = [max(0, getattr(point, key)) for point in points]
    top = max(values, default=0) or 1
    rows = []
    for point, value in zip(points, values, strict=True):
        level = max(1 if value > 0 else 0, round(value / top * CHART_LEVELS))
        rows.append({"day": point.day, "value": getattr(point, key), "level": level})
    return rows


def _charts(series: list[analytics.DayPoint]) -> list[dict[str, Any]]:
    return [
        {
            "key": "new_buyers",
            "title": "New buyers",
            "unit": ("new buyer", "new buyers"),
            "rows": _levelled(series, "new_buyers"),
        },
        {"key": "revenue", "title": "Revenue", "unit": None, "rows": _levelled(series, "revenue")},
        {"key": "plays", "title": "Plays", "unit": ("play", "plays"), "rows": _levelled(series, "plays")},
        {"key": "tokens", "title": "Tokens earned", "unit": None, "rows": _levelled(series, "tokens")},
    ]


def _days() -> tuple[int | None, ServiceError | None]:
    try:
        return analytics.parse_days(request.args.get("days")), None
    except ServiceError as exc:
        return None, exc


@bp.get("/analytics", endpoint="analytics")
@creator_required
def analytics_page() -> Response:
    days, error = _days()
    if error is not None:
        return render("studio/analytics.html", status=400, error=error, days=30, overview=None)
    overview = analytics.creator_overview(current_user.id, days)
    return render("studio/analytics.html", overview=overview, days=days, charts=_charts(overview.series))


@bp.get("/analytics/packs/<uuid:pack_id>")
@creator_required
def pack_analytics(pack_id: uuid.UUID) -> Response:
    days, error = _days()
    stats = analytics.pack_analytics(current_user.id, pack_id, days or 30)  # another creator's pack: 404 first
    if error is not None:
        return render("studio/analytics_pack.html", status=400, error=error, days=30, stats=stats, charts=[])
    return render("studio/analytics_pack.html", stats=stats, days=days, charts=_charts(stats.series))


def _payouts_context(page: int = 1) -> dict[str, Any]:
    creator_id = current_user.id
    return {
        "balance": creator_tokens.balance(creator_id),
        "available": payouts.available(creator_id),
        "pending_total": payouts.pending_total(creator_id),
        "ledger": payouts.ledger_page(creator_id, page=page, per_page=LEDGER_PER_PAGE),
        "requests": payouts.for_creator(creator_id),
        "form": {"amount": "", "note": ""},
        "errors": {},
        "payout_key": payouts.new_request_key(),  # one request per rendered form, however often it is sent
    }


@bp.get("/payouts", endpoint="payouts")
@creator_required
def payouts_page() -> Response:
    page = request.args.get("page", 1, type=int) or 1
    context = _payouts_context(page)
    return render("studio/analytics_tokens.html", "studio/_payout_ledger.html", **context)


@bp.post("/payouts")
@creator_required
def request_payout() -> Response:
    amount_text, note = request.form.get("amount", ""), request.form.get("note", "")
    try:
        amount = payouts.parse_dollars(amount_text)
        payouts.request(current_user.id, amount, note, idempotency_key=request.form.get("payout_key") or None)
    except ServiceError as exc:
        db.session.rollback()
        log.info("payout request by %s refused: %s", current_user.id, exc.message)
        context = _payouts_context()
        context["form"] = {"amount": amount_text, "note": note}
        context["errors"] = {exc.field or "amount": exc.message}
        return render("studio/analytics_tokens.html", status=exc.status, **context)
    flash(f"Your payout request for {money(amount)} is sent. An admin will decide on it soon.", "success")
    return redirect(url_for("studio.payouts"), code=303)
