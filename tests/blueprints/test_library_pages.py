"""The library and stats pages: listing, filters, search, sort and pages (plain and htmx), item actions
as plain forms and htmx, downloads, deletion, SECURITY.md 9 (another user's item → 404) and 18 (inert text)."""

from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.models import ContentItem, GenerationJob, User, Voice
from app.providers.storage import get_storage
from app.services import practice
from app.services.practice import Report
from tests.conftest import form_token
from tests.factories import make_user
from tests.generation_helpers import drain, request, seed_voices
from tests.library_helpers import entitle, make_item, make_pack

HTMX = {"HX-Request": "true"}
NASTY = ["<script>alert(1)</script>", "<div hx-get=/admin>boo</div>"]


@pytest.fixture
def me(app, auth):
    seed_voices(app)
    person = make_user(app, credits_=3)
    auth.login(person.email)
    return person


def _titles(html: bytes) -> list[str]:
    return re.findall(r'class="entry-title" id="[^"]+">(?:<a href="[^"]+">)?([^<]+)', html.decode())


def _post(client, path, data=None, htmx=False):
    token = form_token(client.get("/library").data)
    return client.post(path, data={"csrf_token": token, **(data or {})}, headers=HTMX if htmx else {})


def _play(app, user_id, item_id, seconds=300):
    raw = {"event_id": str(uuid.uuid4()), "ritual_id": str(item_id), "kind": "complete", "listened_seconds": seconds}
    with app.app_context():
        practice.record(user_id, Report.parse(raw))


def test_the_library_needs_a_login(client):
    for path in ("/library", "/library/stats"):
        response = client.get(path)
        assert response.status_code == 302 and response.location.startswith("/login?next=")


def test_cards_show_what_an_item_is_and_where_it_comes_from(app, client, me):
    creator = make_user(app)
    mine = make_item(app, me.id, title="Evening calm", minutes=12, tags=("sleep", "evening"))
    shared = make_item(app, creator.id, title="Ocean breath", content_type="ritual", minutes=5)
    entitle(app, me.id, make_pack(app, creator.id, [shared], title="Sea pack"))
    _play(app, me.id, mine)
    _play(app, me.id, mine)
    html = client.get("/library").data.decode()
    assert _titles(html.encode()) == ["Ocean breath", "Evening calm"]
    assert "Guided meditation" in html and "12 min" in html and "medium depth" in html
    assert '<a class="tag" href="/library?tag=sleep">sleep</a>' in html
    assert "Played 2 times · last" in html and "Not played yet" in html
    assert "From pack “Sea pack”" in html and "Ritual" in html
    assert f'href="/library/{mine}"' in html  # the player
    assert f'href="/library/{mine}/download"' in html
    assert f"/library/{shared}/rename" not in html  # only the owner can change an item
    assert 'aria-current="page">Library</a>' in html


def test_empty_states_point_somewhere_useful(client, me):
    html = client.get("/library").data.decode()
    assert "Your library is empty" in html and 'href="/create"' in html
    html = client.get("/library?q=nothing").data.decode()
    assert "Nothing matches" in html and 'href="/library">Clear filters' in html


def test_filters_search_and_sort_as_plain_pages_and_htmx_fragments(app, client, me):
    make_item(app, me.id, title="Morning affirmations", content_type="affirmation", minutes=3, tags=("morning",))
    make_item(app, me.id, title="Long sleep", text="Drift toward the quiet harbour.", minutes=30, tags=("sleep",))
    make_item(app, me.id, title="Desk reset", minutes=5, tags=("work",))
    assert _titles(client.get("/library?q=harbour").data) == ["Long sleep"]  # words of the script count
    assert _titles(client.get("/library?q=DESK").data) == ["Desk reset"]
    assert _titles(client.get("/library?type=affirmation").data) == ["Morning affirmations"]
    assert _titles(client.get("/library?tag=sleep").data) == ["Long sleep"]
    assert _titles(client.get("/library?min_minutes=4&max_minutes=10").data) == ["Desk reset"]
    assert _titles(client.get("/library?source=pack").data) == []
    assert _titles(client.get("/library?sort=title").data) == ["Desk reset", "Long sleep", "Morning affirmations"]
    assert _titles(client.get("/library?sort=longest").data)[0] == "Long sleep"

    fragment = client.get("/library?q=harbour", headers=HTMX)
    body = fragment.data.decode()
    assert fragment.status_code == 200 and "<html" not in body and "Long sleep" in body
    assert 'id="results-count"' in body and 'hx-swap-oob="innerHTML"' in body and "1 practice found" in body
    assert "HX-Request" in fragment.headers["Vary"]
    page = client.get("/library?q=harbour").data.decode()
    assert 'value="harbour"' in page and 'hx-trigger="input changed delay:300ms, search"' in page


