"""`search query --explain`: the parsed query and the plan a search runs, as sqlite-utils' `--sql` shows its SQL.

It parses, compiles and matches exactly as `Engine.search` does (the same reading is chosen), then reports
what was decided instead of ranking and rendering hits.
"""
from __future__ import annotations

from search import limits, plan, query
from search.analysis import term_for
from search.budget import Budget, release_after
from search.days import day_text
from search.docsets import Matcher
from search.metafacets import validate_filters
from search.request import validate
from search.searcher import LONG_QUERY_WORDS, read_text
from search.storage.format import TEXT_FIELDS


def explain(engine, text: str = "", sources=(), since=None, until=None, sort="relevance", page=1, per_page=10,
            filters=None, like: bool = False) -> dict:
    """What `engine.search` with these arguments would parse, read and apply; QueryError as search raises it."""
    req = validate(text, sources, since, until, sort, page, per_page)
    budget = Budget()
    try:
        with engine._searching() as snap:
            chosen = validate_filters(filters, snap.meta.names())
            parsed, example = read_text(req.text, like, snap.meta.names())
            matcher = Matcher(snap.view, budget)
            if example is None:
                compiled, matched, notice, alternative = engine._match(snap, matcher, parsed)
            else:
                compiled, matched, notice, alternative = engine._like(matcher, example)
    finally:
        release_after(budget)
    scored = example is not None or bool(parsed and parsed.scored)
    out = {
        "query": req.text if example is None else f"(an example text of {len(req.text):,} characters)",
        "parsed": _node_text(parsed.root) if parsed else
        "(no words: every article)" if example is None else f"(not parsed: an example text of {example.words:,} words)",
        "reading": _reading(parsed, notice) if example is None else
        f"like this text: any of its {len(compiled.words or [])} most telling words, weighted by how often it uses them",
        "words": _words(parsed) if parsed else _example_words(compiled.words or []),
        "plan": _plan_lines(compiled.query) if compiled else ["every article"],
        "marked": sorted(compiled.terms) if compiled else [],
        "filters": _filters(req, chosen),
        "sort": req.sort if scored else ("newest" if req.sort == "relevance" else req.sort),
        "page": req.page, "per_page": req.per_page,
        "matched": int(len(matched)),
        "cost": {"expanded words": len(compiled.cost.texts) if compiled and compiled.cost else 0,
                 "postings": compiled.cost.postings if compiled and compiled.cost else 0,
                 "work spent": budget.spent},
        "limits": {name: limits.LIMITS[name].value for name in
                   ("MAX_QUERY_CHARS", "MAX_TERMS", "MAX_QUERY_TERMS", "MAX_QUERY_POSTINGS", "WORK_BUDGET",
                    "MAX_PER_PAGE", "MAX_REACHABLE")},
    }
    if notice:
        out["notice"] = notice
    if alternative:
        out["alternative"] = alternative
    return out


def _reading(parsed, notice) -> str:
    if parsed is None:
        return "every article, newest first"
    if not parsed.plain:
        return "as written (operators or fields: no other reading)"
    clauses = parsed.clauses()
    if len(clauses) >= LONG_QUERY_WORDS:
        return f"any word, the most first ({len(clauses)} words: {LONG_QUERY_WORDS} or more read as a description)"
    if notice:
        return "any word (no article has them all)"
    return "all words"


def _words(parsed) -> list[dict]:
    """Each word as typed: its kind, the fields it searches and its index term (stem)."""
    out = []
    for node, negated in _leaves(parsed.root, False):
        text = node.field in (None, *TEXT_FIELDS)  # other fields (source:, metadata) match whole values
        kind = "excluded " if negated else ""
        if isinstance(node, query.Word):
            out.append({"word": node.text, "kind": kind + (node.kind if text else "value"),
                        "field": node.field or "title, body",
                        "stem": term_for(node.text) if node.kind == "word" and text else None,
                        **({"distance": node.distance} if node.kind == "fuzzy" else {})})
        elif isinstance(node, query.Phrase):
            out.append({"word": f'"{node.text}"', "kind": kind + "phrase", "field": node.field or "title, body",
                        "stem": " ".join(t for t in map(term_for, node.text.split()) if t)})
    return out


def _leaves(node, negated: bool):
    """(word or phrase node, whether it is excluded) of a parse tree, in order."""
    if isinstance(node, (query.And, query.Or)):
        for child in node.nodes:
            yield from _leaves(child, negated)
    elif isinstance(node, query.Not):
        yield from _leaves(node.node, not negated)
    elif isinstance(node, (query.Word, query.Phrase)):
        yield node, negated


