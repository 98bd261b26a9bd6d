"""Stories: signatures, grouping, labels kept through syncs, and collapsing results (engine level)."""
from __future__ import annotations

import os

import numpy as np
import pytest

from search import indexer, stories, story_file, story_results, story_signatures
from search.articles import article_id
from search.indexer import sync
from search.searcher import Engine
from search.storage.view import IndexView
from tests.factory import write_article, write_collection
from tests.stories_factory import OTHER, VERSIONED, WIRE, labels_in, live_generation, rewrite_header

ORIGINAL, MIRROR, COPY_PATH, REBELS = (s[0] for s in VERSIONED[-4:])


def table_of(specs):
    return stories.make_table([(article_id(p), p, "sig", title, body) for p, title, _d, _s, body in specs])


# -- cleaning and signatures --------------------------------------------------------------------------------
def test_clean_text_drops_headline_chrome_and_captions_and_keeps_wrapped_paragraphs():
    body = ("Putin, Erdogan strike deal\nHome | World | Middle East\nShare this article\nTweet\n"
            "Photo: Putin and Erdogan in Sochi. / AFP\nMourners in Qamishli on Friday. REUTERS/Rodi Said\n"
            "ANKARA (Reuters) - The two leaders agreed on a zone\nin Idlib province on\nMonday.\n"
            "(Reporting by Tulay Karadeniz; Editing by Jon Boyle)\nFollow us on Twitter for the latest news.")
    cleaned = story_signatures.clean_text(body, "Putin, Erdogan strike deal")
    assert cleaned == "ankara (reuters) - the two leaders agreed on a zone\nin idlib province on\nmonday."


@pytest.mark.parametrize("line", [
    "Mourners in Qamishli on Friday. REUTERS/Rodi Said", "Putin and Erdogan in Sochi. / AFP",
    "The summit in Sochi (AFP Photo)", "reuters/", "A line without a credit at its end.", "x" * 60 + " / AFP",
    "Credit / AFP " + "y" * 50, "(AP photo)", "ANKARA (Reuters) - The two leaders agreed", ""])
def test_the_credit_guard_answers_as_the_credit_pattern(line):
    credit = story_signatures._line_patterns()[1]
    assert story_signatures._credited(line, credit) == (credit.search(line, max(0, len(line) - 40)) is not None)


def test_term_hashes_do_not_depend_on_where_a_term_stands():
    a = story_signatures.term_hashes([b"idlib", b"deal", b"hold"])
    # a vocabulary key's field byte left out
    b = story_signatures.term_hashes([b"\x02deal", b"\x02on", b"\x02idlib"], skip=1)
    assert a[0] == b[2] and a[1] == b[0] and len(set(a.tolist())) == 3


def test_signatures_shingle_index_terms_so_case_and_endings_do_not_count_but_every_word_does():
    a = story_signatures.signatures(["The leaders agreed on a zone in Idlib province, officials said on Monday"])
    b = story_signatures.signatures(["THE LEADERS agree on a zone in Idlib provinces, official said on monday."])
    assert all(np.array_equal(x, y) for x, y in zip(a, b)) and a[1][0] == 9
    for other in ("The leaders agreed on a zone in Idlib province, officials said at Monday",  # a stop word
                  "The leaders agreed on a zone in Idlib province, officials said on Monday 2"):  # a digit
        assert story_signatures.signatures([other])[2][0] != a[2][0]


def test_signatures_of_a_batch_are_those_of_each_text_alone():
    texts = [story_signatures.clean_text("\n\n".join(WIRE)), story_signatures.clean_text("\n\n".join(OTHER)), "",
             "too short to shingle"]
    together = story_signatures.signatures(texts)
    alone = [story_signatures.signatures([t]) for t in texts]
    for k in range(3):
        assert np.array_equal(together[k], np.concatenate([a[k] for a in alone]))
    assert together[1][2] == 0 and together[1][3] == 0  # no shingles: empty text, four words
    assert (together[0][2] == story_signatures._EMPTY).all()


def test_every_bin_of_a_short_text_is_filled_by_densification():
    sigs, counts, _ = story_signatures.signatures([" ".join(f"w{i}" for i in range(12))])
    assert counts[0] == 8 and not (sigs == story_signatures._EMPTY).any()


