"""The attendance answers as Arrow-typed frames: sessions, attendance, summary, concurrency.

Built from :mod:`zoom_pandas.attendance` (rows and unions); :mod:`zoom_pandas.accessor` exposes
them as ``df.zoom``. Times are ``timestamp[us, UTC]``, lengths ``duration[us]`` (shown as
``0 days 01:02:03``), counts ``int64``, all Arrow-backed.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.attendance import NAT, Rows, Unions, first_rows, per_group, rows_of, union

__all__ = ["attendance_frame", "concurrency_frame", "gap_micros", "sessions_frame", "summary_frame"]

_MAX = np.iinfo(np.int64).max


def timestamps(values: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """int64 microseconds (NAT for missing) as ``timestamp[us, UTC][pyarrow]``."""
    array = pa.array(values, type=pa.int64(), mask=values == NAT).cast(pa.timestamp("us", tz="UTC"))
    return pd.arrays.ArrowExtensionArray(array)


def durations(values: np.ndarray, missing: np.ndarray | None = None) -> pd.api.extensions.ExtensionArray:
    """int64 microseconds as ``duration[us][pyarrow]`` (``missing`` marks NA)."""
    array = pa.array(values, type=pa.int64(), mask=missing).cast(pa.duration("us"))
    return pd.arrays.ArrowExtensionArray(array)


def arrow(values: Sequence[Any] | np.ndarray, kind: pa.DataType) -> pd.api.extensions.ExtensionArray:
    """Any values as an Arrow-backed array of ``kind``."""
    return pd.arrays.ArrowExtensionArray(pa.array(values, type=kind, from_pandas=True))


def duration_micros(value: object, name: str) -> int:
    """A duration argument (a Timedelta, "5min", or a number of seconds) as microseconds.

    Raises
    ------
    ValueError
        For a negative, missing or unreadable duration, and for ``True``/``False``.
    """
    try:
        if isinstance(value, bool):
            raise ValueError
        number = isinstance(value, numbers.Real)
        delta = pd.Timedelta(float(value), unit="s") if number else pd.Timedelta(value)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        delta = pd.NaT
    if pd.isna(delta) or delta < pd.Timedelta(0):
        raise ValueError(f'{name} must be a duration of zero or more ("10min", or seconds), got {value!r}')
    return int(delta.value // 1000)


def gap_micros(gap: object) -> int:
    """``gap=`` (None, a Timedelta, "5min", seconds) as microseconds; ``ValueError`` if negative."""
    return 0 if gap is None else duration_micros(gap, "gap")


class Groups:
    """Meeting x person groups of a frame and their unions (presence, waiting room, breakout)."""

    def __init__(self, frame: pd.DataFrame, by: str | Sequence[str] | None, gap: object) -> None:
        self.rows: Rows = rows_of(frame, by)
        rows = self.rows
        found, groups = pd.factorize(rows.group, sort=False)  # hashing: faster than sorting
        self.code = np.asarray(found, dtype=np.int64)
        keyed_groups = np.asarray(groups, dtype=np.int64)
        real = keyed_groups >= 0  # the "no person" group (-1) is not a group
        if not real.all():  # renumber without it
            renumber = np.cumsum(real) - 1
            self.code = np.where(self.code >= 0, np.where(real[self.code], renumber[self.code], -1), -1)
            keyed_groups = keyed_groups[real]
        self.size = len(keyed_groups)
        persons = max(1, len(rows.persons))
        self.meeting, self.person = keyed_groups // persons, keyed_groups % persons
        present = ~rows.waiting
        bridged = gap_micros(gap)
        self.present: Unions = union(self.code[present], rows.join[present], rows.leave[present], bridged)
        # The union of the rows themselves (time present, overlap, concurrency); with gap= the
        # sessions bridge short breaks, but a break never counts as present.
        self.covered = (
            self.present
            if not bridged
            else union(self.code[present], rows.join[present], rows.leave[present])
        )
        self.waiting = union(self.code[rows.waiting], rows.join[rows.waiting], rows.leave[rows.waiting])
        out = rows.breakout & present
        self.breakout = union(self.code[out], rows.join[out], rows.leave[out])

    def first(self, values: pa.ChunkedArray, order: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """The first non-null value of each group (in frame order), for the groups in ``order``."""
        valid = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
        where = first_rows(np.where(valid, self.code, -1), self.size)[order]
        picks = pa.array(where, pa.int64(), mask=where < 0)
        return pd.arrays.ArrowExtensionArray(values.take(picks))

    def meeting_column(
        self, column: str, kind: pa.DataType, picks: np.ndarray
    ) -> pd.api.extensions.ExtensionArray:
        """A per-meeting value (``meeting_id``, ``meeting_uuid``) for each of ``picks`` (meeting codes)."""
        return taken(self.rows.meetings[column].to_numpy(dtype=object), kind, picks)

    def person_column(self, column: str, picks: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """A per-person value (``person``, ``person_source``) for each of ``picks`` (person codes)."""
        return taken(self.rows.persons[column].to_numpy(dtype=object), pa.string(), picks)


def taken(values: np.ndarray, kind: pa.DataType, picks: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[picks]`` as an Arrow-backed array, built from the few distinct values (fast)."""
    return pd.arrays.ArrowExtensionArray(
        pa.array(values, type=kind, from_pandas=True).take(pa.array(picks, pa.int64()))
    )


