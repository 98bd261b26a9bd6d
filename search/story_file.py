"""The stories file kept in each generation, and a sync's story work on it: the ids, paths, sync signatures,
signatures and story roots of every indexed article (search/stories.py signs and groups them).

A generation's stories file is a header, then each column's bytes, so that a sync maps the columns instead of
reading them and decodes only the rows it changes. The texts and signatures live in a base file that generations
share through hard links, the rows newer than it kept apart (the delta) until a new base is worth writing; update()
works a sync's changes into that form, relabelling only the stories the sync touched.
"""
from __future__ import annotations

import bisect
import json
import os
import re
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

import numpy as np

from search import npsets
from search.stories import _BANDED, BANDS, ROWS, Table, band_keys, components, similar_pairs
from search.story_signatures import K, SIGNATURE_FORMAT

#: The stories file of each generation: a header, then each column's bytes, so that a sync maps the columns instead
#: of reading them and decodes only the rows it changes (see _write).
FILE_NAME = "stories.bin"
#: Where indexes made before kept it (numpy's .npz, read whole by every sync): their next `search index` rebuilds.
OLD_FILE_NAME = "stories.npz"
_MAGIC = b"search-stories\n\0"
_LAYOUT = 3
#: The base (texts and signatures of the rows) is written anew once the rows kept apart from it (and the base rows
#: no longer used) pass 1 / DELTA_SHARE of the rows; until then each generation hard-links it.
DELTA_SHARE = 16
_WRITE_ROWS = 1 << 16
_BASE_NAME = re.compile(r"stories-base\.[\w.-]+\.bin", re.ASCII)
_ALIGN = 64
_MAX_HEADER = 1 << 16
_TEXTS = ("ids", "paths", "sync_sigs")
_NUMBERS = ("sigs", "counts", "exact")
_DTYPES = {"blob": np.dtype("<u1"), "ends": np.dtype("<i8"), "head": np.dtype("<u4"), "tail": np.dtype("<u4"),
           "delta": np.dtype("<u4"), "where": np.dtype("<i8"), "counts": np.dtype("<u4"), "exact": np.dtype("<u8"),
           "roots": np.dtype("<i8")}


class Texts:
    """A column of str values as one UTF-8 blob, each value followed by a NUL, and where each value's NUL stands:
    one value is read, or a sorted column searched, without decoding the others."""

    def __init__(self, blob: np.ndarray, ends: np.ndarray):
        self.blob, self.ends = blob, ends

    @classmethod
    def of(cls, values) -> "Texts":
        """The column of a str array or list."""
        values = values.tolist() if isinstance(values, np.ndarray) else list(values)
        blob = np.frombuffer(("\0".join(values) + "\0" if values else "").encode("utf-8", "surrogatepass"), np.uint8)
        ends = np.flatnonzero(blob == 0)
        if len(ends) != len(values):  # a value holds a NUL: the ends come from each value's length
            sizes = np.fromiter((len(v.encode("utf-8", "surrogatepass")) + 1 for v in values), np.int64, len(values))
            ends = np.cumsum(sizes) - 1
        return cls(blob, ends.astype(np.int64))

    def __len__(self) -> int:
        return len(self.ends)

    def _start(self, row: int) -> int:
        return int(self.ends[row - 1]) + 1 if row else 0

    def raw(self, row: int) -> bytes:
        """The UTF-8 bytes of one value."""
        return self.blob[self._start(row):int(self.ends[row])].tobytes()

    def __getitem__(self, row: int) -> str:
        return self.raw(row).decode("utf-8", "surrogatepass")

    def values(self) -> np.ndarray:
        """Every value, as a numpy str array (decodes the whole column)."""
        if not len(self):
            return np.array([], dtype=str)
        parts = self.blob.tobytes().decode("utf-8", "surrogatepass").split("\0")[:-1]
        return np.array(parts if len(parts) == len(self) else [self[r] for r in range(len(self))], dtype=str)

    def find(self, value: str) -> tuple[int, bool]:
        """(where `value` stands or would stand in this sorted column, whether it is there): bisection over the
        UTF-8 bytes, whose order is the code points' order (numpy's order of str)."""
        key = value.encode("utf-8", "surrogatepass")
        at = bisect.bisect_left(range(len(self)), key, key=self.raw)
        return at, at < len(self) and self.raw(at) == key

    @classmethod
    def joined(cls, pieces: list[tuple["Texts", int, int]]) -> "Texts":
        """The rows [a, b) of each piece's column, one after another: a copy of each piece's bytes."""
        blobs, ends, base = [np.zeros(0, np.uint8)], [np.zeros(0, np.int64)], 0
        for texts, a, b in pieces:
            if a < b:
                start, end = texts._start(a), int(texts.ends[b - 1]) + 1
                blobs.append(texts.blob[start:end])
                ends.append(texts.ends[a:b] - (start - base))
                base += end - start
        return cls(np.concatenate(blobs), np.concatenate(ends))

    def valid(self) -> bool:
        """Whether the ends are those of a column of len(self) values (a damaged file is refused, not followed)."""
        if not len(self):
            return len(self.blob) == 0
        ends = self.ends
        return bool(ends[0] >= 0 and ends[-1] == len(self.blob) - 1 and (ends[1:] > ends[:-1]).all()
                    and not self.blob[ends].any())


