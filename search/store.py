"""The index folder on disk: generations, the CURRENT pointer, the writer lock, durable files.

Layout of the index folder:

    CURRENT          JSON naming the live generation, written by atomic rename after every sync
    gen-000007/      a complete index (the live one; search/storage/format.py describes its files)
    write.lock       held (fcntl) by the one indexer at work; the kernel releases it if that process dies

Generations are immutable. Every sync that changes something writes a new generation beside the live one (an
incremental sync hard-links the segments it keeps) and switches CURRENT only when it is complete and on disk,
so searches never see an empty, half-built or half-changed index.
"""
from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from search.errors import IndexBusy, IndexMissing, IndexUnwritable

CURRENT = "CURRENT"
LOCK = "write.lock"
GEN_PREFIX = "gen-"


def fsync_dir(path: str | os.PathLike) -> None:
    """Make a rename or create inside `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def link_or_copy(src: str | os.PathLike, dst: str | os.PathLike) -> None:
    """A hard link of a file that is never changed after it is written (a segment's, the stories base), or a copy,
    fsynced, where the file system has no hard links."""
    import errno
    import shutil
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP):
            raise
        shutil.copyfile(src, dst)
        with open(dst, "rb") as f:
            os.fsync(f.fileno())


@dataclass(frozen=True)
class Pointer:
    """What CURRENT says: the live generation and when it was last synced."""

    generation: str
    synced_at: float
    schema_version: int
    articles_folder: str
    #: The analyzer's pipeline by name (search.analysis.PIPELINE) when the index was built; () if not recorded.
    analysis: tuple = ()


class IndexStore:
    """One index folder: open the live generation, take the writer lock, publish a new state."""

    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)

    # -- reading -------------------------------------------------------------------------------------
    def pointer(self) -> Pointer | None:
        """The CURRENT pointer, or None when no index was ever published here."""
        try:
            data = json.loads((self.path / CURRENT).read_text(encoding="utf-8"))
            return Pointer(str(data["generation"]), float(data["synced_at"]),
                           int(data.get("schema_version", 0)), str(data.get("articles_folder", "")),
                           tuple(str(step) for step in data.get("analysis", ())))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError, OSError) as exc:
            raise IndexMissing(f"The index at {self.path} is unreadable ({exc}): "
                               f"run `search index --full` to rebuild it.") from None

    def _open_live(self, opener):
        for _ in range(3):  # a sync may swap generations between reading CURRENT and opening it
            pointer = self.pointer()
            if pointer is None:
                raise IndexMissing(f"No index at {self.path} yet: run `search index` to build it.")
            try:
                return opener(self.path / pointer.generation), pointer
            except (FileNotFoundError, OSError, EOFError, ValueError):
                time.sleep(0.05)
            except Exception as exc:  # an unreadable table of contents (e.g. Whoosh's own errors)
                if type(exc).__name__ not in ("EmptyIndexError", "IndexVersionError", "UnpicklingError"):
                    raise
                time.sleep(0.05)
        raise IndexMissing(f"The index at {self.path} is damaged: run `search index --full` to rebuild it.")

    def open(self):
        """(the live generation as a read-only Whoosh FileIndex, its Pointer); IndexMissing with the next step."""
        from search.storage.codec import open_index
        return self._open_live(open_index)

    def open_view(self, previous=None):
        """(the live generation as an IndexView, its Pointer); IndexMissing with the next step when there is none.
        `previous`: the view of an earlier generation, whose unchanged segments the new one takes over."""
        from search.storage.view import IndexView
        return self._open_live(lambda folder: IndexView(folder, previous))

    def size_bytes(self) -> int:
        """Bytes on disk of the live generation."""
        pointer = self.pointer()
        if pointer is None:
            return 0
        folder = self.path / pointer.generation
        return sum(f.stat().st_size for f in folder.iterdir() if f.is_file())

    # -- writing -------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def writer_lock(self, wait: float = 10.0):
        """Hold the one writer lock; wait up to `wait` seconds for another indexer, then raise IndexBusy."""
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path / LOCK, os.O_CREAT | os.O_RDWR, 0o644)
        except OSError as exc:
            raise IndexUnwritable(f"Cannot write to the index folder {self.path}: {exc.strerror}.") from None
        deadline = time.monotonic() + max(wait, 0.0)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except OSError as exc:
                    if exc.errno not in (errno.EAGAIN, errno.EACCES):
                        raise
                    if time.monotonic() >= deadline:
                        raise IndexBusy(f"The index is busy: another `search index` is writing to {self.path} "
                                        f"(waited {wait:g} s). Try again when it has finished.") from None
                    time.sleep(0.1)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def generations(self) -> list[str]:
        """Generation folders present on disk, oldest first."""
        if not self.path.is_dir():
            return []
        return sorted(p.name for p in self.path.iterdir() if p.is_dir() and p.name.startswith(GEN_PREFIX))

    def new_generation(self) -> str:
        """Create an empty generation folder (not yet live) and return its name. Call under the lock."""
        existing = self.generations()
        number = int(existing[-1][len(GEN_PREFIX):]) + 1 if existing else 1
        name = f"{GEN_PREFIX}{number:06d}"
        (self.path / name).mkdir(parents=True)
        fsync_dir(self.path)
        return name

    def publish(self, generation: str, articles_folder: str) -> Pointer:
        """Atomically make `generation` the live one (and record the sync time), then drop older generations."""
        from search.analysis import PIPELINE  # the writing side only: readers need not load the schema
        from search.schema import SCHEMA_VERSION
        pointer = Pointer(generation, time.time(), SCHEMA_VERSION, articles_folder, PIPELINE)
        tmp = self.path / f"{CURRENT}.tmp"
        try:
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"generation": pointer.generation, "synced_at": pointer.synced_at,
                           "schema_version": pointer.schema_version, "articles_folder": articles_folder,
                           "analysis": list(pointer.analysis)}, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path / CURRENT)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # nothing of a failed sync stays behind
            raise
        fsync_dir(self.path)
        self.remove_stale(keep=generation)
        return pointer

    def remove_stale(self, keep: str) -> None:
        """Delete generation folders other than `keep` (left by finished or killed rebuilds). Call under the lock."""
        for name in self.generations():
            if name != keep:
                # open searchers keep their files readable until they close (POSIX unlink semantics)
                shutil.rmtree(self.path / name, ignore_errors=True)