def _filters_disclosure(html: str) -> re.Match[str] | None:
    """The <details> holding the filters and sort, with its summary (the search box stays outside it)."""
    return re.search(
        r'<details class="filter-more"( open)?>\s*<summary>Filters and sorting'
        r'<span id="filters-active"[^>]*>(.*?)</span></summary>(.*?)</details>',
        html,
        re.S,
    )


@pytest.mark.parametrize(
    ("query", "active"),
    [
        ("", 0),
        ("?q=calm", 0),  # the search box is not a filter, and sits outside the disclosure
        ("?sort=recent&type=&tag=&source=", 0),  # empty fields and the default sort, as the form sends them
        ("?type=affirmation", 1),
        ("?favourites=true", 1),
        ("?sort=title", 1),
        ("?tag=sleep&min_minutes=5&source=mine&q=calm", 3),
        ("?min_minutes=9&max_minutes=2", 2),  # refused (422), still shown as typed
    ],
)
def test_filters_sit_in_a_disclosure_open_when_one_is_on(client, me, query, active):
    html = client.get(f"/library{query}").data.decode()
    disclosure = _filters_disclosure(html)
    assert disclosure, "the filters are not in their <details>"
    is_open, badge, inside = disclosure.groups()
    assert bool(is_open) == bool(active)
    assert re.sub(r"<[^>]+>", "", badge) == (f", {active} active" if active else "")
    assert 'name="type"' in inside and 'name="sort"' in inside and 'name="favourites"' in inside
    assert 'name="q"' not in inside and 'id="library-q"' in html


def test_filter_changes_through_htmx_update_the_summary_badge(client, me):
    fragment = client.get("/library?type=affirmation&sort=title", headers=HTMX).data.decode()
    assert '<span id="filters-active" class="filters-active" hx-swap-oob="outerHTML">' in fragment
    assert "2 active" in fragment and "<details" not in fragment  # the disclosure keeps its own open state
    cleared = client.get("/library?type=&sort=recent", headers=HTMX).data.decode()
    assert re.search(r'<span id="filters-active"[^>]*></span>', cleared)


def test_a_bad_parameter_is_named_not_a_crash(client, me):
    response = client.get("/library?min_minutes=9&max_minutes=2")
    assert response.status_code == 422
    assert b"min_minutes must not be above max_minutes." in response.data and b'value="9"' in response.data
    assert client.get("/library?sort=loudest", headers=HTMX).status_code == 422


def test_pages_are_plain_links_that_keep_the_filters(app, client, me):
    for n in range(23):
        make_item(app, me.id, title=f"Practice {n:02d}", tags=("calm",))
    first = client.get("/library?tag=calm").data.decode()
    assert len(_titles(first.encode())) == 20 and "page 1 of 2" in first
    link = re.search(r'<a href="([^"]+)" hx-get="[^"]+" hx-target="#results"[^>]*>Next</a>', first).group(1)
    assert parse_qs(urlsplit(link.replace("&amp;", "&")).query) == {"page": ["2"], "tag": ["calm"]}
    second = client.get(link.replace("&amp;", "&"))
    assert _titles(second.data) == ["Practice 02", "Practice 01", "Practice 00"] and b">Previous</a>" in second.data
    fragment = client.get("/library?tag=calm&page=2", headers=HTMX).data.decode()
    assert "<html" not in fragment and len(_titles(fragment.encode())) == 3
    assert "Nothing matches" in client.get("/library?page=9").data.decode()


