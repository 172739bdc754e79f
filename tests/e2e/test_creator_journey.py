"""The whole supply side in a real browser, as a new person would try it: sign up, buy credits,
become a creator, make a pack of two practices with the real pipeline, submit it; an admin approves
it; a listener buys it through the simulated checkout, plays a practice and reviews the pack; the
creator sees the sale, the token reward and the rating in analytics. Axe and screenshots at phone
and desktop widths of the studio, the moderation queue and analytics."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import RitualPack, User
from app.services import creator_tokens
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import DEFAULT_PASSWORD, make_user
from tests.generation_helpers import drain, seed_voices

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def _check_page(page: Page, name: str, screenshot_dir: Path, problems: list[str]) -> None:
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


def _pay_at_the_simulated_checkout(page: Page, price: str) -> None:
    expect(page.get_by_role("heading", name="Confirm your order")).to_be_visible()
    page.get_by_role("button", name=f"Pay {price}").click()
    expect(page.get_by_role("heading", name=re.compile("in your library|credits are added"))).to_be_visible()


def _make_practice(page: Page, app, kind: str, intent: str) -> None:  # type: ignore[no-untyped-def]
    page.get_by_label("Kind").select_option(kind)
    page.get_by_label("Minutes").fill("1")
    page.get_by_label("What it is for").fill(intent)
    page.get_by_role("button", name="Make it for this pack").click()
    expect(page.locator("#flashes, .flash").first).to_be_visible()
    drain(app)  # the worker makes it


def test_a_new_creator_sells_a_reviewed_pack(
    live_server: LiveServer,
    new_context,  # type: ignore[no-untyped-def]
    browser_log: BrowserLog,
    axe_source: str,
    screenshot_dir: Path,
):
    app = live_server.app
    seed_voices(app)
    admin = make_user(app, roles=["user", "admin"])
    listener = make_user(app)
    email = f"new-creator-{uuid.uuid4().hex[:8]}@example.com"
    problems: list[str] = []

    def new_page() -> Page:
        context: BrowserContext = browser_log.watch(new_context(viewport=PHONE))
        context.add_init_script(script=axe_source)
        return context.new_page()

    # 1. Someone signs up and buys five credits (simulated checkout).
    creator = new_page()
    creator.goto(live_server("/register"))
    creator.get_by_label("Email").fill(email)
    creator.get_by_label("Password", exact=True).fill(DEFAULT_PASSWORD)
    creator.get_by_label("Repeat password").fill(DEFAULT_PASSWORD)
    creator.get_by_role("button", name="Create account").click()
    expect(creator).to_have_url(live_server("/account/"))
    creator.get_by_role("button", name=re.compile(r"^5 credits")).click()
    _pay_at_the_simulated_checkout(creator, "$4.99")
    expect(creator.get_by_test_id("header-credits")).to_have_text("6")

    # 2. They become a creator and make a priced pack of two practices.
    creator.goto(live_server("/account/"))
    creator.get_by_label("Your name on your packs").fill("Nora Vale")
    creator.get_by_label("I accept the creator terms").check()
    creator.get_by_role("button", name="Become a creator").click()
    expect(creator).to_have_url(re.compile(r"/studio"))
    creator.get_by_role("link", name="New pack").first.click()
    creator.get_by_label("Title").fill("Quiet Nights")
    creator.get_by_label("Description").fill("Two short practices for falling asleep after a busy day.")
    creator.get_by_label("Tags").fill("sleep, evening")
    creator.get_by_label("One-time").check()
    creator.get_by_label("Amount in US dollars (paid packs)").fill("3.99")
    creator.get_by_role("button", name="Create the draft").click()
    expect(creator.get_by_role("heading", name=re.compile("Status: Draft"))).to_be_visible()
    _make_practice(creator, app, "guided_meditation", "falling asleep after a busy day")
    creator.reload()
    _make_practice(creator, app, "affirmation", "letting the day go before sleep")
    creator.reload()
    expect(creator.locator(".practice-row")).to_have_count(2)
    expect(creator.get_by_text("2 of 2 practices ready")).to_be_visible()
    _check_page(creator, "studio-pack", screenshot_dir, problems)
    creator.get_by_role("button", name="Submit for review").click()
    expect(creator.get_by_role("heading", name=re.compile("Status: In review"))).to_be_visible()
    with app.app_context():
        pack = db.session.scalar(db.select(RitualPack).where(RitualPack.title == "Quiet Nights"))
        pack_id, creator_id = pack.id, pack.creator_id
        assert pack.status == "in_review" and pack.price_amount == 399

    # 3. An admin reads it in the moderation queue and approves it.
    moderator = new_page()
    log_in(moderator, live_server, admin.email, admin.password)
    moderator.goto(live_server("/admin/moderation"))
    expect(moderator.get_by_text("Quiet Nights").first).to_be_visible()
    _check_page(moderator, "admin-moderation-queue", screenshot_dir, problems)
    moderator.get_by_role("button", name="Approve and publish").click()
    expect(moderator.locator("#flashes")).to_contain_text(re.compile("publish", re.IGNORECASE))

    # 4. A listener finds it, buys it, plays a practice and reviews the pack.
    buyer = new_page()
    log_in(buyer, live_server, listener.email, listener.password)
    buyer.goto(live_server("/marketplace?q=quiet+nights"))
    buyer.get_by_role("link", name="Quiet Nights").click()
    buyer.get_by_role("button", name="Buy for $3.99").click()
    _pay_at_the_simulated_checkout(buyer, "$3.99")
    buyer.goto(live_server("/library?source=pack"))
    buyer.locator(".entry").first.get_by_role("link", name=re.compile("^Play")).click()
    buyer.get_by_role("button", name=re.compile("^(Play|Start)")).first.click()
    buyer.wait_for_function("() => { const a = document.querySelector('audio'); return a && a.currentTime > 1; }")
    buyer.goto(live_server(f"/marketplace/packs/{pack_id}"))
    buyer.locator("label.rating-option").filter(has_text="5").click()
    buyer.get_by_label(re.compile("^Your review")).fill("Calm voice, and I slept before it ended.")
    buyer.get_by_role("button", name="Post your review").click()
    expect(buyer.locator("p.review-body")).to_have_text("Calm voice, and I slept before it ended.")
    expect(buyer.get_by_role("link", name="5 out of 5 from 1 review")).to_be_visible()

    # 5. The creator sees the sale, the tokens and the rating.
    creator.goto(live_server("/studio/analytics"))
    _check_page(creator, "studio-analytics", screenshot_dir, problems)
    stats = creator.locator(".pack-stat").filter(has_text="Quiet Nights")
    expect(stats.locator("dd").nth(0)).to_have_text("1")  # buyers now
    expect(stats).to_contain_text("$3.99")
    expect(stats).to_contain_text("5")
    with app.app_context():
        assert creator_tokens.balance(creator_id) == 279  # 70 % of $3.99, once
        assert db.session.get(User, creator_id).has_role("creator")
    creator.goto(live_server("/studio"))
    _check_page(creator, "studio-dashboard", screenshot_dir, problems)

    assert not problems, "problems:\n" + "\n".join(problems)
    browser_log.assert_clean()
