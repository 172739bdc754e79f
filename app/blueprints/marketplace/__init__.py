"""The marketplace: browse and search published packs, open one, get it or buy it."""

from flask import Blueprint

bp = Blueprint("marketplace", __name__)
