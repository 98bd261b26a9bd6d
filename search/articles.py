"""Article files -> Article records: listing, decoding, front matter, the sidecar, and metadata precedence."""
from __future__ import annotations

import codecs
import csv
import errno
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from search.analysis import fold
from search.limits import MAX_ARTICLE_BYTES, MAX_SIDECAR_BYTES

#: File endings read as articles (.html/.htm are saved web pages, read by search/webpage.py).
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
#: The sidecar: a CSV in the articles folder mapping file paths to title/date/source/... (see README).
SIDECAR_NAME = "metadata.csv"
#: Keys with a meaning of their own; any other front-matter or sidecar key is kept in Article.extra.
KNOWN_KEYS = ("title", "date", "source")
#: A front-matter line longer than this means the file has no front matter (it is read as text).
FRONT_MATTER_LINE_MAX = 8192

_ID_SLUG_CHARS = 48
#: Hex digits of the path's SHA-256 in an id: 64 bits, so that no two paths of a collection share one by chance
#: (and a collision is still detected and resolved by assign_ids).
ID_DIGEST_CHARS = 16
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,%d}-[0-9a-f]{%d}" % (_ID_SLUG_CHARS, ID_DIGEST_CHARS))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f]")
# key, then the rest of the line; the value's white space is stripped in Python (a lazy `(.*?)\s*$` was
# quadratic in a run of white space)
_KEY_VALUE = re.compile(r"([A-Za-z][A-Za-z0-9_-]*)[ \t]*:(.*)")
#: Bytes counted as control characters when telling binary from text: below 32 except tab, LF, FF, CR.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
_HIGH_BYTES = bytes(range(128, 256))
_BINARY_MAGIC = (b"\x89PNG", b"%PDF", b"PK\x03\x04", b"GIF8", b"\xff\xd8\xff", b"\x7fELF", b"\x1f\x8b")


class SkippedFile(Exception):
    """A file that cannot be indexed; str() says why, for a warning naming the file."""


@dataclass
class Article:
    """One article as the engine sees it."""

    id: str
    path: str  # relative to the articles folder, with forward slashes
    title: str
    date: str | None
    source: str | None
    body: str
    extra: dict[str, str] = field(default_factory=dict)


@dataclass
class ReadResult:
    """An article with what incremental sync needs to know about the bytes it came from."""

    article: Article
    digest: str
    warnings: list[str]


def article_id(relpath: str, salt: int = 0) -> str:
    """A stable, URL-safe id for a file path: a readable slug of the name plus 16 hex digits of its hash.

    `salt` > 0 gives the path another id, for the rare paths whose ids collide (see assign_ids).
    """
    stem = relpath.rsplit(".", 1)[0] if "." in relpath.rsplit("/", 1)[-1] else relpath
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    slug = slug[-_ID_SLUG_CHARS:].strip("-") or "article"
    key = relpath if not salt else f"{relpath}\x00{salt}"
    return f"{slug}-{_digest(key.encode('utf-8', 'surrogateescape'))}"


def _digest(data: bytes) -> str:
    import hashlib  # here, not at the top: a search imports this module and never hashes (OpenSSL's start-up)
    return hashlib.sha256(data).hexdigest()[:ID_DIGEST_CHARS]


class Ids(dict):
    """{path: id} for a collection: the ids assign_ids had to choose, and article_id(path) for every other path."""

    def __missing__(self, relpath: str) -> str:
        return article_id(relpath)


