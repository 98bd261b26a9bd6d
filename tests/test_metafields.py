"""Every metadata field: which become facet columns, which are offered as facets, and field:value in queries."""
from __future__ import annotations

import pytest

from search import metafields
from search.metafields import FacetSettings, facet_values, field_name, offered
from search.query import Not, Or, Word, parse


@pytest.mark.parametrize("key,name", [("Section", "section"), ("photo-credit", "photo_credit"),
                                      ("Photo Credit", "photo_credit"), ("source", None), ("title", None),
                                      ("q", None), ("2nd", None), ("a" * 40, None), ("se;ction", None)])
def test_field_names(key, name):
    assert field_name(key) == name


def test_facet_values_keep_short_values_of_plain_fields():
    extra = {"section": "  Middle   East ", "author": "Jane Doe", "description": "x" * 500, "Title": "no",
             "bad key!": "v", "empty": "  "}
    assert facet_values(extra) == {"section": "Middle East", "author": "Jane Doe"}


def test_a_hostile_front_matter_gives_a_bounded_number_of_columns():
    extra = {f"field{i}": "v" for i in range(1000)}
    assert len(facet_values(extra)) == metafields.MAX_FIELDS_PER_ARTICLE


@pytest.mark.parametrize("fields,limit,expected", [
    ("", "", FacetSettings(None, metafields.DEFAULT_MAX_VALUES)),
    ("auto", "5", FacetSettings(None, 5)),
    ("none", None, FacetSettings((), metafields.DEFAULT_MAX_VALUES)),
    ("Section, author,section,title", "x", FacetSettings(("section", "author"), metafields.DEFAULT_MAX_VALUES)),
    ("section", "100000", FacetSettings(("section",), metafields.MAX_VALUES_LIMIT)),
])
def test_settings_from_their_text(fields, limit, expected):
    assert FacetSettings.parse(fields, limit) == expected


def test_settings_from_the_environment():
    env = {"SEARCH_FACETS": "section,place", "SEARCH_FACET_MAX_VALUES": "30"}
    assert FacetSettings.from_env(env) == FacetSettings(("section", "place"), 30)
    assert FacetSettings.from_env({}) == FacetSettings()


def test_the_automatic_choice_offers_fields_with_few_values():
    sizes = {"section": 5, "author": 900, "place": 1, "topic": 10, "kind": 11}
    assert offered(sizes, FacetSettings()) == ["section", "topic"]
    assert offered(sizes, FacetSettings(None, 2)) == []
    assert offered(sizes, FacetSettings(("author", "section", "missing"))) == ["section"]  # 900 is no facet
    assert offered(sizes, FacetSettings(())) == []
    # a field that most articles lack is no facet unless the settings name it
    assert offered(sizes, FacetSettings(), {"section": 0.4, "topic": 0.5}) == ["topic"]
    assert offered(sizes, FacetSettings(("section",)), {"section": 0.1}) == ["section"]


def test_field_value_for_a_known_metadata_field():
    parsed = parse('idlib section:sport -author:"Jane Doe"', fields=["section", "author"])
    assert parsed.root.nodes == [Word("idlib"), Word("sport", "section", "meta"),
                                 Not(Word("Jane Doe", "author", "meta"))]
    assert parsed.scored and not parsed.plain


def test_a_field_group_is_each_a_whole_value_and_filters_alone_rank_by_date():
    parsed = parse("section:(sport OR politics)", fields=["section"])
    assert parsed.root.nodes == [Or([Word("sport", "section", "meta"), Word("politics", "section", "meta")])]
    assert not parsed.scored  # only a filter: nothing to rank by


def test_an_unknown_field_is_searched_as_words_and_noted():
    parsed = parse("sectoin:sport idlib https://example.com/a", fields=["section"])
    assert parsed.unknown_fields == ["sectoin"]
    assert parsed.root.nodes[0] == Word("sectoin:sport")


def test_the_built_in_fields_keep_their_meaning_whatever_the_index_has():
    parsed = parse("source:reuters title:idlib", fields=["source", "title", "section"])
    assert parsed.root.nodes == [Word("reuters", "source"), Word("idlib", "title")]


# --- through the engine, the CLI and the web -----------------------------------------------------------

import json  # noqa: E402

from click.testing import CliRunner  # noqa: E402

from search.cli import cli  # noqa: E402
from search.errors import QueryError  # noqa: E402
from search.indexer import sync  # noqa: E402
from search.searcher import Engine  # noqa: E402

SECTIONS = {"business": 4, "politics": 3, "sport": 2, "tech": 2, "entertainment": 1}


