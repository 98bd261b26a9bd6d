"""Best passages of an article as spans [(text, is_match), ...]: the CLI colours the matches, the web marks them."""
from __future__ import annotations

import bisect
import itertools
import re
from functools import lru_cache
from typing import Iterable

from search.accents import ACCENT_MAP as accent_map

from search.captions import is_photo_credit, may_hold_credit
from search.analysis import INVISIBLE, MAX_TOKEN_CHARS, WORD_RE, term_for, word_spans
from search.limits import PASSAGE_CHARS, MAX_PASSAGES, PAGE_PARAGRAPHS, PAGE_MARKS

Span = tuple[str, bool]
Passage = list[Span]

#: A results page's work per hit is bounded: the passages come from the first MAX_MATCHES matches of the text,
#: found among at most MAX_EXAMINED candidate words (words that start like a query word).
MAX_MATCHES = 64
MAX_EXAMINED = 512
#: How far from a match its sentence's start and end are looked for; a longer sentence is shown cut.
SENTENCE_REACH = 400
#: How much of a long text is lowered / accent-folded at a time while looking for matches: SCAN_FIRST
#: characters first, twice as many each time after, up to SCAN_CHUNK.
SCAN_FIRST = 4096
SCAN_CHUNK = 65536
#: A word is read at most this far from its start (longer ones are dropped by the analyzer anyway).
MAX_WORD_SCAN = 4 * MAX_TOKEN_CHARS
#: A caption line is recognised only when its end is this close to the passage.
CAPTION_REACH = 400
#: The mark of a cut: a passage that starts or ends inside a sentence shows it there.
CUT = "…"
CUT_BEFORE: Span = (CUT + " ", False)
CUT_AFTER: Span = (" " + CUT, False)
_HEAD_MAX = 4  # the longest stem head _heads makes
_INVISIBLE = re.compile("[%s]" % INVISIBLE)
# the word characters of lowered ASCII text: what the careful finders' (?<!\w) excludes before a word start
_WORD_ASCII = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
#: Lowered ASCII text is searched for heads this many characters at a time.
_BLOCK = 1024
# a sentence ends at . ! ? (and closing quotes/brackets) followed by white space and a capital or a quote
# ("Sept. 7" and "3.5 percent" do not end one), or at a line break. Written to start with one character class
# (the lookbehinds say which kind of end it is) so that the regex engine skips ahead to those characters:
# the same matches as [.!?…]["'”’)\]]*\s+(?=[A-Z"“‘'(])|\n\s* at a fraction of the cost.
_SENTENCE_END = re.compile(r"[.!?…\n](?:(?<=[.!?…])[\"'”’)\]]*\s+(?=[A-Z\"“‘'(])|(?<=\n)\s*)")


def match_ranges(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = (),
                 limit: int | None = None, examine: int | None = None) -> list[tuple[int, int]]:
    """Character ranges of `text` to mark: words whose stem is in `terms`, and whole phrase occurrences.

    Only words that start like one of the stems are analysed (a regex finds them), not every word of the text:
    most of a results page's cost was stemming article bodies for snippets. With `limit` the scan stops after
    that many ranges, with `examine` after that many candidate words: the work stays bounded whatever the text.
    """
    query = _query(terms, phrases)
    if query is None:
        return []
    if not query.by_first and query.ascii_only and len(text) <= SCAN_FIRST and text.isascii():
        return _short_ascii_ranges(text, query, limit, examine)  # most articles and every title
    return _scanned_ranges(text, query, limit, examine)


def _scanned_ranges(text: str, query: _Query, limit: int | None, examine: int | None) -> list[tuple[int, int]]:
    """match_ranges of any text: its candidate words a piece at a time, phrases followed word by word."""
    terms, by_first = query.terms, query.by_first
    ranges = []
    for start, end, stem in _candidate_words(text, query, examine):
        if stem in terms:
            ranges.append((start, end))
        if by_first and stem in by_first:
            for phrase in by_first[stem]:
                window = word_spans(text[start:start + 80 * len(phrase)])
                following = list(itertools.islice(window, len(phrase)))
                if tuple(t for _, _, t in following) == phrase:
                    ranges.append((start, start + following[-1][1]))
        if limit is not None and len(ranges) >= limit:
            break
    if by_first:
        ranges.sort()  # a phrase's range and its first word's start at the same place
    return _merge(ranges)


