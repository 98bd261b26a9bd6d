"""Keep the index in sync with the articles folder: add, update, remove, or rebuild in full. The only writer."""
from __future__ import annotations

import contextlib
import errno
import json
import os
import pickle
import shutil
import time
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

import numpy as np

from search import stories, story_file, story_words
from search.articles import (Article, SkippedFile, assign_ids, list_article_files, load_sidecar, read_article,
                             sidecar_digest)
from search.analysis import PIPELINE
from search.days import day_number
from search.errors import IndexUnwritable, SearchError
from search.metafields import facet_values
from search.paragraphs import reflow
from search.schema import SCHEMA_VERSION, make_schema
from search.store import IndexStore
from search.storage.view import IndexView

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
    whole: bool = False  # the whole folder was compared (not only the paths a batch of events named)
    linked: bool = False  # some article file is a link or has other names: its changes come under another name

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """E.g. '2,225 articles: 3 added, 1 updated, 0 removed, 2,221 unchanged in 1.4 s'."""
        line = (f"{self.total:,} articles: {self.added:,} added, {self.updated:,} updated, "
                f"{self.removed:,} removed, {self.unchanged:,} unchanged")
        if self.skipped:
            line += f", {self.skipped:,} skipped"
        took = f"{self.seconds:.1f} s" if self.seconds >= 1 else f"{self.seconds * 1000:.0f} ms"  # never "0.0 s"
        return f"{line} in {took}" + (" (full rebuild)" if self.full else "")


def to_document(article: Article, sig: str, story: str = "") -> dict:
    """The document storage writes for an article (search/storage/build.py says what each key is); hard-wrapped
    text is stored as its paragraphs (search/paragraphs.py), so every reader sees prose at no cost per search."""
    return dict(id=article.id, path=article.path, title=article.title, body=reflow(article.body), date=article.date,
                extra=article.extra, sig=sig, day=day_number(article.date) if article.date else 0,
                facets={"source": article.source or "", **facet_values(article.extra), "story": story})


class Signature(NamedTuple):
    """What a document records of the file it came from: "size:mtime_ns:sha1:sidecar-digest", built and read here."""

    size: str
    mtime: str
    digest: str
    sidecar: str

    @classmethod
    def parse(cls, text: str) -> Signature:
        return cls(*text.split(":"))

    def __str__(self) -> str:
        return ":".join(self)


def _signature(st, digest: str, side: str) -> str:
    return str(Signature(str(st.st_size), str(st.st_mtime_ns), digest, side))


