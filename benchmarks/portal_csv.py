"""Benchmark: ``read_zoom_csv`` on a 100,000-row web-portal export, against plain pandas.

Run (a few seconds)::

    PYTHONPATH=. .venv/bin/python benchmarks/portal_csv.py
    ... benchmarks/portal_csv.py --rows 1000000 --runs 3

The file: one export with the meeting block ("Export with meeting data"), US times
(``MM/DD/YYYY hh:mm:ss AM/PM``), CRLF line endings and a BOM as the portal writes them, written
into a temporary folder from a seeded RNG. About 30,000 people over a three-hour meeting
(1-6 rows each: rejoins); 15% guests without an email; a tenth renamed (``Nick (First
Last)``), some with parentheses of their own (``Ana (she/her) (Ana Lima)``) or commas
(``"Lima, Ana"``, quoted); some waiting-room rows; ``Guest``, ``Recording Consent`` and
``In Waiting Room`` columns. A February date in New York: no DST change (the baseline raises
on one).

What the ratio means:

``ours_over_baseline`` (target <= 1.5): ``read_zoom_csv(path, tz="America/New_York")`` over
    the plain-pandas minimum for the same file: ``pd.read_csv(path, skiprows=3)``, then
    ``pd.to_datetime(column, format="%m/%d/%Y %I:%M:%S %p")``, ``.dt.tz_localize(tz)`` and
    ``.dt.tz_convert("UTC")`` for Join and Leave Time. Ours does more: finds the layout, checks
    every header, time and duration (errors naming the row), splits the renamed names, types
    every column as read_participants does and hashes the file for its ``meeting_uuid``.
    Each figure is the best of ``--runs`` (5), the two taken alternately; the 1-minute load
    average is printed before and after, since other jobs may share the machine.
    ``same_times`` checks both read the same instants.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from zoom_pandas.portal_csv import read_zoom_csv
from zoom_pandas.sandbox.portal_csv import MEETING_HEADER, PARTICIPANT_HEADER

TZ = "America/New_York"
US = "%m/%d/%Y %I:%M:%S %p"
START = pd.Timestamp("2026-02-10 09:00:00")
FIRST = [
    "Ana",
    "Bo",
    "Chen",
    "Dana",
    "Émile",
    "Femi",
    "Gus",
    "Hana",
    "Ivan",
    "Jo",
    "Kai",
    "Lena",
    "Mia",
    "Noor",
]
LAST = [
    "Lima",
    "Smith",
    "O'Neil",
    "García",
    "Nguyen",
    "Müller",
    "Kowalski",
    "Okafor",
    "Tanaka",
    "Rossi",
    "Park",
]


def display_name(kind: float, first: str, last: str, who: int) -> str:
    """A name cell: as registered, renamed (the original in parentheses), with pronouns, or "Last, First"."""
    if 0.15 <= kind < 0.25:
        return f"{first[:2]}{who % 97} ({first} {last})"
    if 0.25 <= kind < 0.28:
        return f"{first} (she/her) ({first} {last})"
    if 0.28 <= kind < 0.31:
        return f"{last}, {first}"
    return f"{first} {last}"


def write_export(folder: Path, rows: int, seed: int = 7) -> Path:
    """A web-portal export of ``rows`` participant rows (see the module docstring)."""
    rng = np.random.default_rng(seed)
    people = max(1, rows * 3 // 10)
    person = np.sort(rng.integers(0, people, rows))
    first = rng.integers(0, len(FIRST), people)
    last = rng.integers(0, len(LAST), people)
    kind = rng.random(people)  # < .15 guest, < .25 renamed, < .28 pronouns, < .31 "Last, First"
    join = np.sort(rng.integers(-600, 3 * 3600, rows))
    leave = join + rng.integers(20, 3600, rows)
    waiting = rng.random(rows) < 0.02
    consent = rng.random(rows) < 0.9
    path = folder / "participants_85746065432.csv"
    with open(path, "w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out, lineterminator="\r\n")
        end = START + pd.Timedelta(hours=3)
        writer.writerow(MEETING_HEADER)
        writer.writerow(
            [
                "857 4606 5432",
                "Data science, week 7",
                START.strftime(US),
                end.strftime(US),
                "host@uni.edu",
                180,
                people,
            ]
        )
        out.write("\r\n")
        writer.writerow(PARTICIPANT_HEADER)
        for row in range(rows):
            who = int(person[row])
            share = kind[who]
            name = display_name(share, FIRST[first[who]], LAST[last[who]], who)
            guest = share < 0.15
            email = "" if guest else f"{FIRST[first[who]].lower()}.{who}@uni.edu"
            joined = START + pd.Timedelta(seconds=int(join[row]))
            left = START + pd.Timedelta(seconds=int(leave[row]))
            minutes = -(-int(leave[row] - join[row]) // 60)
            writer.writerow(
                [
                    name,
                    email,
                    joined.strftime(US),
                    left.strftime(US),
                    minutes,
                    "Yes" if guest else "No",
                    "Y" if consent[row] else "",
                    "Yes" if waiting[row] else "No",
                ]
            )
    return path


def baseline(path: Path) -> pd.DataFrame:
    """What a careful analyst writes with pandas alone."""
    frame = pd.read_csv(path, skiprows=3)
    for column in ("Join Time", "Leave Time"):
        local = pd.to_datetime(frame[column], format=US)
        frame[column] = local.dt.tz_localize(TZ).dt.tz_convert("UTC")
    return frame


def best_of_alternating(runs: int, works: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """Fastest of ``runs`` timings of each work, the works taken in turn."""
    times: dict[str, list[float]] = {name: [] for name in works}
    for _ in range(runs):
        for name, work in works.items():
            started = time.perf_counter()
            work()
            times[name].append(time.perf_counter() - started)
    return {name: min(values) for name, values in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=100_000, help="participant rows in the export")
    parser.add_argument("--runs", type=int, default=5, help="timings of each, the best is kept")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = write_export(Path(folder), args.rows)
        ours_frame, plain = read_zoom_csv(path, tz=TZ), baseline(path)
        same = all(
            (
                ours_frame[ours].astype("datetime64[us, UTC]").to_numpy()
                == plain[theirs].astype("datetime64[us, UTC]").to_numpy()
            ).all()
            for ours, theirs in (("join_time", "Join Time"), ("leave_time", "Leave Time"))
        )
        load_before = os.getloadavg()[0]
        best = best_of_alternating(
            args.runs,
            {
                "ours": lambda: read_zoom_csv(path, tz=TZ),
                "ours_numpy_nullable": lambda: read_zoom_csv(path, tz=TZ, dtype_backend="numpy_nullable"),
                "baseline": lambda: baseline(path),
            },
        )
        figures = {
            "rows": len(ours_frame),
            "file_mb": path.stat().st_size / 1e6,
            "renamed_rows": int(ours_frame["original_name"].notna().sum()),
            "guest_rows": int(ours_frame["guest"].sum()),
            "same_times": bool(same),
            "ours_s": best["ours"],
            "ours_numpy_nullable_s": best["ours_numpy_nullable"],
            "baseline_s": best["baseline"],
            "ours_over_baseline": best["ours"] / best["baseline"],
            "load_1min_before": load_before,
            "load_1min_after": os.getloadavg()[0],
        }
    print("portal_csv_read")
    for key, value in figures.items():
        shown = (
            f"{value}"
            if isinstance(value, bool)
            else f"{value:,.3f}"
            if isinstance(value, float)
            else f"{value:,}"
        )
        print(f"  {key:32s} {shown}")


if __name__ == "__main__":
    main()
