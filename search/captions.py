"""Rule "caption": a line that ends with a photo credit. Small on purpose: snippets import it on every query."""
from __future__ import annotations

import re

from search.outlets import OUTLET_ALT as _OUTLET_ALT

_WS = re.compile(r"\s+")


def _collapse(text: str) -> str:
    return _WS.sub(" ", text).strip()


_CREDIT = re.compile(
    rf"(?:^|\s)/\s*(?P<outlet>{_OUTLET_ALT})\s*/\s*[A-Z][\w.'\u2019-]*(?:\s+[\w.'\u2019-]+){{0,4}}\s*\)?$"
    rf"|\b(?P<outlet2>AFP|AP|Reuters|REUTERS|Xinhua|Anadolu)\s+(?i:photo)\s*/"
    rf"|\b(?i:photo|picture|image)(?:\s+(?i:credit))?\s*:\s*(?P<outlet3>AFP|AP|Reuters|REUTERS|Xinhua|Anadolu)\s*\)?$"
    rf"|\b(?i:photo|picture)\s+by\s+[^/()\n]{{2,60}}?\s*/\s*(?P<outlet4>AFP|AP|Xinhua|Anadolu)\s*\)?$")

_POOL_CREDIT = re.compile(r"\b(?i:pool)(?:\s+(?i:photo))?\s+(?i:via)\s+(?:AFP|AP|Reuters|REUTERS|Xinhua|Anadolu)\s*\)?$")
CREDIT_TAIL = 200   # a credit is looked for in the last CREDIT_TAIL characters of a line


def may_hold_credit(text: str) -> bool:
    """Whether text has what every credit has: a "/", a ":" or a "via" (most lines have none)."""
    return "/" in text or ":" in text or "via" in text.lower()


def is_photo_credit(line: str) -> bool:
    """Rule "caption": the line ends with a photo credit ("... / AFP / Delil SOULEIMAN", "Pool via REUTERS")."""
    line = line[-4 * CREDIT_TAIL:]
    # collapsing white space never makes a "/", a ":" or a word: most lines are out before the regex work
    if not (_has_credit_words(line) if line.isascii() else may_hold_credit(line)):
        return False
    tail = _collapse(line.strip().rstrip("\\"))[-CREDIT_TAIL:]
    if not (_has_credit_words(tail) if tail.isascii() else may_hold_credit(tail)):
        return False
    return bool(_CREDIT.search(tail) or _POOL_CREDIT.search(tail))


def _has_credit_words(text: str) -> bool:
    """Whether an ASCII text has the fixed pieces one of the credit patterns needs (two "/", or a "/" or ":" with
    "photo", "picture" or "image", or "pool" and "via"): most lines with a "/" or ":" are out before the regexes.
    Only for ASCII: case-insensitive regexes also match a few non-ASCII letters (dotless i) that lower() keeps."""
    slashes = text.count("/")
    if slashes >= 2:
        return True
    low = text.lower()
    pictured = "photo" in low or "picture" in low
    if slashes and pictured:
        return True
    if ":" in text and (pictured or "image" in low):
        return True
    return "via" in low and "pool" in low
