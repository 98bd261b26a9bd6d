"""What a batch of file events can have changed: the files and indexed documents a targeted sync compares, instead
of listing the whole folder and reading every indexed signature (the watcher's syncs: their cost follows the
events, not the collection).

Each event's path covers itself and, when it is (or was) a folder, everything under it. Anything only the whole
listing can judge (the sidecar, the folder itself, a path outside it, too many paths, an id another file may
share, a file that is a link or has other names) gives None, and the sync compares the whole folder as
`search index` does.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable, NamedTuple

from search.articles import SIDECAR_NAME, article_file, article_id, assign_ids, list_article_files

#: A batch naming more paths than this is compared in full (the listing then costs about as much).
MAX_PATHS = 2000
#: A batch covering more indexed articles than this (folders moved out, say) is compared in full.
MAX_UNDER_FOLDER = 20000


class Examined(NamedTuple):
    """The part of the folder and of the index a batch of events covers."""

    files: dict        # {rel: stat} of the article files found under the events' paths
    indexed: dict      # {rel: sync signature} of the indexed documents under them
    ids: dict          # {rel: id} of the files found (assign_ids over them; no other file shares one)


def relative(root: str, path: str) -> str | None:
    """The event's path relative to the folder, with "/" between parts; None for the folder itself or outside."""
    rel = os.path.relpath(os.path.abspath(path), root)
    if rel == "." or rel == ".." or rel.startswith(".." + os.sep) or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def examine(root: Path, view, paths: Iterable[str], warn=None) -> Examined | None:
    """The files and indexed documents the events' `paths` cover, or None when only a whole comparison can tell."""
    top = os.path.abspath(root)
    rels = set()
    for path in paths:
        rel = relative(top, path)
        if rel is None or rel == SIDECAR_NAME:
            return None
        rels.add(rel)
        if len(rels) > MAX_PATHS:
            return None
    files: dict = {}
    covered: list[str] = []
    linked: list[str] = []
    for rel in _outermost(rels):
        st = article_file(root, rel, warn)
        if st is not None:
            files[rel] = st
            if st.st_nlink > 1 or os.path.islink(os.path.join(root, *rel.split("/"))):
                linked.append(rel)
        files.update(list_article_files(root, warn, under=rel, on_link=linked.append))
        covered.append(rel)
        covered.extend(view.terms_from("path", rel + "/", limit=MAX_UNDER_FOLDER + 1))
        if len(covered) > MAX_UNDER_FOLDER or linked:  # a link's change can come under another name
            return None
    indexed = view.signatures_of(covered)
    ids, salted, _ = assign_ids(files)
    if salted or not _ids_are_their_own(view, files, indexed, ids):
        return None
    return Examined(files, indexed, ids)


def _outermost(rels: set[str]) -> list[str]:
    """The paths, sorted, less those under another of them (a folder's events cover what is in it)."""
    def under_another(rel: str) -> bool:
        parts = rel.split("/")
        return any("/".join(parts[:i]) in rels for i in range(1, len(parts)))
    return [rel for rel in sorted(rels) if not under_another(rel)]


def _ids_are_their_own(view, files: dict, indexed: dict, ids) -> bool:
    """True when no file of the batch has an id another indexed article holds, and none of the indexed ones had to
    take a salted id: assign_ids over the whole folder would then give them the ids they get here."""
    for rel in files:
        docnum = view.docnum(ids[rel])
        if docnum is not None and view.signature(docnum)[0] != rel:
            return False
    for rel in indexed:
        docnum = view.live_doc("path", rel)
        if docnum is not None and view.stored_id(docnum) != article_id(rel):
            return False
    return True