def test_estimated_jaccard_follows_the_true_one():
    words = [f"w{i}" for i in range(2000)]
    base = set(range(len(words) - 4))
    for cut in (200, 800, 1400):
        sigs, _, _ = story_signatures.signatures([" ".join(words), " ".join(words[cut:])])
        true = (len(base) - cut) / len(base)
        assert abs((sigs[0] == sigs[1]).mean() - true) < 0.15


# -- grouping -----------------------------------------------------------------------------------------------
def test_versions_group_and_a_same_topic_article_does_not():
    table = table_of(VERSIONED)
    labels = table.labels_by_path()
    story = labels[ORIGINAL]
    assert labels[MIRROR] == story and labels[COPY_PATH] == story
    assert story == article_id(min(ORIGINAL, MIRROR, COPY_PATH))  # the version with the first path names the story
    assert labels[REBELS] == article_id(REBELS)  # an article alone is its own story
    assert sum(1 for p, v in labels.items() if v != article_id(p)) == 2


def test_the_edited_copy_is_above_the_threshold_and_the_other_article_far_below():
    table = table_of(VERSIONED)
    row = {p: i for i, p in enumerate(table.paths.tolist())}
    agree = lambda a, b: (table.sigs[row[a]] == table.sigs[row[b]]).mean()  # noqa: E731
    assert agree(ORIGINAL, COPY_PATH) >= stories.THRESHOLD + 0.15
    assert agree(ORIGINAL, REBELS) <= 0.1


def test_short_texts_group_only_when_identical():
    specs = [("a.txt", "A", None, None, "Oil rose."), ("b.txt", "B", None, None, "Oil rose."),
             ("c.txt", "C", None, None, "Oil rose today.")]
    labels = table_of(specs).labels_by_path()
    assert labels["a.txt"] == labels["b.txt"] == article_id("a.txt") and labels["c.txt"] == article_id("c.txt")


def test_stories_are_connected_components():
    assert stories.components(6, np.array([0, 3, 4]), np.array([1, 4, 5])).tolist() == [0, 0, 2, 3, 3, 3]
    assert stories.components(3, np.array([2]), np.array([0])).tolist() == [0, 1, 0]


def test_a_bucket_of_boilerplate_is_compared_a_bounded_number_of_times(monkeypatch):
    monkeypatch.setattr(stories, "BUCKET_CAP", 3)
    keys = np.zeros(50, dtype=np.uint64)
    out_i, out_j = [], []
    stories._chain(keys, np.arange(50), out_i, out_j, cap=stories.BUCKET_CAP)
    assert sum(len(x) for x in out_i) == 47 + 48 + 49  # each row with at most 3 before it, not 50*49/2


# -- collapsing -------------------------------------------------------------------------------------------
def test_page_shows_each_story_once_as_its_best_version_and_lists_the_others():
    codes = np.array([0, 1, 1, 0, 2, 1, 2], dtype=np.uint32)
    ranked = [5, 0, 2, 4, 3, 6, 1]
    page = story_results.page(ranked, np.arange(7, 0, -1), codes, np.arange(7), 0, 3)
    assert page.docs.tolist() == [5, 0, 4]
    assert [o.tolist() for o in page.others] == [[2, 1], [], [6]]
    second = story_results.page(ranked, np.arange(7, 0, -1), codes, np.arange(7), 3, 3)
    assert second.docs.tolist() == [3]
    everything = story_results.page(ranked, np.arange(7, 0, -1), codes, np.arange(7), 0, 10, collapse=False)
    assert everything.docs.tolist() == ranked and everything.others[0].tolist() == [2, 1]
    assert story_results.count_stories(codes, np.arange(7)) == 4


# -- the index keeps stories right --------------------------------------------------------------------------


def full_labels(folder, tmp_path):
    sync(folder, tmp_path / "fresh", full=True)
    return labels_in(tmp_path / "fresh")


