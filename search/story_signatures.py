"""Story signatures: near-duplicate signatures of article bodies (search/stories.py groups articles by them).

A signature is a MinHash sketch of the set of 5-shingles of an article's body, with the headline, chrome lines
(share/follow/copyright lines, short navigation lines) and picture captions left out, so that the same wire copy
republished under another outlet's chrome and headline has the same shingles. A shingle is five words as the index
analyses them (search/analysis.py): a word the index keeps as its term (folded, stemmed), one it drops (a stop
word, a single character) as its folded form. Words as the index analyses them, not the text's words: a rebuild's
analysis has found them already, and its workers sign those (search/story_words.py) instead of splitting the text
again. The sketch is made by one-permutation hashing (each shingle hashed once, the hash's top bits choose one of K
bins, the bin keeps its smallest value) with rotation densification for bins no shingle fell in (Shrivastava and
Li, 2014): O(shingles), not O(shingles x K).
"""
from __future__ import annotations

import functools
import re
from itertools import chain, compress, repeat
from operator import itemgetter

import numpy as np

from search import analysis

#: Bins of a signature (uint32 each).
K = 128
#: Words per shingle.
SHINGLE = 5
#: How signatures are made, recorded in the file: one made another way is thrown away and made again from the
#: index by the next sync (2: shingles of words as the index analyses them; 1, or none recorded: of the text's
#: lowercase words).
SIGNATURE_FORMAT = 2

_EMPTY = np.uint32(0xFFFFFFFF)
_VALUE_BITS = 24
_MASK64 = (1 << 64) - 1
_P = np.uint64(0x100000001B3)  # FNV prime: odd, so it has an inverse modulo 2**64
_P_INV = np.uint64(pow(0x100000001B3, -1, 1 << 64))
_MIX = [np.uint64(c) for c in (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0x27D4EB2F165667C5,
                               0x85EBCA77C2B2AE63)]

_CAPTION = (
    r"(?:image|media|photo|picture|video)\s*(?:caption|copyright|credit)|(?:photo|photograph|picture|caption|image"
    r"|file photo|pictured)\s*[:|/-]|\(?(?:afp|reuters|ap|getty|epa)(?: images)?\s*photo|getty images")
#: A picture credit at the end of a caption line ("... in Idlib. / AFP", "... REUTERS/Khalil Ashawi").
_CREDIT = r"(?:/\s*(?:afp|reuters|ap|epa|getty images)\s*|reuters/[\w .-]*|\((?:afp|reuters|ap) photo\))$"
_CHROME = (
    r"(share|tweet|e-?mail|print|comment|follow|subscribe|sign up|newsletter|advertisement|advert|sponsored|related"
    r"|read more|read also|also read|see also|more from|recommended|click here|copyright|\u00a9|all rights reserved"
    r"|\(?(reporting|writing|editing|additional reporting|compiled) by)\b")
_SENTENCE_END = frozenset(".!?\"'\u201d\u2019)")


@functools.cache
def _line_patterns() -> tuple[re.Pattern, re.Pattern]:
    """(a chrome or caption line, a credit at a line's end), compiled when indexing first needs them: a sync
    that changes nothing imports this module and never runs them."""
    return re.compile(f"(?:{_CHROME})|(?:{_CAPTION})", re.I), re.compile(_CREDIT, re.I)


def clean_text(body: str, title: str = "") -> str:
    """The body as the signature sees it: without the headline, chrome lines and captions, lowercased.

    A line that starts a paragraph is dropped when it is the headline, a chrome or caption line, or shorter than
    five words without ending a sentence (navigation, "Share", "Tweet"); the lines that continue a hard-wrapped
    paragraph are kept whole."""
    title = " ".join(title.split()).lower()
    longest = len(title) + 8
    drop, credit = _line_patterns()
    kept: list[str] = []
    open_line = False  # the previous kept line did not end a sentence: this one continues it
    for line in body.split("\n"):
        text = line.strip()
        if not text:
            open_line = False
        elif open_line:
            kept.append(text)
            open_line = text[-1] not in _SENTENCE_END
        elif ((title and len(text) <= longest and " ".join(text.split()).lower() == title)
              or drop.match(text) or _credited(text, credit)
              or ("|" in text and text[-1] not in _SENTENCE_END)):  # a breadcrumb or menu: "Home | World"
            continue
        elif text.count(" ") >= 4 or text[-1] in _SENTENCE_END:
            kept.append(text)
            open_line = text[-1] not in _SENTENCE_END
    return "\n".join(kept).lower()