def test_an_item_being_made_shows_progress_that_becomes_a_playable_card(app, client, me):
    item_id = request(app, me.id)
    html = client.get("/library").data.decode()
    assert f'hx-get="/library/{item_id}/progress" hx-trigger="every 2s"' in html and "Being made" in html
    assert f'href="/library/{item_id}"' not in html  # nothing to play yet
    poll = client.get(f"/library/{item_id}/progress", headers=HTMX)
    assert poll.status_code == 200 and b'hx-trigger="every 2s"' in poll.data and b"<li" not in poll.data
    drain(app)
    done = client.get(f"/library/{item_id}/progress", headers=HTMX)
    assert done.headers["HX-Retarget"] == f"#entry-{item_id}" and done.headers["HX-Reswap"] == "outerHTML"
    assert f'href="/library/{item_id}"' in done.data.decode() and b"every 2s" not in done.data
    plain = client.get(f"/library/{item_id}/progress")
    assert plain.status_code == 200 and b"<html" in plain.data and b"Back to your library" in plain.data


def test_rename_as_a_plain_form_and_with_htmx(app, client, me):
    item_id = make_item(app, me.id, title="Evening calm")
    response = _post(client, f"/library/{item_id}/rename", {"title": "  Night   calm ", "next": "/library?q=calm"})
    assert response.status_code == 303 and response.location == f"/library?q=calm#entry-{item_id}"
    assert "Night calm" in _titles(client.get("/library").data)
    htmx = _post(client, f"/library/{item_id}/rename", {"title": "Quiet night"}, htmx=True)
    assert htmx.status_code == 200 and htmx.data.decode().lstrip().startswith("<li") and b"Quiet night" in htmx.data
    empty = _post(client, f"/library/{item_id}/rename", {"title": "   "})
    assert empty.status_code == 422 and b"The title cannot be empty." in empty.data
    assert _post(client, f"/library/{item_id}/rename", {"title": " "}, htmx=True).status_code == 422
    offsite = _post(client, f"/library/{item_id}/rename", {"title": "Calm", "next": "//evil.example/"})
    assert offsite.location == f"/library#entry-{item_id}"  # SECURITY.md 14


def test_a_pack_item_can_be_favourited_but_not_renamed(app, client, me):
    creator = make_user(app)
    shared = make_item(app, creator.id, title="Ocean breath")
    entitle(app, me.id, make_pack(app, creator.id, [shared]))
    assert _post(client, f"/library/{shared}/favourite", {"favourite": "true"}).status_code == 303
    assert b'aria-pressed="true"' in client.get("/library?favourites=true").data
    refused = _post(client, f"/library/{shared}/rename", {"title": "Mine now"})
    assert refused.status_code == 403 and b"only its creator can rename it" in refused.data


def test_favourite_toggles_and_filters(app, client, me):
    item_id = make_item(app, me.id, title="Evening calm")
    make_item(app, me.id, title="Desk reset")
    on = _post(client, f"/library/{item_id}/favourite", {"favourite": "true"}, htmx=True).data.decode()
    assert 'aria-pressed="true"' in on and 'name="favourite" value="false"' in on
    assert _titles(client.get("/library?favourites=true").data) == ["Evening calm"]
    _post(client, f"/library/{item_id}/favourite", {"favourite": "false"})
    assert _titles(client.get("/library?favourites=true").data) == []