def sync(articles: str | Path, index: str | Path, full: bool = False, progress: Progress | None = None,
         wait: float = 10.0, jobs: int | None = None, changed: Iterable[str] | None = None) -> SyncReport:
    """Bring the index at `index` in line with the folder `articles`; incremental unless `full`.

    A full rebuild analyses the articles in `jobs` worker processes (default: one per core). `changed`: the paths
    a batch of file events named (the watcher's); an incremental sync then compares only what they cover, unless
    only the whole folder can tell (search/targeted.py)."""
    started = time.monotonic()
    root, store = Path(articles), IndexStore(index)
    if not root.is_dir():
        raise SearchError(f"The articles folder {root} does not exist: create it or pass --articles DIR.")
    report = SyncReport()
    with store.writer_lock(wait=wait):
        pointer = store.pointer()
        with _live_view(store, pointer) as live:  # opened once for the whole sync
            if live is None:
                full = True
            elif pointer.analysis and pointer.analysis != PIPELINE:  # terms made another way: none can be kept
                full = True
            elif story_file.outdated(store.path / pointer.generation):
                # the stories' signatures made another way: a rebuild signs every article again in the workers, a
                # batch at a time, where making them again here would hold every article's text in this process
                full = True
            report.full = full
            if full and (jobs is None or jobs > 1):
                _start_workers(root)
            sidecar, report.warnings = load_sidecar(root)
            examined = None if full or changed is None else _examined(live, root, changed, report)
            if examined is not None:
                files, ids, colliding = examined.files, examined.ids, set()
            else:
                # only what a sync compares of each file: a stat_result and its ints cost several times more
                report.whole = True
                files = {rel: _Stat(st.st_size, st.st_mtime_ns)
                         for rel, st in list_article_files(root, warn=lambda message: _skipped(report, message),
                                                           on_link=lambda rel: _linked(report))}
                ids, colliding, collisions = assign_ids(files)
                report.warnings.extend(collisions)
            generation = None
            try:
                if full:
                    generation = store.new_generation()
                    generation = _rebuild(root, store, generation, files, sidecar, report, progress, jobs, ids)
                else:
                    removed, writes = _changes(root, live, files, sidecar, report, progress, ids,
                                               colliding, examined.indexed if examined is not None else None)
                    generation = pointer.generation
                    # STORIES: labels for the writes, and the documents whose story label changed rewritten
                    relabelled, table = _sync_stories(live, removed, writes)
                    removed = removed + relabelled
                    if removed or writes or table is not None:  # a table made again is kept, even with no change
                        from search.storage.build import analyse
                        from search.storage.commit import update
                        from search.storage.format import MAX_SEGMENT_DOCS
                        generation = store.new_generation()
                        parts = [analyse(writes[i:i + MAX_SEGMENT_DOCS])
                                 for i in range(0, len(writes), MAX_SEGMENT_DOCS)]
                        update(str(store.path / pointer.generation), str(store.path / generation), make_schema(),
                               removed, parts)
                        if table is not None:  # always, when something changed (_sync_stories)
                            story_file.save(store.path / generation, table)
                store.publish(generation, str(root))
            except BaseException as exc:
                # nothing of this run stays on disk: the new generation was never published (or publish failed)
                if generation is not None and _live(store) != generation:
                    shutil.rmtree(store.path / generation, ignore_errors=True)
                if isinstance(exc, OSError):
                    raise _unwritable(store.path, exc) from None
                raise
    report.seconds = time.monotonic() - started
    return report


def _examined(view, root: Path, changed: Iterable[str], report: SyncReport):
    """What the events' paths cover (search/targeted.py), with its files' stats as the sync keeps them; None when
    the whole folder must be compared (the warnings of a look that was given up are not kept: the listing gives
    them again)."""
    from search import targeted
    skipped: list[str] = []
    examined = targeted.examine(root, view, changed, warn=skipped.append)
    if examined is None:
        return None
    for message in skipped:
        _skipped(report, message)
    files = {rel: _Stat(st.st_size, st.st_mtime_ns) for rel, st in examined.files.items()}
    return examined._replace(files=files)


def _start_workers(root: Path) -> None:
    """A rebuild starts the workers' server before listing the files when the folder's top level alone holds
    MIN_PARALLEL_ITEMS entries (a guess that costs one partial scandir: a collection split into subfolders starts
    its workers at the first batch instead, as every rebuild did before)."""
    from search.storage.build import MIN_PARALLEL_ITEMS, start_workers_early
    try:
        with os.scandir(root) as entries:
            many = sum(1 for _ in islice(entries, MIN_PARALLEL_ITEMS)) >= MIN_PARALLEL_ITEMS
    except OSError:
        return  # the listing says what is wrong, in its own words
    if many:
        start_workers_early([_prepare.__module__, story_words.__name__])


@contextlib.contextmanager
def _live_view(store: IndexStore, pointer):
    """The live generation's IndexView for a sync, or None when there is none, it has another schema, or it does not
    open (the sync then rebuilds in full rather than fail on every run)."""
    view = None
    if pointer is not None and pointer.schema_version == SCHEMA_VERSION:
        try:
            view = IndexView(store.path / pointer.generation)
        except (OSError, ValueError, EOFError, pickle.UnpicklingError):
            view = None
    try:
        yield view
    finally:
        if view is not None:
            view.close()


def _live(store: IndexStore) -> str | None:
    try:
        pointer = store.pointer()
    except SearchError:
        return None
    return pointer.generation if pointer else None


def _unwritable(path: Path, exc: OSError) -> IndexUnwritable:
    left = "the index was left as it was before this run"
    if exc.errno == errno.ENOSPC:
        return IndexUnwritable(f"The disk holding {path} is full; {left}. "
                               "Free some space and run `search index` again.")
    return IndexUnwritable(f"Cannot write the index at {path} ({exc.strerror or exc}); {left}.")


