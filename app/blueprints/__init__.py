"""Blueprint registration: one package per area; each package's views live in its routes module."""

from __future__ import annotations

import importlib

from flask import Flask

# (package, url prefix)
BLUEPRINTS = [
    ("main", None),
    ("auth", None),
    ("account", "/account"),
    ("api", "/api/v1"),
]


def register_blueprints(app: Flask) -> None:
    for name, prefix in BLUEPRINTS:
        package = importlib.import_module(f"app.blueprints.{name}")
        importlib.import_module(f"app.blueprints.{name}.routes")  # attaches the views to package.bp
        app.register_blueprint(package.bp, url_prefix=prefix)
