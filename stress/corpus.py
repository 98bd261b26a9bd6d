"""Synthetic article collections for the stress runs: seeded, so every run writes the same files."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

#: A word every synthetic article contains, so "the known query" must find every article.
MARKER = "zephyrine"

_SOURCES = ("Reuters", "AFP", "BBC", "i24NEWS", None)
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "dar", "pel", "qua", "sto", "ben", "gri", "tol")
_COMMON = ("the", "government", "minister", "talks", "market", "prices", "said", "on", "forces", "city",
           "report", "agreement", "week", "oil", "trade", "election", "border", "ceasefire", "court")


def vocabulary(rng: random.Random, size: int = 2000) -> list[str]:
    """`size` distinct made-up words of 2-4 syllables."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


@dataclass
class Collection:
    """A folder of synthetic articles and what the index should hold for it: {relative path: title}."""

    folder: Path
    seed: int = 0
    words: int = 120
    expected: dict[str, str] = field(default_factory=dict)
    _counter: int = 0

    def __post_init__(self):
        self.folder.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(self.seed)
        self.vocab = vocabulary(random.Random(self.seed + 1))

    def _body(self) -> str:
        rng = self.rng
        words = [rng.choice(self.vocab) if rng.random() < 0.6 else rng.choice(_COMMON) for _ in range(self.words)]
        words.insert(rng.randrange(len(words)), MARKER)
        return " ".join(words).capitalize() + "."

    def _write(self, rel: str, title: str) -> None:
        rng = self.rng
        source = rng.choice(_SOURCES)
        date = f"{rng.randint(2015, 2019)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        lines = ["---", f"title: {title}", f"date: {date}"] + ([f"source: {source}"] if source else []) + ["---"]
        path = self.folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name("." + path.name + ".tmp")  # hidden while written: the indexer never sees half a file
        tmp.write_text("\n".join(lines) + "\n" + self._body() + "\n", encoding="utf-8")
        tmp.replace(path)
        self.expected[rel] = title

    def add(self, n: int, tag: str = "v0") -> list[str]:
        """Write n new articles; their titles carry `tag` (the round that wrote them)."""
        added = []
        for _ in range(n):
            self._counter += 1
            rel = f"d{self._counter % 16:02d}/a{self._counter:06d}.txt"
            self._write(rel, f"Article {self._counter} {tag}")
            added.append(rel)
        return added

    def update(self, n: int, tag: str) -> list[str]:
        """Rewrite n existing articles with a new title carrying `tag`."""
        chosen = self.rng.sample(sorted(self.expected), min(n, len(self.expected)))
        for rel in chosen:
            number = rel.rsplit("a", 1)[1].split(".")[0].lstrip("0")
            self._write(rel, f"Article {number} {tag}")
        return chosen

    def remove(self, n: int) -> list[str]:
        """Delete n existing articles."""
        chosen = self.rng.sample(sorted(self.expected), min(n, len(self.expected)))
        for rel in chosen:
            (self.folder / rel).unlink()
            del self.expected[rel]
        return chosen

    def snapshot(self) -> dict[str, str]:
        """What a complete sync of the folder as it is now must index: {path: title}."""
        return dict(self.expected)
