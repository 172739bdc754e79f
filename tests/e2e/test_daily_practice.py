"""The whole of the library's promise, across two days: yesterday's meditation made and left
half-way; today found on a phone by a word from its script, resumed where it stopped, finished,
and the streak grown to two days."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import time_machine
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import ContentItem
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.e2e.test_player import AUDIO, PHONE, _seconds, _time
from tests.factories import make_user
from tests.generation_helpers import drain, request, seed_voices


def _script_word(app, item_id: str) -> str:  # type: ignore[no-untyped-def]
    """A word of the script that the title does not have, for the library search."""
    with app.app_context():
        item = db.session.get(ContentItem, item_id)
        title = item.title.lower()
        words = re.findall(r"[a-z]{6,}", item.content_text.lower())
    return next(word for word in words if word not in title)


def test_yesterdays_meditation_found_resumed_finished_and_the_streak_grows(
    live_server: LiveServer, page: Page, browser_log: BrowserLog
):
    app = live_server.app
    seed_voices(app)
    person = make_user(app)
    page.set_viewport_size(PHONE)

    with time_machine.travel(datetime.now(UTC) - timedelta(days=1), tick=True):  # yesterday, on the server
        item_id = request(app, person.id)  # a one-minute guided meditation
        drain(app)
        log_in(page, live_server, person.email, person.password, lands_on=f"/library/{item_id}")
        page.get_by_role("button", name="Mute").click()
        with page.expect_response(lambda r: r.url.endswith("/practice/events") and r.status == 201):
            page.get_by_role("button", name="Play", exact=True).click()
        duration = page.evaluate(f"{AUDIO}.duration")
        page.get_by_role("slider", name="Position").fill(str(int(duration / 2)))
        page.wait_for_function(f"() => {AUDIO}.currentTime > {int(duration / 2) + 1}")
        page.locator("h1").click()
        with page.expect_response(lambda r: r.url.endswith("/practice/events") and r.status == 200):
            page.keyboard.press("k")  # pause half-way
        stopped_at = _time(page)
        page.goto(live_server("/library"))

    # Today: the library on the phone, a word from the script, the same place.
    page.goto(live_server("/library"))
    search = page.get_by_label("Search titles and scripts")
    search.press_sequentially(_script_word(app, item_id), delay=30)
    cards = page.locator(".entry")
    expect(cards).to_have_count(1)
    cards.first.get_by_role("link", name=re.compile(r"^Play ")).click()
    expect(page).to_have_url(live_server(f"/library/{item_id}"))
    resume = page.get_by_role("button", name=re.compile(r"^Resume from \d+:\d\d$"))
    expect(resume).to_be_visible()
    page.wait_for_function("() => navigator.mediaSession.metadata !== null")  # the lock screen's title
    assert page.evaluate("navigator.mediaSession.metadata.title") == page.locator("h1").inner_text()
    assert abs(_seconds(resume.locator("[data-resume-time]").inner_text()) - stopped_at) <= 1.5
    page.wait_for_timeout(300)
    assert page.evaluate(f"{AUDIO}.paused")  # no autoplay on reopening
    page.get_by_role("button", name="Mute").click()
    resume.click()
    page.wait_for_function(f"() => !{AUDIO}.paused && {AUDIO}.currentTime > 0")
    assert abs(_time(page) - stopped_at) <= 2
    page.get_by_role("slider", name="Position").fill(str(int(duration - 3)))
    expect(page.get_by_role("heading", name="How do you feel?")).to_be_visible(timeout=15_000)
    page.get_by_role("button", name="5 Great").click()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#thanks")).to_contain_text("Your streak: 2 days in a row.")

    page.goto(live_server("/library/stats"))
    expect(page.locator(".streak-badge")).to_contain_text(re.compile(r"2\s*days in a row"))
    browser_log.assert_clean()