def _example_words(words) -> list[dict]:
    """An example text's kept words: how the text writes each, its index term, its tf and how many articles hold it."""
    return [{"word": w.surface, "kind": f"example word (used {w.tf}x, in {w.df:,} articles)", "field": "title, body",
             "stem": w.stem} for w in words]


def _filters(req, chosen) -> list[str]:
    out = []
    if req.sources:
        out.append("source: " + " or ".join(req.sources))
    if req.since is not None or req.until is not None:
        out.append(f"date: {day_text(req.since) if req.since else '*'} to {day_text(req.until) if req.until else '*'}")
    for name, values in (chosen or {}).items():
        out.append(f"{name}: " + " or ".join(sorted(values)))
    return out


def _node_text(node) -> str:
    """The parse tree in one line."""
    if isinstance(node, query.And):
        return "AND(" + ", ".join(map(_node_text, node.nodes)) + ")"
    if isinstance(node, query.Or):
        return "OR(" + ", ".join(map(_node_text, node.nodes)) + ")"
    if isinstance(node, query.Not):
        return "NOT " + _node_text(node.node)
    if isinstance(node, query.Word):
        prefix = f"{node.field}:" if node.field else ""
        suffix = {"prefix": "*", "fuzzy": f"~{node.distance}"}.get(node.kind, "")
        return prefix + node.text + suffix
    if isinstance(node, query.Phrase):
        return (f"{node.field}:" if node.field else "") + f'"{node.text}"'
    if isinstance(node, query.DateRange):
        return f"date:{node.text}"
    return repr(node)


def _plan_lines(node, depth: int = 0) -> list[str]:
    """The compiled plan as an indented tree, one node a line."""
    pad = "  " * depth
    if isinstance(node, (plan.And, plan.Or)):
        lines = [pad + ("AND" if isinstance(node, plan.And) else "OR")]
        for part in node.parts:
            lines += _plan_lines(part, depth + 1)
        return lines
    if isinstance(node, plan.Not):
        return [pad + "NOT"] + _plan_lines(node.part, depth + 1)
    if isinstance(node, plan.Term):
        return [pad + f"{node.field}:{node.text}" + (f" ^{node.boost:g}" if node.boost != 1 else "")]
    if isinstance(node, plan.Phrase):
        return [pad + f'{node.field}:"{" ".join(node.words)}"' + (f" ^{node.boost:g}" if node.boost != 1 else "")]
    if isinstance(node, plan.DayRange):
        low = day_text(node.low) if node.low else "*"
        high = day_text(node.high) if node.high else "*"
        return [pad + f"date {low} to {high}"]
    if isinstance(node, plan.FacetIs):
        return [pad + f"{node.name} in ({', '.join(node.values)})"]
    if isinstance(node, plan.Every):
        return [pad + "every article"]
    if isinstance(node, plan.Nothing):
        return [pad + "nothing (no index word)"]
    return [pad + repr(node)]


def explain_text(data: dict) -> list[str]:
    """The explanation as lines for a terminal."""
    lines = [f"query:     {data['query'] or '(none)'}", f"parsed:    {data['parsed']}", f"reading:   {data['reading']}"]
    if data["words"]:
        lines.append("words:")
        for w in data["words"]:
            stem = f" -> {w['stem']}" if w.get("stem") else ""
            extra = f" (distance {w['distance']})" if "distance" in w else ""
            lines.append(f"  {w['word']}{stem}  [{w['kind']}{extra}; {w['field']}]")
    lines.append("plan:")
    lines += ["  " + line for line in data["plan"]]
    lines.append("filters:   " + ("; ".join(data["filters"]) or "none"))
    lines.append(f"order:     {data['sort']}, page {data['page']}, {data['per_page']} a page")
    lines.append(f"matched:   {data['matched']:,} articles (before filters)")
    cost, lim = data["cost"], data["limits"]
    lines.append(f"cost:      {cost['expanded words']:,} of {lim['MAX_QUERY_TERMS']:,} expanded words, "
                 f"{cost['postings']:,} of {lim['MAX_QUERY_POSTINGS']:,} postings, "
                 f"{cost['work spent']:,} of {lim['WORK_BUDGET']:,} work")
    lines.append(f"limits:    {lim['MAX_QUERY_CHARS']} characters, {lim['MAX_TERMS']} words, "
                 f"{lim['MAX_PER_PAGE']} hits a page, the first {lim['MAX_REACHABLE']:,} results")
    if data.get("notice"):
        lines.append(f"notice:    {data['notice']}")
    if data.get("alternative"):
        lines.append(f"alternative: {data['alternative']}")
    return lines