def bbc_like(folder):
    """A BBC-like collection: front matter with a section (5 values) and an author for each (12 values)."""
    n = 0
    for section, count in SECTIONS.items():
        for i in range(count):
            n += 1
            (folder / f"{section}-{i}.txt").parent.mkdir(parents=True, exist_ok=True)
            (folder / f"{section}-{i}.txt").write_text(
                f"---\ntitle: Story {n} about {section}\nsource: BBC\nsection: {section.title() if n == 1 else section}"
                f"\nauthor: Writer {n}\n---\nThe election campaign and the {section} news of day {n}.\n",
                encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def bbc(tmp_path_factory):
    root = tmp_path_factory.mktemp("bbc")
    articles = bbc_like(root / "articles")
    sync(articles, root / "index")
    return articles, root / "index"


def test_section_is_a_facet_of_five_values_and_author_is_not(bbc):
    with Engine(bbc[1]) as engine:
        results = engine.search("election")
    # "Business" once and "business" three times are one value, shown in one of its spellings
    assert [(v.value.lower(), v.count) for v in results.facets["section"]] == [
        ("business", 4), ("politics", 3), ("sport", 2), ("tech", 2), ("entertainment", 1)]
    assert "author" not in results.facets  # 12 values: more than the 10 a facet has by default


def test_the_facet_settings_choose_the_fields(bbc):
    with Engine(bbc[1], facets=FacetSettings(("author",))) as engine:
        assert list(engine.search("election").facets) == ["source", "date", "author"]
    with Engine(bbc[1], facets=FacetSettings(None, 20)) as engine:
        assert list(engine.search("election").facets) == ["source", "date", "author", "section"]
    with Engine(bbc[1], facets=FacetSettings(())) as engine:
        assert list(engine.search("election").facets) == ["source", "date"]


def test_field_value_finds_the_articles_with_that_value(bbc):
    with Engine(bbc[1]) as engine:
        assert engine.search("section:sport").total == 2
        assert engine.search("section:business").total == 4  # "Business" and "business": case aside
        assert engine.search('author:"writer 3"').total == 1
        assert engine.search("election -section:politics").total == 9
        assert engine.search("section:(sport OR tech)").total == 4


def test_filters_are_multi_select(bbc):
    with Engine(bbc[1]) as engine:
        results = engine.search("election", filters={"section": ["sport", "tech"]})
    assert results.total == 4
    # the section counts ignore the section filter, so another section can be added
    assert {v.value: v.count for v in results.facets["section"]}["politics"] == 3
    assert [(v.value, v.count) for v in results.facets["source"]] == [("BBC", 4)]


def test_a_filter_on_a_field_no_article_has_is_refused(bbc):
    with Engine(bbc[1]) as engine, pytest.raises(QueryError, match="fields are: author, section"):
        engine.search("election", filters={"sectoin": ["sport"]})


def test_an_unknown_field_in_the_query_gets_a_hint(bbc):
    with Engine(bbc[1]) as engine:
        results = engine.search("sectoin:sport")
    assert 'No article has a metadata field "sectoin"' in results.notice
    assert "section" in results.notice


def test_cli_filter_and_facet_lines(bbc):
    base = ["--articles", str(bbc[0]), "--index", str(bbc[1])]
    result = CliRunner().invoke(cli, base + ["query", "election", "--filter", "section=sport", "--json"])
    data = json.loads(result.output)
    assert data["total"] == 2 and {v["value"].lower() for v in data["facets"]["section"]} == set(
        ["business", "politics", "sport", "tech", "entertainment"])
    shown = CliRunner(env={"NO_COLOR": "1"}).invoke(cli, base + ["query", "election"]).output
    assert "politics (3), sport (2), tech (2), entertainment (1)" in shown and "usiness (4)" in shown
    bad = CliRunner().invoke(cli, base + ["query", "election", "--filter", "section"])
    assert bad.exit_code == 2 and "FIELD=VALUE" in bad.output
    exported = CliRunner().invoke(cli, base + ["export", "--filter", "section=tech"])
    assert len(exported.output.splitlines()) == 2



def test_like_and_export_take_the_same_filters_as_query(bbc, tmp_path):
    base = ["--articles", str(bbc[0]), "--index", str(bbc[1])]
    example = tmp_path / "example.txt"
    example.write_text("The election campaign news. The election campaign news of the day.", encoding="utf-8")
    liked = CliRunner().invoke(cli, base + ["like", str(example), "--filter", "section=sport", "--json"])
    assert liked.exit_code == 0, liked.output
    data = json.loads(liked.output)
    assert data["total"] == 2 and all(h["path"].startswith("sport-") for h in data["hits"])
    bad = CliRunner().invoke(cli, base + ["export", "--filter", "section"])
    assert bad.exit_code == 2 and "FIELD=VALUE" in bad.output
    # a -word is a query word for export too, never the help flag
    words = CliRunner().invoke(cli, base + ["export", "election", "-thatcher"])
    assert words.exit_code == 0 and "Usage:" not in words.output and len(words.output.splitlines()) == 12

def test_web_metadata_facet_checkboxes_chips_and_export(bbc):
    from web import create_app
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(bbc[1]),
                         "SEARCH_ARTICLES": str(bbc[0])}).test_client()
    page = client.get("/search?q=election&f.section=sport&f.section=tech").get_data(as_text=True)
    assert '<legend>Section</legend>' in page
    assert 'name="f.section" value="sport" checked' in page and 'name="f.section" value="politics">' in page
    assert "section sport" in page and "Clear all filters" in page  # the chips
    assert client.get("/api/search?q=election&f.section=sport").get_json()["total"] == 2
    lines = client.get("/export.jsonl?q=election&f.section=sport").get_data(as_text=True).splitlines()
    assert len(lines) == 2
    assert client.get("/search?q=election&f.nope=x").status_code == 400
    with_settings = create_app({"TESTING": True, "SEARCH_INDEX": str(bbc[1]), "SEARCH_ARTICLES": str(bbc[0]),
                                "SEARCH_FACETS": "author"}).test_client()
    assert '<legend>Author</legend>' in with_settings.get("/search?q=election").get_data(as_text=True)