#: The first two characters a line must have, ignoring case, for the chrome and caption pattern to match it: each
#: of its alternatives starts with one of these (a test derives them from the pattern), or with a non-ASCII
#: character ("\u00a9"), and a line with one of those among its first two is always tried.
_PREFIXES = ("(a", "(c", "(e", "(g", "(r", "(w", "ad", "af", "al", "ap", "ca", "cl", "co", "e-", "ed", "em", "ep",
             "fi", "fo", "ge", "im", "me", "mo", "ne", "ph", "pi", "pr", "re", "se", "sh", "si", "sp", "su", "tw",
             "vi", "wr")
_PAIRS = np.zeros((128, 128), dtype=bool)
for _a, _b in _PREFIXES:
    _PAIRS[np.ix_([ord(_a), ord(_a.upper())], [ord(_b), ord(_b.upper())])] = True
_ENDINGS = tuple(_SENTENCE_END)


def clean_texts(bodies: list[str], titles: list[str]) -> list[str]:
    """[clean_text(body, title) ...] of many articles, with per-line work done by C loops (str methods mapped over
    all lines, numpy over their flags) instead of a Python loop per line: the same texts."""
    if not bodies:
        return []
    lines, kept, firsts, _ = _kept_lines(bodies, titles)
    kept_lines = list(compress(lines, kept.tolist()))
    bounds = [0] + np.cumsum(np.add.reduceat(kept, firsts, dtype=np.int64)).tolist()
    return ["\n".join(kept_lines[a:b]).lower() for a, b in zip(bounds[:-1], bounds[1:])]


