"""The command line as a user meets it, through click's CliRunner."""
import csv
import io
import json

import pytest
from click.testing import CliRunner

from search.cli import cli
from search.searcher import Engine
from search.store import IndexStore
from tests.factory import ARTICLES, make_index, write_article, write_collection


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
    folder = write_collection(tmp_path / "articles")
    result = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert result.exit_code == 0
    n = len(ARTICLES)
    assert result.output.startswith(f"{n} articles: {n} added, 0 updated, 0 removed, 0 unchanged in ")
    assert "Indexing" not in result.output and "Indexing" not in result.stderr
    again = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert f"0 added, 0 updated, 0 removed, {n} unchanged" in again.output


def test_index_warnings_go_to_stderr(runner, tmp_path):
    folder = write_collection(tmp_path / "articles")
    (folder / "empty.txt").write_bytes(b"")
    result = run(runner, ["--articles", str(folder), "--index", str(tmp_path / "ix"), "index"])
    assert "warning: empty.txt: skipped, it is empty" in result.stderr
    assert "1 skipped" in result.stdout


def test_environment_variables_choose_the_folders(runner, tmp_path):
    folder, index = make_index(tmp_path)
    result = run(runner, ["stats", "--json"], env={"SEARCH_ARTICLES": str(folder), "SEARCH_INDEX": str(index)})
    assert json.loads(result.output)["articles"] == len(ARTICLES)


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
    assert data["query"] == "idlib" and data["total"] == 3 and data["page"] == 1
    hit = data["hits"][0]
    assert set(hit) == {"id", "title", "date", "source", "path", "score", "snippet", "snippet_html", "story", "versions"}
    assert "<mark>Idlib</mark>" in hit["snippet_html"]
    assert {"value": "unknown", "count": 1} in data["facets"]["source"]  # the source facet ignores its own filter