def test_a_build_labels_the_versions_and_keeps_their_signatures(versioned):
    folder, index = versioned
    labels = labels_in(index)
    assert {p for p, v in labels.items() if v != article_id(p)} == {ORIGINAL, MIRROR}
    assert labels[ORIGINAL] == labels[MIRROR] == labels[COPY_PATH] == article_id(COPY_PATH)
    table = story_file.load(live_generation(index))
    assert sorted(table.paths.tolist()) == sorted(labels) and table.sigs.shape == (len(labels), story_signatures.K)
    assert table.labels_by_path() == labels  # what the rebuild wrote as it went is what the whole table gives


def test_a_rebuild_knows_labels_as_it_writes_and_rewrites_only_what_a_later_article_joined(tmp_path, monkeypatch):
    rewritten = []
    original = indexer._restored
    monkeypatch.setattr(indexer, "_restored",
                        lambda view, paths, *a: rewritten.extend(paths) or original(view, paths, *a))
    monkeypatch.setattr("search.storage.build.BATCH_DOCS", 2)  # several batches, versions in different ones
    monkeypatch.setattr(indexer, "STORY_BATCH", 2)
    folder = write_collection(tmp_path / "articles", VERSIONED)
    sync(folder, tmp_path / "index")
    assert rewritten == []
    # two halves of the wire story share little, so they start two stories; the whole story, later in path order,
    # joins them, and the second half (already written) is the one article rewritten
    half = "\n\n".join(WIRE[:3])
    other_half = "\n\n".join(WIRE[2:])
    write_article(folder, "b/first-half.txt", "x", None, None, half)
    write_article(folder, "c/second-half.txt", "x", None, None, other_half)
    sync(folder, tmp_path / "index2", full=True)
    labels = labels_in(tmp_path / "index2")
    assert len(rewritten) == 1
    first = article_id("b/first-half.txt")
    assert labels["b/first-half.txt"] == labels["c/second-half.txt"] == labels[ORIGINAL] == first
    assert labels == story_file.load(live_generation(tmp_path / "index2")).labels_by_path()


def test_signatures_made_another_way_are_made_again_by_the_next_sync_even_when_nothing_changed(tmp_path):
    """An index whose stories file holds signatures of an older format (it records none, or another): the next
    `search index` rebuilds in full (signing in the workers, a batch at a time), with the labels it always gives."""
    folder = write_collection(tmp_path / "articles", VERSIONED)
    index = tmp_path / "index"
    sync(folder, index)
    before = live_generation(index)
    older = story_file.load(before)
    older.sigs = np.zeros_like(older.sigs)  # signatures no new one compares with
    story_file.save(before, older)
    rewrite_header(before, format=1)
    assert story_file.outdated(before) and story_file.load(before) is None
    assert sync(folder, index).full  # no article changed
    after = live_generation(index)
    assert after != before and not story_file.outdated(after)
    fresh = table_of(VERSIONED)
    kept = story_file.load(after)
    assert np.array_equal(kept.sigs, fresh.sigs) and kept.labels_by_path() == fresh.labels_by_path()
    assert labels_in(index) == full_labels(folder, tmp_path) == fresh.labels_by_path()
    sync(folder, index)  # and then nothing more to do
    assert live_generation(index) == after


def test_incremental_syncs_keep_labels_equal_to_a_full_rebuild(versioned, tmp_path):
    folder, index = versioned
    steps = [
        lambda: (folder / MIRROR).unlink(),                                         # a version deleted
        lambda: (folder / ORIGINAL).unlink(),                                       # the story's name deleted
        lambda: write_article(folder, "late/copy.txt", "Late copy", "2018-09-19", "AFP",
                              "\n\n".join(WIRE)),                                   # a version added
        lambda: write_article(folder, COPY_PATH.replace("/", "/x-"), "x", None, None,
                              "\n\n".join(OTHER)),                                  # joins the other story
        lambda: write_article(folder, COPY_PATH, "Changed", "2018-09-18", "i24NEWS",
                              "\n\n".join(OTHER) + "\n\nAn added paragraph about the rebels in Idlib."),  # moves
    ]
    for n, step in enumerate(steps):
        step()
        report = sync(folder, index)
        assert report.changed
        assert labels_in(index) == full_labels(folder, tmp_path / f"full{n}"), n
    assert labels_in(index)[COPY_PATH] == labels_in(index)[REBELS]


