"""Materialize the shared corpora into ignored work folders and read them back for the peers."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
CORPUS_TOOL = SHARED / "tools" / "corpus.py"
CORPORA = SHARED / "corpora"
DEFAULT_WORK = REPO / "bench" / "work"


def available() -> bool:
    """True when ../shared/corpora and ../shared/tools/corpus.py are both present."""
    return CORPUS_TOOL.is_file() and CORPORA.is_dir()


def materialize(work: Path, kind: str, *, limit: int = 0, n: int = 0, seed: int = 1) -> Path:
    """Run corpus.py once into work/corpora/<name> and return that folder (cached by a stamp file).

    The folder is written under a temporary name and renamed when complete, so an interrupted run
    or two concurrent runs never leave a half-written corpus behind the stamp.
    """
    name = {"synth": f"synth-{n}-s{seed}"}.get(kind, kind + (f"-{limit}" if limit else ""))
    out = work / "corpora" / name
    if (out / ".complete").is_file():
        return out
    tmp = work / "corpora" / f".{name}.{os.getpid()}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    cmd = [sys.executable, str(CORPUS_TOOL), kind, str(tmp)]
    if limit:
        cmd += ["--limit", str(limit)]
    if kind == "synth":
        cmd += ["--n", str(n), "--seed", str(seed)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    (tmp / ".complete").write_text(" ".join(cmd[1:]) + "\n", encoding="utf-8")
    try:
        tmp.rename(out)
    except OSError:  # another run finished first: keep its copy
        shutil.rmtree(tmp, ignore_errors=True)
    return out


def articles_dir(folder: Path) -> Path:
    """The folder holding the article files: IR collections keep them in an articles/ subfolder."""
    return folder / "articles" if (folder / "articles").is_dir() else folder


@dataclass
class Doc:
    """One article as the peers see it: their own minimal reading of the files (front matter or first line)."""

    path: str  # relative to the articles folder, posix
    title: str
    body: str
    date: str  # ISO date or ""
    source: str  # "" when unknown

    @property
    def month(self) -> str:
        return self.date[:7] if self.date else "unknown"


FRONT = re.compile(r"\A---\n(.*?)\n---\n", re.S)


def list_files(folder: Path) -> list[Path]:
    """Article files under folder, recursively, skipping hidden files and folders, sorted."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(root) / f for f in sorted(files)
                     if not f.startswith(".") and f.endswith((".txt", ".md")))
    return found


def read_doc(folder: Path, file: Path) -> Doc:
    """Parse one file: front-matter keys title/date/source, else the first line is the title."""
    text = file.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff")
    meta = {}
    m = FRONT.match(text)
    if m:
        for line in m.group(1).splitlines():
            key, sep, value = line.partition(":")
            if sep:
                meta[key.strip().lower()] = value.strip()
        body = text[m.end():]
    else:
        first, _, body = text.partition("\n")
        meta["title"] = first.strip()
    return Doc(path=file.relative_to(folder).as_posix(), title=meta.get("title", ""), body=body,
               date=meta.get("date", ""), source=meta.get("source", ""))


def read_docs(folder: Path) -> list[Doc]:
    """Every article under folder as a Doc."""
    return [read_doc(folder, f) for f in list_files(folder)]


def read_queries(folder: Path) -> list[tuple[str, str]]:
    """queries.tsv beside an IR collection: [(qid, text)]."""
    rows = []
    for line in (folder / "queries.tsv").read_text(encoding="utf-8").splitlines():
        qid, _, text = line.partition("\t")
        if qid.strip():
            rows.append((qid.strip(), text.strip()))
    return rows


def read_qrels(folder: Path) -> dict[str, dict[str, int]]:
    """qrels.txt (TREC: qid 0 file rel) -> {qid: {file: rel}}, keeping rel > 0 only."""
    qrels: dict[str, dict[str, int]] = {}
    for line in (folder / "qrels.txt").read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) == 4 and int(parts[3]) > 0:
            qrels.setdefault(parts[0], {})[parts[2]] = int(parts[3])
    return qrels


def folder_mb(path: Path) -> float:
    """Size on disk of a file or folder tree in MB (apparent sizes)."""
    if path.is_file():
        return path.stat().st_size / 1e6
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