def _short_ascii_ranges(text: str, query: _Query, limit: int | None, examine: int | None) -> list[tuple[int, int]]:
    """match_ranges of an ASCII text of one piece and a query without phrases: the same ranges as _scanned_ranges,
    without its pieces, folding and merging (a results page asks this of every hit's body and title)."""
    low, terms = text.lower(), query.terms
    ranges: list[tuple[int, int]] = []
    seen = count = 0
    # the lowered text has the same words at the same places, and a word's stem does not depend on its case:
    # "Oil", "OIL" and "oil" are one cached stemming
    for i, _ in _ascii_starts(low, query.heads, 0, len(low)):
        seen += 1
        word = WORD_RE.match(low, i, i + MAX_WORD_SCAN)
        if word and term_for(word.group()) in terms:
            end = word.end()
            if ranges and i <= ranges[-1][1]:  # "oil.price" and its "price": one range, as _merge makes it
                ranges[-1] = (ranges[-1][0], max(end, ranges[-1][1]))
            else:
                ranges.append((i, end))
            count += 1
            if limit is not None and count >= limit:
                break
        if examine is not None and seen >= examine:
            break
    return ranges


class _Query:
    """What marking a query's matches needs, made once per query rather than once per hit."""

    __slots__ = ("terms", "stems", "by_first", "heads", "ascii_only", "_careful", "_tolerant")

    def __init__(self, terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]):
        self.terms = terms
        self.stems = terms | {w for p in phrases for w in p}
        by_first: dict[str, list[tuple[str, ...]]] = {}
        for phrase in phrases:
            if phrase:
                by_first.setdefault(phrase[0], []).append(phrase)
        self.by_first = by_first
        alternatives, self.ascii_only = _heads(self.stems)
        self.heads = tuple(_unescape(h) for h in alternatives.split("|"))  # the longest first
        self._careful = self._tolerant = None

    def careful(self):
        """The heads at a word start in any case, for accent-folded text that is not all ASCII."""
        if self._careful is None:
            self._careful = re.compile(r"(?<!\w)(?:%s)" % _heads(self.stems)[0], re.IGNORECASE)
        return self._careful

    def tolerant(self):
        """The careful finder, with the analyzer's invisible characters allowed between a head's letters."""
        if self._tolerant is None:
            self._tolerant = _tolerant(self.stems)
        return self._tolerant


@lru_cache(maxsize=64)
def _query_for(terms: frozenset[str], phrases: tuple[tuple[str, ...], ...]) -> _Query | None:
    if not terms and not any(phrases):
        return None
    return _Query(terms, phrases)


def _query(terms: Iterable[str], phrases: Iterable[tuple[str, ...]]) -> _Query | None:
    """The query's _Query (cached: every hit of a page asks with the same terms), or None when nothing is wanted."""
    terms, phrases = frozenset(terms), tuple(phrases)
    try:
        return _query_for(terms, phrases)
    except TypeError:  # an unhashable phrase (not from the query parser): made afresh
        return _query_for.__wrapped__(terms, phrases)


# One character for one character (so offsets stay valid): accents off, for finding candidate words.
_PROBE = str.maketrans({k: (v[0] if v else chr(k)) for k, v in accent_map.items() if isinstance(k, int)})


@lru_cache(maxsize=256)
def _heads(stems: frozenset[str]) -> tuple[str, bool]:
    """The alternation of the stems' heads for a regex, and whether they are all ASCII."""
    # Snowball only rewrites endings, so a word starts with its stem's first letters ("cri" <- "cry": "cr")
    heads = sorted({s if len(s) <= 2 else s[:min(4, len(s) - 1)] for s in stems}, key=len, reverse=True)
    return "|".join(map(re.escape, heads)), all(h.isascii() for h in heads)


