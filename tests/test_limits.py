"""README's limits table is search/limits.py's LIMITS, and the modules enforce the values declared there."""
import re
from pathlib import Path

import pytest

from search import articles, budget, metafacets, query, searcher, snippets, suggest
from search.errors import QueryError
from search.limits import LIMITS

README = Path(__file__).resolve().parent.parent / "README.md"
ROW = re.compile(r"\| `([A-Z_]+)` \| ([\d,]+) \| (.+) \|")


def _readme_rows() -> list[tuple[str, int, str]]:
    text = README.read_text(encoding="utf-8")
    section = text.split("### Limits, in one table", 1)[1].split("\n#", 1)[0]
    return [(m.group(1), int(m.group(2).replace(",", "")), m.group(3)) for m in map(ROW.fullmatch, section.splitlines())
            if m]


def test_readme_limits_table_is_the_declared_one():
    assert _readme_rows() == [(lim.name, lim.value, lim.bounds) for lim in LIMITS.values()]


def test_modules_use_the_declared_limits():
    for module, name in [(query, "MAX_QUERY_CHARS"), (query, "MAX_TERMS"), (budget, "WORK_BUDGET"),
                         (searcher, "MAX_PER_PAGE"), (searcher, "MAX_REACHABLE"), (snippets, "MAX_PASSAGES"),
                         (metafacets, "MAX_FILTER_VALUES"), (articles, "MAX_ARTICLE_BYTES"),
                         (suggest, "MAX_SUGGESTIONS")]:
        assert getattr(module, name) == LIMITS[name].value, name
    assert suggest.MAX_PREFIX_CHARS == LIMITS["MAX_SUGGEST_PREFIX_CHARS"].value


def test_the_source_limit_is_the_declared_one():
    many = tuple(f"s{i}" for i in range(LIMITS["MAX_SOURCES"].value + 1))
    with pytest.raises(QueryError, match=f"At most {LIMITS['MAX_SOURCES'].value} sources"):
        searcher.validate("oil", sources=many)
    assert searcher.validate("oil", sources=many[:-1]).sources == many[:-1]