def _kept_lines(bodies: list[str], titles: list[str]) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(every stripped line of the bodies, whether clean_text keeps it, each body's first line, each line's
    length)."""
    n = len(bodies)
    split = list(map(str.split, bodies, repeat("\n")))
    counts = np.fromiter(map(len, split), dtype=np.int64, count=n)
    firsts = np.cumsum(counts) - counts  # each article's first line
    lines = list(map(str.strip, chain.from_iterable(split)))
    total = len(lines)
    length = np.fromiter(map(len, lines), dtype=np.int64, count=total)
    ends = np.fromiter(map(str.endswith, lines, repeat(_ENDINGS)), dtype=bool, count=total)
    # may start a paragraph: ends a sentence, or has four spaces (then six characters at least)
    may = ends.copy()
    unended = np.flatnonzero(~ends & (length >= 6))
    if len(unended):
        may[unended] = np.fromiter(map(str.count, compress(lines, (~ends & (length >= 6)).tolist()), repeat(" ")),
                                   dtype=np.int64, count=len(unended)) >= 4
    starts = np.flatnonzero(may)
    if len(starts):
        may[starts[_dropped(list(compress(lines, may.tolist())), length[starts], ends[starts])]] = False
        art = np.repeat(np.arange(n), counts)[starts]
        heads = list(map(str.lower, map(" ".join, map(str.split, titles))))
        head_len = np.fromiter(map(len, heads), dtype=np.int64, count=n)[art]
        # a line equals its headline once its spaces are collapsed and it is lowercased (a character lowers to three
        # at most), and is at most 8 longer (as in clean_text)
        near = np.flatnonzero((head_len > 0) & (3 * length[starts] >= head_len) & (length[starts] <= head_len + 8))
        if len(near):
            lined = starts[near]
            normal = map(str.lower, map(" ".join, map(str.split, map(lines.__getitem__, lined.tolist()))))
            same = map(str.__eq__, normal, map(heads.__getitem__, art[near].tolist()))
            may[lined[np.fromiter(same, dtype=bool, count=len(near))]] = False
    return lines, kept_paragraph_lines(may, length, ends, firsts), firsts, length


def kept_paragraph_lines(may: np.ndarray, length: np.ndarray, ends: np.ndarray, firsts: np.ndarray) -> np.ndarray:
    """Which lines a signature keeps: a line continues the one before it (in its article) when that one is not blank
    and did not end a sentence, and is kept when it or a line before it in its chain of continued lines `may` start
    a paragraph."""
    total = len(may)
    link = np.zeros(total, dtype=bool)
    link[1:] = (length[1:] > 0) & (length[:-1] > 0) & ~ends[:-1]
    link[firsts] = False
    at = np.arange(total)
    run_start = np.maximum.accumulate(np.where(link, 0, at))
    return np.maximum.accumulate(np.where(may, at, -1)) >= run_start


def _dropped(lines: list[str], length: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """bool per line that may start a paragraph (of `length` characters, `ends` a sentence): it is a chrome or
    caption line, ends with a picture credit, or is a breadcrumb or menu (a "|" and no sentence end): clean_text's
    tests but the headline."""
    drop, credit = _line_patterns()
    out = np.zeros(len(lines), dtype=bool)
    unended = np.flatnonzero(~ends)
    if len(unended):
        out[unended] = np.fromiter(map(str.__contains__, [lines[i] for i in unended.tolist()], repeat("|")),
                                   dtype=bool, count=len(unended))
    # the pattern runs only on lines whose first two characters may start a match (a line of one is padded)
    two = map(itemgetter(slice(0, 2)), lines)
    two = "".join(map(str.ljust, two, repeat(2)) if (length == 1).any() else two)
    code = np.frombuffer(two.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).reshape(-1, 2)
    test = np.flatnonzero((code >= 128).any(axis=1) | _PAIRS[code[:, 0] & 127, code[:, 1] & 127])
    if len(test):
        out[test] |= np.fromiter(map(bool, map(drop.match, map(lines.__getitem__, test.tolist()))), dtype=bool,
                                 count=len(test))
    # a credit has a "/" or "(" in the line's last 40 characters
    tail = np.maximum(length - 40, 0)
    slash = np.fromiter(map(str.rfind, lines, repeat("/")), dtype=np.int64, count=len(lines)) >= tail
    slash |= np.fromiter(map(str.rfind, lines, repeat("(")), dtype=np.int64, count=len(lines)) >= tail
    for k in np.flatnonzero(slash & ~out).tolist():
        out[k] = _credited(lines[k], credit)
    return out


def _credited(text: str, credit: re.Pattern) -> bool:
    """Whether the line ends with a picture credit; every credit has a "/" or "(" in the last 40 characters, which
    rules out most lines before the pattern runs."""
    tail = text[-40:]
    return ("/" in tail or "(" in tail) and credit.search(text, max(0, len(text) - 40)) is not None


def _fmix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finaliser, so that every bit of a hash depends on every bit of its input (in place)."""
    t = h >> np.uint64(33)
    h ^= t
    h *= np.uint64(0xFF51AFD7ED558CCD)
    np.right_shift(h, np.uint64(33), out=t)
    h ^= t
    h *= np.uint64(0xC4CEB93FE53E4CE3)
    np.right_shift(h, np.uint64(33), out=t)
    h ^= t
    return h


_POWERS: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []


def _powers(n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(P**(i+1), P**-(i+1), the sum of P**(j+1) for j < i) for i < n modulo 2**64, computed once per process and
    grown by doubling."""
    if not _POWERS or len(_POWERS[0][0]) < n:
        size = max(1 << 18, 1 << (n - 1).bit_length())
        powers, inverse = _geometric(_P, size), _geometric(_P_INV, size)
        summed = np.zeros(size + 1, dtype=np.uint64)
        with np.errstate(over="ignore"):
            np.cumsum(powers, out=summed[1:])
        _POWERS[:] = [(powers, inverse, summed)]
    return _POWERS[0]


def _geometric(base: np.uint64, size: int) -> np.ndarray:
    """base**(i+1) modulo 2**64 for i < size (a power of two), by doubling: a cumulative product is a chain of
    dependent multiplications, this is log2(size) vector ones."""
    out = np.empty(size, dtype=np.uint64)
    out[0] = base
    k = 1
    with np.errstate(over="ignore"):
        while k < size:
            np.multiply(out[:k], out[k - 1], out=out[k:2 * k])
            k *= 2
    return out


def _string_hashes(blob: bytes, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each string blob[starts[i]:ends[i]], by polynomial prefix sums over the blob: the sum of
    (byte + 1) * P**k over its bytes, xor its length, finalised; no Python per string."""
    b = np.frombuffer(blob, dtype=np.uint8)
    n = len(b)
    if not len(starts):
        return np.zeros(0, np.uint64)
    powers, inverse, summed = _powers(n + 1)
    prefix = np.empty(n + 1, dtype=np.uint64)
    prefix[0] = 0
    with np.errstate(over="ignore"):
        np.multiply(b, powers[:n], out=prefix[1:], dtype=np.uint64)
        np.cumsum(prefix[1:], out=prefix[1:])
        # sum over the string of (byte+1) * P**(i - start + 1): the same value wherever the string stands
        h = (prefix[ends] - prefix[starts] + summed[ends] - summed[starts]) * inverse[starts]
        h ^= (ends - starts).astype(np.uint64)
        return _fmix(h)


def term_hashes(terms: list[bytes], skip: int = 0) -> np.ndarray:
    """The hash of each UTF-8 term, its first `skip` bytes left out (a vocabulary key's field byte)."""
    lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms))
    ends = np.cumsum(lengths)
    return _string_hashes(b"".join(terms), np.minimum(ends - lengths + skip, ends), ends)