def _pieces(length: int, chunk: int | None):
    """(start, end) of the pieces a text is probed in: `chunk` characters each, or by default SCAN_FIRST
    doubling up to SCAN_CHUNK (most texts show their matches early: a long one is rarely folded whole)."""
    size, a = chunk or SCAN_FIRST, 0
    while a < length:
        yield a, min(length, a + size)
        a += size
        size = chunk or min(2 * size, SCAN_CHUNK)


def _tolerant(stems: frozenset[str]):
    """The careful finder, with the analyzer's invisible characters allowed between a head's letters."""
    gap = "[%s]?" % INVISIBLE
    heads = _heads(stems)[0].split("|")
    alternatives = "|".join(gap.join(re.escape(ch) for ch in _unescape(h)) for h in heads)
    return re.compile(r"(?<!\w)(?:%s)" % alternatives, re.IGNORECASE)


def _unescape(escaped: str) -> str:
    """The literal text of a re.escape()d string."""
    return re.sub(r"\\(.)", r"\1", escaped)


def _starts(text: str, query: _Query, chunk: int | None = None):
    """Where a word of text starts with one of the query's stems' heads, accents aside and in any case: the starts
    the careful finder finds in text.translate(_PROBE).

    The text is probed a chunk at a time, so a caller that stops early (enough matches) never pays for
    lowering or translating the rest of a long article.
    """
    resume = 0  # where the last head ended: heads do not overlap, across a cut as within a piece
    for a, b in _pieces(len(text), chunk):
        # one character before (the word-start test) and a head's length after (a head crossing the cut)
        lo = a - 1 if a else 0
        piece = text[lo:b + 2 * _HEAD_MAX]
        pos, stop = max(a, resume) - lo, b - lo
        if piece.isascii():  # most articles: no accent to fold, no invisible character
            found = (_ascii_starts(piece.lower(), query.heads, pos, stop) if query.ascii_only
                     else _careful_starts(piece.translate(_PROBE), query.careful(), pos, stop))
        elif _INVISIBLE.search(piece):  # a soft hyphen or a zero-width joiner may sit inside a head: "Zan\u00adzibar"
            found = _careful_starts(piece.translate(_PROBE), query.tolerant(), pos, stop)
        else:
            probe = piece.translate(_PROBE)
            found = (_ascii_starts(probe.lower(), query.heads, pos, stop) if query.ascii_only and probe.isascii()
                     else _careful_starts(probe, query.careful(), pos, stop))
        for start, end in found:
            resume = lo + end
            yield lo + start


def _candidate_words(text: str, query: _Query, examine: int | None = None):
    """(start, end, stem) of the words of text whose stem is one of the query's; at most `examine` words looked at."""
    stems = query.stems
    for n, start in enumerate(_starts(text, query), 1):
        word = WORD_RE.match(text, start, start + MAX_WORD_SCAN)
        if word:
            stem = term_for(word.group())
            if stem in stems:
                yield start, word.end(), stem
        if examine is not None and n >= examine:
            return


def _careful_starts(probe: str, careful_re, pos: int, stop: int):
    """(start, end) of the matches of careful_re in probe from pos, starting before stop."""
    for m in careful_re.finditer(probe, pos):
        if m.start() >= stop:
            return
        yield m.span()


def _ascii_starts(low: str, heads: tuple[str, ...], pos: int, stop: int):
    """(start, end) of the heads found at word starts in lowered ASCII text from pos, starting before stop.

    The same as the careful finder's matches (leftmost first, the longest head at a place, no overlap), found
    with str.find: a regex alternation tries every place that starts like a head, several times slower.
    """
    block = pos
    while block < stop:  # a block at a time: a caller that has seen enough words stops before the rest is found
        until = min(stop, block + _BLOCK)
        found = []
        for h in heads:
            n = len(h)
            i = low.find(h, block, until - 1 + n)
            while i >= 0:
                found.append(i * 8 + _HEAD_MAX - n)  # by place, then the longest head first
                i = low.find(h, i + 1, until - 1 + n)
        if len(heads) > 1:
            found.sort()
        after = block  # where the last head found at a word start ends
        for code in found:
            i = code >> 3
            if i < after or (i and low[i - 1] in _WORD_ASCII):  # overlapped, or not at a word start: (?<!\w)
                continue
            after = i + _HEAD_MAX - (code & 7)
            yield i, after
        block = max(until, after)


