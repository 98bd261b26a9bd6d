"""Best passages of an article as spans [(text, is_match), ...]: the CLI colours the matches, the web marks them."""
from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from typing import Iterable

from whoosh.support.charset import accent_map

from search.analysis import WORD_RE, term_for, word_spans
from search.paragraphs import reflow

Span = tuple[str, bool]
Passage = list[Span]

PASSAGE_CHARS = 200
MAX_PASSAGES = 3
# a sentence ends at . ! ? (and closing quotes/brackets) followed by white space and a capital or a quote
# ("Sept. 7" and "3.5 percent" do not end one), or at a line break. Written to start with one character class
# (the lookbehinds say which kind of end it is) so that the regex engine skips ahead to those characters:
# the same matches as [.!?…]["'”’)\]]*\s+(?=[A-Z"“‘'(])|\n\s* at a fraction of the cost.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[\"'”’)\]]*\s+(?=[A-Z\"“‘'(])|(?<=\n)\s*)")


def match_ranges(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = ()) -> list[tuple[int, int]]:
    """Character ranges of `text` to mark: words whose stem is in `terms`, and whole phrase occurrences.

    Only words that start like one of the stems are analysed (a regex finds them), not every word of the text:
    most of a results page's cost was stemming article bodies for snippets.
    """
    terms, phrases = set(terms), list(phrases)
    wanted = terms | {w for p in phrases for w in p}
    if not wanted:
        return []
    ranges = []
    for start, end, stem in _candidate_words(text, wanted):
        if stem in terms:
            ranges.append((start, end))
        for phrase in phrases:
            if stem == phrase[0]:
                window = word_spans(text[start:start + 80 * len(phrase)])
                following = list(itertools.islice(window, len(phrase)))
                if tuple(t for _, _, t in following) == phrase:
                    ranges.append((start, start + following[-1][1]))
    return _merge(sorted(ranges))


# One character for one character (so offsets stay valid): accents off, for finding candidate words.
_PROBE = str.maketrans({k: (v[0] if v else chr(k)) for k, v in accent_map.items() if isinstance(k, int)})


@lru_cache(maxsize=256)
def _heads(stems: frozenset[str]) -> tuple[str, bool]:
    """The alternation of the stems' heads for a regex, and whether they are all ASCII."""
    # Snowball only rewrites endings, so a word starts with its stem's first letters ("cri" <- "cry": "cr")
    heads = sorted({s if len(s) <= 2 else s[:min(4, len(s) - 1)] for s in stems}, key=len, reverse=True)
    return "|".join(map(re.escape, heads)), all(h.isascii() for h in heads)


def _starts(text: str, stems: frozenset[str]):
    """Where a word of text starts with one of the stems' heads, accents aside and in any case: the starts
    the careful finder finds in text.translate(_PROBE)."""
    alternatives, ascii_only = _heads(stems)
    if ascii_only and text.isascii():
        low = text.lower()  # what text.translate(_PROBE).lower() is for ASCII text (_PROBE only changes case there)
    else:
        probe = text.translate(_PROBE)
        if not ascii_only or not probe.isascii():
            for m in re.finditer(r"(?<!\w)(?:%s)" % alternatives, probe, re.IGNORECASE):
                yield m.start()
            return
        low = probe.lower()
    pos, search = 0, re.compile(alternatives).search
    while True:
        m = search(low, pos)
        if m is None:
            return
        start = m.start()
        if start and (low[start - 1].isalnum() or low[start - 1] == "_"):  # not at a word start: (?<!\w)
            pos = start + 1
            continue
        pos = m.end()
        yield start


def _candidate_words(text: str, stems: set[str]):
    """(start, end, stem) of the words of text whose stem is one of `stems`."""
    for start in _starts(text, frozenset(stems)):
        word = WORD_RE.match(text, start)
        if word:
            stem = term_for(word.group())
            if stem in stems:
                yield word.start(), word.end(), stem