def test_adding_an_unrelated_article_rewrites_no_other_document(versioned, monkeypatch):
    folder, index = versioned
    rewritten = []
    original = indexer._restored
    monkeypatch.setattr(indexer, "_restored",
                        lambda view, paths, *a: rewritten.extend(paths) or original(view, paths, *a))
    write_article(folder, "new.txt", "Wheat exports fall", "2018-10-01", "Reuters",
                  "Wheat exports from the region fell sharply in September as the harvest came in late.")
    sync(folder, index)
    assert rewritten == []
    write_article(folder, "a/copy.txt", "A", "2018-09-19", "AFP", "\n\n".join(WIRE))  # takes the smallest id
    sync(folder, index)
    assert len(rewritten) == 3  # only the story's members are relabelled


def test_a_lost_or_damaged_stories_file_is_rebuilt_from_the_index(versioned):
    folder, index = versioned
    gen = live_generation(index)
    before = labels_in(index)
    (gen / story_file.FILE_NAME).write_bytes(b"not an npz")
    assert story_file.load(gen) is None
    sync(folder, index)  # nothing changed: nothing is written
    assert labels_in(index) == before
    write_article(folder, "new.txt", "Wheat", None, None, "Wheat exports from the region fell sharply in September.")
    sync(folder, index)  # a change: the table is rebuilt from the index
    assert story_file.load(live_generation(index)) is not None
    assert {p: v for p, v in labels_in(index).items() if p != "new.txt"} == before
    (live_generation(index) / story_file.FILE_NAME).unlink()
    (folder / MIRROR).unlink()
    sync(folder, index)
    assert sorted(story_file.load(live_generation(index)).paths.tolist()) == sorted(labels_in(index))
    assert labels_in(index)[ORIGINAL] == labels_in(index)[COPY_PATH] != article_id(ORIGINAL)


# -- search -------------------------------------------------------------------------------------------------
def test_search_shows_each_story_once_with_counts_and_versions(versioned):
    _, index = versioned
    with Engine(index) as engine:
        res = engine.search("idlib")
        all_res = engine.search("idlib", all_versions=True)
    assert res.articles == all_res.articles == all_res.total
    assert res.total == res.stories == res.articles - 2
    ids = [h.id for h in res.hits]
    assert len(ids) == len(set(ids)) == res.total
    grouped = [h for h in res.hits if h.versions]
    assert len(grouped) == 1 and len(grouped[0].versions) == 2
    assert grouped[0].story == article_id(min(ORIGINAL, MIRROR, COPY_PATH))
    assert {h.id for h in all_res.hits} == set(ids) | set(grouped[0].versions)
    # the facets count articles: every outlet that ran the story is there
    assert sum(v.count for v in res.facets["source"]) == res.articles
    single = [h for h in res.hits if not h.versions][0]
    assert single.story == single.id