class _MappedTexts(Texts):
    """A text column kept as the base's column and the delta's: row r is the base's where[r], or the delta's
    -1 - where[r] (the mapping the signatures have)."""

    def __init__(self, base: Texts, delta: Texts, where: np.ndarray):
        self.base, self.delta, self.where = base, delta, where

    @classmethod
    def of(cls, texts: Texts, where: np.ndarray | None = None) -> "_MappedTexts":
        """The column itself when mapped; else a base of its own with no delta."""
        if isinstance(texts, _MappedTexts):
            return texts
        return cls(texts, Texts.of([]), np.arange(len(texts)) if where is None else where)

    def __len__(self) -> int:
        return len(self.where)

    def raw(self, row: int) -> bytes:
        at = int(self.where[row])
        return self.base.raw(at) if at >= 0 else self.delta.raw(-1 - at)

    def values(self) -> np.ndarray:
        both = np.concatenate([self.base.values(), self.delta.values()])
        return both[np.where(self.where >= 0, self.where, len(self.base) - 1 - self.where)]

    def valid(self) -> bool:
        return self.base.valid() and self.delta.valid()


@dataclass
class Stored:
    """The stories file of a generation as a sync uses it: the text columns as Texts, the others as arrays
    (memory-mapped when read from the file), and each row's story root: the row whose id is its label."""

    ids: Texts
    paths: Texts      # ascending
    sync_sigs: Texts
    sigs: np.ndarray  # uint32[n, K], or as the files keep them (_Sigs: reads as such an array)
    counts: np.ndarray
    exact: np.ndarray
    roots: np.ndarray | None = None  # int64; None when the labels are not known (kept with another banding)
    generation: str = ""             # the generation folder it was written into

    def __len__(self) -> int:
        return len(self.counts)

    @classmethod
    def of(cls, table: Table) -> "Stored":
        """A table's rows, its labels as roots."""
        return cls(*(Texts.of(getattr(table, f)) for f in _TEXTS), *(getattr(table, f) for f in _NUMBERS),
                   roots=_roots_of(table.ids, table.labels) if table.labels is not None else None)

    def table(self) -> Table:
        """Every row as a Table (decodes every text column, copies every array)."""
        ids = self.ids.values()
        return Table(ids, self.paths.values(), self.sync_sigs.values(), *(np.array(getattr(self, f))
                                                                          for f in _NUMBERS),
                     labels=ids[self.roots] if self.roots is not None else None)


