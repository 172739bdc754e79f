"""One contract for every search backend: Whoosh always, Elasticsearch when ELASTICSEARCH_URL is set."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from flask import Flask

from app.providers.search import SORTS, PackDocument, SearchQuery, SearchResult, build_search, get_search
from app.providers.search.base import query_words
from app.providers.search.elastic_search import build_query, build_sort, suggestion
from app.providers.search.whoosh_search import WhooshSearch

ES_URL = os.environ.get("ELASTICSEARCH_URL")
ES_REASON = "needs an Elasticsearch server: set ELASTICSEARCH_URL to run the contract against it"
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


def pid(n: int) -> str:
    return f"00000000-0000-4000-8000-{n:012d}"


def doc(
    n: int,
    title: str,
    tags: list[str],
    description: str,
    creator: str,
    types: list[str],
    depths: list[str],
    price: tuple[str, int],
    seconds: float,
    popularity: int,
    days_ago: int,
    items: int = 2,
) -> PackDocument:
    return PackDocument(
        id=pid(n),
        title=title,
        description=description,
        tags=tags,
        creator_name=creator,
        content_types=types,
        depths=depths,
        price_type=price[0],
        price_amount=price[1],
        total_duration=seconds,
        item_count=items,
        popularity=popularity,
        published_at=NOW - timedelta(days=days_ago),
    )


FREE = ("free", 0)
GM, AFF, RIT = "guided_meditation", "affirmation", "ritual"
# fmt: off
DOCS = [
    doc(1, "Sleep Deeply Tonight", ["sleep", "night"], "A slow body scan that carries you into rest.", "Mira Hale",
        [GM], ["deep"], FREE, 1800, 120, 10),
    doc(2, "Rain for Sleeping", ["sleep", "rain"], "Soft rain sounds and a gentle voice for a restful night.",
        "Tom Reyes", [AFF, GM], ["medium"], ("one_time", 499), 2400, 300, 40),
    doc(3, "Night Calm", ["sleeping", "calm"], "Affirmations to quiet a busy mind before bed.", "Mira Hale",
        [AFF], ["shallow"], ("subscription", 999), 600, 80, 5),
    doc(4, "Deep Focus", ["work", "clarity"], "Twenty minutes of steady attention for the working day.", "Ana Ortiz",
        [GM], ["medium"], ("one_time", 299), 1200, 50, 20),
    doc(5, "Flow State", ["focus", "work"], "Settle into a single task and let distractions pass.", "Leo Park",
        [RIT], ["medium"], FREE, 900, 500, 15),
    doc(6, "Quiet Desk", ["work", "clarity"], "Breathe, drop your shoulders and focus on one thing at a time.",
        "Ana Ortiz", [AFF], ["shallow"], ("one_time", 299), 300, 900, 3),
    doc(7, "Evening Wind Down", ["evening", "calm"], "Let the day go with a short ritual of thanks.",
        "Focus Collective", [RIT], ["shallow"], FREE, 420, 1000, 1),
    doc(8, "Anxiety Relief", ["anxiety", "calm"], "Grounding practices for anxious moments.", "Sam Lee",
        [GM, RIT], ["deep"], ("subscription", 1499), 3600, 700, 60),
    doc(9, "Panic to Peace", ["anxiety"], "When worry rises, return to the breath.", "Sam Lee",
        [GM], ["medium"], ("one_time", 799), 1500, 40, 90),
    doc(10, "Morning Light", ["morning", "energy"], "Wake up with clear intentions.", "Ivy Chen",
        [AFF], ["shallow"], FREE, 300, 600, 2),
    doc(11, "Thankful Start", ["journal"], "A gratitude practice for the morning, three things at a time.",
        "Ivy Chen", [RIT], ["medium"], ("one_time", 499), 900, 20, 30),
    doc(12, "Gratitude Journal", ["gratitude", "evening"], "Write down what went well and feel it again.",
        "Noor Amin", [AFF, RIT], ["shallow"], FREE, 600, 250, 12),
    doc(13, "Yoga Nidra", ["rest", "body"], "Forty minutes of deep rest for body and mind.", "Kai Moana",
        [GM], ["deep"], ("subscription", 999), 2400, 300, 40),
    doc(14, "Walking Meditation", ["walking", "outdoors"], "Pace by pace, notice the ground under you.",
        "Leo Park", [GM], ["medium"], ("one_time", 199), 1080, 60, 25),
    doc(15, "Confident Voice", ["confidence"], "Affirmations to speak up with ease.", "Noor Amin",
        [AFF], ["shallow"], ("one_time", 199), 240, 60, 25),
]
# fmt: on
BY_ID = {d.id: d for d in DOCS}

EXPECTED_ORDER = {
    "popular": sorted(DOCS, key=lambda d: (-d.popularity, -d.published_at.timestamp(), d.id)),
    "newest": sorted(DOCS, key=lambda d: (-d.published_at.timestamp(), d.id)),
    "price": sorted(DOCS, key=lambda d: (d.price_amount, -d.popularity, -d.published_at.timestamp(), d.id)),
}
EXPECTED_ORDER["relevance"] = EXPECTED_ORDER["popular"]


def ids(*numbers: int) -> list[str]:
    return [pid(n) for n in numbers]


def _drop_es_indices(provider) -> None:  # type: ignore[no-untyped-def]
    names = list(provider.es.indices.get(index=f"{provider.alias}-*", expand_wildcards="all"))
    if names:
        provider.es.indices.delete(index=",".join(names), ignore_unavailable=True)


@pytest.fixture(
    params=["whoosh", pytest.param("elasticsearch", marks=pytest.mark.skipif(not ES_URL, reason=ES_REASON))]
)
def empty(request, tmp_path):  # type: ignore[no-untyped-def]
    """A provider with nothing indexed yet."""
    if request.param == "whoosh":
        provider = WhooshSearch(tmp_path / "search", "test-packs")
        yield provider
        provider.close()
        return
    from app.providers.search.elastic_search import ElasticsearchSearch

    provider = ElasticsearchSearch(ES_URL, f"waqup-test-{uuid.uuid4().hex[:8]}")
    try:
        yield provider
    finally:
        _drop_es_indices(provider)
        provider.close()


@pytest.fixture
def search(empty):  # type: ignore[no-untyped-def]
    """A provider holding the fifteen fixture packs."""
    assert empty.index(DOCS) == len(DOCS)
    return empty


def find(provider, text: str = "", **filters: object) -> SearchResult:  # type: ignore[no-untyped-def]
    return provider.search(SearchQuery(text=text, per_page=100, **filters))


# Text: fields, stemming, several words --------------------------------------------------------------


def test_title_beats_tags_beats_description_beats_creator(search) -> None:  # type: ignore[no-untyped-def]
    result = find(search, "focus")
    assert result.ids == ids(4, 5, 6, 7)  # title, tag, description, creator (popularity 50 < 500 < 900 < 1000)
    assert result.total == 4
    assert result.suggestion is None


def test_stemming_matches_other_forms_of_a_word(search) -> None:  # type: ignore[no-untyped-def]
    assert set(find(search, "sleeping").ids) == set(ids(1, 2, 3))
    assert set(find(search, "sleep").ids) == set(ids(1, 2, 3))
    assert set(find(search, "breathing").ids) == set(ids(6, 9))
    assert find(search, "Sleeping").suggestion is None


def test_documents_matching_every_word_rank_above_those_matching_some(search) -> None:  # type: ignore[no-untyped-def]
    # Pack 11 has both words only in its description; 10 and 12 have one word each in their titles and tags.
    result = find(search, "morning gratitude")
    assert result.ids[0] == pid(11)
    assert set(result.ids) == set(ids(10, 11, 12))
    result = find(search, "calm anxiety")
    assert result.ids[0] == pid(8)
    assert set(result.ids) == set(ids(3, 7, 8, 9))


def test_stop_words_and_punctuation_alone_mean_no_text(search) -> None:  # type: ignore[no-untyped-def]
    for text in ("the and of", "  ", "!!! ???"):
        result = find(search, text)
        assert result.total == len(DOCS)
        assert result.suggestion is None


def test_equal_scores_fall_back_to_popularity_then_newest_then_id(empty) -> None:  # type: ignore[no-untyped-def]
    base = dataclasses.replace(DOCS[0], title="Ocean Breath Retreat", tags=["ocean"], description="Waves.")
    twins = [
        dataclasses.replace(base, id=pid(101), popularity=5),
        dataclasses.replace(base, id=pid(102), popularity=50),
        dataclasses.replace(base, id=pid(103), popularity=5, published_at=NOW),
        dataclasses.replace(base, id=pid(104), popularity=5),
    ]
    empty.index(twins)
    assert find(empty, "ocean").ids == ids(102, 103, 101, 104)


# Typos ----------------------------------------------------------------------------------------------


def test_a_misspelt_word_still_finds_packs_and_gets_a_suggestion(search) -> None:  # type: ignore[no-untyped-def]
    result = find(search, "slep")
    assert set(result.ids) == set(ids(1, 2, 3))
    assert result.suggestion == "sleep"
    result = find(search, "anxeity")
    assert set(result.ids) == set(ids(8, 9))
    assert result.suggestion == "anxiety"


def test_only_the_unknown_word_is_corrected(search) -> None:  # type: ignore[no-untyped-def]
    result = find(search, "Calm anxeity")
    assert result.suggestion == "calm anxiety"
    assert result.ids[0] == pid(8)


def test_no_suggestion_when_every_word_is_known(search) -> None:  # type: ignore[no-untyped-def]
    assert find(search, "sleep calm").suggestion is None
    assert find(search, "deep focus for work").suggestion is None


# Filters --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"content_type": "ritual"}, (5, 7, 8, 11, 12)),
        ({"price_type": "free"}, (1, 5, 7, 10, 12)),
        ({"depth": "deep"}, (1, 8, 13)),
        ({"tag": "sleep"}, (1, 2)),  # exact: "sleeping" is another tag
        ({"tag": " SLEEP "}, (1, 2)),
        ({"min_minutes": 30, "max_minutes": 40}, (1, 2, 13)),
        ({"max_minutes": 10}, (3, 6, 7, 10, 12, 15)),  # inclusive: 600 s is 10 minutes
        ({"min_minutes": 60}, (8,)),
        ({"content_type": "guided_meditation", "depth": "deep", "max_minutes": 40}, (1, 13)),
        ({"price_type": "one_time", "tag": "work"}, (4, 6)),
        ({"price_type": "nothing-like-this"}, ()),
    ],
)
def test_filters(search, filters, expected) -> None:  # type: ignore[no-untyped-def]
    result = find(search, **filters)
    assert set(result.ids) == set(ids(*expected))
    assert result.total == len(expected)


def test_filters_combine_with_text(search) -> None:  # type: ignore[no-untyped-def]
    assert find(search, "sleep", price_type="one_time").ids == ids(2)
    assert find(search, "calm", content_type="ritual").ids == ids(7, 8)  # equal scores: the more popular first
    assert find(search, "focus", tag="nothing").total == 0


# Sorts and pages ------------------------------------------------------------------------------------


@pytest.mark.parametrize("sort", SORTS)
def test_sorts_without_text(search, sort) -> None:  # type: ignore[no-untyped-def]
    assert find(search, sort=sort).ids == [d.id for d in EXPECTED_ORDER[sort]]


def test_sorts_apply_to_text_matches(search) -> None:  # type: ignore[no-untyped-def]
    assert find(search, "sleep", sort="newest").ids == ids(3, 1, 2)
    assert find(search, "sleep", sort="popular").ids == ids(2, 1, 3)
    assert find(search, "sleep", sort="price").ids == ids(1, 2, 3)


def test_unknown_sort_is_refused(search) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="sort"):
        search.search(SearchQuery(sort="cheapest"))


def test_pages_cover_every_match_once_with_the_total(search) -> None:  # type: ignore[no-untyped-def]
    pages = [search.search(SearchQuery(sort="newest", page=n, per_page=4)) for n in (1, 2, 3, 4)]
    assert [len(p.ids) for p in pages] == [4, 4, 4, 3]
    assert all(p.total == len(DOCS) for p in pages)
    assert [i for p in pages for i in p.ids] == [d.id for d in EXPECTED_ORDER["newest"]]
    for page in (5, 1_000_000):
        past = search.search(SearchQuery(sort="newest", page=page, per_page=4))
        assert past.ids == []
        assert past.total == len(DOCS)
    assert search.search(SearchQuery(page=0, per_page=0)).ids == [EXPECTED_ORDER["relevance"][0].id]


def test_text_pages(search) -> None:  # type: ignore[no-untyped-def]
    first = search.search(SearchQuery(text="focus", per_page=3))
    second = search.search(SearchQuery(text="focus", per_page=3, page=2))
    assert (first.ids, second.ids, first.total, second.total) == (ids(4, 5, 6), ids(7), 4, 4)


# Writes ---------------------------------------------------------------------------------------------


def test_index_replaces_a_pack_with_the_same_id(search) -> None:  # type: ignore[no-untyped-def]
    search.index([dataclasses.replace(DOCS[0], title="Ocean Waves", tags=["ocean"], price_type="one_time")])
    assert find(search, "ocean").ids == ids(1)
    assert set(find(search, "sleep").ids) == set(ids(2, 3))
    assert find(search, price_type="one_time").total == 8
    assert find(search).total == len(DOCS)


def test_remove_is_seen_at_once_and_absent_ids_are_fine(search) -> None:  # type: ignore[no-untyped-def]
    search.remove(pid(8))
    assert find(search, "anxiety").ids == ids(9)
    assert find(search).total == len(DOCS) - 1
    search.remove(pid(8))
    search.remove("not-a-pack")
    assert find(search).total == len(DOCS) - 1


def test_reindex_replaces_everything_and_reports_progress(search) -> None:  # type: ignore[no-untyped-def]
    calls: list[int] = []
    assert search.reindex(iter(DOCS[:5]), progress=calls.append) == 5
    assert calls and calls[-1] == 5 and calls == sorted(calls)
    assert set(find(search).ids) == set(ids(1, 2, 3, 4, 5))
    assert find(search, "anxiety").total == 0
    assert search.reindex([], progress=calls.append) == 0
    assert calls[-1] == 0
    assert find(search).total == 0


def test_clear_empties_the_index_and_it_fills_again(search) -> None:  # type: ignore[no-untyped-def]
    search.clear()
    assert find(search) == SearchResult(ids=[], total=0, suggestion=None)
    assert find(search, "sleep").ids == []
    search.index(DOCS[:2])
    assert set(find(search).ids) == set(ids(1, 2))


def test_an_empty_index_answers(empty) -> None:  # type: ignore[no-untyped-def]
    assert find(empty, "sleep") == SearchResult(ids=[], total=0, suggestion=None)
    assert empty.index([]) == 0
    empty.remove(pid(1))


# Untrusted text -------------------------------------------------------------------------------------

HOSTILE = [
    "title:sleep",
    "*",
    "?",
    "sleep AND OR NOT",
    '"sleep',
    "(sleep]",
    "\\",
    "sleep^10",
    "slee~2",
    "{!lucene}sleep",
    "/.*/",
    "sleep:* OR id:*",
    "<script>alert(1)</script>",
    "'; DROP TABLE packs; --",
    "\x00\x01 sleep",
    "😴 sleep 💤",
    "%s %d {0}",
    "+sleep -calm",
    "a" * 5000,
    "sleep " * 200,
]


@pytest.mark.parametrize("text", HOSTILE)
def test_query_syntax_is_plain_words(search, text) -> None:  # type: ignore[no-untyped-def]
    result = find(search, text)
    assert set(result.ids) <= set(BY_ID)
    assert result.total == len(result.ids)


def test_syntax_around_words_still_finds_them(search) -> None:  # type: ignore[no-untyped-def]
    assert set(find(search, 'title:"sleep" AND (rain)').ids) == set(ids(1, 2, 3))
    assert find(search, "+focus*").ids == ids(4, 5, 6, 7)


def test_text_past_200_characters_is_cut(search) -> None:  # type: ignore[no-untyped-def]
    assert query_words("x" * 199 + " sleep") == ["x" * 199]
    assert pid(1) not in find(search, "x" * 199 + " sleep").ids
    assert pid(1) in find(search, "sleep " + "x" * 300).ids


# Whoosh: files, threads, processes ------------------------------------------------------------------


def test_whoosh_creates_its_directory_on_first_use(tmp_path) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "nested" / "search"
    provider = WhooshSearch(folder)
    assert not folder.exists()
    assert provider.search(SearchQuery()).total == 0
    assert folder.is_dir()
    provider.close()


def test_whoosh_instances_on_one_directory_see_each_others_writes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    web, worker = WhooshSearch(tmp_path), WhooshSearch(tmp_path)
    assert web.search(SearchQuery()).total == 0
    worker.index(DOCS)
    assert web.search(SearchQuery(text="focus")).ids == ids(4, 5, 6, 7)
    web.remove(pid(4))
    assert worker.search(SearchQuery(text="focus")).ids == ids(5, 6, 7)
    worker.reindex(DOCS[:3])
    assert web.search(SearchQuery()).total == 3
    web.close()
    worker.close()


def test_whoosh_threads_write_and_read_together(tmp_path) -> None:  # type: ignore[no-untyped-def]
    provider = WhooshSearch(tmp_path)
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            for k in range(5):
                provider.index([dataclasses.replace(DOCS[k], id=pid(1000 + n * 10 + k))])
                provider.search(SearchQuery(text="sleep calm", sort="popular"))
        except BaseException as error:  # handed to the main thread
            errors.append(error)
        finally:
            provider.close()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert provider.search(SearchQuery()).total == 30
    provider.close()


def _index_in_a_process(folder: str, first: int) -> None:
    provider = WhooshSearch(folder, lock_timeout=30)
    for k in range(8):
        provider.index([dataclasses.replace(DOCS[k], id=pid(first + k))])


def test_whoosh_processes_write_one_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    parent = WhooshSearch(tmp_path)
    parent.index(DOCS)
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_index_in_a_process, args=(str(tmp_path), 2000 + 100 * n)) for n in range(2)]
    for worker in workers:
        worker.start()
    parent.index([dataclasses.replace(DOCS[0], title="Ocean Waves")])
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert parent.search(SearchQuery()).total == len(DOCS) + 16
    assert parent.search(SearchQuery(text="ocean")).ids == ids(1)
    parent.close()


# Building from settings ------------------------------------------------------------------------------


def test_get_search_builds_one_whoosh_provider_per_app_from_its_config(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = Flask(__name__, instance_path=str(tmp_path / "instance"))
    app.config.update(SEARCH_BACKEND="whoosh", SEARCH_INDEX_NAME="packs", SEARCH_INDEX_DIR=None)
    provider = get_search(app)
    assert isinstance(provider, WhooshSearch)
    assert provider.directory == tmp_path / "instance" / "search"
    assert provider.index_name == "packs"
    with app.app_context():
        assert get_search() is provider
    custom = build_search({"SEARCH_BACKEND": "whoosh", "SEARCH_INDEX_DIR": str(tmp_path / "elsewhere")})
    assert custom.directory == tmp_path / "elsewhere"


def test_build_search_refuses_incomplete_settings() -> None:
    with pytest.raises(RuntimeError, match="ELASTICSEARCH_URL"):
        build_search({"SEARCH_BACKEND": "elasticsearch", "ELASTICSEARCH_URL": None})
    with pytest.raises(RuntimeError, match="SEARCH_BACKEND"):
        build_search({"SEARCH_BACKEND": "solr"})


# Elasticsearch request building (runs without a server) --------------------------------------------


def test_elasticsearch_suggestion_replaces_only_words_whose_stem_is_unknown() -> None:
    words = ["calm", "for", "anxeity", "sleeping"]
    suggest = {  # as the two term suggesters answer for "calm for anxeity sleeping"
        "plain": [
            {"text": "for", "offset": 5, "length": 3, "options": [{"text": "fox", "score": 0.6, "freq": 1}]},
            {"text": "anxeity", "offset": 9, "length": 7, "options": [{"text": "anxiety", "score": 0.8, "freq": 2}]},
            {"text": "sleeping", "offset": 17, "length": 8, "options": [{"text": "sleep", "score": 0.7, "freq": 3}]},
        ],
        "stemmed": [
            {"text": "calm", "offset": 0, "length": 4, "options": []},
            {"text": "anxeiti", "offset": 9, "length": 7, "options": [{"text": "anxieti", "score": 0.8, "freq": 2}]},
            {"text": "sleep", "offset": 17, "length": 8, "options": []},
        ],
    }
    assert suggestion(words, suggest) == "calm for anxiety sleeping"
    assert suggestion(["calm"], {"plain": [], "stemmed": [{"text": "calm", "offset": 0, "options": []}]}) is None


def test_elasticsearch_query_carries_every_filter_and_sort() -> None:
    query = SearchQuery(text="x", content_type="ritual", price_type="free", depth="deep", tag="calm",
                        min_minutes=5, max_minutes=20)  # fmt: skip
    body = build_query(query, ["sleep", "calm"])
    assert body["bool"]["filter"] == [
        {"term": {"content_types": "ritual"}},
        {"term": {"price_type": "free"}},
        {"term": {"depths": "deep"}},
        {"term": {"tags.exact": "calm"}},
        {"range": {"total_duration": {"gte": 300, "lte": 1200}}},
    ]
    assert len(body["bool"]["must"][0]["bool"]["should"]) == 2
    assert build_query(SearchQuery(), [])["bool"]["must"] == [{"match_all": {}}]
    assert build_sort("relevance", True)[0] == {"_score": "desc"}
    assert build_sort("relevance", False) == build_sort("popular", True)
    assert build_sort("price", False)[:2] == [{"price_amount": "asc"}, {"popularity": "desc"}]


def test_elasticsearch_reindex_fills_a_new_index_then_swaps_the_alias(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Through the real 9.x client, with its transport answering locally: the requests and their order."""
    from elastic_transport import ApiResponseMeta, HeadApiResponse, HttpHeaders, NodeConfig, ObjectApiResponse
    from elasticsearch import Elasticsearch

    from app.providers.search.elastic_search import ElasticsearchSearch

    calls: list[tuple[str, str]] = []
    node = NodeConfig("http", "localhost", 9200)

    def answer(self, method, path, *, params=None, headers=None, body=None, **kwargs):  # type: ignore[no-untyped-def]
        calls.append((method, path))
        meta = ApiResponseMeta(200, "1.1", HttpHeaders({"x-elastic-product": "Elasticsearch"}), 0.0, node)
        if method == "HEAD":
            return HeadApiResponse(meta=meta)  # the alias exists
        if path == "/_bulk":
            actions = [line for line in body if b'"index"' in line[:12]]
            return ObjectApiResponse({"errors": False, "items": [{"index": {"status": 201}} for _ in actions]}, meta)
        if path.startswith("/_alias/"):
            return ObjectApiResponse({"packs-old": {"aliases": {"packs": {}}}}, meta)
        return ObjectApiResponse({"acknowledged": True}, meta)

    monkeypatch.setattr(Elasticsearch, "perform_request", answer)
    provider = ElasticsearchSearch("http://localhost:9200", "packs")
    progress: list[int] = []
    assert provider.reindex(DOCS, progress=progress.append) == len(DOCS)
    assert progress == [len(DOCS)]
    fresh = calls[1][1]
    assert fresh.startswith("/packs-")
    assert calls == [
        ("HEAD", "/_alias/packs"),
        ("PUT", fresh),
        ("PUT", "/_bulk"),
        ("POST", f"{fresh}/_refresh"),
        ("GET", "/_alias/packs"),
        ("POST", "/_aliases"),
        ("DELETE", "/packs-old"),
    ]
