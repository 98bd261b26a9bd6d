"""Hostile files, names, sidecars and ids, and extra keys."""
from __future__ import annotations

import json
import os
import random
import socket
import stat
import threading

import pytest
from click.testing import CliRunner

from search import articles
from search.articles import SkippedFile, article_id, assign_ids, is_article_id, list_article_files, load_sidecar
from search.cli import cli, safe
from search.indexer import sync
from search.searcher import Engine
from tests.factory import write_article

SECRET = "planted-secret-token-4471"


def listed(folder):
    warnings = []
    files = [rel for rel, _ in list_article_files(folder, warn=warnings.append)]
    return files, warnings


def index_cli(folder, index, *extra):
    return CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(index), "index", *extra],
                              catch_exceptions=False)


# -- item 3: names that are not UTF-8 ------------------------------------------------------------------------
def test_a_file_name_that_is_not_utf8_is_skipped_with_a_warning_not_a_crash(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "fine.txt", "Fine article", None, None, "Zanzibar talks.")
    fd = os.open(os.fsencode(folder) + b"/caf\xe9.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"Cafe article\n\nZanzibar again.")
    os.close(fd)
    for extra in ((), ("--full",)):
        result = index_cli(folder, tmp_path / "index", *extra)
        assert result.exit_code == 0, result.output
        assert "warning: caf\\xe9.txt: skipped, its name is not valid UTF-8" in result.stderr
    with Engine(tmp_path / "index") as engine:
        assert [h.path for h in engine.search("zanzibar").hits] == ["fine.txt"]


# -- item 5: links, loops, FIFOs, sockets --------------------------------------------------------------------
def test_a_link_out_of_the_folder_is_refused_with_a_warning(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"Secret\n\n{SECRET}\n")
    folder = tmp_path / "articles"
    write_article(folder, "fine.txt", "Fine article", None, None, "Zanzibar talks.")
    (folder / "leak.txt").symlink_to(outside)
    (folder / "etc.txt").symlink_to("/etc/hostname")
    (folder / "inside.txt").symlink_to(folder / "fine.txt")  # a link that stays inside is read
    os.symlink("loop-b.txt", folder / "loop-a.txt")
    os.symlink("loop-a.txt", folder / "loop-b.txt")
    (folder / "linked-dir").symlink_to(tmp_path)
    files, warnings = listed(folder)
    assert files == ["fine.txt", "inside.txt"]
    assert "leak.txt: skipped, it is a link to a file outside the articles folder" in warnings
    assert "etc.txt: skipped, it is a link to a file outside the articles folder" in warnings
    assert "loop-a.txt: skipped, it is a link that loops" in warnings
    assert "linked-dir/: skipped, a link to a folder is not followed" in warnings
    report = sync(folder, tmp_path / "index")
    assert report.total == 2 and report.skipped == 5  # two links out, two that loop, a folder link
    with Engine(tmp_path / "index") as engine:
        assert engine.search(SECRET).total == 0


def test_a_file_swapped_for_a_link_out_of_the_folder_after_listing_is_not_read(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"Secret\n\n{SECRET}\n")
    folder = tmp_path / "articles"
    write_article(folder, "swap.txt", "Swap", None, None, "Harmless.")
    (folder / "swap.txt").unlink()
    (folder / "swap.txt").symlink_to(outside)
    with pytest.raises(SkippedFile, match="outside the articles folder"):
        articles.read_article(folder, "swap.txt")


def test_fifos_and_sockets_are_skipped_and_a_swapped_fifo_cannot_hang(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "fine.txt", "Fine article", None, None, "Zanzibar talks.")
    os.mkfifo(folder / "pipe.txt")
    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(folder / "sock.txt"))
        files, warnings = listed(folder)
    finally:
        sock.close()
    assert files == ["fine.txt"]
    assert "pipe.txt: skipped, it is not a regular file (a FIFO, socket or device)" in warnings
    assert "sock.txt: skipped, it is not a regular file (a FIFO, socket or device)" in warnings
    # listed as a file, then swapped for a FIFO that no one writes to: opening it must not block
    done = threading.Event()

    def read():
        with pytest.raises(SkippedFile, match="not a regular file"):
            articles.read_article(folder, "pipe.txt")
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(30)
    if not done.is_set():  # unblock the stuck reader so the test run can end, then fail
        os.open(folder / "pipe.txt", os.O_WRONLY | os.O_NONBLOCK)
    assert done.is_set()


