"""The command line as a user meets it, through click's CliRunner."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.searcher import Engine
from search.store import IndexStore
from tests.factory import make_collection, make_index, write_article


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def paths(tmp_path):
    folder, index = make_index(tmp_path)
    return ["--articles", str(folder), "--index", str(index)]


def run(runner, args, **kwargs):
    return runner.invoke(cli, args, catch_exceptions=False, **kwargs)


def test_every_command_has_help(runner):
    result = run(runner, ["--help"])
    assert result.exit_code == 0
    for command in ("index", "query", "show", "stats", "serve"):
        assert command in result.output
        sub = run(runner, [command, "--help"])
        assert sub.exit_code == 0 and "Usage: " in sub.output and len(sub.output.splitlines()) > 3


def test_index_prints_a_summary_line_and_no_progress_bar_when_piped(runner, tmp_path):
    folder = make_collection(tmp_path)
    result = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert result.exit_code == 0
    assert result.output.startswith("8 articles: 8 added, 0 updated, 0 removed, 0 unchanged in ")
    assert "Indexing" not in result.output and "Indexing" not in result.stderr
    again = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert "0 added, 0 updated, 0 removed, 8 unchanged" in again.output


def test_index_warnings_go_to_stderr(runner, tmp_path):
    folder = make_collection(tmp_path)
    (folder / "empty.txt").write_bytes(b"")
    result = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert "warning: empty.txt: skipped, it is empty" in result.stderr
    assert "1 skipped" in result.stdout


def test_environment_variables_choose_the_folders(runner, tmp_path):
    folder, index = make_index(tmp_path)
    result = run(runner, ["stats", "--json"], env={"SEARCH_ARTICLES": str(folder), "SEARCH_INDEX": str(index)})
    assert json.loads(result.output)["articles"] == 8


def test_query_text_output_marks_matches_in_brackets_when_piped(runner, paths):
    result = run(runner, paths + ["query", "saraqeb"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "1. Syrian forces enter Saraqeb"
    assert lines[1].startswith("   Reuters · 2018-10-02 · saraqeb-")
    assert "[Saraqeb]" in result.output
    assert "1-1 of 1 result (" in result.output
    assert "source: Reuters (1)" in result.output and "date (by month): 2018-10 (1)" in result.output


def test_query_uses_colour_only_on_a_terminal(runner, paths, monkeypatch):
    monkeypatch.setattr("search.cli._use_colour", lambda: True)
    result = run(runner, paths + ["query", "saraqeb"], color=True)
    assert "\x1b[" in result.output and "[Saraqeb]" not in result.output


def test_query_json_is_the_api_object(runner, paths):
    result = run(runner, paths + ["query", "idlib", "--source", "AFP", "--source", "Reuters", "--json"])
    data = json.loads(result.output)
    assert set(data) >= {"query", "total", "page", "per_page", "took_ms", "suggestion", "hits", "facets"}
    assert data["query"] == "idlib" and data["total"] == 2 and data["page"] == 1
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "date", "source", "path", "score", "snippet", "snippet_html"}
    assert "<mark>Idlib</mark>" in hit["snippet_html"]
    assert {"value": "unknown", "count": 1} in data["facets"]["source"]  # the source facet ignores its own filter


def test_query_csv_has_one_row_per_hit(runner, paths):
    result = run(runner, paths + ["query", "idlib", "--csv", "--sort", "newest"])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["rank", "id", "title", "source", "date", "score", "path", "snippet"]
    assert [r[6] for r in rows[1:]] == ["idlib-summit.txt", "idlib-offensive.txt", "undated.txt"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]


def test_exit_codes_like_grep(runner, paths):
    assert run(runner, paths + ["query", "saraqeb"]).exit_code == 0
    assert run(runner, paths + ["query", "zanzibar"]).exit_code == 1
    bad = run(runner, paths + ["query", "*"])
    assert bad.exit_code == 2 and "Error: A bare * would match every article" in bad.output
    assert run(runner, paths + ["query", "idlib", "--page", "0"]).exit_code == 2
    assert run(runner, paths + ["query", "idlib", "--json", "--csv"]).exit_code == 2


def test_leading_minus_words_are_query_words_not_options(runner, paths):
    result = run(runner, paths + ["query", "idlib", "-putin", "--csv"])
    assert result.exit_code == 0
    assert [r[6] for r in csv.reader(io.StringIO(result.output))][1:] == ["idlib-offensive.txt"]


def test_query_shows_notice_and_suggestion(runner, paths):
    assert "showing articles with any of them" in run(runner, paths + ["query", "saraqeb", "marathon"]).output
    assert "Did you mean: saraqeb" in run(runner, paths + ["query", "sarakeb"]).output
    long = run(runner, paths + ["query", "erdogan", "putin", "sochi", "idlib", "geneva"])
    assert long.exit_code == 0 and "A query of 5 words finds articles with any of them" in long.output


def test_filters_and_paging_options(runner, paths):
    result = run(runner, paths + ["query", "idlib", "--since", "2018-09-10", "--until", "2018-12", "--json"])
    assert [h["path"] for h in json.loads(result.output)["hits"]] == ["idlib-summit.txt"]
    page2 = json.loads(run(runner, paths + ["query", "idlib", "--per-page", "2", "--page", "2", "--json"]).output)
    assert page2["page"] == 2 and len(page2["hits"]) == 1
    beyond = run(runner, paths + ["query", "idlib", "--per-page", "2", "--page", "3"])
    assert beyond.exit_code == 2 and "past the last page" in beyond.output


def test_show_prints_the_article_and_related(runner, paths):
    article_id = json.loads(run(runner, paths + ["query", "sochi", "--json"]).output)["hits"][0]["id"]
    result = run(runner, paths + ["show", article_id])
    assert result.exit_code == 0
    assert result.output.startswith("Erdoğan and Putin meet in Sochi over Idlib\nReuters · 2018-09-17 · idlib-summit.txt")
    assert "negotiations continued late into the night" in result.output
    assert "Related:" in result.output
    data = json.loads(run(runner, paths + ["show", article_id, "--json"]).output)
    assert data["id"] == article_id and data["source"] == "Reuters" and data["related"]


@pytest.mark.parametrize("bad_id", ["nope", "../../etc/passwd", "missing-article-1234567812345678"])
def test_show_unknown_id_is_a_clear_error(runner, paths, bad_id):
    result = run(runner, paths + ["show", bad_id])
    assert result.exit_code == 2 and result.output.startswith("Error: ")


def test_stats(runner, paths):
    data = json.loads(run(runner, paths + ["stats", "--json"]).output)
    assert data["articles"] == 8 and data["first_date"] == "2017-07-11" and data["last_date"] == "2018-10-02"
    assert data["sources"][0] == {"value": "Reuters", "count": 3} and data["index_bytes"] > 0
    text = run(runner, paths + ["stats"]).output
    assert text.startswith("8 articles in ") and "Reuters (3)" in text and "2017-07-11 to 2018-10-02" in text


def test_missing_index_tells_the_next_step(runner, tmp_path):
    result = run(runner, ["--index", str(tmp_path / "none"), "query", "idlib"])
    assert result.exit_code == 2
    assert "No index at" in result.output and "run `search index`" in result.output


def test_busy_index_exits_non_zero_and_loses_nothing(runner, paths):
    index = paths[3]
    with IndexStore(index).writer_lock():
        result = run(runner, paths + ["index", "--wait", "0.2"])
    assert result.exit_code == 2 and "index is busy" in result.output
    with Engine(index) as engine:
        assert engine.stats().articles == 8


def test_full_rebuild_from_the_cli(runner, paths):
    write_article(__import__("pathlib").Path(paths[1]), "x.txt", "Extra", None, None, "Extra text.")
    result = run(runner, paths + ["index", "--full"])
    assert result.exit_code == 0 and "9 articles: 9 added" in result.output and "(full rebuild)" in result.output


def test_python_dash_m_search_works(tmp_path):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "search", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Search a folder of news articles" in out.stdout
