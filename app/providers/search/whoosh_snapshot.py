"""The Whoosh index held in memory as arrays, so a query is a few vector operations.

Whoosh stores and analyses; ranking is BM25 (Lucene's formula, k1 = 1.2, b = 0.75, as Elasticsearch) over
the postings of the query's terms. Segments never change once written (only their deletions do), so each
segment's sort keys and the postings read from it are kept per segment and reused by later generations;
a `Snapshot` joins the segments of one generation and applies its deletions.
"""

from __future__ import annotations

import math
import threading

import numpy as np
from whoosh.reading import IndexReader

from app.providers.search.base import BOOSTS, FUZZY_WEIGHT, TEXT_FIELDS, WORD_MATCH_SCORE, fuzziness

K1 = 1.2
B = 0.75
MAX_EXPANSIONS = 50  # near-miss terms per word, as Elasticsearch's fuzzy default
STEMS = "stems"  # the field holding every text field's stems
MAX_CACHED_TERMS = 20_000

Postings = tuple[np.ndarray, np.ndarray, np.ndarray]  # document numbers, term frequencies, field lengths
EMPTY: Postings = (np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0))


def _column(reader: IndexReader, name: str, dtype: type, size: int) -> np.ndarray:
    return np.fromiter(reader.column_reader(name), dtype=dtype, count=size)


def _ranks(*keys: np.ndarray) -> np.ndarray:
    """Each document's position when sorted by `keys`, the first key most significant."""
    order = np.lexsort(tuple(reversed(keys)))
    rank = np.empty(order.size, dtype=np.int64)
    rank[order] = np.arange(order.size)
    return rank


class SegmentData:
    """What one immutable segment holds: sort keys by document, and the postings read from it so far."""

    def __init__(self, leaf: IndexReader) -> None:
        self.size: int = leaf.doc_count_all()
        self.ids: list[str] = list(leaf.column_reader("id"))
        self.popularity = _column(leaf, "popularity", np.int64, self.size)
        self.published = _column(leaf, "published", np.int64, self.size)
        self.price = _column(leaf, "price", np.int64, self.size)
        self.duration = _column(leaf, "duration", np.float64, self.size)
        self._postings: dict[tuple[str, str], Postings] = {}
        self._near: dict[tuple[str, str, int], list[str]] = {}

    def postings(self, leaf: IndexReader, field: str, term: str) -> Postings:
        """Documents holding `term` in `field` (some may since be deleted), its frequency, the field's length."""
        found = self._postings.get((field, term))
        if found is None:
            found = EMPTY
            if (field, term) in leaf:
                docs, freqs = [], []
                matcher = leaf.postings(field, term)
                while matcher.is_active():
                    docs.append(matcher.id())
                    freqs.append(matcher.weight())
                    matcher.next()
                lengths = [leaf.doc_field_length(doc, field) or 1 for doc in docs] if field in BOOSTS else []
                found = (np.array(docs, dtype=np.int64), np.array(freqs), np.array(lengths, dtype=np.float64))
            if len(self._postings) >= MAX_CACHED_TERMS:
                self._postings.clear()
            self._postings[(field, term)] = found
        return found

    def near_terms(self, leaf: IndexReader, field: str, term: str, edits: int) -> list[str]:
        key = (field, term, edits)
        found = self._near.get(key)
        if found is None:
            found = self._near[key] = sorted(leaf.terms_within(field, term, edits, prefix=1))
        return found