def _roots_of(ids: np.ndarray, labels: np.ndarray) -> np.ndarray | None:
    """The row whose id is each label (ids are distinct); None when a label is no row's id."""
    if not len(ids):
        return np.zeros(0, np.int64)
    order = np.argsort(ids, kind="stable")
    at = order[np.minimum(np.searchsorted(ids[order], labels), len(ids) - 1)]
    return at.astype(np.int64) if np.array_equal(ids[at], labels) else None


@dataclass
class Change:
    """What an incremental sync does to the stories: the table to keep, the labels of the rows it wrote, and the
    kept rows whose label changed (their documents are rewritten), each with its id, label and sync signature."""

    table: Stored
    labels: dict[str, str]      # {path: label} of the written rows and the stale ones
    stale: list[str]            # paths of kept rows whose label changed
    ids: dict[str, str]         # {path: id} of the stale rows
    sync_sigs: dict[str, str]   # {path: sync signature} of the stale rows


class _Sigs:
    """Every row's signature as the stories files keep them: a base of signatures (a file that generations share
    through hard links, the banded bins apart from the others so that band keys read only theirs), signatures
    newer than the base (the delta), and where each row's is: a base row, or -1 - a delta row."""

    def __init__(self, head: np.ndarray, tail: np.ndarray, delta: np.ndarray, rows: np.ndarray,
                 base: Path | None = None):
        self.head, self.tail, self.delta, self.rows, self.base = head, tail, delta, rows, base
        self.shape = (len(rows), K)
        self.dtype = np.dtype(np.uint32)

    @classmethod
    def whole(cls, sigs: np.ndarray) -> "_Sigs":
        """Signatures in row order, as a base of their own (not yet in a file)."""
        return cls(sigs[:, :_BANDED], sigs[:, _BANDED:], np.zeros((0, K), np.uint32), np.arange(len(sigs)))

    def __len__(self) -> int:
        return self.shape[0]

    def banded(self) -> np.ndarray:
        """Every row's banded bins (a copy)."""
        return self._take(self.rows, _BANDED)

    def __getitem__(self, rows) -> np.ndarray:
        """The signatures of the given rows (a slice or an array of row numbers), copied."""
        return self._take(self.rows[rows], K)

    def _take(self, where: np.ndarray, bins: int) -> np.ndarray:
        """The first `bins` bins of the signatures at `where` (base rows, or -1 - delta rows): runs of consecutive
        base rows (a sync's kept rows are such runs) copied as slices, others gathered."""
        out = np.empty((len(where), bins), self.dtype)
        negative = where < 0
        newer = np.flatnonzero(negative)
        if len(newer):
            out[newer] = self.delta[-1 - where[newer], :bins]
        cut = np.flatnonzero((np.diff(where) != 1) | negative[1:] | negative[:-1]) + 1  # a delta row stands alone
        if len(cut) > 64 + len(where) // 64:  # scattered rows
            base = np.flatnonzero(where >= 0)
            out[base, :_BANDED] = self.head[where[base]]
            if bins > _BANDED:
                out[base, _BANDED:] = self.tail[where[base]]
            return out
        for a, b in zip([0] + cut.tolist(), cut.tolist() + [len(where)]):
            first = int(where[a]) if a < b else -1
            if first >= 0:
                out[a:b, :_BANDED] = self.head[first:first + b - a]
                if bins > _BANDED:
                    out[a:b, _BANDED:] = self.tail[first:first + b - a]
        return out

    def __array__(self, dtype=None, copy=None) -> np.ndarray:
        whole = self._take(self.rows, K)
        return whole if dtype is None else whole.astype(dtype)

    def compact(self) -> bool:
        """Whether a new base is worth writing: the delta, or the base rows no row uses any more, passed 1 /
        DELTA_SHARE of the rows."""
        unused = len(self.head) - int(np.count_nonzero(self.rows >= 0))
        return self.base is None or len(self.delta) + unused > len(self) // DELTA_SHARE


