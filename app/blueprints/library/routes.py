"""The library pages: everything a user owns or has from packs, filtered, searched, sorted and paged;
each item's actions (rename, favourite, regenerate, download, delete) as plain forms that htmx
enhances; and the practice stats.

SECURITY.md 9, another user's item is 404 on every route:
tests/blueprints/test_library_pages.py::test_idor_matrix_every_library_page_route_is_404_for_another_users_item
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.auth.session import safe_next
from app.blueprints.library import bp
from app.extensions import limiter
from app.htmx import is_htmx_request, render
from app.models.types import utcnow
from app.permissions import login_required
from app.rate_limits import setting, user_key
from app.services import ServiceError, access, library, library_actions, playback, stats, voices
from app.services.library import LibraryFilters
from app.services.practice import local_day, user_zone
from app.services.practice_spec import PACES

CHART_LEVELS = 20  # bar heights in steps of 5 % (the CSP allows no inline styles)


@bp.get("")
@login_required
def index() -> Response:
    context: dict[str, Any] = {"oob": is_htmx_request(), **_card_context(request.full_path.rstrip("?"))}
    try:
        filters = LibraryFilters.from_args(request.args)
    except ServiceError as exc:  # a bad parameter: say which, keep the form as typed
        return render("library/index.html", "library/_results.html", status=exc.status, error=exc, **context)
    page = library.library_page(current_user.id, filters)
    return render(
        "library/index.html",
        "library/_results.html",
        page=page,
        filtered=_is_filtered(filters),
        page_args=_args(filters),
        **context,
    )


@bp.get("/<uuid:item_id>/card")
@login_required
def card(item_id: uuid.UUID) -> Response:
    """One item's card (its own page without htmx)."""
    entry = library.entry(current_user.id, item_id)
    return render("library/item.html", "library/_card.html", entry=entry, **_card_context(_back()))


@bp.get("/<uuid:item_id>/progress")
@login_required
def progress(item_id: uuid.UUID) -> Response:
    """A version being made: its progress, polled every 2 s; once done, the whole card takes its place."""
    entry = library.entry(current_user.id, item_id)
    if not is_htmx_request():
        return render("library/item.html", entry=entry, **_card_context(_back()))
    if entry.generation and entry.generation["status"] != "failed":
        return render("library/_progress.html", entry=entry)
    response = render("library/_card.html", entry=entry, **_card_context(_back()))
    response.headers["HX-Retarget"] = f"#entry-{entry.id}"
    response.headers["HX-Reswap"] = "outerHTML"
    return response


@bp.post("/<uuid:item_id>/rename")
@login_required
def rename(item_id: uuid.UUID) -> Response:
    try:
        library_actions.rename(current_user.id, item_id, request.form.get("title", ""))
    except ServiceError as exc:
        return _answer(item_id, error=exc)
    return _answer(item_id, message="Renamed.")


@bp.post("/<uuid:item_id>/favourite")
@login_required
def favourite(item_id: uuid.UUID) -> Response:
    value = request.form.get("favourite", "").lower() in ("true", "1", "on")
    library_actions.set_favourite(current_user.id, item_id, value)
    return _answer(item_id, message="Added to your favourites." if value else "Removed from your favourites.")


@bp.post("/<uuid:item_id>/regenerate")
@login_required
@limiter.limit(setting("RATELIMIT_GENERATE"), key_func=user_key)  # SECURITY.md 12
def regenerate(item_id: uuid.UUID) -> Response:
    """A new version with another voice or pace: 202 with its progress; 402 without credit, 409 while one is made."""
    try:
        library_actions.regenerate(
            current_user.id,
            item_id,
            voice_id=request.form.get("voice_id") or None,
            pace=request.form.get("pace") or None,
        )
    except ServiceError as exc:
        return _answer(item_id, error=exc)
    return _answer(item_id, message="A new version is being made; the current one plays until it is ready.", status=202)


@bp.get("/<uuid:item_id>/download")
@login_required
def download(item_id: uuid.UUID) -> Response:
    """The current version as "<title>.mp3": a redirect to a short-lived signed URL that answers as an attachment."""
    return redirect(playback.download(current_user.id, item_id).url)


