"""Who was there when: people present over time (concurrency) and the per-meeting summary.

Built on the presence unions of :class:`~zoom_pandas.attendance_frames.Groups`; exposed as
``df.zoom.concurrency()`` and ``df.zoom.summary()``.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.attendance import per_group
from zoom_pandas.attendance_frames import Groups, arrow, duration_micros, durations, timestamps

__all__ = ["change_points", "concurrency_frame", "summary_frame"]


def change_points(groups: Groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per meeting, the times the number of people present changes and the number from then on.

    +1 at each presence session's start, -1 at its end, leaves before joins at the same instant
    (so one person's breakout move, or one leaving as another joins, is not a blip).
    """
    sessions = groups.exact
    if not len(sessions.start):
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    meeting = groups.meeting[sessions.group]
    times = np.r_[sessions.start, sessions.end]
    deltas = np.r_[np.ones(len(sessions.start), np.int64), -np.ones(len(sessions.end), np.int64)]
    meetings = np.r_[meeting, meeting]
    order = np.lexsort((deltas, times, meetings))
    times, deltas, meetings = times[order], deltas[order], meetings[order]
    level = np.cumsum(deltas)  # each meeting's deltas sum to 0, so the sum restarts per meeting
    last_at_time = np.r_[(meetings[1:] != meetings[:-1]) | (times[1:] != times[:-1]), True]
    times, level, meetings = times[last_at_time], level[last_at_time], meetings[last_at_time]
    new_meeting = np.r_[True, meetings[1:] != meetings[:-1]]
    previous = np.r_[0, level[:-1]]
    changed = np.where(new_meeting, level != 0, level != previous)  # from 0 at each meeting's start
    return meetings[changed], times[changed], level[changed]


def concurrency_frame(frame: pd.DataFrame, *, freq: object, by: str | Sequence[str] | None) -> pd.DataFrame:
    """People present over time per meeting: exact change points, or the most within each ``freq`` bin."""
    groups = Groups(frame, by, None)
    meeting, times, level = change_points(groups)
    meetings = groups.rows.meetings
    out: pd.DataFrame = pd.DataFrame(
        {
            "meeting_id": arrow(meetings["meeting_id"].to_numpy(dtype=object)[meeting], pa.int64()),
            "meeting_uuid": arrow(meetings["meeting_uuid"].to_numpy(dtype=object)[meeting], pa.string()),
            "time": timestamps(times),
            "present": arrow(level, pa.int64()),
        }
    )
    if freq is None or out.empty:
        return out
    step = duration_micros(freq, "freq")
    if step <= 0:
        raise ValueError(f"freq must be a positive duration, got {freq!r}")
    first = np.r_[0, np.flatnonzero(meeting[1:] != meeting[:-1]) + 1]
    edges = np.r_[first[1:], len(meeting)]
    parts = [_binned(times[a:b], level[a:b], step) for a, b in zip(first, edges, strict=True)]
    bins = np.concatenate([p[0] for p in parts])
    peaks = np.concatenate([p[1] for p in parts])
    owner = np.repeat(meeting[first], [len(p[0]) for p in parts])
    binned: pd.DataFrame = pd.DataFrame(
        {
            "meeting_id": groups.meeting_column("meeting_id", pa.int64(), owner),
            "meeting_uuid": groups.meeting_column("meeting_uuid", pa.string(), owner),
            "time": timestamps(bins),
            "present": arrow(peaks, pa.int64()),
        }
    )
    return binned


def _binned(times: np.ndarray, level: np.ndarray, step: int) -> tuple[np.ndarray, np.ndarray]:
    """The most people present at any moment of each ``step``-long bin (bins aligned to the epoch).

    The level at a bin's start is that of the last change at or before it; a change exactly at the
    start replaces it (someone who left at 10:30:00 is not present in the bin from 10:30).
    """
    count = (times[-1] - (times[0] - times[0] % step)) // step + 1
    if count > 10_000_000:
        raise ValueError(f"freq is too fine for this meeting: {count:,} bins; pick a longer one")
    bins = np.arange(times[0] - times[0] % step, times[-1] + 1, step, dtype=np.int64)
    at_start = np.searchsorted(times, bins, side="right") - 1
    peak = np.where(at_start >= 0, level[np.maximum(at_start, 0)], 0)
    np.maximum.at(peak, np.searchsorted(bins, times, side="right") - 1, level)
    return bins, peak


def summary_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per meeting: people, guests, rows, peak present, median time present, start, end."""
    groups = Groups(frame, None, None)
    rows = groups.rows
    count = len(rows.meetings)
    present = per_group(groups.present.length, groups.present.group, groups.size)
    attended = present > 0
    guest = rows.persons["person_source"].to_numpy(dtype=object)[groups.person] == "name"
    people = np.bincount(groups.meeting[attended], minlength=count)
    guests = np.bincount(groups.meeting[attended & guest], minlength=count)
    meeting, _, level = change_points(groups)
    peak = np.zeros(count, dtype=np.int64)
    np.maximum.at(peak, meeting, level)
    median = pd.Series(present[attended]).groupby(groups.meeting[attended]).median()
    median_us = median.reindex(range(count)).to_numpy(dtype=float)
    meetings = rows.meetings
    result: pd.DataFrame = pd.DataFrame(
        {
            "meeting_id": arrow(meetings["meeting_id"].to_numpy(dtype=object), pa.int64()),
            "meeting_uuid": arrow(meetings["meeting_uuid"].to_numpy(dtype=object), pa.string()),
            "topic": arrow(meetings["topic"].to_numpy(dtype=object), pa.string()),
            "start": timestamps(meetings["start"].to_numpy()),
            "end": timestamps(meetings["end"].to_numpy()),
            "people": arrow(people.astype(np.int64), pa.int64()),
            "guests": arrow(guests.astype(np.int64), pa.int64()),
            "rows": arrow(
                np.bincount(rows.meeting[rows.meeting >= 0], minlength=count).astype(np.int64), pa.int64()
            ),
            "peak_present": arrow(peak, pa.int64()),
            "median_time_present": durations(np.nan_to_num(median_us).astype(np.int64), np.isnan(median_us)),
        }
    )
    return result
