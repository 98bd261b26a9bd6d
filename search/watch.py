"""A folder that indexes itself: native file events (watchfiles) -> debounced, batched incremental syncs.

Every batch of events is one ordinary `sync` (search/indexer.py): the same writer lock, the same atomic commit,
so killing the watcher at any moment loses nothing, and the sync it runs when it starts catches up with whatever
changed while it was not running. Events are grouped until the folder has been quiet for STEP_MS (at most
DEBOUNCE_MS), so copying a thousand files in gives a few syncs, and an editor's save-by-rename (write a
temporary file, rename it over the article) is one update.
"""
from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Callable

from search.articles import ARTICLE_SUFFIXES, SIDECAR_NAME
from search.errors import SearchError
from search.indexer import SyncReport, sync

#: A batch is yielded once the folder has been quiet this long ...
STEP_MS = 100
#: ... or after this long at most, however busy it stays.
DEBOUNCE_MS = 2000
#: How often an idle watcher wakes up to retry a sync that found the index busy, and to check for a stop.
WAKE_MS = 5000
#: How often an idle watcher compares the whole folder with the index (a batch's sync looks only at its paths).
CATCH_UP_S = 600.0
#: Seconds a sync waits for another indexer (a manual `search index`) before the watcher retries later.
LOCK_WAIT = 10.0

OnSync = Callable[[SyncReport], None]
OnProblem = Callable[[str], None]


class ArticleFilter:
    """Which file events can change the index: article files, the sidecar, folders (moved in or out whole) and
    anything that went (a folder named "v1.2" looks like a file once it is gone); not hidden files (editors'
    temporaries), not the index folder if it lies inside the articles folder."""

    def __init__(self, articles: Path, index: Path, deleted=None):
        # absolute but not resolved: the events name paths under the folder as it was given (a symlink stays)
        self.root = os.path.abspath(articles)
        self.index = os.path.abspath(index)
        self.deleted = deleted  # watchfiles.Change.deleted

    def __call__(self, change, path: str) -> bool:
        if path == self.index or path.startswith(self.index + os.sep):
            return False
        rel = os.path.relpath(path, self.root)
        if rel.startswith(".." + os.sep) or rel == "..":
            return False
        parts = rel.split(os.sep)
        if any(p.startswith(".") for p in parts):
            return False
        name = parts[-1]
        if name.lower().endswith(ARTICLE_SUFFIXES) or rel == SIDECAR_NAME:
            return True
        if self.deleted is not None and change == self.deleted:
            return True  # whatever it was: a sync of a path no article is under finds nothing to do
        # a folder moved in or out arrives as one event for the folder itself
        return os.path.isdir(path) or "." not in name


def watch(articles: str | os.PathLike, index: str | os.PathLike, on_sync: OnSync | None = None,
          on_problem: OnProblem | None = None, stop: threading.Event | None = None, wait: float = LOCK_WAIT,
          full: bool = False, force_polling: bool | None = None, wake_ms: int = WAKE_MS,
          catch_up_s: float = CATCH_UP_S) -> None:
    """Sync once (in full if asked), then again after every batch of changes under `articles`, until `stop` is
    set (or Ctrl+C). A sync that fails (the index busy past `wait`, a full disk) is reported to `on_problem` and
    retried at the next change or wake-up."""
    import watchfiles

    root, index_path = Path(os.path.abspath(articles)), Path(os.path.abspath(index))
    if not root.is_dir():
        raise SearchError(f"The articles folder {root} does not exist: create it or pass --articles DIR.")
    _sync(root, index_path, on_sync, on_problem, wait, full)
    # The watch is only in place once the loop below has started: changes made during the first sync are caught by
    # one more sync at the first batch or wake-up (at most wake_ms later). A batch's sync compares only the paths
    # its events name (search/targeted.py); the whole folder is compared after a sync that could not run (its
    # events are gone), every catch_up_s (events the system dropped, say), and while some article file is a link
    # or has other names (a change to it comes as an event for another path).
    pending, compared, linked = True, time.monotonic(), False
    keep = ArticleFilter(root, index_path, deleted=watchfiles.Change.deleted)
    # the events are filtered here rather than by watchfiles, so that filtered-out noise (a log file written
    # without pause) still wakes the loop: a retry or a catch-up is never put off by it
    for raw in _batches(watchfiles, root, on_problem, stop, wake_ms, force_polling):
        if stop is not None and stop.is_set():
            break
        lost = raw is None  # events watchfiles could not read: the whole folder says what changed
        changes = [] if lost else sorted({path for change, path in raw if keep(change, path)})
        due = time.monotonic() - compared >= catch_up_s
        if not (changes or pending or due or lost):
            continue
        whole = pending or due or linked or lost
        report = _sync(root, index_path, on_sync, on_problem, wait, quiet=not changes,
                       changed=None if whole else changes)
        # after lost events the watch starts again: what changes before it is in place is caught, as at the start,
        # by one more whole comparison at its first batch or wake-up
        pending = report is None or lost
        if report is not None and report.whole:
            compared, linked = time.monotonic(), report.linked


def _batches(watchfiles, root: Path, on_problem: OnProblem | None, stop: threading.Event | None, wake_ms: int,
             force_polling: bool | None):
    """watchfiles' batches of raw events, and None for events it could not read (a file name that is not UTF-8
    stops its iterator): the watch is then started again, after a pause if it failed again at once."""
    failed_again = False  # the watch failed, and its restart failed before any batch
    while True:
        try:
            for raw in watchfiles.watch(root, watch_filter=None, debounce=DEBOUNCE_MS, step=STEP_MS,
                                        stop_event=stop, rust_timeout=wake_ms, yield_on_timeout=True,
                                        raise_interrupt=False, force_polling=force_polling):
                failed_again = False
                yield raw
            return
        except RuntimeError as exc:  # watchfiles' own error (WatchfilesRustInternalError), not the syncs'
            if on_problem:
                on_problem(f"a file event could not be read ({exc}); the whole folder is compared instead")
            if failed_again:  # it failed again before any batch: do not spin
                if stop is not None:
                    if stop.wait(wake_ms / 1000):
                        return
                else:
                    time.sleep(wake_ms / 1000)
            failed_again = True
            yield None


def _sync(root: Path, index: Path, on_sync: OnSync | None, on_problem: OnProblem | None, wait: float,
          full: bool = False, quiet: bool = False, changed: list[str] | None = None) -> SyncReport | None:
    """One sync (of the `changed` paths only, when given); None when it could not run (the watcher retries on the
    next change or wake-up). A `quiet` sync (a catch-up without events) reports only if it changed something."""
    try:
        report = sync(root, index, full=full, wait=wait, changed=changed)
    except SearchError as exc:  # IndexBusy, IndexUnwritable, a vanished folder: written for the user
        if on_problem:
            on_problem(str(exc))
        return None
    if on_sync and (report.changed or report.full or not quiet):
        on_sync(report)
    return report


def start_thread(articles, index, on_sync: OnSync | None = None, on_problem: OnProblem | None = None,
                 force_polling: bool | None = None) -> tuple[threading.Thread, threading.Event]:
    """Run watch() in a daemon thread (for `search serve --watch`); set the returned event to stop it."""
    stop = threading.Event()

    def run():
        try:
            watch(articles, index, on_sync=on_sync, on_problem=on_problem, stop=stop, force_polling=force_polling)
        except (SearchError, OSError) as exc:  # the server keeps serving what is indexed
            if on_problem:
                on_problem(f"watching stopped: {exc}")

    thread = threading.Thread(target=run, name="search-watch", daemon=True)
    thread.start()
    return thread, stop