def test_regenerate_202_then_409_and_402_without_credit(app, client, me):
    first, second, third, fourth = (make_item(app, me.id, title=t) for t in ("One", "Two", "Three", "Four"))
    page = client.get("/library").data.decode()
    assert "Same voice" in page and ">Joe</option>" in page and ">Slow pace</option>" in page
    made = _post(client, f"/library/{first}/regenerate", {"pace": "slow"}, htmx=True)
    assert made.status_code == 202
    assert f'hx-get="/library/{first}/progress" hx-trigger="every 2s"' in made.data.decode()
    assert b"New version" in made.data and f'href="/library/{first}"'.encode() in made.data  # old one still plays
    again = _post(client, f"/library/{first}/regenerate", {"pace": "fast"})
    assert again.status_code == 409 and b"already being made" in again.data
    assert _post(client, f"/library/{first}/regenerate", {"pace": "fast"}, htmx=True).status_code == 409
    plain = _post(client, f"/library/{second}/regenerate", {"pace": "fast", "next": "/library"})
    assert plain.status_code == 303 and plain.location == f"/library#entry-{second}"
    assert _post(client, f"/library/{third}/regenerate", {"voice_id": _classic(app)}).status_code == 303
    broke = _post(client, f"/library/{fourth}/regenerate", {"pace": "slow"})
    assert broke.status_code == 402
    assert b"Not enough credits" in broke.data and b'href="/account/">See your credits</a>' in broke.data
    nothing = _post(client, f"/library/{fourth}/regenerate", {}, htmx=True)
    assert nothing.status_code == 422 and b"Choose a new voice or pace" in nothing.data
    with app.app_context():
        assert db.session.get(User, me.id).credit_balance == 0
        versions = db.session.scalars(sa.select(GenerationJob.version).where(GenerationJob.content_item_id == first))
        assert sorted(versions) == [1, 2]


def _classic(app) -> str:
    with app.app_context():
        return str(db.session.scalar(sa.select(Voice.id).where(Voice.provider == "espeak").limit(1)))


def test_download_saves_the_mp3_under_its_title(app, client, me):
    item_id = make_item(app, me.id, title="Évening calm: <deep>")
    response = client.get(f"/library/{item_id}/download")
    assert response.status_code == 302
    url = response.location
    assert f"/media/audio/{me.id}/{item_id}/1.mp3?" in url
    media = client.get(url)
    assert media.status_code == 200 and media.data.startswith(b"ID3")
    assert media.headers["Content-Disposition"] == 'attachment; filename="Evening calm deep.mp3"'
    media.close()
    tampered = url.replace("d=Evening", "d=Other")
    assert client.get(tampered).status_code == 403  # the name is signed with the URL
    waiting = request(app, me.id)
    assert client.get(f"/library/{waiting}/download").status_code == 409


def test_delete_asks_first_then_removes_every_stored_version(app, client, me):
    item_id = request(app, me.id)
    drain(app)
    _post(client, f"/library/{item_id}/regenerate", {"pace": "slow"})
    drain(app)
    prefix = f"audio/{me.id}/{item_id}/"
    with app.app_context():
        assert len(get_storage().list(prefix)) == 2
    confirm = client.get(f"/library/{item_id}/delete?next=/library%3Fq%3Dx")
    assert confirm.status_code == 200 and b"this cannot be undone" in confirm.data
    dialog = client.get(f"/library/{item_id}/delete", headers=HTMX).data.decode()
    assert "<html" not in dialog and f'hx-post="/library/{item_id}/delete"' in dialog
    response = _post(client, f"/library/{item_id}/delete", {"next": "/library?q=x"})
    assert response.status_code == 303 and response.location == "/library?q=x"
    with app.app_context():
        assert get_storage().list(prefix) == [] and db.session.get(ContentItem, item_id) is None
    assert "Deleted “" in client.get("/library").data.decode()
    other = make_item(app, me.id, title="Desk reset")
    htmx = _post(client, f"/library/{other}/delete", htmx=True).data.decode()
    assert '<div id="flashes" hx-swap-oob="innerHTML">' in htmx and "Deleted “Desk reset”." in htmx
    assert "<li" not in htmx  # the card goes