@bp.get("/<uuid:item_id>/delete")
@login_required
def confirm_delete(item_id: uuid.UUID) -> Response:
    """The confirm step: a page, or a dialog htmx puts inside the card."""
    access.owned_item(current_user.id, item_id, action="delete")
    entry = library.entry(current_user.id, item_id)
    return render("library/delete.html", "library/_confirm_delete.html", entry=entry, back=_back())


@bp.post("/<uuid:item_id>/delete")
@login_required
def delete(item_id: uuid.UUID) -> Response:
    title = library.entry(current_user.id, item_id).title
    try:
        library_actions.delete(current_user.id, item_id)
    except ServiceError as exc:
        return _answer(item_id, error=exc)
    message = f"Deleted “{title}”."
    if is_htmx_request():  # the card goes; the message takes the flash area
        return render("library/_deleted.html", message=message)
    flash(message, "success")
    return redirect(safe_next(request.form.get("next"), url_for("library.index")), 303)


@bp.get("/stats", endpoint="stats")
@login_required
def stats_page() -> Response:
    user = current_user._get_current_object()
    figures = stats.stats(user)
    today = local_day(utcnow(), user_zone(user))
    days = [{**row, "day": date.fromisoformat(row["date"])} for row in figures["minutes_per_day"]]
    weeks = [{**row, "day": date.fromisoformat(row["week_start"])} for row in figures["practices_per_week"]]
    return render(
        "library/stats.html",
        stats=figures,
        days=_levelled(days, "minutes"),
        weeks=_levelled(weeks, "practices"),
        by_type=_levelled([{"name": k, "count": v} for k, v in figures["by_content_type"].items()], "count"),
        by_time=_levelled([{"name": k, "count": v} for k, v in figures["by_time_of_day"].items()], "count"),
        year=stats.year_grid(figures["calendar"], today),
    )


def _answer(item_id: uuid.UUID, *, message: str = "", error: ServiceError | None = None, status: int = 200) -> Response:
    """After an item action: htmx gets the item's card (with the refusal, if any); a plain form is
    sent back where it came from, or to the item's page saying why it was refused."""
    if error is not None and error.status == 404:
        raise error  # someone else's item, or gone: the 404 page
    entry = library.entry(current_user.id, item_id)
    context = {"entry": entry, "error": error, **_card_context(_back())}
    status = error.status if error is not None else status
    if is_htmx_request():
        return render("library/_card.html", status=status, **context)
    if error is not None:
        return render("library/item.html", status=status, **context)
    flash(message, "success")
    return redirect(f"{_back()}#entry-{entry.id}", 303)


def _card_context(back: str) -> dict[str, Any]:
    """What every card needs beside its entry: the voices and paces to regenerate with, and where forms return to."""
    return {"voices": voices.active_voices(), "paces": PACES, "back": back}


def _back() -> str:
    """The library page a form came from (a same-site path only, SECURITY.md 14)."""
    return safe_next(request.values.get("next"), url_for("library.index"))


def _is_filtered(filters: LibraryFilters) -> bool:
    """Anything narrower than the whole library (the sort and page do not narrow it)."""
    return bool(_args(filters).keys() - {"sort"})


def _args(filters: LibraryFilters) -> dict[str, Any]:
    """The query parameters that give these filters (for page links)."""
    values = {
        "type": filters.content_type,
        "tag": filters.tag,
        "min_minutes": filters.min_minutes,
        "max_minutes": filters.max_minutes,
        "source": filters.source,
        "favourites": "true" if filters.favourites else None,
        "q": filters.q,
        "sort": filters.sort if filters.sort != "recent" else None,
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


def _levelled(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    """Each row with `level`, its value as a share of the largest in steps of 5 % (a non-zero value shows)."""
    top = max((row[key] for row in rows), default=0) or 1
    return [{**row, "level": max(1 if row[key] > 0 else 0, round(row[key] / top * CHART_LEVELS))} for row in rows]
