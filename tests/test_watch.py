"""A folder that indexes itself: batches of file events become ordinary syncs, under the writer lock."""
from __future__ import annotations

import os
import queue
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from search import watch as watch_module
from search.cli import cli
from search.searcher import Engine
from search.store import IndexStore
from tests.factory import write_article

#: Generous bound for a file event to arrive on a loaded machine; not a timing assertion.
EVENT_TIMEOUT = 60


class Watcher:
    """watch() in a thread, its sync reports and problems in queues."""

    def __init__(self, articles: Path, index: Path, wait: float = 10.0):
        self.reports: queue.Queue = queue.Queue()
        self.problems: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=watch_module.watch, daemon=True, kwargs=dict(
            articles=articles, index=index, on_sync=self.reports.put, on_problem=self.problems.put,
            stop=self.stop, wait=wait, wake_ms=200))
        self.thread.start()

    def next_report(self):
        return self.reports.get(timeout=EVENT_TIMEOUT)

    def reports_until(self, predicate) -> list:
        """Every report up to and including the first for which predicate(report) holds."""
        seen = []
        while True:
            seen.append(self.next_report())
            if predicate(seen[-1]):
                return seen

    def close(self):
        self.stop.set()
        self.thread.join(timeout=EVENT_TIMEOUT)


@pytest.fixture
def folder(tmp_path):
    articles = tmp_path / "articles"
    write_article(articles, "first.txt", "First article", "2018-09-17", "Reuters", "Idlib talks began.")
    return articles


@pytest.fixture
def watcher(folder, tmp_path):
    w = Watcher(folder, tmp_path / "index")
    first = w.next_report()
    assert first.added == 1 and first.full
    yield w
    w.close()
    assert not w.thread.is_alive()


def found(index: Path, word: str) -> list[str]:
    with Engine(index) as engine:
        return [h.path for h in engine.search(word).hits]


def test_a_new_file_becomes_searchable(watcher, folder, tmp_path):
    write_article(folder, "second.txt", "Second article", None, None, "A zebrafinch was seen in Geneva.")
    watcher.reports_until(lambda r: r.added)
    assert found(tmp_path / "index", "zebrafinch") == ["second.txt"]


def test_copying_many_files_in_gives_a_few_syncs_not_one_per_file(watcher, folder, tmp_path):
    for i in range(60):
        (folder / f"copy-{i:02d}.txt").write_text(f"Copied article number {i} about quokkas.\n", encoding="utf-8")
    reports = watcher.reports_until(lambda r: r.total == 61)
    assert sum(r.added for r in reports) == 60
    assert len(reports) < 60
    with Engine(tmp_path / "index") as engine:
        assert engine.search("quokkas").total == 60


def test_an_editors_save_by_rename_is_one_update(watcher, folder, tmp_path):
    temp = folder / ".first.txt.swp"
    temp.write_text("---\ntitle: First article\n---\nIdlib talks ended with a wombat.\n", encoding="utf-8")
    os.replace(temp, folder / "first.txt")
    report = watcher.next_report()
    assert (report.added, report.updated, report.removed) == (0, 1, 0)
    assert found(tmp_path / "index", "wombat") == ["first.txt"]


def test_moves_and_deletions_follow_the_folder(watcher, folder, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "inner.txt").write_text("An article about narwhals.\n", encoding="utf-8")
    (elsewhere / "skip.tmp").write_text("not an article\n", encoding="utf-8")
    os.rename(elsewhere, folder / "moved-in")  # a whole folder arrives as one event
    watcher.reports_until(lambda r: r.added)
    assert found(tmp_path / "index", "narwhals") == ["moved-in/inner.txt"]
    os.rename(folder / "moved-in", tmp_path / "moved-out")  # and leaves as one event: its articles go
    watcher.reports_until(lambda r: r.removed)
    assert found(tmp_path / "index", "narwhals") == []
    os.rename(tmp_path / "moved-out", folder / "v1.2")  # a dotted name: once gone it looks like a file
    watcher.reports_until(lambda r: r.added)
    os.rename(folder / "v1.2", folder / "v2")
    watcher.reports_until(lambda r: r.removed)
    assert found(tmp_path / "index", "narwhals") == ["v2/inner.txt"]
    (folder / "first.txt").unlink()
    watcher.reports_until(lambda r: r.removed)
    assert found(tmp_path / "index", "idlib") == []


