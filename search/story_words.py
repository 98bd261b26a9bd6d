"""A rebuild's story signatures from the words its analysis found (search/storage/build.py), in the workers.

search/story_signatures.py signs an article from its text: the lines clean_text keeps, split into words, each word
taken as the index analyses it. A rebuild's workers have split every body into words and analysed them already (the
words the index drops numbered apart), so here only two things are worked out, with array work over the batch's
bytes: which lines clean_text keeps, and how many words stand on each line. Bodies that are not ASCII (rare) have both
found by story_signatures' own code. The rows are the same as stories.document_rows gives
(tests/test_stories_reference.py checks it on hostile texts).
"""
from __future__ import annotations

from itertools import repeat

import numpy as np

from search import stories, story_signatures
from search.analysis import WORD_RE

#: Per list of a worker's vocabulary (its keys, the raw words it drops): [the list, the hashes of its first items and
#: room for more, how many]. Each is hashed once, when a batch first has it.
_HASHED: dict[str, list] = {"keys": [None, np.zeros(0, np.uint64), 0], "dropped": [None, np.zeros(0, np.uint64), 0]}


def _hashes(kind: str, items: list) -> np.ndarray:
    """story_signatures.term_hashes of a storage vocabulary's keys (their field byte left out) or of the raw words it
    drops (as story_signatures.dropped_key takes them), grown as the vocabulary grows (another list is another
    vocabulary: it starts afresh when it is full)."""
    known, hashes, done = _HASHED[kind]
    if known is not items:
        hashes, done = np.zeros(0, np.uint64), 0
    if done < len(items):
        if len(hashes) < len(items):  # room doubled: a batch adds a few, the array is not copied each time
            hashes = np.concatenate([hashes[:done], np.zeros(max(len(items), 2 * len(hashes)) - done, np.uint64)])
        new = items[done:]
        hashes[done:len(items)] = (story_signatures.term_hashes(new, skip=1) if kind == "keys" else
                                   story_signatures.term_hashes(list(map(story_signatures.dropped_key, new))))
        _HASHED[kind] = [items, hashes, len(items)]
    return hashes[:len(items)]


def analysed_rows(docs: list[dict], numbers: np.ndarray, counts: np.ndarray, keys: list[bytes],
                  dropped: list[str]) -> stories.Table:
    """stories.document_rows(docs) from the storage analysis of their bodies: `numbers` of the bodies' raw words,
    document after document (negative for a word the analysis drops), `counts` the raw words of each body, `keys`
    the vocabulary (a positive number's key is its field byte and its term), `dropped` the raw words it drops (by
    -1 - number)."""
    if not docs:
        return stories.Table.empty()
    bodies = [d.get("body") or "" for d in docs]
    kept, line_words, firsts = _kept_lines_and_words(bodies, [d.get("title") or "" for d in docs])
    on_kept = np.repeat(kept, line_words)
    if len(on_kept) != len(numbers) or not np.array_equal(np.add.reduceat(line_words, firsts), counts):
        return stories.document_rows(docs)  # the analysis found other words (not expected): split the lines there
    chosen = numbers[on_kept]
    if not chosen.all():  # a word without a number (not expected)
        return stories.document_rows(docs)
    # one gather from one table: the dropped words' hashes backwards (number -1 first), then the keys'
    table = np.concatenate((_hashes("dropped", dropped)[::-1], _hashes("keys", keys)))
    chosen += len(dropped)
    sigs, shingles, exact = story_signatures.sketch(table[chosen],
                                                    np.add.reduceat(np.where(kept, line_words, 0), firsts))
    return stories.Table(np.array([d["id"] for d in docs], dtype=str), np.array([d["path"] for d in docs], dtype=str),
                         np.array([d["sig"] for d in docs], dtype=str), sigs, shingles, exact)


