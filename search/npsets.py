"""Sorted-set helpers over numpy arrays for the writing side, without np.unique/np.isin.

numpy 2's plain np.unique (and np.isin, which calls it) imports numpy.ma on first use, a noticeable part of a
small incremental sync's whole process; these do the same with a sort and a binary search.
"""
from __future__ import annotations

import numpy as np


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (as np.unique(values))."""
    values = np.sort(np.asarray(values).reshape(-1))
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def isin(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """A mask of `values`: True where the value is one of `members` (as np.isin), O(n log m)."""
    values = np.asarray(values)
    members = np.sort(np.asarray(members).reshape(-1))
    if not len(members) or not len(values):
        return np.zeros(values.shape, dtype=bool)
    at = np.minimum(np.searchsorted(members, values), len(members) - 1)
    return members[at] == values
