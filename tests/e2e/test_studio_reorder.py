"""Reordering a pack's practices in the studio in a real browser: drag a practice by its handle (saved
at once and announced), the arrow keys on a handle, the ↑/↓ buttons as before, and a refused save
putting back the order the server has."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from flask import Flask
from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import ContentItem, RitualPack, User
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import DEFAULT_PASSWORD
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack

TITLE = "Evening set"
ITEMS = (("guided_meditation", 5), ("affirmation", 3), ("ritual", 4))


def _creator_with_a_draft(app: Flask) -> tuple[str, uuid.UUID, list[uuid.UUID]]:
    creator = make_creator(app, "Ana Light")
    pack = publish_pack(app, creator, title=TITLE, status="draft", index=False, items=ITEMS)
    with app.app_context():
        email = db.session.get(User, creator).email
    return email, pack, pack_item_ids(app, pack)


def _titles(app: Flask, pack: uuid.UUID) -> list[str]:
    """The pack's practice titles in the order the database has."""
    ids = pack_item_ids(app, pack)
    with app.app_context():
        return [db.session.get(ContentItem, item_id).title for item_id in ids]


def _expect_order(page: Page, *numbers: int) -> None:
    expected = [f"{n + 1}. {TITLE} {number}" for n, number in enumerate(numbers)]
    expect(page.locator("#practice-list .practice-title")).to_have_text(expected)


def test_drag_a_practice_to_the_top_and_it_stays_there(
    live_server: LiveServer, page: Page, browser_log: BrowserLog, axe_source: str
):
    app = live_server.app
    email, pack, _ids = _creator_with_a_draft(app)
    page.context.add_init_script(script=axe_source)
    log_in(page, live_server, email, DEFAULT_PASSWORD)
    page.goto(live_server(f"/studio/packs/{pack}"))
    _expect_order(page, 1, 2, 3)
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    assert [v["id"] for v in result["violations"] if v["impact"] in ("serious", "critical")] == []
    status = page.locator("#reorder-status")
    expect(status).to_have_text("")
    expect(status).to_have_attribute("aria-live", "polite")

    handle = page.get_by_role("button", name=f"Drag to reorder: {TITLE} 3")
    expect(handle).to_be_visible()
    handle.drag_to(page.locator("#practice-list > li").first)

    _expect_order(page, 3, 1, 2)
    expect(status).to_have_text(f"Moved {TITLE} 3 to position 1 of 3.")
    expect(page.locator("#practice-list")).not_to_have_attribute("aria-busy", "true")
    assert _titles(app, pack) == [f"{TITLE} 3", f"{TITLE} 1", f"{TITLE} 2"]
    expect(page.get_by_role("button", name=f"Move up: {TITLE} 3")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move down: {TITLE} 2")).to_be_disabled()
    expect(page.get_by_role("button", name=f"Move up: {TITLE} 2")).to_be_enabled()

    page.reload()
    _expect_order(page, 3, 1, 2)

    # The ↑/↓ buttons still move a practice one place (in place, with htmx).
    page.get_by_role("button", name=f"Move down: {TITLE} 3").click()
    _expect_order(page, 1, 3, 2)
    expect(page.get_by_role("button", name=f"Move down: {TITLE} 3")).to_be_focused()
    page.get_by_role("button", name=f"Move up: {TITLE} 2").click()
    _expect_order(page, 1, 2, 3)
    expect(page.get_by_role("button", name=f"Move up: {TITLE} 2")).to_be_focused()  # htmx has settled
    assert _titles(app, pack) == [f"{TITLE} 1", f"{TITLE} 2", f"{TITLE} 3"]

    # The arrow keys on a handle do the same, saved and announced.
    handle = page.get_by_role("button", name=f"Drag to reorder: {TITLE} 1")
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)
    handle.focus()
    expect(handle).to_be_focused()  # not taken back by the last swap's settling
    page.keyboard.press("ArrowDown")
    _expect_order(page, 2, 1, 3)
    expect(status).to_have_text(f"Moved {TITLE} 1 to position 2 of 3.")
    expect(handle).to_be_focused()
    expect(page.locator("#practice-list")).not_to_have_attribute("aria-busy", "true")
    assert _titles(app, pack) == [f"{TITLE} 2", f"{TITLE} 1", f"{TITLE} 3"]
    browser_log.assert_clean()


def test_a_refused_save_puts_back_the_order_the_server_has(
    live_server: LiveServer, page: Page, browser_log: BrowserLog
):
    app = live_server.app
    email, pack, _ids = _creator_with_a_draft(app)
    log_in(page, live_server, email, DEFAULT_PASSWORD)
    page.goto(live_server(f"/studio/packs/{pack}"))
    _expect_order(page, 1, 2, 3)
    with app.app_context():  # submitted for review in another tab: its practices are fixed now
        db.session.get(RitualPack, pack).status = "in_review"
        db.session.commit()

    page.get_by_role("button", name=f"Drag to reorder: {TITLE} 3").drag_to(page.locator("#practice-list > li").first)

    expect(page.locator("#reorder-status")).to_have_text(
        re.compile(r"^The new order could not be saved \(This pack is waiting for review.*\)\. The practices are back")
    )
    _expect_order(page, 1, 2, 3)
    expect(page.locator(".drag-handle")).to_have_count(0)  # the server's list: a pack in review is not reordered
    assert _titles(app, pack) == [f"{TITLE} 1", f"{TITLE} 2", f"{TITLE} 3"]
    # Chromium logs the refused request (409) itself; nothing else may be in the console.
    refused = [error for error in browser_log.errors if "status of 409" in error and "/items/order" in error]
    assert len(refused) == 1
    browser_log.errors.remove(refused[0])
    browser_log.assert_clean()


def test_a_finger_drags_a_practice_too(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    browser_log: BrowserLog,
):
    app = live_server.app
    email, pack, _ids = _creator_with_a_draft(app)
    context = browser_log.watch(new_context(viewport={"width": 390, "height": 844}, has_touch=True))
    page = context.new_page()
    log_in(page, live_server, email, DEFAULT_PASSWORD)
    page.goto(live_server(f"/studio/packs/{pack}"))
    page.locator("#practice-list").scroll_into_view_if_needed()
    handle = page.get_by_role("button", name=f"Drag to reorder: {TITLE} 1").bounding_box()
    last = page.locator("#practice-list > li").last.bounding_box()
    assert handle and last
    start = {"x": handle["x"] + handle["width"] / 2, "y": handle["y"] + handle["height"] / 2}
    end = {"x": start["x"], "y": last["y"] + last["height"] / 2}
    touch = context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [start]})
    for step in range(1, 6):
        y = start["y"] + (end["y"] - start["y"]) * step / 5
        touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": start["x"], "y": y}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})

    _expect_order(page, 2, 3, 1)
    expect(page.locator("#reorder-status")).to_have_text(f"Moved {TITLE} 1 to position 3 of 3.")
    expect(page.locator("#practice-list")).not_to_have_attribute("aria-busy", "true")
    assert _titles(app, pack) == [f"{TITLE} 2", f"{TITLE} 3", f"{TITLE} 1"]
    browser_log.assert_clean()
