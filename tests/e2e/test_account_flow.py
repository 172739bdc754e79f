"""The account pages in a real browser: the sign-up/log-in round trip, accessibility, phone width."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import BrowserContext, Page, expect

from app.services import practice
from app.services.practice import Report
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import make_user
from tests.generation_helpers import seed_voices
from tests.library_helpers import entitle, make_item, make_pack

PASSWORD = "a quiet lake at dawn"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Scroll containers inside the page (a table wrapper, say) that need sideways scrolling to show everything.
# Navigation strips may scroll by design; everything else must fit.
INNER_OVERFLOW = """() => [...document.querySelectorAll("body *")]
  .filter(el => ["auto", "scroll"].includes(getComputedStyle(el).overflowX) && !el.closest("nav"))
  .filter(el => el.scrollWidth > el.clientWidth)
  .map(el => el.tagName.toLowerCase() + (el.className ? "." + el.className : "") + " " + el.scrollWidth + "px")"""


@dataclass(frozen=True)
class Screen:
    """One page state to check: a path, the status it answers with, and an optional action on it."""

    name: str
    path: str
    status: int = 200
    then: Callable[[Page], None] | None = None
    tab_through: bool = False  # also walk it with the keyboard, checking each stop shows a focus ring


def _submit_empty_form(page: Page) -> None:
    page.get_by_role("main").locator("button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()


def _submit_wrong_password(page: Page) -> None:
    page.get_by_label("Email").fill("nobody@example.com")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_text("That email and password do not match.")).to_be_visible()


def _save_choices(page: Page) -> None:
    page.get_by_label("Warm").check()
    page.get_by_role("button", name="Save choices").click()
    expect(page.locator("#flashes")).to_contain_text("Your preferences are saved.")
    expect(page.get_by_label("Warm")).to_be_checked()


def _chat_to_voice_and_pace(page: Page) -> None:
    for text in ("I want to wind down before sleep", "in bed", "5 minutes"):
        page.get_by_label("Your message").fill(text)
        page.get_by_role("button", name="Send").click()
        expect(page.locator(".bubble-user").last).to_contain_text(text)
    page.reload()  # the conversation resumes where it was, focus back at the top of the document
    expect(page.get_by_role("group", name="Voice")).to_be_visible()


def _open_changes(page: Page) -> None:
    page.get_by_text("Change", exact=False).first.click()
    expect(page.get_by_role("button", name="Rename").first).to_be_visible()


def _member(app):  # type: ignore[no-untyped-def]
    """A member with credits and a small library (two practices, one being made, one from a pack) and one play."""
    user = make_user(app, credits_=3)
    creator = make_user(app)
    calm = make_item(app, user.id, title="Evening calm", tags=("sleep", "evening"))
    make_item(app, user.id, title="Morning affirmations", content_type="affirmation", minutes=3, tags=("morning",))
    make_item(app, user.id, title="Desk reset", minutes=5, ready=False)
    shared = make_item(app, creator.id, title="Ocean breath", content_type="ritual", minutes=8)
    entitle(app, user.id, make_pack(app, creator.id, [shared], title="Sea and sky"))
    with app.app_context():
        report = {"event_id": str(uuid.uuid4()), "ritual_id": str(calm), "kind": "complete", "listened_seconds": 300}
        practice.record(user.id, Report.parse(report))
    return user


VISITOR_SCREENS = [
    Screen("home", "/", tab_through=True),
    Screen("register", "/register"),
    Screen("register-errors", "/register", then=_submit_empty_form, tab_through=True),
    Screen("login", "/login"),
    Screen("login-error", "/login", then=_submit_wrong_password),
    Screen("not-found", "/nope", 404),
]
MEMBER_SCREENS = [
    Screen("member-home", "/"),
    Screen("account", "/account/"),
    Screen("account-saved", "/account/", then=_save_choices, tab_through=True),
    Screen("password", "/account/password"),
    Screen("password-errors", "/account/password", then=_submit_empty_form),
    Screen("member-not-found", "/nope", 404),
    Screen("create", "/create"),
    Screen("create-choices", "/create", then=_chat_to_voice_and_pace, tab_through=True),
    Screen("create-history", "/create/history"),
    Screen("library", "/library", tab_through=True),
    Screen("library-changes", "/library?q=calm", then=_open_changes),
    Screen("library-no-match", "/library?q=nothing-like-this"),
    Screen("library-bad-filter", "/library?min_minutes=9&max_minutes=2", 422),
    Screen("library-stats", "/library/stats"),
]


# The focused element: what it is, whether it is on screen, and whether it (or the chip around a radio)
# draws an outline of at least 2 px, the focus indicator every control here uses.
FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const ring = e => {
    const style = getComputedStyle(e);
    return style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2;
  };
  const box = el.getBoundingClientRect();
  const text = (el.innerText || el.value || el.name || el.id || "").trim().slice(0, 40);
  return {
    name: el.tagName.toLowerCase() + (el.type ? "[" + el.type + "]" : "") + " " + JSON.stringify(text),
    onScreen: box.width > 0 && box.height > 0 && box.right > 0 && box.left < innerWidth,
    ring: ring(el) || (el.parentElement.classList.contains("chip") && ring(el.parentElement)),
  };
}"""


def _new_email() -> str:
    return f"e2e-{uuid.uuid4().hex[:10]}@example.com"


def _open(page: Page, server: LiveServer, screen: Screen) -> None:
    response = page.goto(server(screen.path))
    assert response is not None
    assert response.status == screen.status, f"{screen.path} answered {response.status}"
    if screen.then:
        screen.then(page)


