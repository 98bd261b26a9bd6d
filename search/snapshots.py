"""Index snapshots: one opened generation (its IndexView and what is cached on it) shared by every thread, and
the pool that reopens it when a sync has published another, closing the old one once no search uses it."""
from __future__ import annotations

import contextlib
import os
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from search.days import day_text
from search.facets import FacetValue, count_sources
from search.metafacets import MetaColumns
from search.spelling import Vocabulary
from search.store import CURRENT, IndexStore

if TYPE_CHECKING:
    from search.ranking import Ranking


@dataclass
class Stats:
    """What the index holds."""

    articles: int
    sources: list[FacetValue]
    first_date: str | None
    last_date: str | None
    index_bytes: int
    synced_at: float
    index_path: str
    articles_folder: str


class Snapshot:
    """One opened generation of the index: its IndexView, shared by every thread, and what is cached on it."""

    def __init__(self, view, pointer, ranking: Ranking):
        self.view, self.pointer, self.ranking = view, pointer, ranking
        self.vocabulary = Vocabulary(self.view)
        self.meta = MetaColumns(self.view)
        self._lock = threading.Lock()
        self._stats: Stats | None = None
        self._users = 0
        self.closed = False

    def stats(self, store: IndexStore) -> Stats:
        with self._lock:
            if self._stats is None:
                view = self.view
                live = np.flatnonzero(view.live)
                days = view.day[live]
                days = days[days > 0]
                self._stats = Stats(int(view.doc_count), count_sources(view, live),
                                    day_text(int(days.min())) if len(days) else None,
                                    day_text(int(days.max())) if len(days) else None, store.size_bytes(),
                                    self.pointer.synced_at, str(store.path), self.pointer.articles_folder)
            return self._stats

    def enter(self) -> None:
        with self._lock:
            self._users += 1

    def leave(self) -> None:
        with self._lock:
            self._users -= 1
            last = self.closed and not self._users
        if last:
            self.view.close()

    def close(self):
        """Close the view once no search uses it any more."""
        with self._lock:
            self.closed = True
            idle = not self._users
        if idle:
            self.view.close()


class SnapshotPool:
    """The one current Snapshot of an index folder: reopened when CURRENT changes (one stat per search)."""

    def __init__(self, store: IndexStore, ranking):
        self.store, self.ranking = store, ranking
        self.snapshot: Snapshot | None = None
        self._stamp = None
        self._lock = threading.Lock()

    def close(self):
        """Close the open snapshot (once no search uses it)."""
        with self._lock:
            if self.snapshot:
                self.snapshot.close()
            self.snapshot, self._stamp = None, None

    def current(self, enter: bool = False) -> Snapshot:
        """The snapshot of the index as it is now (opened when a sync has changed it); `enter` counts a user
        of it, under the same lock, so that it cannot be closed before the user leaves."""
        try:
            st = os.stat(self.store.path / CURRENT)
            stamp = (st.st_ino, st.st_mtime_ns, st.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if self.snapshot is None or stamp != self._stamp:
                # the new generation's unchanged segments are the old one's files: taken over, not read again
                view, pointer = self.store.open_view(self.snapshot.view if self.snapshot else None)
                old, self.snapshot, self._stamp = self.snapshot, Snapshot(view, pointer, self.ranking), stamp
                if old:
                    old.close()
            snap = self.snapshot
            if enter:
                snap.enter()
            return snap

    @contextlib.contextmanager
    def searching(self):
        """The current snapshot, counted as in use while the block runs."""
        try:
            snap = self.current(enter=True)
        except OSError:  # the snapshot's commit went from disk while it was opened: open the newest one
            with self._lock:
                self._stamp = None
            snap = self.current(enter=True)
        try:
            yield snap
        finally:
            snap.leave()
