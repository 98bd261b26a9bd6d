"""Sorted-set helpers over numpy arrays, without np.unique/np.isin.

numpy 2's plain np.unique (and np.isin, which calls it) imports numpy.ma on first use, a noticeable part of a
small incremental sync's whole process; these do the same with a sort and a binary search.
"""
from __future__ import annotations

import numpy as np


def distinct_sorted(values: np.ndarray) -> np.ndarray:
    """The distinct values of a sorted array (np.unique without its sort or hash table)."""
    if len(values) < 2:
        return values
    keep = np.empty(len(values), dtype=bool)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def in_sorted(values: np.ndarray, sorted_values: np.ndarray) -> np.ndarray:
    """For each of `values`, whether it is in the sorted array `sorted_values` (a binary search each, in C)."""
    if not len(sorted_values) or not len(values):
        return np.zeros(np.shape(values), dtype=bool)
    at = np.minimum(np.searchsorted(sorted_values, values), len(sorted_values) - 1)
    return sorted_values[at] == values


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values (as np.unique(values))."""
    return distinct_sorted(np.sort(np.asarray(values).reshape(-1)))


def isin(values: np.ndarray, members: np.ndarray) -> np.ndarray:
    """A mask of `values`: True where the value is one of `members` (as np.isin), O(n log m)."""
    return in_sorted(np.asarray(values), np.sort(np.asarray(members).reshape(-1)))