class Snapshot:
    """One index generation: its segments joined end to end, which documents are live, and sort ranks."""

    def __init__(self, reader: IndexReader, cache: dict[str, SegmentData]) -> None:
        self.generation: int = reader.generation()
        self.parts: list[tuple[int, SegmentData]] = []
        self.segment_ids: list[str] = []
        deleted: list[int] = []
        for leaf, base in reader.leaf_readers():
            segment = leaf.segment()
            key = segment.segment_id()
            if key not in cache:
                cache[key] = SegmentData(leaf)
            self.parts.append((base, cache[key]))
            self.segment_ids.append(key)
            deleted.extend(base + doc for doc in segment.deleted_docs())
        self.size = sum(part.size for _, part in self.parts)
        self.ids: list[str] = [pack_id for _, part in self.parts for pack_id in part.ids]
        self.popularity, self.published, self.price, self.duration = (
            np.concatenate([getattr(part, name) for _, part in self.parts])
            for name in ("popularity", "published", "price", "duration")
        )
        self.live = np.ones(self.size, dtype=bool)
        self.live[np.array(deleted, dtype=np.int64)] = False
        self.doc_count = int(self.live.sum())
        self.avg_length = {field: reader.field_length(field) / max(1, self.size) for field in TEXT_FIELDS}
        self._ranks: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def rank(self, sort: str) -> np.ndarray:
        """Position of each document in the order of `sort` (relevance's tie-break is popular's order)."""
        sort = "popular" if sort == "relevance" else sort
        if sort not in self._ranks:
            with self._lock:
                by_id = _ranks(np.array(self.ids, dtype=str))
                keys = {
                    "popular": (-self.popularity, -self.published, by_id),
                    "newest": (-self.published, by_id),
                    "price": (self.price, -self.popularity, -self.published, by_id),
                }[sort]
                self._ranks[sort] = _ranks(*keys)
        return self._ranks[sort]

    def postings(self, reader: IndexReader, field: str, term: str) -> Postings:
        """The term's postings over every segment, numbered as in this generation."""
        found = [
            (docs + base, freqs, lengths)
            for (leaf, _), (base, part) in zip(reader.leaf_readers(), self.parts, strict=True)
            for docs, freqs, lengths in [part.postings(leaf, field, term)]
            if docs.size
        ]
        if not found:
            return EMPTY
        if len(found) == 1:
            return found[0]
        return tuple(np.concatenate(arrays) for arrays in zip(*found, strict=True))  # type: ignore[return-value]

    def within(self, reader: IndexReader, field: str, term: str, edits: int) -> list[str]:
        """Terms of `field` within `edits` edits of `term` (itself included) that share its first letter."""
        near: set[str] = set()
        for (leaf, _), (_, part) in zip(reader.leaf_readers(), self.parts, strict=True):
            near.update(part.near_terms(leaf, field, term, edits))
        return sorted(near)

    def near_terms(self, reader: IndexReader, term: str) -> list[str]:
        """Indexed stems within AUTO edits of `term`, the near misses a word also matches."""
        edits = fuzziness(term)
        return self.within(reader, STEMS, term, edits)[:MAX_EXPANSIONS] if edits else []

    def has(self, reader: IndexReader, field: str, value: str) -> np.ndarray:
        """A mask of the documents with this exact keyword."""
        mask = np.zeros(self.size, dtype=bool)
        mask[self.postings(reader, field, value)[0]] = True
        return mask

    def _bm25(self, reader: IndexReader, field: str, term: str) -> tuple[np.ndarray, np.ndarray]:
        docs, freqs, lengths = self.postings(reader, field, term)
        found = int(np.count_nonzero(self.live[docs]))
        if not found:
            return EMPTY[0], EMPTY[1]
        idf = math.log(1 + (self.doc_count - found + 0.5) / (found + 0.5))
        norm = K1 * (1 - B + B * lengths / (self.avg_length[field] or 1.0))
        return docs, idf * freqs * (K1 + 1) / (freqs + norm)

    def score(self, reader: IndexReader, stems: list[str]) -> np.ndarray:
        """Per document: a fixed amount for each stem it matches, plus the boosted BM25 of its matches (near
        misses at half weight). Zero means no match; deleted documents may score and must be masked."""
        total = np.zeros(self.size)
        for stem in stems:
            word = np.zeros(self.size)
            nearby = self.near_terms(reader, stem)
            for field in TEXT_FIELDS:
                docs, scores = self._bm25(reader, field, stem)
                word[docs] += BOOSTS[field] * scores
                for near in nearby:
                    docs, scores = self._bm25(reader, field, near)
                    word[docs] += BOOSTS[field] * FUZZY_WEIGHT * scores
            total += word + (word > 0) * WORD_MATCH_SCORE
        return total
