"""User text -> a Whoosh query: the query language, its limits, and messages for what cannot be searched.

Hand-written on purpose: Whoosh's QueryParser raises IndexError/AssertionError on inputs like `NOT NOT x` or
`title:OR ANDNOT ANDNOT`, and expands wildcards before anything can bound them. This one is small, lenient
about odd input (unbalanced quotes or parentheses, stray operators), and raises only QueryError.

Grammar (OR binds tighter than the implicit AND, as in web search engines):
    query   := clause*                       every clause must match
    clause  := alt (OR alt)*
    alt     := (NOT | -) alt | atom
    atom    := "(" query ")" | [field ":"] ( "phrase" | word | word* | word~[N] | [from TO to] )

Besides title, body, source and date, `field` may be any metadata field the index knows (section, author, ...:
the names passed to parse() as `fields`); its value is compared whole, ignoring case (search/metafields.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from search import metafields, plan
from search.analysis import fold, stem, terms
from search.budget import Cost
from search.days import bound
from search.errors import QueryError
from search.storage.format import TEXT_FIELDS
from search.limits import (MAX_FUZZY_DISTANCE, MAX_FUZZY_EXPANSION, MAX_PREFIX_EXPANSION, MAX_QUERY_CHARS, MAX_TERMS,
                           MIN_PREFIX_CHARS)

FIELDS = ("title", "body", "source", "date")



# -- the syntax tree -----------------------------------------------------------------------------------
@dataclass
class Word:
    text: str
    field: str | None = None      # None = title and body
    kind: str = "word"            # word | prefix | fuzzy | meta (a metadata field's whole value)
    distance: int = 1


@dataclass
class Phrase:
    text: str
    field: str | None = None


@dataclass
class DateRange:
    low: int | None
    high: int | None
    text: str


@dataclass
class Not:
    node: object


@dataclass
class And:
    nodes: list


@dataclass
class Or:
    nodes: list


@dataclass
class Compiled:
    """A query ready to run (a plan.py tree), and what snippets should mark."""

    query: object
    terms: set[str] = field(default_factory=set)           # stems to mark
    phrases: list[tuple[str, ...]] = field(default_factory=list)
    near: list[str] = field(default_factory=list)          # words of a plain query, in order
    cost: Cost | None = None                                 # what it reads, summed over all its parts
    # ({stem: {field: weight}}, {stem: qtf}) when the scoring is not read off `query` (an example text's words)
    scoring: tuple | None = None
    words: list = field(default_factory=list)               # an example text's kept words (like.Word)


@dataclass
class ParsedQuery:
    """The user's text, parsed once."""

    text: str
    root: And
    plain: bool  # only words, phrases and -exclusions, no other operators or fields: any-word readings apply
    scored: bool = True  # has words to rank by (not only source:/date: filters)
    unknown_fields: list[str] = field(default_factory=list)  # "name" of name:value typed for no known field
    _clauses: list[str] | None = field(default=None, init=False, repr=False, compare=False)

    def words(self) -> list[str]:
        """The plain words typed (for "did you mean")."""
        return [n.text for n in walk(self.root) if isinstance(n, Word) and n.kind == "word" and n.field is None]

    def clauses(self) -> list[str]:
        """The top-level words and "phrases" of a plain query that survive analysis, as typed."""
        if not self.plain:
            return []
        if self._clauses is None:  # asked several times per search; the tree is not changed after parsing
            self._clauses = [_typed(n) for n in self.root.nodes if not isinstance(n, Not) and not _empty(n)]
        return list(self._clauses)

    def excluded(self) -> list[str]:
        """The -words and -"phrases" of a plain query, as typed."""
        return [f"-{_typed(n.node)}" for n in self.root.nodes if isinstance(n, Not)] if self.plain else []

    def compile(self, view, title_boost: float, any_word: bool = False, vocabulary=None) -> Compiled:
        """The query as a plan over one IndexView, prefixes and fuzzy words expanded; `any_word` turns the
        top-level AND of a plain query into an OR. Raises QueryError, before any postings are read, when the
        whole query would expand to or read more than search.budget allows. `view` is an IndexView or the
        search's docsets.Matcher, whose work budget then pays for looking up fuzzy words."""
        if vocabulary is None:
            from search.spelling import Vocabulary
            vocabulary = Vocabulary(view)
        out = Compiled(plan.NOTHING, cost=Cost())
        builder = _Builder(view, title_boost, out, out.cost, vocabulary)
        if any_word and self.plain:
            parts = [p for p in (builder.build(n) for n in self.root.nodes) if p is not None]
            positive = [p for p in parts if not isinstance(p, plan.Not)]
            negative = [p for p in parts if isinstance(p, plan.Not)]
            either = positive[0] if len(positive) == 1 else plan.Or(tuple(positive))
            out.query = either if not negative else plan.And(tuple([either] + negative))
        else:
            out.query = builder.build(self.root) or plan.NOTHING
        out.cost.check(view)
        if self.plain:  # the searcher rewards these standing close together (search/proximity.py)
            out.near = [t for n in self.root.nodes if isinstance(n, Word) for t in terms(n.text)]
        return out

    def any_word_of(self, all_words: Compiled) -> Compiled | None:
        """The any-word reading of a plain query (what compile(any_word=True) gives) read off its all-word one,
        compiled over the same view: the same parts, the positive ones joined by OR, nothing looked up again; None
        when `all_words` is not an all-word reading of two or more parts."""
        q = all_words.query
        if not self.plain or not isinstance(q, plan.And):
            return None
        positive = [p for p in q.parts if not isinstance(p, plan.Not)]
        negative = [p for p in q.parts if isinstance(p, plan.Not)]
        if len(positive) < 2 or any(isinstance(p, plan.Every) for p in positive):
            return None
        either = plan.Or(tuple(positive))
        cost = Cost()
        cost.terms, cost.texts, cost.postings = set(all_words.cost.terms), set(all_words.cost.texts), \
            all_words.cost.postings
        return Compiled(either if not negative else plan.And(tuple([either] + negative)), set(all_words.terms),
                        list(all_words.phrases), list(all_words.near), cost)


