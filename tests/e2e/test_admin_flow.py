"""The admin area in a real browser: the dashboard, the moderation queue (read a script, take a
reported pack down in two clicks), users (search as you type, grant credits), the audit log filtered,
and the jobs page; axe and screenshots at phone and desktop widths along the way."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from app.extensions import db
from app.models import GenerationJob, RitualPack
from app.services import generation
from tests.admin_helpers import moderation_world
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.library_helpers import make_item

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


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
        page.screenshot(path=screenshot_dir / f"admin-{name}-{viewport['width']}.png", full_page=True)
    page.set_viewport_size(PHONE)


def test_an_admin_moderates_manages_a_user_and_reads_the_log(
    live_server: LiveServer,
    new_context,  # type: ignore[no-untyped-def]
    browser_log: BrowserLog,
    axe_source: str,
    screenshot_dir: Path,
):
    app = live_server.app
    world = moderation_world(app, text="Gentle evening practices for winding down after a long day at work.")
    item_id = make_item(app, world["reporter"].id, title="Evening reset", ready=False)
    with app.app_context():
        job = db.session.scalar(db.select(GenerationJob).where(GenerationJob.content_item_id == item_id))
        generation.fail(job, "RuntimeError: the voice engine stopped")
    context: BrowserContext = browser_log.watch(new_context(viewport=PHONE))
    context.add_init_script(script=axe_source)
    page = context.new_page()
    problems: list[str] = []

    log_in(page, live_server, world["admin"].email, world["admin"].password)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Admin")
    expect(page.get_by_test_id("count-open-reports")).to_have_text("2")
    _check_page(page, "dashboard", screenshot_dir, problems)

    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Moderation").click()
    expect(page.locator(".mod-audio")).to_have_count(2)
    page.get_by_text("Read the script").first.click()
    expect(page.locator(".mod-script").first).to_be_visible()
    _check_page(page, "moderation", screenshot_dir, problems)

    # Two clicks: "Take down…" opens the form, "Confirm takedown" sends it.
    reported = page.locator(f"#report-{world['pack_report']}")
    reported.get_by_text("Take down…").click()
    reported.get_by_label("Reason (the creator sees it)").fill("Misleading health claims")
    expect(reported.get_by_label("Also revoke buyers' access")).not_to_be_checked()
    _check_page(page, "moderation-takedown", screenshot_dir, problems)
    reported.screenshot(path=screenshot_dir / "admin-takedown-form-390.png")
    reported.get_by_role("button", name="Confirm takedown").click()
    expect(page.locator(".flash-success")).to_contain_text("taken down")
    with app.app_context():
        assert db.session.get(RitualPack, world["published"]).status == "archived"

    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Users").click()
    page.get_by_label("Email contains").press_sequentially("buyer", delay=40)
    expect(page.locator(".admin-row")).to_have_count(1)
    expect(page).to_have_url(live_server("/admin/users?q=buyer&role="))
    page.get_by_label("Role").select_option("creator")
    expect(page.locator(".admin-row")).to_have_count(0)
    page.get_by_label("Role").select_option("")
    expect(page.locator(".admin-row")).to_have_count(1)
    _check_page(page, "users", screenshot_dir, problems)
    page.get_by_role("link", name="buyer@example.com").click()
    page.get_by_label("Credits to grant").fill("3")
    page.get_by_label("Reason (kept in the ledger)").fill("Sorry for the outage")
    page.get_by_role("button", name="Grant credits").click()
    expect(page.get_by_test_id("admin-credit-balance")).to_have_text("4")
    page.get_by_text("Suspend…").click()
    _check_page(page, "user", screenshot_dir, problems)

    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Audit log").click()
    page.get_by_text("Filters", exact=True).click()
    page.get_by_label("Action").fill("pack.")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator(".audit-row")).to_have_count(1)
    page.get_by_text("Before and after").click()
    _check_page(page, "audit", screenshot_dir, problems)

    page.get_by_role("navigation", name="Admin sections").get_by_role("link", name="Jobs").click()
    expect(page.locator(".job-error").first).to_contain_text("voice engine stopped")
    _check_page(page, "jobs", screenshot_dir, problems)

    assert not problems, "problems:\n" + "\n".join(problems)
    browser_log.assert_clean()