def assign_ids(relpaths) -> tuple[Ids, set[str], list[str]]:
    """Ids for every path of a collection, none shared: (ids, paths whose id was salted, warnings).

    Only paths whose digests are equal can share an id, so only those are looked at closely (a sync lists every
    file, and most share nothing): in sorted order, one whose id is already taken gets a salted id instead and a
    warning names both files. The same folder always gets the same ids.
    """
    import numpy as np  # here: reading an article's metadata (the web's article page) needs none of it

    # every path's digest as one 64-bit number: sorting them finds the shared ones without a dict of every path
    rels = list(relpaths)
    digests = np.fromiter((int(_digest(rel.encode("utf-8", "surrogateescape")), 16) for rel in rels),
                          dtype=np.uint64, count=len(rels))
    order = np.argsort(digests, kind="stable")
    ordered = digests[order]
    shared = np.zeros(len(rels), dtype=bool)
    if len(rels) > 1:
        same = ordered[1:] == ordered[:-1]
        shared[1:] |= same
        shared[:-1] |= same
    by_digest: dict[int, list[str]] = {}
    for k in np.flatnonzero(shared).tolist():
        by_digest.setdefault(int(ordered[k]), []).append(rels[int(order[k])])

    def taken(digest_hex: str) -> bool:  # some path of the collection has this digest
        value = np.uint64(int(digest_hex, 16))
        at = int(np.searchsorted(ordered, value))
        return at < len(ordered) and ordered[at] == value

    ids, salted, warnings = Ids(), set(), []
    for group in sorted(g for g in by_digest.values() if len(g) > 1):
        owner: dict[str, str] = {}
        for rel in sorted(group):
            plain = candidate = article_id(rel)
            salt = 0
            while candidate in owner or (salt and taken(candidate.rsplit("-", 1)[1])):
                salt += 1
                candidate = article_id(rel, salt)
            if salt:
                salted.update((rel, owner[plain]))
                warnings.append(f"{rel}: its id {plain} is also {owner[plain]}'s; given the id {candidate} instead")
            ids[rel], owner[candidate] = candidate, rel
    return ids, salted, warnings


def is_article_id(value: str) -> bool:
    """True when `value` has the shape of an article id (checked before any lookup)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def list_article_files(root: Path, warn=None, under: str = "", on_link=None) -> Iterator[tuple[str, os.stat_result]]:
    """Yield (relative posix path, stat) of every .txt/.md file under root; hidden entries and the sidecar skipped.

    Only regular files inside the folder are listed. `warn(message)` is told, naming the file, of each one
    skipped: a name that is not UTF-8, a link that leaves the folder or loops, a FIFO, socket or device, a link
    to a folder (never followed). `under` ("a/b"): only the files of that subfolder, as the whole listing would
    give them (nothing when the whole listing would not enter it). `on_link(rel)` is told of each file listed that
    is a link or has other names (hard links): a change to it can come under another name.
    """
    # every `search index` lists the whole folder: one scandir per folder and one lstat per file (DirEntry's
    # cached one), no path joins or realpath for a plain file; links take the careful road (_regular_file)
    top = os.fspath(root)
    real_top = os.path.realpath(top)
    warn = warn or (lambda message: None)
    pending = [(top, "")]
    if under:
        if not _listed_folder(top, under):
            return
        pending = [(os.path.join(top, *under.split("/")), under + "/")]
    while pending:
        folder, prefix = pending.pop()
        try:
            with os.scandir(folder) as it:
                entries = list(it)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is passed over
        dirs, files = [], []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            (dirs if is_dir else files).append(entry)
        for entry in sorted(files, key=lambda e: e.name):
            name = entry.name
            if name.startswith(".") or not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            rel = prefix + name
            if rel == SIDECAR_NAME:
                continue
            st, why = _entry_stat(entry, real_top)
            if why:
                warn(f"{printable_name(rel)}: skipped, {why}")
            elif not (rel.isascii() or _is_utf8(rel)):
                warn(f"{printable_name(rel)}: skipped, its name is not valid UTF-8 (rename the file)")
            elif st is not None:
                if on_link is not None and (st.st_nlink > 1 or entry.is_symlink()):
                    on_link(rel)
                yield rel, st
        below = []
        for entry in sorted(dirs, key=lambda e: e.name):
            if entry.name.startswith("."):
                continue
            if entry.is_symlink():
                warn(f"{printable_name(prefix + entry.name)}/: skipped, a link to a folder is not followed")
                continue
            below.append((entry.path, prefix + entry.name + "/"))
        pending.extend(reversed(below))  # depth first, in name order, as os.walk goes


def _listed_folder(top: str, rel: str) -> bool:
    """True when the whole listing enters the subfolder `rel`: every part of it a folder, none hidden or a link."""
    path = top
    for part in rel.split("/"):
        if not part or part.startswith(".") or part == "..":
            return False
        path = os.path.join(path, part)
        try:
            st = os.lstat(path)
        except OSError:
            return False
        if not stat.S_ISDIR(st.st_mode):
            return False
    return True


def article_file(root: Path, rel: str, warn=None) -> os.stat_result | None:
    """The stat list_article_files gives the file `rel` (a relative posix path), or None when it would not list
    it (gone, hidden, not an article, the sidecar, in a folder it does not enter); `warn` as there."""
    folder, _, name = rel.rpartition("/")
    if (not name or name.startswith(".") or not name.lower().endswith(ARTICLE_SUFFIXES) or rel == SIDECAR_NAME
            or (folder and not _listed_folder(os.fspath(root), folder))):
        return None
    path = os.path.join(os.fspath(root), *rel.split("/"))
    if os.path.isdir(path):  # a folder named like an article: the listing enters it (a link to one, it passes over)
        if os.path.islink(path) and warn:
            warn(f"{printable_name(rel)}/: skipped, a link to a folder is not followed")
        return None
    st, why = _regular_file(path, os.path.realpath(os.fspath(root)))
    if why:
        (warn or (lambda message: None))(f"{printable_name(rel)}: skipped, {why}")
        return None
    if st is not None and not _is_utf8(rel):
        (warn or (lambda message: None))(f"{printable_name(rel)}: skipped, its name is not valid UTF-8 "
                                         "(rename the file)")
        return None
    return st


def _entry_stat(entry: os.DirEntry, real_top: str) -> tuple[os.stat_result | None, str]:
    """_regular_file for a listed entry: a plain file is judged by the entry's own lstat."""
    try:
        if entry.is_symlink():
            return _regular_file(entry.path, real_top)
        st = entry.stat(follow_symlinks=False)
    except FileNotFoundError:
        return None, ""
    except OSError as exc:
        return None, f"it cannot be read ({exc.strerror})"
    if not stat.S_ISREG(st.st_mode):
        return None, "it is not a regular file (a FIFO, socket or device)"
    return st, ""


