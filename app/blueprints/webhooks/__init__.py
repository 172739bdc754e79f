from flask import Blueprint

from app.extensions import csrf

bp = Blueprint("webhooks", __name__)
# SECURITY.md 15: the one exemption from CSRF — Stripe cannot hold a token; its signature is checked instead.
csrf.exempt(bp)
