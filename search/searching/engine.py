"""``SearchEngine``: the reading side of an index (``search.NewsIndex`` is the door to it).

A search runs in four steps over one ``Snapshot`` (a searcher and its arrays): the query
becomes a boolean mask over document numbers with BM25F scores (``searching.scoring``),
each facet filter another mask, facet counts are ``np.bincount`` over the masks (each facet
with its own filter lifted), and the page is ranked by score or date, one copy per story
(``searching.ranking``). The snapshot is replaced when the index changes on disk: a
published rebuild (the manifest names another generation) or an in-place add/delete.
"""

from __future__ import annotations

import contextlib
import functools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
from whoosh import classify
from whoosh import query as wq
from whoosh.filedb.filetables import FileFormatError
from whoosh.index import EmptyIndexError

from search.article import Article
from search.errors import ArticleNotFound, BadParameter, IndexDamaged
from search.indexing.schema import SCHEMA_VERSION, document_to_article
from search.indexing.store import IndexStore
from search.searching.facets import FACETS, FacetData, MatchedStories
from search.searching.options import (
    FACET_MODES,
    SORTS,
    Filters,
    check_choice,
    check_facets,
    check_filters,
    check_paging,
    check_range,
    toggled,
)
from search.searching.parser import (
    DATE_FIELD,
    ParsedQuery,
    date_range_query,
    parse_query,
)
from search.searching.ranking import Ranked, by_date, by_score
from search.searching.rescoring import by_subject, ranks_by_subject, rescore
from search.searching.results import (
    AlsoRan,
    Copy,
    FacetValue,
    Hit,
    IndexStats,
    Outlet,
    SearchResult,
    Timeline,
    TimelinePoint,
    TimelineSeries,
)
from search.searching.scoring import (
    DEFAULT_RANKING,
    Deadline,
    Ranking,
    evaluate,
    has_common_words,
    rank_below,
    warm,
)
from search.searching.snapshot import NO_DATE, SegmentCache, Snapshot
from search.searching.snippets import make_snippet
from search.searching.suggest import suggest
from search.settings import Settings

#: More-like-this: key terms taken from the article.
RELATED_TERMS = 12
#: The coverage chart counts per day when its matches span fewer days than this.
DAILY_TIMELINE_DAYS = 90
#: A timeline compares the main query with at most this many more.
MAX_COMPARE = 4
#: Microseconds per day in Whoosh's date numbers (microseconds since 0001-01-01).
_DAY_USECS = 86_400_000_000
#: Times a reader tries to open what the manifest names while writers keep replacing it.
OPEN_ATTEMPTS = 5
#: Stored fields read per lock hold while exporting.
EXPORT_CHUNK = 256
#: Query evaluations kept (per live snapshot), so that the search page's search and its
#: coverage chart, the same query in one request, evaluate it once.
EVALUATIONS_KEPT = 2
#: Parsed queries kept (per process), for the same reason.
PARSES_KEPT = 64


def _manifest_stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def _date_mask(snap: Snapshot, ranges: list[str]) -> np.ndarray:
    """Documents published within any of ``ranges`` (``FROM..TO``): OR, as within a facet."""
    mask = np.zeros(snap.ndocs, dtype=bool)
    for value in ranges:
        mask |= evaluate(snap, date_range_query(value))[0]
    return mask


def _all(masks: list[np.ndarray], base: np.ndarray) -> np.ndarray:
    out = base.copy()
    for mask in masks:
        out &= mask
    return out


