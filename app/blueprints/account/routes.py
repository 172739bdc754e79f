from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import flash, make_response, redirect, request, session, url_for
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from app.blueprints.account import bp
from app.blueprints.account.forms import ChangePasswordForm, PreferencesForm
from app.blueprints.checkout.forms import BuyCreditsForm
from app.extensions import db
from app.htmx import is_htmx_request, render
from app.models import Voice
from app.permissions import login_required
from app.services import NotFound, ServiceError, accounts, buyer_subscriptions, checkout, creators, credits
from app.urls import public_base_url


def _preferences_form() -> PreferencesForm:
    form = PreferencesForm(data=current_user.preferences or {})
    voices = db.session.scalars(sa.select(Voice).where(Voice.is_active).order_by(Voice.name)).all()
    form.voice.choices = [SelectChoice("", "No preference")] + [
        SelectChoice(str(v.id), f"{v.name} ({v.style or v.language})") for v in voices
    ]
    return form


@bp.get("/")
@login_required
def index() -> Response:
    page = request.args.get("page", 1, type=int) or 1
    ledger = credits.ledger_page(current_user.id, page=page, per_page=10)
    return render(
        "account/index.html",
        "account/_ledger.html",
        ledger=ledger,
        prefs_form=_preferences_form(),
        subscriptions=buyer_subscriptions.active_for(current_user.id),
    )


@bp.post("/preferences")
@login_required
def preferences() -> Response:
    form = _preferences_form()
    if form.validate_on_submit():
        try:
            accounts.update_preferences(
                current_user, {"voice": form.voice.data or None, "pace": form.pace.data, "tone": form.tone.data}
            )
        except ServiceError as exc:
            flash(exc.message, "error")
        else:
            flash("Your preferences are saved.", "success")
    else:
        problems = "; ".join(e for errors in form.errors.values() for e in errors)
        flash(f"Those preferences could not be saved: {problems}", "error")
    return redirect(url_for("account.index"))


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password() -> Response:
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            accounts.change_password(
                current_user, form.current_password.data, form.new_password.data, keep_session=session.get("sid")
            )
        except ServiceError as exc:
            getattr(form, exc.field or "new_password").errors.append(exc.message)
            status = 400
        else:
            flash("Your password is changed. Other devices have been signed out.", "success")
            return redirect(url_for("account.index"))
    elif request.method == "POST":
        status = 400
    return render("account/password.html", form=form, status=status)


@bp.post("/credits/checkout")
@login_required
def buy_credits() -> Response:
    """Open a checkout for a credit bundle and send the browser there.

    SECURITY.md 15: tests/blueprints/test_checkout_pages.py::test_the_credit_form_needs_the_csrf_token."""
    form = BuyCreditsForm()
    if not form.validate_on_submit():
        flash("Choose one of the credit bundles.", "error")
        return _go(url_for("account.index"))
    try:
        start = checkout.start_credits(
            current_user.id, form.bundle.data, base_url=public_base_url(), return_path=url_for("account.index")
        )
    except ServiceError as exc:
        flash(exc.message, "error")
        return _go(url_for("account.index"))
    return _go(start.checkout_url or url_for("account.index"))


@bp.post("/subscriptions/<uuid:purchase_id>/cancel")
@login_required
def cancel_subscription(purchase_id: uuid.UUID) -> Response:
    """Cancel one of the user's subscriptions at the end of the period paid for (CSRF-checked by the app).

    SECURITY.md 9 and 15: tests/blueprints/test_account_subscriptions.py."""
    try:
        purchase = buyer_subscriptions.cancel_by_buyer(current_user.id, purchase_id)
    except NotFound:
        raise  # another user's purchase, or none: 404
    except ServiceError as exc:
        flash(exc.message, "error")
    else:
        until = buyer_subscriptions.access_until(purchase)
        title = (purchase.meta or {}).get("title") or "this pack"
        when = f" until {until:%d %b %Y}" if until else ""
        flash(f"Your subscription is canceled: it renews no more, and you keep {title}{when}.", "success")
    return redirect(url_for("account.index", _anchor="subscriptions"), code=303)


def _go(url: str) -> Response:
    """Send the browser to `url`: for htmx a script navigation (the page's CSP form-action, 'self', does
    not reach a redirect to the payment page), else a 303."""
    if is_htmx_request():
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url, code=303)


# --- Becoming a creator -------------------------------------------------------------------------


@bp.route("/creator", methods=["GET", "POST"])
@login_required
def become_creator() -> Response:
    """The creator terms; accepting them grants the creator role and a profile, then opens the studio."""
    user = current_user._get_current_object()
    if user.has_role("creator") and creators.accepted_terms(user.id):
        return redirect(url_for("studio.index"))
    error = None
    default_name = creators.default_display_name(user.email)
    if request.method == "POST":
        if request.form.get("accept_terms") != "yes":
            error = "Tick “I accept the creator terms” to become a creator."
        else:
            try:
                creators.become_creator(user, display_name=request.form.get("display_name") or default_name)
            except ServiceError as exc:
                error = exc.message
            else:
                flash("Welcome to the studio. Start your first pack here.", "success")
                return redirect(url_for("studio.index"), 303)
    return render(
        "account/become_creator.html",
        status=422 if error else 200,
        creator_error=error,
        display_name=request.form.get("display_name", default_name),
    )