def _regular_file(path: str, real_top: str) -> tuple[os.stat_result | None, str]:
    """(stat, "") for a regular file inside the folder (a link to one counts); (None, why) otherwise."""
    try:
        st = os.lstat(path)
        if stat.S_ISLNK(st.st_mode):
            target = os.path.realpath(path)
            if not _inside(target, real_top):
                return None, "it is a link to a file outside the articles folder"
            st = os.stat(path)
    except FileNotFoundError:
        return None, ""  # vanished between listing and stat, or a dangling link: it is simply not there
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, "it is a link that loops"
        return None, f"it cannot be read ({exc.strerror})"
    if not stat.S_ISREG(st.st_mode):
        return None, "it is not a regular file (a FIFO, socket or device)"
    return st, ""


def _inside(path: str, real_top: str) -> bool:
    return path == real_top or path.startswith(real_top.rstrip(os.sep) + os.sep)


def _is_utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:  # os.walk gives undecodable bytes as lone surrogates
        return False
    return True


def printable_name(name: str) -> str:
    """A file name fit for a message: undecodable bytes as \\xNN, control characters as escapes."""
    name = name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    return _CONTROL_NAME.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def load_sidecar(root: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Read root/metadata.csv into {relative path: {key: value}}; a broken sidecar or row is a warning, not a failure.

    One row a line. Control characters (NUL, ESC, ...) are removed from every cell; a row that cannot be read
    (a quote left open, say) is skipped with a warning naming its line, and the rows after it are still read.
    """
    path = root / SIDECAR_NAME
    if not os.path.lexists(path):
        return {}, []
    try:
        data, warnings = read_contained(root, SIDECAR_NAME, limit=MAX_SIDECAR_BYTES)
        text = data.decode("utf-8-sig")
    except SkippedFile as exc:
        return {}, [f"{exc}; the sidecar is ignored"]
    except UnicodeDecodeError as exc:
        return {}, [f"{SIDECAR_NAME}: ignored, it is not UTF-8 ({exc.reason} at byte {exc.start})"]
    lines = _CONTROL.sub("", text).splitlines()
    header = _sidecar_row(lines[0], 1, warnings) if lines else None
    if not header or "path" not in [h.strip().lower() for h in header]:
        return {}, [f"{SIDECAR_NAME}: ignored, its first row must name the columns, one of them `path`"]
    names = [h.strip() for h in header]
    at = [h.lower() for h in names].index("path")
    entries: dict[str, dict[str, str]] = {}
    for number, line in enumerate(lines[1:], 2):
        row = _sidecar_row(line, number, warnings) if line.strip() else None
        if not row:
            continue
        rel = (row[at] if at < len(row) else "").strip().replace("\\", "/").lstrip("./")
        if rel:
            entries[rel] = {k: v.strip() for k, v in zip(names, row) if k and k.lower() != "path" and v.strip()}
    return entries, warnings


def _sidecar_row(line: str, number: int, warnings: list[str]) -> list[str] | None:
    try:
        return next(csv.reader([line], strict=True))
    except csv.Error as exc:
        why = "a quote opened in it is not closed" if "end of data" in str(exc) else str(exc)
        warnings.append(f"{SIDECAR_NAME}: row {number} skipped, {why}")
        return None


def read_contained(root: Path, relpath: str, limit: int = MAX_ARTICLE_BYTES) -> tuple[bytes, list[str]]:
    """The bytes (up to `limit`) of the regular file root/relpath, never anything outside root, never blocking.

    Every reader of a file in the articles folder goes through here (articles, the sidecar, saved pages).
    """
    fd = _open_inside(root, relpath)
    if fd is not None:
        return _read_open(fd, relpath, limit)
    return read_bytes(_contained(root, relpath), relpath, limit=limit)


_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_inside(root: Path, relpath: str) -> int | None:
    """root/relpath opened for reading when it is reached without any link: each folder opened relative to the one
    above with O_NOFOLLOW, and the file too. Then no realpath is needed (an lstat per component of the absolute
    path, twice, paid per article by a rebuild) and no path is walked again between the check and the read. None
    sends the path to _contained, which judges links, and read_bytes, which says why a file cannot be read."""
    if not (_NOFOLLOW and os.open in os.supports_dir_fd):
        return None
    parts = relpath.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return None
    try:
        fd = os.open(root, _DIR_FLAGS)
    except OSError:
        return None
    try:
        for part in parts[:-1]:
            inner = os.open(part, _DIR_FLAGS | _NOFOLLOW, dir_fd=fd)
            os.close(fd)
            fd = inner
        return os.open(parts[-1], _FILE_FLAGS, dir_fd=fd)
    except OSError:
        return None  # a link, gone, or unreadable: the slow road says which, in its own words
    finally:
        os.close(fd)


def _contained(root: Path, relpath: str) -> Path:
    """The real path of root/relpath; SkippedFile if it is a link that leaves the folder or loops."""
    real_top = os.path.realpath(root)
    try:
        target = os.path.realpath(os.path.join(root, relpath), strict=True)
    except FileNotFoundError:
        raise SkippedFile(f"{printable_name(relpath)}: skipped, it disappeared while indexing") from None
    except OSError as exc:
        why = "it is a link that loops" if exc.errno == errno.ELOOP else f"it cannot be read ({exc.strerror})"
        raise SkippedFile(f"{printable_name(relpath)}: skipped, {why}") from None
    if not _inside(target, real_top):
        raise SkippedFile(f"{printable_name(relpath)}: skipped, it is a link to a file outside the articles folder")
    return Path(target)


def sidecar_digest(entry: dict[str, str] | None) -> str:
    """A short digest of one file's sidecar entry, so that editing the sidecar re-indexes that file."""
    if not entry:
        return "-"
    import hashlib
    return hashlib.sha1(repr(sorted(entry.items())).encode("utf-8")).hexdigest()[:12]


def decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """Bytes of an article file -> clean NFC text and warnings; raise SkippedFile for empty or binary files."""
    warnings: list[str] = []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = data.decode("utf-16", errors="replace")
    else:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8):]
        if _looks_binary(data):
            raise SkippedFile(f"{name}: skipped, it is a binary file, not text")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            if _looks_random(data):
                raise SkippedFile(f"{name}: skipped, it is a binary file, not text") from None
            text = data.decode("cp1252", errors="replace")
            warnings.append(f"{name}: not valid UTF-8, read as Windows-1252 (cp1252)")
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = unicodedata.normalize("NFC", text)
    if not text.strip():
        raise SkippedFile(f"{name}: skipped, it is empty")
    return text, warnings


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    if head.startswith(_BINARY_MAGIC):
        return True
    if not head:
        return False
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    return controls / len(head) > 0.30  # stray NULs in a scraped text are cleaned, not a reason to skip it