def _focus_problems(page: Page, screen: Screen) -> list[str]:
    """Tab through the page from the top; every stop must be on screen with a visible focus ring."""
    # A freshly loaded document: the first Tab starts at its top.
    problems, seen = [], []
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED)
        if focused is None or focused["name"] in seen[:1]:
            break
        seen.append(focused["name"])
        if not (focused["onScreen"] and focused["ring"]):
            problems.append(f"{screen.name} ({screen.path}): focus on {focused['name']} is not visible: {focused}")
    if not seen or not seen[0].startswith('a "Skip to content"'):
        problems.append(f"{screen.name} ({screen.path}): the first Tab stop is not the skip link: {seen[:1]}")
    return problems


def _describe(result: dict) -> str:
    """An axe result as one line: rule, help text, and the elements it names."""
    nodes = [
        {"target": " ".join(map(str, node["target"])), "why": node.get("failureSummary") or ""}
        for node in result["nodes"]
    ]
    return f"{result['id']}: {result['help']} -> {json.dumps(nodes)}"


def _visitor_header_shown(page: Page) -> None:
    header = page.get_by_role("banner")
    expect(header.get_by_role("link", name="Log in")).to_be_visible()
    expect(header.get_by_role("button", name="Log out")).to_have_count(0)
    expect(page.get_by_test_id("header-credits")).to_have_count(0)


def test_visitor_registers_logs_out_and_logs_back_in(live_server: LiveServer, page: Page, browser_log: BrowserLog):
    email = _new_email()
    header = page.get_by_role("banner")

    page.goto(live_server("/"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    _visitor_header_shown(page)

    page.get_by_role("main").get_by_role("link", name="Make your first practice free").click()
    expect(page).to_have_url(live_server("/register"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page).to_have_url(live_server("/account/"))
    expect(page.get_by_test_id("credit-balance")).to_have_text("1")
    expect(page.get_by_test_id("header-credits")).to_have_text("1")
    expect(page.get_by_role("main")).to_contain_text(email)
    expect(page.locator("#flashes")).to_contain_text("1 free credit")

    header.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_server("/"))
    expect(page.locator("#flashes")).to_contain_text("You are logged out.")
    _visitor_header_shown(page)
    expect(page.get_by_role("main").get_by_role("link", name="Make your first practice free")).to_be_visible()
    # The session really ended: the account page now asks for a login.
    page.goto(live_server("/account/"))
    expect(page).to_have_url(f"{live_server('/login')}?next=%2Faccount%2F")

    log_in(page, live_server, email, PASSWORD)
    expect(page.get_by_test_id("credit-balance")).to_have_text("1")
    expect(header.get_by_role("button", name="Log out")).to_be_visible()

    header.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(live_server("/"))
    _visitor_header_shown(page)
    browser_log.assert_clean()


def test_pages_have_no_serious_accessibility_violations(
    live_server: LiveServer,
    new_context: Callable[..., BrowserContext],
    browser_log: BrowserLog,
    axe_source: str,
):
    # axe-core rides in as an init script: the browser runs it in every new document before the page's
    # own scripts, outside the page's CSP (script-src 'self' refuses inline script tags), which stays on.
    context = browser_log.watch(new_context())
    context.add_init_script(script=axe_source)
    page = context.new_page()
    user = _member(live_server.app)
    seed_voices(live_server.app)
    problems: list[str] = []

    def check(screen: Screen) -> None:
        _open(page, live_server, screen)
        result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations', 'incomplete']})")
        assert result["url"] == page.url
        for violation in result["violations"]:
            if violation["impact"] in ("serious", "critical"):
                problems.append(f"{screen.name} ({screen.path}): {violation['impact']} {_describe(violation)}")
        if screen.tab_through:
            problems.extend(_focus_problems(page, screen))
        # Text over a gradient or image leaves axe unable to measure contrast ("incomplete"), which would
        # let an unreadable colour pass unseen; text sits on flat colours here, so this must stay empty.
        for unsure in result["incomplete"]:
            if unsure["id"] == "color-contrast":
                problems.append(f"{screen.name} ({screen.path}): contrast not measurable {_describe(unsure)}")

    for screen in VISITOR_SCREENS:
        check(screen)
    log_in(page, live_server, user.email, user.password)
    for screen in MEMBER_SCREENS:
        check(screen)

    assert not problems, "accessibility problems:\n" + "\n".join(problems)
    browser_log.assert_clean()


def test_pages_fit_a_phone_without_horizontal_scrolling(
    live_server: LiveServer, page: Page, browser_log: BrowserLog, screenshot_dir: Path
):
    user = _member(live_server.app)
    seed_voices(live_server.app)
    too_wide: list[str] = []

    def check(screen: Screen) -> None:
        page.set_viewport_size(PHONE)
        _open(page, live_server, screen)
        # The same page, reflowed at desktop width after the phone checks (no second load needed).
        for viewport in (PHONE, DESKTOP):
            page.set_viewport_size(viewport)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > viewport["width"]:
                too_wide.append(f"{screen.name} ({screen.path}) is {width}px wide at {viewport['width']}px")
            for inner in page.evaluate(INNER_OVERFLOW):
                too_wide.append(f"{screen.name} ({screen.path}) at {viewport['width']}px: {inner} scrolls sideways")
            page.screenshot(
                path=screenshot_dir / f"{screen.name}-{viewport['width']}.png", full_page=True, animations="disabled"
            )

    for screen in VISITOR_SCREENS:
        check(screen)
    page.set_viewport_size(PHONE)
    log_in(page, live_server, user.email, user.password)
    for screen in MEMBER_SCREENS:
        check(screen)

    assert not too_wide, "horizontal scrolling:\n" + "\n".join(too_wide)
    browser_log.assert_clean()
