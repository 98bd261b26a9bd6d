"""The kill -9 harness: SIGKILL `search index` (incremental and --full) at random moments and check the index.

After every kill the index must open, answer the known query, hold exactly the articles of the last complete
sync or exactly those of the folder as it is now (never fewer, never a mix), leave no lock stuck, and the
next `search index --wait 0` must complete and clean up the generations a killed rebuild left behind.
"""
from __future__ import annotations

import errno
import fcntl
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from search.searcher import Engine
from search.store import LOCK, IndexStore
from stress.corpus import MARKER, Collection


class Broken(AssertionError):
    """The index after a kill is not what the guarantees promise."""


def indexer_command(articles: Path, index: Path, full: bool = False, wait: float | None = None) -> list[str]:
    """The `search index` command line, run with this Python."""
    cmd = [sys.executable, "-m", "search", "--articles", str(articles), "--index", str(index), "index"]
    if full:
        cmd.append("--full")
    if wait is not None:
        cmd += ["--wait", str(wait)]
    return cmd


def lock_is_held(index: Path) -> bool:
    """True when some process holds the writer lock (probed without blocking, released at once)."""
    try:
        fd = os.open(index / LOCK, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES):
            return True
        raise
    finally:
        os.close(fd)  # releases the probe's lock, if it got it
    return False


def indexed(index: Path) -> dict[str, str]:
    """{path: title} of every live article in the index, read from the generation CURRENT names."""
    ix, _ = IndexStore(index).open()
    try:
        with ix.reader() as reader:
            return {stored["path"]: stored["title"] for _, stored in reader.iter_docs()}
    finally:
        ix.close()


def check_index(index: Path, allowed: list[dict[str, str]]) -> int:
    """Raise Broken unless the index opens, answers the known query and holds exactly one of `allowed`.

    Returns the position in `allowed` of the state found.
    """
    try:
        found = indexed(index)
    except Exception as exc:  # noqa: BLE001 - any failure to open is what we are looking for
        raise Broken(f"the index does not open: {type(exc).__name__}: {exc}") from exc
    for position, state in enumerate(allowed):  # noqa: B007 - the position found is returned after the loop
        if found == state:
            break
    else:
        closest = min(allowed, key=lambda s: len(set(s.items()) ^ set(found.items())))
        lost = sorted(set(closest) - set(found))[:5]
        extra = sorted(set(found) - set(closest))[:5]
        raise Broken(f"the index holds {len(found)} articles, expected one of {[len(s) for s in allowed]}; "
                     f"missing {lost}, unexpected {extra}")
    with Engine(index) as engine:
        total = engine.search(MARKER, per_page=1).total
        if total != len(found):
            raise Broken(f"the known query finds {total} articles, the index holds {len(found)}")
        if found:
            hit = engine.search(MARKER, per_page=1).hits[0]
            if engine.get(hit.id).path != hit.path:
                raise Broken("an article found by the known query cannot be shown")
    return position


def check_clean(index: Path) -> None:
    """After a completed sync: exactly one generation on disk, the one CURRENT names, and no lock held."""
    store = IndexStore(index)
    live = store.pointer().generation
    gens = store.generations()
    if gens != [live]:
        raise Broken(f"generations on disk {gens}, only {live} should be left")
    if lock_is_held(index):
        raise Broken("the writer lock is still held after the indexer exited")


@dataclass
class KillReport:
    """What a kill run did and saw."""

    kills: int = 0                 # SIGKILLs delivered to a running indexer
    kills_locked: int = 0          # ... of which while it held the writer lock (mid-work)
    kills_full: int = 0
    kills_incremental: int = 0
    left_old: int = 0              # after the kill the index held the state before the run
    left_new: int = 0              # ... or already the complete new state
    finished_first: int = 0        # the indexer completed before its kill moment came
    recoveries: int = 0            # `search index --wait 0` runs after a kill that completed and cleaned up
    stray_generations_cleaned: int = 0
    seconds: float = 0.0
    articles: int = 0
    durations: dict[str, float] = field(default_factory=dict)  # seconds a run works holding the lock, per mode
    failures: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{self.kills} kills ({self.kills_incremental} incremental, {self.kills_full} --full; "
                f"{self.kills_locked} while holding the writer lock): index left at the old state {self.left_old}x, "
                f"at the new state {self.left_new}x; {self.recoveries} recoveries, "
                f"{self.stray_generations_cleaned} stray generations cleaned, {len(self.failures)} failures; "
                f"{self.finished_first} runs finished before their kill; {self.articles} articles; "
                f"{self.seconds:.0f} s")


