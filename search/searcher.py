"""search(...) -> Results, get(id), related(id), stats(): the read side of the engine, safe to share across threads."""
from __future__ import annotations

import contextlib
import heapq
import os
import re
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from whoosh import query as wq
from whoosh.index import FileIndex
from whoosh.scoring import BM25F
from whoosh.searching import Searcher

from search import like as example_text
from search import more as more_words
from search import snippets
from search.analysis import fold, is_stop_word, term_for, word_spans
from search.articles import Article, is_article_id
from search.errors import ArticleNotFound, QueryError
from search.docsets import Postings, doc_set
from search.facets import Columns, FacetValue, count_dates, count_sources
from search.proximity import proximity
from search.scoring import FieldLengths, bm25f, query_scoring, top
from search.spelling import Vocabulary
from search.query import ParsedQuery, QueryTooLong, parse, parse_date_bound
from search.store import CURRENT, IndexStore

SORTS = ("relevance", "newest", "oldest")
MAX_PER_PAGE = 100
#: Like Elasticsearch's index.max_result_window: deeper pages are refused rather than computed.
MAX_REACHABLE = 10_000
#: "Did you mean" is only looked for when a search finds fewer articles than this.
SUGGEST_BELOW = 3
#: A plain query of this many words or more reads as a description (a pasted sentence or question): articles with
#: any of its words match, those with the most of them first. Requiring every word of a long query lost a fifth of
#: the relevant articles on TIME and Cranfield (BENCHMARKS.md, part 5); 4 keeps short keyword queries exact.
LONG_QUERY_WORDS = 4
#: How many of the best BM25F matches are re-ranked by how close the query's words stand (like a rescore window).
RESCORE_WINDOW = 50


@dataclass(frozen=True)
class Ranking:
    """BM25F parameters and the title's weight; the defaults were chosen on TIME and Cranfield (BENCHMARKS.md)."""

    b: float = 0.75
    k1: float = 2.0
    title_boost: float = 4.0
    proximity_boost: float = 1.0

    def weighting(self):
        return BM25F(B=self.b, K1=self.k1)


@dataclass
class Hit:
    """One article in a page of results."""

    id: str
    title: str
    date: str | None
    source: str | None
    path: str
    score: float
    snippet: list[snippets.Passage]
    title_spans: snippets.Passage


@dataclass
class Results:
    """A page of results with the whole result set's facets."""

    query: str
    total: int
    page: int
    per_page: int
    sort: str
    hits: list[Hit]
    facets: dict[str, list[FacetValue]]
    date_unit: str
    suggestion: str | None
    notice: str | None
    took_ms: float
    terms: set[str] = field(default_factory=set)
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    # with a notice: the query of the other reading (short query with no all-word match: "a OR b", the any-word
    # query that was run; long query: "a AND b AND c AND d", to require every word)
    fallback_query: str | None = None
    # an example text (like.py): the words it was searched by (like.Word, best first); None for a query
    like_words: list | None = None
    # more when few match (more.py): how many articles have some but not all of a short query's words (with
    # the same filters), and the best of them to show after the hits; total and facets stay the exact query's
    more_total: int = 0
    more: list[Hit] = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_REACHABLE) // self.per_page))


@dataclass
class Stats:
    """What the index holds."""

    articles: int
    sources: list[FacetValue]
    first_date: str | None
    last_date: str | None
    index_bytes: int
    synced_at: float
    index_path: str
    articles_folder: str


@dataclass
class SearchRequest:
    """Validated search parameters."""

    text: str
    sources: tuple[str, ...]
    since: int | None
    until: int | None
    sort: str
    page: int
    per_page: int


