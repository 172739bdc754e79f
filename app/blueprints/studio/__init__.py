"""The creator studio: a creator's packs from draft to published, their profile, analytics and tokens."""

from flask import Blueprint

bp = Blueprint("studio", __name__)
