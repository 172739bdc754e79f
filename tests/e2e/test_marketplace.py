"""The marketplace in a real browser: a visitor searches "sleep" as they type, opens the pack, plays
a preview, logs in, buys it through the simulated checkout (which posts a signed webhook to our own
endpoint), finds it in their library, and the creator's tokens rise once; axe and screenshots at
phone and desktop widths along the way."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import CreatorTokenTransaction, Entitlement, Purchase
from app.services import creator_tokens
from tests.e2e.conftest import BrowserLog, LiveServer
from tests.factories import make_user
from tests.marketplace_helpers import make_creator, pack_item_ids, publish_pack, store_real_audio

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _catalog(app):  # type: ignore[no-untyped-def]
    creator = make_creator(app, "Maya Rivers", "Maya teaches rest for people who find it hard.")
    sleep = publish_pack(
        app, creator, title="Deep Sleep Wind-Down", tags=("sleep", "evening"), price_type="one_time",
        price_amount=499, description="Three evening practices for letting the day go and sleeping deeply.",
    )
    publish_pack(app, creator, title="Five-Minute Morning Reset", tags=("morning", "energy"), items=(("ritual", 5),))
    publish_pack(
        app, creator, title="Calm Before the Interview", tags=("anxiety", "confidence"), price_type="subscription",
        price_amount=399, interval="monthly", items=(("affirmation", 4),),
    )
    store_real_audio(app, pack_item_ids(app, sleep)[0], seconds=40)
    return creator, sleep


def _check_page(page: Page, name: str, screenshot_dir: Path, problems: list[str]) -> None:
    """Axe finds nothing serious, nothing scrolls sideways at either width; screenshots of both."""
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    for violation in result["violations"]:
        if violation["impact"] in ("serious", "critical"):
            targets = json.dumps([node["target"] for node in violation["nodes"]])
            problems.append(f"{name}: {violation['impact']} {violation['id']} {targets}")
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > viewport["width"]:
            problems.append(f"{name} is {width}px wide at {viewport['width']}px")
        page.screenshot(path=screenshot_dir / f"{name}-{viewport['width']}.png", full_page=True, animations="disabled")
    page.set_viewport_size(PHONE)


def test_a_visitor_finds_a_sleep_pack_buys_it_and_plays_it_from_the_library(
    live_server: LiveServer,
    new_context,  # type: ignore[no-untyped-def]
    browser_log: BrowserLog,
    axe_source: str,
    screenshot_dir: Path,
):
    app = live_server.app
    creator, sleep = _catalog(app)
    buyer = make_user(app)
    context: BrowserContext = browser_log.watch(new_context(viewport=PHONE))
    context.add_init_script(script=axe_source)
    page = context.new_page()
    problems: list[str] = []

    page.goto(live_server("/marketplace"))
    expect(page.locator(".pack-card")).to_have_count(3)
    _check_page(page, "marketplace", screenshot_dir, problems)

    # Results as you type: the box asks as the words come, and the address follows.
    page.get_by_label("Search packs").press_sequentially("sleep", delay=40)
    expect(page.locator(".pack-card")).to_have_count(1)
    expect(page.locator(".pack-card")).to_contain_text("Deep Sleep Wind-Down")
    expect(page).to_have_url(live_server("/marketplace?q=sleep"))
    _check_page(page, "marketplace-search", screenshot_dir, problems)

    page.get_by_role("link", name="Deep Sleep Wind-Down").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deep Sleep Wind-Down")
    preview = page.locator(".pack-preview audio").first
    preview.evaluate("audio => audio.play()")
    page.wait_for_function("() => document.querySelector('.pack-preview audio').currentTime > 0.5")
    assert preview.evaluate("audio => audio.duration") <= 30.5  # a preview, not the whole practice
    preview.evaluate("audio => audio.pause()")
    _check_page(page, "marketplace-pack", screenshot_dir, problems)

    page.get_by_role("link", name="Log in to buy it").click()
    page.get_by_label("Email").fill(buyer.email)
    page.get_by_label("Password").fill(buyer.password)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deep Sleep Wind-Down")

    page.get_by_role("button", name="Buy for $4.99").click()
    expect(page.get_by_role("heading", name="Confirm your order")).to_be_visible()
    expect(page.get_by_test_id("order-price")).to_have_text("$4.99")
    _check_page(page, "checkout-simulated", screenshot_dir, problems)
    page.get_by_role("button", name="Pay $4.99").click()
    expect(page.get_by_role("heading", name="It's in your library")).to_be_visible()
    _check_page(page, "checkout-success", screenshot_dir, problems)

    page.get_by_role("link", name="Go to your library").click()
    expect(page.locator(".entry")).to_have_count(2)
    expect(page.locator(".entry").first).to_contain_text("From pack “Deep Sleep Wind-Down”")
    page.goto(live_server(f"/marketplace/packs/{sleep}"))
    expect(page.locator(".owned-mark")).to_have_text("In your library")

    with app.app_context():
        purchase = db.session.scalar(db.select(Purchase).where(Purchase.user_id == buyer.id))
        assert (purchase.status, purchase.amount) == ("paid", 499)
        held = db.session.scalars(db.select(Entitlement).where(Entitlement.user_id == buyer.id)).all()
        assert [(row.pack_id, row.source) for row in held] == [(sleep, "purchase")]
        assert creator_tokens.balance(creator) == 349  # 70 % of $4.99, once
        assert db.session.scalar(db.select(db.func.count()).select_from(CreatorTokenTransaction)) == 1

    assert not problems, "problems:\n" + "\n".join(problems)
    browser_log.assert_clean()
