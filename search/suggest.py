"""Completions of what a user is typing (the browser's address bar, via OpenSearch): title words and titles.

The index's own terms are stems ("negoti"), which read badly as completions, so the words come from the stored
titles as they are written. They are gathered once per index snapshot; each request is then a binary search
over sorted lists and a bounded scan, whatever the size of the collection.
"""
from __future__ import annotations

import bisect
import heapq
import threading
from collections import Counter

from search.analysis import WORD_RE, fold, surface_for
from search.limits import MAX_SUGGESTIONS, MAX_SUGGEST_PREFIX_CHARS as MAX_PREFIX_CHARS

#: The index entries one completion request may scan.
MAX_SCAN = 2_000


class Lexicon:
    """The title words (folded, with their most common spelling and how many titles use them) and the titles."""

    def __init__(self, titles):
        spellings: dict[str, Counter] = {}
        folded_titles = []
        for title in titles:
            if not title:
                continue
            folded_titles.append((fold(" ".join(title.split())), title))
            for word in set(WORD_RE.findall(title)):
                key = surface_for(word)
                if key:
                    spellings.setdefault(key, Counter())[word.lower()] += 1
        self.words = sorted(spellings)
        self.spelling = [spellings[w].most_common(1)[0][0] for w in self.words]
        self.counts = [sum(spellings[w].values()) for w in self.words]
        folded_titles.sort()
        self.folded_titles = [f for f, _ in folded_titles]
        self.titles = [t for _, t in folded_titles]

    def words_starting(self, prefix: str, limit: int) -> list[str]:
        """The most used title words starting with a folded prefix."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = min(bisect.bisect_left(self.words, prefix + "\U0010ffff"), lo + MAX_SCAN)
        best = heapq.nsmallest(limit, range(lo, hi), key=lambda i: (-self.counts[i], self.words[i]))
        return [self.spelling[i] for i in best]

    def common(self, limit: int, min_chars: int = 4) -> list[str]:
        """The title words most titles use, letters only and at least `min_chars` long."""
        best = heapq.nsmallest(limit, (i for i, w in enumerate(self.words) if len(w) >= min_chars and w.isalpha()),
                               key=lambda i: (-self.counts[i], self.words[i]))
        return [self.spelling[i] for i in best]

    def titles_starting(self, prefix: str, limit: int) -> list[str]:
        """Titles starting with a folded text, in alphabetical order."""
        lo = bisect.bisect_left(self.folded_titles, prefix)
        hi = bisect.bisect_left(self.folded_titles, prefix + "\U0010ffff", lo, min(len(self.titles), lo + limit))
        return self.titles[lo:hi]


class Suggester:
    """One Lexicon per index snapshot. The first is built when first asked for; after a sync, the previous one
    keeps answering while the new one is built in a background thread, so no request waits for a rebuild."""

    def __init__(self):
        self._lock = threading.Lock()
        self._key = None
        self._lexicon: Lexicon | None = None
        self._building = None

    def lexicon(self, key, titles) -> Lexicon:
        """The lexicon of the snapshot `key` (or the previous one while it is built); `titles()` lists the
        titles of the index as it is when called."""
        with self._lock:
            if self._lexicon is not None:
                if self._key is not key and self._building is not key:
                    self._building = key
                    threading.Thread(target=self._build, args=(key, titles), name="suggest-lexicon",
                                     daemon=True).start()
                return self._lexicon
        self._build(key, titles)
        return self._lexicon

    def _build(self, key, titles) -> None:
        try:
            lexicon = Lexicon(titles())
        except Exception:  # the snapshot vanished under a later sync: the next request starts again
            with self._lock:
                self._building = None
            if self._lexicon is None:
                raise
            return
        with self._lock:
            self._lexicon, self._key, self._building = lexicon, key, None


def suggestions(lexicon: Lexicon, typed: str, limit: int = MAX_SUGGESTIONS) -> list[str]:
    """Completions of `typed`: its last word completed from title words, then titles that start with it."""
    typed = " ".join(typed[:MAX_PREFIX_CHARS].split())
    limit = max(0, min(limit, MAX_SUGGESTIONS))
    if not typed or not limit:
        return []
    head, _, last = typed.rpartition(" ")
    out: list[str] = []
    folded_last = fold(last)
    if WORD_RE.fullmatch(last) and len(folded_last) >= 1:
        for word in lexicon.words_starting(folded_last, limit):
            out.append(f"{head} {word}" if head else word)
    for title in lexicon.titles_starting(fold(typed), limit):
        if title not in out:
            out.append(title)
    return out[:limit]
