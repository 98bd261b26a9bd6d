"""`search export` and GET /export.jsonl, /export.csv: every match, streamed, with the results page's filters."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from search import export as export_module
from search import searcher as searcher_module
from search.cli import cli
from search.errors import QueryError
from search.export import Export
from search.searcher import Engine


def run(articles_dir, index_dir, *args):
    return CliRunner().invoke(cli, ["--articles", str(articles_dir), "--index", str(index_dir), "export", *args])


def jsonl(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line]


def test_export_with_no_query_gives_every_article_newest_first(articles_dir, index_dir):
    result = run(articles_dir, index_dir)
    assert result.exit_code == 0, result.output
    records = jsonl(result.output)
    with Engine(index_dir) as engine:
        total = engine.stats().articles
    assert len(records) == total == 9
    assert [r["rank"] for r in records] == list(range(1, 10))
    dated = [r["date"] for r in records if r["date"]]
    assert dated == sorted(dated, reverse=True) and records[-1]["date"] is None  # unknown dates last
    assert set(records[0]) == {"rank", "id", "title", "date", "source", "path", "score", "metadata", "story",
                               "versions"}


def test_export_of_a_query_with_filters_matches_the_results_page(articles_dir, index_dir):
    result = run(articles_dir, index_dir, "idlib", "--source", "Reuters", "--since", "2018-09")
    records = jsonl(result.output)
    with Engine(index_dir) as engine:
        page = engine.search("idlib", sources=["Reuters"], since="2018-09", per_page=100)
    assert [r["id"] for r in records] == [h.id for h in page.hits] and page.total == len(records) >= 2
    assert all(r["source"] == "Reuters" and r["date"] >= "2018-09" for r in records)
    assert records[0]["score"] >= records[-1]["score"] > 0


def test_export_has_no_page_cap(articles_dir, index_dir, monkeypatch):
    monkeypatch.setattr(searcher_module, "MAX_REACHABLE", 3)  # the results page stops at 3 here
    records = jsonl(run(articles_dir, index_dir, "idlib").output)
    assert len(records) > 3


def test_text_is_included_on_request_and_nothing_found_exits_1(articles_dir, index_dir):
    records = jsonl(run(articles_dir, index_dir, "marathon", "--text").output)
    assert records[0]["text"].startswith("The runner led the field")
    result = run(articles_dir, index_dir, "zebrafishes")
    assert result.exit_code == 1 and result.output == ""


def test_csv_export_is_a_header_then_one_row_per_article_and_defuses_formulas(tmp_path):
    from search.indexer import sync
    from tests.factory import write_article
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", "=HYPERLINK(\"http://evil\")", "2018-09-01", "Reuters", "Idlib text one.")
    write_article(folder, "b.txt", "Plain title, with a comma", None, None, "Idlib text two.\nSecond line.")
    sync(folder, tmp_path / "index")
    result = run(folder, tmp_path / "index", "idlib", "--format", "csv", "--text")
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["rank", "id", "title", "date", "source", "path", "score", "metadata", "story", "versions",
                       "text"]
    assert len(rows) == 3
    titles = {r[2] for r in rows[1:]}
    assert titles == {"'=HYPERLINK(\"http://evil\")", "Plain title, with a comma"}
    assert any(r[10] == "Idlib text two.\nSecond line." for r in rows[1:])


def test_a_bad_query_is_a_usage_error_before_any_output(articles_dir, index_dir):
    result = run(articles_dir, index_dir, "*")
    assert result.exit_code == 2 and "Error" in result.output and "{" not in result.output


def test_records_are_read_one_at_a_time(index_dir, monkeypatch):
    calls = []
    with Engine(index_dir) as engine:
        with Export(engine, "idlib") as ex:
            original = ex._read
            monkeypatch.setattr(ex, "_read", lambda d: calls.append(d) or original(d))
            it = iter(ex)
            next(it)
            assert len(calls) == 1  # the matches are numbers until each is read
            rest = list(it)
            assert len(calls) == 1 + len(rest) == ex.total


def test_export_gives_its_snapshot_back_when_abandoned(index_dir):
    with Engine(index_dir) as engine:
        export = Export(engine, "idlib")
        lines = export_module.lines(export, "jsonl")
        next(lines)
        assert not export.closed
        lines.close()  # abandoned half-way, as by a client that goes away
        assert export.closed


def test_export_refuses_a_bad_query_with_the_engines_error(index_dir):
    with Engine(index_dir) as engine, pytest.raises(QueryError):
        Export(engine, "idlib", since="not a date")


# --- the web ------------------------------------------------------------------------------------------

def test_export_jsonl_takes_the_results_page_parameters(client):
    r = client.get("/export.jsonl?q=idlib&source=Reuters&source=AFP&sort=newest")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/x-ndjson")
    assert r.headers["Content-Disposition"] == 'attachment; filename="articles.jsonl"'
    records = jsonl(r.get_data(as_text=True))
    api = client.get("/api/search?q=idlib&source=Reuters&source=AFP&sort=newest&per_page=100").get_json()
    assert [x["id"] for x in records] == [h["id"] for h in api["hits"]] and len(records) == api["total"] >= 3


def test_export_csv_with_text_and_its_security_headers(client):
    r = client.get("/export.csv?q=marathon&text=1")
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.get_data(as_text=True))))
    assert rows[0][-1] == "text" and rows[1][-1].startswith("The runner")
    assert "default-src 'none'" in r.headers["Content-Security-Policy"]


@pytest.mark.parametrize("query", ["q=*", "since=2018-02-31", "sort=sideways", "q=" + "x" * 600])
def test_a_bad_export_request_is_a_400_page(client, query):
    r = client.get("/export.jsonl?" + query)
    assert r.status_code == 400 and r.mimetype == "text/html"