def _typed(node) -> str:
    return f'"{node.text}"' if isinstance(node, Phrase) else node.text


def _simple(node) -> bool:
    """A word or "phrase" searched in title and body, with no wildcard or fuzziness."""
    return isinstance(node, Phrase) and node.field is None or \
        isinstance(node, Word) and node.field is None and node.kind == "word"


def walk(node):
    yield node
    for child in getattr(node, "nodes", ()):
        yield from walk(child)
    if isinstance(node, Not):
        yield from walk(node.node)


# -- lexing --------------------------------------------------------------------------------------------
_TOKEN = re.compile(r"""
      (?P<space>\s+)
    | (?P<minus>-(?=["(]))
    | (?P<lparen>\()
    | (?P<rparen>\))
    | (?P<quote>"[^"]*"?)
    | (?P<range>\[[^\]]*\]?)
    | (?P<word>[^\s()"\[]+)
""", re.X)


_FIELD_LIKE = re.compile(r"([a-z][a-z0-9_]{0,31}):[^/\s]")
_FIELD_VALUE = re.compile(r"([A-Za-z][A-Za-z0-9_]*):(.*)$")
_FUZZY = re.compile(r"(.+?)~(\d?)")


def _lex(text: str, meta: frozenset = frozenset()) -> list[tuple[str, str]]:
    tokens = []
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        if kind == "space":
            continue
        if kind == "minus":  # -"a phrase", -(a group)
            tokens.append(("op", "NOT"))
            continue
        value = m.group()
        if kind == "word":
            # field:value, field:"phrase", field:[range], field:(group) arrive as one word or a word ending ':'
            fm = _FIELD_VALUE.match(value) if ":" in value else None
            if fm and (fm.group(1).lower() in FIELDS or fm.group(1).lower() in meta):
                tokens.append(("field", fm.group(1).lower()))
                if fm.group(2):
                    tokens.extend(_lex(fm.group(2), meta))
                continue
            if value in ("OR", "AND", "NOT", "||", "&&"):
                tokens.append(("op", {"||": "OR", "&&": "AND"}.get(value, value)))
                continue
            if value.startswith("-") and len(value) > 1:
                tokens.append(("op", "NOT"))
                tokens.extend(_lex(value[1:], meta))
                continue
        tokens.append((kind, value))
    return tokens