def test_delete_is_refused_while_a_version_is_being_made(app, client, me):
    item_id = request(app, me.id)
    response = _post(client, f"/library/{item_id}/delete")
    assert response.status_code == 409 and b"still being made" in response.data


def test_idor_matrix_every_library_page_route_is_404_for_another_users_item(app, client, me):
    """SECURITY.md 9: GET and POST routes alike; nothing changes."""
    owner = make_user(app, credits_=3)
    item_id = make_item(app, owner.id, title="Owner's own")
    token = form_token(client.get("/library").data)
    for target in (item_id, uuid.uuid4()):
        for path in ("card", "progress", "download", "delete"):
            assert client.get(f"/library/{target}/{path}").status_code == 404, path
            assert client.get(f"/library/{target}/{path}", headers=HTMX).status_code == 404, path
        for path, data in (
            ("rename", {"title": "Mine now"}),
            ("favourite", {"favourite": "true"}),
            ("regenerate", {"pace": "slow"}),
            ("delete", {}),
        ):
            for headers in ({}, HTMX):
                response = client.post(f"/library/{target}/{path}", data={"csrf_token": token, **data}, headers=headers)
                assert response.status_code == 404, path
        if "library.player" in app.view_functions:
            assert client.get(f"/library/{target}").status_code == 404
    with app.app_context():
        assert db.session.get(ContentItem, item_id).title == "Owner's own"
        assert db.session.get(User, me.id).credit_balance == 3
        assert get_storage().list(f"audio/{owner.id}/{item_id}/")
    assert "Owner's own" not in client.get("/library").data.decode()


def test_forms_without_the_csrf_token_are_refused(app, client, me):
    item_id = make_item(app, me.id)
    for path in ("rename", "favourite", "regenerate", "delete"):
        assert client.post(f"/library/{item_id}/{path}", data={"title": "x", "pace": "slow"}).status_code == 400


@pytest.mark.parametrize("title", NASTY)
def test_titles_tags_and_pack_names_are_inert(app, client, me, title):
    """SECURITY.md 18."""
    creator = make_user(app)
    mine = make_item(app, me.id, title=title, tags=(title,))
    shared = make_item(app, creator.id, title=title)
    entitle(app, me.id, make_pack(app, creator.id, [shared], title=title))
    _play(app, me.id, mine)
    pages = [
        client.get("/library").data,
        client.get(f"/library?q={title}", headers=HTMX).data,
        client.get(f"/library/{mine}/card").data,
        client.get(f"/library/{mine}/delete").data,
        client.get("/library/stats").data,
        _post(client, f"/library/{mine}/rename", {"title": title}, htmx=True).data,
    ]
    for html in pages:
        text = html.decode()
        assert title not in text and "<div hx-get=/admin>" not in text
        assert "&lt;" in text


def test_stats_for_a_new_user_and_after_some_practice(app, client, me):
    empty = client.get("/library/stats").data.decode()
    assert "No practices yet" in empty and 'href="/library"' in empty
    calm = make_item(app, me.id, title="Evening calm")
    tea = make_item(app, me.id, title="Tea ritual", content_type="ritual")
    _play(app, me.id, calm, 600)
    _play(app, me.id, calm, 300)
    _play(app, me.id, tea, 120)
    html = client.get("/library/stats").data.decode()
    assert re.search(r'class="stat-tile streak-badge">\s*<span class="stat-number">1</span>', html)
    assert "day in a row · current streak" in html
    assert re.search(r'<span class="stat-number">17</span>\s*<span class="stat-label">minutes</span>', html)
    assert html.count('class="chart-col"') == 30 + 12
    assert re.search(
        r"lvl-20\" aria-hidden=\"true\"></span>\s*<span class=\"visually-hidden\">\w{3} \d\d \w{3}: 17 minutes", html
    )
    assert '<td class="num">17</td>' in html  # the table fallback
    assert f'<a href="/library/{calm}">Evening calm</a>' in html and "2 plays" in html
    assert re.search(r'Ritual</span>\s*<span class="share-track"', html)
