"""A failed sync leaves nothing behind: ENOSPC injected at every write of a sync, in turn."""
from __future__ import annotations

import errno
import os
import shutil

import pytest
from whoosh.filedb.structfile import StructFile

import search.store as store_module
from search import story_file
from search.errors import IndexUnwritable
from search.indexer import sync
from search.storage import format as storage_format
from search.storage.format import EXTS, read_toc_segments, toc_name
from search.store import IndexStore
from stress.corpus import Collection
from stress.kill import check_clean, check_index, lock_is_held


class Writes:
    """Counts every write a sync makes (file data, table of contents, links, folders, CURRENT) and, from the
    `fail_at`-th on, fails each with ENOSPC, as a disk that filled up would."""

    def __init__(self, monkeypatch, fail_at: int | None = None):
        self.count, self.fail_at = 0, fail_at
        data, toc = storage_format._write, StructFile.write
        link, mkdir, dump = os.link, os.mkdir, store_module.json.dump

        def hit():
            self.count += 1
            if self.fail_at is not None and self.count > self.fail_at:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        monkeypatch.setattr(storage_format, "_write", lambda f, d: (hit(), data(f, d))[1])
        monkeypatch.setattr(StructFile, "write", lambda sf, d: (hit(), toc(sf, d))[1])
        monkeypatch.setattr(os, "link", lambda *a, **k: (hit(), link(*a, **k))[1])
        monkeypatch.setattr(os, "mkdir", lambda *a, **k: (hit(), mkdir(*a, **k))[1])
        monkeypatch.setattr(store_module.json, "dump", lambda *a, **k: (hit(), dump(*a, **k))[1])


def files_of_live_generation(index) -> tuple[set[str], set[str]]:
    """(files in the live generation's folder, files its table of contents names)."""
    folder = index / IndexStore(index).pointer().generation
    named = {toc_name()} | {f"{s.segment_id()}.{ext}" for s in read_toc_segments(str(folder)) for ext in EXTS}
    return {p.name for p in folder.iterdir()}, named | story_file.files(folder)  # the indexer's story signatures


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_enospc_at_every_write_leaves_the_old_index_and_nothing_else(tmp_path, monkeypatch, full):
    col = Collection(tmp_path / "articles", seed=3, words=40)
    col.add(30)
    pristine = tmp_path / "pristine"
    sync(col.folder, pristine)
    old = col.snapshot()
    col.add(12, "v1")
    col.remove(4)
    probe = tmp_path / "probe"
    shutil.copytree(pristine, probe)
    with monkeypatch.context() as patch:
        writes = Writes(patch)
        sync(col.folder, probe, full=full)
    total = writes.count
    assert total > 20  # every segment file, the TOC, the links, the folder, CURRENT
    for fail_at in range(total):
        index = tmp_path / f"index-{fail_at}"
        shutil.copytree(pristine, index)
        with monkeypatch.context() as patch:
            Writes(patch, fail_at)
            with pytest.raises(IndexUnwritable, match="is full; the index was left as it was before this run"):
                sync(col.folder, index, full=full)
        check_index(index, [old])
        assert len(IndexStore(index).generations()) == 1, f"write {fail_at + 1} of {total} left a generation"
        present, named = files_of_live_generation(index)
        assert present == named, f"write {fail_at + 1} of {total} left {sorted(present - named)}"
        assert not (index / "CURRENT.tmp").exists()
        assert not lock_is_held(index)
        sync(col.folder, index, wait=0)  # space is back: the next run succeeds
        check_index(index, [col.snapshot()])
        check_clean(index)
        shutil.rmtree(index)
