r"""Every regular expression run over article text is linear, checked by structure, not by a timer.

Two checks, over every compiled pattern of search/articles.py, search/metadata.py and search/captions.py:
1. shape: no unbounded repeat inside another unbounded repeat (the shape of catastrophic backtracking), no two
   unbounded repeats side by side that can match the same character (the quadratic shape: `(.*?)\s*$` once made
   a front-matter line of white space take 28.6 s for 80 KB), and the patterns that may see a whole text are a
   repeat of one character class (one pass, nothing to retry);
2. input: each rule is fed 1 MiB adversarial texts built against it, and a recording stand-in for every pattern
   checks what it was run over: the whole-text patterns above, every other one at most LINE_BOUND characters
   a call, and all of them together a bounded number of characters. A pattern that is quadratic in its input
   is then quadratic in a bounded number, whatever the file holds.
"""
from __future__ import annotations

import re
from re import _compiler as sre_compile
from re import _constants as sre_constants
from re import _parser as sre_parse

import pytest

from search import articles, captions, metadata

MIB = 1 << 20
#: The most characters any line-level pattern may be run over in one call.
LINE_BOUND = max(metadata.SOURCE_HEAD_CHARS, articles.FRONT_MATTER_LINE_MAX) + 64
#: The most characters all line-level patterns together may be run over for one text.
TOTAL_BOUND = 4 * MIB
#: Patterns allowed to run over a whole text or value: one character class, repeated (checked by shape below).
WHOLE_TEXT = {("metadata", "_WS"), ("captions", "_WS"), ("articles", "_CONTROL"), ("articles", "_CONTROL_NAME")}


def module_patterns():
    """(module name, attribute, pattern) of every compiled pattern the three modules hold (tuples included)."""
    for module in (articles, metadata, captions):
        name = module.__name__.rsplit(".", 1)[1]
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield name, attr, value
            elif isinstance(value, tuple) and value and all(
                    isinstance(v, re.Pattern) or (isinstance(v, tuple) and any(isinstance(x, re.Pattern) for x in v))
                    for v in value):
                yield name, attr, value


def _flat(value):
    if isinstance(value, re.Pattern):
        return [value]
    return [p for v in value for p in _flat(v if isinstance(v, (tuple, re.Pattern)) else ())]


def _unbounded(op, av) -> bool:
    return op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT) \
        and av[1] == sre_constants.MAXREPEAT


def nested_unbounded(tree, inside=False) -> list[str]:
    """Descriptions of unbounded repeats found inside another unbounded repeat."""
    found = []
    for op, av in tree:
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT):
            here = _unbounded(op, av)
            if here and inside:
                found.append(str(op))
            found += nested_unbounded(av[2], inside or here)
        elif op == sre_constants.SUBPATTERN:
            found += nested_unbounded(av[3], inside)
        elif op == sre_constants.BRANCH:
            for branch in av[1]:
                found += nested_unbounded(branch, inside)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found += nested_unbounded(av[1], inside)
        elif op == sre_constants.ATOMIC_GROUP:
            found += nested_unbounded(av, inside)
    return found


ALL = [(m, a, p) for m, a, value in module_patterns() for p in _flat(value)]


def test_the_patterns_are_all_found():
    names = {(m, a) for m, a, _ in ALL}
    assert {("articles", "_KEY_VALUE"), ("metadata", "_CREDIT"), ("metadata", "_OUTLET_RES"),
            ("metadata", "_DATE_FORMATS"), ("metadata", "_MD_LINK")} <= names
    assert len(ALL) > 40


@pytest.mark.parametrize("module,attr,pattern", ALL, ids=[f"{m}.{a}" for m, a, _ in ALL])
def test_no_pattern_nests_unbounded_repeats(module, attr, pattern):
    assert not nested_unbounded(sre_parse.parse(pattern.pattern, pattern.flags)), pattern.pattern


_SAMPLE = [chr(c) for c in range(0x250)] + list("\u2013\u2014\u2019\u201c\u201d\u2003\u3000")
_SINGLE = (sre_constants.IN, sre_constants.LITERAL, sre_constants.NOT_LITERAL, sre_constants.ANY,
           sre_constants.CATEGORY)


def _chars(node, flags) -> frozenset[str]:
    """The characters (of a sample of Latin, punctuation and spaces) one single-character node matches."""
    sub = sre_parse.SubPattern(sre_parse.State(), [node])
    sub.state.flags = flags
    rx = sre_compile.compile(sub, flags)
    return frozenset(ch for ch in _SAMPLE if rx.fullmatch(ch))


