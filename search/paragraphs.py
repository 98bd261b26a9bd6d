"""Hard-wrapped text -> paragraphs: recognise a file wrapped at a fixed width and rejoin its lines.

Reuters wraps at about 65 characters, as do mailing lists and Project Gutenberg: read line by line, one sentence
spreads over three or four "paragraphs" and passages stop at line ends. A text is hard-wrapped when most of its
lines that run on into the next one are close to the file's width (a high percentile of its line lengths, at
most MAX_WIDTH) and mostly stop mid-sentence. Then a line is joined to the one before it unless a blank line
lies between them (blank lines stay breaks), the line before is short (a paragraph's last line, a heading, a
dateline, a table row), the line is indented more than the one before (a new paragraph), or either line is a list
item, a table row or a date line. One pass over the lines; nothing is done to a text that is not hard-wrapped.
"""
from __future__ import annotations

import math
import re

from search import metadata

#: Wrapped text is at most this wide; longer lines are paragraphs written one per line.
MAX_WIDTH = 100
#: ... and at least this wide (narrower lines are verse, lists or columns, not wrapped prose).
MIN_WIDTH = 50
#: The width is this percentile of the non-empty lines' lengths.
WIDTH_PERCENTILE = 0.9
#: A line at least this share of the width may be continued by the next one.
FULL_LINE = 0.6
#: A file needs this many lines that run on into the next to be judged at all.
MIN_RUN_ON = 3

_LIST_ITEM = re.compile(r"\s*(?:[-*+\u2022\u00b7\u2013>]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)])\s")
_TABLE = re.compile(r"\t|\|| {3,}\S+ {3,}|\S {2,}[\d(-]")
_SENTENCE_END = ".!?:;\"'\u201d\u2019)]"
_DIGIT = re.compile(r"\d")


def _width(lengths: list[int]) -> int:
    """The WIDTH_PERCENTILE of the (non-empty list of) lengths, lengths past MAX_WIDTH counting as MAX_WIDTH + 1."""
    # the smallest n with at least ceil(WIDTH_PERCENTILE * len) lengths <= n: a sorted list's element (C, no loop)
    return min(sorted(lengths)[math.ceil(WIDTH_PERCENTILE * len(lengths)) - 1], MAX_WIDTH + 1)


def is_hard_wrapped(text: str) -> bool:
    """True when the text's lines are wrapped at a fixed width (see the module's docstring)."""
    lines = [line.rstrip() for line in text.split("\n")]
    return _wrap_width(lines, list(map(len, lines))) is not None


def _wrap_width(lines: list[str], lens: list[int]) -> int | None:
    """The width the (right-stripped) lines of lengths `lens` are wrapped at, or None when not hard-wrapped."""
    lengths = [n for n in lens if n]
    if len(lengths) < MIN_RUN_ON + 1:
        return None
    width = _width(lengths)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    # a line runs on when it and the next are not blank; it is full at FULL_LINE of the width (never blank then)
    following = lens[1:]
    run_on = sum(1 for n, nxt in zip(lens, following) if n and nxt)
    threshold = FULL_LINE * width
    full_ends = [line[-1] for line, n, nxt in zip(lines, lens, following) if nxt and n >= threshold]
    full = len(full_ends)
    mid_sentence = sum(1 for end in full_ends if end not in _SENTENCE_END)
    return width if run_on >= MIN_RUN_ON and full >= 0.5 * run_on and mid_sentence >= 0.5 * full else None


def _keeps_line(line: str) -> bool:
    """A list item, a table row or a date line: kept on a line of its own."""
    # a list item or a table row is a short line: looking at its start keeps the work linear in the text
    head = line[:2 * MAX_WIDTH]
    stripped = head.strip()
    if _LIST_ITEM.match(head):
        return True
    # every way _TABLE matches holds a tab, a bar or two spaces in a row: most lines are ruled out by `in` alone
    if ("  " in stripped or "\t" in stripped or "|" in stripped) and _TABLE.search(stripped):
        return True
    # a date line names at least a month: a bare year ("1986.") is the end of a wrapped sentence
    # (every date format names a year, so a line without a digit is no date line)
    return (len(stripped) <= 40 and _DIGIT.search(stripped) is not None
            and len(metadata.normalize_date(stripped) or "") >= 7)


#: What may start a list item after its indent (a digit or a letter followed by "." or ")" are the other ways).
_ITEM_STARTS = frozenset("-*+\u2022\u00b7\u2013>(")


def reflow(text: str) -> str:
    """The text with hard-wrapped lines rejoined into paragraphs, one per line; unchanged if not hard-wrapped."""
    lines = [raw.rstrip() for raw in text.split("\n")]
    lens = list(map(len, lines))
    width = _wrap_width(lines, lens)
    if width is None:
        return text
    out: list[str] = []
    full = FULL_LINE * width
    pieces: list[str] | None = None  # the output line being built, None after a blank line
    tail = ""  # its last two characters (whether a hyphen ends it after a letter)
    prev_len = prev_indent = 0  # the previous physical line's length (0 when blank) and indent
    prev_kept = False
    for line, n in zip(lines, lens):
        if not n:
            if pieces is not None:
                out.append("".join(pieces))
                pieces = None
            out.append("")
            prev_len, prev_kept = 0, False
            continue
        body = line.lstrip()
        indent = n - len(body)
        # whether a line is kept on its own only matters when it could join the line before, or be joined by the
        # next one (it is full): the costlier checks of _keeps_line are skipped for every other line
        may_join = prev_len >= full and not prev_kept and indent <= prev_indent
        # _keeps_line comes after cheap tests that every line it keeps passes (most prose fails them): a list
        # item's start, a table row's tab, bar or two spaces, a date line's shortness (or a line past what it reads)
        kept = ((may_join or n >= full)
                and (body[0] in _ITEM_STARTS or body[0].isdigit() or body[1:2] in (".", ")")
                     or "  " in body or "\t" in body or "|" in body or len(body) <= 40 or n > 2 * MAX_WIDTH)
                and _keeps_line(line))
        if may_join and not kept:
            # pieces joined once at the paragraph's end: a long paragraph is not copied again for every line
            if tail[-1:] == "-" and len(tail) == 2 and tail[0].isalpha() and body[:1].islower():
                pieces.append(body)  # a word hyphenated at the line's end
                tail = (tail + body)[-2:]
            else:
                pieces += (" ", body)
                tail = (" " + body)[-2:]
        else:
            if pieces is not None:
                out.append("".join(pieces))
            pieces, tail = [line], line[-2:]
        prev_len, prev_indent, prev_kept = n, indent, kept
    if pieces is not None:
        out.append("".join(pieces))
    return "\n".join(out)