@functools.lru_cache(maxsize=1 << 18)
def _term_key(word: str) -> bytes:
    """What a signature takes a raw word for: its UTF-8 index term, or dropped_key(word) when the index drops it."""
    term = analysis.term_for(word)
    return term.encode("utf-8", "surrogatepass") if term else dropped_key(word)


def dropped_key(word: str) -> bytes:
    """A word the index drops (a stop word, a single character, an over-long word) as a signature takes it: its
    folded form after a byte no term has, so that "day 1" and "day 2" or "of" and "on" stay apart; a word longer than
    any term as a digest of it (hashing a 4 MB "word" whole would size the hash's table of powers to it)."""
    folded = analysis.fold(word).encode("utf-8", "surrogatepass")
    if len(folded) > _LONGEST_DROPPED:
        import hashlib  # here: a query never signs a text, and hashlib would cost every command line its import
        return b"\x02" + hashlib.blake2b(folded, digest_size=16).digest()
    return b"\x01" + folded


#: Dropped words longer than this many UTF-8 bytes (a term's most) are taken as a 16-byte digest.
_LONGEST_DROPPED = 4 * analysis.MAX_TOKEN_CHARS


def sketch(hashes: np.ndarray, per_text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signatures uint32[n, K], shingle counts uint32[n], exact hashes uint64[n]) of texts given as the hashes of
    their terms, text after text, and the terms of each text.

    Shingles are counted as they occur (a repeated one counts again): the count only decides MIN_SHINGLES."""
    n = len(per_text)
    spare = np.full((n + 1, K), _EMPTY, dtype=np.uint32)  # a row more, where shingles spanning two texts go
    sigs = spare[:n]
    counts = np.zeros(n, dtype=np.uint32)
    exact = np.zeros(n, dtype=np.uint64)
    words = hashes
    if not n or not len(words):
        return sigs, counts, exact
    per_text = np.asarray(per_text, dtype=np.int64)
    first = np.cumsum(per_text) - per_text  # each text's first term
    has_words = np.flatnonzero(per_text)
    with np.errstate(over="ignore"):
        # exact copies: a hash of the word sequence (order-dependent), per text
        position = np.arange(len(words), dtype=np.uint64)
        position -= np.repeat(first[has_words].astype(np.uint64), per_text[has_words])
        position *= np.uint64(0xD6E8FEB86659FD93)
        position += words
        exact[has_words] = np.add.reduceat(_fmix(position), first[has_words])
        m = len(words) - SHINGLE + 1
        if m <= 0:
            return sigs, counts, exact
        shingle = words[:m] * _MIX[0]
        step = np.empty(m, dtype=np.uint64)
        for j in range(1, SHINGLE):
            np.multiply(words[j:j + m], _MIX[j], out=step)
            shingle += step
        shingle = _fmix(shingle)
    counts[:] = np.maximum(per_text - (SHINGLE - 1), 0)
    # each shingle's place in the flat signatures: its text's row, the bin its top bits choose (K == 2**7)
    at = (shingle >> np.uint64(64 - 7)).view(np.int64)
    at += np.repeat(np.arange(0, n * K, K, dtype=np.int64), per_text)[:m]
    ends = first + per_text
    for d in range(1, SHINGLE):  # the shingles starting in a text's last SHINGLE - 1 terms span the next
        spans = ends - d
        at[spans[(spans >= first) & (spans < m)]] = n * K
    values = (shingle >> np.uint64(8)).astype(np.uint32)
    values &= np.uint32((1 << _VALUE_BITS) - 1)
    # a shingle repeated within a text changes no minimum, so the set needs no deduplication
    np.minimum.at(spare.reshape(-1), at, values)
    return _densify(sigs), counts, exact


def _signed_words(words: list[str], per_text: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sketch of texts given as their raw words, text after text, and the words of each text: each word taken as
    _term_key says, the batch's distinct keys hashed once."""
    keys = list(map(_term_key, words))
    distinct = list(dict.fromkeys(keys))
    number = dict(zip(distinct, range(len(distinct))))
    hashes = term_hashes(distinct)[np.fromiter(map(number.__getitem__, keys), dtype=np.int64, count=len(keys))]
    return sketch(hashes, np.asarray(per_text, dtype=np.int64))


