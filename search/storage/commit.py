"""Writing generations: a full rebuild, or an incremental sync into a new folder that hard-links what it keeps.

Every generation is immutable once its table of contents is renamed into place: a sync writes the new
segments (each file fsynced), links the unchanged segments of the live generation, records deletions in the new
table of contents, merges small segments (merge_plan), and only then writes that table of contents. A failed
or killed sync leaves at most a folder that is never published, removed whole by the indexer.
"""
from __future__ import annotations

import os
from typing import Iterable

import numpy as np

from search import npsets
from search.store import link_or_copy

from search.storage.codec import ArraySegment, read_toc, write_toc
from search.storage.format import EXTS, MAX_SEGMENT_DOCS, key_for
from search.storage.assemble import write_parts
from search.storage.segment import Part, filter_part, write_segment
from search.storage.codec import segment_files

#: Segments of one size tier (a power of MERGE_FACTOR in live documents) are merged once there are this many.
MERGE_FACTOR = 4
#: A segment with more than this share of its documents deleted is rewritten.
MAX_DELETED_SHARE = 0.3


def write_segments(folder: str, parts: Iterable[Part]) -> list[ArraySegment]:
    """Write each part as a new segment in folder; their Whoosh segment objects, in order."""
    out = []
    for part in parts:
        if part.n == 0:
            continue
        segment = ArraySegment(ArraySegment.new_id(), part.n)
        write_segment(folder, segment.segment_id(), part)
        out.append(segment)
    return out


def write_groups(folder: str, groups: Iterable[list[Part]]) -> list[ArraySegment]:
    """Write each group of parts as one new segment in folder (assemble.write_parts); their segment objects."""
    out = []
    for parts in groups:
        n = sum(p.n for p in parts)
        if n == 0:
            continue
        segment = ArraySegment(ArraySegment.new_id(), n)
        write_parts(folder, segment.segment_id(), parts)
        out.append(segment)
        # let the group's batches go now: the loop variable would otherwise hold them while the next group is
        # gathered, two segments' worth at once
        parts.clear()
    return out


def rebuild(folder: str, schema, groups: Iterable[list[Part]]) -> int:
    """Fill an empty generation folder from groups of parts, one segment each; the number of documents written."""
    segments = write_groups(folder, groups)
    segments = merge(folder, segments)
    write_toc(folder, schema, segments)
    return sum(s.doc_count() for s in segments)


def _tier(live: int) -> int:
    tier, size = 0, MERGE_FACTOR
    while live >= size:
        tier, size = tier + 1, size * MERGE_FACTOR
    return tier


def merge_plan(segments: list[ArraySegment]) -> list[list[int]]:
    """Groups of segment indexes to merge: segments mostly deleted, and MERGE_FACTOR segments of a size tier
    (never beyond MAX_SEGMENT_DOCS live documents). Keeps the count of segments logarithmic in the collection."""
    groups: list[list[int]] = []
    used: set[int] = set()
    lives = [s.doc_count() for s in segments]
    for i, s in enumerate(segments):
        if s.doc_count_all() and s.deleted_count() > MAX_DELETED_SHARE * s.doc_count_all():
            groups.append([i])
            used.add(i)
    tiers: dict[int, list[int]] = {}
    for i, live in enumerate(lives):
        if i not in used and live < MAX_SEGMENT_DOCS // 2:
            tiers.setdefault(_tier(live), []).append(i)
    for tier in sorted(tiers):
        members = tiers[tier]
        while len(members) >= MERGE_FACTOR:
            group, total = [], 0
            for i in members:
                if total + lives[i] > MAX_SEGMENT_DOCS:
                    break
                group.append(i)
                total += lives[i]
            if len(group) < 2:
                break
            groups.append(group)
            members = [i for i in members if i not in group]
    return groups  # merge() plans again after these, so a merged segment joins its new tier then


def merge(folder: str, segments: list[ArraySegment]) -> list[ArraySegment]:
    """Apply merge_plan (repeatedly, as merges fill higher tiers) with vectorised merges; the new segment list."""
    while True:
        plan = merge_plan(segments)
        if not plan:
            return segments
        merged_away: set[int] = set()
        new: list[ArraySegment] = []
        for group in plan:
            parts = []
            for i in group:
                files = segment_files(folder, segments[i].segment_id())
                keep = np.ones(files.n, dtype=bool)
                keep[segments[i].deleted_array().astype(np.int64)] = False
                parts.append(filter_part(files.read_part(), keep))
            new.extend(write_groups(folder, [parts]))  # read from the mapped segments a slice of keys at a time
            merged_away.update(group)
        kept = [s for i, s in enumerate(segments) if i not in merged_away]
        for i in merged_away:
            for ext in EXTS:
                _remove(os.path.join(folder, f"{segments[i].segment_id()}.{ext}"))
        segments = kept + new


def _remove(path: str) -> None:
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def update(old_folder: str, new_folder: str, schema, removed_paths: Iterable[str], parts: Iterable[Part]) -> int:
    """Write into the empty `new_folder` the generation `old_folder` with the documents at `removed_paths`
    deleted and `parts` added; the number of live documents."""
    segments = list(read_toc(old_folder, schema).segments)
    removed = list(removed_paths)
    updated: list[ArraySegment] = []
    for segment in segments:
        files = segment_files(old_folder, segment.segment_id())
        deleted = [segment.deleted_array().astype(np.int64)]
        for path in removed:
            t = files.term(key_for("path", path))
            if t >= 0:
                deleted.append(files.postings(t)[0].astype(np.int64))
        marks = npsets.unique(np.concatenate(deleted))
        if len(marks) == segment.doc_count_all():
            continue  # every document gone: the segment is dropped
        copy = ArraySegment(segment.segid, segment.doc_count_all(), marks)
        for ext in EXTS:
            link_or_copy(os.path.join(old_folder, f"{segment.segment_id()}.{ext}"),
                  os.path.join(new_folder, f"{segment.segment_id()}.{ext}"))
        updated.append(copy)
    updated.extend(write_segments(new_folder, parts))
    updated = merge(new_folder, updated)
    write_toc(new_folder, schema, updated)
    return sum(s.doc_count() for s in updated)