def _merge(ranges):
    merged = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def to_spans(text: str, ranges: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Passage:
    """Cut text[start:end] into alternating plain and matched spans."""
    end = len(text) if end is None else end
    spans: Passage = []
    pos = start
    for s, e in ranges:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > pos:
            spans.append((text[pos:s], False))
        spans.append((text[s:e], True))
        pos = e
    if pos < end:
        spans.append((text[pos:end], False))
    return spans


def highlight(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = ()) -> Passage:
    """The whole text as spans with every match marked (titles, and article pages reached from a search)."""
    return to_spans(text, match_ranges(text, terms, phrases))


def _sentences_around(text: str, positions: list[int]) -> list[tuple[int, int]]:
    """The sentences (cut at _SENTENCE_END) that contain one of the (ascending) positions, each once, in order.

    A position of a word is never inside a sentence end (those are punctuation, quotes and spaces), so its
    sentence runs from the end of the last sentence end before it to the next one: found by bisection
    instead of walking every sentence of the text.
    """
    found = list(_SENTENCE_END.finditer(text))
    bounds = [m.end() for m in found]
    out: list[tuple[int, int]] = []
    k_seen = -1
    for pos in positions:
        k = bisect.bisect_right(bounds, pos)
        if k == k_seen:
            continue
        k_seen = k
        if k < len(found):
            m = found[k]
            out.append((bounds[k - 1] if k else 0, m.start() + len(m.group().rstrip())))
        else:
            out.append((bounds[-1] if bounds else 0, len(text)))
    return out


def _word_cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start forward and end backward to word boundaries (unless already at the text's edges)."""
    if start > 0 and not text[start - 1].isspace():
        nxt = text.find(" ", start, end)
        start = nxt + 1 if nxt != -1 else start
    if end < len(text) and not text[end].isspace():
        prev = text.rfind(" ", start, end)
        end = prev if prev > start else end
    return start, end


def _window(text: str, sent: tuple[int, int], ranges, size: int) -> tuple[int, int]:
    """A passage of about `size` characters: whole sentences where they fit, else a cut around the densest matches."""
    s, e = sent
    if e - s <= size:
        # grow with following sentences while it stays within size
        return s, e
    inside = [r for r in ranges if s <= r[0] < e]
    best, best_count = s, -1
    for r in inside:  # the window start (at a match) that covers the most matches
        count = sum(1 for x in inside if r[0] <= x[0] and x[1] <= r[0] + size)
        if count > best_count:
            best, best_count = r[0], count
    start = max(s, best - size // 4) if best_count >= 0 else s
    start, end = _word_cut(text, start, min(e, start + size))
    return start, end


def passages(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = (),
             size: int = PASSAGE_CHARS, limit: int = MAX_PASSAGES, avoid: str = "") -> list[Passage]:
    """The 1-3 passages of `text` where the matched terms are densest, in text order; the opening if none match.

    Lines that only repeat `avoid` (the title, which many scraped bodies start with) are not used. Hard-wrapped
    text is read as its paragraphs (search/paragraphs.py), so that passages reach sentence boundaries.
    """
    text = reflow(text)
    ranges = match_ranges(text, terms, phrases)
    skip = _title_lines(text, avoid)
    usable = [r for r in ranges if not any(s <= r[0] < e for s, e in skip)]
    if not usable:  # no match in the body proper (e.g. only in the title): show the opening lines
        start = skip[-1][1] if skip else 0
        while start < len(text) and text[start].isspace():
            start += 1
        end = min(len(text), start + size)
        if end < len(text):
            start, end = _word_cut(text, start, end)
        return [to_spans(text, ranges, start, end)] if text[start:end].strip() else []
    starts = [r[0] for r in ranges]
    ends = [r[1] for r in ranges]  # ascending too: the ranges are merged, so they do not overlap
    candidates = []
    for s, e in _sentences_around(text, starts):  # the sentences where a match starts
        if skip and any(ss <= s < se for ss, se in skip):
            continue
        lo, hi = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
        if lo == hi:
            continue
        ws, we = _window(text, (s, e), ranges[lo:hi], size)
        # the ranges wholly inside the window
        inside = [text[a:b].lower() for a, b in ranges[bisect.bisect_left(starts, ws):bisect.bisect_right(ends, we)]]
        if not inside:
            continue
        # distinct matched words first, then how many matches, then earlier in the text
        candidates.append(((len(set(inside)), len(inside), -ws), ws, we))
    candidates.sort(reverse=True)
    chosen: list[tuple[int, int]] = []
    for _, ws, we in candidates:
        if all(we <= cs or ws >= ce for cs, ce in chosen):
            chosen.append((ws, we))
        if len(chosen) == limit:
            break
    return [to_spans(text, ranges, ws, we) for ws, we in sorted(chosen)]


def _title_lines(text: str, title: str) -> list[tuple[int, int]]:
    """Ranges of the first lines of text that contain the title (scraped bodies often repeat it)."""
    title = " ".join(title.split())
    if not title:
        return []
    out, pos = [], 0
    for line in text[:2000].split("\n", 8)[:8]:
        if line.strip() and title in " ".join(line.split()) and len(line.strip()) <= len(title) + 60:
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def plain(passage_list: list[Passage], joiner: str = " … ") -> str:
    """Passages as plain text (for JSON and CSV)."""
    return joiner.join("".join(t for t, _ in p).strip() for p in passage_list)