def validate(text="", sources=(), since=None, until=None, sort="relevance", page=1, per_page=10) -> SearchRequest:
    """Check every parameter, raising QueryError with what is wrong; used by both faces before searching."""
    if sort not in SORTS:
        raise QueryError(f"sort must be one of {', '.join(SORTS)}, not {sort!r}.")
    try:
        page, per_page = int(page), int(per_page)
    except (TypeError, ValueError):
        raise QueryError("page and per_page must be whole numbers.") from None
    if page < 1:
        raise QueryError("page must be 1 or more.")
    if not 1 <= per_page <= MAX_PER_PAGE:
        raise QueryError(f"per_page must be between 1 and {MAX_PER_PAGE}.")
    if page * per_page > MAX_REACHABLE:
        raise QueryError(f"Only the first {MAX_REACHABLE:,} results can be paged through; "
                         "narrow the search with more words, a source or a date range.")
    low = parse_date_bound(since, False, "since") if since else None
    high = parse_date_bound(until, True, "until") if until else None
    if low and high and low > high:
        raise QueryError(f"since ({since}) is after until ({until}).")
    sources = tuple(_typed(s).strip() for s in (sources or ()) if s and s.strip())
    if len(sources) > 50:
        raise QueryError("At most 50 sources can be chosen at once.")
    return SearchRequest(_typed(text or "").strip(), sources, low, high, sort, page, per_page)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _typed(value):
    """Text as typed, made searchable: NFC (so NFD input matches), and lone surrogates (bytes a terminal could
    not decode reach click as surrogates, which cannot be encoded into index terms) replaced by U+FFFD."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFC", _SURROGATES.sub("\ufffd", value))


def _read_toc(ix, attempts: int = 10):
    """The newest table of contents; retried like Whoosh's own reader(), as a commit may delete it mid-read."""
    for attempt in range(attempts):
        try:
            return ix._read_toc()
        except OSError:
            if attempt == attempts - 1:
                raise
            time.sleep(0.05)


class _Snapshot:
    """One opened generation of the index: a pool of searchers and its facet columns."""

    def __init__(self, ix, pointer, ranking: Ranking):
        self.ix, self.pointer, self.ranking = ix, pointer, ranking
        # The commit this snapshot shows. ix.searcher() would read the newest table of contents, and an
        # incremental sync commits into the live generation a moment before it publishes CURRENT: a searcher
        # opened then would see a newer commit than the columns and lengths cached here describe.
        self._toc = _read_toc(ix)
        self._free: list = []
        self._lock = threading.Lock()
        self._columns: Columns | None = None
        self._lengths: FieldLengths | None = None
        self._stats: Stats | None = None
        self._vocabulary: Vocabulary | None = None
        self.closed = False

    def borrow(self):
        with self._lock:
            if self._free:
                return self._free.pop()
        toc = self._toc  # raises OSError if a later commit has since merged these segments away
        reader = FileIndex._reader(self.ix.storage, toc.schema, list(toc.segments), toc.generation)
        return Searcher(reader, fromindex=self.ix, weighting=self.ranking.weighting())

    def give_back(self, searcher):
        with self._lock:
            if not self.closed and len(self._free) < 16:
                self._free.append(searcher)
                return
        searcher.close()

    def columns(self, searcher) -> Columns:
        with self._lock:
            if self._columns is None:
                self._columns = Columns(searcher.reader())
            return self._columns

    def stats(self, searcher, store: IndexStore) -> Stats:
        with self._lock:
            if self._stats is None:
                columns = self._columns or Columns(searcher.reader())
                self._columns = columns
                live = columns.live
                days = [columns.day[d] for d in live if columns.day[d]]
                fmt = lambda n: f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"  # noqa: E731
                self._stats = Stats(len(live), count_sources(columns, live), fmt(min(days)) if days else None,
                                    fmt(max(days)) if days else None, store.size_bytes(), self.pointer.synced_at,
                                    str(store.path), self.pointer.articles_folder)
            return self._stats

    def lengths(self, searcher) -> FieldLengths:
        with self._lock:
            if self._lengths is None:
                self._lengths = FieldLengths(searcher.reader())
            return self._lengths

    def vocabulary(self, searcher) -> Vocabulary:
        """The body terms for "did you mean" (read one first letter at a time, as words need them)."""
        with self._lock:
            if self._vocabulary is None:
                self._vocabulary = Vocabulary(searcher.reader().is_atomic())
            return self._vocabulary

    def close(self):
        with self._lock:
            self.closed = True
            free, self._free = self._free, []
        for s in free:
            s.close()