def test_metadata_values_are_escaped_on_the_page(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i, section in enumerate(["<script>alert(1)</script>", "safe"]):
        (folder / f"{i}.txt").write_text(f"---\ntitle: T{i}\nsection: {section}\n---\nElection text.\n",
                                         encoding="utf-8")
    sync(folder, tmp_path / "index")
    from web import create_app
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(tmp_path / "index"),
                         "SEARCH_ARTICLES": str(folder)}).test_client()
    page = client.get("/search?q=election").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_a_value_with_commas_is_found_whole(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ntitle: A\nauthor: Ezgi Erkoyun, Tuvan Gumrukcu\n---\nElection text.\n",
                                  encoding="utf-8")
    (folder / "b.txt").write_text("---\ntitle: B\nauthor: Ezgi Erkoyun\n---\nElection text.\n", encoding="utf-8")
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        assert [h.path for h in engine.search('author:"ezgi erkoyun, tuvan gumrukcu"').hits] == ["a.txt"]
        assert [h.path for h in engine.search("election", filters={"author": ["Ezgi Erkoyun"]}).hits] == ["b.txt"]
        results = engine.search("election", filters={"author": ["Ezgi Erkoyun, Tuvan Gumrukcu"]})
        assert [h.path for h in results.hits] == ["a.txt"]
        assert {v.value for v in results.facets["author"]} == {"Ezgi Erkoyun, Tuvan Gumrukcu", "Ezgi Erkoyun"}


def test_a_field_few_articles_have_is_not_offered_by_default(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(5):
        credit = f"\nphoto_credit: Agency {i}" if i < 2 else ""
        (folder / f"{i}.txt").write_text(f"---\ntitle: T{i}{credit}\n---\nElection text {i}.\n", encoding="utf-8")
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        assert "photo_credit" not in engine.search("election").facets
        assert engine.search("photo_credit:\"agency 1\"").total == 1  # still a filter
    with Engine(tmp_path / "index", facets=FacetSettings(("photo_credit",))) as engine:
        counts = {v.value: v.count for v in engine.search("election").facets["photo_credit"]}
        assert counts == {"Agency 0": 1, "Agency 1": 1, "unknown": 3}


def test_thousands_of_field_names_give_a_bounded_number_of_columns(tmp_path):
    from search.storage.format import MAX_FACET_COLUMNS
    folder = tmp_path / "articles"
    folder.mkdir()
    for i in range(40):
        fields = "\n".join(f"f{i}_{k}: v" for k in range(20))
        common = "section: world\n" if i % 2 else ""
        (folder / f"{i}.txt").write_text(f"---\ntitle: T{i}\n{common}{fields}\n---\nElection {i}.\n",
                                         encoding="utf-8")
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine, engine.view() as view:
        names = view.facet_names()
        assert len(names) <= MAX_FACET_COLUMNS and "source" in names and "section" in names
        assert engine.search("section:world").total == 20
