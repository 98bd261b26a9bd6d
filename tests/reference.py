"""Plainer, slower implementations the faster ones must equal: the line-by-line reflow (search/paragraphs.py) and
the split-and-rejoin front matter reader (search/articles.py), as they were before the rebuild was made faster."""
from __future__ import annotations

from search import metadata
from search.articles import _KEY_VALUE, FRONT_MATTER_LINE_MAX
from search.paragraphs import (_DIGIT, _LIST_ITEM, _SENTENCE_END, _TABLE, FULL_LINE, MAX_WIDTH, MIN_RUN_ON,
                               MIN_WIDTH, WIDTH_PERCENTILE)


def _width(lengths: list[int]) -> int:
    """The WIDTH_PERCENTILE of the lengths, by counting (linear; lengths past MAX_WIDTH count as one bucket)."""
    counts = [0] * (MAX_WIDTH + 2)
    for n in lengths:
        counts[min(n, MAX_WIDTH + 1)] += 1
    want, seen = WIDTH_PERCENTILE * len(lengths), 0
    for n, c in enumerate(counts):
        seen += c
        if seen >= want:
            return n
    return MAX_WIDTH + 1


def is_hard_wrapped(text: str) -> bool:
    """True when the text's lines are wrapped at a fixed width (see the module's docstring)."""
    return _wrap_width(text.split("\n")) is not None


def _wrap_width(lines: list[str]) -> int | None:
    """The width the lines are wrapped at, or None when they are not hard-wrapped."""
    lengths = [len(line.rstrip()) for line in lines if line.strip()]
    if len(lengths) < MIN_RUN_ON + 1:
        return None
    width = _width(lengths)
    if not MIN_WIDTH <= width <= MAX_WIDTH:
        return None
    run_on = full = mid_sentence = 0
    for line, nxt in zip(lines, lines[1:]):
        line = line.rstrip()
        if not line.strip() or not nxt.strip():
            continue
        run_on += 1
        if len(line) >= FULL_LINE * width:
            full += 1
            mid_sentence += line[-1] not in _SENTENCE_END
    return width if run_on >= MIN_RUN_ON and full >= 0.5 * run_on and mid_sentence >= 0.5 * full else None


def _keeps_line(line: str) -> bool:
    """A list item, a table row or a date line: kept on a line of its own."""
    # a list item or a table row is a short line: looking at its start keeps the work linear in the text
    head = line[:2 * MAX_WIDTH]
    stripped = head.strip()
    if _LIST_ITEM.match(head) or _TABLE.search(stripped):
        return True
    # a date line names at least a month: a bare year ("1986.") is the end of a wrapped sentence
    # (every date format names a year, so a line without a digit is no date line)
    return (len(stripped) <= 40 and _DIGIT.search(stripped) is not None
            and len(metadata.normalize_date(stripped) or "") >= 7)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def reflow(text: str) -> str:
    """The text with hard-wrapped lines rejoined into paragraphs, one per line; unchanged if not hard-wrapped."""
    lines = text.split("\n")
    width = _wrap_width(lines)
    if width is None:
        return text
    out: list[str] = []
    full = FULL_LINE * width
    prev = ""  # the previous physical line, "" after a blank one
    prev_kept = False
    for raw in lines:
        line = raw.rstrip()
        if not line or line.isspace():
            out.append("")
            prev, prev_kept = "", False
            continue
        # whether a line is kept on its own only matters when it could join the line before, or be joined by the
        # next one (it is full): the costlier checks of _keeps_line are skipped for every other line
        may_join = bool(prev) and not prev_kept and len(prev) >= full and _indent(line) <= _indent(prev)
        kept = _keeps_line(line) if may_join or len(line) >= full else False
        if may_join and not kept:
            body = line.lstrip()
            last = out[-1]
            if last.endswith("-") and len(last) > 1 and last[-2].isalpha() and body[:1].islower():
                out[-1] = last + body  # a word hyphenated at the line's end
            else:
                out[-1] = last + " " + body
        else:
            out.append(line)
        prev, prev_kept = line, kept
    return "\n".join(out)


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` / `key: value` lines / `---` block off the text; ({}, text) when there is none."""
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n", 60)
    if lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:60], start=1):
        if len(line) > FRONT_MATTER_LINE_MAX:
            return {}, text  # no metadata line is that long: this is text
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[i + 1:]) if i + 1 < len(lines) else ""
        if not line.strip():
            continue
        m = _KEY_VALUE.fullmatch(line.rstrip("\r"))
        if not m:
            return {}, text  # not a metadata block after all: keep the text whole
        meta.setdefault(m.group(1), m.group(2).strip().strip("\"'"))
    return {}, text