# -- parsing -------------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, tokens, meta: frozenset = frozenset()):
        self.tokens, self.i, self.meta = tokens, 0, meta

    def peek(self):
        return self.tokens[self.i] if self.i < len(self.tokens) else (None, None)

    def take(self):
        tok = self.peek()
        self.i += 1
        return tok

    def query(self, depth=0) -> And:
        nodes = []
        while self.i < len(self.tokens):
            kind, value = self.peek()
            if kind == "rparen":
                if depth:
                    break
                self.take()  # a stray ")" is ignored
                continue
            if kind == "op" and value in ("AND", "OR"):
                self.take()  # AND is implicit; an OR with nothing before it is ignored
                continue
            node = self.clause(depth)
            if isinstance(node, And):  # "a (b c)" is "a b c": a pasted sentence's parentheses are prose
                nodes.extend(node.nodes)
            elif node is not None:
                nodes.append(node)
        return And(nodes)

    def clause(self, depth):
        alts = [self.alt(depth)]
        while self.peek() == ("op", "OR"):
            self.take()
            if self.peek()[0] in (None, "rparen"):
                break  # "a OR" reads as "a"
            alts.append(self.alt(depth))
        alts = [a for a in alts if a is not None]
        if not alts:
            return None
        return alts[0] if len(alts) == 1 else Or(alts)

    def alt(self, depth):
        kind, value = self.peek()
        if kind == "op" and value == "NOT":
            self.take()
            inner = self.alt(depth)
            if inner is None:
                return None
            return inner.node if isinstance(inner, Not) else Not(inner)  # NOT NOT x is x
        if kind == "op":
            self.take()
            return None
        return self.atom(depth, None)

    def atom(self, depth, fieldname):
        kind, value = self.take()
        if kind == "field":
            nxt = self.peek()[0]
            if nxt in (None, "rparen"):
                return None
            if nxt == "op":  # title:OR -> the word "OR" in title
                self.take()
                return self.word(self.tokens[self.i - 1][1], value)
            return self.atom(depth, value)
        if kind == "lparen":
            inner = self.query(depth + 1)
            if self.peek()[0] == "rparen":
                self.take()
            if fieldname:
                inner = _with_field(inner, fieldname)
            return inner if inner.nodes else None
        if kind == "quote":
            text = value.strip('"')
            if fieldname in ("date", "source") or fieldname in self.meta:
                return self.word(text, fieldname)
            return Phrase(text, fieldname) if text.strip() else None
        if kind == "range":
            if fieldname != "date":
                return self.word(value.strip("[]"), fieldname)
            return _range_node(value)
        if kind in ("word", "op"):
            return self.word(value, fieldname)
        return None

    def word(self, value, fieldname):
        if fieldname == "date":
            return _date_node(value)
        if fieldname == "source":
            return Word(value, "source")
        if fieldname in self.meta:
            return Word(value, fieldname, "meta") if value.strip() else None
        return _word_node(value, fieldname)


