from __future__ import annotations

from flask import current_app, flash, redirect, request, url_for
from flask_login import current_user
from werkzeug.wrappers import Response

from app.blueprints.auth import bp
from app.blueprints.auth import session as login_session
from app.blueprints.auth.forms import LoginForm, RegisterForm
from app.extensions import limiter
from app.htmx import render
from app.services import ServiceError, accounts


def _login_limit() -> str:
    return current_app.config["RATELIMIT_LOGIN"]


def _register_limit() -> str:
    return current_app.config["RATELIMIT_REGISTER"]


def _email_key() -> str:
    return "login-email:" + (request.form.get("email") or "").strip().lower()[:254]


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(_register_limit, methods=["POST"])  # SECURITY.md 12: test_registration_is_rate_limited
def register() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    form = RegisterForm()
    if form.validate_on_submit():
        try:
            user = accounts.register(form.email.data, form.password.data)
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            login_session.start(user)
            flash("Welcome to waQup. Your first practice is on us: you have 1 free credit.", "success")
            return redirect(login_session.safe_next(form.next.data, url_for("account.index")))
    elif request.method == "GET":
        form.next.data = request.args.get("next", "")
    status = 400 if request.method == "POST" else 200
    return render("auth/register.html", form=form, status=status)


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])  # SECURITY.md 12: test_login_is_rate_limited
@limiter.limit(_login_limit, methods=["POST"], key_func=_email_key)
def login() -> Response:
    if current_user.is_authenticated:
        return redirect(url_for("account.index"))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is not None and user.is_active:
            login_session.start(user)
            return redirect(login_session.safe_next(form.next.data, url_for("account.index")))
        form.password.errors.append(
            "This account is suspended." if user is not None else "That email and password do not match."
        )
        status = 401
    elif request.method == "POST":
        status = 400
    else:
        form.next.data = request.args.get("next", "")
    return render("auth/login.html", form=form, status=status)


@bp.post("/logout")
def logout() -> Response:
    login_session.end()
    flash("You are logged out.", "info")
    return redirect(url_for("main.home"))