def test_paging_works_on_stories(versioned):
    _, index = versioned
    with Engine(index) as engine:
        whole = engine.search("idlib", per_page=100)
        pages = [engine.search("idlib", per_page=2, page=p) for p in range(1, -(-whole.total // 2) + 1)]
        newest = engine.search("idlib", sort="newest", per_page=3)
    assert [h.id for p in pages for h in p.hits] == [h.id for h in whole.hits]
    assert pages[0].pages == -(-whole.total // 2)
    days = [h.date or "" for h in newest.hits]
    assert days == sorted(days, reverse=True)


def test_versions_of_an_article(versioned):
    _, index = versioned
    with Engine(index) as engine:
        versions = engine.versions(article_id(ORIGINAL))
        assert [v.path for v in versions] == [MIRROR, COPY_PATH] or {v.path for v in versions} == {MIRROR, COPY_PATH}
        assert engine.versions(article_id(REBELS)) == []
    assert [v.date for v in versions] == sorted(v.date for v in versions)


def test_the_rebuild_grouper_gives_the_whole_table_grouping_even_for_boilerplate(monkeypatch):
    monkeypatch.setattr(stories, "BUCKET_CAP", 3)
    rng = np.random.default_rng(5)
    words = [f"w{i}" for i in range(300)]
    template = " ".join(words[:60])
    specs = []
    for i in range(60):
        if i % 3 == 0:  # boilerplate: the same text with a few words changed, far more than BUCKET_CAP of them
            body = template.replace(f"w{i % 50} ", f"x{i} ", 1)
        elif i % 3 == 1:  # a copy of an earlier article
            body = specs[i - 1][4] + " extra words at the end"
        else:
            body = " ".join(rng.choice(words, 40))
        specs.append((f"p{i:03d}.txt", "t", None, None, body))
    whole = table_of(specs).labels_by_path()
    for batch in (1, 4, 7, 64):
        grouper = stories.Grouper()
        streamed = {}
        for lo in range(0, len(specs), batch):
            streamed.update(grouper.add([(article_id(p), p, "sig", t, b) for p, t, _d, _s, b in specs[lo:lo + batch]]))
        final = grouper.labels()
        assert final == whole, batch
        table = grouper.table(with_labels=True)  # the file's table: sorted by path, each row's label beside it
        assert table.paths.tolist() == sorted(final) and dict(zip(table.paths.tolist(), table.labels.tolist())) == final
        changed = {p for p, label in streamed.items() if label != final[p]}
        assert changed == set(grouper.moved_paths()), batch  # exactly the written ones a later article moved
    assert len(set(whole.values())) < len(specs) - 20  # it did group


def test_a_hit_lists_a_bounded_number_of_version_ids_but_counts_them_all(versioned, monkeypatch):
    _, index = versioned
    monkeypatch.setattr(story_results, "MAX_VERSION_IDS", 1)
    monkeypatch.setattr(story_results, "MAX_VERSIONS", 1)
    with Engine(index) as engine:
        hit = [h for h in engine.search("demilitarised").hits if h.version_count][0]
        assert hit.version_count == 2 and len(hit.versions) == 1
        assert len(engine.versions(hit.id)) == 1


def test_a_hit_reads_only_the_ids_of_its_other_versions_not_their_text(versioned, monkeypatch):
    """Each hit's stored record is decoded once; its story's other versions give only their ids (a page of 100
    near-copies of 1 MiB each once decoded every version's text for every hit)."""
    from search.storage.segment import SegmentFiles
    _, index = versioned
    decoded = []
    real = SegmentFiles.stored
    monkeypatch.setattr(SegmentFiles, "stored", lambda self, local: decoded.append(local) or real(self, local))
    with Engine(index) as engine:
        engine.search("demilitarised", all_versions=True)  # warm: the snapshot is opened
        decoded.clear()
        res = engine.search("demilitarised", all_versions=True)
    assert len(res.hits) == 3 and all(h.version_count == 2 for h in res.hits)
    assert {v for h in res.hits for v in h.versions} == {h.id for h in res.hits}
    assert len(decoded) == len(res.hits)


def test_stored_id_reads_the_id_a_whole_record_gives(versioned):
    _, index = versioned
    view = IndexView(live_generation(index))
    try:
        live = np.flatnonzero(view.live).tolist()
        assert live and all(view.stored_id(d) == view.stored(d)["id"] for d in live)
    finally:
        view.close()


def test_related_articles_leave_out_the_versions(versioned):
    _, index = versioned
    with Engine(index) as engine:
        related = {h.id for h in engine.related(article_id(ORIGINAL), limit=5)}
    assert related and not related & {article_id(MIRROR), article_id(COPY_PATH)}
    assert article_id(REBELS) in related


@pytest.mark.parametrize("chosen_size", [0, 1, 50, 5000, 200_000])
def test_among_is_isin_for_hash_values(chosen_size):
    rng = np.random.default_rng(chosen_size)
    values = rng.integers(0, 2**64, size=100_000, dtype=np.uint64)
    half = (chosen_size + 1) // 2  # values present, and as many absent ones
    chosen = np.concatenate([rng.choice(values, half), rng.integers(0, 2**64, size=chosen_size - half, dtype=np.uint64)])
    got = stories._among(values, chosen)
    assert np.array_equal(got, np.isin(values, chosen)) and got.sum() >= min(1, chosen_size)


def test_the_stories_file_keeps_text_as_utf8_and_reads_back_the_same_table(tmp_path):
    paths = ["b/\u00e9t\u00e9.txt", "a/plain.txt", "c/bad-\udce9.txt"]  # the last as os.walk gives a non-UTF-8 name
    table = stories.make_table([(article_id(p), p, f"1:2:{k}:", "T", " ".join(WIRE)) for k, p in enumerate(paths)])
    table.labels = stories.labels(table)
    story_file.save(tmp_path, table)
    names = {p.name for p in tmp_path.iterdir()}
    assert names == story_file.files(tmp_path) and len(names) == 2  # no temporary file left
    meta, _, size = story_file._header(tmp_path / story_file.FILE_NAME)
    base_meta, _, _ = story_file._header(tmp_path / meta["base"])
    utf8 = sum(len(p.encode("utf-8", "surrogatepass")) + 1 for p in paths)
    assert base_meta["columns"]["paths.blob"][1] == utf8  # one UTF-8 blob, not four bytes a character
    assert meta["generation"] == tmp_path.name and size < len(paths) * 50 + 4096  # the texts and signatures: the base
    back = story_file.load(tmp_path)
    for f in stories.Table.FIELDS:
        assert np.array_equal(getattr(back, f), getattr(table, f)), f
    assert back.paths.tolist() == sorted(paths) and np.array_equal(back.labels, table.labels)
    kept = story_file.open_stored(tmp_path)
    assert [kept.paths.find(p) for p in ["a/plain.txt", "b/", "c/bad-\udce9.txt", "d"]] == [
        (0, True), (1, False), (2, True), (3, False)]
    assert not story_file.outdated(tmp_path)
    # signatures made another way (an older format) are not read, and make the next sync rebuild
    rewrite_header(tmp_path, format=1)
    assert story_file.load(tmp_path) is None and story_file.outdated(tmp_path)


@pytest.mark.parametrize("damage", ["empty", "garbage", "truncated", "header", "ends", "roots", "column", "where",
                                    "base", "no base", "base truncated", "nested header"])
def test_a_damaged_stories_file_reads_as_none(tmp_path, damage):
    table = table_of(VERSIONED)
    table.labels = stories.labels(table)
    story_file.save(tmp_path, table)
    path = tmp_path / story_file.FILE_NAME
    data = bytearray(path.read_bytes())
    meta, start, _ = story_file._header(path)
    column = meta["columns"]
    if damage == "empty":
        data = b""
    elif damage == "garbage":
        data = b"not a stories file" * 10
    elif damage == "truncated":
        data = data[:len(data) - 100]
    elif damage == "header":
        data[len(story_file._MAGIC) + 8] = ord("[")
    elif damage in ("roots", "where"):
        at = start + column[damage][0] + 8
        data[at:at + 8] = (10 ** 9).to_bytes(8, "little")  # a row past the end
    elif damage == "ends":  # in the base, which holds the texts of the rows a sync did not write
        base = tmp_path / meta["base"]
        base_meta, base_start, _ = story_file._header(base)
        kept = bytearray(base.read_bytes())
        at = base_start + base_meta["columns"]["paths.ends"][0] + 8
        kept[at:at + 8] = (10 ** 9).to_bytes(8, "little")
        base.write_bytes(bytes(kept))
    elif damage == "column":
        rewrite_header(tmp_path, columns={**column, "counts": [column["counts"][0], 12]})
        data = path.read_bytes()
    elif damage == "base":
        rewrite_header(tmp_path, base="../" + meta["base"])
        data = path.read_bytes()
    elif damage == "no base":
        (tmp_path / meta["base"]).unlink()
    elif damage == "base truncated":
        base = tmp_path / meta["base"]
        base.write_bytes(base.read_bytes()[:-64])
    elif damage == "nested header":  # past json's recursion limit, within the header's size limit
        head = b"[" * 60_000
        data = story_file._MAGIC + len(head).to_bytes(8, "little") + head
    path.write_bytes(bytes(data))
    assert story_file.load(tmp_path) is None and story_file.open_stored(tmp_path) is None
    assert not story_file.outdated(tmp_path)  # damaged: made again at the next sync that changes something


def test_texts_that_do_not_decode_in_the_base_are_worked_out_again_from_the_index(versioned):
    """A base file whose kept paths are not UTF-8 (damaged on disk): the next sync that changes something makes
    every label again, as for a lost file, and gives the labels a sound file gives."""
    folder, index = versioned
    gen = live_generation(index)
    meta, _, _ = story_file._header(gen / story_file.FILE_NAME)
    base = gen / meta["base"]
    base_meta, start, _ = story_file._header(base)
    data = bytearray(base.read_bytes())
    offset, size = base_meta["columns"]["paths.blob"]
    data[start + offset:start + offset + size] = b"\xff" * size  # every path byte: not UTF-8
    os.unlink(base)  # a hard link: the earlier generation's file stays as it was
    base.write_bytes(bytes(data))
    copy = (folder / "wire" / "reuters-idlib-deal.txt").read_text(encoding="utf-8")
    (folder / "late-copy.txt").write_text(copy, encoding="utf-8")  # joins a story: its kept rows are read
    report = sync(folder, index)
    assert report.added == 1 and not report.full
    after = labels_in(index)
    assert sync(folder, index, full=True).full
    assert labels_in(index) == after and len(set(after.values())) < len(after)  # some stories have versions


def test_an_index_kept_by_an_older_version_rebuilds_in_full_once(versioned):
    """An index whose generation holds the stories file as versions before kept it (numpy's .npz): the next
    `search index` rebuilds in full, and the one after is incremental again."""
    folder, index = versioned
    gen = live_generation(index)
    (gen / story_file.FILE_NAME).unlink()
    (gen / story_file.OLD_FILE_NAME).write_bytes(b"PK")
    assert story_file.outdated(gen)
    assert sync(folder, index).full
    assert not story_file.outdated(live_generation(index))
    assert not sync(folder, index).full


def test_adding_rows_to_a_sorted_table_gives_the_table_made_whole():
    rng = np.random.default_rng(3)
    for _ in range(60):
        names = [f"p/{'x' * int(k % 7)}{k}.txt" for k in rng.permutation(200)[:rng.integers(0, 30)]]
        cut = int(rng.integers(0, len(names) + 1))

        def made(paths):  # paths and sync signatures of several widths: a longer one must not be cut
            return stories.make_table([(article_id(p), p, "s" * len(p), "T", f"{p} " + " ".join(WIRE[:1]))
                                       for p in paths])
        joined, whole = made(names[:cut]).plus(made(names[cut:])), made(names)
        for f in stories.Table.FIELDS:
            assert np.array_equal(getattr(joined, f), getattr(whole, f)), f


def test_relabel_after_changes_equals_labelling_the_whole_table():
    rng = np.random.default_rng(11)
    words = [f"w{i}" for i in range(400)]
    bases = [" ".join(rng.choice(words, 60)) for _ in range(12)]

    def spec(i, base):
        text = bases[base].split()
        cut = int(rng.integers(0, 12))
        return (f"p{i:03d}.txt", "t", None, None, " ".join(text[cut:]))
    specs = {f"p{i:03d}.txt": spec(i, int(rng.integers(0, 12))) for i in range(40)}
    table = table_of(list(specs.values()))
    table.labels = stories.labels(table)
    for step in range(8):
        paths = sorted(specs)
        removed = set(rng.choice(paths, 3, replace=False).tolist())
        changed = [spec(int(p[1:4]), int(rng.integers(0, 12))) for p in rng.choice(
            [p for p in paths if p not in removed], 2, replace=False).tolist()]
        added = [spec(100 + step * 3 + k, int(rng.integers(0, 12))) for k in range(3)]
        for p in removed:
            del specs[p]
        for s in changed + added:
            specs[s[0]] = s
        fresh = [(article_id(p), p, f"sig{step}", t, b) for p, t, _d, _s, b in changed + added]
        indexed = {p: ("sig" if p in table.paths.tolist() and p not in {s[0] for s in changed} else f"sig{step}")
                   for p in specs}
        indexed.update((p, s) for p, s in zip(table.paths.tolist(), table.sync_sigs.tolist()) if p in indexed
                       and p not in {s[0] for s in changed})
        table, old, new_rows, gone = stories.refresh(table, indexed, fresh, lambda paths: [])
        got = stories.relabel(table, old, new_rows, gone)
        assert got.tolist() == stories.labels(table).tolist(), step
        table.labels = got

