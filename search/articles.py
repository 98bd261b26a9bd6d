"""Article files -> Article records: listing, decoding, front matter, the sidecar, and metadata precedence."""
from __future__ import annotations

import codecs
import csv
import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from search import metadata
from search.analysis import fold

#: File endings read as articles (.html/.htm are saved web pages, read by search/webpage.py).
ARTICLE_SUFFIXES = (".txt", ".md", ".html", ".htm")
#: The sidecar: a CSV in the articles folder mapping file paths to title/date/source/... (see README).
SIDECAR_NAME = "metadata.csv"
#: An article is indexed up to this many bytes; the rest is left out with a warning.
MAX_ARTICLE_BYTES = 1_048_576
#: Keys with a meaning of their own; any other front-matter or sidecar key is kept in Article.extra.
KNOWN_KEYS = ("title", "date", "source")

_ID_SLUG_CHARS = 48
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9-]{0,%d}-[0-9a-f]{8}" % _ID_SLUG_CHARS)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_KEY_VALUE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]*)\s*:\s*(.*?)\s*$")
#: Bytes counted as control characters when telling binary from text: below 32 except tab, LF, FF, CR.
_CONTROL_BYTES = bytes(b for b in range(32) if b not in (9, 10, 12, 13))
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


def article_id(relpath: str) -> str:
    """A stable, URL-safe id for a file path: a readable slug of the name plus 8 hex digits of its hash."""
    stem = relpath.rsplit(".", 1)[0] if "." in relpath.rsplit("/", 1)[-1] else relpath
    slug = re.sub(r"[^a-z0-9]+", "-", fold(stem)).strip("-")
    slug = slug[-_ID_SLUG_CHARS:].strip("-") or "article"
    return f"{slug}-{hashlib.sha1(relpath.encode('utf-8')).hexdigest()[:8]}"


def is_article_id(value: str) -> bool:
    """True when `value` has the shape of an article id (checked before any lookup)."""
    return isinstance(value, str) and ID_PATTERN.fullmatch(value) is not None


def list_article_files(root: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Yield (relative posix path, stat) of every .txt/.md file under root; hidden entries and the sidecar skipped."""
    # every `search index` lists the whole folder: one stat per file, paths cut by slicing, not os.path.relpath
    top = os.fspath(root)
    for dirpath, dirnames, filenames in os.walk(top):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        prefix = os.path.relpath(dirpath, top).replace(os.sep, "/") + "/" if dirpath != top else ""
        for name in sorted(filenames):
            if name.startswith(".") or not name.lower().endswith(ARTICLE_SUFFIXES):
                continue
            rel = prefix + name
            try:
                st = os.stat(os.path.join(dirpath, name))
            except OSError:
                continue  # vanished between listing and stat: it is simply not there
            if rel != SIDECAR_NAME and stat.S_ISREG(st.st_mode):
                yield rel, st


def load_sidecar(root: Path) -> tuple[dict[str, dict[str, str]], list[str]]:
    """Read root/metadata.csv into {relative path: {key: value}}; a broken sidecar is a warning, not a failure."""
    path = root / SIDECAR_NAME
    if not path.is_file():
        return {}, []
    entries: dict[str, dict[str, str]] = {}
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                return {}, [f"{SIDECAR_NAME}: ignored, its first row must name the columns, one of them `path`"]
            for row in reader:
                rel = (row.pop("path") or "").strip().replace("\\", "/").lstrip("./")
                if rel:
                    entries[rel] = {k.strip().lower(): (v or "").strip()
                                    for k, v in row.items() if k and (v or "").strip()}
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        return {}, [f"{SIDECAR_NAME}: ignored, it could not be read ({exc})"]
    return entries, []


def sidecar_digest(entry: dict[str, str] | None) -> str:
    """A short digest of one file's sidecar entry, so that editing the sidecar re-indexes that file."""
    if not entry:
        return "-"
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


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Split a leading `---` / `key: value` lines / `---` block off the text; ({}, text) when there is none."""
    if not text.startswith("---"):
        return {}, text
    lines = text.split("\n", 60)
    if lines[0].strip() != "---":
        return {}, text
    meta: dict[str, str] = {}
    for i, line in enumerate(lines[1:60], start=1):
        if line.strip() in ("---", "..."):
            return meta, "\n".join(lines[i + 1:]) if i + 1 < len(lines) else ""
        if not line.strip():
            continue
        m = _KEY_VALUE.match(line)
        if not m:
            return {}, text  # not a metadata block after all: keep the text whole
        meta[m.group(1).lower()] = m.group(2).strip().strip("\"'")
    return {}, text


def read_bytes(full_path: Path, name: str) -> tuple[bytes, list[str]]:
    """Read a file up to the size cap; raise SkippedFile if it vanished or cannot be read."""
    warnings = []
    try:
        with open(full_path, "rb") as f:
            # read(n) with a large n allocates n bytes up front: only ask for the cap when the file is that big
            size = os.fstat(f.fileno()).st_size
            data = f.read() if size <= MAX_ARTICLE_BYTES else f.read(MAX_ARTICLE_BYTES + 1)
    except FileNotFoundError:
        raise SkippedFile(f"{name}: skipped, it disappeared while indexing") from None
    except OSError as exc:
        raise SkippedFile(f"{name}: skipped, it cannot be read ({exc.strerror})") from None
    if len(data) > MAX_ARTICLE_BYTES:
        data = _cut_utf8(data[:MAX_ARTICLE_BYTES])
        warnings.append(f"{name}: larger than {MAX_ARTICLE_BYTES // 1024} KiB, indexed up to that size")
    return data, warnings


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

    def pick(key: str) -> tuple[str | None, str]:
        for origin, values in (("front matter", front), (SIDECAR_NAME, side)):
            if values.get(key):
                return values[key], origin
        return None, ""

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
    extra = {k: v for values in (side, front) for k, v in values.items() if k not in KNOWN_KEYS and k != "path"}
    return Article(article_id(relpath), relpath, " ".join(title.split()), date, source, body.strip("\n"), extra), warnings


def _title_from_name(relpath: str) -> str:
    stem = relpath.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return re.sub(r"[_-]+", " ", stem).strip() or relpath


def read_article(root: Path, relpath: str, sidecar_entry: dict[str, str] | None = None) -> ReadResult:
    """Read one article file under root; raise SkippedFile (with a message naming it) when it can't be indexed."""
    if relpath.lower().endswith((".html", ".htm")):
        from search import webpage  # saved web pages have their own reader (and trafilatura is imported lazily)
        return webpage.read_file(root, relpath, sidecar_entry)
    data, warnings = read_bytes(root / relpath, relpath)
    digest = hashlib.sha1(data).hexdigest()
    text, more = decode(data, relpath)
    article, meta_warnings = build_article(relpath, text, sidecar_entry)
    return ReadResult(article, digest, warnings + more + meta_warnings)