def _run_to_completion(cmd: list[str], timeout: float,
                       probe: bool = True) -> tuple[float, float | None, subprocess.CompletedProcess]:
    """Run an indexer, polling the lock unless told not to: (seconds to exit, seconds until it held the lock or
    None, result). The probe holds a free lock for an instant, so it must not run beside an indexer that may not
    wait for the lock (--wait 0): that one would find the index busy because of the probe."""
    index = Path(cmd[cmd.index("--index") + 1])
    started = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    locked_at = None
    try:
        while proc.poll() is None:
            if probe and locked_at is None and lock_is_held(index):
                locked_at = time.monotonic() - started
            if time.monotonic() - started > timeout:
                raise Broken(f"{' '.join(cmd[2:])} did not finish within {timeout:.0f} s")
            time.sleep(0.01)
        out, err = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return time.monotonic() - started, locked_at, subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _complete(articles: Path, index: Path, timeout: float, full: bool = False, wait: float | None = 0) -> float:
    seconds, _, done = _run_to_completion(indexer_command(articles, index, full=full, wait=wait), timeout,
                                          probe=False)
    if done.returncode != 0:
        raise Broken(f"`search index{' --full' if full else ''}` failed (exit {done.returncode}): "
                     f"{done.stderr.strip()[-500:]}")
    if "Traceback" in done.stderr:
        raise Broken(f"`search index` printed a traceback: {done.stderr[-500:]}")
    return seconds


def run_kills(workdir: Path, kills: int, seed: int = 0, articles: int = 600, words: int = 80,
              change: tuple[int, int, int] = (40, 30, 40), max_seconds: float = 600.0,
              timeout: float = 120.0, late: float = 1.05, log=None) -> KillReport:
    """Kill `kills` indexer runs (alternating incremental and --full) and check the index after each.

    `change` is (added, updated, removed) articles between runs, so that the old and the new state differ.
    Kill moments are drawn from 0 to `late` times the time a run works once it holds the writer lock (past
    1.0 some runs finish first, and some kills land while publishing or removing old generations); that
    working time is measured by a calibration run per mode and corrected whenever a run finishes first.
    Stops early (with what it has done) after `max_seconds`. Failures are collected, not raised.
    """
    rng = random.Random(seed)  # never the global random: the engine must not depend on it, nor may we
    report = KillReport()
    started = time.monotonic()
    collection = Collection(workdir / "articles", seed=seed, words=words)
    index = workdir / "index"
    collection.add(articles, "v0")
    _complete(collection.folder, index, timeout)
    committed = collection.snapshot()
    work: dict[bool, float] = {}  # seconds an indexer run holds the lock, per mode (True = --full)
    round_no = 0
    say = log or (lambda message: None)

    while report.kills < kills and time.monotonic() - started < max_seconds:
        round_no += 1
        full = bool(round_no % 2 == 0)
        mode = "full" if full else "incremental"
        tag = f"v{round_no}"
        collection.add(change[0], tag)
        collection.update(change[1], tag)
        collection.remove(change[2])
        new = collection.snapshot()
        cmd = indexer_command(collection.folder, index, full=full)
        try:
            if full not in work:
                # calibration: a complete run tells how long the indexer works once it holds the lock
                seconds, locked_at, done = _run_to_completion(cmd, timeout)
                if done.returncode != 0:
                    raise Broken(f"calibration run failed: {done.stderr[-500:]}")
                work[full] = max(seconds - (locked_at or 0.0), 0.05)
                check_index(index, [new])
                check_clean(index)
                committed = new
                continue
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            t0 = time.monotonic()
            # kill moments are drawn from the indexer's working time: from taking the lock to its exit
            while proc.poll() is None and not lock_is_held(index):
                if time.monotonic() - t0 > timeout:
                    raise Broken("the indexer never took the writer lock")
                time.sleep(0.005)
            locked_at = time.monotonic()
            delay = rng.uniform(0.0, work[full] * late)
            while proc.poll() is None and time.monotonic() - locked_at < delay:
                time.sleep(0.005)
            locked = lock_is_held(index)
            if proc.poll() is not None:
                report.finished_first += 1
                # it worked for less than we thought: learn, so the next kills land inside the work
                work[full] = 0.5 * work[full] + 0.5 * max(time.monotonic() - locked_at, 0.05)
                if proc.returncode != 0:
                    raise Broken(f"an indexer run failed by itself (exit {proc.returncode})")
                check_index(index, [new])
                committed = new
                continue
            proc.send_signal(signal.SIGKILL)
            proc.wait()
            report.kills += 1
            report.kills_locked += locked
            report.kills_full += full
            report.kills_incremental += not full
            which = check_index(index, [committed, new])
            report.left_old += which == 0
            report.left_new += which == 1
            stray = len(IndexStore(index).generations()) - 1
            # the lock died with the process: a run that may not wait at all must get it, and complete
            _complete(collection.folder, index, timeout, wait=0)
            check_index(index, [new])
            check_clean(index)
            report.recoveries += 1
            report.stray_generations_cleaned += max(stray, 0)
            committed = new
            say(f"kill {report.kills}: {mode} {delay:.2f} s into its work (lock {'held' if locked else 'free'}), "
                f"left {'old' if which == 0 else 'new'} state, {stray} stray generation(s)")
        except Broken as exc:
            report.failures.append(f"round {round_no} ({mode}): {exc}")
            say(f"FAILURE round {round_no} ({mode}): {exc}")
            if len(report.failures) >= 3:
                break
            try:  # start the next round from a known state
                _complete(collection.folder, index, timeout, full=True, wait=5)
                committed = collection.snapshot()
            except Broken as again:
                report.failures.append(f"could not recover: {again}")
                break
    report.articles = len(collection.expected)
    report.durations = {("full" if mode else "incremental"): round(seconds, 2) for mode, seconds in work.items()}
    report.seconds = time.monotonic() - started
    return report