def _with_field(node, fieldname):
    if isinstance(node, (Word, Phrase)) and node.field is None:
        if fieldname not in FIELDS:  # section:(sport OR politics): each a whole value of the metadata field
            return Word(node.text, fieldname, "meta")
        node.field = fieldname
        if fieldname == "date":
            return _date_node(node.text)
    for child in getattr(node, "nodes", ()):
        _with_field(child, fieldname)
    if isinstance(node, Not):
        node.node = _with_field(node.node, fieldname)
    if isinstance(node, (And, Or)):
        node.nodes = [_with_field(n, fieldname) for n in node.nodes]
    return node


def _word_node(value: str, fieldname):
    # Only * is a wildcard; a ? is punctuation, as in a pasted question ("what is the ?slip? angle?").
    if "*" in value:
        stem = value.rstrip("*")
        if not stem or "*" in stem:
            if not stem.strip("*"):
                raise QueryError("A bare * would match every article. Type at least "
                                 f"{MIN_PREFIX_CHARS} letters before the star, like idl*.")
            raise QueryError(f"{value}: a wildcard can only end a word, after at least {MIN_PREFIX_CHARS} "
                             "letters (idl* finds Idlib); it cannot start or sit inside one.")
        if len(fold(stem)) < MIN_PREFIX_CHARS or not re.fullmatch(r"\w+", stem):
            raise QueryError(f"{value}: type at least {MIN_PREFIX_CHARS} letters before the star, like idl*.")
        return Word(stem, fieldname, "prefix")
    m = _FUZZY.fullmatch(value) if "~" in value else None
    if m and re.fullmatch(r"\w+", m.group(1)):
        distance = int(m.group(2) or 1)
        if not 1 <= distance <= MAX_FUZZY_DISTANCE:
            raise QueryError(f"{value}: a fuzzy word allows 1 or 2 differences, like erdgan~ or erdgan~2.")
        return Word(m.group(1), fieldname, "fuzzy", distance)
    value = value.strip("~")
    return Word(value, fieldname) if value else None


_DATE_HELP = "use YYYY, YYYY-MM, YYYY-MM-DD or a range like date:[2018-09-01 TO 2018-09-30]"


def parse_date_bound(value: str, end: bool = False, what: str = "date") -> int:
    """'2018', '2018-09' or '2018-09-17' -> YYYYMMDD, the first day of the period (or the last when `end`)."""
    try:
        result = bound(value.strip(), end)
    except (ValueError, OverflowError):
        result = None
    if result is None:
        raise QueryError(f"{what} {value!r} is not a date: {_DATE_HELP}.")
    return result


def _date_node(text: str) -> DateRange:
    return DateRange(parse_date_bound(text, False, "date:"), parse_date_bound(text, True, "date:"), text)


def _range_node(text: str) -> DateRange:
    m = re.fullmatch(r"\[\s*(\S*)\s+TO\s+(\S*?)\s*\]?", text, re.I)
    if not m:
        raise QueryError(f"date:{text} is not a date range: {_DATE_HELP}.")
    try:
        low, high = bound(m.group(1), False), bound(m.group(2), True)
    except (ValueError, OverflowError):
        raise QueryError(f"date:{text} is not a date range: {_DATE_HELP}.") from None
    if low is not None and high is not None and low > high:
        raise QueryError(f"date:{text} ends before it starts.")
    return DateRange(low, high, text)


class QueryTooLong(QueryError):
    """The text is longer than the query language reads; the searcher reads it as an example text (like.py)."""


