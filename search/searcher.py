"""search(...) -> Results, get(id), related(id), stats(): the read side of the engine, safe to share across threads.

Every search runs over one IndexView per index snapshot, shared by all threads: matching, scoring, facets and
top-k are numpy calls over its arrays (docsets.py, scoring.py, facets.py, proximity.py), and each search
spends from its own work budget (budget.py).
"""
from __future__ import annotations

import contextlib
import os
import time
from dataclasses import dataclass, field

import numpy as np

from search import like as example_text
from search import more as more_words
from search import plan, ranking, story_results, suggest
from search.articles import Article, is_article_id
from search.budget import Budget, release_after
from search.docsets import Matcher, union
from search.npsets import in_sorted
from search.errors import ArticleNotFound, QueryError
from search.facets import STORY, FacetValue, filter_and_count
from search.metafacets import offered_names, registry, validate_filters
from search.metafields import FacetSettings
from search.query import ParsedQuery, QueryTooLong, parse
from search.ranking import Hit, Ranking
from search.scoring import bm25f, by_date, query_scoring
from search.limits import MAX_PER_PAGE, MAX_REACHABLE, SUGGEST_TITLES
from search.didyoumean import SUGGEST_BELOW, did_you_mean
from search.request import SORTS, SearchRequest, validate
from search.snapshots import Snapshot, SnapshotPool, Stats
from search.store import IndexStore

#: Names the faces and tests import from here; each has its home in the module it is imported from.
__all__ = ["Engine", "Hit", "Ranking", "Results", "Stats", "SearchRequest", "SORTS", "MAX_PER_PAGE", "MAX_REACHABLE",
           "validate"]

#: related() takes an article's key terms from at most this many characters of its body.
RELATED_TEXT_CHARS = 20_000
#: A plain query of this many words or more reads as a description (a pasted sentence or question): articles with
#: any of its words match, those with the most of them first. Requiring every word of a long query lost a fifth of
#: the relevant articles on TIME and Cranfield (BENCHMARKS.md, part 5); 4 keeps short keyword queries exact.
LONG_QUERY_WORDS = 4


