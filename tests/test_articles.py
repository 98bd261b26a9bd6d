"""Reading article files: decoding, front matter, the sidecar, precedence, ids."""
import codecs
import unicodedata

import pytest

from search import articles
from search.articles import (MAX_ARTICLE_BYTES, SkippedFile, article_id, build_article, decode, is_article_id,
                             list_article_files, load_sidecar, read_article, split_front_matter)


def test_utf8_with_bom_is_stripped():
    text, warnings = decode(codecs.BOM_UTF8 + "Erdoğan".encode(), "a.txt")
    assert text == "Erdoğan" and warnings == []


def test_cp1252_fallback_warns_naming_the_file():
    # BBC sport/199.txt has a Latin-1 pound sign like this one
    text, warnings = decode("Price: \xa3300 caf\xe9".encode("cp1252"), "sport/199.txt")
    assert text == "Price: £300 café"
    assert len(warnings) == 1 and "sport/199.txt" in warnings[0] and "cp1252" in warnings[0]


def test_nul_and_control_characters_are_removed():
    text, _ = decode(b"Idl\x00ib\x07 talks\r\nend\x1b", "a.txt")
    assert text == "Idlib talks\nend"


def test_text_is_normalized_to_nfc():
    nfd = unicodedata.normalize("NFD", "Erdoğan café")
    text, _ = decode(nfd.encode(), "a.txt")
    assert text == unicodedata.normalize("NFC", "Erdoğan café") and text != nfd


def test_utf16_with_bom_is_read():
    text, _ = decode("Idlib talks".encode("utf-16"), "a.txt")
    assert text == "Idlib talks"


@pytest.mark.parametrize("data", [b"", b"   \n\t\n", b"\n\x00 \x01  \n   "])
def test_empty_files_are_skipped(data):
    with pytest.raises(SkippedFile, match="a.txt: skipped, it is empty"):
        decode(data, "a.txt")


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + bytes(range(256)), bytes(range(32)) * 50])
def test_binary_files_are_skipped(data):
    with pytest.raises(SkippedFile, match="binary"):
        decode(data, "b.txt")


def test_huge_file_is_indexed_up_to_the_cap(tmp_path):
    (tmp_path / "big.txt").write_text("Headline\n\n" + "é" * MAX_ARTICLE_BYTES, encoding="utf-8")
    result = read_article(tmp_path, "big.txt")
    assert any("indexed up to" in w for w in result.warnings)
    assert len(result.article.body.encode("utf-8")) <= MAX_ARTICLE_BYTES
    assert not any("cp1252" in w for w in result.warnings)  # the cut did not split a UTF-8 sequence


def test_vanished_file_is_skipped_with_a_message(tmp_path):
    with pytest.raises(SkippedFile, match="gone.txt: skipped, it disappeared"):
        read_article(tmp_path, "gone.txt")


def test_front_matter_is_split_and_other_keys_kept():
    meta, body = split_front_matter("---\ntitle: Talks\nDate: 2018-09-17\nurl: http://x\n---\nBody text\n")
    assert meta == {"title": "Talks", "Date": "2018-09-17", "url": "http://x"}  # keys as written
    assert body == "Body text\n"


def test_a_dash_rule_inside_the_text_is_not_front_matter():
    text = "\n\nErdogan meets Putin\n\n---\n\n17/09/2018\n"  # seed 001 has such rules
    assert split_front_matter(text) == ({}, text)
    prose = "---\nThis is a line of prose, not a key\n---\n"
    assert split_front_matter(prose) == ({}, prose)


def test_precedence_front_matter_then_sidecar_then_inference():
    text = "---\ntitle: From front matter\n---\n(Reuters) - Headline line\n\nBody."
    side = {"title": "From sidecar", "source": "afp", "date": "17 September 2018", "author": "A. Writer"}
    article, warnings = build_article("x.txt", text, side)
    assert article.title == "From front matter"
    assert article.source == "AFP"  # canonical spelling
    assert article.date == "2018-09-17"  # normalized
    assert article.extra == {"author": "A. Writer"}
    assert warnings == []


def test_unparseable_front_matter_date_warns_and_stays_unknown():
    article, warnings = build_article("x.txt", "---\ndate: soon\n---\nHeadline\n\nBody", None)
    assert article.date is None
    assert warnings and "x.txt" in warnings[0] and "soon" in warnings[0]


