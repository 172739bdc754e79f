"""Object storage: a local directory (default) or S3, chosen by STORAGE_BACKEND."""

from __future__ import annotations

import os

from flask import Flask, current_app

from app.providers.storage.base import SignedUrl, Storage, StorageError, attachment, audio_key, check_key

__all__ = ["SignedUrl", "Storage", "StorageError", "attachment", "audio_key", "check_key", "get_storage", "init_app"]


def build_storage(app: Flask) -> Storage:
    cfg = app.config
    if cfg["STORAGE_BACKEND"] == "s3":
        from app.providers.storage.s3 import S3Storage

        return S3Storage(
            cfg["S3_BUCKET"],
            endpoint_url=cfg.get("S3_ENDPOINT_URL"),
            region=cfg.get("S3_REGION"),
            cdn_base_url=cfg.get("CDN_BASE_URL"),
            access_key=cfg.get("S3_ACCESS_KEY_ID"),
            secret_key=cfg.get("S3_SECRET_ACCESS_KEY"),
        )
    from app.providers.storage.local import LocalStorage

    root = cfg.get("STORAGE_DIR") or os.path.join(app.instance_path, "storage")
    base = (cfg.get("CDN_BASE_URL") or "").rstrip("/") + "/media/"
    return LocalStorage(root, cfg["SECRET_KEY"], base_url=base)


def init_app(app: Flask) -> None:
    app.extensions["storage"] = build_storage(app)


def get_storage() -> Storage:
    return current_app.extensions["storage"]
