"""A live server for tests that need real sockets: the `app` fixture's app on 127.0.0.1 in a thread."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
from flask import Flask
from werkzeug.serving import make_server


@dataclass(frozen=True)
class LiveServer:
    app: Flask
    url: str

    def __call__(self, path: str = "/") -> str:
        """The absolute URL of `path` on this server."""
        return self.url + path


def closing_responses(app: Flask) -> Callable[..., Iterable[bytes]]:
    """The app, with every response body closed even when the client resets the connection.

    Werkzeug's development server reads the socket before it closes the body, and a reset there (a
    browser dropping a media request when it seeks or leaves the page) skips the close: the served
    file would be left open. This generator closes it when it ends or is dropped."""

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        body = app(environ, start_response)

        def chunks() -> Iterator[bytes]:
            try:
                yield from body
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()

        return chunks()

    return wsgi


@contextmanager
def serving(app: Flask) -> Iterator[LiveServer]:
    """Serve `app` on a free port until the block ends."""
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    # Request threads are tracked so the block can wait for them: one still running when the app's
    # engine is disposed would hand its connection back to a pool that no longer closes it.
    server.daemon_threads = False
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(app, f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        for request_thread in list(vars(server).get("_threads", [])):
            request_thread.join(timeout=5)
        server.block_on_close = False  # joined above, each with a bound
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def live_server(app: Flask) -> Iterator[LiveServer]:
    """The `app` fixture's app on a free port; torn down before that fixture cleans the data."""
    with serving(app) as server:
        yield server