def _linked(report: SyncReport) -> None:
    report.linked = True


def _skipped(report: SyncReport, message: str) -> None:
    report.warnings.append(message)
    report.skipped += 1


def _read(root, rel, sidecar, report, ids) -> tuple[Article, str] | None:
    try:
        result = read_article(root, rel, sidecar.get(rel), ids.get(rel))
    except SkippedFile as skipped:
        _skipped(report, str(skipped))
        return None
    report.warnings.extend(result.warnings)
    return result.article, result.digest


def _prepare(item) -> tuple[dict | None, tuple[bool, list[str]]]:
    """(the document or None, (read?, warnings)) for one file: what each rebuild worker runs per article."""
    root, rel, size, mtime_ns, entry, article_id = item
    try:
        result = read_article(root, rel, entry, article_id)
    except SkippedFile as skipped:
        return None, (False, [str(skipped)])
    st = _Stat(size, mtime_ns)
    return to_document(result.article, _signature(st, result.digest, sidecar_digest(entry))), (True, result.warnings)


class _Stat(NamedTuple):
    """What a sync keeps of a file's stat."""

    st_size: int
    st_mtime_ns: int


def _rebuild(root, store: IndexStore, generation: str, files, sidecar, report: SyncReport, progress, jobs,
             ids) -> str:
    """Write every article into the new generation; the live one keeps answering until publish(). Returns the
    generation to publish (another one when stories had to relabel articles already written)."""
    from search.storage.build import analysed_batches, default_jobs, segment_groups
    from search.storage.commit import rebuild
    # ids.get: only the ids assign_ids had to choose travel to the workers; they make every other one themselves
    # STORIES: in path order, so that the first version of a story is written first (search/stories.py)
    items = [(root, rel, st.st_size, st.st_mtime_ns, sidecar.get(rel), ids.get(rel))
             for rel, st in sorted(files.items())]
    done = 0

    def on_batch(notes):
        nonlocal done
        for read, warnings in notes:
            report.warnings.extend(warnings)
            if read:
                report.added += 1
            else:
                report.skipped += 1
        if progress:
            for k in range(1, len(notes) + 1):
                progress(done + k, len(files))
        done += len(notes)

    # STORIES: each batch's signatures are made where it is analysed (the workers); the parent only groups them
    batches = analysed_batches(items, _prepare, default_jobs() if jobs is None else jobs, on_batch,
                               summarise=_story_rows)
    grouper = stories.Grouper()
    rebuild(str(store.path / generation), make_schema(), segment_groups(_labelled(batches, grouper)))
    report.total = report.added
    return _finish_stories(store, generation, grouper)


# -- STORIES: the story labels, kept by the indexer (search/stories.py) -----------------------------------------
#: What a rebuild's workers compute per batch for the stories (a module-level function: it is sent to them).
_story_rows = story_words.analysed_rows


def _part_entries(part) -> list[tuple[str, str, str, str, str]]:
    """(id, path, sync signature, title, body) of each document of an analysed part, from its stored blobs."""
    out = []
    for i in range(part.n):
        record = json.loads(part.stored[part.stored_off[i]:part.stored_off[i + 1]].tobytes().decode("utf-8",
                                                                                                     "surrogatepass"))
        path, sig = part.sig[part.sig_off[i]:part.sig_off[i + 1]].tobytes().decode("utf-8",
                                                                                     "surrogateescape").split("\0")[:2]
        out.append((record["id"], path, sig, record.get("title") or "", record.get("body") or ""))
    return out


#: Analysed parts are labelled together up to this many documents (the grouping's work per call is then small).
STORY_BATCH = 2048


def _labelled(parts, grouper):
    """The rebuild's parts, each given its documents' story labels (a "story" facet) before it is written."""
    pending: list = []
    for part in parts:
        pending.append(part)
        if sum(p.n for p in pending) >= STORY_BATCH:
            yield from _label(pending, grouper)
            pending = []
    yield from _label(pending, grouper)