def _merge(ranges):
    merged = []
    for s, e in ranges:
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    return merged


def to_spans(text: str, ranges: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Passage:
    """Cut text[start:end] into alternating plain and matched spans (ranges sorted and not overlapping)."""
    end = len(text) if end is None else end
    spans: Passage = []
    pos = start
    # only the ranges that can touch [start, end): found by bisection, so a paragraph costs its own matches
    first = max(bisect.bisect_right(ranges, (start, start)) - 1, 0)
    for k in range(first, len(ranges)):
        s, e = ranges[k]
        if s >= end:
            break
        if e <= start:
            continue
        if s < start:
            s = start
        if e > end:
            e = end
        if s > pos:
            spans.append((text[pos:s], False))
        spans.append((text[s:e], True))
        pos = e
    if pos < end:
        spans.append((text[pos:end], False))
    return spans


def highlight(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = (),
              limit: int | None = None) -> Passage:
    """The whole text as spans with its matches marked (titles); `limit` bounds the marks on a long text."""
    limit = PAGE_MARKS if limit is None else limit
    ranges = match_ranges(text, terms, phrases, limit=limit, examine=4 * limit)
    if not ranges:
        return [(text, False)] if text else []
    return to_spans(text, ranges)


def paragraphs(text: str, terms: Iterable[str] = (), phrases: Iterable[tuple[str, ...]] = (),
               most: int = PAGE_PARAGRAPHS, marks: int = PAGE_MARKS) -> list[Passage]:
    """An article's text as paragraphs of spans (one per non-blank line), for an article page.

    Bounded whatever the file holds: at most `most` paragraphs (a file of many short lines has its lines
    grouped, a group per paragraph) and at most `marks` marked matches, found in one pass over the text.
    """
    ranges = match_ranges(text, terms, phrases, limit=marks, examine=4 * marks)
    return [to_spans(text, ranges, s, e) for s, e in _paragraph_bounds(text, most)]


def _paragraph_bounds(text: str, most: int) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, whitespace trimmed: a line each, or groups of lines when there are many."""
    if text.count("\n") < most:
        out, pos = [], 0
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                s = pos + line.index(stripped[0])
                out.append((s, s + len(stripped)))
            pos += len(line) + 1
        return out
    out, pos, step = [], 0, len(text) // most + 1
    while pos < len(text):  # cut at the first line end after `step` characters: at most `most` groups
        cut = text.find("\n", pos + step)
        cut = len(text) if cut == -1 else cut
        s, e = _trim(text, pos, cut)
        if s < e:
            out.append((s, e))
        pos = cut + 1
    return out


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """start and end moved past the white space at both edges of text[start:end]."""
    piece = text[start:end]
    left = len(piece) - len(piece.lstrip())
    return start + left, start + len(piece.rstrip())


def _sentence(text: str, pos: int, floor: int) -> tuple[int, int, bool, bool]:
    """The sentence around a word starting at `pos`, looked for no further than SENTENCE_REACH either way.

    Returns (start, end, starts_whole, ends_whole): the two flags are false where the sentence went on past
    the reach (the passage then starts or ends with a cut, marked). Cost: 2 * SENTENCE_REACH characters.
    """
    lo = max(floor, pos - SENTENCE_REACH)
    start, whole_start = lo, lo == 0
    # a sentence end before the word: the last one that ends at or before it (+1 lets the lookahead see the word)
    ends = [m.end() for m in _SENTENCE_END.finditer(text, lo, pos + 1)]
    while ends and ends[-1] > pos:
        ends.pop()
    if ends:
        start, whole_start = ends[-1], True
    if not whole_start and lo == floor and floor > 0:
        whole_start = text[floor - 1].isspace() or text[floor - 1] in ".!?…"  # the previous sentence's end
    hi = min(len(text), pos + SENTENCE_REACH)
    m = _SENTENCE_END.search(text, pos, min(len(text), hi + 1))
    if m is not None and m.start() < hi:
        return start, m.start() + len(m.group().rstrip()), whole_start, True
    return start, hi, whole_start, hi == len(text)


def _word_cut(text: str, start: int, end: int) -> tuple[int, int]:
    """Move start forward and end backward to word boundaries (unless already at the text's edges)."""
    if start > 0 and not text[start - 1].isspace():
        nxt = text.find(" ", start, end)
        start = nxt + 1 if nxt != -1 else start
    if end < len(text) and not text[end].isspace():
        prev = text.rfind(" ", start, end)
        end = prev if prev > start else end
    return start, end


def _densest(ranges: list[tuple[int, int]], size: int) -> int:
    """The start of the match from which a window of `size` characters covers the most matches (two pointers)."""
    best, best_count, j = ranges[0][0], 0, 0
    for i, (s, _) in enumerate(ranges):
        j = max(j, i)
        while j < len(ranges) and ranges[j][1] <= s + size:
            j += 1
        if j - i > best_count:
            best, best_count = s, j - i
    return best


def _window(text: str, sent: tuple[int, int], ranges, size: int) -> tuple[int, int]:
    """A passage of about `size` characters: the whole sentence when it fits, else a cut around the densest matches."""
    s, e = sent
    if e - s <= size:
        return s, e
    best = _densest(ranges, size) if ranges else s
    start = max(s, best - size // 4)
    return _word_cut(text, start, min(e, start + size))


def _whole_matches(start: int, end: int, ranges) -> tuple[int, int]:
    """start and end moved out of any match they would cut in two (a mark is never half a word)."""
    for a, b in ranges:
        if a < start < b:
            start = a
        if a < end < b:
            end = b
    return start, end


def passages(text: str, terms: Iterable[str], phrases: Iterable[tuple[str, ...]] = (),
             size: int = PASSAGE_CHARS, limit: int = MAX_PASSAGES, avoid: str = "") -> list[Passage]:
    """The 1-3 passages of `text` where the matched terms are densest, in text order; the opening if none match.

    Lines that only repeat `avoid` (the title, which many scraped bodies start with) are not used, nor are
    photo captions ending in a credit ("... / AFP / Delil SOULEIMAN") while another passage can be shown.
    A passage that starts or ends inside a sentence carries a CUT span there. The work is bounded per text:
    the first MAX_MATCHES matches (of at most MAX_EXAMINED candidate words) are considered, and each sentence
    is looked for within SENTENCE_REACH characters of its match.
    """
    ranges = match_ranges(text, terms, phrases, limit=MAX_MATCHES, examine=MAX_EXAMINED)
    skip = _title_lines(text, avoid)
    usable = [r for r in ranges if not any(s <= r[0] < e for s, e in skip)] if skip else ranges
    if not usable:  # no match in the body proper (e.g. only in the title): show the opening lines
        return _opening(text, ranges, skip, size)
    found = []
    floor, i, n = 0, 0, len(usable)
    while i < n:
        s, e, whole_start, whole_end = _sentence(text, usable[i][0], floor)
        j = i
        while j < n and usable[j][0] < e:
            j += 1
        inside_sentence, i, floor = usable[i:j], j, e
        if e - s <= size:  # the whole sentence: its matches start inside it, the last may end past it (a phrase)
            ws, we = s, max(e, inside_sentence[-1][1])
            inside = [text[a:b].lower() for a, b in inside_sentence]
        else:
            ws, we = _whole_matches(*_window(text, (s, e), inside_sentence, size), inside_sentence)
            inside = [text[a:b].lower() for a, b in inside_sentence if ws <= a and b <= we]
        if inside:
            found.append((len(set(inside)), len(inside), ws, we, whole_start and ws == s, whole_end and we == e))
    if len(found) == 1:  # the one passage, caption or not
        _, _, ws, we, clean_start, clean_end = found[0]
        return [_marked_cut(to_spans(text, ranges, ws, we), not clean_start, not clean_end)]
    may_hold_captions = _may_hold_captions(text)
    if len(found) <= limit and not may_hold_captions:
        shown = sorted((ws, we, clean_start, clean_end) for _, _, ws, we, clean_start, clean_end in found)
        if all(a[1] <= b[0] for a, b in zip(shown, shown[1:])):  # none overlaps another: every one is shown
            return [_marked_cut(to_spans(text, ranges, ws, we), not clean_start, not clean_end)
                    for ws, we, clean_start, clean_end in shown]
    # not a caption first, then distinct matched words, then how many matches, then earlier in the text
    is_caption = _is_caption if may_hold_captions else _never
    candidates = sorted((((not is_caption(text, ws, we), distinct, count, -ws), ws, we, clean_start, clean_end)
                         for distinct, count, ws, we, clean_start, clean_end in found), reverse=True)
    chosen = []
    for key, ws, we, clean_start, clean_end in candidates:
        if chosen and not key[0]:
            break  # captions only when nothing else matched
        if all(we <= c[0] or ws >= c[1] for c in chosen):
            chosen.append((ws, we, clean_start, clean_end))
        if len(chosen) == limit:
            break
    return [_marked_cut(to_spans(text, ranges, ws, we), not clean_start, not clean_end)
            for ws, we, clean_start, clean_end in sorted(chosen)]


def _opening(text: str, ranges, skip, size: int) -> list[Passage]:
    """The first `size` characters after the title lines, cut at words, as the one passage."""
    start = skip[-1][1] if skip else 0
    bound = min(len(text), start + size + SENTENCE_REACH)
    while start < bound and text[start].isspace():
        start += 1
    end = min(len(text), start + size)
    cut = end < len(text)
    if cut:
        start, end = _whole_matches(*_word_cut(text, start, end), ranges)
    if not text[start:end].strip():
        return []
    return [_marked_cut(to_spans(text, ranges, start, end), False, cut and not text[end - 1] in ".!?…")]


def _marked_cut(spans: Passage, before: bool, after: bool) -> Passage:
    """`spans` (a list of its own, changed in place) with a CUT span where the passage starts or ends cut."""
    if before:
        spans.insert(0, CUT_BEFORE)
    if after:
        spans.append(CUT_AFTER)
    return spans


def _may_hold_captions(text: str) -> bool:
    """False when no line of text can end with a photo credit: a short text without "/", ":" or "via" (most)."""
    return len(text) > SCAN_FIRST or may_hold_credit(text)


def _never(*_) -> bool:
    return False


def _is_caption(text: str, start: int, end: int) -> bool:
    """True when text[start:end] lies in a line that ends with a photo credit (a caption, not the story)."""
    line_end = text.find("\n", end, end + CAPTION_REACH)
    if line_end == -1:
        if len(text) - end > CAPTION_REACH:
            return False
        line_end = len(text)
    return is_photo_credit(text[max(start, line_end - 200):line_end])


def _title_lines(text: str, title: str) -> list[tuple[int, int]]:
    """Ranges of the first lines of text that contain the title (scraped bodies often repeat it)."""
    words = title.split()
    # a line holding the title holds each of its words within the first 2,000 characters: most bodies are out here
    if not words or text.find(words[0], 0, 2000) < 0 or text.find(words[-1], 0, 2000) < 0:
        return []
    title = " ".join(words)
    out, pos = [], 0
    longest = len(title) + 60
    for line in text[:2000].split("\n", 8)[:8]:
        stripped = line.strip()
        if stripped and len(stripped) <= longest and title in " ".join(stripped.split()):
            out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def joined(passage_list: list[Passage], joiner: str = CUT) -> Passage:
    """Passages as one run of spans, `joiner` between them (once, where a passage already shows a cut)."""
    out: Passage = []
    for passage in passage_list:
        if out:
            if out[-1] == CUT_AFTER and passage[:1] == [CUT_BEFORE]:
                passage = [(" ", False)] + passage[1:]
            elif out[-1] != CUT_AFTER and passage[:1] != [CUT_BEFORE]:
                out.append((f" {joiner} ", False))
            else:
                out.append((" ", False))
        out.extend(passage)
    return out


def plain(passage_list: list[Passage], joiner: str = CUT) -> str:
    """Passages as plain text (for JSON and CSV), white space collapsed."""
    return " ".join("".join(t for t, _ in joined(passage_list, joiner)).split())
