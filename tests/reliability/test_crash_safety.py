"""Crash safety: a cache writer killed with SIGKILL at random points never leaves a torn entry.

Each kill point is a fresh subprocess (``_workers write``) that has already imported the package
and loaded a staged 20,000-row report (the sandbox's Conference day, its largest meeting), so the
seeded random delay after ``go`` lands inside the cache write itself: the cache policy of
``cache=True`` (a NEW entry) or ``cache="refresh"`` (over an OLD copy of 19,500 rows, taken while
the report was still provisional), then ``ReportCache.save`` (lock, temp file, Parquet, fsync,
``os.replace``, folder fsync). The delays lie between 0 and the measured duration of one write.

After every kill: offline reads, ``zp.read_cache``, ``pyarrow.dataset`` and DuckDB must see the
old or the new complete entry (or, for a new entry, nothing), never a torn one, and no temp file
may be visible to them. Then a following write (or ``zoom-pandas cache clear``) must leave no temp
file behind. ``--soak`` runs 100 kill points per mode instead of 10.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import random
import statistics
import time
import warnings
from collections import Counter
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow.dataset as pa_ds
import pytest

import zoom_pandas as zp
from tests.reliability._workers import Worker, worker_env
from zoom_pandas import cli
from zoom_pandas.cache import CachedReport, ReportCache
from zoom_pandas.report import Report
from zoom_pandas.sandbox import Sandbox, SandboxData

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

MEETING = SandboxData.CONFERENCE  # exactly 20,000 rows, the sandbox's largest report
BYSTANDER = SandboxData.ONE_ON_ONE  # another cached meeting that must stay readable throughout
OLD_ROWS = 19_500
SEED = 20_260_601
#: A crashed writer's temp file is found by a later write, not within milliseconds: it is
#: backdated by this much first, so a clean-up that spares young (perhaps live) temp files counts.
STALE = dt.timedelta(hours=1)


@dataclasses.dataclass
class Scene:
    """The known frames and the paths one crash test works with."""

    sandbox: Sandbox
    client: zp.ZoomClient
    store: ReportCache
    uuid: str
    old: Report
    new: Report
    staged: Path
    expected: dict[str, pd.DataFrame]
    bystander: Path
    bystander_rows: int

    @property
    def target(self) -> Path:
        """The entry the killed writers write."""
        return self.store.path_for(MEETING, self.uuid)

    @property
    def root(self) -> Path:
        """The dataset folder DuckDB and pyarrow.dataset read."""
        return self.store.dataset_dir


def _stage(report: Report, folder: Path, api_url: str) -> Path:
    """A copy of ``report`` outside the cache, for the writer subprocesses to load and write."""
    return ReportCache(api_url=api_url, root=folder).save(report)


def _offline(scene: Scene, ref: int | str) -> pd.DataFrame:
    return zp.read_participants(ref, cache="offline", client=scene.client)


@pytest.fixture
def scene(sandbox: Sandbox, client: zp.ZoomClient, tmp_path: Path) -> Scene:
    """The new (20,000 rows) and old (19,500 rows, provisional) reports, staged and known as frames."""
    zp.read_participants(BYSTANDER, client=client)
    fetched = zp.read_participants(MEETING, client=client)
    assert len(fetched) == 20_000
    store = ReportCache(api_url=client.api_url)
    uuid = fetched.attrs["meeting_uuid"]
    _, cached = CachedReport.load(store.path_for(MEETING, uuid))
    new = dataclasses.replace(cached, source="api")
    ended = new.instance.end_time
    assert ended is not None
    old = dataclasses.replace(
        new,
        table=new.table.slice(0, OLD_ROWS),
        total_records=OLD_ROWS,
        fetched_at=ended + dt.timedelta(minutes=20),
    )
    staged = _stage(new, tmp_path / "staged", client.api_url)
    bystander = next(store.entries(BYSTANDER))
    partial = Scene(sandbox, client, store, uuid, old, new, staged, {}, bystander, 0)
    expected = {}
    for name, report in (("old", old), ("new", new)):
        store.save(report)
        expected[name] = _offline(partial, uuid)
    assert len(expected["old"]) == OLD_ROWS and len(expected["new"]) == 20_000
    return dataclasses.replace(partial, expected=expected, bystander_rows=len(_offline(partial, BYSTANDER)))


def _temp_files(folder: Path) -> list[Path]:
    """Files a writer left that are not cache entries or their lock files."""
    if not folder.exists():
        return []
    return [
        path
        for path in folder.rglob("*")
        if path.is_file() and not path.name.endswith(".lock") and not _is_entry_name(path.name)
    ]


def _is_entry_name(name: str) -> bool:
    return name.endswith(".parquet") and not name.startswith((".", "_"))


def _same(frame: pd.DataFrame, expected: pd.DataFrame) -> bool:
    return bool(frame.equals(expected)) and frame.attrs == expected.attrs


def _state_of(scene: Scene, ref: int | str, problems: list[str]) -> str:
    """What an offline read of ``ref`` sees: "old", "new" or "miss" (anything else is a problem)."""
    try:
        frame = _offline(scene, ref)
    except zp.CacheMiss as exc:
        if scene.target.exists():
            problems.append(f"offline read of {ref!r} missed though the entry exists: {exc}")
            return "torn"
        return "miss"
    except Exception as exc:
        problems.append(f"offline read of {ref!r} raised {type(exc).__name__}: {exc}")
        return "broken"
    for name, expected in scene.expected.items():
        if _same(frame, expected):
            return name
    problems.append(f"offline read of {ref!r} gave {len(frame)} rows, neither the old nor the new frame")
    return "torn"


def _inspect(scene: Scene, allowed: set[str]) -> tuple[str, list[str], Counter[str]]:
    """Read the cache every way after a kill: the entry's state, the problems, the leftover files."""
    problems: list[str] = []
    state = _state_of(scene, scene.uuid, problems)
    by_number = _state_of(scene, MEETING, problems)
    if by_number != state:
        problems.append(f"offline read by number saw {by_number!r}, by uuid {state!r}")
    if state not in allowed:
        problems.append(f"state {state!r} is not one of {sorted(allowed)}")
    rows = scene.bystander_rows + {"old": OLD_ROWS, "new": 20_000}.get(state, 0)
    entries = {scene.bystander} | ({scene.target} if state in ("old", "new") else set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            everyone = zp.read_cache(client=scene.client)
            if len(everyone) != rows or len(everyone.attrs["meetings"]) != len(entries):
                problems.append(f"read_cache gave {len(everyone)} rows, expected {rows}")
        except Exception as exc:
            problems.append(f"read_cache raised {type(exc).__name__}: {exc}")
    problems += [f"read_cache warned: {w.message}" for w in caught]
    try:
        dataset = pa_ds.dataset(scene.root, format="parquet", partitioning="hive")
        if sorted(dataset.files) != sorted(str(path) for path in entries):
            problems.append(f"pyarrow.dataset sees {dataset.files}")
        if dataset.to_table().num_rows != rows:
            problems.append("pyarrow.dataset read a different row count")
    except Exception as exc:
        problems.append(f"pyarrow.dataset raised {type(exc).__name__}: {exc}")
    try:
        with duckdb.connect() as con:
            query = f"select count(*) from read_parquet('{scene.root}/**/*.parquet', hive_partitioning=true)"
            counted = con.execute(query).fetchone()
        if counted is None or counted[0] != rows:
            problems.append(f"DuckDB counted {counted}, expected {rows}")
    except Exception as exc:
        problems.append(f"DuckDB raised {type(exc).__name__}: {exc}")
    leftovers: Counter[str] = Counter()
    for path in _temp_files(scene.root):
        hidden = path.name.startswith((".", "_"))
        leftovers["hidden" if hidden else "visible"] += 1
        if not hidden:
            problems.append(f"a visible leftover file: {path.name}")
    return state, problems, leftovers


def _backdate(paths: list[Path]) -> None:
    stale = time.time() - STALE.total_seconds()
    for path in paths:
        os.utime(path, (stale, stale))


def _follow_up(scene: Scene, kill: int, failures: list[str]) -> None:
    """A following write (even kills) or ``cache clear`` then a write (odd): no temp file may remain."""
    _backdate(_temp_files(scene.root))
    if kill % 2:
        assert cli.main(["cache", "--sandbox", "clear", str(MEETING)]) == 0
        left = _temp_files(scene.root)
        if left:
            failures.append(f"kill {kill}: 'cache clear {MEETING}' left {[p.name for p in left]}")
    scene.store.save(scene.new)
    left = _temp_files(scene.root)
    if left:
        failures.append(f"kill {kill}: the following write left {[p.name for p in left]}")
    if not _same(_offline(scene, scene.uuid), scene.expected["new"]):
        failures.append(f"kill {kill}: the following write did not give the new frame")


def _reset(scene: Scene, mode: str) -> None:
    """Back to the state before a write: no entry (new) or the old one (refresh), no temp file."""
    for path in _temp_files(scene.root):
        path.unlink()
    if mode == "new":
        scene.store.clear(meeting_uuid=scene.uuid)
    else:
        scene.store.save(scene.old)


@pytest.mark.parametrize("mode", ["new", "refresh"])
def test_sigkill_during_a_cache_write_leaves_the_old_or_the_new_entry(
    scene: Scene, mode: str, soak: bool, isolated_environment: Path
) -> None:
    kills = 100 if soak else 10
    env = worker_env(scene.sandbox.env(), isolated_environment)
    args = ["write", str(scene.staged), mode]
    allowed = {"miss", "new"} if mode == "new" else {"old", "new"}
    workers: list[Worker] = []

    def spawn() -> Worker:
        workers.append(Worker(args, env))
        return workers[-1]

    try:
        durations = []
        # Stratified: one seeded random point in each 1/kills-th of the write, in a seeded order,
        # so the kill points cover the write from its first to its last instruction.
        rng = random.Random(f"{SEED}:{mode}")
        fractions = [(stratum + rng.random()) / kills for stratum in range(kills)]
        rng.shuffle(fractions)
        states: Counter[str] = Counter()
        leftovers: Counter[str] = Counter()
        problems: list[str] = []
        cleanup_failures: list[str] = []
        finished_before_kill = 0
        corrupt = 0
        current = spawn()
        for kill in range(kills):
            _reset(scene, mode)
            current.wait_ready()
            write_time = current.rehearse()  # this worker's median of three writes, timed from here
            durations.append(write_time)
            delay = write_time * fractions[kill]
            current.go()
            time.sleep(delay)
            finished_before_kill += current.kill()
            if kill + 1 < kills:
                current = spawn()  # it starts while this kill's aftermath is read
            state, found, left = _inspect(scene, allowed)
            states[state] += 1
            corrupt += bool(found)
            leftovers.update(left)
            problems += [f"kill {kill} at {delay * 1000:.1f} ms: {problem}" for problem in found]
            _follow_up(scene, kill, cleanup_failures)
    finally:
        for worker in workers:
            worker.close()
    print(
        f"\ncrash safety [{mode}]: {kills} kill points, each at a seeded delay in 0..(that worker's "
        f"measured write of 20,000 rows: min {min(durations) * 1000:.1f}, median "
        f"{statistics.median(durations) * 1000:.1f}, max {max(durations) * 1000:.1f} ms); "
        f"entries {dict(states)}; writes finished before the kill: {finished_before_kill}; "
        f"kill points leaving a corrupt or unreadable entry: {corrupt} ({len(problems)} problems); "
        f"leftover temp files after the kills: hidden {leftovers['hidden']}, visible "
        f"{leftovers['visible']}; not cleaned by the following write or cache clear: {len(cleanup_failures)}"
    )
    assert not problems, "\n".join(problems[:20])
    assert sum(states.values()) == kills
    assert not cleanup_failures, "\n".join(cleanup_failures[:20])
