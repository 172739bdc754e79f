"""The library in a real browser on a phone: search as you type, a practice being made becoming playable,
favourite and delete through htmx; screenshots of the library and stats pages at phone and desktop widths."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from playwright.sync_api import Page, expect

from app.models.types import utcnow
from app.services import practice
from app.services.practice import Report
from app.tasks.worker import build_worker
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import make_user
from tests.generation_helpers import request, seed_voices
from tests.library_helpers import entitle, make_item, make_pack

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _play(app, user_id, item_id, seconds: int) -> None:  # type: ignore[no-untyped-def]
    report = {"event_id": str(uuid.uuid4()), "ritual_id": str(item_id), "kind": "complete", "listened_seconds": seconds}
    with app.app_context():
        practice.record(user_id, Report.parse(report))


def test_search_favourite_delete_and_a_practice_becoming_playable(
    live_server: LiveServer, page: Page, browser_log: BrowserLog, screenshot_dir
):
    app = live_server.app
    seed_voices(app)
    person, creator = make_user(app, credits_=3), make_user(app)
    yesterday = utcnow() - timedelta(days=1)
    harbour = make_item(
        app,
        person.id,
        title="Letting the day go",
        text="Breathe in. Picture a quiet harbour at dusk, the boats resting.",
        created_at=yesterday,
        tags=("evening", "stress"),
    )
    make_item(app, person.id, title="Morning affirmations", content_type="affirmation", minutes=3, tags=("morning",))
    make_item(app, person.id, title="Desk reset", minutes=5, tags=("work", "focus"))
    shared = make_item(app, creator.id, title="Ocean breath", content_type="ritual", minutes=8, tags=("sea",))
    entitle(app, person.id, make_pack(app, creator.id, [shared], title="Sea and sky"))
    for seconds in (600, 420):
        _play(app, person.id, harbour, seconds)
    _play(app, person.id, shared, 480)
    making = request(app, person.id)  # still being made when the page opens

    page.set_viewport_size(PHONE)
    log_in(page, live_server, person.email, person.password, lands_on="/library")
    cards = page.locator(".entry")
    expect(cards).to_have_count(5)
    progress = page.locator(f"#entry-{making} .entry-progress")
    expect(progress).to_be_visible()
    page.screenshot(path=str(screenshot_dir / "library-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshot_dir / "library-1280.png"), full_page=True)
    page.set_viewport_size(PHONE)

    # A word from yesterday's script finds it as it is typed.
    page.get_by_label("Search titles and scripts").press_sequentially("harbour", delay=30)
    expect(cards).to_have_count(1)
    expect(cards.first).to_contain_text("Letting the day go")
    expect(page.locator("#results-count")).to_have_text("1 practice found")
    expect(page).to_have_url(re.compile(r"/library\?q=harbour"))
    page.get_by_label("Search titles and scripts").fill("")
    expect(page).to_have_url(re.compile(r"/library\?q=&"))
    expect(cards).to_have_count(5)

    # Favourite through htmx: the button says it is pressed.
    favourite = page.get_by_role("button", name="Favourite: Desk reset")
    favourite.click()
    expect(page.get_by_role("button", name="Favourite: Desk reset")).to_have_attribute("aria-pressed", "true")

    # The practice being made becomes a playable card on its own (the page polls its progress).
    build_worker(app).work(burst=True, with_scheduler=False)
    card = page.locator(f"#entry-{making}")
    expect(card.get_by_role("link", name=re.compile("^Play"))).to_be_visible(timeout=15_000)
    expect(card.locator(".entry-progress")).to_have_count(0)

    # Delete asks first, inside the card, then the card goes and a message says so.
    desk = page.locator(".entry", has_text="Desk reset")
    desk.locator("summary").click()
    desk.get_by_role("link", name="Delete…").click()
    expect(desk.get_by_role("heading", name="Delete “Desk reset”?")).to_be_visible()
    expect(desk.get_by_role("link", name="Keep it")).to_be_focused()
    desk.get_by_role("button", name="Delete it").click()
    expect(page.locator("#flashes")).to_contain_text("Deleted “Desk reset”.")
    expect(cards).to_have_count(4)

    page.goto(live_server("/library/stats"))
    expect(page.locator(".streak-badge")).to_contain_text("current streak")
    expect(page.get_by_role("list", name="Minutes per day, the last 30 days").locator("li")).to_have_count(30)
    page.screenshot(path=str(screenshot_dir / "stats-390.png"), full_page=True)
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshot_dir / "stats-1280.png"), full_page=True)
    browser_log.assert_clean()
