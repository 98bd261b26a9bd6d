"""What one version of a story adds, drops or changes against another: a word-level diff by paragraph, as spans.

The engine returns data: each paragraph is a list of (text, kind) spans, kind "" (both have it), "ins" (only the
other version) or "del" (only this one). The faces mark them (the CLI with colour or +/- markers, the web through
the one renderer). Work is bounded: at most MAX_PARAGRAPHS paragraphs and MAX_WORDS words of each text are
compared, and a changed paragraph pair longer than MAX_PAIR_WORDS is shown as dropped and added whole, since
difflib's matching can be quadratic in a paragraph's words.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

MAX_PARAGRAPHS = 400
MAX_WORDS = 20_000
MAX_PAIR_WORDS = 1_500

Span = tuple[str, str]
_BLANK = re.compile(r"\n[ \t]*\n")
_WORD = re.compile(r"\S+")


@dataclass
class Paragraph:
    """One paragraph of the comparison: its kind ("", "ins", "del" or "changed") and its spans."""

    kind: str
    spans: list[Span]


@dataclass
class Comparison:
    """The diff of `other` against `base` and what it counts."""

    paragraphs: list[Paragraph]
    added_words: int
    dropped_words: int
    truncated: bool


def paragraphs(text: str) -> list[str]:
    """Paragraphs of an article: blocks between blank lines (hard-wrapped lines joined), else its lines."""
    text = text.replace("\r\n", "\n")
    blocks = _BLANK.split(text) if _BLANK.search(text) else text.split("\n")
    return [" ".join(b.split()) for b in blocks if b.strip()]


def _bounded(text: str) -> tuple[list[str], bool]:
    out, words, cut = [], 0, False
    for para in paragraphs(text):
        n = para.count(" ") + 1
        if len(out) >= MAX_PARAGRAPHS or words + n > MAX_WORDS:
            cut = True
            break
        out.append(para)
        words += n
    return out, cut


def compare(base: str, other: str) -> Comparison:
    """How `other` differs from `base`, paragraph by paragraph, word by word within changed paragraphs."""
    a, cut_a = _bounded(base)
    b, cut_b = _bounded(other)
    out: list[Paragraph] = []
    added = dropped = 0
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.extend(Paragraph("", [(p, "")]) for p in a[i1:i2])
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            old = olds[k] if k < len(olds) else None
            new = news[k] if k < len(news) else None
            if old is None:
                out.append(Paragraph("ins", [(new, "ins")]))
                added += new.count(" ") + 1
            elif new is None or not _alike(old, new):
                out.append(Paragraph("del", [(old, "del")]))
                dropped += old.count(" ") + 1
                if new is not None:
                    out.append(Paragraph("ins", [(new, "ins")]))
                    added += new.count(" ") + 1
            else:
                spans, plus, minus = _words(old, new)
                out.append(Paragraph("changed", spans))
                added, dropped = added + plus, dropped + minus
    return Comparison(out, added, dropped, cut_a or cut_b)


def _alike(old: str, new: str) -> bool:
    """True when two paragraphs share at least half their words in order: one edited, not one replaced."""
    ow, nw = old.split(), new.split()
    if len(ow) > MAX_PAIR_WORDS or len(nw) > MAX_PAIR_WORDS:
        return False
    matcher = difflib.SequenceMatcher(None, ow, nw, autojunk=False)
    return matcher.real_quick_ratio() >= 0.5 and matcher.quick_ratio() >= 0.5 and matcher.ratio() >= 0.5


def _words(old: str, new: str) -> tuple[list[Span], int, int]:
    """Word-level spans of a changed paragraph (whitespace kept with the words), and words added and dropped."""
    ow, nw = _WORD.findall(old), _WORD.findall(new)
    if len(ow) > MAX_PAIR_WORDS or len(nw) > MAX_PAIR_WORDS:
        return [(old, "del"), (" ", ""), (new, "ins")], len(nw), len(ow)
    spans: list[Span] = []
    plus = minus = 0
    matcher = difflib.SequenceMatcher(None, ow, nw, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            _add(spans, " ".join(ow[i1:i2]), "")
            continue
        if i2 > i1:
            _add(spans, " ".join(ow[i1:i2]), "del")
            minus += i2 - i1
        if j2 > j1:
            _add(spans, " ".join(nw[j1:j2]), "ins")
            plus += j2 - j1
    return spans, plus, minus


def _add(spans: list[Span], text: str, kind: str) -> None:
    if spans:
        spans.append((" ", ""))
    spans.append((text, kind))


def plain(comparison: Comparison) -> str:
    """The comparison as text with markers, for a pipe: "+ " added, "- " dropped, "~ " changed paragraphs, and
    within a changed one [-dropped words-] and {+added words+} (as git's --word-diff=plain)."""
    lines = []
    for para in comparison.paragraphs:
        marker = {"": "  ", "ins": "+ ", "del": "- ", "changed": "~ "}[para.kind]
        if para.kind == "changed":
            text = "".join(f"[-{t}-]" if k == "del" else f"{{+{t}+}}" if k == "ins" else t for t, k in para.spans)
        else:
            text = "".join(t for t, _ in para.spans)
        lines.append(marker + text)
    return "\n".join(lines)


def coloured(comparison: Comparison, style) -> str:
    """The comparison for a terminal: added words green, dropped words red and struck through; `style` is
    click.style (the engine does not import click)."""
    lines = []
    for para in comparison.paragraphs:
        marker = {"": "  ", "ins": "+ ", "del": "- ", "changed": "~ "}[para.kind]
        text = "".join(style(t, fg="green", underline=True) if k == "ins" else
                       style(t, fg="red", strikethrough=True) if k == "del" else t for t, k in para.spans)
        lines.append(marker + text)
    return "\n".join(lines)


def compare_articles(engine, base_id: str, other_id: str):
    """(base Article, other Article, Comparison) of two indexed articles; ArticleNotFound for an unknown id."""
    base, other = engine.get(base_id), engine.get(other_id)
    return base, other, compare(base.body, other.body)
