"""Marketplace search: a Whoosh index under instance/ (default) or Elasticsearch, chosen by SEARCH_BACKEND."""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping

from flask import Flask, current_app

from app.providers.search.base import (
    SORTS,
    PackDocument,
    SearchError,
    SearchProvider,
    SearchQuery,
    SearchResult,
)

__all__ = [
    "SORTS",
    "PackDocument",
    "SearchError",
    "SearchProvider",
    "SearchQuery",
    "SearchResult",
    "build_search",
    "get_search",
]

_build_lock = threading.Lock()


def build_search(config: Mapping[str, object], instance_path: str | None = None) -> SearchProvider:
    """A provider from settings: SEARCH_BACKEND, SEARCH_INDEX_NAME, SEARCH_INDEX_DIR, ELASTICSEARCH_URL."""
    backend = config.get("SEARCH_BACKEND") or "whoosh"
    name = str(config.get("SEARCH_INDEX_NAME") or "waqup-packs")
    if backend == "elasticsearch":
        from app.providers.search.elastic_search import ElasticsearchSearch

        url = config.get("ELASTICSEARCH_URL")
        if not url:
            raise RuntimeError("SEARCH_BACKEND is elasticsearch but ELASTICSEARCH_URL is not set")
        return ElasticsearchSearch(str(url), name)
    if backend != "whoosh":
        raise RuntimeError(f"SEARCH_BACKEND must be whoosh or elasticsearch, not {backend!r}")
    from app.providers.search.whoosh_search import WhooshSearch

    directory = config.get("SEARCH_INDEX_DIR") or os.path.join(
        instance_path or str(config.get("INSTANCE_PATH") or "instance"), "search"
    )
    return WhooshSearch(str(directory), name)


def get_search(app: Flask | None = None) -> SearchProvider:
    """The app's search provider, built from its config on first use and kept in `app.extensions`."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    provider = app.extensions.get("search")
    if provider is None:
        with _build_lock:
            provider = app.extensions.get("search")
            if provider is None:
                provider = build_search(app.config, app.instance_path)
                app.extensions["search"] = provider
    return provider
