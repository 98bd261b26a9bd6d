"""A seeded query fuzzer: queries built from the query language's pieces and random Unicode.

`queries(seed)` yields (text, params) forever; `fuzz_engine` runs them against an Engine and keeps every
exception that is not the engine's own SearchError, and every call slower than its bound.
"""
from __future__ import annotations

import random
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Iterator

from search.errors import SearchError

#: Pieces of the query language (see search/query.py), with the inputs known to break Whoosh's own parser.
OPERATORS = ("OR", "AND", "NOT", "-", "||", "&&", "ANDNOT", "ANDMAYBE", "TO", "+", "!", "~", "^", "*", "?")
FIELDS = ("title:", "body:", "source:", "date:", "TITLE:", "path:", "id:", "sig:", "day:", "nofield:", ":", "::")
KNOWN_BAD = ("NOT NOT x", "title:OR ANDNOT ANDNOT", "date:[x TO y]", "date:[", "date:[TO]", "(((", ")))",
             '"', '""', '"a', "*", "**", "?", "a*b", "*a", "~", "a~9", "a~~", "x~-1", "date:2018-02-31",
             "date:[2019 TO 2018]", "date:99999", "date:-1", "source:", "title:", "title:()", "NOT", "- -", "-",
             "OR OR OR", "AND", "(a OR (b AND -c)) NOT", "title:(idlib OR)", "date:[* TO *]", "a^2", "a:b:c",
             "\x00", "\ud800", "\udcff", "idl*" * 50, "x~2 " * 40, "(" * 300, '"' * 301)
WORDS = ("idlib", "putin", "erdogan", "erdoğan", "Erdoğan", "the", "a", "of", "sochi", "oil", "prices",
         "ceasefire", "zephyrine", "reuters", "afp", "2018", "2018-09", "2018-09-17", "i24news", "ıstanbul",
         "straße", "ﬁnance", "naïve", "東京", "مرحبا", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "😀", "\u0301", "e\u0301", "İ", "ß", "Ⅻ")


def _random_unicode(rng: random.Random, n: int) -> str:
    out = []
    for _ in range(n):
        band = rng.random()
        if band < 0.5:
            out.append(chr(rng.randint(0x20, 0x7E)))
        elif band < 0.7:
            out.append(chr(rng.randint(0xA0, 0x2FFF)))
        elif band < 0.8:
            out.append(chr(rng.randint(0x0, 0x1F)))  # control characters, NUL included
        elif band < 0.9:
            out.append(chr(rng.randint(0x1F300, 0x1FAFF)))  # astral plane
        elif band < 0.95:
            out.append(chr(rng.choice([0x200B, 0x200D, 0xFEFF, 0x202E, 0x0301, 0x0308, 0x3000, 0xFFFD])))
        else:
            out.append(chr(rng.randint(0xD800, 0xDFFF)))  # lone surrogates: what a CLI gets from bad bytes
    return "".join(out)


def _word(rng: random.Random, vocab: tuple[str, ...]) -> str:
    pick = rng.random()
    if pick < 0.5:
        return rng.choice(vocab)
    if pick < 0.7:
        return rng.choice(WORDS)
    return _random_unicode(rng, rng.randint(1, 12))


def _piece(rng: random.Random, vocab: tuple[str, ...], depth: int = 0) -> str:
    kind = rng.randrange(12)
    w = _word(rng, vocab)
    if kind == 0:
        return f'"{w} {_word(rng, vocab)}"' if rng.random() < 0.8 else f'"{w}'
    if kind == 1:
        return rng.choice(OPERATORS)
    if kind == 2:
        return rng.choice(FIELDS) + (w if rng.random() < 0.8 else _piece(rng, vocab, depth + 1))
    if kind == 3:
        return w[: rng.randint(0, 4)] + rng.choice(("*", "?", "**", "*x"))
    if kind == 4:
        return w + "~" + rng.choice(("", "1", "2", "3", "0", "9", "-1", "x"))
    if kind == 5:
        lo = rng.choice(("2018", "2018-09", "2018-09-01", "*", "x", "", "0000", "9999-99-99", w))
        hi = rng.choice(("2018", "2019-12-31", "*", "y", "", "2018-02-30", w))
        return f"date:[{lo} {rng.choice(('TO', 'to', 'To', ''))} {hi}" + ("]" if rng.random() < 0.8 else "")
    if kind == 6 and depth < 4:
        inner = " ".join(_piece(rng, vocab, depth + 1) for _ in range(rng.randint(0, 4)))
        return "(" * rng.randint(0, 2) + inner + ")" * rng.randint(0, 2)
    if kind == 7:
        return "-" + w
    if kind == 8:
        return rng.choice(KNOWN_BAD)
    if kind == 9:
        return _random_unicode(rng, rng.randint(1, 30))
    return w