def sessions_frame(frame: pd.DataFrame, *, by: str | Sequence[str] | None, gap: object) -> pd.DataFrame:
    """One row per merged presence interval of a person in a meeting."""
    groups = Groups(frame, by, gap)
    sessions = groups.present
    meeting = groups.meeting[sessions.group]
    result: pd.DataFrame = pd.DataFrame(
        {
            "meeting_id": groups.meeting_column("meeting_id", pa.int64(), meeting),
            "meeting_uuid": groups.meeting_column("meeting_uuid", pa.string(), meeting),
            "person": groups.person_column("person", groups.person[sessions.group]),
            "join_time": timestamps(sessions.start),
            "leave_time": timestamps(sessions.end),
            "duration": durations(sessions.length),
            "rows": arrow(sessions.rows, pa.int64()),
        }
    )
    return result


def attendance_frame(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] | None,
    gap: object,
    threshold: object,
    late_after: object,
) -> pd.DataFrame:
    """One row per meeting x person (see :meth:`~zoom_pandas.accessor.ZoomAccessor.attendance`)."""
    groups = Groups(frame, by, gap)
    rows, size = groups.rows, groups.size
    present = groups.present
    exact = groups.covered  # the union of the rows: gap= bridges sessions, not time present
    time_present = per_group(exact.length, exact.group, size)
    overlap = per_group(exact.covered, exact.group, size) - time_present
    sessions = np.bincount(present.group, minlength=size).astype(np.int64)
    first_join = np.full(size, _MAX, dtype=np.int64)
    np.minimum.at(first_join, present.group, present.start)
    first_join[first_join == _MAX] = NAT
    last_leave = np.full(size, NAT, dtype=np.int64)
    np.maximum.at(last_leave, present.group, present.end)
    meetings = rows.meetings
    start = meetings["start"].to_numpy()[groups.meeting]
    end = meetings["end"].to_numpy()[groups.meeting]
    length = np.where((start == NAT) | (end == NAT), 0, end - start)
    # The share counts presence inside the meeting's window only (an early join is not 102%).
    window_start, window_end = start[exact.group], end[exact.group]
    inside = np.maximum(0, np.minimum(exact.end, window_end) - np.maximum(exact.start, window_start))
    within = per_group(np.where((window_start == NAT) | (window_end == NAT), 0, inside), exact.group, size)
    share = np.divide(within, length, out=np.full(size, np.nan), where=length > 0)
    late = np.maximum(first_join - start, 0)
    late_missing = (first_join == NAT) | (start == NAT)
    keyed = groups.code >= 0
    # Meetings in frame order, people by first join: the order is applied to the arrays, once.
    o = np.lexsort((np.where(first_join == NAT, _MAX, first_join), groups.meeting))
    waiting = per_group(groups.waiting.length, groups.waiting.group, size)
    breakout = per_group(groups.breakout.length, groups.breakout.group, size)
    out = pd.DataFrame(
        {
            "meeting_id": groups.meeting_column("meeting_id", pa.int64(), groups.meeting[o]),
            "meeting_uuid": groups.meeting_column("meeting_uuid", pa.string(), groups.meeting[o]),
            "person": groups.person_column("person", groups.person[o]),
            "person_source": groups.person_column("person_source", groups.person[o]),
            "name": groups.first(rows.name, o),
            "user_email": groups.first(rows.email, o),
            "first_join": timestamps(first_join[o]),
            "last_leave": timestamps(last_leave[o]),
            "time_present": durations(time_present[o]),
            "time_waiting": durations(waiting[o]),
            "time_in_breakout": durations(breakout[o]),
            "sessions": arrow(sessions[o], pa.int64()),
            "rejoins": arrow(np.maximum(sessions - 1, 0)[o], pa.int64()),
            "rows": arrow(np.bincount(groups.code[keyed], minlength=size).astype(np.int64)[o], pa.int64()),
            "overlap": durations(overlap[o]),
            "share_of_meeting": arrow(share[o], pa.float64()),
            "late_by": durations(np.where(late_missing, 0, late)[o], late_missing[o]),
        }
    )
    if late_after is not None:
        limit = duration_micros(late_after, "late_after")
        out["late"] = arrow(np.where(late_missing, False, late > limit)[o], pa.bool_())
    if threshold is not None:
        out["attended"] = arrow(_attended(threshold, time_present, share)[o], pa.bool_())
    result: pd.DataFrame = out
    return result


def _attended(threshold: object, time_present: np.ndarray, share: np.ndarray) -> np.ndarray:
    """``threshold`` as a share of the meeting (0 < t <= 1) or as a duration ("45min", a Timedelta)."""
    if isinstance(threshold, numbers.Real) and not isinstance(threshold, (bool, np.bool_)):
        share_wanted = float(threshold)
        if not 0 < share_wanted <= 1:
            raise ValueError(
                f"a threshold share must be in (0, 1], got {threshold!r}; give a duration as '45min'"
            )
        result: np.ndarray = np.nan_to_num(share, nan=0.0) >= share_wanted
        return result
    try:
        limit = pd.Timedelta(threshold)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        limit = pd.NaT
    if pd.isna(limit) or limit < pd.Timedelta(0):
        raise ValueError(f"threshold must be a share (0, 1] or a duration of zero or more, got {threshold!r}")
    return time_present >= int(limit.value // 1000)


def change_points(groups: Groups) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per meeting, the times the number of people present changes and the number from then on.

    +1 at each presence session's start, -1 at its end, leaves before joins at the same instant
    (so one person's breakout move, or one leaving as another joins, is not a blip).
    """
    sessions = groups.covered
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