def parse(text: str, fields=()) -> ParsedQuery:
    """Parse the user's query text, or raise QueryError with what to do instead (QueryTooLong for a long text);
    `fields` are the metadata fields (beyond title, body, source and date) that `field:value` may name."""
    if not isinstance(text, str):
        raise QueryError("The query must be text.")
    if len(text) > MAX_QUERY_CHARS:
        raise QueryTooLong(f"The query is {len(text):,} characters long; the limit is {MAX_QUERY_CHARS}. "
                           "Keep the words that matter most.")
    text = text.replace("\x00", " ")
    meta = frozenset(f for f in fields if f not in FIELDS)
    try:
        tokens = _lex(text, meta)
        root = _Parser(tokens, meta).query()
    except RecursionError:  # the parser recurses once per level of parentheses, NOT and field prefixes
        raise QueryError("The query nests parentheses, NOT or fields too deeply; "
                         "write it with fewer levels.") from None
    nodes = list(walk(root))
    searchable = [n for n in nodes if isinstance(n, (Word, Phrase, DateRange))]
    if len([n for n in searchable if not isinstance(n, DateRange)]) > MAX_TERMS:
        raise QueryTooLong(f"The query has more than {MAX_TERMS} words; keep the ones that matter most.")
    if _empty(root):
        dropped = [n.text for n in nodes if isinstance(n, (Word, Phrase)) and n.text.strip()]
        if dropped:
            listed = ", ".join(f'"{w}"' for w in dropped)
            raise QueryError(f"Nothing to search for: {listed} {'is' if len(dropped) == 1 else 'are'} too common "
                             "or too short to search for. Add a more specific word.")
        raise QueryError('Nothing to search for: type a word, a "phrase" or a filter like source:Reuters.')
    # an explicit AND asks for every word: no any-word reading, however long the query
    plain = all(_simple(n.node if isinstance(n, Not) else n) for n in root.nodes) and \
        ("op", "AND") not in tokens and not all(isinstance(n, Not) for n in root.nodes)
    negated = {id(n) for node in nodes if isinstance(node, Not) for n in walk(node.node)}
    scored = any(isinstance(n, (Word, Phrase)) and n.field != "source" and getattr(n, "kind", "") != "meta"
                 and id(n) not in negated for n in nodes)
    unknown = [m.group(1) for n in nodes if isinstance(n, Word) and n.field is None and n.kind == "word"
               for m in [":" in n.text and _FIELD_LIKE.match(n.text.lower())]
               if m and m.group(1) not in ("http", "https")]
    return ParsedQuery(text, root, plain, scored, list(dict.fromkeys(unknown)))


def _empty(node) -> bool:
    """True when nothing of the node survives analysis (only stop words, or nothing at all)."""
    if isinstance(node, (And, Or)):
        return all(_empty(n) for n in node.nodes)
    if isinstance(node, Not):
        return _empty(node.node)
    if isinstance(node, Word) and node.kind == "word" and node.field != "source":
        return not terms(node.text)
    if isinstance(node, Word) and node.kind == "meta":
        return not node.text.strip()
    if isinstance(node, Phrase):
        return not terms(node.text)
    return False