class Engine:
    """The search engine over one index folder. Thread-safe; sees new syncs without being reopened."""

    def __init__(self, index: str | os.PathLike, ranking: Ranking | None = None):
        self.store = IndexStore(index)
        self.ranking = ranking or Ranking()
        self._snapshot: _Snapshot | None = None
        self._stamp = None
        self._lock = threading.Lock()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close every open searcher."""
        with self._lock:
            if self._snapshot:
                self._snapshot.close()
            self._snapshot, self._stamp = None, None

    # -- snapshots ------------------------------------------------------------------------------------
    def _current(self) -> _Snapshot:
        try:
            st = os.stat(self.store.path / CURRENT)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self._snapshot is None or stamp != self._stamp:
                ix, pointer = self.store.open()  # raises IndexMissing with the next step
                old, self._snapshot, self._stamp = self._snapshot, _Snapshot(ix, pointer, self.ranking), stamp
                if old:
                    old.close()
            return self._snapshot

    @contextlib.contextmanager
    def _searching(self):
        snap = self._current()
        try:
            searcher = snap.borrow()
        except OSError:  # the snapshot's commit is gone from disk: open the newest one
            with self._lock:
                if self._snapshot is snap:
                    self._stamp = None
            snap = self._current()
            searcher = snap.borrow()
        try:
            yield snap, searcher
        finally:
            snap.give_back(searcher)

    # -- search ---------------------------------------------------------------------------------------
    def search(self, text: str = "", sources=(), since=None, until=None, sort="relevance", page=1,
               per_page=10, snippets: bool = True, like: bool = False) -> Results:
        """Search the index; raise QueryError for anything the user should change.

        `like` reads the text as an example text (like.py), as a text too long for the query language always is.
        With snippets=False the hits carry no passages and an unmarked title: the ranking alone, for
        evaluations and exports."""
        started = time.perf_counter()
        req = validate(text, sources, since, until, sort, page, per_page)
        parsed, example = _read_text(req.text, like)
        # with nothing to rank by (no words, or only filters like source:x), relevance means newest first
        scored = example is not None or (parsed is not None and parsed.scored)
        sort = req.sort if scored else ("newest" if req.sort == "relevance" else req.sort)
        with self._searching() as (snap, searcher):
            columns = snap.columns(searcher)
            if example is None:
                compiled, matched, notice, alternative = self._match(searcher, columns, parsed)
            else:
                compiled, matched, notice, alternative = self._like(searcher, columns, example)
            in_sources = columns.source_codes(list(req.sources)) if req.sources else None
            dated = req.since is not None or req.until is not None
            low, high = req.since or 0, req.until or 99991231

            def date_ok(d):
                return not dated or (columns.day[d] and low <= columns.day[d] <= high)

            def source_ok(d):
                return in_sources is None or columns.source[d] in in_sources

            # each facet's counts ignore its own filter, so a user can widen a choice (multi-select)
            by_date = {d for d in matched if date_ok(d)} if dated else matched
            by_source = {d for d in matched if source_ok(d)} if in_sources is not None else matched
            final = {d for d in by_date if source_ok(d)} if in_sources is not None else by_date
            date_unit, date_counts = count_dates(columns, by_source)
            facets = {"source": count_sources(columns, by_date), "date": date_counts}
            total = len(final)
            first = (req.page - 1) * req.per_page
            if total and first >= total:
                raise QueryError(f"Page {req.page} is past the last page of results "
                                 f"({-(-total // req.per_page)}).")
            ranked = self._top(searcher, snap, compiled, final, sort, columns, first + req.per_page)
            hits = [self._hit(searcher, columns, d, score, compiled, snippets) for d, score in ranked[first:]]
            suggestion = (self._suggest(searcher, snap, columns, parsed, total)
                          if parsed and total < SUGGEST_BELOW else None)
            more_total, more = 0, []
            if more_words.applies(parsed, notice, total, req.per_page, LONG_QUERY_WORDS):
                more_total, more = self._more(searcher, snap, columns, parsed, compiled, matched,
                                              lambda d: date_ok(d) and source_ok(d), sort, req.per_page - total,
                                              snippets)
        return Results(req.text, total, req.page, req.per_page, sort, hits, facets, date_unit, suggestion, notice,
                       round((time.perf_counter() - started) * 1000, 2),
                       compiled.terms if compiled else set(), compiled.phrases if compiled else [], alternative,
                       compiled.words if example is not None else None, more_total, more)

    # -- example texts (like.py) and more when few match (more.py) ---------------------------------------
    def _like(self, searcher, columns: Columns, example, min_doc_freq: int = example_text.MIN_DOC_FREQ):
        """(compiled, matching docnums, notice, None) for an example text: any of its most telling words."""
        reader = searcher.reader()
        words = example_text.select(example, reader, min_doc_freq)
        compiled = example_text.compile(words, self.ranking.title_boost)
        compiled.postings = Postings(reader)
        matched = doc_set(searcher, compiled.query, columns, compiled.postings) if words else set()
        return compiled, matched, example_text.notice(example, words), None

    def _more(self, searcher, snap, columns, parsed, compiled, exact: set[int], keep, sort, limit, passages):
        """(how many, best hits) of the articles with some but not all of a short query's words, that `keep`."""
        reader = searcher.reader()
        some = parsed.compile(reader, self.ranking.title_boost, any_word=True)
        some.postings = compiled.postings
        others = {d for d in doc_set(searcher, some.query, columns, some.postings) - exact if keep(d)}
        if not others or limit <= 0:
            return len(others), []
        if sort == "relevance":
            words = more_words.words_matched([doc_set(searcher, clause, columns, some.postings)
                                              for clause in more_words.clauses(some.query)], others)
            terms, qtf = query_scoring(some.query)
            scores = bm25f(some.postings, terms, qtf, others, snap.lengths(searcher), self.ranking.b,
                           self.ranking.k1)
            ranked = more_words.rank(words, scores, limit)
        else:
            ranked = self._top(searcher, snap, some, others, sort, columns, limit)
        return len(others), [self._hit(searcher, columns, d, score, some, passages) for d, score in ranked]

    def _match(self, searcher, columns: Columns, parsed: ParsedQuery | None):
        """(compiled query, matching document numbers, notice, alternative query): a short plain query needs all its
        words (any word if no article has them all); a long one needs any of them, the most first."""
        if parsed is None:
            return None, set(columns.live), None, None
        reader = searcher.reader()
        postings = Postings(reader)  # both readings share the decoded postings

        def run(any_word: bool):
            compiled = parsed.compile(reader, self.ranking.title_boost, any_word)
            compiled.postings = postings
            return compiled, doc_set(searcher, compiled.query, columns, postings)

        clauses, excluded = parsed.clauses(), parsed.excluded()
        if len(clauses) >= LONG_QUERY_WORDS:
            compiled, matched = run(any_word=True)
            return (compiled, matched,
                    f"A query of {len(clauses)} words finds articles with any of them, those with the most first; "
                    "join the words with AND to require them all.", " ".join([" AND ".join(clauses)] + excluded))
        compiled, matched = run(any_word=False)
        if not matched and len(clauses) > 1:
            compiled, matched = run(any_word=True)
            if matched:
                listed = ", ".join(f'"{w}"' for w in parsed.words()) or "the words"
                return (compiled, matched, f"No article has all of {listed}; showing articles with any of them.",
                        " ".join([" OR ".join(clauses)] + excluded))
        return compiled, matched, None, None

    def _top(self, searcher, snap, compiled, final, sort, columns, limit):
        """The first `limit` (docnum, score) of the filtered set, in the requested order."""
        if not final:
            return []
        if sort == "relevance" and compiled is not None:
            terms, qtf = compiled.scoring or query_scoring(compiled.query)
            scores = bm25f(compiled.postings, terms, qtf, final, snap.lengths(searcher), self.ranking.b,
                           self.ranking.k1)
            boost = self.ranking.proximity_boost
            if not boost or len(compiled.near) < 2:
                return top(scores, limit)
            # re-rank the best BM25F matches by how close the query's words stand (a rescore window)
            window = top(scores, max(limit, RESCORE_WINDOW))
            bonus = proximity(compiled.postings, [d for d, _ in window], compiled.near)
            return top({d: s + boost * bonus.get(d, 0.0) for d, s in window}, limit)
        day = columns.day
        if sort == "oldest":
            key = lambda d: (day[d] == 0, day[d], d)  # noqa: E731 - unknown dates last in both orders
        else:
            key = lambda d: (day[d] == 0, -day[d], d)  # noqa: E731
        return [(d, 0.0) for d in heapq.nsmallest(limit, final, key=key)]

    def _hit(self, searcher, columns: Columns, docnum, score, compiled, passages: bool = True) -> Hit:
        stored = searcher.stored_fields(docnum)
        terms = compiled.terms if compiled else set()
        phrases = compiled.phrases if compiled else []
        title = stored.get("title", "")
        if not passages:
            return Hit(stored["id"], title, stored.get("date"), columns.source_name(docnum), stored["path"],
                       round(float(score), 4), [], [(title, False)] if title else [])
        return Hit(stored["id"], title, stored.get("date"), columns.source_name(docnum),
                   stored["path"], round(float(score), 4),
                   snippets.passages(stored.get("body", ""), terms, phrases, avoid=title),
                   snippets.highlight(title, terms, phrases))

    def _suggest(self, searcher, snap, columns, parsed: ParsedQuery, total: int) -> str | None:
        """A "did you mean" query from the index's own words, offered only if it finds more."""
        reader = searcher.reader()
        vocabulary = snap.vocabulary(searcher)
        text, changed = parsed.text, False
        for word in dict.fromkeys(parsed.words()):
            folded = fold(word)
            if len(folded) < 3 or is_stop_word(folded):
                continue
            own = term_for(folded)
            best_df = reader.doc_frequency("body", own) if own else 0
            if best_df >= SUGGEST_BELOW:
                continue  # a word that many articles use is not a typo
            best = None
            # the terms terms_within("body", folded, distance, prefix=1) finds, in the same order (spelling.py)
            for cand, df in vocabulary.within(reader, folded, 1 if len(folded) <= 4 else 2):
                if cand != own and df > best_df:
                    best, best_df = cand, df
            surface = best and self._surface_word(searcher, best)
            if surface:
                text, changed = _replace_word(text, word, surface), True
        if not changed:
            return None
        try:
            compiled = parse(text).compile(reader, self.ranking.title_boost)
        except QueryError:
            return None
        found = len(doc_set(searcher, compiled.query, columns))
        return text if found > total else None

    @staticmethod
    def _surface_word(searcher, stem_term: str) -> str | None:
        """A word as articles write it for an index term ("negoti" -> "negotiations"), read from one article."""
        for docnum in searcher.docs_for_query(wq.Term("body", stem_term)):
            body = searcher.stored_fields(docnum).get("body", "")
            for start, end, term in word_spans(body):
                if term == stem_term:
                    return fold(body[start:end])
            break
        return None

    # -- articles -------------------------------------------------------------------------------------
    def _docnum(self, searcher, article_id: str) -> int:
        if not is_article_id(article_id):
            raise ArticleNotFound(f"{article_id!r} is not an article id.")
        docnum = searcher.document_number(id=article_id)
        if docnum is None:
            raise ArticleNotFound(f"No article has the id {article_id}.")
        return docnum

    def get(self, article_id: str) -> Article:
        """The article with this id, as indexed."""
        with self._searching() as (snap, searcher):
            docnum = self._docnum(searcher, article_id)
            stored = searcher.stored_fields(docnum)
            return Article(stored["id"], stored["path"], stored.get("title", ""), stored.get("date"),
                           snap.columns(searcher).source_name(docnum), stored.get("body", ""),
                           stored.get("extra") or {})

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one: its title and text searched as an example text (like.py), itself left out."""
        with self._searching() as (snap, searcher):
            docnum = self._docnum(searcher, article_id)
            stored = searcher.stored_fields(docnum)
            example = example_text.read(stored.get("title", "") + "\n" + stored.get("body", ""))
            columns = snap.columns(searcher)
            compiled, matched, _, _ = self._like(searcher, columns, example, example_text.RELATED_MIN_DOC_FREQ)
            matched.discard(docnum)
            ranked = self._top(searcher, snap, compiled, matched, "relevance", columns, limit)
            return [self._hit(searcher, columns, d, score, compiled, False) for d, score in ranked]

    def marks(self, text: str) -> tuple[set[str], list[tuple[str, ...]]]:
        """The terms and phrases a search for `text` marks (for an article page reached from a search)."""
        parsed, example = _read_text(text, False)
        if parsed is None and example is None:
            return set(), []
        with self._searching() as (snap, searcher):
            if example is not None:
                return {w.stem for w in example_text.select(example, searcher.reader())}, []
            compiled = parsed.compile(searcher.reader(), self.ranking.title_boost)
        return compiled.terms, compiled.phrases

    def synced_at(self) -> float:
        """When the index was last synced (seconds since the epoch)."""
        return self._current().pointer.synced_at

    def stats(self) -> Stats:
        """Article count, sources, date range, index size and last sync (computed once per index snapshot)."""
        with self._searching() as (snap, searcher):
            return snap.stats(searcher, self.store)


def _read_text(text: str, like: bool):
    """(parsed query, None) or (None, example text) for the text of a search; (None, None) when it is empty."""
    if not text:
        return None, None
    if not like:
        try:
            return parse(text), None
        except QueryTooLong:  # a long text is an example, not a query: its length is no reason to refuse it
            pass
    example = example_text.read(text)
    if not example.words:
        raise QueryError("Nothing to search for: the text has no word that articles could share with it "
                         "(only very common, very short or very long words).")
    return None, example


def _replace_word(text: str, word: str, replacement: str) -> str:
    import re
    return re.sub(rf"(?<!\w){re.escape(word)}(?!\w)", replacement, text, count=1)
