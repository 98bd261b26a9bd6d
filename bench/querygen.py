"""Deterministic benchmark queries drawn from a collection: what people type, with a few filters.

Words come from real articles (mostly their titles, as people search for what a story is about), so that
most AND queries match something; phrases are runs of consecutive body words; a share of the queries carry
a date window or a source filter taken from the article they were drawn from.
"""
from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter
from typing import Sequence

from bench.corpora import Doc
from bench.peers import Query

STOP = frozenset("""a about above after again against all also am an and any are as at be because been before
being below between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most mr mrs my no nor not now of
off on once only or other our out over own said same says she should so some such than that the their them then
there these they this those through to too under until up very was we were what when where which while who whom
why will with would you your pct mln dlrs cts vs reuter year years new""".split())

# share of each kind of query; two-word queries take the rounding remainder
MIX = (("words1", 0.25), ("words3", 0.15), ("words4", 0.10), ("phrase", 0.125), ("date", 0.075),
       ("source", 0.05))
WORD = re.compile(r"[A-Za-z]{3,}")


def _words(text: str) -> list[str]:
    return [w.lower() for w in WORD.findall(text)]


class Generator:
    """Draws queries from a list of Docs with its own seeded random source."""

    def __init__(self, docs: Sequence[Doc], seed: int = 1987):
        self.docs = list(docs)
        self.rng = random.Random(seed)
        df: Counter[str] = Counter()
        for d in self.docs:
            df.update(set(_words(d.title)) | set(_words(d.body[:2000])))
        ceiling = max(3, len(self.docs) * 0.2)  # skip words in a fifth of the articles or more
        self.good = {w for w, n in df.items() if w not in STOP and 2 <= n <= ceiling}

    def _doc(self, need_date: bool = False, need_source: bool = False) -> Doc:
        for _ in range(1000):
            d = self.rng.choice(self.docs)
            if (d.date or not need_date) and (d.source or not need_source):
                return d
        raise ValueError("no article carries the metadata this query needs")

    def words(self, k: int) -> str:
        """k distinct content words of one article, title first, in the order they appear."""
        for _ in range(1000):
            d = self._doc()
            pool = list(dict.fromkeys(w for w in _words(d.title) if w in self.good))
            if len(pool) < k:
                extra = [w for w in _words(d.body[:600]) if w in self.good and w not in pool]
                pool += list(dict.fromkeys(extra))
            if len(pool) >= k:
                picks = sorted(self.rng.sample(range(len(pool)), k))
                return " ".join(pool[i] for i in picks)
        raise ValueError(f"no article has {k} usable words")

    def phrase(self) -> str:
        """Two or three consecutive body words of one article, in double quotes."""
        for _ in range(1000):
            tokens = self._doc().body.split()
            k = self.rng.choice((2, 2, 3))
            starts = [i for i in range(len(tokens) - k + 1)
                      if all(t.isalpha() and len(t) >= 3 and t.lower() not in STOP for t in tokens[i:i + k])
                      and any(t.lower() in self.good for t in tokens[i:i + k])]
            if starts:
                i = self.rng.choice(starts)
                return '"' + " ".join(t.lower() for t in tokens[i:i + k]) + '"'
        raise ValueError("no article has a usable phrase")

    def one(self, kind: str) -> Query:
        if kind.startswith("words"):
            return Query(self.words(int(kind[-1])))
        if kind == "phrase":
            return Query(self.phrase())
        if kind == "date":
            d = self._doc(need_date=True)
            day = dt.date.fromisoformat(d.date)
            span = dt.timedelta(days=self.rng.choice((7, 15, 45)))
            return Query(self.words(self.rng.choice((1, 2))), since=(day - span).isoformat(),
                         until=(day + span).isoformat())
        if kind == "source":
            d = self._doc(need_source=True)
            return Query(self.words(self.rng.choice((1, 2))), sources=(d.source,))
        raise ValueError(kind)

    def queries(self, n: int) -> list[Query]:
        """n distinct queries in the MIX proportions, shuffled deterministically."""
        counts = {kind: round(n * share) for kind, share in MIX}
        counts["words2"] = n - sum(counts.values())
        seen: set[Query] = set()
        out = []
        for kind, count in counts.items():
            made = 0
            for _ in range(count * 50):
                if made == count:
                    break
                q = self.one(kind)
                if q not in seen:
                    seen.add(q)
                    out.append((kind, q))
                    made += 1
        self.rng.shuffle(out)
        return [q for _, q in out]


def generate(docs: Sequence[Doc], n: int, seed: int = 1987) -> list[Query]:
    """n distinct benchmark queries drawn from docs."""
    return Generator(docs, seed).queries(n)


def kind_of(q: Query) -> str:
    """A short label of what a query exercises, for the per-kind breakdown."""
    if q.since or q.until:
        return "date filter"
    if q.sources:
        return "source filter"
    if q.text.startswith('"'):
        return "phrase"
    return f"{len(q.text.split())} word" + ("s" if len(q.text.split()) > 1 else "")