@dataclass
class Version:
    """One article of a story, as the article page and `search versions` list it."""

    id: str
    title: str
    date: str | None
    source: str | None
    path: str


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
    articles: int = 0  # matching articles; `total` counts stories unless every version is shown
    stories: int = 0  # the stories they make
    all_versions: bool = False

    @property
    def pages(self) -> int:
        return max(1, -(-min(self.total, MAX_REACHABLE) // self.per_page))


class Engine:
    """The search engine over one index folder. Thread-safe; sees new syncs without being reopened."""

    def __init__(self, index: str | os.PathLike, ranking: Ranking | None = None,
                 facets: FacetSettings | None = None):
        self.store = IndexStore(index)
        self.ranking = ranking or Ranking()
        self.facet_settings = facets or FacetSettings.from_env()
        self._pool = SnapshotPool(self.store, self.ranking)
        self._suggester = suggest.Suggester()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        """Close the open index snapshot."""
        self._pool.close()

    # -- snapshots (search/snapshots.py) ----------------------------------------------------------------
    @property
    def _snapshot(self) -> Snapshot | None:
        return self._pool.snapshot

    def _current(self, enter: bool = False) -> Snapshot:
        return self._pool.current(enter)

    def _searching(self):
        return self._pool.searching()

    @contextlib.contextmanager
    def view(self):
        """The current snapshot's IndexView, held open while the block runs (for tools and tests)."""
        with self._searching() as snap:
            yield snap.view

    # -- search ---------------------------------------------------------------------------------------
    def search(self, text: str = "", sources=(), since=None, until=None, sort="relevance", page=1,
               per_page=10, snippets: bool = True, filters=None, like: bool = False,
               all_versions: bool = False) -> Results:
        """Search the index; raise QueryError for anything the user should change. `filters` narrows by
        metadata fields: {field: [values]}, any of a field's values, every field. `like` reads the text as an
        example text (like.py), as a text too long for the query language always is.

        Each story is shown once, as its best-ranked version, unless `all_versions`. With snippets=False the hits
        carry no passages and an unmarked title: the ranking alone, for evaluations and exports."""
        started = time.perf_counter()
        req = validate(text, sources, since, until, sort, page, per_page)
        budget = Budget()
        try:
            return self._search(req, filters, budget, snippets, started, like, all_versions)
        finally:
            release_after(budget)

    def _search(self, req: SearchRequest, filters, budget: Budget, snippets: bool, started: float,
                like: bool = False, all_versions: bool = False):
        """The pipeline: read the text, match, filter and count, rank and page into hits, suggest, more."""
        with self._searching() as snap:
            view, meta = snap.view, snap.meta
            chosen = validate_filters(filters, meta.names())
            parsed, example = read_text(req.text, like, meta.names())
            sort = _order(req.sort, parsed, example)
            matcher = Matcher(view, budget)
            compiled, matched, notice, alternative = self._match_text(snap, matcher, parsed, example)
            final, facets, date_unit, n_stories = self._filter_and_count(snap, matched, req, chosen)
            hits, total = self._page(snap, matcher, compiled, final, n_stories, sort, req, all_versions, snippets)
            notice = _with_unknown_fields(notice, parsed, meta.names())
            suggestion = (self._suggest(snap, matcher, parsed, total)
                          if parsed and total < SUGGEST_BELOW else None)
            more_total, more = self._more_when_few(snap, matcher, parsed, notice, matched, total, req, chosen, sort,
                                                   snippets, compiled)
        return Results(req.text, total, req.page, req.per_page, sort, hits, facets, date_unit, suggestion, notice,
                       round((time.perf_counter() - started) * 1000, 2),
                       compiled.terms if compiled else set(), compiled.phrases if compiled else [], alternative,
                       compiled.words if example is not None else None, more_total, more,
                       articles=len(final), stories=n_stories, all_versions=all_versions)

    # -- the steps of a search ------------------------------------------------------------------------
    def _match_text(self, snap, matcher: Matcher, parsed, example):
        """(compiled, matching docnums, notice, alternative query) of a query or an example text."""
        if example is None:
            return self._match(snap, matcher, parsed)
        return self._like(matcher, example)

    def _filter_and_count(self, snap, matched: np.ndarray, req: SearchRequest, chosen):
        """(the documents every filter keeps, the listed facets' counts, the date unit, the stories among those
        documents): each facet's counts ignore its own filter, so a user can widen a choice (multi-select)."""
        meta = snap.meta
        facets = registry(meta, chosen, offered_names(meta, self.facet_settings, chosen))
        final, counted = filter_and_count(snap.view, facets, matched, req)
        listed = {facet.name: counted[facet.name].values for facet in facets if facet.listed}
        return final, listed, counted["date"].unit, counted["story"].distinct

    def _page(self, snap, matcher: Matcher, compiled, final: np.ndarray, n_stories: int, sort: str,
              req: SearchRequest, all_versions: bool, snippets: bool):
        """(the page's hits, the total): ranked, each of the `n_stories` stories of `final` once as its best-ranked
        version (search/story_results.py) unless `all_versions`, and counted and paged as stories."""
        view = snap.view
        shared = STORY.shared(view)
        story_codes, story_labels = STORY.column(view)
        total = len(final) if all_versions else n_stories
        first = (req.page - 1) * req.per_page
        if total and first >= total:
            raise QueryError(f"Page {req.page} is past the last page of results "
                             f"({-(-total // req.per_page)}).")
        best = ranking.ranked(view, matcher, compiled, final, sort, first + req.per_page, self.ranking,
                              None if all_versions else story_codes, shared)
        page = story_results.page([d for d, _ in best], [sc for _, sc in best], story_codes, final, first,
                            req.per_page, collapse=not all_versions, shared=shared, distinct=not all_versions)
        hits = []
        # the page's columns read at once, not a numpy scalar per hit
        sources, labels = view.source[page.docs].tolist(), story_codes[page.docs].tolist()
        for d, score, others, source, label in zip(page.docs.tolist(), page.scores.tolist(), page.others, sources,
                                                   labels):
            hit = ranking.hit(view, d, score, compiled, snippets, source)
            hit.story = story_labels[label] or hit.id
            hit.version_count = len(others)
            hit.versions = [view.stored_id(o) for o in others[:story_results.MAX_VERSION_IDS].tolist()]
            hits.append(hit)
        return hits, total

    def _more_when_few(self, snap, matcher: Matcher, parsed, notice, matched: np.ndarray, total: int,
                       req: SearchRequest, chosen, sort: str, snippets: bool, compiled=None):
        """(how many, best hits) of the articles with some of a short query's words, when few have them all
        (`compiled`: the all-word reading that matched them, whose parts the any-word reading reuses)."""
        if not more_words.applies(parsed, notice, total, req.per_page, LONG_QUERY_WORDS):
            return 0, []
        view, meta = snap.view, snap.meta

        def keep(docs):  # the search's own filters, on other documents
            return filter_and_count(view, registry(meta, chosen), docs, req, count=False)[0]

        return self._more(snap, matcher, parsed, matched, keep, sort, req.per_page - total, snippets, compiled)

    # -- example texts (like.py) and more when few match (more.py) ---------------------------------------
    def _like(self, matcher: Matcher, example, min_doc_freq: int = example_text.MIN_DOC_FREQ):
        """(compiled, matching docnums, notice, None) for an example text: any of its most telling words."""
        words = example_text.select(example, matcher.view, min_doc_freq)
        compiled = example_text.compile(words, self.ranking.title_boost)
        matched = matcher.docs(compiled.query) if words else np.zeros(0, dtype=np.int64)
        return compiled, matched, example_text.notice(example, words), None

    def _more(self, snap, matcher: Matcher, parsed, exact: np.ndarray, keep, sort: str, limit: int, passages,
              all_words=None):
        """(how many, best hits) of the articles with some but not all of a short query's words that `keep`
        (the search's filters) keeps; `exact` (sorted) are the articles with them all."""
        view = snap.view
        some = (all_words is not None and parsed.any_word_of(all_words)) or \
            parsed.compile(matcher, self.ranking.title_boost, True, snap.vocabulary)
        clause_docs = [matcher.docs(c) for c in more_words.clauses(some.query)]
        # the any-word reading is the union of its clauses (less what it excludes): no second pass over them
        others = matcher.docs(some.query) if isinstance(some.query, plan.And) else \
            union(clause_docs, len(view.live))
        others = keep(others[~in_sorted(others, exact)])
        if not len(others) or limit <= 0:
            return len(others), []
        if sort == "relevance":
            words = more_words.words_matched(clause_docs, others)
            best = more_words.contenders(words, limit)  # only they can make the page: score no others
            terms, qtf = query_scoring(some.query)
            scores = bm25f(matcher, terms, qtf, others[best], self.ranking.b, self.ranking.k1, matcher.postings,
                           matcher.budget, self.ranking.k3)
            ranked = more_words.rank(others[best], words[best], scores, limit)
        else:
            ranked = [(d, 0.0) for d in by_date(others, view.day, limit, newest=sort != "oldest")]
        return len(others), [ranking.hit(view, d, score, some, passages) for d, score in ranked]

    def _match(self, snap, matcher: Matcher, parsed: ParsedQuery | None):
        """(compiled query, matching document numbers, notice, alternative query): a short plain query needs all its
        words (any word if no article has them all); a long one needs any of them, the most first."""
        view = snap.view
        if parsed is None:
            return None, np.flatnonzero(view.live).astype(np.int64), None, None

        def run(any_word: bool):
            compiled = parsed.compile(matcher, self.ranking.title_boost, any_word, snap.vocabulary)
            return compiled, matcher.docs(compiled.query)

        clauses, excluded = parsed.clauses(), parsed.excluded()
        if len(clauses) >= LONG_QUERY_WORDS:
            compiled, matched = run(any_word=True)
            return (compiled, matched,
                    f"A query of {len(clauses)} words finds articles with any of them, those with the most first; "
                    "join the words with AND to require them all.", " ".join([" AND ".join(clauses)] + excluded))
        compiled, matched = run(any_word=False)
        if not len(matched) and len(clauses) > 1:
            compiled, matched = run(any_word=True)
            if len(matched):
                listed = ", ".join(f'"{w}"' for w in parsed.words()) or "the words"
                return (compiled, matched, f"No article has all of {listed}; showing articles with any of them.",
                        " ".join([" OR ".join(clauses)] + excluded))
        return compiled, matched, None, None

    def _suggest(self, snap, matcher: Matcher, parsed: ParsedQuery, total: int) -> str | None:
        return did_you_mean(snap, matcher, parsed, total, self.ranking.title_boost)

    # -- articles -------------------------------------------------------------------------------------
    @staticmethod
    def _docnum(view, article_id: str) -> int:
        if not is_article_id(article_id):
            raise ArticleNotFound(f"{article_id!r} is not an article id.")
        docnum = view.docnum(article_id)
        if docnum is None:
            raise ArticleNotFound(f"No article has the id {article_id}.")
        return docnum

    def get(self, article_id: str) -> Article:
        """The article with this id, as indexed."""
        with self._searching() as snap:
            view = snap.view
            docnum = self._docnum(view, article_id)
            stored = view.stored(docnum)
            return Article(stored["id"], stored["path"], stored.get("title", ""), stored.get("date"),
                           view.source_names[int(view.source[docnum])] or None, stored.get("body", ""),
                           stored.get("extra") or {})

    def versions(self, article_id: str) -> list[Version]:
        """The other articles of this article's story (none when it is a story of its own), oldest first (undated
        last), at most story_results.MAX_VERSIONS of them."""
        with self._searching() as snap:
            view = snap.view
            docnum = self._docnum(view, article_id)
            members = STORY.members(view, docnum)
            members = members[view.live[members]]
            day = view.day[members]
            members = members[np.lexsort((members, day, day == 0))][:story_results.MAX_VERSIONS]
            out = []
            for d in members.tolist():
                stored = view.stored(d)
                out.append(Version(stored["id"], stored.get("title", ""), stored.get("date"),
                                   view.source_names[int(view.source[d])] or None, stored["path"]))
        return out

    def related(self, article_id: str, limit: int = 5) -> list[Hit]:
        """Articles most like this one: its title and text searched as an example text (like.py), itself left out."""
        with self._searching() as snap:
            view = snap.view
            docnum = self._docnum(view, article_id)
            stored = view.stored(docnum)
            # the words of a long article come from its opening: a file of 260,000 short lines would otherwise
            # cost a term look-up for each of its distinct words on every article page
            example = example_text.read(stored.get("title", "") + "\n" + stored.get("body", "")[:RELATED_TEXT_CHARS])
            matcher = Matcher(view, Budget())
            compiled, matched, _, _ = self._like(matcher, example, example_text.RELATED_MIN_DOC_FREQ)
            # the other versions of its story are listed apart on the article page
            versions = STORY.members(view, docnum)
            matched = matched[(matched != docnum) & ~np.isin(matched, versions)]
            best = ranking.ranked(view, matcher, compiled, matched, "relevance", limit, self.ranking)
            return [ranking.hit(view, d, score, compiled, False) for d, score in best]

    def marks(self, text: str) -> tuple[set[str], list[tuple[str, ...]]]:
        """The terms and phrases a search for `text` marks (for an article page reached from a search)."""
        with self._searching() as snap:
            parsed, example = read_text(text, False, snap.meta.names())
            if example is not None:
                return {w.stem for w in example_text.select(example, snap.view)}, []
            if parsed is None:
                return set(), []
            compiled = parsed.compile(snap.view, self.ranking.title_boost, vocabulary=snap.vocabulary)
        return compiled.terms, compiled.phrases

    def synced_at(self) -> float:
        """When the index was last synced (seconds since the epoch)."""
        with self._searching() as snap:
            return snap.pointer.synced_at

    def suggest(self, typed: str, limit: int = 10) -> list[str]:
        """Completions of what a user is typing, from the index's titles (search/suggest.py); bounded work."""
        return suggest.suggestions(self._lexicon(), typed, limit)

    def title_words(self, limit: int = 10) -> list[str]:
        """The words most titles use (not stop words), as written: examples made from the collection itself."""
        return self._lexicon().common(limit)

    def _lexicon(self) -> suggest.Lexicon:
        return self._suggester.lexicon(self._current(), self._titles)

    def _titles(self) -> list[str]:
        """The titles suggestions are made from: the newest SUGGEST_TITLES, so a snapshot's cost is bounded."""
        with self._searching() as snap:
            view = snap.view
            live = np.flatnonzero(view.live)
            if len(live) > SUGGEST_TITLES:
                day = view.day[live]
                live = np.sort(live[np.lexsort((-live, -day.astype(np.int64)))[:SUGGEST_TITLES]])
            return [view.stored(int(d)).get("title", "") for d in live.tolist()]

    def version(self) -> tuple[str, float]:
        """(a token that changes whenever the index does: its generation and commit, the last sync time): an
        HTTP validator."""
        snap = self._current()
        return f"{snap.pointer.generation}.{snap.pointer.synced_at:.6f}", snap.pointer.synced_at

    def stats(self) -> Stats:
        """Article count, sources, date range, index size and last sync (computed once per index snapshot)."""
        with self._searching() as snap:
            return snap.stats(self.store)


def _order(sort: str, parsed, example) -> str:
    """The order a search uses: with nothing to rank by (no words, or only filters like source:x), relevance
    means newest first."""
    scored = example is not None or (parsed is not None and parsed.scored)
    return sort if scored else ("newest" if sort == "relevance" else sort)


def _with_unknown_fields(notice, parsed, known: list[str]):
    """The notice, with a hint for "sectoin:sport" (a field no article has), which would otherwise find nothing."""
    if not (parsed and parsed.unknown_fields):
        return notice
    hint = _unknown_fields_notice(parsed.unknown_fields, known)
    return f"{notice} {hint}" if notice else hint


def _unknown_fields_notice(unknown: list[str], known: list[str]) -> str:
    named = ", ".join(f'"{n}"' for n in unknown)
    if not known:
        return f"No article has a metadata field {named}: the text was searched for the words instead."
    return (f"No article has a metadata field {named}: the text was searched for the words instead. "
            f"The fields are: {', '.join(known)} (write field:value).")


def read_text(text: str, like: bool, fields=()):
    """(parsed query, None) or (None, example text) for the text of a search; (None, None) when it is empty."""
    if not text:
        return None, None
    if not like:
        try:
            return parse(text, fields), None
        except QueryTooLong:  # a long text is an example, not a query: its length is no reason to refuse it
            pass
    example = example_text.read(text)
    if not example.words:
        raise QueryError("Nothing to search for: the text has no word that articles could share with it "
                         "(only very common, very short or very long words).")
    return None, example