def _label(parts: list, grouper) -> list:
    # a part without the workers' rows (none were asked for) has its stored text read back and signed here
    tables = [part.extra if isinstance(part.extra, stories.Table) else stories.rows(_part_entries(part))
              for part in parts]
    joined = stories.Table.joined(tables)  # sorted by path (a rebuild's parts come in path order: nothing to sort)
    labels = grouper.add_rows(joined)
    paths = np.concatenate([t.paths for t in tables]) if tables else joined.paths
    if not np.array_equal(paths, joined.paths):  # back in the parts' order (paths are distinct: one sorted order)
        in_parts = np.empty_like(labels)
        in_parts[np.argsort(paths, kind="stable")] = labels
        labels = in_parts
    at = 0
    for part, table in zip(parts, tables):
        part.extra = None
        values = labels[at:at + len(table)]
        at += len(table)
        # the facet's names: "" first, then the labels sorted (np.unique sorts them), each row its name's number
        names, code = np.unique(np.append(values, ""), return_inverse=True)
        part.facets["story"] = (code[:-1].astype(np.uint32), names.tolist())
    return parts


def _finish_stories(store: IndexStore, generation: str, grouper) -> str:
    """Keep the signatures in the generation; rewrite the few articles a later one joined to an earlier story."""
    from search.storage.build import analyse
    from search.storage.commit import update
    table = grouper.table(with_labels=True)
    moved = grouper.moved_paths()
    if moved:
        folder = store.path / generation
        view = IndexView(folder)
        try:
            rows = np.searchsorted(table.paths, np.array(moved, dtype=str))  # the table is sorted by path
            docs = _restored(view, moved, dict(zip(moved, table.ids[rows].tolist())),
                             dict(zip(moved, table.labels[rows].tolist())))
        finally:
            view.close()
        final = store.new_generation()
        try:
            update(str(folder), str(store.path / final), make_schema(), moved, [analyse(docs)] if docs else [])
        except BaseException:
            shutil.rmtree(store.path / final, ignore_errors=True)
            raise
        shutil.rmtree(folder, ignore_errors=True)
        generation = final
    story_file.save(store.path / generation, table)
    return generation


def _restored(view, paths, ids: dict[str, str], labels: dict[str, str],
              sigs: dict[str, str] | None = None) -> list[dict]:
    """Indexed documents as the indexer wrote them, with new story labels (for relabelling); `sigs` are their sync
    signatures when known (else the view's of those paths are read)."""
    if not paths:
        return []
    sigs = view.signatures_of(paths) if sigs is None else sigs
    out = []
    for path in paths:
        docnum = view.live_doc("path", path)
        if docnum is None or path not in sigs:
            continue
        f = view.stored(docnum)
        source = view.source_names[int(view.source[docnum])] or None
        article = Article(f["id"], f["path"], f.get("title") or "", f.get("date"), source, f.get("body") or "",
                          f.get("extra") or {})
        out.append(to_document(article, sigs[path], labels[path]))
    return out


def _sync_stories(view, removed: list[str], writes: list[dict]):
    """(paths to relabel, table to keep) for an incremental sync: labels for `writes` (set in their facets), the
    indexed documents whose story label changed appended to `writes` (to be rewritten); ([], None) when there is
    nothing to do. Only the stories the sync touched are worked out again (story_file.update), unless the kept table
    does not describe the index (lost, damaged, or with labels of another banding: it is made again at the next sync
    that changes something): then every label is, and compared with the index's."""
    if not (removed or writes):
        # nothing changed: no story work at all (a damaged table heals at the next change; sync() rebuilds in full
        # when the kept signatures were made another way)
        return [], None
    live_folder = Path(view.folder)
    kept = story_file.open_stored(live_folder)
    fresh = [(d["id"], d["path"], d["sig"], d["title"] or "", d["body"] or "") for d in writes]
    # the file is written with its generation, which never changes after: one written into this generation,
    # of as many rows as it has documents, describes it
    if (kept is not None and kept.roots is not None and kept.generation == live_folder.name
            and len(kept) == int(np.count_nonzero(view.live))):
        try:
            change = story_file.update(kept, removed, stories.make_table(fresh))
        except ValueError:  # the kept texts do not decode (a damaged file): every label is worked out again
            change = kept = None
        if change is not None:
            for d in writes:
                d["facets"]["story"] = change.labels[d["path"]]
            writes.extend(_restored(view, change.stale, change.ids, change.labels, change.sync_sigs))
            return change.stale, change.table
    try:
        old = kept.table() if kept is not None else None
    except ValueError:
        old = None
    table, stale, labels = _relabel_all(view, old, removed, writes, fresh)
    table.labels = labels
    return stale, table


