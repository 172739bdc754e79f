"""Whoosh backend: a file index under the instance folder, shared by every thread and process of the app.

Writers take a thread lock, then Whoosh's file lock (waiting up to `lock_timeout` seconds for a writer in
another process). Each thread keeps one reader and moves it to the latest commit before every query, so a
change is seen at once; ranking runs on an in-memory snapshot of that generation (`whoosh_snapshot`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from whoosh import writing
from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter, StopFilter
from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, TEXT, Schema
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex, LockError
from whoosh.reading import IndexReader

from app.providers.search.base import (
    STOPWORDS,
    PackDocument,
    SearchError,
    SearchQuery,
    SearchResult,
    clean_keyword,
    normalise,
    offset,
    query_words,
    search_terms,
    unique_docs,
)
from app.providers.search.whoosh_snapshot import STEMS, SegmentData, Snapshot

log = logging.getLogger(__name__)

WORDS = RegexTokenizer(r"\w+") | LowercaseFilter()
STEMMED = WORDS | StopFilter(stoplist=STOPWORDS, minsize=1) | StemFilter()
PROGRESS_EVERY = 100


def build_schema() -> Schema:
    """Stemmed text fields to search, plain words for spelling, keywords to filter, columns to sort."""
    return Schema(
        id=ID(unique=True, sortable=True),
        title=TEXT(analyzer=STEMMED, phrase=False),
        tags=TEXT(analyzer=STEMMED, phrase=False),
        description=TEXT(analyzer=STEMMED, phrase=False),
        creator_name=TEXT(analyzer=STEMMED, phrase=False),
        stems=TEXT(analyzer=STEMMED, phrase=False),  # every text field's stems: where near misses are looked up
        spell=TEXT(analyzer=WORDS, phrase=False),  # every text field's words as written: "did you mean" words
        tag=KEYWORD(),
        content_type=KEYWORD(),
        depth=KEYWORD(),
        price_type=ID(),
        duration=COLUMN(NumericColumn("d")),
        price=COLUMN(NumericColumn("q")),
        popularity=COLUMN(NumericColumn("q")),
        published=COLUMN(NumericColumn("q")),
    )


def _fields(doc: PackDocument) -> dict[str, object]:
    words = " ".join([doc.title, " ".join(doc.tags), doc.description, doc.creator_name])
    return {
        "id": doc.id,
        "title": doc.title,
        "tags": " ".join(doc.tags),
        "description": doc.description,
        "creator_name": doc.creator_name,
        "stems": words,
        "spell": words,
        "tag": sorted({clean_keyword(tag) for tag in doc.tags if tag.strip()}),
        "content_type": sorted(set(doc.content_types)),
        "depth": sorted(set(doc.depths)),
        "price_type": doc.price_type,
        "duration": float(doc.total_duration),
        "price": int(doc.price_amount),
        "popularity": int(doc.popularity),
        "published": int(doc.published_at.timestamp() * 1_000_000),
    }


def _stems(word: str) -> list[str]:
    """The indexed form of a query word: nothing for a stop word, else its stem."""
    return [token.text for token in STEMMED(word)]


class WhooshSearch:
    name = "whoosh"

    def __init__(self, directory: str | Path, index_name: str = "waqup-packs", *, lock_timeout: float = 60.0) -> None:
        self.directory = Path(directory)
        self.index_name = index_name
        self.lock_timeout = lock_timeout
        self.schema = build_schema()
        self._ix: FileIndex | None = None
        self._open_lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._local = threading.local()
        self._snapshot: Snapshot | None = None
        self._snapshot_lock = threading.Lock()
        self._segments: dict[str, SegmentData] = {}  # by segment id, shared by the snapshots that hold it

    # The index ------------------------------------------------------------------------------------

    def _index(self) -> FileIndex:
        if self._ix is None:
            with self._open_lock:
                if self._ix is None:
                    self._ix = self._open_or_create()
        return self._ix

    def _open_or_create(self) -> FileIndex:
        """Open the index, creating it (once, whichever process gets there first) if it is missing."""
        self.directory.mkdir(parents=True, exist_ok=True)
        storage = FileStorage(str(self.directory))
        if storage.index_exists(self.index_name):
            ix = storage.open_index(self.index_name)
            if set(ix.schema.names()) == set(self.schema.names()):
                return ix
        lock = storage.lock(f"{self.index_name}_CREATE")
        lock.acquire(blocking=True)
        try:
            if storage.index_exists(self.index_name):
                ix = storage.open_index(self.index_name)
                if set(ix.schema.names()) == set(self.schema.names()):
                    return ix
                log.warning("search index %s has an older schema: recreated empty, reindex to fill it", self.directory)
            return storage.create_index(self.schema, indexname=self.index_name)
        finally:
            lock.release()

    @contextmanager
    def _writer(self, mergetype: Callable | None = None) -> Iterator[writing.SegmentWriter]:
        """A writer that commits on success and cancels on error; waits for writers in other processes."""
        with self._write_lock:
            try:
                writer = self._index().writer(timeout=self.lock_timeout, delay=0.05)
            except LockError:
                log.error("search index %s stayed locked for %.0f s", self.directory, self.lock_timeout)
                raise SearchError(f"the search index at {self.directory} is locked by another writer") from None
            try:
                yield writer
            except BaseException:
                writer.cancel()
                raise
            writer.commit(mergetype=mergetype)

    def _reader(self) -> tuple[IndexReader, Snapshot | None]:
        """This thread's reader, moved to the latest commit, and the in-memory snapshot of that generation."""
        ix = self._index()
        reader: IndexReader | None = getattr(self._local, "reader", None)
        if reader is None or reader.generation() != ix.latest_generation():
            # A fresh reader each time: reusing the old one's segment readers would keep its deletions.
            if reader is not None:
                reader.close()
            reader = self._local.reader = ix.reader()
        if not reader.doc_count_all():
            return reader, None
        snapshot = self._snapshot
        if snapshot is None or snapshot.generation != reader.generation():
            with self._snapshot_lock:
                snapshot = self._snapshot
                if snapshot is None or snapshot.generation != reader.generation():
                    snapshot = self._snapshot = Snapshot(reader, self._segments)
                    for gone in set(self._segments) - set(snapshot.segment_ids):
                        del self._segments[gone]
        return reader, snapshot

    # Writes ---------------------------------------------------------------------------------------

    def index(self, docs: Iterable[PackDocument]) -> int:
        batch = unique_docs(docs)
        if not batch:
            return 0
        with self._writer() as writer:
            for doc in batch:
                writer.update_document(**_fields(doc))
        return len(batch)

    def remove(self, pack_id: str) -> None:
        with self._writer() as writer:
            writer.delete_by_term("id", str(pack_id))

    def reindex(self, docs: Iterable[PackDocument], progress: Callable[[int], None] | None = None) -> int:
        """Write every document into a new segment that replaces all others in one commit."""
        batch = unique_docs(docs)
        with self._writer(mergetype=writing.CLEAR) as writer:
            for done, doc in enumerate(batch, start=1):
                writer.add_document(**_fields(doc))
                if progress is not None and (done % PROGRESS_EVERY == 0 or done == len(batch)):
                    progress(done)
        if progress is not None and not batch:
            progress(0)
        return len(batch)

    def clear(self) -> None:
        with self._writer(mergetype=writing.CLEAR):
            pass

    def close(self) -> None:
        """Close this thread's reader (other threads' readers close with them)."""
        reader = getattr(self._local, "reader", None)
        if reader is not None:
            reader.close()
            self._local.reader = None

    # Search ---------------------------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        query = normalise(query)
        words = query_words(query.text)
        reader, snapshot = self._reader()
        if snapshot is None:
            return SearchResult(ids=[], total=0, suggestion=None)
        suggestion = self._suggestion(reader, snapshot, words)
        stems = [stem for term in search_terms(words) for stem in _stems(term)[:1]]
        wanted = self._filter_mask(reader, snapshot, query)
        if stems:
            scores = snapshot.score(reader, stems)
            found = np.flatnonzero(wanted & (scores > 0))
        else:
            found = np.flatnonzero(wanted)
        rank = snapshot.rank(query.sort)
        if stems and query.sort == "relevance":
            order = np.lexsort((rank[found], -np.round(scores[found], 6)))
        else:
            order = np.argsort(rank[found])
        start = offset(query)
        page = found[order[start : start + query.per_page]]
        return SearchResult(ids=[snapshot.ids[doc] for doc in page], total=int(found.size), suggestion=suggestion)

    @staticmethod
    def _filter_mask(reader: IndexReader, snapshot: Snapshot, query: SearchQuery) -> np.ndarray:
        """Live documents passing every filter of the query."""
        mask = snapshot.live.copy()
        for field, value in (
            ("content_type", query.content_type),
            ("price_type", query.price_type),
            ("depth", query.depth),
            ("tag", query.tag),
        ):
            if value:
                mask &= snapshot.has(reader, field, value)
        if query.min_minutes is not None:
            mask &= snapshot.duration >= query.min_minutes * 60
        if query.max_minutes is not None:
            mask &= snapshot.duration <= query.max_minutes * 60
        return mask

    # Did you mean ---------------------------------------------------------------------------------

    @staticmethod
    def _suggestion(reader: IndexReader, snapshot: Snapshot, words: list[str]) -> str | None:
        """The words with each unknown one replaced by its closest indexed word, or None if all are known."""
        fixed = [_correction(reader, snapshot, word) or word for word in words]
        return " ".join(fixed) if fixed != words else None


def _correction(reader: IndexReader, snapshot: Snapshot, word: str) -> str | None:
    """The most frequent indexed word nearest to an unknown `word` (one edit, else two); None if it is known."""
    if len(word) < 3 or word in STOPWORDS or ("spell", word) in reader:
        return None
    if any((STEMS, stem) in reader for stem in _stems(word)):
        return None  # another form of an indexed word ("sleeping" for "sleep")
    for edits in (1, 2):
        near = snapshot.within(reader, "spell", word, edits)
        if near:
            return min(near, key=lambda candidate: (-reader.doc_frequency("spell", candidate), candidate))
    return None
