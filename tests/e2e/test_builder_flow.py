"""The builder in a real browser: typing and chips to a confirmed practice, progress, playback."""

from __future__ import annotations

import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import ContentItem
from app.tasks.worker import build_worker
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import make_user
from tests.generation_helpers import seed_voices

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _say(page: Page, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".bubble-user").last).to_contain_text(text)


def test_chat_to_a_playing_meditation(live_server: LiveServer, page: Page, browser_log: BrowserLog, screenshot_dir):
    app = live_server.app
    seed_voices(app)
    person = make_user(app)
    frames: list[str] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda payload: frames.append(str(payload))))
    page.set_viewport_size(PHONE)
    log_in(page, live_server, person.email, person.password, lands_on="/create")
    expect(page.locator(".bubble-assistant").first).to_contain_text("What would you like it to help with?")

    _say(page, "I want to wind down before sleep")
    expect(page.locator("#spec-card")).to_contain_text(re.compile("wind down before sleep", re.IGNORECASE))
    page.get_by_role("button", name="In bed").click()  # a chip
    expect(page.locator(".bubble-assistant").last).to_contain_text("How long")
    page.get_by_role("slider", name="Length").fill("5")  # the duration slider
    expect(page.locator("#minutes-value")).to_have_text("5 min")
    page.get_by_role("button", name="Use this length").click()
    expect(page.locator("#spec-card")).to_contain_text("5 minutes")
    expect(page.get_by_role("button", name="Slow", exact=True)).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "builder-chat-390.png"), full_page=True)
    page.get_by_role("button", name="Slow", exact=True).click()  # the pace control
    expect(page.locator("#spec-card")).to_contain_text("Slow")
    _say(page, "sounds good")
    create = page.get_by_role("button", name="Create it (1 credit)")
    expect(create).to_be_visible()
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshot_dir / "builder-confirm-1280.png"), full_page=True)
    create.click()
    expect(page.locator("#progress")).to_contain_text("Making your practice")
    for _ in range(150):  # the browser reports sent frames asynchronously, later when the machine is busy
        if len(frames) >= 6:
            break
        page.wait_for_timeout(100)
    assert len(frames) >= 6 and all('"conversation_id"' in frame for frame in frames)  # every turn went over the socket
    expect(page.locator("#progress")).not_to_have_attribute("hx-trigger", re.compile("."))  # pushed, not polled

    # The worker runs here (RQ wants the main thread) while the socket pushes its progress to the page.
    build_worker(app).work(burst=True, with_scheduler=False)
    expect(page.locator("#progress")).to_contain_text("is ready", timeout=15_000)
    audio = page.locator("audio.result-audio")
    expect(audio).to_be_visible()
    duration = page.evaluate(
        """() => new Promise(resolve => {
            const a = document.querySelector('audio.result-audio');
            const done = () => resolve(a.duration);
            if (a.readyState >= 1) done(); else a.addEventListener('loadedmetadata', done);
        })"""
    )
    assert 270 <= duration <= 330  # five minutes, ±10 %
    page.evaluate("() => { const a = document.querySelector('audio.result-audio'); a.muted = true; return a.play(); }")
    page.wait_for_function("() => document.querySelector('audio.result-audio').currentTime > 0.5")
    page.screenshot(path=str(screenshot_dir / "builder-ready-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    page.screenshot(path=str(screenshot_dir / "builder-ready-390.png"), full_page=True)

    with app.app_context():
        title = db.session.scalar(sa.select(ContentItem.title).where(ContentItem.user_id == person.id))
    page.get_by_role("link", name="your library").click()  # the full player
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    page.goto(live_server("/create/history"))  # the conversation is in the history, with what it made
    expect(page.get_by_role("main")).to_contain_text(title)
    browser_log.assert_clean()
