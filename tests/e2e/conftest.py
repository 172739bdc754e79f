"""Browser tests: the real app served on 127.0.0.1 from a thread, driven by Debian's Chromium.

The server serves the very app object of the `app` fixture, so each test gets that fixture's clean
database and flushed Redis afterwards. Every browser context here may only talk to that server:
any other request is aborted and recorded, and the tests assert that none happened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Route, expect

from tests.live import LiveServer

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """Debian's Chromium (Playwright's own browser download is not available here)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def log_in(page: Page, server: LiveServer, email: str, password: str, *, lands_on: str = "/account/") -> None:
    """Log in through the real form; `lands_on` is where the login should take the browser."""
    path = "/login" if lands_on == "/account/" else f"/login?next={lands_on}"
    page.goto(server(path))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page).to_have_url(server(lands_on))


@dataclass
class BrowserLog:
    """What a context did that a page should never do: leave the server, or log errors."""

    origin: str
    foreign_requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def watch(self, context: BrowserContext) -> BrowserContext:
        # Only URLs outside the live server match, so same-origin requests are not intercepted at all.
        context.route(re.compile(rf"^(?!{re.escape(self.origin)}/)[a-z-]+://"), self._block)
        context.on("page", self._watch_page)
        for page in context.pages:
            self._watch_page(page)
        return context

    def _block(self, route: Route) -> None:
        self.foreign_requests.append(route.request.url)
        route.abort("blockedbyclient")

    def _watch_page(self, page: Page) -> None:
        page.on("console", lambda message: self._console(page, message))
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _console(self, page: Page, message: ConsoleMessage) -> None:
        if message.type != "error":
            return
        # Chromium logs a 4xx *document* (an error page, a form sent back with errors) as a failed load;
        # the tests check those statuses themselves. A failed stylesheet, script or image still counts.
        url = message.location.get("url")
        if message.text.startswith("Failed to load resource: the server responded") and url == page.url:
            return
        self.errors.append(f"{message.text} ({url})")

    def assert_clean(self) -> None:
        assert not self.foreign_requests, f"requests left the live server: {self.foreign_requests}"
        assert not self.errors, "browser console errors:\n" + "\n".join(self.errors)


@pytest.fixture
def browser_log(live_server: LiveServer) -> BrowserLog:
    return BrowserLog(live_server.url)


@pytest.fixture
def context(browser_log: BrowserLog, new_context: Callable[..., BrowserContext]) -> BrowserContext:
    """pytest-playwright's context, restricted to the live server.

    `browser_log` comes first on purpose: the server is then set up before `new_context` and torn down
    after it has closed its contexts, so no browser connection is left open on a stopped server.
    """
    return browser_log.watch(new_context())


@pytest.fixture(scope="session")
def screenshot_dir(pytestconfig: pytest.Config) -> Path:
    path = pytestconfig.rootpath / "test-results" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="session")
def axe_source(pytestconfig: pytest.Config) -> str:
    path = pytestconfig.rootpath / "node_modules" / "axe-core" / "axe.min.js"
    assert path.is_file(), f"{path} is missing: run `npm ci` (or `make browser-tools`)"
    return path.read_text(encoding="utf-8")
