"""The library in a real browser on a phone: search as you type, a practice being made becoming playable,
favourite and delete through htmx; the filters folded behind "Filters and sorting", with and without
JavaScript; screenshots of the library and stats pages at phone and desktop widths."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import timedelta

from playwright.sync_api import BrowserContext, Page, expect

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


def _axe_problems(page: Page) -> list[str]:
    """Serious or critical axe-core findings on the page as it is now."""
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {v['help']} -> {json.dumps([n['target'] for n in v['nodes']])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _fits(page: Page, width: int) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no horizontal scrolling


def test_filters_fold_away_on_a_phone_and_work_without_javascript(
    live_server: LiveServer,
    page: Page,
    browser_log: BrowserLog,
    screenshot_dir,
    axe_source: str,
    new_context: Callable[..., BrowserContext],
):
    app = live_server.app
    person = make_user(app)
    for n in range(5):
        make_item(app, person.id, title=f"Evening practice {n + 1}", minutes=5 + n, tags=("evening",))
    make_item(app, person.id, title="Morning affirmations", content_type="affirmation", minutes=3, tags=("morning",))

    page.context.add_init_script(script=axe_source)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, person.email, person.password, lands_on="/library")
    filters = page.locator("details.filter-more")
    summary = filters.locator("summary")
    cards = page.locator(".entry")
    expect(summary).to_have_text("Filters and sorting")
    assert filters.evaluate("d => d.open") is False
    expect(page.get_by_label("Kind")).to_be_hidden()
    expect(page.get_by_label("Search titles and scripts")).to_be_visible()  # the search box stays out
    assert cards.first.bounding_box()["y"] < PHONE["height"] * 0.75  # results start on the first screen
    _fits(page, PHONE["width"])
    assert not _axe_problems(page)
    page.screenshot(path=str(screenshot_dir / "library-filters-closed-390.png"), full_page=True)

    # From the keyboard: the summary takes a visible focus ring and opens with Enter.
    page.get_by_label("Search titles and scripts").click()
    page.keyboard.press("Tab")
    expect(summary).to_be_focused()
    assert summary.evaluate("s => getComputedStyle(s).outlineStyle") != "none"
    page.keyboard.press("Enter")
    assert filters.evaluate("d => d.open") is True
    page.get_by_label("Kind").select_option("affirmation")
    expect(cards).to_have_count(1)
    expect(page).to_have_url(re.compile(r"type=affirmation"))
    expect(page.locator("#filters-active")).to_have_text(", 1 active")  # the summary says so, also when closed
    _fits(page, PHONE["width"])
    assert not _axe_problems(page)
    page.screenshot(path=str(screenshot_dir / "library-filters-open-390.png"), full_page=True)

    page.reload()  # a page with a filter on opens with the filters shown
    assert filters.evaluate("d => d.open") is True
    expect(page.get_by_label("Kind")).to_have_value("affirmation")
    page.set_viewport_size(DESKTOP)
    page.screenshot(path=str(screenshot_dir / "library-filters-open-1280.png"), full_page=True)
    page.get_by_role("link", name="Clear filters").click()
    expect(cards).to_have_count(6)
    assert filters.evaluate("d => d.open") is False
    expect(page.locator("#filters-active")).to_have_text("")
    page.screenshot(path=str(screenshot_dir / "library-filters-closed-1280.png"), full_page=True)

    # Without JavaScript: the disclosure is plain HTML and the form a plain GET.
    plain = browser_log.watch(new_context(java_script_enabled=False, viewport=PHONE)).new_page()
    log_in(plain, live_server, person.email, person.password, lands_on="/library")
    plain_filters = plain.locator("details.filter-more")
    assert plain_filters.evaluate("d => d.open") is False
    plain.get_by_label("Search titles and scripts").fill("morning")
    plain.get_by_label("Search titles and scripts").press("Enter")  # submits with the filters folded away
    expect(plain).to_have_url(re.compile(r"/library\?q=morning"))
    expect(plain.locator(".entry")).to_have_count(1)
    assert plain_filters.evaluate("d => d.open") is False
    plain.get_by_label("Search titles and scripts").fill("")
    plain_filters.locator("summary").click()
    plain.get_by_label("Sort by").select_option("title")
    plain.get_by_role("button", name="Show").click()
    expect(plain).to_have_url(re.compile(r"sort=title"))
    assert plain_filters.evaluate("d => d.open") is True
    expect(plain.locator(".entry-title").first).to_have_text("Evening practice 1")
    browser_log.assert_clean()
