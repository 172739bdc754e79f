"""The player in a real browser: a real one-minute practice made by the worker, played, sped up,
left half-way and resumed, finished with the feeling check, and the streak on the stats page; the
listener's settings remembered between visits; the background looping without a gap, in Ogg and
in MP3."""

from __future__ import annotations

import json
import re

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from app.extensions import db
from app.models import PracticeEvent
from tests.e2e.conftest import BrowserLog, LiveServer, log_in
from tests.factories import make_user
from tests.generation_helpers import drain, request, seed_voices

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
AUDIO = "document.getElementById('voice')"
BED = "document.getElementById('bed')"
NEXT_BED = "document.getElementById('bed-next')"
BEDS = f"[{BED}, {NEXT_BED}]"
NO_STORAGE = """Object.defineProperty(window, "localStorage", {
  configurable: true, get() { throw new DOMException("The operation is insecure.", "SecurityError"); },
});"""
NO_OGG = """(() => {
  const canPlayType = HTMLMediaElement.prototype.canPlayType;
  HTMLMediaElement.prototype.canPlayType = function (type) {
    return /ogg/i.test(type) ? "" : canPlayType.call(this, type);
  };
})();"""


def _time(page: Page) -> float:
    return page.evaluate(f"{AUDIO}.currentTime")


def _current_section(page: Page) -> int:
    return page.evaluate(
        "[...document.querySelectorAll('.section')].findIndex(s => s.classList.contains('is-current'))"
    )


def _seconds(clock: str) -> int:
    minutes, seconds = clock.split(":")
    return int(minutes) * 60 + int(seconds)


