"""What one search may cost: a bound checked before any postings are read, and a work budget spent while it runs.

A query's parts are summed, not bounded one by one: many wildcards that each stay under a per-wildcard limit
would otherwise add up to far more terms and postings than any one of them may have. The bound is checked from
the term dictionary alone (expansions and document frequencies), so a too costly query is refused at once.
The budget counts the elements the query path hands to numpy (postings, positions, candidates scored), so a
search that reads more than planned (phrase positions, a fallback reading, "did you mean") stops too.
"""
from __future__ import annotations

from search.errors import QueryError
from search.limits import MAX_QUERY_TERMS, MAX_QUERY_POSTINGS, WORK_BUDGET


#: A search that spent more than this hands the memory it freed back to the operating system (malloc_trim).
HEAVY = 2_000_000

NARROW = ("use fewer wildcards (*) or fuzzy words (~), type more letters before each star, "
          "or add a rarer word, a source or a date")


class Budget:
    """The work one search has left; charge() raises QueryError once it is spent."""

    def __init__(self, limit: int | None = None):
        self.limit = WORK_BUDGET if limit is None else limit
        self.spent = 0

    def charge(self, units: int) -> None:
        """Spend `units` of work, or refuse the search when that goes past the budget."""
        self.spent += int(units)
        if self.spent > self.limit:
            raise QueryError(f"This search needs more work than one search may do; {NARROW}.")


def _trimmer():
    """glibc's malloc_trim, or None elsewhere: after large arrays are freed, glibc keeps the memory for the
    process (its mmap threshold grows with each large free), so a server's RSS would stay at its heaviest search.
    Looked up on the first heavy search: ctypes and its library search are no cost for a command line query."""
    try:
        import ctypes
        import ctypes.util
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        return libc.malloc_trim
    except (OSError, AttributeError, ImportError):
        return None


_UNSET = object()
_TRIM = _UNSET


def release_after(budget: Budget) -> bool:
    """Hand freed memory back to the operating system after a heavy search; True when it was asked to."""
    global _TRIM
    if budget.spent <= HEAVY:
        return False
    if _TRIM is _UNSET:
        _TRIM = _trimmer()
    if _TRIM is None:
        return False
    _TRIM(0)
    return True


class Cost:
    """What a compiled query will read, summed over all its parts, checked against the bounds as it grows."""

    def __init__(self):
        self.terms: set[tuple[str, str]] = set()
        self.texts: set[str] = set()
        self.postings = 0

    def expanded(self, count: int, what: str) -> None:
        """Check that `count` more expanded terms (from `what`, as typed) keep the query within its bound."""
        if len(self.texts) + count > MAX_QUERY_TERMS:
            raise QueryError(f"The query expands to more than {MAX_QUERY_TERMS:,} different words "
                             f"(over all its parts, {what} included); {NARROW}.")

    def add(self, field: str, text: str) -> None:
        """Count one term in one field (once, however often the query names it)."""
        key = (field, text)
        if key in self.terms:
            return
        self.terms.add(key)
        self.texts.add(text)
        if len(self.texts) > MAX_QUERY_TERMS:
            raise QueryError(f"The query has more than {MAX_QUERY_TERMS:,} different words; {NARROW}.")

    def check(self, view) -> None:
        """Sum the postings of every term counted (from the term dictionary: nothing is read yet) and refuse the
        query when they pass the bound; done once the whole query is expanded, so that a query with too many
        terms is refused before any is looked up."""
        total = 0
        for field, text in self.terms:
            total += view.doc_frequency(field, text)
            if total > MAX_QUERY_POSTINGS:
                raise QueryError(f"The query would read more than {MAX_QUERY_POSTINGS:,} postings (its words are "
                                 f"very common or match very many words); {NARROW}.")
        self.postings = total