# -- compiling to a plan over one IndexView ----------------------------------------------------------------
class _Builder:
    def __init__(self, view, title_boost: float, out: Compiled, cost: Cost, vocabulary):
        self.view, self.title_boost, self.out, self.cost = view, title_boost, out, cost
        self.vocabulary = vocabulary

    def build(self, node):
        if isinstance(node, And):
            parts = [self.build(n) for n in node.nodes]
            parts = [p for p in parts if p is not None]
            positive = [p for p in parts if not isinstance(p, plan.Not)]
            if not parts:
                return None
            if not positive:  # only exclusions: everything except them
                parts.insert(0, plan.EVERY)
            return parts[0] if len(parts) == 1 else plan.And(tuple(parts))
        if isinstance(node, Or):
            parts = [p for p in (self.build(n) for n in node.nodes) if p is not None]
            if not parts:
                return None
            if any(isinstance(p, plan.Not) for p in parts):  # "a OR -b" would match almost everything
                parts = [plan.And((plan.EVERY, p)) if isinstance(p, plan.Not) else p for p in parts]
            return parts[0] if len(parts) == 1 else plan.Or(tuple(parts))
        if isinstance(node, Not):
            saved = (set(self.out.terms), list(self.out.phrases))
            inner = self.build(node.node)
            self.out.terms, self.out.phrases = saved  # excluded words are not marked in snippets
            return plan.Not(inner) if inner is not None else None
        if isinstance(node, DateRange):
            return plan.DayRange(node.low, node.high)
        if isinstance(node, Phrase):
            return self.phrase(terms(node.text), node.field)
        if isinstance(node, Word):
            if node.field == "source":
                return self.source(node.text)
            if node.kind == "meta":
                return self.meta(node.field, node.text)
            if node.kind == "prefix":
                return self.expanded(node, self._prefix_words(node.text), f"{node.text}*")
            if node.kind == "fuzzy":
                return self.expanded(node, self._fuzzy_words(node.text, node.distance), f"{node.text}~")
            return self.phrase(terms(node.text), node.field)
        return None

    def fields(self, fieldname):
        return (fieldname,) if fieldname in TEXT_FIELDS else TEXT_FIELDS

    def boost(self, fieldname):
        return self.title_boost if fieldname == "title" else 1.0

    def phrase(self, stems: list[str], fieldname):
        if not stems:
            return None  # only stop words: nothing to require
        for f in self.fields(fieldname):
            for s in stems:
                self.cost.add(f, s)
        if len(stems) == 1:
            self.out.terms.add(stems[0])
            qs = [plan.Term(f, stems[0], self.boost(f)) for f in self.fields(fieldname)]
        else:
            self.out.phrases.append(tuple(stems))
            qs = [plan.Phrase(f, tuple(stems), self.boost(f)) for f in self.fields(fieldname)]
        return qs[0] if len(qs) == 1 else plan.Or(tuple(qs))

    def source(self, text: str):
        if text.lower() == "unknown":
            return plan.FacetIs("source", ("",))
        from search import metadata  # here: only a source: filter needs its outlet tables
        return plan.FacetIs("source", (metadata.canonical_source(text).lower(),))

    def meta(self, name: str, value: str):
        """A metadata field's whole value, case aside ("unknown": articles without the field)."""
        key = metafields.value_key(value)
        return plan.FacetIs(name, ("",) if key == "unknown" else (key,))

    def expanded(self, node: Word, stems: list[str], typed: str):
        if not stems:
            return plan.NOTHING
        self.cost.expanded(len(stems), typed)
        for s in stems:
            for f in self.fields(node.field):
                self.cost.add(f, s)
        self.out.terms.update(stems)
        return plan.Or(tuple(plan.Term(f, s, self.boost(f)) for s in stems for f in self.fields(node.field)))

    def _prefix_words(self, prefix: str) -> list[str]:
        # The index holds stems, so "negotiat*" must also be read as its stem "negoti*" to find "negotiations".
        folded = fold(prefix)
        found: set[str] = set()
        # a stem may also be shorter than what was typed: "negotiat*" reaches "negoti" (negotiations, negotiate)
        for cut in range(max(4, len(folded) - 3), len(folded)):
            if self.view.doc_frequency("body", folded[:cut]):
                found.add(folded[:cut])
        for start in dict.fromkeys([folded, stem(folded)]):
            # at most one more than the limit is read: enough to know the limit is passed
            found.update(self.view.terms_from("body", start, MAX_PREFIX_EXPANSION + 1))
            if len(found) > MAX_PREFIX_EXPANSION:
                raise QueryError(f"{prefix}* matches more than {MAX_PREFIX_EXPANSION} different words; "
                                 "type more letters before the star.")
        return sorted(found)

    def _fuzzy_words(self, word: str, distance: int) -> list[str]:
        folded = fold(word)
        found: list[str] = []
        for start in dict.fromkeys([folded, stem(folded)]):
            for term in self.vocabulary.near(start, distance, getattr(self.view, "budget", None)):
                if term not in found:
                    found.append(term)
                if len(found) >= MAX_FUZZY_EXPANSION:
                    return sorted(found)
        return sorted(found)