class SearchEngine:
    """Searches one index directory; reuse one instance (it caches a searcher and arrays)."""

    def __init__(
        self, store: IndexStore, settings: Settings | None = None, ranking: Ranking | None = None
    ) -> None:
        self.store = store
        self.settings = settings or Settings()
        self.ranking = ranking or DEFAULT_RANKING
        self._lock = threading.Lock()
        self._index = None
        self._generation: str | None = None
        self._stamp: tuple[int, int, int] | None = None
        self._snapshot: Snapshot | None = None
        self._retired: Snapshot | None = None
        #: Column arrays per segment of the live generation, shared by its snapshots.
        self._segments = SegmentCache()
        self._evaluations: OrderedDict[tuple, tuple[np.ndarray, np.ndarray | None]] = OrderedDict()
        self._evaluations_lock = threading.Lock()

    # -- keeping the snapshot current ------------------------------------------------------

    def _current(self) -> Snapshot:
        """The snapshot for what is on disk now, rebuilt if the index changed."""
        with self._lock:
            for attempt in range(OPEN_ATTEMPTS):
                stamp = _manifest_stamp(self.store.manifest_path)
                try:
                    return self._refreshed(stamp)
                except (
                    IndexDamaged,
                    EmptyIndexError,
                    FileFormatError,
                    OSError,
                    EOFError,
                    ValueError,
                ) as exc:
                    # A writer may publish anew and remove what was named a moment ago
                    # between reading the names and opening the files (as Lucene retries a
                    # vanished commit point): try again with what is named now.
                    if attempt + 1 == OPEN_ATTEMPTS or not self._moved_on(stamp):
                        if isinstance(exc, IndexDamaged):
                            raise
                        # An unreadable file of the live generation: one line, not a traceback.
                        raise self.store.damaged(f"{type(exc).__name__}: {exc}") from exc
        raise AssertionError("unreachable")

    def _refreshed(self, stamp: tuple[int, int, int] | None) -> Snapshot:
        if self._snapshot is None or stamp != self._stamp:
            generation = self.store.read_manifest().generation
            if generation != self._generation or self._index is None:
                index = self.store.open_live(SCHEMA_VERSION)
                segments = SegmentCache()
                self._replace(warm(Snapshot(index, generation, segments)))
                self._index, self._generation, self._segments = index, generation, segments
            self._stamp = stamp
        if not self._snapshot.searcher.up_to_date():
            self._replace(warm(Snapshot(self._index, self._generation, self._segments)))
        return self._snapshot

    def _moved_on(self, stamp: tuple[int, int, int] | None) -> bool:
        """Whether a writer published or committed since ``stamp`` was read."""
        if _manifest_stamp(self.store.manifest_path) != stamp:
            return True
        try:
            return self._snapshot is not None and not self._snapshot.searcher.up_to_date()
        except (OSError, EmptyIndexError):
            return False

    def _replace(self, snapshot: Snapshot) -> None:
        # The snapshot before last is closed (once no search holds it); a search still
        # running on the previous one, in another thread, finishes on it undisturbed.
        if self._retired is not None:
            self._retired.close()
        self._retired, self._snapshot = self._snapshot, snapshot

    @contextlib.contextmanager
    def _using(self) -> Iterator[Snapshot]:
        """The current snapshot, held for one call (never one closed meanwhile)."""
        while True:
            snap = self._current()
            with snap.lock:
                if snap.closed:
                    continue
                yield snap
                return

    def close(self) -> None:
        with self._lock:
            for snap in (self._retired, self._snapshot):
                if snap is not None:
                    snap.close()
            self._retired = self._snapshot = None
            self._index = None

    @property
    def generation(self) -> str:
        """The live generation and its in-place version (changes with every write)."""
        snap = self._current()
        return f"{snap.generation}.{snap.version}"

    # -- search -----------------------------------------------------------------------------

    def search(
        self,
        query: str = "",
        *,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        facets: Sequence[str] | None = None,
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 10,
        collapse: bool = True,
        facet_mode: str = "stories",
        facet_size: int | None = None,
    ) -> SearchResult:
        """One page of results for ``query`` with facet counts over every match."""
        started = time.perf_counter()
        settings = self.settings
        chosen = check_filters(filters)
        facet_names = check_facets(facets)
        page, per_page = check_paging(page, per_page, settings)
        check_choice("sort", sort, SORTS)
        check_choice("facet_mode", facet_mode, FACET_MODES)
        if facet_size is None:
            facet_size = settings.default_facet_size
        check_range("facet_size", facet_size, 1, settings.max_facet_size)
        parsed = self.parse(query)
        with self._using() as snap:
            # The limit is the query's own work: opening a snapshot after an add (seconds at
            # a million articles) is not the query's cost and must not refuse it.
            matching = self._deadline()
            base, scores, held = self._matches(snap, parsed, sort, matching)
            final, masks = self._filtered(snap, base, chosen)
            facets_until = time.perf_counter() + settings.facet_time_limit_ms / 1000
            # The browse page (no query, no filter) counts the whole archive: once per snapshot.
            browsing = parsed.match_all and not chosen
            # The matches split by story once: the story total and every facet without a
            # filter of its own count from it.
            matched = None
            if collapse or (facet_mode == "stories" and facet_names):
                matched = snap.archive_stories if browsing else snap.stories.among(final)
            counted, timed_out = self._facet_counts(
                snap,
                base,
                final,
                matched,
                masks,
                chosen,
                facet_names,
                facet_mode,
                facet_size,
                facets_until,
                browsing,
            )
            sort = "newest" if sort == "relevance" and not parsed.scored else sort
            if sort == "relevance" and scores is not None:
                scores = self._relevance(snap, parsed, final, scores, held)
            ranked = self._rank(snap, final, scores, sort, collapse, page * per_page)
            hits = self._hits(snap, parsed, ranked[(page - 1) * per_page :], final, matching)
            total_copies = int(final.sum())
            total = matched.count if collapse and matched is not None else total_copies
            near, holding = 0, total_copies
            if held is not None:
                for hit, one in zip(hits, ranked[(page - 1) * per_page :], strict=True):
                    hit.near = not held[one.docnum]
                holding_mask = final & held
                holding = int(np.count_nonzero(holding_mask))
                stories = snap.stories.among(holding_mask).count if collapse else holding
                near = total - stories
            # "did you mean" gets query_time_limit_ms of its own, from now
            suggesting = self._deadline()
            until = suggesting.at if suggesting else None
            # near matches do not make a misspelt word right: suggest by what held them all
            suggestion = suggest(snap.searcher, parsed, holding, snap.corrections, until)
        return SearchResult(
            query=parsed.text,
            sort=sort,
            total=total,
            total_copies=total_copies,
            page=page,
            per_page=per_page,
            took_ms=(time.perf_counter() - started) * 1000,
            hits=hits,
            facets=counted,
            facets_timed_out=timed_out,
            suggestion=suggestion,
            collapse=collapse,
            facet_mode=facet_mode,
            filters=chosen,
            near_matches=near,
            notice=parsed.notice,
        )

    def _matches(
        self, snap: Snapshot, parsed: ParsedQuery, sort: str, deadline: Deadline | None
    ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
        """The query's matches in the archive with their scores, and, when they go on with
        near matches, the documents among them holding enough of the words (else None).

        In a relevance-ranked list of words typed side by side, a word common in the archive
        typed beside a rarer one only ranks (``Ranking.common_share``): ``hog prices``
        matches the stories on hogs, as "prices" is in a sixth of a commodity wire. Near
        matches go on from the matches, ranked below them (``_relevance``), while fewer than
        ``Ranking.few_matches`` documents are listed: those lacking one more word, as a
        reader who typed ``tungsten prices`` is better served by the stories on tungsten
        than by one result (and, with ``Ranking.common_near``, first those lacking only the
        common words).

        Decided before the filters, so that a facet's count is what clicking it lists."""
        groups = parsed.typed_groups
        if not (sort == "relevance" and self.ranking.soft_words and groups):
            return (*self._evaluate(snap, parsed, deadline), None)
        common = has_common_words(snap, groups, self.ranking)
        # the common words only rank: the query so read is what matches
        only_rank = common and not self.ranking.common_near
        base, scores = self._evaluate(snap, parsed, deadline, common=only_rank)
        matched = np.count_nonzero(base)
        wider, wider_scores = base, scores
        if common and not only_rank:
            wider, wider_scores = self._evaluate(snap, parsed, deadline, common=True)
        if np.count_nonzero(wider) < self.ranking.few_matches:
            wider, wider_scores = self._evaluate(snap, parsed, deadline, 1, common)
        if np.count_nonzero(wider) == matched:
            return base, scores, None
        return wider, wider_scores, base

    def _relevance(
        self,
        snap: Snapshot,
        parsed: ParsedQuery,
        final: np.ndarray,
        scores: np.ndarray,
        held: np.ndarray | None,
    ) -> np.ndarray:
        """``scores`` ranked again by the signals on top of BM25F (``rescore``); near
        matches stay below the documents holding enough of the words, whatever those do."""
        scores = rescore(snap, parsed.query, final, scores, self.ranking)
        if held is not None:
            scores = scores.copy()
            rank_below(scores, final & held, final & ~held)
        return scores

    def _deadline(self) -> Deadline | None:
        """When the query being matched must be done by (``query_time_limit_ms``)."""
        return Deadline.after(self.settings.query_time_limit_ms)

    def _evaluate(
        self,
        snap: Snapshot,
        parsed: ParsedQuery,
        deadline: Deadline | None,
        missing: int = 0,
        common: bool = False,
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """``evaluate`` of a user's query, remembered for the last few queries of this
        snapshot (read-only arrays: a caller that wrote into one would fail loudly)."""
        # repr: the query's classes too
        query = repr(parsed.query)
        key = (snap.generation, snap.version, id(snap), query, self.ranking, missing, common)
        with self._evaluations_lock:
            found = self._evaluations.get(key)
            if found is not None:
                self._evaluations.move_to_end(key)
                return found
        found = evaluate(snap, parsed.query, deadline, self.ranking, missing, common)
        for array in found:
            if array is not None:
                array.flags.writeable = False
        with self._evaluations_lock:
            self._evaluations[key] = found
            while len(self._evaluations) > EVALUATIONS_KEPT:
                self._evaluations.popitem(last=False)
        return found

    def parse(self, query: str | None) -> ParsedQuery:
        if isinstance(query, str):
            return _parsed(query, self.settings.max_query_chars)
        return parse_query(query, max_chars=self.settings.max_query_chars)

    @staticmethod
    def _filtered(
        snap: Snapshot, base: np.ndarray, chosen: Filters
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """The matches left by every filter, and each filter's own mask."""
        masks = {
            name: _date_mask(snap, v)
            if name == DATE_FIELD
            else snap.facets[name].docs_mask(v, snap.ndocs)
            for name, v in chosen.items()
        }
        return _all(list(masks.values()), base), masks

    def _facet_counts(
        self,
        snap: Snapshot,
        base: np.ndarray,
        final: np.ndarray,
        matched: MatchedStories | None,
        masks: dict[str, np.ndarray],
        chosen: Filters,
        names: list[str],
        facet_mode: str,
        size: int,
        deadline: float,
        whole: bool = False,
    ) -> tuple[dict[str, list[FacetValue]], list[str]]:
        """Each facet counted over the matches with every filter but its own applied: the
        facets without a filter of their own over ``final`` (split by story: ``matched``);
        with ``whole``, the matches are every live document, counted once per snapshot."""
        everything_stories = matched if facet_mode == "stories" else None
        counted: dict[str, list[FacetValue]] = {}
        timed_out: list[str] = []
        for name in names:
            if time.perf_counter() > deadline:
                timed_out.append(name)
                continue
            if whole:
                counts = snap.archive_counts(name, facet_mode == "stories")
            else:
                own_lifted = [m for other, m in masks.items() if other != name]
                mask = _all(own_lifted, base) if name in masks else final
                stories = everything_stories
                if stories is not None and mask is not final:
                    stories = snap.stories.among(mask)
                counts = snap.facets[name].count(mask, stories)
            counted[name] = self._facet_values(name, snap.facets[name], counts, chosen, size)
        return counted, timed_out

    @staticmethod
    def _facet_values(
        name: str, data: FacetData, counts: np.ndarray, chosen: Filters, size: int
    ) -> list[FacetValue]:
        facet = FACETS[name]
        return [
            FacetValue(
                value, facet.label(value), count, selected, toggled(chosen, name, value, selected)
            )
            for value, count, selected in facet.top_values(data, counts, chosen.get(name, []), size)
        ]

    @staticmethod
    def _rank(
        snap: Snapshot,
        final: np.ndarray,
        scores: np.ndarray | None,
        sort: str,
        collapse: bool,
        stop: int,
    ) -> list[Ranked]:
        if sort == "relevance":
            return by_score(snap, final, scores, collapse, stop)
        return by_date(snap, final, sort == "newest", collapse, stop)

    def _hits(
        self,
        snap: Snapshot,
        parsed: ParsedQuery,
        ranked: list[Ranked],
        final: np.ndarray,
        deadline: Deadline | None = None,
    ) -> list[Hit]:
        until = deadline.at if deadline is not None else None
        terms = parsed.highlight_terms(snap.searcher.reader(), until)
        return [self._hit(snap, r.docnum, r.score, terms, final) for r in ranked]

    def _hit(
        self,
        snap: Snapshot,
        docnum: int,
        score: float | None,
        terms: frozenset[str],
        final: np.ndarray | None,
    ) -> Hit:
        article = document_to_article(snap.stored(docnum))
        return Hit(
            id=article.id,
            title=article.title,
            url=article.url,
            published=article.published,
            dateline=article.dateline,
            agency=article.agency,
            publisher=article.publisher,
            score=score,
            snippet=make_snippet(article.body, terms),
            story=article.story or None,  # as ``snap.story_id``, without reading it again
            also_ran=self._also_ran(snap, docnum, final),
        )

    def _also_ran(self, snap: Snapshot, docnum: int, final: np.ndarray | None) -> AlsoRan:
        """The other copies of ``docnum``'s story among ``final`` (all of them if None)."""
        others = snap.story_docs(docnum)
        others = others[others != docnum]
        if final is not None:
            others = others[final[others]]
        if others.size == 0:
            return AlsoRan()
        outlets = []
        for other in sorted(
            others.tolist(), key=lambda d: (snap.published[d] == NO_DATE, snap.published[d], d)
        ):
            outlets.append(_outlet(snap.stored(other)))
            if len(outlets) >= self.settings.max_outlets:
                break
        return AlsoRan(count=int(others.size), outlets=outlets)

    # -- articles -----------------------------------------------------------------------------

    @staticmethod
    def _docnum(snap: Snapshot, article_id: str) -> int:
        docnum = snap.searcher.document_number(id=str(article_id))
        if docnum is None:
            raise ArticleNotFound(f"no article with id {article_id!r}")
        return docnum

    def get(self, article_id: str) -> Article:
        """The article with ``article_id`` (``ArticleNotFound`` if there is none)."""
        with self._using() as snap:
            docnum = self._docnum(snap, article_id)
            return document_to_article(snap.searcher.stored_fields(docnum))

    def related(self, article_id: str, limit: int | None = None) -> list[Hit]:
        """Stories most like this article (more-like-this), not counting its own copies."""
        limit = self.settings.related_limit if limit is None else limit
        check_range("limit", limit, 1, self.settings.max_per_page)
        with self._using() as snap:
            docnum = self._docnum(snap, article_id)
            stored = snap.searcher.stored_fields(docnum)
            text = f"{stored.get('title', '')}\n{stored.get('body', '')}"
            key_terms = snap.searcher.key_terms_from_text(
                "body", text, numterms=RELATED_TERMS, model=classify.Bo1Model
            )
            if not key_terms:
                return []
            q = wq.Or([wq.Term("body", word, boost=weight) for word, weight in key_terms])
            mask, scores = evaluate(snap, q, self._deadline(), self.ranking)
            mask[snap.story_docs(docnum)] = False
            mask[docnum] = False
            if ranks_by_subject(snap, self.ranking) and mask.any():
                docs = np.flatnonzero(mask)
                scores = by_subject(
                    snap,
                    snap.latent_vectors(np.array([docnum]))[0],
                    docs,
                    scores,
                    np.ones(docs.size),
                    self.ranking,
                )
            terms = frozenset(word for word, _ in key_terms)
            ranked = by_score(snap, mask, scores, collapse=True, stop=limit)
            return [self._hit(snap, r.docnum, r.score, terms, None) for r in ranked]

    def copies(self, article_id: str) -> list[Copy]:
        """The other copies of this article's story, with how each differs from it."""
        with self._using() as snap:
            docnum = self._docnum(snap, article_id)
            article = document_to_article(snap.searcher.stored_fields(docnum))
            copies = []
            for other in snap.story_docs(docnum).tolist():
                if other == docnum:
                    continue
                copy = document_to_article(snap.searcher.stored_fields(other))
                copies.append(
                    Copy(
                        id=copy.id,
                        title=copy.title,
                        publisher=copy.publisher,
                        published=copy.published,
                        url=copy.url,
                        word_count=copy.word_count,
                        word_count_diff=copy.word_count - article.word_count,
                        same_title=copy.title.strip().casefold()
                        == article.title.strip().casefold(),
                    )
                )
            return sorted(copies, key=lambda c: (c.published is None, c.published or "", c.id))

    def stats(self) -> IndexStats:
        """What the index holds: counts, dates, facet sizes, size on disk and where it lives."""
        manifest = self.store.read_manifest()
        with self._using() as snap:
            dated = snap.published[snap.live & (snap.published != NO_DATE)]
            first = last = None
            if dated.size:
                first, last = (_iso_from_long(v) for v in (dated.min(), dated.max()))
            live_dir = self.store.path / snap.generation
            return IndexStats(
                path=str(self.store.path.resolve()),
                generation=snap.generation,
                version=snap.version,
                documents=int(snap.live.sum()),
                stories=snap.count_stories(snap.live),
                segments=len(snap.searcher.reader().leaf_readers()),
                size_bytes=sum(f.stat().st_size for f in live_dir.rglob("*") if f.is_file()),
                built_at=manifest.built_at,
                updated_at=manifest.updated_at,
                first_published=first,
                last_published=last,
                facet_values={
                    name: _distinct(data, snap.live) for name, data in snap.facets.items()
                },
                schema_version=manifest.schema_version,
                subject_words=len(snap.latent_space.vocabulary) if snap.latent_space else 0,
            )

    # -- coverage over time ---------------------------------------------------------------------

    def timeline(
        self,
        query: str = "",
        *,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        compare: Sequence[str] = (),
        interval: str = "auto",
        collapse: bool = True,
    ) -> Timeline:
        """Matching stories per month (per day when they span under ~90 days), for ``query``
        and up to four ``compare`` queries under the same filters: the coverage chart."""
        chosen = check_filters(filters)
        check_choice("interval", interval, ("auto", "month", "day"))
        compare = [compare] if isinstance(compare, str) else compare
        if not isinstance(compare, Sequence):
            raise BadParameter(f"compare takes a list of queries, not {compare!r}")
        if len(compare) > MAX_COMPARE:
            raise BadParameter(f"compare takes at most {MAX_COMPARE} queries, not {len(compare)}")
        parsed = [self.parse(q) for q in (query, *compare)]
        with self._using() as snap:
            finals = []
            deadline = self._deadline()
            for p in parsed:
                base, _ = self._evaluate(snap, p, deadline)
                finals.append(self._filtered(snap, base, chosen)[0])
            days = [self._story_days(snap, final, collapse) for final in finals]
            dated = np.concatenate([d[d >= 0] for d in days])
            if interval == "auto":
                span = int(dated.max() - dated.min()) if dated.size else 0
                interval = "day" if span < DAILY_TIMELINE_DAYS else "month"
            first, last = (int(dated.min()), int(dated.max())) if dated.size else (0, -1)
            series = [
                _series(p.text, final, d, interval, first, last, snap, collapse)
                for p, final, d in zip(parsed, finals, days, strict=True)
            ]
        return Timeline(interval=interval, series=series, filters=chosen, collapse=collapse)

    @staticmethod
    def _story_days(snap: Snapshot, final: np.ndarray, collapse: bool) -> np.ndarray:
        """A day number (``date.toordinal()``) per matching document, -1 when undated; with
        ``collapse``, one per story (its earliest copy's), in no particular order."""
        docs = np.flatnonzero(final)
        when = snap.published[docs]
        if collapse and docs.size:
            when = _earliest_per_story(snap, docs, when)
        return np.where(when == NO_DATE, -1, when // _DAY_USECS + 1)

    # -- export ---------------------------------------------------------------------------------

    def export(
        self,
        query: str = "",
        *,
        filters: Mapping[str, Sequence[str] | str] | None = None,
        sort: str = "relevance",
        collapse: bool = False,
    ) -> Iterator[Article]:
        """Every matching article in order, read a chunk at a time (never all in memory).

        The order is fixed when the export starts; the snapshot it reads stays open until
        the export ends, so a rebuild or ``add`` meanwhile does not disturb it.
        """
        chosen = check_filters(filters)
        check_choice("sort", sort, SORTS)
        parsed = self.parse(query)
        with self._using() as snap:
            base, scores, held = self._matches(snap, parsed, sort, self._deadline())
            final, _ = self._filtered(snap, base, chosen)
            sort = "newest" if sort == "relevance" and not parsed.scored else sort
            if sort == "relevance" and scores is not None:
                scores = self._relevance(snap, parsed, final, scores, held)
            ranked = self._rank(snap, final, scores, sort, collapse, int(final.sum()))
            order = np.array([r.docnum for r in ranked], dtype=np.int64)
            snap.pin()
        return self._export_rows(snap, order)

    @staticmethod
    def _export_rows(snap: Snapshot, order: np.ndarray) -> Iterator[Article]:
        try:
            for start in range(0, order.size, EXPORT_CHUNK):
                with snap.lock:
                    chunk = [
                        document_to_article(snap.searcher.stored_fields(int(d)))
                        for d in order[start : start + EXPORT_CHUNK]
                    ]
                for article in chunk:
                    article.story = article.story or None
                    yield article
        finally:
            snap.unpin()


def _series(
    text: str,
    final: np.ndarray,
    days: np.ndarray,
    interval: str,
    first: int,
    last: int,
    snap: Snapshot,
    collapse: bool,
) -> TimelineSeries:
    """Counts per bucket from ``first`` to ``last`` (every bucket, zeros included)."""
    dated = days[days >= 0]
    if last < first:
        points = []
    elif interval == "day":
        counts = np.bincount(dated - first, minlength=last - first + 1)
        points = [
            TimelinePoint(date.fromordinal(first + i).isoformat(), int(n))
            for i, n in enumerate(counts.tolist())
        ]
    else:
        start = int(_month_number(np.array([first]))[0])  # a Python int: quick to format
        buckets = int(_month_number(np.array([last]))[0]) - start + 1
        counts = np.bincount(_month_number(dated) - start, minlength=buckets)
        points = [
            TimelinePoint(f"{month // 12:04d}-{month % 12 + 1:02d}", n)
            for month, n in enumerate(counts.tolist(), start)
        ]
    total = snap.count_stories(final) if collapse else int(final.sum())
    return TimelineSeries(query=text, total=total, undated=int((days < 0).sum()), points=points)


@functools.lru_cache(maxsize=PARSES_KEPT)
def _parsed(query: str, max_chars: int) -> ParsedQuery:
    """``parse_query``, remembered: the search page parses its query for the results and
    again for the chart (a parse depends on the text alone; nothing changes a parsed query)."""
    return parse_query(query, max_chars=max_chars)


def _earliest_per_story(snap: Snapshot, docs: np.ndarray, when: np.ndarray) -> np.ndarray:
    """The publication date of each story among ``docs`` (``when`` theirs): its earliest
    dated copy's, NO_DATE when none is dated. A story of one copy is that copy; only the
    copies of shared stories are grouped (no sort of every match by date)."""
    shared = snap.stories.shared[docs]
    dates = when[shared]
    codes = snap.story_codes[docs[shared]]
    earliest = np.full(snap.story_count, _LATEST)
    np.minimum.at(earliest, codes, np.where(dates == NO_DATE, _LATEST, dates))
    earliest = earliest[np.unique(codes)]
    return np.concatenate([when[~shared], np.where(earliest == _LATEST, NO_DATE, earliest)])


#: Later than any date: where a story's earliest copy is looked for.
_LATEST = np.iinfo(np.int64).max
#: ``date(1970, 1, 1).toordinal()``: numpy's day 0.
_EPOCH_ORDINAL = 719_163


def _month_number(ordinals: np.ndarray) -> np.ndarray:
    """``year * 12 + month - 1`` of each day number (``date.toordinal()``), vectorised."""
    months = (ordinals - _EPOCH_ORDINAL).astype("datetime64[D]").astype("datetime64[M]")
    return months.astype(np.int64) + 1970 * 12


def _distinct(data: FacetData, live: np.ndarray) -> int:
    return int(np.count_nonzero(data.count(live)))


def _iso_from_long(value: int) -> str:
    from whoosh.util.times import long_to_datetime

    return long_to_datetime(int(value)).isoformat()


def _outlet(stored: dict) -> Outlet:
    article = document_to_article(stored)
    return Outlet(
        id=article.id, publisher=article.publisher, published=article.published, url=article.url
    )
