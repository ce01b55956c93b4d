"""The attendance answers as Arrow-typed frames: each person's sessions and attendance.

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

__all__ = ["Groups", "attendance_frame", "duration_micros", "gap_micros", "sessions_frame"]

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
        self.exact = (
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
    exact = groups.exact  # the union of the rows: gap= bridges sessions, not time present
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