def test_query_csv_has_one_row_per_hit(runner, paths):
    result = run(runner, paths + ["query", "idlib", "--csv", "--sort", "newest"])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert rows[0] == ["rank", "id", "title", "source", "date", "score", "path", "snippet"]
    assert [r[6] for r in rows[1:]] == ["hostile.txt", "idlib-summit.txt", "idlib-offensive.txt", "undated.txt"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3", "4"]


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
    assert [r[6] for r in csv.reader(io.StringIO(result.output))][1:] == ["idlib-offensive.txt", "hostile.txt"]


def test_query_shows_notice_and_suggestion(runner, paths):
    assert "showing articles with any of them" in run(runner, paths + ["query", "saraqeb", "marathon"]).output
    assert "Did you mean: saraqeb" in run(runner, paths + ["query", "sarakeb"]).output
    long = run(runner, paths + ["query", "erdogan", "putin", "sochi", "idlib", "geneva"])
    assert long.exit_code == 0 and "A query of 5 words finds articles with any of them" in long.output


def test_filters_and_paging_options(runner, paths):
    result = run(runner, paths + ["query", "idlib", "--since", "2018-09-10", "--until", "2018-12", "--json"])
    assert [h["path"] for h in json.loads(result.output)["hits"]] == ["idlib-summit.txt", "hostile.txt"]
    page2 = json.loads(run(runner, paths + ["query", "idlib", "--per-page", "3", "--page", "2", "--json"]).output)
    assert page2["page"] == 2 and len(page2["hits"]) == 1
    beyond = run(runner, paths + ["query", "idlib", "--per-page", "3", "--page", "3"])
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
    assert data["articles"] == len(ARTICLES) and data["first_date"] == "2017-07-11" and data["last_date"] == "2018-10-02"
    assert data["sources"][0] == {"value": "Reuters", "count": 4} and data["index_bytes"] > 0
    text = run(runner, paths + ["stats"]).output
    assert text.startswith(f"{len(ARTICLES)} articles in ") and "Reuters (4)" in text and "2017-07-11 to 2018-10-02" in text


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
        assert engine.stats().articles == len(ARTICLES)


def test_full_rebuild_from_the_cli(runner, paths):
    write_article(__import__("pathlib").Path(paths[1]), "x.txt", "Extra", None, None, "Extra text.")
    result = run(runner, paths + ["index", "--full"])
    n = len(ARTICLES) + 1
    assert result.exit_code == 0 and f"{n} articles: {n} added" in result.output and "(full rebuild)" in result.output


def test_python_dash_m_search_works(tmp_path):
    import subprocess
    import sys
    out = subprocess.run([sys.executable, "-m", "search", "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0 and "Search a folder of news articles" in out.stdout


# -- usability: traps a first-time user falls into ------------------------------------------------------------------
@pytest.mark.parametrize("word", ["-thatcher", "-h", "-shah", "-help"])
def test_a_minus_word_with_an_h_is_a_query_word_never_the_help(runner, paths, word):
    result = run(runner, paths + ["query", "idlib", word, "--csv"])
    assert "Usage:" not in result.output and result.exit_code in (0, 1)
    assert result.output.startswith("rank,id,title")


def test_query_help_is_still_there_as_long_option(runner):
    result = run(runner, ["query", "--help"])
    assert result.exit_code == 0 and "Words starting with" not in result.output and "--per-page" in result.output
    assert "-h," not in result.output  # only --help


def test_passages_wrap_on_a_terminal_with_colour_without_splitting_words(runner, tmp_path, monkeypatch):
    body = ("The negotiations over Idlib province continued late into the night while diplomats from "
            "Ankara and Moscow argued about observation posts, ceasefire lines and the accountancy of aid. ") * 2
    folder = tmp_path / "articles"
    write_article(folder, "long.txt", "Talks", "2018-09-17", "Reuters", body)
    paths = ["--articles", str(folder), "--index", str(tmp_path / "ix")]
    run(runner, paths + ["index"])
    monkeypatch.setattr("search.cli._use_colour", lambda: True)
    result = run(runner, paths + ["query", "idlib", "accountancy"], color=True, env={"COLUMNS": "60"})
    plain = click_unstyle(result.output)
    lines = [line for line in plain.splitlines() if line.startswith("   ") and "Reuters" not in line]
    assert len(lines) >= 3 and all(len(line) <= 60 for line in lines)  # wrapped to the terminal
    assert "\x1b[" in result.output  # and still coloured
    words = set(body.replace(",", " ").replace(".", " ").split())
    for line in lines:  # every piece of every line is a whole word of the text: no "accou" + "ntancy"
        assert set(line.replace(",", " ").replace(".", " ").replace("…", " ").split()) <= words, line


def click_unstyle(text: str) -> str:
    import click
    return click.unstyle(text)


def test_passages_wrap_when_piped_and_mark_matches_in_brackets(runner, paths):
    result = run(runner, paths + ["query", "negotiations"], env={"COLUMNS": "40"})
    passage = [line for line in result.output.splitlines() if line.startswith("   ") and " · " not in line]
    assert passage and all(len(line) <= 40 for line in passage)
    assert "[negotiations]" in result.output


def test_page_options_are_named_as_typed(runner, paths):
    big = run(runner, paths + ["query", "idlib", "--per-page", "101"])
    assert big.exit_code == 2 and big.output == "Error: --per-page must be between 1 and 100.\n"
    zero = run(runner, paths + ["query", "idlib", "--page", "0"])
    assert zero.exit_code == 2 and zero.output == "Error: --page must be 1 or more.\n"


def test_query_without_words_lists_every_article_newest_first_like_the_web(runner, paths):
    result = run(runner, paths + ["query", "--csv"])
    assert result.exit_code == 0
    dates = [row[4] for row in csv.reader(io.StringIO(result.output))][1:]
    assert len(dates) == len(ARTICLES) and [d for d in dates if d] == sorted([d for d in dates if d], reverse=True)
    assert "--since" in run(runner, ["query", "--help"]).output


def test_the_time_is_said_in_milliseconds(runner, paths):
    import re
    summary = run(runner, paths + ["query", "saraqeb"]).output
    assert re.search(r"1-1 of 1 result \(\d+(\.\d)? ms\)", summary), summary
    from search.cli import _duration
    assert [_duration(0.004), _duration(4.25), _duration(12.4), _duration(2500)] == ["0.0 ms", "4.2 ms", "12 ms",
                                                                                      "2.50 s"]


def test_serve_on_a_port_in_use_is_one_line_and_exit_2(runner, paths):
    import socket
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = runner.invoke(cli, paths + ["serve", "--port", str(port)])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and result.output.startswith(f"Error: Cannot listen on 127.0.0.1:{port}: ")
    assert "in use" in result.output and "Traceback" not in result.output and "Serving" not in result.output


def test_serve_rejects_a_base_url_that_is_not_one(runner, paths):
    result = runner.invoke(cli, paths + ["serve", "--base-url", "ftp://x/y"])
    assert result.exit_code == 2 and "--base-url" in result.output and "Traceback" not in result.output


def test_serve_starts_with_the_base_url_it_is_given(runner, paths, monkeypatch):
    started = {}

    class FakeServer:
        def run(self):
            started["ran"] = True

        def close(self):
            started["closed"] = True

    def fake_create_server(app, host, port, threads):
        started.update(base=app.config["SEARCH_BASE_URL"], host=host, port=port)
        return FakeServer()
    monkeypatch.setattr("web.server.create_server", fake_create_server)
    result = run(runner, paths + ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert started == {"base": "http://127.0.0.1:8123", "host": "0.0.0.0", "port": 8123, "ran": True, "closed": True}
    assert result.output.startswith("Serving the article search on http://127.0.0.1:8123/")
    run(runner, paths + ["serve", "--base-url", "https://News.Example.org/"])
    assert started["base"] == "https://news.example.org"


def test_a_coloured_title_stays_bold_after_its_match(runner, paths, monkeypatch):
    monkeypatch.setattr("search.cli._use_colour", lambda: True)
    first = run(runner, paths + ["query", "sochi"], color=True).output.splitlines()[0]
    after_match = first.split("Sochi", 1)[1]
    assert after_match.startswith("\x1b[0m\x1b[1m over Idlib"), repr(first)


def test_the_engine_and_the_command_line_import_nothing_of_the_web():
    """search/ is the engine and its command line: no module of it imports web/ (serve is loaded by name)."""
    import ast
    from pathlib import Path
    package = Path(__file__).resolve().parent.parent / "search"
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            assert not any(n == "web" or n.startswith("web.") for n in names), path


def test_explain_prints_the_parse_and_the_plan_instead_of_hits(runner, paths):
    result = runner.invoke(cli, paths + ["query", "--explain", "--source", "Reuters", "--since", "2018-09",
                                         "Erdogan's", "idl*", "-Geneva"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "parsed:    AND(Erdogan's, idl*, NOT Geneva)" in out
    assert "Erdogan's -> erdogan  [word; title, body]" in out and "Geneva -> geneva  [excluded word; title, body]" in out
    assert "title:idlib ^" in out and "body:idlib" in out  # the prefix as the index words it stands for
    assert "filters:   source: Reuters; date: 2018-09-01 to *" in out
    assert "Putin" not in out  # no hit is printed


def test_explain_names_the_reading_a_search_chose(runner, paths):
    long = run(runner, paths + ["query", "--explain", "oil", "wheat", "runner", "summit"]).output
    assert "reading:   any word, the most first (4 words" in long and "\n  OR\n" in long
    fallback = run(runner, paths + ["query", "--explain", "oil", "marathon"]).output
    assert "reading:   any word (no article has them all)" in fallback
    exact = run(runner, paths + ["query", "--explain", "oil", "prices"]).output
    assert "reading:   all words" in exact and "\n  AND\n" in exact


def test_explain_as_json_and_its_errors(runner, paths):
    data = json.loads(run(runner, paths + ["query", "--explain", "--json", "oil"]).output)
    assert data["words"] == [{"word": "oil", "kind": "word", "field": "title, body", "stem": "oil"}]
    assert data["matched"] == 1 and data["limits"]["MAX_QUERY_CHARS"] == 500
    bad = runner.invoke(cli, paths + ["query", "--explain", "*"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_explain_shows_an_example_text_read_like_this(runner, paths, tmp_path):
    text = tmp_path / "example.txt"
    text.write_text("Erdogan and Putin met over Idlib. Idlib talks went on; Erdogan called for a ceasefire in Idlib.",
                    encoding="utf-8")
    out = run(runner, paths + ["like", str(text), "--explain"]).output
    assert "reading:   like this text: any of its" in out and "(not parsed: an example text of" in out
    assert "idlib -> idlib  [example word (used 3x," in out
    long = run(runner, paths + ["query", "--explain", "idlib " * 120]).output  # too long for a query: an example
    assert "reading:   like this text" in long