def test_a_device_is_skipped(tmp_path):
    folder = tmp_path / "articles"
    write_article(folder, "fine.txt", "Fine article", None, None, "Zanzibar talks.")
    (folder / "null.txt").symlink_to("/dev/null")
    with pytest.raises(SkippedFile, match="outside"):
        articles.read_article(folder, "null.txt")
    try:
        os.mknod(folder / "zero.txt", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device file needs root")
    files, warnings = listed(folder)
    assert files == ["fine.txt"] and "zero.txt: skipped, it is not a regular file (a FIFO, socket or device)" in warnings
    with pytest.raises(SkippedFile, match="not a regular file"):
        articles.read_article(folder, "zero.txt")


# -- item 7: ids ---------------------------------------------------------------------------------------------
def test_ids_carry_64_bits_of_the_path_hash():
    an_id = article_id("world/talks.txt")
    assert is_article_id(an_id) and len(an_id.rsplit("-", 1)[1]) == 16


@pytest.fixture
def colliding(monkeypatch):
    """Every path named like "n12a.txt" gets the same plain id (the slug "a", a constant digest): only salted
    ids differ, as if 64-bit digests collided."""
    real = articles._digest
    monkeypatch.setattr(articles, "_digest", lambda data: real(data) if b"\x00" in data else "0" * 16)
    monkeypatch.setattr(articles, "_ID_SLUG_CHARS", 1)


def test_colliding_ids_are_detected_and_resolved(colliding):
    paths = [f"n{n}a.txt" for n in range(12)]
    ids, salted, warnings = assign_ids(paths)
    assert len(set(ids.values())) == len(paths) and all(is_article_id(i) for i in ids.values())
    assert salted == set(paths) and len(warnings) == 11
    assert "its id a-0000000000000000 is also n0a.txt's; given the id a-" in warnings[0]
    assert assign_ids(list(reversed(paths)))[0] == ids  # the same folder always gets the same ids


def test_colliding_ids_keep_every_article_searchable_across_syncs(tmp_path, colliding):
    folder = tmp_path / "articles"
    for n in range(5, 10):
        write_article(folder, f"n{n}a.txt", f"Article {n}", None, None, f"Zanzibar number{n}.")
    report = sync(folder, tmp_path / "index")
    assert sum("is also" in w for w in report.warnings) == 4 and report.total == 5
    for n in (0, 7, 12):  # new files that collide with old ones (before, amid and after them), incrementally
        write_article(folder, f"n{n}a.txt" if n != 7 else "n7b-a.txt", f"Article {n}", None, None,
                      f"Zanzibar number{n}.")
        sync(folder, tmp_path / "index")
        expected = sorted(p.name for p in folder.iterdir())
        with Engine(tmp_path / "index") as engine:
            # n7a and n7b-a have the same text: one story, so every version is asked for
            hits = engine.search("zanzibar", per_page=100, all_versions=True).hits
            assert sorted(h.path for h in hits) == expected
            assert len({h.id for h in hits}) == len(expected)
            assert all(engine.get(h.id).path == h.path for h in hits)
    (folder / "n0a.txt").unlink()
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        hits = engine.search("zanzibar", per_page=100, all_versions=True).hits
        assert len(hits) == 7 and len({h.id for h in hits}) == 7


# -- item 8: nothing reaches the terminal ---------------------------------------------------------------------
ESCAPES = ["\x1b[31mRED\x1b[0m", "\x1b]0;pwned\x07", "\x9b31m", "\x9d0;pwned\x9c", "\x1b]8;;http://x\x1b\\",
           "\u202eevil", "bell\x07", "back\rspace", "\x00nul"]


def _terminal_bytes_of(output: str) -> set[str]:
    return {ch for ch in output if (ord(ch) < 32 and ch not in "\n\t") or 0x7f <= ord(ch) < 0xa0
            or 0x202a <= ord(ch) <= 0x202e or 0x2066 <= ord(ch) <= 0x2069}


@pytest.fixture
def escaping_collection(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    evil = "".join(ESCAPES)
    name = "esc\x1b[2Jname.txt"
    (folder / name).write_text(f"Zanzibar headline {evil}\n\nZanzibar body text {evil}.\n", encoding="utf-8")
    (folder / "metadata.csv").write_text(f"path,title,source,Section\n{name},Zanzibar {evil},AFP{evil},"
                                         f"World{evil}\n", encoding="utf-8")
    (folder / "front.txt").write_text(f"---\ntitle: Zanzibar front {evil}\nauthor: {evil}\n---\nZanzibar {evil}\n")
    return folder, tmp_path / "index"


@pytest.mark.parametrize("args", [["query", "zanzibar"], ["query", "zanzibar", "--json"],
                                  ["query", "zanzibar", "--csv"], ["stats"], ["stats", "--json"]])
def test_no_control_character_reaches_the_terminal(escaping_collection, args):
    folder, index = escaping_collection
    runner = CliRunner()
    indexed = index_cli(folder, index)
    assert not _terminal_bytes_of(indexed.output) and not _terminal_bytes_of(indexed.stderr)
    result = runner.invoke(cli, ["--articles", str(folder), "--index", str(index), *args], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert not _terminal_bytes_of(result.output), result.output
    if "--json" in args:
        json.loads(result.output)  # still JSON, the characters written as \\u escapes


def test_no_control_character_reaches_the_terminal_from_show(escaping_collection):
    folder, index = escaping_collection
    index_cli(folder, index)
    with Engine(index) as engine:
        ids = [h.id for h in engine.search("zanzibar").hits]
    assert len(ids) == 2
    for an_id in ids:
        for extra in ((), ("--json",)):
            result = CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(index), "show", an_id, *extra],
                                        catch_exceptions=False)
            assert result.exit_code == 0 and "Zanzibar" in result.output
            assert not _terminal_bytes_of(result.output), result.output


def test_safe_drops_controls_and_keeps_text():
    assert safe("a\x1b[31mb\x9bc\u202ed\te\nf") == "a[31mbcd\te\nf"


# -- item 11: one normalisation --------------------------------------------------------------------------------
@pytest.mark.parametrize("written,typed", [("İDLİB offensive", "idlib"), ("Zan\u00adzibar talks", "zanzibar"),
                                           ("Zan\u200bzibar talks", "zanzibar"), ("Zan\u200dzibar", "Zanzibar"),
                                           ("Idlib talks", "İDLİB"), ("Zanzibar talks", "Zan\u00adzibar")])
def test_words_with_turkish_i_or_invisible_characters_are_found(tmp_path, written, typed):
    folder = tmp_path / "articles"
    write_article(folder, "a.txt", "Some headline", None, None, f"The {written} went on.")
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        (hit,) = engine.search(typed).hits
    assert [t for p in hit.snippet for t, m in p if m]  # and the snippet marks it


# -- item 12: small ones ---------------------------------------------------------------------------------------
def test_random_bytes_are_skipped_as_binary(tmp_path):
    rng = random.Random(12)
    for n in range(20):
        data = bytes(rng.randrange(256) for _ in range(2000))
        with pytest.raises(SkippedFile, match="binary"):
            articles.decode(data, f"r{n}.txt")
    text, warnings = articles.decode("Price: £300 for the café in Zürich, naïve.\n".encode("cp1252") * 30, "l.txt")
    assert "£300" in text and warnings  # a Latin-1 text is still read


def test_sidecar_cells_are_cleaned_and_an_open_quote_names_its_row(tmp_path):
    (tmp_path / "metadata.csv").write_text(
        'path,title,Section\n'
        'a.txt,Good \x00title\x1b[31m,World\n'
        'b.txt,"An open quote,Sport\n'
        'c.txt,After the quote,Business\n', encoding="utf-8")
    entries, warnings = load_sidecar(tmp_path)
    assert entries["a.txt"] == {"title": "Good title[31m", "Section": "World"}
    assert "b.txt" not in entries and entries["c.txt"]["title"] == "After the quote"
    assert warnings == ["metadata.csv: row 3 skipped, a quote opened in it is not closed"]


def test_a_sidecar_link_out_of_the_folder_is_ignored(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text(f"path,title\na.txt,{SECRET}\n")
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "metadata.csv").symlink_to(outside)
    entries, warnings = load_sidecar(folder)
    assert entries == {} and "outside the articles folder" in warnings[0]


def test_a_nul_in_a_query_is_never_echoed(client):
    page = client.get("/search?q=%00")
    assert page.status_code in (200, 400)
    assert "\x00" not in page.get_data(as_text=True)
    page = client.get("/search?q=idlib%00syria")
    assert "\x00" not in page.get_data(as_text=True)


# -- extra keys -----------------------------------------------------------------------------
def test_extra_keys_keep_their_spelling_and_show_a_readable_label(tmp_path):
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "a.txt").write_text("---\ntitle: Zanzibar\nISBN: 123\nSection: Sport\n---\nBody.\n")
    (folder / "metadata.csv").write_text("path,photo_credit,section\na.txt,AFP / Someone,World\n")
    sync(folder, tmp_path / "index")
    with Engine(tmp_path / "index") as engine:
        article = engine.get(engine.search("zanzibar").hits[0].id)
    assert article.extra == {"ISBN": "123", "Section": "Sport", "photo_credit": "AFP / Someone"}
    assert [articles.extra_label(k) for k in article.extra] == ["ISBN", "Section", "Photo credit"]
    shown = CliRunner().invoke(cli, ["--articles", str(folder), "--index", str(tmp_path / "index"), "show",
                                     article.id], catch_exceptions=False).output
    assert "Photo credit: AFP / Someone" in shown and "Section: Sport" in shown
    from web import create_app
    client = create_app({"TESTING": True, "SEARCH_INDEX": str(tmp_path / "index")}).test_client()
    page = client.get(f"/article/{article.id}").get_data(as_text=True)
    assert "<dt>Photo credit</dt>" in page and "<dt>ISBN</dt>" in page


def test_assigning_ids_to_a_large_folder_looks_closely_only_at_equal_digests(monkeypatch):
    calls = []
    real = articles.article_id
    monkeypatch.setattr(articles, "article_id", lambda rel, salt=0: calls.append(rel) or real(rel, salt))
    paths = [f"world/{n}.txt" for n in range(5000)]
    ids, salted, warnings = assign_ids(paths)
    assert calls == [] and not salted and not warnings  # a sync lists every file: no slug is made for it
    assert ids["world/7.txt"] == real("world/7.txt")
