"""What every part shares in one run: the mode's sizes, the work folder, and the indexes built so far."""
from __future__ import annotations

import dataclasses
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from bench import corpora
from bench.child import run_build
from bench.peers import engine


@dataclass(frozen=True)
class Sizes:
    """How much of each corpus a mode uses."""

    reuters_limit: int  # 0 = every article
    queries: int
    synth: tuple[int, ...]
    scale_queries: int
    collections: tuple[str, ...]
    # {"b": (...), "k1": (...), "title_boost": (...)}: a grid at the default k3 and proximity weight; and
    # {"k3": (...), "proximity_boost": (...)}: lines through the default, one parameter at a time
    sweep: dict
    sweep_queries: int  # 0 = every query of the collection
    incremental_rounds: int
    memory_synth: int  # the synthetic collection the memory and command-line parts measure beside reuters


FULL = Sizes(reuters_limit=0, queries=200, synth=(10_000, 30_000, 100_000, 300_000), scale_queries=100,
             collections=("time", "cranfield"),
             # past every edge where a best setting sat: the first grid's (k1 1.6, title weight 3), the second's
             # (b 0.9, title weight 6); k3 from a repeated word counted once (0) to each time (1000, Okapi's "linear")
             sweep={"b": (0.5, 0.75, 0.9, 1.0), "k1": (1.2, 1.6, 2.0, 2.5, 3.0),
                    "title_boost": (2.0, 3.0, 4.0, 5.0, 6.0, 8.0),
                    "k3": (0.0, 1.0, 2.0, 4.0, 8.0, 1000.0), "proximity_boost": (0.0, 0.5, 0.75, 1.0, 1.5)},
             sweep_queries=0, incremental_rounds=3, memory_synth=300_000)
# the quick sweep is the default plus one other setting: it proves the sweep runs, not what it finds
QUICK = Sizes(reuters_limit=300, queries=20, synth=(300, 600), scale_queries=20, collections=("time",),
              sweep={"b": (0.75,), "k1": (1.2,), "title_boost": (1.0,), "k3": (1000.0,), "proximity_boost": (1.0,)},
              sweep_queries=20,
              incremental_rounds=1, memory_synth=600)


@dataclass
class Context:
    quick: bool
    work: Path
    out: Path
    plot: Path  # where the scale plot goes
    engine_missing: str | None = None  # why the engine cannot be benchmarked, or None
    million: bool = False  # the scale part adds 1,000,000 articles
    builds: dict = field(default_factory=dict)  # (corpus, system) -> build result with "index" path

    @property
    def sizes(self) -> Sizes:
        sizes = QUICK if self.quick else FULL
        if self.million and 1_000_000 not in sizes.synth:
            sizes = dataclasses.replace(sizes, synth=sizes.synth + (1_000_000,))
        return sizes

    @property
    def systems(self) -> list[str]:
        """The systems that build indexes in this run: the engine when it imports, and both peers."""
        return (["engine"] if not self.engine_missing else []) + ["fts5", "naive-whoosh"]

    def corpus(self, kind: str, **kw) -> Path:
        return corpora.materialize(self.work, kind, **kw)

    def reuters(self) -> Path:
        return self.corpus("reuters", limit=self.sizes.reuters_limit)

    @property
    def run_dir(self) -> Path:
        """This run's own scratch folder: concurrent runs (a test's --quick during a full run) never share indexes."""
        return self.work / "runs" / f"{'quick' if self.quick else 'full'}-{os.getpid()}"

    def index_path(self, corpus: str, system: str) -> Path:
        return self.run_dir / "indexes" / corpus / (system + (".db" if system == "fts5" else ""))

    def build(self, corpus: str, articles: Path, system: str) -> dict:
        """Build `system`'s index of `articles` in a child process (timed, peak RSS) and remember it for the run."""
        path = self.index_path(corpus, system)
        if path.is_dir():
            shutil.rmtree(path)
        result = run_build(system, articles, path)
        result["index"] = str(path)
        self.builds[(corpus, system)] = result
        return result

    def ensure(self, corpus: str, articles: Path, system: str) -> Path:
        """The index built in this run, building it now if no earlier part did."""
        if (corpus, system) not in self.builds:
            self.build(corpus, articles, system)
        return Path(self.builds[(corpus, system)]["index"])

    def drop(self, corpus: str) -> None:
        """Delete a corpus's indexes (the big synthetic ones are not worth keeping)."""
        for key in [k for k in self.builds if k[0] == corpus]:
            del self.builds[key]
        shutil.rmtree(self.run_dir / "indexes" / corpus, ignore_errors=True)

    def cleanup(self) -> None:
        """Remove this run's scratch folder (materialized corpora stay cached)."""
        self.builds.clear()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def make(quick: bool, work: Path, out: Path, plot: Path, million: bool = False) -> Context:
    return Context(quick=quick, work=work, out=out, plot=plot, engine_missing=engine.available(), million=million)