def test_changes_to_files_that_are_not_articles_start_no_sync(folder, tmp_path):
    keep = watch_module.ArticleFilter(folder, folder / "index-inside")
    assert keep(None, str(folder / "a.txt")) and keep(None, str(folder / "sub" / "b.HTML"))
    assert keep(None, str(folder / "metadata.csv"))
    assert not keep(None, str(folder / ".a.txt.swp")) and not keep(None, str(folder / ".git" / "x.txt"))
    assert not keep(None, str(folder / "notes.docx")) and not keep(None, str(folder / "index-inside" / "x.txt"))
    assert not keep(None, str(tmp_path / "outside.txt"))


def test_a_stopped_watcher_catches_up_when_it_starts_again(folder, tmp_path):
    w = Watcher(folder, tmp_path / "index")
    w.next_report()
    w.close()
    write_article(folder, "while-away.txt", "Written while nobody watched", None, None, "Aardwolves roam.")
    again = Watcher(folder, tmp_path / "index")
    try:
        report = again.next_report()
        assert report.added == 1 and not report.full
        assert found(tmp_path / "index", "aardwolves") == ["while-away.txt"]
    finally:
        again.close()


def test_the_writer_lock_still_rules(folder, tmp_path):
    index = tmp_path / "index"
    w = Watcher(folder, index, wait=0)
    try:
        w.next_report()
        store = IndexStore(index)
        with store.writer_lock(wait=0):  # a manual `search index` holds the lock
            write_article(folder, "during.txt", "Written during a manual sync", None, None, "Okapis graze.")
            problem = w.problems.get(timeout=EVENT_TIMEOUT)
            assert "busy" in problem.lower()
        # released: the watcher retries at its next wake-up and catches up
        report = w.reports_until(lambda r: r.added)[-1]
        assert report.added == 1 and found(index, "okapis") == ["during.txt"]
    finally:
        w.close()


def test_index_watch_on_a_missing_folder_is_a_usage_error(tmp_path):
    result = CliRunner().invoke(cli, ["--articles", str(tmp_path / "nowhere"), "--index", str(tmp_path / "i"),
                                      "index", "--watch"])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_watch_options_are_documented_in_help():
    runner = CliRunner()
    assert "--watch" in runner.invoke(cli, ["index", "--help"]).output
    assert "--watch" in runner.invoke(cli, ["serve", "--help"]).output


def test_serve_watch_keeps_a_running_engine_in_step(folder, tmp_path, capsys):
    import time

    from search.cli_extras import watch_in_background
    from search.config import resolve
    index = tmp_path / "index"
    stop = watch_in_background(resolve(folder, index))
    try:
        deadline = time.monotonic() + EVENT_TIMEOUT
        while not (index / "CURRENT").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        with Engine(index) as engine:  # one engine, as the server holds it
            write_article(folder, "served.txt", "Served article", None, None, "Pangolins were seen.")
            while not engine.search("pangolins").total and time.monotonic() < deadline:
                time.sleep(0.05)
            assert [h.path for h in engine.search("pangolins").hits] == ["served.txt"]
        printed = ""
        while "2 articles: 1 added" not in printed and time.monotonic() < deadline:
            time.sleep(0.05)  # the summary line is printed just after the sync is published
            printed += capsys.readouterr().out
        assert "2 articles: 1 added, 0 updated, 0 removed, 1 unchanged" in printed
    finally:
        stop.set()


def test_a_folder_reached_through_a_symlink_is_watched(tmp_path):
    real = tmp_path / "real"
    write_article(real, "first.txt", "First", None, None, "Idlib talks began.")
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    w = Watcher(link, tmp_path / "index")
    try:
        w.next_report()
        write_article(real, "second.txt", "Second", None, None, "Tapirs swim.")
        w.reports_until(lambda r: r.added)
        assert found(tmp_path / "index", "tapirs") == ["second.txt"]
    finally:
        w.close()


def test_a_file_name_that_is_not_utf8_does_not_stop_the_watcher(watcher, folder, tmp_path):
    """watchfiles cannot read an event for such a name (its iterator raises): the watcher says so, compares the
    whole folder (which skips the file with a warning), watches again, and goes on finding new articles."""
    bad, problem = os.path.join(os.fsencode(folder), b"bad-\xff.txt"), None
    for _ in range(EVENT_TIMEOUT):  # the watch is in place once its loop runs: write again until it sees one
        with open(bad, "ab") as f:
            f.write(b"Bytes under a name that is not UTF-8.\n")
        try:
            problem = watcher.problems.get(timeout=1)
            break
        except queue.Empty:
            continue
    assert problem is not None and "could not be read" in problem
    write_article(folder, "after.txt", "After", None, None, "Okapis were counted.")
    watcher.reports_until(lambda r: r.added)
    assert found(tmp_path / "index", "okapis") == ["after.txt"]
    assert watcher.thread.is_alive()
