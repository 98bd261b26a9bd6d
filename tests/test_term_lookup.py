"""The term dictionary's look-up (sampled keys bisected, then the mapped keys) against a plain binary search."""
from __future__ import annotations

import pytest

from search.indexer import sync
from search.storage import segment as segment_module
from search.storage import view as view_module
from search.store import IndexStore
from tests.factory import make_collection


@pytest.fixture(scope="module")
def index(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("lookup")
    folder = make_collection(tmp)
    sync(folder, tmp / "index")
    return tmp / "index"


def _reference_find(keys: list[bytes], key: bytes) -> int:
    lo, hi = 0, len(keys)
    while lo < hi:
        mid = (lo + hi) // 2
        if keys[mid] < key:
            lo = mid + 1
        else:
            hi = mid
    return lo


@pytest.mark.parametrize("every", [1, 2, 3, 64, 10_000])
def test_find_is_the_first_key_not_below_the_probe(index, monkeypatch, every):
    monkeypatch.setattr(segment_module, "SAMPLE_EVERY", every)
    view, _ = IndexStore(index).open_view()
    for s in view.segments:
        keys = s.keys_between(0, s.term_count)
        assert len(keys) > 100  # more than two samples' worth at 64
        probes = keys + [k + b"\x00" for k in keys[::5]] + [k[:-1] for k in keys[::3]] + \
            [k + b"\xff" for k in keys[::7]] + [b"", b"\x00", b"\xff", keys[-1] + b"z"]
        for probe in probes:
            assert s.find(probe) == _reference_find(keys, probe), probe
        assert all(s.term(k) == t for t, k in enumerate(keys))
        assert s.term(keys[0] + b"\x00") == -1


def test_term_look_ups_are_remembered_per_view_within_a_bound(index, monkeypatch):
    monkeypatch.setattr(view_module, "TERM_CACHE", 4)
    view, _ = IndexStore(index).open_view()
    fresh, _ = IndexStore(index).open_view()
    body = view.segments[0].find(b"\x03")
    words = [k[1:].decode() for k in view.segments[0].keys_between(body, body + 12)]
    for word in words * 2:
        for field in ("title", "body"):
            docs, freqs = view.postings(field, word)
            again, again_freqs = fresh.postings(field, word)
            assert docs.tolist() == again.tolist() and freqs.tolist() == again_freqs.tolist()
            assert view.doc_frequency(field, word) == len(docs)
            assert len(view._terms) <= 4
    assert view.postings("no such field", "oil")[0].size == 0
