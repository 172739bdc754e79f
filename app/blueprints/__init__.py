"""Blueprint registration: one package per area; its view modules attach themselves to its `bp`."""

from __future__ import annotations

import importlib

from flask import Flask

# (package, url prefix, view modules)
BLUEPRINTS = [
    ("main", None, ["routes"]),
    ("auth", None, ["routes"]),
    ("account", "/account", ["routes"]),
    ("media", "/media", ["routes"]),
    ("builder", None, ["routes", "socket"]),
    ("practice", "/practice", ["routes"]),
    ("library", "/library", ["routes", "player"]),
    ("marketplace", "/marketplace", ["routes", "reviews"]),
    ("studio", "/studio", ["routes", "profile", "analytics"]),
    ("admin", "/admin", ["routes", "users", "audit", "jobs"]),
    (
        "api",
        "/api/v1",
        [
            "routes",
            "rituals",
            "conversations",
            "library",
            "practice",
            "packs",
            "payments",
            "studio",
            "reviews",
            "admin",
            "admin_ops",
        ],
    ),
    ("webhooks", None, ["routes"]),
    ("checkout", "/checkout", ["routes"]),
]


def register_blueprints(app: Flask) -> None:
    for name, prefix, modules in BLUEPRINTS:
        package = importlib.import_module(f"app.blueprints.{name}")
        for module in modules:
            importlib.import_module(f"app.blueprints.{name}.{module}")
        app.register_blueprint(package.bp, url_prefix=prefix)