def _axe_problems(page: Page) -> list[str]:
    """Serious or critical axe-core findings on the page as it is now."""
    result = page.evaluate("async () => await axe.run(document)")
    return [
        f"{v['id']}: {v['help']} -> {json.dumps([n['target'] for n in v['nodes']])}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_play_seek_leave_resume_and_finish(
    live_server: LiveServer, page: Page, browser_log: BrowserLog, screenshot_dir, axe_source: str
):
    app = live_server.app
    seed_voices(app)
    person = make_user(app)
    item_id = request(app, person.id)  # a one-minute guided meditation
    drain(app)
    player = f"/library/{item_id}"

    page.context.add_init_script(script=axe_source)  # outside the page's CSP, as in test_account_flow
    page.set_viewport_size(PHONE)
    log_in(page, live_server, person.email, person.password, lands_on=player)
    play = page.get_by_role("button", name="Play", exact=True)
    expect(play).to_be_visible()
    expect(page.get_by_role("button", name="Resume from")).to_be_hidden()  # nothing to resume yet
    title = page.evaluate("navigator.mediaSession.metadata && navigator.mediaSession.metadata.title")
    assert title and title == page.locator("h1").inner_text()  # lock screens show the title
    assert page.evaluate("navigator.mediaSession.metadata.artist") == "waQup"
    page.wait_for_function(f"() => {AUDIO}.readyState >= 1")  # metadata loaded from the fresh signed URL
    page.wait_for_timeout(500)
    assert page.evaluate(f"{AUDIO}.paused") and _time(page) == 0  # no autoplay
    duration = page.evaluate(f"{AUDIO}.duration")
    assert 45 <= duration <= 80
    assert not _axe_problems(page)

    # Play (muted, with the Mute toggle), jump forward, speed up: the transcript follows.
    mute = page.get_by_role("button", name="Mute")
    mute.click()
    expect(mute).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(f"{AUDIO}.muted && {BEDS}.every(b => b.muted)")
    with page.expect_response(lambda r: r.url.endswith("/practice/events") and r.status == 201):
        play.click()
    expect(page.get_by_role("button", name="Pause", exact=True)).to_be_visible()
    page.wait_for_function("() => document.querySelector('.section').classList.contains('is-current')")
    first_section = _current_section(page)
    assert first_section == 0 and _time(page) > 0
    bed = page.evaluate("(() => { const b = document.getElementById('bed'); return [b.paused, b.src, b.volume]; })()")
    assert bed[0] is False and bed[1].endswith("/static/audio/beds/rain.ogg") and bed[2] == 0.5  # item's bed, 50 %
    page.get_by_role("button", name="Ocean swell").click()
    expect(page.get_by_role("button", name="Ocean swell")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="5 min", exact=True).click()
    expect(page.locator("[data-sleep-left]")).to_have_text(re.compile(r"Stops in [45]:\d\d"))
    page.get_by_role("button", name="Off", exact=True).click()
    expect(page.locator("[data-sleep-left]")).to_have_text("")
    page.get_by_role("button", name="Forward 15 seconds").click()
    assert _time(page) >= 15
    page.get_by_role("button", name="1.5×").click()
    expect(page.get_by_role("button", name="1.5×")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate(f"{AUDIO}.playbackRate") == 1.5
    starts = page.eval_on_selector_all(".section", "els => els.map(e => Number(e.dataset.start))")
    assert len(starts) >= 2 and starts[1] < 30, starts
    page.wait_for_function("() => document.querySelectorAll('.section')[1].classList.contains('is-current')")
    assert _current_section(page) == 1 and _time(page) >= starts[1]  # the highlight moved on as it played
    expect(page.locator(".section.is-current")).to_have_attribute("aria-current", "true")
    assert "of" in page.get_by_role("slider", name="Position").get_attribute("aria-valuetext")
    page.screenshot(path=str(screenshot_dir / "player-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Keyboard: k pauses (and reports the position), then leave the page half-way.
    page.locator("h1").click()
    with page.expect_response(lambda r: r.url.endswith("/practice/events") and r.status == 200):
        page.keyboard.press("k")
    expect(play).to_be_visible()
    stopped_at = _time(page)
    page.goto(live_server("/library"))

    # Back again: no autoplay, an offer to resume at the same place.
    page.goto(live_server(player))
    resume = page.get_by_role("button", name=re.compile(r"^Resume from \d+:\d\d$"))
    expect(resume).to_be_visible()
    offered = _seconds(resume.locator("[data-resume-time]").inner_text())
    assert abs(offered - stopped_at) <= 1.5, (offered, stopped_at)
    expect(page.get_by_role("button", name="Start over")).to_be_visible()
    page.wait_for_timeout(300)
    assert page.evaluate(f"{AUDIO}.paused")
    page.keyboard.press("m")
    expect(page.get_by_role("button", name="Mute")).to_have_attribute("aria-pressed", "true")
    resume.click()
    page.wait_for_function(f"() => !{AUDIO}.paused && {AUDIO}.currentTime > 0")
    assert abs(_time(page) - stopped_at) <= 2
    expect(resume).to_be_hidden()

    # Let it finish: near the end, then the feeling check.
    page.set_viewport_size(DESKTOP)
    page.get_by_role("slider", name="Position").fill(str(int(duration - 3)))
    expect(page.get_by_role("heading", name="How do you feel?")).to_be_visible(timeout=15_000)
    expect(play).to_be_visible()
    assert page.evaluate(f"{BEDS}.every(b => b.paused)")  # the background stops with the voice
    assert not _axe_problems(page)
    page.get_by_role("button", name="4 Good").click()
    expect(page.get_by_role("button", name="4 Good")).to_have_attribute("aria-pressed", "true")
    page.get_by_label("A note (optional)").fill("Lighter than before.")
    page.screenshot(path=str(screenshot_dir / "player-1280.png"), full_page=True)
    page.get_by_role("button", name="Save").click()
    thanks = page.locator("#thanks")
    expect(thanks).to_contain_text("Your streak: 1 day.")
    expect(page.locator("#feeling")).to_be_hidden()

    with app.app_context():
        events = db.session.scalars(sa.select(PracticeEvent)).all()
        assert len(events) == 2  # the first play and the resumed one
        done = [e for e in events if e.completed_at is not None]
        assert len(done) == 1 and (done[0].meta["feeling"], done[0].meta["note"]) == (4, "Lighter than before.")

    thanks.get_by_role("link", name="See your stats").click()
    expect(page).to_have_url(live_server("/library/stats"))
    expect(page.locator(".streak-badge")).to_contain_text(re.compile(r"1\s*day in a row"))
    browser_log.assert_clean()


def _ready_practice(live_server: LiveServer, page: Page, viewport: dict[str, int]) -> str:
    """A one-minute practice made by the worker; its owner logged in on its player page."""
    app = live_server.app
    seed_voices(app)
    person = make_user(app)
    item_id = request(app, person.id)
    drain(app)
    page.set_viewport_size(viewport)
    log_in(page, live_server, person.email, person.password, lands_on=f"/library/{item_id}")
    return f"/library/{item_id}"


def _sound(page: Page) -> dict:
    return page.evaluate(
        f"""(() => {{ const v = {AUDIO}, b = {BED};
        return {{ rate: v.playbackRate, voice: v.volume, bed: b.volume, src: b.getAttribute("src"),
                  playing: {BEDS}.some(e => !e.paused) || !v.paused }}; }})()"""
    )


def test_speed_background_and_volumes_are_remembered_in_this_browser(
    live_server: LiveServer, page: Page, browser_log: BrowserLog, screenshot_dir
):
    _ready_practice(live_server, page, PHONE)
    speed = page.get_by_role("button", name="1.25×")
    ocean = page.get_by_role("button", name="Ocean swell")
    none = page.get_by_role("button", name="None", exact=True)
    bed_volume = page.get_by_label("Background volume")
    voice_volume = page.get_by_label("Voice volume")
    expect(page.get_by_role("button", name="1×")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Soft rain")).to_have_attribute("aria-pressed", "true")  # the item's bed

    speed.click()
    ocean.click()
    bed_volume.fill("30")
    voice_volume.fill("80")
    remembered = json.loads(page.evaluate("localStorage.getItem('waqup.player')"))
    assert remembered == {"speed": 1.25, "bed": "ocean", "bedVolume": 30, "voiceVolume": 80}

    page.reload()
    expect(speed).to_have_attribute("aria-pressed", "true")
    expect(ocean).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Soft rain")).to_have_attribute("aria-pressed", "false")
    expect(bed_volume).to_have_value("30")
    expect(bed_volume).to_have_attribute("aria-valuetext", "30 %")
    expect(voice_volume).to_have_value("80")
    page.wait_for_function(f"() => {AUDIO}.readyState >= 1")
    page.wait_for_timeout(300)
    sound = _sound(page)
    assert sound["rate"] == 1.25 and abs(sound["voice"] - 0.8) < 1e-6 and abs(sound["bed"] - 0.3) < 1e-6
    assert sound["src"].endswith("/static/audio/beds/ocean.ogg") and not sound["playing"]  # restored, not playing
    page.screenshot(path=str(screenshot_dir / "player-settings-390.png"), full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    # Played, the restored settings are the ones heard.
    page.get_by_role("button", name="Mute").click()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => !{BED}.paused && {BED}.currentTime > 0")
    assert _sound(page)["rate"] == 1.25 and abs(_sound(page)["bed"] - 0.3) < 1e-6
    page.get_by_role("button", name="Pause", exact=True).click()

    # "None" is a choice too: remembered over the item's own bed.
    none.click()
    page.reload()
    expect(none).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="Soft rain")).to_have_attribute("aria-pressed", "false")
    assert _sound(page)["src"] is None

    # Without storage (private browsing, blocked site data) the player still works and remembers nothing.
    page.context.add_init_script(script=NO_STORAGE)
    page.reload()
    expect(page.get_by_role("button", name="Soft rain")).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("button", name="1×")).to_have_attribute("aria-pressed", "true")
    page.get_by_role("button", name="1.5×").click()
    page.get_by_role("button", name="Forest air").click()
    bed_volume.fill("70")
    expect(page.get_by_role("button", name="Forest air")).to_have_attribute("aria-pressed", "true")
    sound = _sound(page)
    assert sound["rate"] == 1.5 and abs(sound["bed"] - 0.7) < 1e-6 and sound["src"].endswith("/forest.ogg")
    browser_log.assert_clean()  # no uncaught error from the missing storage


def _crosses_the_seam(page: Page, ext: str) -> None:
    """The background's second element takes over near the loop's end, crossfading at equal power."""
    page.wait_for_function(f"() => !{BED}.paused && {NEXT_BED}.readyState >= 2 && isFinite({BED}.duration)")
    src, length = page.evaluate(f"[{BED}.src, {BED}.duration]")
    assert src.endswith(f"/static/audio/beds/rain.{ext}") and abs(length - 60) < 0.05, (src, length)
    page.evaluate(f"{BED}.currentTime = {BED}.duration - 2.6")
    page.wait_for_function(f"() => {BEDS}.every(b => !b.paused && b.volume > 0.1)", timeout=5_000)
    first, second = page.evaluate(f"{BEDS}.map(b => b.volume)")
    assert abs(first**2 + second**2 - 0.25) < 0.005, (first, second)  # 50 % in all, through the fade
    page.wait_for_function(f"() => {BED}.paused && !{NEXT_BED}.paused", timeout=6_000)
    position, volume, next_src = page.evaluate(f"[{NEXT_BED}.currentTime, {NEXT_BED}.volume, {NEXT_BED}.src]")
    assert position < 3 and volume == 0.5 and next_src == src  # the loop carries on from its start


def test_the_background_loops_without_a_gap_in_ogg_and_in_mp3(
    live_server: LiveServer, page: Page, browser_log: BrowserLog
):
    _ready_practice(live_server, page, DESKTOP)
    page.get_by_role("button", name="Mute").click()
    page.get_by_role("button", name="Play", exact=True).click()
    _crosses_the_seam(page, "ogg")
    page.get_by_role("button", name="Pause", exact=True).click()

    # A format the browser says it can play but then cannot decode: the MP3 takes over.
    broken = re.compile(r".*/static/audio/beds/\w+\.ogg$")
    page.route(broken, lambda route: route.fulfill(status=200, body=b"OggS" + bytes(4000), content_type="audio/ogg"))
    page.reload()
    page.get_by_role("button", name="Mute").click()
    page.get_by_role("button", name="Play", exact=True).click()
    page.wait_for_function(f"() => {BED}.src.endsWith('/rain.mp3') && !{BED}.paused && {BED}.currentTime > 0")
    page.get_by_role("button", name="Pause", exact=True).click()
    page.unroute(broken)

    # A browser that cannot play Ogg Vorbis (Safari on iOS) gets the MP3 of the same loop.
    page.context.add_init_script(script=NO_OGG)
    page.reload()
    page.get_by_role("button", name="Mute").click()
    page.get_by_role("button", name="Play", exact=True).click()
    _crosses_the_seam(page, "mp3")
    browser_log.assert_clean()