def _looks_random(data: bytes) -> bool:
    """For bytes that are not UTF-8: too many bytes above ASCII or below space for a Windows-1252 text."""
    head = data[:8192]
    high = len(head) - len(head.translate(None, _HIGH_BYTES))
    controls = len(head) - len(head.translate(None, _CONTROL_BYTES))
    # a Latin-1 article has a few accented letters or pound signs; random or compressed bytes are half above 127
    return high / len(head) > 0.25 or controls / len(head) > 0.02


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` / `key: value` lines / `---` block off the text; ({}, text) when there is none."""
    if not text.startswith("---"):
        return {}, text
    end = text.find("\n")
    if end < 0 or text[:end].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    # line by line from the top, at most 59 lines: the body after the block is one slice, never split and rejoined
    for _ in range(59):
        start = end + 1
        end = text.find("\n", start)
        line = text[start:] if end < 0 else text[start:end]
        if len(line) > FRONT_MATTER_LINE_MAX:
            return {}, text  # no metadata line is that long: this is text
        if line.strip() in ("---", "..."):
            return meta, text[end + 1:] if end >= 0 else ""
        if line.strip():
            m = _KEY_VALUE.fullmatch(line.rstrip("\r"))
            if not m:
                return {}, text  # not a metadata block after all: keep the text whole
            meta.setdefault(m.group(1), m.group(2).strip().strip("\"'"))
        if end < 0:
            break
    return {}, text


def read_bytes(full_path: str | Path, name: str, limit: int = MAX_ARTICLE_BYTES) -> tuple[bytes, list[str]]:
    """Read a regular file up to `limit` bytes; raise SkippedFile if it vanished, cannot be read or is not a file.

    Opened without following a link and without blocking, then checked with fstat: a file swapped for a FIFO,
    a device or a link after the folder was listed is skipped instead of hanging or leaving the folder.
    """
    try:
        fd = os.open(full_path, _FILE_FLAGS)
    except FileNotFoundError:
        raise SkippedFile(f"{name}: skipped, it disappeared while indexing") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # O_NOFOLLOW on a link: it was swapped for one after listing
            raise SkippedFile(f"{name}: skipped, it became a link while indexing") from None
        raise SkippedFile(f"{name}: skipped, it cannot be read ({exc.strerror})") from None
    return _read_open(fd, name, limit)


def _read_open(fd: int, name: str, limit: int) -> tuple[bytes, list[str]]:
    """read_bytes for a file already opened (and closed here): SkippedFile unless it is a regular file."""
    warnings = []
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise SkippedFile(f"{name}: skipped, it is not a regular file (a FIFO, socket or device)")
        # reading n bytes allocates n bytes up front: only ask for the limit when the file is that big (and never
        # read past it, should the file grow while it is read)
        data = _read_fd(fd, min(st.st_size, limit) + 1, limit + 1)
    except OSError as exc:
        raise SkippedFile(f"{name}: skipped, it cannot be read ({exc.strerror})") from None
    finally:
        os.close(fd)
    if len(data) > limit:
        data = _cut_utf8(data[:limit])
        verb = "indexed" if limit == MAX_ARTICLE_BYTES else "read"
        warnings.append(f"{name}: larger than {limit // 1024} KiB, {verb} up to that size")
    return data, warnings


def _read_fd(fd: int, first: int, cap: int) -> bytes:
    """The first `cap` bytes of fd (all of it when shorter): a first read of `first` bytes (its size and one more,
    to see the end, in one read), more reads only for a file that grew since it was measured."""
    chunks, got, want = [], 0, first
    while got < cap:
        chunk = os.read(fd, min(want, cap - got))
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        want = 1 << 20
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_FILE_FLAGS = os.O_RDONLY | _NONBLOCK | _NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


def _cut_utf8(data: bytes) -> bytes:
    # don't leave half a UTF-8 sequence at the cut, or the whole file would fall back to cp1252
    for back in range(4):
        try:
            (data[:-back] if back else data).decode("utf-8")
            return data[:-back] if back else data
        except UnicodeDecodeError:
            continue
    return data


def build_article(relpath: str, text: str, sidecar_entry: dict[str, str] | None) -> tuple[Article, list[str]]:
    """Apply the precedence front matter > sidecar > inference to decoded text."""
    warnings: list[str] = []
    front, body = split_front_matter(text)
    side = sidecar_entry or {}
    # keys are matched in any case ("Title", "title"); the first spelling met is the one shown
    by_key = {origin: {k.lower(): v for k, v in reversed(values.items())}
              for origin, values in (("front matter", front), (SIDECAR_NAME, side))}

    def pick(key: str) -> tuple[str | None, str]:
        for origin, values in by_key.items():
            if values.get(key):
                return values[key], origin
        return None, ""

    from search import metadata  # here: its outlet tables cost a command line query that never reads files

    title, _ = pick("title")
    raw_date, origin = pick("date")
    date = None
    if raw_date:
        date = metadata.normalize_date(raw_date)
        if date is None:
            warnings.append(f"{relpath}: date {raw_date!r} in {origin} is not a date; ignored")
    raw_source, _ = pick("source")
    source = metadata.canonical_source(raw_source) if raw_source else None

    title = title or metadata.infer_title(body) or _title_from_name(relpath)
    date = date or metadata.infer_date(body)
    source = source or metadata.infer_source(body)
    extra = _extra(front, side)
    return Article(article_id(relpath), relpath, " ".join(title.split()), date, source, body.strip("\n"), extra), warnings


def _extra(front: dict[str, str], side: dict[str, str]) -> dict[str, str]:
    """The keys without a meaning of their own, as first spelt; the front matter's value wins over the sidecar's."""
    chosen: dict[str, tuple[str, str]] = {}
    for values in (front, side):
        for key, value in values.items():
            low = key.lower()
            if low not in KNOWN_KEYS and low != "path" and low not in chosen:
                chosen[low] = (key, value)
    return dict(sorted(chosen.values()))


def extra_label(key: str) -> str:
    """How an extra key is shown: as spelt when it has capitals ("ISBN"), else readable ("photo_credit" -> "Photo credit")."""
    if key != key.lower():
        return key
    words = re.sub(r"[_-]+", " ", key).strip()
    return words[:1].upper() + words[1:] if words else key


def _title_from_name(relpath: str) -> str:
    stem = relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[_-]+", " ", stem).strip() or relpath


def read_article(root: Path, relpath: str, sidecar_entry: dict[str, str] | None = None,
                 article_id_: str | None = None) -> ReadResult:
    """Read one article file under root; raise SkippedFile (with a message naming it) when it can't be indexed.

    Nothing outside root is read: a link is resolved first and refused when it leaves the folder.
    `article_id_` is the id assign_ids gave the path (by default its own article_id).
    """
    if relpath.lower().endswith((".html", ".htm")):
        from search import webpage  # saved web pages have their own reader (and trafilatura is imported lazily)
        return webpage.read_file(root, relpath, sidecar_entry, article_id_)
    data, warnings = read_contained(root, relpath)
    import hashlib
    digest = hashlib.sha1(data).hexdigest()
    text, more = decode(data, relpath)
    article, meta_warnings = build_article(relpath, text, sidecar_entry)
    if article_id_:
        article.id = article_id_
    return ReadResult(article, digest, warnings + more + meta_warnings)
