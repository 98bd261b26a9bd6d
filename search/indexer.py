"""Keep the index in sync with the articles folder: add, update, remove, or rebuild in full. The only writer."""
from __future__ import annotations

import errno
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from whoosh.codec.whoosh3 import W3Codec

from search.articles import SkippedFile, list_article_files, load_sidecar, read_article, sidecar_digest, Article
from search.bulkwriter import BulkWriter
from search.errors import IndexUnwritable, SearchError
from search.metafacets import meta_text
from search.schema import SCHEMA_VERSION
from search.store import IndexStore

#: Memory Whoosh may use for buffering postings before it writes a segment.
WRITER_LIMIT_MB = 256


def _writer(ix):
    # Postings blocks uncompressed: measured on 2,000 Reuters articles, 19% less CPU to build (and no
    # zlib.decompress per block at query time) for an index 50% larger (10.6 MB instead of 6.9 MB).
    return ix.writer(limitmb=WRITER_LIMIT_MB, codec=W3Codec(compression=0))


def _bulk_writer(ix):
    # A rebuild fills an empty index: the same segment as _writer() would write, for less work (search/bulkwriter.py)
    return BulkWriter(ix, limitmb=WRITER_LIMIT_MB, codec=W3Codec(compression=0))

Progress = Callable[[int, int], None]


@dataclass
class SyncReport:
    """What one sync did; `summary()` is the line the CLI prints."""

    total: int = 0
    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: int = 0
    seconds: float = 0.0
    full: bool = False
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """E.g. '2,225 articles: 3 added, 1 updated, 0 removed, 2,221 unchanged in 1.4 s'."""
        line = (f"{self.total:,} articles: {self.added:,} added, {self.updated:,} updated, "
                f"{self.removed:,} removed, {self.unchanged:,} unchanged")
        if self.skipped:
            line += f", {self.skipped:,} skipped"
        return f"{line} in {self.seconds:.1f} s" + (" (full rebuild)" if self.full else "")


def day_number(date: str) -> int:
    """'2018-09-17' -> 20180917; a month or a year counts from its first day."""
    parts = [int(p) for p in date.split("-")]
    year, month, day = (parts + [1, 1])[:3]
    return year * 10000 + month * 100 + day


def to_document(article: Article, sig: str) -> dict:
    """The Whoosh document for an article."""
    doc = dict(id=article.id, path=article.path, title=article.title, body=article.body,
               source=(article.source or "").lower(), source_name=(article.source or "").encode("utf-8"),
               date=article.date, extra=article.extra, sig=sig.encode("utf-8"))
    if article.date:
        doc["day"] = day_number(article.date)
    meta = meta_text(article.extra)
    if meta:
        doc["meta"] = meta
    return doc


def _signature(st, digest: str, side: str) -> str:
    return f"{st.st_size}:{st.st_mtime_ns}:{digest}:{side}"


def sync(articles: str | Path, index: str | Path, full: bool = False, progress: Progress | None = None,
         wait: float = 10.0) -> SyncReport:
    """Bring the index at `index` in line with the folder `articles`; incremental unless `full`."""
    started = time.monotonic()
    root, store = Path(articles), IndexStore(index)
    if not root.is_dir():
        raise SearchError(f"The articles folder {root} does not exist: create it or pass --articles DIR.")
    report = SyncReport()
    with store.writer_lock(wait=wait):
        pointer = store.pointer()
        if pointer is None or pointer.schema_version != SCHEMA_VERSION or not (store.path / pointer.generation).is_dir():
            full = True
        report.full = full
        sidecar, report.warnings = load_sidecar(root)
        files = dict(list_article_files(root))
        generation = None
        try:
            if full:
                generation = _rebuild(root, store, files, sidecar, report, progress)
            else:
                _update(root, store, pointer.generation, files, sidecar, report, progress)
                generation = pointer.generation  # from here on the changes are committed into the live generation
            store.publish(generation, str(root))
        except OSError as exc:
            kept_old = generation is None
            if full and generation is not None and _live(store) != generation:
                shutil.rmtree(store.path / generation, ignore_errors=True)  # never published: don't fill the disk
                kept_old = True
            raise _unwritable(store.path, exc, kept_old) from None
    report.seconds = time.monotonic() - started
    return report