def _param(rng: random.Random, good: tuple, junk: tuple = ()):
    r = rng.random()
    if r < 0.85:
        return good[0]
    if r < 0.95:
        return rng.choice(good)
    return rng.choice(junk + ("", "x", "-1", "0", "1e9", "NaN", "\x00", "9" * 40, _random_unicode(rng, 5)))


def queries(seed: int = 0, vocab: tuple[str, ...] = ()) -> Iterator[tuple[str, dict]]:
    """Endless (query text, other search parameters), seeded: the same seed gives the same sequence."""
    rng = random.Random(seed)
    vocab = tuple(vocab) or WORDS
    while True:
        shape = rng.random()
        if shape < 0.75:
            text = " ".join(_piece(rng, vocab) for _ in range(rng.randint(1, 8)))
        elif shape < 0.85:
            text = _random_unicode(rng, rng.randint(0, 80))
        elif shape < 0.95:
            text = rng.choice(KNOWN_BAD)
        else:
            text = _piece(rng, vocab) * rng.randint(20, 400)  # long: at, under and over the length limit
        params = {
            "sort": _param(rng, ("relevance", "newest", "oldest"), ("RELEVANCE", "random")),
            "page": _param(rng, (1, 2, 3, 1000, 10_000), (-1, 0, 10**20, "2")),
            "per_page": _param(rng, (10, 1, 100), (0, 101, -5, 10**9)),
            "since": _param(rng, (None, "2018", "2018-09-01"), ("2018-13", "yesterday", "2018-02-30")),
            "until": _param(rng, (None, "2019", "2018-09-30"), ("2017", "*")),
            "sources": _param(rng, ((), ("Reuters",), ("AFP", "unknown")), (("x",) * 60, ("\x00",))),
        }
        yield text, params


@dataclass
class FuzzReport:
    """What a fuzz run tried and found."""

    tried: int = 0
    answered: int = 0
    refused: int = 0                     # the engine's own SearchError, with a message for the user
    crashes: list[str] = field(default_factory=list)   # any other exception: a bug
    slow: list[str] = field(default_factory=list)      # answered or refused after the bound: a bug
    max_ms: float = 0.0
    error_types: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.tried:,} queries: {self.answered:,} answered, {self.refused:,} refused with the engine's "
                f"own error, {len(self.crashes)} other exceptions, {len(self.slow)} over the time bound; "
                f"slowest {self.max_ms:.0f} ms; {self.seconds:.0f} s")


def fuzz_engine(engine, count: int, seed: int = 0, vocab: tuple[str, ...] = (), bound_ms: float = 2000.0,
                max_seconds: float = 600.0) -> FuzzReport:
    """Run `count` fuzzed searches on `engine` (stopping early after `max_seconds`)."""
    report = FuzzReport()
    started = time.monotonic()
    for text, params in queries(seed, vocab):
        if report.tried >= count or time.monotonic() - started > max_seconds:
            break
        report.tried += 1
        t0 = time.perf_counter()
        try:
            engine.search(text, **params)
            report.answered += 1
        except SearchError as exc:
            report.refused += 1
            report.error_types[type(exc).__name__] += 1
            if not str(exc).strip() or "Traceback" in str(exc):
                report.crashes.append(f"{text!r} {params}: an unhelpful message {str(exc)!r}")
        except Exception as exc:  # noqa: BLE001 - this is what the fuzzer hunts for
            report.error_types[type(exc).__name__] += 1
            if len(report.crashes) < 50:
                where = traceback.extract_tb(exc.__traceback__)[-1]
                report.crashes.append(f"{text!r} {params}: {type(exc).__name__}: {exc} "
                                      f"(at {where.filename.rsplit('/', 2)[-2:]}:{where.lineno})")
        ms = (time.perf_counter() - t0) * 1000
        report.max_ms = max(report.max_ms, ms)
        if ms > bound_ms and len(report.slow) < 50:
            report.slow.append(f"{text[:80]!r} {params}: {ms:.0f} ms")
    report.seconds = time.monotonic() - started
    return report


def _sendable(value) -> str:
    # what a browser can send: text as UTF-8 (a lone surrogate cannot be encoded, it arrives as U+FFFD)
    return str(value).encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def web_query(text: str, params: dict) -> list[tuple[str, str]]:
    """The fuzzed search as query-string pairs for /search, /api/search and /search.atom."""
    pairs = [("q", _sendable(text)), ("sort", _sendable(params["sort"])), ("page", _sendable(params["page"])),
             ("per_page", _sendable(params["per_page"]))]
    for name in ("since", "until"):
        if params[name] is not None:
            pairs.append((name, _sendable(params[name])))
    sources = params["sources"]
    pairs += [("source", _sendable(s)) for s in (sources if isinstance(sources, tuple) else (sources,))]
    return pairs