class _Numbers:
    """The numeric columns of a table, as similar_pairs and band_keys read them."""

    def __init__(self, sigs: np.ndarray, counts: np.ndarray, exact: np.ndarray):
        self.sigs, self.counts, self.exact = sigs, counts, exact

    def __len__(self) -> int:
        return len(self.counts)


def update(stored: Stored, removed, fresh: Table) -> Change:
    """The stories after an incremental sync: the rows of `removed` paths and of the paths `fresh` writes again
    dropped, `fresh` rows (a table sorted by path) added, and the labels relabel() gives, worked out again only for
    the stories the sync touched (stored.roots must be known). Python work is per changed row; the texts and
    signatures of kept rows are not copied (the fresh ones join the delta), and the rest is a few whole-column
    numpy operations."""
    n = len(stored)
    fresh_paths = fresh.paths.tolist()
    found = [stored.paths.find(p) for p in fresh_paths]
    drop = sorted({at for at, there in chain(map(stored.paths.find, removed), found) if there})
    # the new order: runs of kept rows, each fresh row before the old row its path sorts before
    inserted: dict[int, list[int]] = {}
    for k, (at, _) in enumerate(found):
        inserted.setdefault(at, []).append(k)
    dropped = set(drop)
    pieces, cur = [], 0  # (0 for old rows / 1 for fresh ones, first, end)
    for bound in sorted(dropped | set(inserted) | {n}):
        if cur < bound:
            pieces.append((0, cur, bound))
        if bound in inserted:
            pieces.append((1, inserted[bound][0], inserted[bound][-1] + 1))
        cur = bound + 1 if bound in dropped else bound
    # neither the signatures nor the texts are copied: the fresh rows join the delta, and each row says where its
    # row is (a base row, or -1 - a delta row)
    old = stored.sigs if isinstance(stored.sigs, _Sigs) else _Sigs.whole(np.asarray(stored.sigs))
    where = [old.rows[a:b] if not src else -1 - len(old.delta) - np.arange(a, b) for src, a, b in pieces]
    where = np.concatenate(where) if where else np.zeros(0, np.int64)
    texts = []
    for f in _TEXTS:
        kept = _MappedTexts.of(getattr(stored, f), old.rows)
        added = Texts.of(getattr(fresh, f))
        texts.append(_MappedTexts(kept.base, Texts.joined([(kept.delta, 0, len(kept.delta)), (added, 0, len(added))]),
                                  where))
    numbers = [_Sigs(old.head, old.tail, np.concatenate([old.delta, fresh.sigs]), where, old.base)]
    numbers += [np.concatenate([(getattr(fresh, f) if src else getattr(stored, f))[a:b] for src, a, b in pieces])
                if pieces else getattr(fresh, f)[:0] for f in _NUMBERS[1:]]
    m = len(numbers[1])
    keep = np.ones(n, dtype=bool)
    keep[drop] = False
    kept_before = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(keep, out=kept_before[1:])
    at = np.array([a for a, _ in found], dtype=np.int64)
    fresh_rows = kept_before[at] + np.arange(len(at))
    is_fresh = np.zeros(m, dtype=bool)
    is_fresh[fresh_rows] = True
    new_of_old = kept_before[:-1] + np.searchsorted(at, np.arange(n), side="right")  # meaningful for kept rows
    old_roots = np.asarray(stored.roots)
    kept_roots = old_roots[keep]  # each kept row's root, numbered as before
    gone = npsets.unique(old_roots[~keep])
    kept_rank = np.cumsum(~is_fresh) - 1  # a kept row's place among the kept rows (in either order)
    roots = np.empty(m, dtype=np.int64)
    roots[~is_fresh] = new_of_old[kept_roots]  # a story no fresh row joins and no version left keeps its root
    area = is_fresh
    if len(fresh_rows) or len(gone):
        table = _Numbers(*numbers)
        keys = band_keys(table)  # both passes below look up the same keys
        i, j = similar_pairs(table, only=is_fresh, keys=keys)
        ends = np.concatenate([i, j])
        ends = ends[~is_fresh[ends]]
        touched = np.zeros(n, dtype=bool)  # the stories (by old root) a version left or a fresh row pairs with
        touched[gone] = True
        touched[kept_roots[kept_rank[ends]]] = True
        area = is_fresh.copy()
        area[~is_fresh] = touched[kept_roots]
        i, j = similar_pairs(table, only=area, keys=keys)
        inside = area[i] & area[j]
        root = components(m, i[inside], j[inside])  # rows are sorted by path: the root is the first path
        roots[area] = root[area]
    ids, paths, sync_sigs = texts
    labels = {paths[r]: ids[int(roots[r])] for r in fresh_rows.tolist()}
    stale, stale_ids, stale_sigs = [], {}, {}
    kept_area = np.flatnonzero(area & ~is_fresh)
    if len(kept_area):
        for r, was in zip(kept_area.tolist(), kept_roots[kept_rank[kept_area]].tolist()):
            now = int(roots[r])
            if keep[was] and new_of_old[was] == now:
                continue  # the same root row: the same label
            label = ids[now]
            if stored.ids[was] != label:
                path = paths[r]
                stale.append(path)
                labels[path], stale_ids[path], stale_sigs[path] = label, ids[r], sync_sigs[r]
    return Change(Stored(*texts, *numbers, roots=roots), labels, stale, stale_ids, stale_sigs)


