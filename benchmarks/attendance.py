"""Benchmark (k): ``df.zoom.attendance()`` on a million cached participant rows.

Run (about ten minutes on two cores, most of it the portion loop)::

    PYTHONPATH=. .venv/bin/python benchmarks/attendance.py
    ... benchmarks/attendance.py --meetings 100        # a smaller frame (100,000 rows)
    ... benchmarks/attendance.py --profile             # also cProfile one attendance() on the full frame
    ... benchmarks/attendance.py --full-portion no     # the portion loop on the subset only

The frame: 1,000 instances of 1,000 participant rows each (four instances per meeting number),
generated with a seeded numpy RNG, saved with ``ReportCache.save`` and read back with
``zp.read_cache(cache_dir=...)``, so it is exactly what users get (Arrow dtypes,
``attrs["meetings"]`` with each instance's start and end). Per instance: 300-400 people from the
meeting's roster, each with 1-5 rows (rejoins after a gap, rows that touch, rejoins before the
old row ended, a second device overlapping the others); a few waiting-room rows
(``status="in_waiting_room"``; a few people are never admitted); breakout rows (``bo_mtg_id``)
in two instances of five; people known by ``participant_user_id``, by email only (mixed case,
stray spaces), by ``registrant_id`` only, or by name only (guests, some sharing a name such as
"iPhone"); a few rows without a ``leave_time``. Zoom's "" stands for a missing text, as in real
reports. The sandbox's row generator (``zoom_pandas.sandbox.rows``) is fast enough (about 8 ms
per 1,000 rows) but is not used: its rows have no second devices, no rejoins before the old row
ended, no missing leave times and no email-only people.

Every figure is the best of 3 (``time.perf_counter``); the 1-minute load average is printed
before and after, since other jobs may share the machine. What each ratio means:

``ours_over_groupby_sum`` (target <= 5): ``df.zoom.attendance()`` over the wrong-but-common
    ``df.groupby(["meeting_uuid", person])["duration"].sum()`` on the same frame, ``person`` being
    ``participant_user_id``, else ``user_email``, else ``name`` ("" as missing) computed before
    the timer: only the groupby-sum is timed. That sum double-counts overlapping rows, counts the
    waiting room and drops rows without a leave time; ``wrong_groups_share`` says how many
    (meeting, person) totals it gets wrong. The ratio is the price of the right answer (and of
    every other column attendance() returns).
``portion_over_ours`` (target >= 20): a careful analyst's exact answer without this library,
    over ours: the same person key and presence rules, then for each (meeting, person) of
    ``frame.groupby(..., sort=False)``, ``portion.empty()`` ``|=``
    ``portion.closedopen(join, leave)`` per presence row and the sum of the atomic intervals'
    lengths. Timed from the frame to the totals (key and rules included, as in ours). The loop
    runs on the first 100 instances (100,000 rows): ``portion_over_ours_subset`` is the
    like-for-like ratio there, ``portion_over_ours_scaled`` the subset's time scaled linearly to
    the full frame over ours on it. When that estimate is at most 120 s per run
    (``--full-portion auto``, the default), the loop also runs on every row and
    ``portion_over_ours`` is measured; otherwise the target uses the scaled ratio.
    ``portion_lean_*``: the fastest portion loop we could write (int64 microseconds, one pass over
    sorted numpy arrays, no pandas per group): a floor for any portion loop.
``agree``: ours and both portion loops give exactly the same ``time_present`` (in microseconds)
    for every (meeting, person) of the subset, and of the full frame when the loop runs on it
    (people only ever in the waiting room: 0).
``*_cpu``: the same timings in process CPU time, less sensitive to other jobs than wall time.
``peak_memory_over_frame``: peak memory of one ``attendance()`` (Python heap via tracemalloc,
    numpy included, plus the peak of a fresh Arrow memory pool), measured in a child process
    after reading the frame, over the frame's own size (``memory_usage(deep=True)``).
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import dataclasses
import datetime as dt
import io
import json
import os
import pstats
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import portion
import pyarrow as pa

import zoom_pandas as zp
from zoom_pandas.cache import ReportCache
from zoom_pandas.person_keys import person_keys
from zoom_pandas.report import Instance, Report
from zoom_pandas.schema import PARTICIPANTS

sys.path.insert(0, str(Path(__file__).parent))
from _sandbox import best_of

SEED = 20260901
ROWS_EACH = 1000
SUBSET_MEETINGS = 100
INSTANCES_PER_MEETING = 4
POPULATION = 40_000
ROSTER = 480
#: Guests' display names: many are unique, some collide (two "iPhone"s are one person to anyone).
FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Ken", "Frances", "John"]
FIRST += ["Radia", "Tim", "Hedy", "Claude", "Katherine", "Dennis", "Sophie", "Linus", "Anita", "Guido"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Thompson", "Allen"]
LAST += ["McCarthy", "Perlman", "Lamarr", "Shannon", "Johnson", "Ritchie", "Wilson", "Torvalds", "Borg"]
DEVICES = ["iPhone", "iPad", "Galaxy S23", "Guest", "Zoom user", "Conference Room"]
WAITING = "in_waiting_room"
MICROS = 1_000_000
#: Run the portion loop on every row too when one run is expected to take at most this long (s).
FULL_PORTION_LIMIT = 120.0


@dataclasses.dataclass(frozen=True)
class Population:
    """Everyone who may attend: per person, the texts Zoom reports ("" when Zoom gives none)."""

    pid: np.ndarray  # participant_user_id (object)
    email: np.ndarray
    registrant: np.ndarray
    name: np.ndarray


def _ids(rng: np.random.Generator, count: int, size: int = 16) -> np.ndarray:
    raw = rng.bytes(count * size)
    return np.array(
        [base64.urlsafe_b64encode(raw[i * size : (i + 1) * size]).decode()[:22] for i in range(count)],
        dtype=object,
    )


def population(rng: np.random.Generator) -> Population:
    """60% accounts, 12% email only, 3% registrant_id only, 25% guests known by name only."""
    kind = rng.choice(4, size=POPULATION, p=[0.60, 0.12, 0.03, 0.25])
    first = np.array(FIRST, dtype=object)[rng.integers(0, len(FIRST), POPULATION)]
    last = np.array(LAST, dtype=object)[rng.integers(0, len(LAST), POPULATION)]
    name = first + " " + last
    device = rng.random(POPULATION) < 0.15
    name[(kind == 3) & device] = np.array(DEVICES, dtype=object)[rng.integers(0, len(DEVICES), POPULATION)][
        (kind == 3) & device
    ]
    stray = rng.random(POPULATION) < 0.1
    name[stray] = name[stray] + " "  # trailing spaces, as some clients send them
    number = np.arange(POPULATION).astype(str).astype(object)
    email = (first + "." + last + "." + number + "@example.com").astype(object)
    email = np.array([e.lower() for e in email], dtype=object)
    shouty = (kind == 1) & (rng.random(POPULATION) < 0.5)
    email[shouty] = np.array([" " + e.title() + " " for e in email[shouty]], dtype=object)
    pid = _ids(rng, POPULATION)
    registrant = _ids(rng, POPULATION)
    registrant[(kind == 0) & (rng.random(POPULATION) < 0.7)] = ""
    empty = np.array("", dtype=object)
    return Population(
        pid=np.where(kind == 0, pid, empty),
        email=np.where(kind <= 1, email, empty),
        registrant=np.where((kind == 0) | (kind == 2), registrant, empty),
        name=name,
    )


def _spread(rng: np.random.Generator, people: int, rows: int) -> np.ndarray:
    """Rows per person: 1-5 each, ``rows`` in all; some people rejoin much more than others."""
    counts = np.ones(people, dtype=np.int64)
    weight = rng.exponential(1.0, people)
    while (short := rows - int(counts.sum())) > 0:
        open_ = np.flatnonzero(counts < 5)
        pick = rng.choice(open_, size=short, p=weight[open_] / weight[open_].sum())
        np.add.at(counts, pick, 1)
        counts = np.minimum(counts, 5)
    return counts


def meeting_table(
    rng: np.random.Generator, people: Population, roster: np.ndarray, instance: Instance, user_id: int
) -> pa.Table:
    """One instance's report rows as Zoom sends them (join order), typed like ``pages_table``."""
    assert instance.start_time is not None
    assert instance.end_time is not None
    start = int(instance.start_time.timestamp())
    span = int((instance.end_time - instance.start_time).total_seconds())
    n = int(rng.integers(300, 401))
    who = roster[rng.choice(len(roster), size=n, replace=False)]
    counts = _spread(rng, n, ROWS_EACH)
    person = np.repeat(np.arange(n), counts)
    first_row = np.cumsum(counts) - counts
    rank = np.arange(ROWS_EACH) - first_row[person]
    waits = (counts >= 2) & (rng.random(n) < 0.06)
    never_admitted = (counts == 1) & (rng.random(n) < 0.02)  # left the waiting room unadmitted
    device = (counts - waits >= 3) & (rng.random(n) < 0.08)
    arrive = start + 300 + (rng.random(n) * 0.15 * span).astype(np.int64)
    stay = (rng.uniform(0.3, 1.1, n) * span).astype(np.int64) + 60 * counts
    depart = np.minimum(start + span, arrive + stay)
    arrive = np.minimum(arrive, depart - 60 * counts)
    is_wait = (waits[person] & (rank == 0)) | never_admitted[person]
    is_device = device[person] & (rank == counts[person] - 1)
    sequential = ~is_wait & ~is_device
    step = rank - waits[person]  # index among the person's sequential rows
    steps = counts - waits - device - never_admitted
    last_step = step == steps[person] - 1
    # Each sequential row ends at a sorted random fraction of the person's stay (the last at 1).
    cut = np.where(last_step, 1.0, rng.random(ROWS_EACH))
    cut[~sequential] = 2.0  # sorted after the sequential rows, then ignored
    order = np.lexsort((cut, person))
    ends = np.empty(ROWS_EACH)
    ends[order] = cut[order]
    ends_sorted = cut[order]
    starts_sorted = np.r_[0.0, ends_sorted[:-1]]
    starts_sorted[np.r_[True, person[order][1:] != person[order][:-1]]] = 0.0
    begins = np.empty(ROWS_EACH)
    begins[order] = starts_sorted
    length = depart[person] - arrive[person]
    breakout_meeting = rng.random() < 0.4
    rooms = _ids(rng, 6, 12) if breakout_meeting else np.array([""], dtype=object)
    breakout = sequential & breakout_meeting & (step > 0) & ~last_step & (rng.random(ROWS_EACH) < 0.6)
    boundary_join = arrive[person] + (begins * length).astype(np.int64)
    leave = arrive[person] + (np.minimum(ends, 1.0) * length).astype(np.int64)
    # Between sequential rows: mostly a gap (dropped, rejoined), some touch, some rejoin early.
    kind = rng.choice(3, size=ROWS_EACH, p=[0.77, 0.15, 0.08])
    previous_breakout = np.r_[False, breakout[:-1]]  # rows of a person are adjacent before sorting
    kind[breakout | previous_breakout] = 1  # moving to or from a room: leave and join the same second
    shift = np.select(
        [kind == 0, kind == 2], [rng.integers(5, 300, ROWS_EACH), -rng.integers(5, 60, ROWS_EACH)], 0
    )
    join = np.where(step > 0, boundary_join + shift, boundary_join)
    join = np.clip(join, start, start + span - 1)
    # The waiting room: from a few minutes before being admitted until the first row's join.
    join = np.where(is_wait, arrive[person] - rng.integers(10, 300, ROWS_EACH), join)
    leave = np.where(is_wait, arrive[person], leave)
    # A second device: joins a little after arriving, leaves a little before leaving.
    quarter = np.maximum(length // 5, 1)[person]
    join = np.where(is_device, arrive[person] + rng.integers(0, quarter), join)
    leave = np.where(is_device, depart[person] - rng.integers(0, quarter), leave)
    leave = np.maximum(leave, join + 1)
    missing = sequential & last_step & (rng.random(ROWS_EACH) < 0.006)
    row_order = np.argsort(join, kind="stable")
    pick = who[person][row_order]
    join, leave, missing = join[row_order], leave[row_order], missing[row_order]
    is_wait, breakout = is_wait[row_order], breakout[row_order]
    duration = pa.array(leave - join, pa.int64(), mask=missing).cast(pa.duration("s"))
    join_us = pa.array(join * MICROS, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    leave_us = pa.array(leave * MICROS, pa.int64(), mask=missing).cast(pa.timestamp("us", tz="UTC"))
    room = np.where(breakout, rooms[rng.integers(0, len(rooms), ROWS_EACH)], "")
    pid = people.pid[pick]
    columns: dict[str, Any] = {
        "meeting_id": pa.array(np.full(ROWS_EACH, instance.meeting_id), pa.int64()),
        "meeting_uuid": pa.array([instance.meeting_uuid] * ROWS_EACH, pa.string()),
        "customer_key": pa.array([""] * ROWS_EACH, pa.string()),
        "duration": duration,
        "failover": pa.array(rng.random(ROWS_EACH) < 0.01, pa.bool_()),
        "id": pa.array(pid, pa.string()),
        "join_time": join_us,
        "leave_time": leave_us,
        "name": pa.array(people.name[pick], pa.string()),
        "registrant_id": pa.array(people.registrant[pick], pa.string()),
        "status": pa.array(np.where(is_wait, WAITING, "in_meeting").astype(object), pa.string()),
        "user_email": pa.array(people.email[pick], pa.string()),
        "user_id": pa.array((user_id + np.arange(ROWS_EACH)).astype(str).astype(object), pa.string()),
        "bo_mtg_id": pa.array(room.astype(object), pa.string()),
        "participant_user_id": pa.array(pid, pa.string()),
    }
    return pa.table(columns, schema=PARTICIPANTS.empty_table().schema)


def write_cache(folder: str, meetings: int) -> None:
    """``meetings`` instances of ``ROWS_EACH`` rows in a Parquet cache, as ``read_participants`` leaves it."""
    rng = np.random.default_rng(SEED)
    people = population(rng)
    store = ReportCache(root=folder)
    base = dt.datetime(2026, 1, 5, 9, tzinfo=dt.timezone.utc)
    roster = np.array([], dtype=np.int64)
    for k in range(meetings):
        if k % INSTANCES_PER_MEETING == 0:  # a new meeting number: its own roster for its instances
            roster = rng.choice(POPULATION, size=ROSTER, replace=False)
        started = base + dt.timedelta(days=k // 3, hours=3 * (k % 3), seconds=int(rng.integers(0, 600)))
        ended = started + dt.timedelta(minutes=int(rng.integers(45, 121)))
        uuid = base64.b64encode(rng.bytes(16)).decode()
        instance = Instance(
            80000000000 + k // INSTANCES_PER_MEETING, uuid, f"Course {k // 4}", started, ended
        )
        table = meeting_table(rng, people, roster, instance, 16778240 + k * ROWS_EACH)
        store.save(Report(table, instance, ROWS_EACH, ended + dt.timedelta(days=1), "api", True))


# ---------------------------------------------------------------- what an analyst writes without us


def _text(frame: pd.DataFrame, column: str, lower: bool = False) -> pd.Series:
    values: pd.Series = frame[column].str.strip()
    if lower:
        values = values.str.lower()
    cleaned: pd.Series = values.mask(values == "")
    return cleaned


def analyst_presence(frame: pd.DataFrame) -> pd.DataFrame:
    """Presence rows with the person key and the missing leave times filled (attendance.py's rules)."""
    person = _text(frame, "participant_user_id")
    person = person.fillna(_text(frame, "user_email", lower=True))
    person = person.fillna(_text(frame, "registrant_id")).fillna(_text(frame, "name"))
    ends = {m["meeting_uuid"]: pd.Timestamp(m["end_time"]) for m in frame.attrs["meetings"]}
    meeting_end = frame["meeting_uuid"].map(ends).astype(frame["join_time"].dtype)
    leave = frame["leave_time"].fillna(meeting_end)
    leave = leave.where(leave >= frame["join_time"], frame["join_time"])
    presence = frame["status"].fillna("") != WAITING
    rows = pd.DataFrame(
        {"meeting_uuid": frame["meeting_uuid"], "person": person, "join": frame["join_time"], "leave": leave}
    )
    keep: pd.DataFrame = rows[presence & person.notna()]
    return keep


def portion_loop(frame: pd.DataFrame) -> dict[tuple[str, str], pd.Timedelta]:
    """Exact time present per (meeting, person): a union of intervals per group with ``portion``."""
    rows = analyst_presence(frame)
    totals: dict[tuple[str, str], pd.Timedelta] = {}
    for (meeting, person), group in rows.groupby(["meeting_uuid", "person"], sort=False):
        present = portion.empty()
        for joined, left in zip(group["join"], group["leave"], strict=True):
            present |= portion.closedopen(joined, left)
        totals[(str(meeting), str(person))] = sum(
            (piece.upper - piece.lower for piece in present), pd.Timedelta(0)
        )
    return totals


def portion_lean(frame: pd.DataFrame) -> dict[tuple[str, str], int]:
    """The same loop at its leanest: int64 microseconds, sorted arrays, one pass, no pandas per group."""
    rows = analyst_presence(frame)
    meeting = rows["meeting_uuid"].to_numpy(dtype=object)
    person = rows["person"].to_numpy(dtype=object)
    join = rows["join"].astype("datetime64[us, UTC]").array.asi8  # type: ignore[attr-defined]
    leave = rows["leave"].astype("datetime64[us, UTC]").array.asi8  # type: ignore[attr-defined]
    totals: dict[tuple[str, str], int] = {}
    key: tuple[str, str] | None = None
    present = portion.empty()
    for index in np.lexsort((person, meeting)).tolist():
        here = (meeting[index], person[index])
        if here != key:
            if key is not None:
                totals[key] = sum(piece.upper - piece.lower for piece in present)
            key, present = here, portion.empty()
        present |= portion.closedopen(int(join[index]), int(leave[index]))
    if key is not None:
        totals[key] = sum(piece.upper - piece.lower for piece in present)
    return totals


def naive_person(frame: pd.DataFrame) -> pd.Series:
    """The person key people write first: account id, else email, else name ("" as missing)."""
    blank: dict[str, Any] = {"": pd.NA}
    person: pd.Series = frame["participant_user_id"].replace(blank)
    return person.fillna(frame["user_email"].replace(blank)).fillna(frame["name"].replace(blank))


# ------------------------------------------------------------------------------------ measurements


def load() -> float:
    """The 1-minute load average (other jobs may share the machine)."""
    return os.getloadavg()[0]


def best_of_keeping(runs: int, work: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest of ``runs`` wall-clock timings of ``work``, and the last run's result."""
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - started)
    return min(times), result


def subset(frame: pd.DataFrame, meetings: int) -> pd.DataFrame:
    """The rows of the first ``meetings`` instances (whole instances), with their attrs entries."""
    entries = frame.attrs["meetings"][:meetings]
    uuids = {entry["meeting_uuid"] for entry in entries}
    part: pd.DataFrame = frame[frame["meeting_uuid"].isin(uuids)].reset_index(drop=True)
    part.attrs = {"meetings": [dict(entry) for entry in entries]}
    return part


def as_micros(totals: dict[tuple[str, str], Any]) -> pd.Series:
    """A portion loop's totals (Timedelta or int micros) as int64 microseconds by (meeting, person)."""
    values = [t.value // 1000 if isinstance(t, pd.Timedelta) else int(t) for t in totals.values()]
    return pd.Series(values, index=pd.MultiIndex.from_tuples(list(totals)), dtype=np.int64)


def micros_of(durations: pd.Series) -> np.ndarray:
    """A duration column as int64 microseconds (NA as 0)."""
    values = durations.astype("duration[us][pyarrow]").astype("int64[pyarrow]").fillna(0)
    return np.asarray(values.to_numpy(dtype=np.int64))


def agreement(ours: pd.DataFrame, theirs: pd.Series) -> dict[str, int]:
    """Whether ours and a portion loop give every (meeting, person) the same time present, exactly."""
    index = pd.MultiIndex.from_arrays([ours["meeting_uuid"].astype(object), ours["person"].astype(object)])
    mine = pd.Series(micros_of(ours["time_present"]), index=index)
    both = pd.concat({"ours": mine, "portion": theirs}, axis=1).fillna(0).astype(np.int64)
    differ = int((both["ours"] != both["portion"]).sum())
    return {"groups": len(both), "differ": differ, "only_waiting": len(both) - len(theirs)}


def frame_stats(frame: pd.DataFrame, answer: pd.DataFrame) -> dict[str, Any]:
    """How realistic the rows are: people per instance, rows per person, the odd cases counted."""
    source = person_keys(frame, None).source
    source_names = pd.Series(np.asarray(source, dtype=object)).astype(str)
    sources = source_names.value_counts(normalize=True)
    return {
        "people_per_instance": len(answer) / frame["meeting_uuid"].nunique(),
        "rows_per_person_mean": float(answer["rows"].mean()),
        "people_with_2_to_5_rows": float(answer["rows"].between(2, 5).mean()),
        "people_rejoining": float((answer["rejoins"] > 0).mean()),
        "people_overlapping_rows": float((micros_of(answer["overlap"]) > 0).mean()),
        "waiting_room_rows": int((frame["status"] == WAITING).sum()),
        "breakout_rows": int((frame["bo_mtg_id"].fillna("") != "").sum()),
        "missing_leave_time_rows": int(frame["leave_time"].isna().sum()),
        "rows_keyed_by_account": _share(sources, "participant_user_id", "0"),
        "rows_keyed_by_email": _share(sources, "user_email", "1"),
        "rows_keyed_by_registrant": _share(sources, "registrant_id", "2"),
        "rows_keyed_by_name": _share(sources, "name", "3"),
    }


def _share(sources: pd.Series, name: str, code: str) -> float:
    """The share of rows keyed by ``name`` (person_keys gives names, or small int codes in newer versions)."""
    return float(sources.get(name, sources.get(code, 0.0)))


def wrong_share(answer: pd.DataFrame, frame: pd.DataFrame, keyed: pd.DataFrame) -> float:
    """The share of (meeting, person) totals of the groupby-sum that differ from time present.

    Compared where both key people the same way (an account, or an email Zoom sent clean; not
    guests or messy emails, which the naive key splits or merges differently).
    """
    email = frame["user_email"]
    clean = (frame["participant_user_id"] != "") | ((email != "") & (email == email.str.strip().str.lower()))
    naive = keyed[clean].groupby(["meeting_uuid", "person"], sort=False)["duration"].sum()
    ours = answer.set_index(["meeting_uuid", "person"])["time_present"]
    joined = pd.DataFrame({"naive": pd.Series(micros_of(naive), index=naive.index)}).join(
        pd.Series(micros_of(ours), index=ours.index, name="ours"), how="inner"
    )
    return float((joined["naive"] != joined["ours"]).mean())


def memory_child(folder: str) -> None:
    """In a fresh process: read the frame, then the peak memory of one attendance() (printed as JSON)."""
    frame = zp.read_cache(cache_dir=folder)
    pool = pa.proxy_memory_pool(pa.default_memory_pool())  # the same allocator, fresh peak statistics
    pa.set_memory_pool(pool)
    tracemalloc.start()
    frame.zoom.attendance()
    python_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    arrow_peak = pool.max_memory()
    size = int(frame.memory_usage(deep=True).sum())
    print(json.dumps({"python_peak": python_peak, "arrow_peak": arrow_peak, "frame_bytes": size}))


def peak_memory(folder: str) -> dict[str, Any]:
    """Peak memory of one attendance() over the frame's size, measured in a child process."""
    out = subprocess.run(
        [sys.executable, __file__, "--memory-child", folder], capture_output=True, text=True, check=True
    ).stdout
    figures = json.loads(out.strip().splitlines()[-1])
    peak = figures["python_peak"] + figures["arrow_peak"]
    return {
        "frame_mb": figures["frame_bytes"] / 1e6,
        "peak_mb": peak / 1e6,
        "peak_python_heap_mb": figures["python_peak"] / 1e6,
        "peak_arrow_pool_mb": figures["arrow_peak"] / 1e6,
        "peak_memory_over_frame": peak / figures["frame_bytes"],
    }


def profile(work: Callable[[], Any], top: int = 30) -> str:
    """cProfile of one call of ``work``: the ``top`` functions by cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    work()
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return text.getvalue()


def show(name: str, figures: dict[str, Any]) -> None:
    """Print one benchmark's figures as ``name: value`` lines, like run.py."""
    print(name)
    for key, value in figures.items():
        if isinstance(value, float):
            print(f"  {key:32s} {value:,.3f}")
        else:
            print(f"  {key:32s} {value:,}" if isinstance(value, int) else f"  {key:32s} {value}")
    sys.stdout.flush()


def bench_groupby(frame: pd.DataFrame, answer: pd.DataFrame) -> dict[str, Any]:
    """(1) ours against (2) the groupby-sum of ``duration`` per (meeting, naive person key)."""
    keyed = frame.assign(person=naive_person(frame))  # before the timer: only the groupby-sum is timed

    def groupby_sum() -> pd.Series:
        summed: pd.Series = keyed.groupby(["meeting_uuid", "person"], sort=False)["duration"].sum()
        return summed

    load_before = load()
    ours = best_of(3, frame.zoom.attendance)
    wrong = best_of(3, groupby_sum)
    ours_cpu = best_of(3, frame.zoom.attendance, time.process_time)
    wrong_cpu = best_of(3, groupby_sum, time.process_time)
    return {
        "load_1min_before": load_before,
        "attendance_s": ours,
        "groupby_sum_s": wrong,
        "ours_over_groupby_sum": ours / wrong,
        "attendance_cpu_s": ours_cpu,
        "groupby_sum_cpu_s": wrong_cpu,
        "ours_over_groupby_sum_cpu": ours_cpu / wrong_cpu,
        "rows_per_s": len(frame) / ours,
        "attendance_rows_out": len(answer),
        "groupby_groups": len(groupby_sum()),
        "wrong_groups_share": wrong_share(answer, frame, keyed),
        "load_1min_after": load(),
    }


def bench_portion(frame: pd.DataFrame, ours_full: float, full: str) -> dict[str, Any]:
    """(3) the portion loops against ours: on a 100,000-row subset, and on every row when affordable."""
    part = subset(frame, min(SUBSET_MEETINGS, len(frame.attrs["meetings"])))
    load_before = load()
    ours = best_of(3, part.zoom.attendance)
    loop, loop_totals = best_of_keeping(3, lambda: portion_loop(part))
    lean, lean_totals = best_of_keeping(3, lambda: portion_lean(part))
    scale = len(frame) / len(part)
    figures: dict[str, Any] = {
        "load_1min_before": load_before,
        "subset_rows": len(part),
        "ours_subset_s": ours,
        "portion_subset_s": loop,
        "portion_over_ours_subset": loop / ours,
        "portion_lean_subset_s": lean,
        "portion_lean_over_ours_subset": lean / ours,
        "portion_full_scaled_s": loop * scale,
        "portion_over_ours_scaled": loop * scale / ours_full,
        "portion_lean_over_ours_scaled": lean * scale / ours_full,
    }
    mine = part.zoom.attendance()
    check = agreement(mine, as_micros(loop_totals))
    figures |= {
        "checked_groups": check["groups"],
        "only_in_waiting_room": check["only_waiting"],
        "differ_from_portion": check["differ"],
        "differ_from_portion_lean": agreement(mine, as_micros(lean_totals))["differ"],
    }
    if full == "yes" or (full == "auto" and scale > 1 and loop * scale <= FULL_PORTION_LIMIT):
        whole, totals = best_of_keeping(3, lambda: portion_loop(frame))
        figures |= {
            "portion_full_s": whole,
            "portion_over_ours": whole / ours_full,
            "differ_full_frame": agreement(frame.zoom.attendance(), as_micros(totals))["differ"],
        }
    figures["load_1min_after"] = load()
    return figures


def verdict(ok: bool, value: float) -> str:
    return f"{'met' if ok else 'MISSED'} ({value:.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=1000, help="instances of 1,000 rows (default 1,000)")
    parser.add_argument("--profile", action="store_true", help="cProfile one attendance() on the full frame")
    parser.add_argument(
        "--full-portion",
        choices=["auto", "yes", "no"],
        default="auto",
        help="the portion loop on every row too (auto: when the subset says one run takes <= 120 s)",
    )
    parser.add_argument("--memory-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.memory_child:
        memory_child(args.memory_child)
        return
    load_start = load()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        write_cache(folder, args.meetings)
        written = time.perf_counter() - started
        frame = zp.read_cache(cache_dir=folder)
        answer = frame.zoom.attendance()  # also warms every code path before the timers
        show(
            "k_frame",
            {
                "rows": len(frame),
                "instances": len(frame.attrs["meetings"]),
                "generate_and_cache_s": written,
                **frame_stats(frame, answer),
            },
        )
        k1 = bench_groupby(frame, answer)
        show("k1_attendance_vs_groupby_sum", k1)
        k2 = bench_portion(frame, k1["attendance_s"], args.full_portion)
        show("k2_attendance_vs_portion_loop", k2)
        show("k3_peak_memory", peak_memory(folder))
        if args.profile:
            print(profile(frame.zoom.attendance))
    portion_ratio = k2.get("portion_over_ours", k2["portion_over_ours_scaled"])
    differ = k2["differ_from_portion"] + k2["differ_from_portion_lean"] + k2.get("differ_full_frame", 0)
    show(
        "targets",
        {
            "load_1min_start": load_start,
            "load_1min_end": load(),
            "cores": os.cpu_count() or 0,
            "ours_over_groupby_sum<=5": verdict(
                k1["ours_over_groupby_sum"] <= 5, k1["ours_over_groupby_sum"]
            ),
            "portion_over_ours>=20": verdict(portion_ratio >= 20, portion_ratio),
            "portion_over_ours_subset>=20": verdict(
                k2["portion_over_ours_subset"] >= 20, k2["portion_over_ours_subset"]
            ),
            "agree_exactly": "met" if differ == 0 else f"MISSED ({differ} groups differ)",
        },
    )


if __name__ == "__main__":
    main()