def signatures(texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signatures uint32[n, K], shingle counts uint32[n], exact-text hashes uint64[n]) of texts taken whole: the
    MinHash of the 5-shingles of their index terms."""
    per = list(map(analysis.WORD_RE.findall, texts))
    return _signed_words(list(chain.from_iterable(per)),
                         np.fromiter(map(len, per), dtype=np.int64, count=len(per)))


def signature_terms(body: str, title: str = "") -> list[bytes]:
    """What an article's signature shingles, in order: _term_key of each word of the lines clean_text keeps (a
    reference, one article at a time)."""
    lines, kept, _, _ = _kept_lines([body], [title])
    return [_term_key(w) for w in analysis.WORD_RE.findall("\n".join(compress(lines, kept.tolist())))]


def _densify(sigs: np.ndarray) -> np.ndarray:
    """Fill each empty bin from the next non-empty bin to its right (circularly), marked by the distance."""
    empty = sigs == _EMPTY
    rows = np.flatnonzero(empty.any(axis=1) & ~empty.all(axis=1))
    if not len(rows):
        return sigs
    sub = sigs[rows]
    hole = empty[rows]
    # the nearest filled bin at or after each bin, over the row twice (circularly): each bin's number where it is
    # filled, 255 where not; a row has a filled bin, so the nearest to a bin of the first copy is at most 2K - 2
    # and 255 never wins for one of them
    nearest = np.empty((len(rows), 2 * K), dtype=np.uint8)
    blank = hole.view(np.uint8) * np.uint8(255)
    numbers = np.arange(2 * K, dtype=np.uint8)
    np.bitwise_or(blank, numbers[:K], out=nearest[:, :K])
    np.bitwise_or(blank, numbers[K:], out=nearest[:, K:])
    step = 1
    while step < K:  # the minimum over [j, j + 2 * step) from two over [j, j + step): whole columns at a time
        np.minimum(nearest[:, :2 * K - step], nearest[:, step:], out=nearest[:, :2 * K - step])
        step *= 2
    nearest = nearest[:, :K]
    holes = np.flatnonzero(hole)  # flat positions in sub
    column = holes & (K - 1)
    distance = nearest.reshape(-1)[holes].astype(np.int64) - column
    flat = sub.reshape(-1)
    flat[holes] = flat[holes - column + ((column + distance) & (K - 1))] | \
        (distance.astype(np.uint32) << np.uint32(_VALUE_BITS))
    sigs[rows] = sub
    return sigs


def _signed_articles(bodies: list[str], titles: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """sketch of articles whose words are found here: WORD_RE over the lines clean_text keeps."""
    lines, kept, firsts, _ = _kept_lines(bodies, titles)
    per_line = list(map(analysis.WORD_RE.findall, compress(lines, kept.tolist())))
    line_words = np.fromiter(map(len, per_line), dtype=np.int64, count=len(per_line))
    owner = np.repeat(np.arange(len(bodies)), np.diff(np.append(firsts, len(lines))))[kept]
    return _signed_words(list(chain.from_iterable(per_line)),
                         np.bincount(owner, weights=line_words, minlength=len(bodies)).astype(np.int64))