def load(folder: str | os.PathLike) -> Table | None:
    """The table stored in a generation folder; None when it is missing or unreadable (it is then rebuilt)."""
    stored = open_stored(folder)
    return stored.table() if stored is not None else None


def open_stored(folder: str | os.PathLike) -> Stored | None:
    """The stories file of a generation folder and the base it names, memory-mapped (nothing decoded); None when
    either is missing or damaged, or holds signatures made another way."""
    folder = Path(folder)
    try:
        meta, columns = _columns(folder / FILE_NAME)
        if meta.get("format") != SIGNATURE_FORMAT or meta.get("layout") != _LAYOUT:
            return None
        n, base = meta["rows"], meta["base"]
        if not isinstance(n, int) or n < 0 or not isinstance(base, str) or not _BASE_NAME.fullmatch(base):
            return None
        base_meta, base_columns = _columns(folder / base)
        base_rows = base_meta["rows"]
        if not isinstance(base_rows, int) or base_rows < 0:
            return None
        where = columns("where", (n,))
        delta = columns("delta", None).reshape(-1, K)
        texts = [_MappedTexts(Texts(base_columns(f"{f}.blob", None), base_columns(f"{f}.ends", (base_rows,))),
                              Texts(columns(f"delta.{f}.blob", None), columns(f"delta.{f}.ends", (len(delta),))),
                              where) for f in _TEXTS]
        sigs = _Sigs(base_columns("head", (base_rows, _BANDED)), base_columns("tail", (base_rows, K - _BANDED)),
                     delta, where, folder / base)
        numbers = [sigs, columns("counts", (n,)), columns("exact", (n,))]
        # labels found with another banding may group a little differently: they are worked out again
        same_banding = meta.get("banding") == [BANDS, ROWS]
        roots = columns("roots", (n,)) if "roots" in meta["columns"] and same_banding else None
        generation = meta.get("generation")
    except (OSError, ValueError, KeyError, TypeError):  # a JSON or Unicode error is a ValueError
        return None
    if not all(t.valid() for t in texts) or not isinstance(generation, str):
        return None
    if n and not ((where < base_rows) & (where >= -len(delta))).all():
        return None
    if roots is not None and not (len(roots) == 0 or ((roots >= 0) & (roots <= np.arange(n))).all()
                                  and np.array_equal(roots[roots], roots)):
        return None  # a root is the first row of its story, and its own root
    return Stored(*texts, *numbers, roots=roots, generation=generation)