def _live(store: IndexStore) -> str | None:
    try:
        pointer = store.pointer()
    except SearchError:
        return None
    return pointer.generation if pointer else None


def _unwritable(path: Path, exc: OSError, kept_old: bool = True) -> IndexUnwritable:
    # an incremental sync that failed only when publishing has already committed its changes
    left = ("the index was left as it was before this run" if kept_old else
            "the changes were indexed but the sync could not be recorded, so a running server may not show them")
    if exc.errno == errno.ENOSPC:
        return IndexUnwritable(f"The disk holding {path} is full; {left}. "
                               "Free some space and run `search index` again.")
    return IndexUnwritable(f"Cannot write the index at {path} ({exc.strerror or exc}); {left}.")


def _read(root, rel, sidecar, report) -> tuple[Article, str] | None:
    try:
        result = read_article(root, rel, sidecar.get(rel))
    except SkippedFile as skipped:
        report.warnings.append(str(skipped))
        report.skipped += 1
        return None
    report.warnings.extend(result.warnings)
    return result.article, result.digest


def _rebuild(root, store: IndexStore, files, sidecar, report: SyncReport, progress) -> str:
    """Write every article into a new generation; the live one keeps answering until publish()."""
    generation, ix = store.new_generation()
    try:
        writer = _bulk_writer(ix)
        try:
            for done, (rel, st) in enumerate(files.items(), 1):
                read = _read(root, rel, sidecar, report)
                if read:
                    article, digest = read
                    writer.add_document(**to_document(article, _signature(st, digest, sidecar_digest(sidecar.get(rel)))))
                    report.added += 1
                if progress:
                    progress(done, len(files))
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
    except BaseException:
        shutil.rmtree(store.path / generation, ignore_errors=True)
        raise
    report.total = report.added
    return generation


def _indexed_signatures(ix) -> dict[str, str]:
    """{path: signature} of the live documents, read from columns (no stored fields are unpickled)."""
    with ix.reader() as reader:
        paths, sigs = reader.column_reader("path"), reader.column_reader("sig")
        return {paths[d]: sigs[d].decode("utf-8") for d in reader.all_doc_ids()}


def _update(root, store: IndexStore, generation, files, sidecar, report: SyncReport, progress) -> None:
    """Apply the differences between the folder and the live generation in one Whoosh commit."""
    ix = store.open_for_writing(generation)
    indexed = _indexed_signatures(ix)
    writes: list[dict] = []
    removed = [p for p in indexed if p not in files]
    for done, (rel, st) in enumerate(files.items(), 1):
        if progress:
            progress(done, len(files))
        side = sidecar_digest(sidecar.get(rel))
        old = indexed.get(rel)
        if old is not None:
            size, mtime, digest, old_side = old.split(":")
            if (size, mtime, old_side) == (str(st.st_size), str(st.st_mtime_ns), side):
                report.unchanged += 1
                continue
        read = _read(root, rel, sidecar, report)
        if read is None:
            if old is not None:
                removed.append(rel)  # it was indexed, but now it cannot be read: don't serve stale text
        else:
            article, digest = read
            if old is None:
                report.added += 1
            elif old.split(":")[2] == digest and old.split(":")[3] == side:
                report.unchanged += 1  # touched but not changed: rewrite only to refresh its signature
            else:
                report.updated += 1
            writes.append(to_document(article, _signature(st, digest, side)))
    report.removed = len(removed)
    if writes or removed:
        writer = _writer(ix)
        try:
            for rel in removed:
                writer.delete_by_term("path", rel)
            for doc in writes:
                writer.update_document(**doc)
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
    report.total = len(indexed) - report.removed + report.added