# ASCII bytes by kind: a word's (WORD_RE's \w there: letters, digits, underscore), and str.strip's whitespace.
_WORD_TABLE = bytes(int(c < 128 and (chr(c).isalnum() or chr(c) == "_")) for c in range(256))
_SPACE = np.array([c < 128 and chr(c).isspace() for c in range(256)])
_ENDS = np.zeros(256, dtype=bool)
_ENDS[[ord(c) for c in story_signatures._SENTENCE_END if c.isascii()]] = True


def _kept_lines_and_words(bodies: list[str], titles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(whether clean_text keeps each line of the bodies, the words of WORD_RE on each line, each body's first
    line)."""
    joined = "\n".join(bodies)
    unicode = ~np.fromiter(map(str.isascii, bodies), dtype=bool, count=len(bodies))
    data = joined.encode("utf-8", "surrogatepass")
    # the text a character a byte, for patterns and str methods at byte offsets (other bodies' lines mean nothing)
    text = data.decode("latin-1") if unicode.any() else joined
    b = np.frombuffer(data, dtype=np.uint8)
    newlines = np.flatnonzero(b == ord("\n"))
    line_counts = np.fromiter(map(str.count, bodies, repeat("\n")), dtype=np.int64, count=len(bodies)) + 1
    firsts = np.cumsum(line_counts) - line_counts
    ascii_line = np.repeat(~unicode, line_counts)
    kept = _kept_ascii(text, b, newlines, ascii_line, firsts, titles)
    words = _ascii_words_per_line(data, b, newlines)
    if unicode.any():  # their lines as stories finds them, and their words by WORD_RE
        at = np.flatnonzero(~ascii_line)
        chosen = np.flatnonzero(unicode).tolist()
        lines, kept[at], _, _ = story_signatures._kept_lines([bodies[i] for i in chosen], [titles[i] for i in chosen])
        words[at] = np.fromiter(map(len, map(WORD_RE.findall, lines)), dtype=np.int64, count=len(at))
    return kept, words, firsts


def _ascii_words_per_line(data: bytes, b: np.ndarray, newlines: np.ndarray) -> np.ndarray:
    """WORD_RE's words on each line of ASCII text, counted by their first bytes: a word byte after a byte that is
    not one, unless that is a single "." after a word byte (what the pattern joins there: "U.S")."""
    word = np.frombuffer(data.translate(_WORD_TABLE), dtype=bool)
    first = word.copy()
    first[1:] &= ~word[:-1]
    first[2:] &= ~((b[1:-1] == ord(".")) & word[:-2])
    line_starts = np.concatenate(([0], newlines + 1))
    counts = np.zeros(len(line_starts), dtype=np.int64)
    inside = line_starts < len(b)  # a text that ends with a newline has an empty last line
    if len(b):
        counts[inside] = np.add.reduceat(first, line_starts[inside], dtype=np.int64)
    return counts


def _kept_ascii(text: str, b: np.ndarray, newlines: np.ndarray, ascii_line: np.ndarray, firsts: np.ndarray,
                titles: list[str]) -> np.ndarray:
    """story_signatures._kept_lines' kept flags for the lines of ASCII bodies (`ascii_line`; other lines' flags mean
    nothing), each line's bounds and ends found in the bytes `b` (`text` the same a character a byte): a str
    method or pattern runs, at the line's offsets, only on the lines a rule may apply to (no sentence end, a chrome
    line's first letters, a "/" or "(" near the end, the headline's length)."""
    total = len(newlines) + 1
    if not len(b):
        return np.zeros(total, dtype=bool)
    start = np.zeros(total, dtype=np.int64)
    start[1:] = newlines + 1
    end = np.append(newlines, len(b))
    _strip(text, b, start, end, ascii_line)
    length = end - start
    ends = np.zeros(total, dtype=bool)
    filled = np.flatnonzero(length > 0)
    ends[filled] = _ENDS[b[end[filled] - 1]]
    # may start a paragraph: ends a sentence, or has four spaces (then six characters at least)
    may = ends & ascii_line
    unended = np.flatnonzero(~ends & (length >= 6) & ascii_line)
    may[unended] = np.fromiter(map(text.count, repeat(" "), start[unended].tolist(), end[unended].tolist()),
                               dtype=np.int64, count=len(unended)) >= 4
    # a chrome or caption line: a menu ("|", no sentence end), the pattern's first two letters, a credit at the end
    drop, credit = story_signatures._line_patterns()
    menus = np.flatnonzero(may & ~ends)
    may[menus[np.fromiter(map(text.find, repeat("|"), start[menus].tolist(), end[menus].tolist()),
                          dtype=np.int64, count=len(menus)) >= 0]] = False
    last = len(b) - 1
    second = np.where(length >= 2, b[np.minimum(start + 1, last)], ord(" "))
    tried = np.flatnonzero(may & story_signatures._PAIRS[b[np.minimum(start, last)] & 127, second & 127])
    found = map(drop.match, repeat(text), start[tried].tolist(), end[tried].tolist())
    may[tried[np.fromiter(map(bool, found), dtype=bool, count=len(tried))]] = False
    marks = np.flatnonzero((b == ord("/")) | (b == ord("(")))
    if len(marks):  # a credit ends the line, with a "/" or "(" in its last 40 characters
        before = np.searchsorted(marks, end) - 1  # each line's last "/" or "(" before its end
        tail = np.maximum(start, end - 40)
        tails = np.flatnonzero(may & (before >= 0) & (marks[np.maximum(before, 0)] >= tail))
        found = map(credit.search, repeat(text), tail[tails].tolist(), end[tails].tolist())
        may[tails[np.fromiter(map(bool, found), dtype=bool, count=len(tails))]] = False
    # the headline: a line equal to it once spaces are collapsed and both lowercased (an ASCII line is then at
    # least as long as it), and at most 8 longer (as in clean_text)
    heads = list(map(str.lower, map(" ".join, map(str.split, titles))))
    owner = np.repeat(np.arange(len(titles)), np.diff(np.append(firsts, total)))
    head_len = np.fromiter(map(len, heads), dtype=np.int64, count=len(heads))[owner]
    near = np.flatnonzero(may & (head_len > 0) & (length >= head_len) & (length <= head_len + 8))
    lines = map(text.__getitem__, map(slice, start[near].tolist(), end[near].tolist()))
    same = map(str.__eq__, map(str.lower, map(" ".join, map(str.split, lines))),
               map(heads.__getitem__, owner[near].tolist()))
    may[near[np.fromiter(same, dtype=bool, count=len(near))]] = False
    return story_signatures.kept_paragraph_lines(may, length, ends, firsts)


#: Whitespace at a line's edge is stepped over this many characters with array work, the rest by str.strip.
_STEPS = 8


def _strip(text: str, b: np.ndarray, start: np.ndarray, end: np.ndarray, ascii_line: np.ndarray) -> None:
    """Move each ASCII line's bounds past the whitespace str.strip takes off (in place)."""
    last = len(b) - 1
    front = np.flatnonzero(ascii_line & (start < end) & _SPACE[b[np.minimum(start, last)]])
    back = np.flatnonzero(ascii_line & (start < end) & _SPACE[b[end - 1]])
    for _ in range(_STEPS):  # indents and trailing spaces are short: a few steps over the lines that have them
        start[front] += 1
        front = front[(start[front] < end[front]) & _SPACE[b[np.minimum(start[front], last)]]]
        back = back[start[back] < end[back]]
        end[back] -= 1
        back = back[(start[back] < end[back]) & _SPACE[b[end[back] - 1]]]
    for rows, step in ((front, str.lstrip), (back, str.rstrip)):  # a long run of whitespace: str.strip's own loop
        if len(rows):
            lines = list(map(text.__getitem__, map(slice, start[rows].tolist(), end[rows].tolist())))
            cut = np.fromiter(map(len, lines), dtype=np.int64, count=len(rows)) - \
                np.fromiter(map(len, map(step, lines)), dtype=np.int64, count=len(rows))
            if step is str.lstrip:
                start[rows] += cut
            else:
                end[rows] -= cut