def _columns(path: Path):
    """(the header of a file _write wrote, a function (name, shape or None) -> that column, memory-mapped);
    ValueError when it is no such file or a column is not where and as large as the header says."""
    meta, start, size = _header(path)
    layout = meta["columns"]
    if not isinstance(layout, dict):
        raise ValueError("columns")

    def column(name: str, shape: tuple | None) -> np.ndarray:
        offset, nbytes = layout[name]
        dtype = _DTYPES[name.rsplit(".", 1)[-1]]
        shape = (nbytes // dtype.itemsize,) if shape is None else shape
        if not (isinstance(offset, int) and isinstance(nbytes, int) and 0 <= offset
                and nbytes == int(np.prod(shape)) * dtype.itemsize and start + offset + nbytes <= size):
            raise ValueError(name)
        return np.memmap(path, dtype, "r", start + offset, shape) if nbytes else np.zeros(shape, dtype)
    return meta, column


def _header(path: Path) -> tuple[dict, int, int]:
    """(the file's header, where its columns start, its size); ValueError when it is no stories file."""
    with open(path, "rb") as f:
        head = f.read(len(_MAGIC) + 8)
        if len(head) < len(_MAGIC) + 8 or not head.startswith(_MAGIC):
            raise ValueError("not a stories file")
        length = int.from_bytes(head[len(_MAGIC):], "little")
        if length > _MAX_HEADER:
            raise ValueError("header too long")
        try:
            meta = json.loads(f.read(length).decode("utf-8"))
        except RecursionError:  # "[[[[..." nested past the parser's depth: no stories file either
            raise ValueError("header nested too deep") from None
        size = os.fstat(f.fileno()).st_size
    if not isinstance(meta, dict):
        raise ValueError("header")
    return meta, _aligned(len(head) + length), size


def _aligned(at: int) -> int:
    return -(-at // _ALIGN) * _ALIGN


def outdated(folder: str | os.PathLike) -> bool:
    """True when the generation's stories file holds signatures made another way, or is kept as an older version
    kept it (the next sync makes them again)."""
    folder = Path(folder)
    try:
        meta, _, _ = _header(folder / FILE_NAME)
    except FileNotFoundError:
        return (folder / OLD_FILE_NAME).is_file()
    except (OSError, ValueError):
        return False  # damaged: made again at the next sync that changes something
    return meta.get("format") != SIGNATURE_FORMAT or meta.get("layout") != _LAYOUT


def save(folder: str | os.PathLike, table: Table | Stored) -> None:
    """Write the table into a generation folder atomically and durably (each file fsynced, then renamed, then the
    folder fsynced): the stories file, and the base of texts and signatures it names, hard-linked from the
    generation the table was read from while its delta stays small, else written anew; a failure leaves neither."""
    from search.store import fsync_dir, link_or_copy

    folder = Path(folder)
    stored = table if isinstance(table, Stored) else Stored.of(table)
    sigs = stored.sigs if isinstance(stored.sigs, _Sigs) else _Sigs.whole(np.asarray(stored.sigs))
    texts = [_MappedTexts.of(getattr(stored, f), sigs.rows) for f in _TEXTS]
    made: list[Path] = []  # what this call created, removed if it fails
    tmp = folder / f".{FILE_NAME}.{os.getpid()}.tmp"
    try:
        if sigs.compact():
            base = folder / f"stories-base.{folder.name}.{os.urandom(4).hex()}.bin"
            whole = stored.sigs if isinstance(stored.sigs, np.ndarray) else np.asarray(sigs)
            columns = {"head": whole[:, :_BANDED], "tail": whole[:, _BANDED:]}
            for f, column in zip(_TEXTS, texts):
                in_order = column.base if len(column.delta) == 0 and _is_range(column.where, len(column.base)) \
                    else Texts.of(column.values())
                columns.update({f"{f}.blob": in_order.blob, f"{f}.ends": in_order.ends})
            made.append(base.with_name(f".{base.name}.tmp"))
            _write(made[-1], columns, {"layout": _LAYOUT, "rows": len(whole)})
            os.rename(made[-1], base)
            made[-1] = base
            where, used = np.arange(len(whole)), np.zeros(0, np.int64)
        else:
            base = folder / sigs.base.name
            if not base.exists():
                made.append(base)
                link_or_copy(sigs.base, base)  # the base is never changed: every generation may hold it
            elif not os.path.samefile(base, sigs.base):
                raise FileExistsError(f"{base} is another file")
            where = sigs.rows.copy()
            newer = where < 0  # only the delta rows some row still uses are kept, in their order
            used = npsets.unique(-1 - where[newer])
            where[newer] = -1 - np.searchsorted(used, -1 - where[newer])
        columns = {"where": where, "delta": sigs.delta[used]}
        for f, column in zip(_TEXTS, texts):
            delta = column.delta if _is_range(used, len(column.delta)) else Texts.joined(
                [(column.delta, u, u + 1) for u in used.tolist()])
            columns.update({f"delta.{f}.blob": delta.blob, f"delta.{f}.ends": delta.ends})
        columns.update(counts=stored.counts, exact=stored.exact)
        if stored.roots is not None:
            columns["roots"] = stored.roots
        made.append(tmp)
        _write(tmp, columns, {"format": SIGNATURE_FORMAT, "layout": _LAYOUT, "banding": [BANDS, ROWS],
                              "rows": len(stored), "generation": folder.name, "base": base.name})
        os.rename(tmp, folder / FILE_NAME)  # atomic over an existing file on POSIX, as os.replace
    except BaseException:
        for path in made:
            path.unlink(missing_ok=True)
        raise
    for other in folder.glob("stories-base.*.bin"):  # a base an earlier save into this folder wrote
        if other.name != base.name:
            other.unlink(missing_ok=True)
    fsync_dir(folder)


def _is_range(where: np.ndarray, n: int) -> bool:
    return len(where) == n and (n == 0 or (where[0] == 0 and bool((np.diff(where) == 1).all())))


def files(folder: str | os.PathLike) -> set[str]:
    """The names of the stories files a generation holds: the stories file and the base it names."""
    try:
        meta, _, _ = _header(Path(folder) / FILE_NAME)
    except (OSError, ValueError):
        return set()
    base = meta.get("base")
    return {FILE_NAME} | ({base} if isinstance(base, str) and _BASE_NAME.fullmatch(base) else set())


def _write(path: Path, columns: dict[str, np.ndarray], meta: dict) -> None:
    """The file: a magic line, the header's length (8 bytes, little-endian), the header (JSON: `meta` and where each
    column's bytes are, from the first aligned byte after it), then each column's bytes (little-endian, C order),
    each starting on an aligned byte; fsynced."""
    layout, at = {}, 0
    arrays = {}
    for name, values in columns.items():
        dtype = _DTYPES[name.rsplit(".", 1)[-1]]
        arrays[name] = values if isinstance(values, np.ndarray) and values.dtype == dtype else np.asarray(values, dtype)
        layout[name] = [at, arrays[name].nbytes]
        at = _aligned(at + arrays[name].nbytes)
    head = json.dumps({**meta, "columns": layout}).encode("utf-8")
    with open(path, "wb") as f:
        f.write(_MAGIC + len(head).to_bytes(8, "little") + head)
        start = _aligned(f.tell())
        for name, values in arrays.items():
            f.write(bytes(start + layout[name][0] - f.tell()))  # padding to the column's aligned start
            for lo in range(0, len(values), _WRITE_ROWS):  # a column of a wider array is copied a slice at a time
                part = np.ascontiguousarray(values[lo:lo + _WRITE_ROWS])
                if part.nbytes:
                    f.write(memoryview(part.reshape(-1)).cast("B"))
        f.flush()
        os.fsync(f.fileno())
