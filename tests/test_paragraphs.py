"""Hard-wrapped text read as paragraphs: detection, rejoining, and what the article page, `show` and passages see."""
from __future__ import annotations

import json
import textwrap

from click.testing import CliRunner

from search import paragraphs, snippets
from search.analysis import term_for
from search.cli import cli
from search.indexer import sync
from tests.factory import write_article

PARAGRAPH_1 = ("The U.S. Agriculture Department reported the farmer-owned reserve national five-day average price "
               "through February 25, and said the figures would be revised once the harvest reports from the "
               "southern states had been received and checked by its regional offices.")
PARAGRAPH_2 = ("Traders said the report was in line with their expectations and that prices would stay firm for "
               "the rest of the month, as export demand from Asia remained strong despite the higher freight "
               "rates charged by shipowners.")


def wrapped(text: str, width: int = 65, indent: str = "") -> str:
    return textwrap.fill(text, width, initial_indent=indent)


REUTERS_LIKE = "\n".join([
    wrapped("WASHINGTON, Feb 26 - " + PARAGRAPH_1),
    wrapped(PARAGRAPH_2, indent="    "),
    "    Shr 34 cts vs 1.19 dlrs",
    "    Net 807,000 vs 2,858,000",
    "",
    "- first item of a list",
    "- second item of a list",
    "",
    wrapped("A last paragraph after a blank line, long enough to wrap over two lines of the file at sixty-five "
            "characters."),
])


def test_a_hard_wrapped_text_is_recognised_and_a_paragraph_per_line_text_is_not():
    assert paragraphs.is_hard_wrapped(REUTERS_LIKE)
    assert not paragraphs.is_hard_wrapped(PARAGRAPH_1 + "\n" + PARAGRAPH_2 + "\n" + PARAGRAPH_1 + "\n" + PARAGRAPH_2)
    assert not paragraphs.is_hard_wrapped("Headline\n\nShort line one.\nShort line two.\nShort line three.")
    poem = "\n".join(["The rain it raineth every day,", "upon the just and unjust fellow,",
                      "but more upon the just, because", "the unjust hath the just's umbrella."] * 3)
    assert not paragraphs.is_hard_wrapped(poem)


def test_lines_are_rejoined_into_paragraphs_and_lists_tables_and_breaks_stay():
    lines = paragraphs.reflow(REUTERS_LIKE).split("\n")
    assert lines[0] == "WASHINGTON, Feb 26 - " + PARAGRAPH_1
    assert lines[1].strip() == PARAGRAPH_2  # an indented line starts a new paragraph
    assert lines[2:4] == ["    Shr 34 cts vs 1.19 dlrs", "    Net 807,000 vs 2,858,000"]
    assert lines[4] == "" and lines[5:7] == ["- first item of a list", "- second item of a list"] and lines[7] == ""
    assert lines[8].startswith("A last paragraph") and lines[8].endswith("sixty-five characters.")
    assert len(lines) == 9


def test_a_text_that_is_not_wrapped_comes_back_unchanged():
    text = PARAGRAPH_1 + "\n\n" + PARAGRAPH_2 + "\n\n" + PARAGRAPH_1
    assert paragraphs.reflow(text) is text


def test_a_date_line_and_a_table_keep_their_lines():
    text = "\n".join([wrapped(PARAGRAPH_1), "September 17, 2018", wrapped(PARAGRAPH_2),
                      "Wheat   2.55   2.40       IV     4.65", "Corn    1.35   1.92       IV     3.15"])
    lines = paragraphs.reflow(text).split("\n")
    assert lines == [PARAGRAPH_1, "September 17, 2018", PARAGRAPH_2,
                     "Wheat   2.55   2.40       IV     4.65", "Corn    1.35   1.92       IV     3.15"]


def test_a_word_broken_at_a_hyphen_is_joined_without_a_space_and_keeps_its_hyphen():
    # "well-\nknown" must stay "well-known": without a dictionary a soft hyphen cannot be told apart
    text = "\n".join([
        "The committee examined the proposals for a new agricultural inter-",
        "national agreement on wheat and asked the ministers for a decision",
        "before the end of the year, when the current agreement expires and",
        "the reserve prices would otherwise fall back to the levels of 1985",
        "according to the department."])
    assert "agricultural inter-national agreement" in paragraphs.reflow(text)


def test_a_very_long_text_is_rejoined_whole():
    text = "\n\n".join([wrapped(PARAGRAPH_1)] * 5000)
    out = paragraphs.reflow(text)
    assert out.split("\n\n") == [PARAGRAPH_1] * 5000


def test_passages_reach_sentence_boundaries_in_wrapped_text():
    # the index stores the reflowed text: passages are cut from it
    found = snippets.passages(paragraphs.reflow(REUTERS_LIKE), {term_for("harvest")}, size=400)
    text = snippets.plain(found)
    # one sentence that spans four lines of the file, whole, with no line break cutting it
    assert text == PARAGRAPH_1[PARAGRAPH_1.index("Agriculture"):]


def _collection(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "grain.txt", "Farmer-owned reserve prices", "1987-02-26", "Reuters", REUTERS_LIKE)
    sync(folder, tmp_path / "index")
    return ["--articles", str(folder), "--index", str(tmp_path / "index")]


def test_search_show_and_the_article_page_print_the_paragraphs(tmp_path):
    base = _collection(tmp_path)
    runner = CliRunner()
    found = json.loads(runner.invoke(cli, base + ["query", "harvest", "--json"]).output)
    article_id = found["hits"][0]["id"]
    assert "checked by its regional offices." in found["hits"][0]["snippet"]
    shown = runner.invoke(cli, base + ["show", article_id, "--json"])
    assert PARAGRAPH_1 in json.loads(shown.output)["text"]

    from web import create_app
    client = create_app({"TESTING": True, "SEARCH_INDEX": base[3], "SEARCH_ARTICLES": base[1]}).test_client()
    page = client.get(f"/article/{article_id}").get_data(as_text=True)
    assert f"<p>WASHINGTON, Feb 26 - {PARAGRAPH_1}</p>" in page


def test_a_huge_line_in_a_wrapped_text_is_only_looked_at_from_its_start(monkeypatch):
    seen = []
    original = paragraphs._TABLE

    class Spy:
        def search(self, text):
            seen.append(len(text))
            return original.search(text)
    monkeypatch.setattr(paragraphs, "_TABLE", Spy())
    huge = ("word    " * 200_000).strip()
    text = "\n".join([wrapped(PARAGRAPH_1), huge, wrapped(PARAGRAPH_2)])
    out = paragraphs.reflow(text)
    assert huge in out and max(seen) <= 2 * paragraphs.MAX_WIDTH
