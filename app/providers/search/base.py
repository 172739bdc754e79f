"""The marketplace search port: pack documents in, ranked pack ids out, the same rules on every backend."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

SORTS = ("relevance", "newest", "popular", "price")  # price = low to high

MAX_TEXT = 200  # characters of query text considered; the rest is cut
MAX_WORDS = 12  # words of query text considered
MAX_PER_PAGE = 100

# Query-time boosts per text field, highest first: a title match beats a tag match beats a description match
# beats a creator match.
BOOSTS = {"title": 4.0, "tags": 3.0, "description": 2.0, "creator_name": 1.0}
TEXT_FIELDS = tuple(BOOSTS)
FUZZY_WEIGHT = 0.5  # a fuzzy (misspelt) match scores half an exact one
# Every query word a document matches adds this much before relevance, so documents matching all the words
# rank above those matching only some (relevance scores stay far below it).
WORD_MATCH_SCORE = 1000.0

# Lucene's English stop words (Elasticsearch's `_english_`), shared so both backends drop the same words.
STOPWORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with",
    }
)  # fmt: skip

_WORD = re.compile(r"\w+")


class SearchError(Exception):
    """The search backend failed (unreachable, misconfigured); the message names the operation."""


@dataclass(frozen=True)
class PackDocument:
    id: str  # the pack's UUID as a string
    title: str
    description: str
    tags: list[str]
    creator_name: str
    content_types: list[str]  # of its items: affirmation | guided_meditation | ritual
    depths: list[str]  # shallow | medium | deep
    price_type: str  # free | one_time | subscription
    price_amount: int  # cents; 0 for free
    total_duration: float  # seconds, all items
    item_count: int
    popularity: int  # active entitlements
    published_at: datetime  # timezone-aware UTC


@dataclass(frozen=True)
class SearchQuery:
    text: str = ""
    content_type: str | None = None
    price_type: str | None = None
    depth: str | None = None
    tag: str | None = None
    min_minutes: int | None = None  # total_duration >= min_minutes*60
    max_minutes: int | None = None  # total_duration <= max_minutes*60
    sort: str = "relevance"
    page: int = 1  # 1-based
    per_page: int = 12


@dataclass(frozen=True)
class SearchResult:
    ids: list[str]  # pack ids of this page, in order
    total: int  # matches over all pages
    suggestion: str | None  # a corrected query ("did you mean") when the text has a likely typo, else None


class SearchProvider(Protocol):
    name: str

    def index(self, docs: Iterable[PackDocument]) -> int:
        """Add or replace these documents; returns how many were written."""
        ...

    def remove(self, pack_id: str) -> None:
        """Drop one pack from the index; no error if it is absent."""
        ...

    def search(self, query: SearchQuery) -> SearchResult: ...

    def reindex(self, docs: Iterable[PackDocument], progress: Callable[[int], None] | None = None) -> int:
        """Replace the whole index with these documents, calling `progress(n_done)` as it goes."""
        ...

    def clear(self) -> None: ...


def normalise(query: SearchQuery) -> SearchQuery:
    """The query as backends run it: known sort, page >= 1, per_page in 1..100, text cut to 200 characters."""
    if query.sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}, not {query.sort!r}")
    return dataclasses.replace(
        query,
        text=(query.text or "")[:MAX_TEXT],
        page=max(1, int(query.page)),
        per_page=min(MAX_PER_PAGE, max(1, int(query.per_page))),
        tag=clean_keyword(query.tag) if query.tag is not None else None,
    )


def query_words(text: str) -> list[str]:
    """The words of untrusted query text, lower-cased: runs of letters and digits, so no query syntax survives."""
    return _WORD.findall((text or "")[:MAX_TEXT].lower())[:MAX_WORDS]


def search_terms(words: list[str]) -> list[str]:
    """The words that are searched for: stop words dropped, each word once, in order."""
    return list(dict.fromkeys(word for word in words if word not in STOPWORDS))


def fuzziness(term: str) -> int:
    """Edits allowed for a term, as Elasticsearch's AUTO: none up to 2 characters, 1 up to 5, else 2."""
    return 0 if len(term) <= 2 else 1 if len(term) <= 5 else 2


def clean_keyword(value: str) -> str:
    """Tags and other filter keywords compare trimmed and lower-cased."""
    return value.strip().lower()


def unique_docs(docs: Iterable[PackDocument]) -> list[PackDocument]:
    """One document per id; a later copy of an id replaces an earlier one."""
    by_id: dict[str, PackDocument] = {}
    for doc in docs:
        by_id[doc.id] = doc
    return list(by_id.values())


def offset(query: SearchQuery) -> int:
    return (query.page - 1) * query.per_page
