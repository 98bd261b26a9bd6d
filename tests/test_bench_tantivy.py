"""The tantivy peer of the benchmark: its query translation and a whole results page (skipped without tantivy)."""
from __future__ import annotations

import pytest

tantivy = pytest.importorskip("tantivy", reason="tantivy is in the bench extra: pip install -e '.[bench]'")

from bench.peers import Query  # noqa: E402
from bench.peers.tantivy_peer import Tantivy, build, expression  # noqa: E402
from tests.test_bench import _tiny_collection  # noqa: E402


def test_tantivy_expression_quotes_every_token():
    assert expression("interest rates") == '"interest" "rates"'
    assert expression('"prime rate" cut') == '"prime rate" "cut"'
    assert expression('say "hi') == '"say" "hi"'
    assert expression("- ... ?") is None
    assert expression('a\\"b') == '"a b"'


def test_tantivy_page_does_the_whole_results_page(tmp_path):
    _tiny_collection(tmp_path / "arts")
    assert build(tmp_path / "arts", tmp_path / "tv") == 3
    with Tantivy(tmp_path / "tv") as tv:
        page = tv.page(Query("oil"))
        assert page.total == 2 and page.hits[0].path == "a.txt"  # the title match ranks first
        assert any(match for passage in page.hits[0].snippet for _, match in passage)
        assert dict(page.facets["source"]) == {"Reuters": 1, "AFP": 1}
        assert dict(page.facets["date"]) == {"1987-03": 1, "1987-04": 1}
        filtered = tv.page(Query("oil", sources=("AFP",)))
        assert filtered.total == 1 and filtered.hits[0].path == "b.txt"
        assert dict(filtered.facets["source"]) == {"Reuters": 1, "AFP": 1}  # a facet ignores its own filter
        assert tv.page(Query("oil", since="1987-04-01")).total == 1
        assert tv.page(Query("oil wheat")).total == 1
        for text in ('NEAR(a b)', 'title:oil', 'oil*', 'AND OR NOT', '(((', '💥 ünïcode', "- ... ?"):
            tv.page(Query(text))  # any text is a valid query
        assert tv.ranking("crude wheat") == []
