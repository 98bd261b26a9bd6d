"""The home page's "How to search": the query language shown with words, sources and dates of the collection in
front of the user, each example kept only if it finds something there."""
from __future__ import annotations

import threading

from search.analysis import surface_for
from search.errors import SearchError

_lock = threading.Lock()

#: Frequent in headlines but poor examples: the analyzer keeps them (they are not Whoosh stop words).
_BLAND = frozenset("""about after again against back could down first from into last like more most much must
next only other over says said than their them then there these they what where which while would year years
just make makes made more plan plans calls call gets back still amid""".split())


def examples_for(engine, stats, cache: dict) -> tuple[str, list[tuple[str, str]]]:
    """(placeholder, [(query, what it finds)]) for this index; computed once per index version (kept in `cache`)."""
    version = engine.version()[0]
    with _lock:
        if cache.get("version") == version:
            return cache["examples"]
    built = _build(engine, stats)
    with _lock:
        cache.update(version=version, examples=built)
    return built


def _finds(engine, query: str) -> bool:
    try:
        return engine.search(query, per_page=1, snippets=False).total > 0
    except SearchError:
        return False


def _quoted(value: str) -> str:
    return f'"{value}"' if not value.replace("-", "").isalnum() else value


def _build(engine, stats):
    words = [w for w in engine.title_words(30) if surface_for(w) and w.lower() not in _BLAND][:12]
    if not words:
        return "e.g. a word from an article", []
    first = words[0]
    second = next((w for w in words[1:6] if _finds(engine, f"{first} AND {w}")), None)
    other = next((w for w in words[1:] if w != second), None)
    candidates = []
    if second:
        candidates.append((f"{first} {second}", "articles with both words, best first"))
    described = _description(engine, first)
    if described:
        candidates.append((described, "4 or more words: articles with any of them, those with the most "
                                      "first (join words with AND to require them all)"))
    phrase = _phrase(engine, first)
    if phrase:
        candidates.append((f'"{phrase}"', "the exact phrase"))
    if other:
        candidates.append((f"{first} OR {other}", "either word"))
    if second:
        candidates.append((f"{first} -{second}", "without a word"))
    candidates.append((f"title:{first}", "the word in the title"))
    known = [s.value for s in stats.sources if s.value != "unknown"]
    if known:
        candidates.append((f"source:{_quoted(known[0])}", "one outlet (source:unknown for articles without one)"))
    if stats.last_date:
        month = stats.last_date[:7]
        span = (f"; date:[{stats.first_date} TO {stats.last_date}] for a range"
                if stats.first_date != stats.last_date else "")
        candidates.append((f"date:{month}", f"a year, month or day{span}"))
    if len(first) >= 4:
        candidates.append((f"{first[:3].lower()}*", f"words starting with {first[:3].lower()}"))
    spelt = next((w for w in words if len(w) >= 5), None)
    if spelt:
        candidates.append((f"{(spelt[:2] + spelt[3:]).lower()}~", "words spelt nearly like this"))
    shown = [(q, meaning) for q, meaning in candidates if _finds(engine, q)]
    placeholder = f"e.g. {first} {second}" if second else f"e.g. {first}"
    return placeholder, shown


def _description(engine, word: str) -> str | None:
    """The first 8 words of a title holding `word`, 4 of them words the analyzer keeps, lowercased: a query that
    reads as a description."""
    try:
        hits = engine.search(f"title:{word}", per_page=5, snippets=False).hits
    except SearchError:
        return None
    for hit in hits:
        words = [w.strip(".,:;!?\"'()[]“”‘’").lower() for w in (hit.title or "").split()]
        words = [w.removesuffix("'s").removesuffix("’s") for w in words]
        words = [w for w in words if w.isalpha()][:8]
        if sum(1 for w in words if surface_for(w)) >= 4:
            return " ".join(words)
    return None


def _phrase(engine, word: str) -> str | None:
    """Two words that stand together in a title holding `word`, neither a stop word."""
    try:
        hits = engine.search(f"title:{word}", per_page=5, snippets=False).hits
    except SearchError:
        return None
    for hit in hits:
        words = (hit.title or "").split()
        for a, b in zip(words, words[1:]):
            a, b = a.strip(".,:;!?\"'()[]“”‘’"), b.strip(".,:;!?\"'()[]“”‘’")
            if a.isalpha() and b.isalpha() and surface_for(a) and surface_for(b):
                return f"{a.lower()} {b.lower()}"
    return None