def _relabel_all(view, table, removed: list[str], writes: list[dict], fresh: list[tuple]):
    """(table, paths to relabel, labels) when the kept table does not describe the index: the table made to describe
    it (rows of indexed documents it lacks signed again from their stored text), every label worked out again and
    compared with the one the index's document carries."""
    indexed = view.signatures()
    gone = set(removed)
    after = {p: sg for p, sg in indexed.items() if p not in gone}
    after.update((d["path"], d["sig"]) for d in writes)

    def stored(paths):
        out = []
        for path in paths:
            docnum = view.live_doc("path", path)
            if docnum is not None:
                f = view.stored(docnum)
                out.append((f["id"], path, indexed[path], f.get("title") or "", f.get("body") or ""))
        return out
    table, _, _, _ = stories.refresh(table, after, fresh, stored)
    labels = stories.labels(table)
    written = {d["path"] for d in writes}
    codes, values = view.facet("story")
    stale = []
    for p, label in zip(table.paths.tolist(), labels.tolist()):
        docnum = None if p in written else view.live_doc("path", p)
        if docnum is not None and values[int(codes[docnum])] != label:
            stale.append(p)
    wanted = dict(zip(table.paths.tolist(), labels.tolist()))
    for d in writes:
        d["facets"]["story"] = wanted.get(d["path"], "")
    writes.extend(_restored(view, stale, dict(zip(table.paths.tolist(), table.ids.tolist())), wanted, indexed))
    return table, stale, labels


def _changes(root, view, files, sidecar, report: SyncReport,
             progress, ids, colliding, examined: dict[str, str] | None = None) -> tuple[list[str], list[dict]]:
    """(paths whose documents go, documents to add): the differences between the folder and the live generation,
    or between the `examined` indexed documents ({path: signature}) and `files`, the part of the folder a batch of
    events covers (every other document is then unchanged).

    A file whose id collides with another's is always read again: which of the two keeps the plain id depends
    on the other files, not on its own bytes.
    """
    indexed = view.signatures() if examined is None else examined
    not_examined = 0 if examined is None else int(np.count_nonzero(view.live)) - len(examined)
    writes: list[dict] = []
    removed = [p for p in indexed if p not in files]
    replaced: list[str] = []
    no_entry = sidecar_digest(None)
    sides = {rel: sidecar_digest(entry) for rel, entry in sidecar.items()}  # the few files the sidecar names
    for done, (rel, st) in enumerate(files.items(), 1):
        if progress:
            progress(done, len(files))
        side = sides.get(rel, no_entry)
        old = indexed.get(rel)
        # the signature is "size:mtime_ns:digest:sidecar" (Signature) and the digests hold no ":": the same size,
        # time and sidecar entry, compared without parsing it (every file of the folder comes through here)
        if (old is not None and rel not in colliding and old.startswith(f"{st.st_size}:{st.st_mtime_ns}:")
                and old.endswith(":" + side)):
            report.unchanged += 1
            continue
        read = _read(root, rel, sidecar, report, ids)
        if read is None:
            if old is not None:
                removed.append(rel)  # it was indexed, but now it cannot be read: don't serve stale text
        else:
            article, digest = read
            if old is None:
                report.added += 1
            else:
                replaced.append(rel)
                if Signature.parse(old)[2:] == (digest, side):
                    report.unchanged += 1  # touched but not changed: rewritten only to refresh its signature
                else:
                    report.updated += 1
            writes.append(to_document(article, _signature(st, digest, side)))
    report.removed = len(removed)
    report.unchanged += not_examined
    report.total = len(indexed) + not_examined - report.removed + report.added
    return removed + replaced, writes