def _flatten(seq):
    out = []
    for op, av in seq:
        out += _flatten(av[3]) if op == sre_constants.SUBPATTERN else [(op, av)]
    return out


def _repeated_char(item):
    op, av = item
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT) and av[1] == sre_constants.MAXREPEAT:
        body = _flatten(av[2])
        if len(body) == 1 and body[0][0] in _SINGLE:
            return body[0]
    return None


def overlapping_neighbours(seq, flags) -> list:
    """Pairs of unbounded single-character repeats, side by side (groups aside), that share a character."""
    items, found = _flatten(seq), []
    for a, b in zip(items, items[1:]):
        x, y = _repeated_char(a), _repeated_char(b)
        if x and y and _chars(x, flags) & _chars(y, flags):
            found.append((a, b))
    for op, av in items:
        if op == sre_constants.BRANCH:
            for branch in av[1]:
                found += overlapping_neighbours(branch, flags)
        elif op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            found += overlapping_neighbours(av[2], flags)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            found += overlapping_neighbours(av[1], flags)
    return found


def test_the_quadratic_shape_is_recognised():
    old = sre_parse.parse(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")  # the front-matter line of before
    assert overlapping_neighbours(old, old.state.flags)
    new = sre_parse.parse(articles._KEY_VALUE.pattern)
    assert not overlapping_neighbours(new, new.state.flags)


@pytest.mark.parametrize("module,attr,pattern", ALL, ids=[f"{m}.{a}" for m, a, _ in ALL])
def test_no_pattern_puts_overlapping_repeats_side_by_side(module, attr, pattern):
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    assert not overlapping_neighbours(tree, tree.state.flags), pattern.pattern


@pytest.mark.parametrize("module,attr", sorted(WHOLE_TEXT))
def test_whole_text_patterns_are_one_pass_over_a_character_class(module, attr):
    pattern = getattr({"articles": articles, "captions": captions}.get(module, metadata), attr)
    (op, av), = sre_parse.parse(pattern.pattern, pattern.flags)
    if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
        (op, av), = av[2]
    assert op in (sre_constants.IN, sre_constants.LITERAL, sre_constants.CATEGORY), pattern.pattern


class Recorded:
    """A stand-in for a compiled pattern that records how many characters each call may look at."""

    def __init__(self, key, pattern, log):
        self.key, self.pattern, self.log = key, pattern, log

    def _record(self, text, pos=0, endpos=None):
        end = len(text) if endpos is None else min(endpos, len(text))
        self.log.append((self.key, max(0, end - pos)))

    def __getattr__(self, name):
        method = getattr(self.pattern, name)
        if name in ("match", "fullmatch", "search", "finditer", "findall"):
            def call(text, pos=0, endpos=None):
                self._record(text, pos, endpos)
                return method(text, pos) if endpos is None else method(text, pos, endpos)
            return call
        if name in ("sub", "subn"):
            def call(repl, text, count=0):
                self._record(text)
                return method(repl, text, count)
            return call
        if name == "split":
            def call(text, maxsplit=0):
                self._record(text)
                return method(text, maxsplit)
            return call
        return method


@pytest.fixture
def recorded(monkeypatch):
    log: list[tuple[tuple[str, str], int]] = []
    for module in (articles, metadata, captions):
        name = module.__name__.rsplit(".", 1)[1]
        for attr, value in list(vars(module).items()):
            if isinstance(value, re.Pattern):
                monkeypatch.setattr(module, attr, Recorded((name, attr), value, log))
            elif attr == "_OUTLET_RES":
                monkeypatch.setattr(module, attr, tuple((n, Recorded((name, attr), r, log)) for n, r in value))
            elif attr == "_DATE_FORMATS":
                monkeypatch.setattr(module, attr, tuple(Recorded((name, attr), r, log) for r in value))
    return log


def _fill(unit: str, size: int = MIB) -> str:
    return unit * (size // len(unit) + 1)


#: For each rule, 1 MiB built against it: runs of white space, brackets, slashes, digits, dots and signatures
#: that make a backtracking engine try every split.
UNITS = {
    "white space": " ", "tabs and spaces": " \t", "hashes": "# ", "closing hashes": "#", "brackets": "[",
    "links": "[a](", "images": "![", "parens": "(", "slashes": "/ ", "credits": "/ AFP / ", "copyright": "© ",
    "copyright words": "Copyright ", "bylines": "By A ", "dates": "17/09/", "digits": "1", "sentences": ". A",
    "abbreviations": "Mr. ", "quotes": "\"'", "rules": "- ", "emphasis": "*_`", "blockquotes": "> ",
    "datelines": "WASHINGTON, ", "outlets": "(Reuters", "site names": "Reuters | ", "dashes": " - ",
    "colons": "a: ", "newlines": "\n", "words": "word ", "wire": "REUTER ", "pool": "Pool via ",
    "photo by": "Photo by ", "accents": "é ", "long word": "a", "published": "Published: ",
}


def hostile_texts():
    for name, unit in UNITS.items():
        run = _fill(unit)[:MIB]
        yield f"{name} alone", run
        yield f"{name} after a headline", "Headline of a story\n" + run[:MIB - 40] + "\nx"
        yield f"{name} at the end", "Headline\n\nBody text.\n" + run[:MIB - 40] + "x"
        yield f"{name} in a short line", ("Headline\n" + run[:3000] + "x\n") * 300


HOSTILE = list(hostile_texts())


def _check(log):
    lines = [(key, n) for key, n in log if key not in WHOLE_TEXT]
    too_long = {key: n for key, n in lines if n > LINE_BOUND}
    assert not too_long, too_long
    assert sum(n for _, n in lines) <= TOTAL_BOUND


@pytest.mark.parametrize("name,text", HOSTILE, ids=[n for n, _ in HOSTILE])
def test_inference_runs_patterns_over_bounded_slices_of_a_hostile_mebibyte(recorded, name, text):
    metadata.infer_title(text)
    metadata.infer_date(text)
    metadata.infer_source(text)
    metadata.is_photo_credit(text)
    _check(recorded)


@pytest.mark.parametrize("name,text", HOSTILE[::4], ids=[n for n, _ in HOSTILE[::4]])
def test_values_front_matter_and_reading_are_bounded_for_a_hostile_mebibyte(recorded, tmp_path, name, text):
    metadata.normalize_date(text)
    metadata.canonical_source(text)
    articles.split_front_matter("---\ntitle: " + text)
    articles.split_front_matter("---\n" + "key: value\n" * 30 + "key:" + text[:8000] + "\n---\nBody")
    articles.article_id(text[:4000])
    data = text.encode("utf-8")[:MIB]
    try:
        decoded, _ = articles.decode(data, "a.txt")
        articles.build_article("a.txt", decoded, {"title": text, "source": text, "date": text, "Extra": text})
    except articles.SkippedFile:
        pass
    (tmp_path / "metadata.csv").write_text("path,title\n" + "a.txt," + text[:MIB // 2] + "\n", encoding="utf-8")
    articles.load_sidecar(tmp_path)
    _check(recorded)


def test_a_front_matter_value_with_a_long_white_space_run_is_parsed_in_one_pass(recorded):
    # the pattern that took 28.6 s on 80 KB: now one try per line, and a line that long is not front matter
    meta, body = articles.split_front_matter("---\ntitle: a" + " " * 80_000 + "b\n---\nBody\n")
    assert meta == {} and body.startswith("---")
    meta, _ = articles.split_front_matter("---\ntitle: a" + " " * 4000 + "b   \n---\nBody\n")
    assert meta == {"title": "a" + " " * 4000 + "b"}
    assert [n for key, n in recorded if key == ("articles", "_KEY_VALUE")] == [len("title: ab   ") + 4000]


def _later_patterns():
    """The patterns of the modules that read article text beyond inference: stories, paragraphs, pages, diffs."""
    from search import diff, paragraphs, stories, story_file, webpage
    for module in (stories, story_file, paragraphs, webpage, diff):
        for attr, value in vars(module).items():
            if isinstance(value, re.Pattern):
                yield f"{module.__name__}.{attr}", value


@pytest.mark.parametrize("name,pattern", list(_later_patterns()), ids=lambda x: x if isinstance(x, str) else "")
def test_the_other_readers_of_article_text_have_neither_quadratic_shape(name, pattern):
    tree = sre_parse.parse(pattern.pattern, pattern.flags)
    assert not nested_unbounded(tree), (name, pattern.pattern)
    assert not overlapping_neighbours(tree, tree.state.flags), (name, pattern.pattern)