def test_inference_fills_what_is_not_stated():
    text = "Middle East\n\nTalks on Idlib: minister\n\nISTANBUL (Reuters) - Talks began.\n"
    article, _ = build_article("x.txt", text, None)
    assert (article.title, article.source, article.date) == ("Talks on Idlib: minister", "Reuters", None)


def test_title_falls_back_to_the_file_name():
    article, _ = build_article("some_story-name.txt", "a" * 5, None)
    assert article.title  # never empty


def test_sidecar_is_read_and_a_broken_one_is_a_warning(tmp_path):
    (tmp_path / "metadata.csv").write_text("path,source,section\nsub/a.txt,Reuters,World\n,x,y\n", encoding="utf-8")
    entries, warnings = load_sidecar(tmp_path)
    assert entries == {"sub/a.txt": {"source": "Reuters", "section": "World"}} and warnings == []
    (tmp_path / "metadata.csv").write_text("file,source\na.txt,AFP\n", encoding="utf-8")
    entries, warnings = load_sidecar(tmp_path)
    assert entries == {} and "path" in warnings[0]


def test_listing_skips_hidden_files_other_suffixes_and_the_sidecar(tmp_path):
    for name in ["a.txt", "b.md", "c.pdf", ".hidden.txt", ".git/x.txt", "sub/d.TXT", "metadata.csv"]:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    assert [rel for rel, _ in list_article_files(tmp_path)] == ["a.txt", "b.md", "sub/d.TXT"]


def test_ids_are_stable_url_safe_and_distinct():
    a, b = article_id("world/2018/Erdoğan talks.txt"), article_id("world/2018/erdogan-talks.txt")
    assert a == article_id("world/2018/Erdoğan talks.txt")
    assert a != b
    assert is_article_id(a) and is_article_id(b)
    assert a.startswith("world-2018-erdogan-talks-")


@pytest.mark.parametrize("bad", ["../../etc/passwd", "%2e%2e%2f", "/etc/passwd", "a\x00b", "", "A-12345678",
                                 "x" * 200 + "-1234567812345678", "abc-123456781234567g", "abc-12345678"])
def test_malformed_ids_are_rejected(bad):
    assert not is_article_id(bad)


def test_constants_are_documented_values():
    # README quotes these; a change must change the README too
    assert articles.MAX_ARTICLE_BYTES == 1_048_576 and articles.SIDECAR_NAME == "metadata.csv"


def test_reading_a_plain_file_resolves_no_path_and_a_link_still_the_careful_way(tmp_path, monkeypatch):
    import os

    from search import articles as articles_module
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "plain.txt").write_text("Plain words", encoding="utf-8")
    (tmp_path / "alias.txt").symlink_to(tmp_path / "sub" / "plain.txt")
    (tmp_path / "out.txt").symlink_to(tmp_path.parent)
    resolved = []
    real = os.path.realpath
    monkeypatch.setattr(articles_module.os.path, "realpath", lambda *a, **k: resolved.append(a[0]) or real(*a, **k))
    assert articles_module.read_contained(tmp_path, "sub/plain.txt")[0] == b"Plain words"
    assert resolved == []  # folder by folder, without following a link: nothing to resolve
    assert articles_module.read_contained(tmp_path, "alias.txt")[0] == b"Plain words"  # a link inside: allowed
    assert resolved  # ... after resolving it
    with pytest.raises(articles_module.SkippedFile, match="not a regular file|outside"):
        articles_module.read_contained(tmp_path, "out.txt")


def test_an_article_is_read_up_to_the_limit_and_never_past_it_even_if_the_file_grew(tmp_path):
    import os

    from search import articles
    path = tmp_path / "grown.txt"
    path.write_bytes(b"x" * 5000)
    for first, cap, expected in ((11, 100, 100), (5001, 6000, 5000), (100, 5000, 5000), (1, 3, 3)):
        fd = os.open(path, os.O_RDONLY)
        try:
            # `first` as if the file had been measured smaller (it grew): later reads still stop at `cap`
            assert articles._read_fd(fd, first, cap) == b"x" * expected
        finally:
            os.close(fd)
    data, warnings = articles.read_contained(tmp_path, "grown.txt", limit=1024)
    assert data == b"x" * 1024 and warnings == ["grown.txt: larger than 1 KiB, read up to that size"]
