"""Admin pages: the moderation queue, users and roles, the audit log, jobs and metrics."""

from flask import Blueprint

bp = Blueprint("admin", __name__)
