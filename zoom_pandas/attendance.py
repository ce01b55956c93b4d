"""Attendance from join/leave rows: who each person is, and the union of their time, vectorised.

The rules (DESIGN.md, "Attendance"), decided where it left room:

* **Person**: the first of ``participant_user_id``, ``user_email`` (lower-cased, trimmed),
  ``registrant_id`` and ``name`` (trimmed) a row has; ``by=`` names other columns instead. Two
  people sharing a display name stay two people when Zoom gave either an account or an email;
  two guests who gave only the same name cannot be told apart and count as one.
* **Presence**: rows whose ``status`` is not ``in_waiting_room`` (rows without a status, and
  breakout-room rows, are present); waiting-room rows give ``time_waiting``; rows with a
  ``bo_mtg_id`` give ``time_in_breakout``. Each is the union of ``[join_time, leave_time)``:
  a person on two devices, or rejoining before the old row ended, is counted once.
* **Sessions**: a person's intervals that overlap or touch merge (a breakout move that leaves and
  joins in the same second is one session); ``gap=`` also merges sessions across breaks up to that
  long (``sessions``, ``rejoins``), while time present stays the union of the rows.
* **Missing leave_time** ends at the meeting's end (``attrs["meetings"]``), else at the latest
  leave of that meeting, else it is the join itself (no length). A leave before its join counts
  as the join (no negative lengths).
* **Meeting window**: start and end from ``attrs["meetings"]``, else the first join and last leave.

Everything is sorting, cumulative maxima and ``ufunc.at``/``reduceat`` over int64 microseconds:
no Python loop per person or per row.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from zoom_pandas.person_keys import PERSON_KEYS, clean_column, flags, key_columns, person_keys, source_names

__all__ = [
    "NAT",
    "PERSON_KEYS",
    "Rows",
    "Unions",
    "key_columns",
    "micros",
    "per_group",
    "person_keys",
    "rows_of",
    "source_names",
    "union",
]

#: Missing times, as int64 microseconds.
NAT = int(np.iinfo(np.int64).min)
_MAX = int(np.iinfo(np.int64).max)


@dataclasses.dataclass(frozen=True)
class Rows:
    """A participants frame as arrays: one entry per row, times in int64 microseconds (UTC)."""

    meeting: np.ndarray  # int codes, in order of first appearance
    meetings: pd.DataFrame  # per code: meeting_id, meeting_uuid, topic, start, end (micros)
    person: np.ndarray  # int codes (-1: a row without any person key)
    persons: pd.DataFrame  # per code: person, person_source
    join: np.ndarray
    leave: np.ndarray
    waiting: np.ndarray  # bool
    breakout: np.ndarray  # bool
    name: pa.ChunkedArray  # string: the name as Zoom gave it
    email: pa.ChunkedArray  # string: trimmed, lower-cased

    @property
    def group(self) -> np.ndarray:
        """One code per meeting x person (-1 for rows without a person)."""
        group = self.meeting * max(1, len(self.persons)) + self.person
        return np.where((self.person < 0) | (self.meeting < 0), -1, group)


def micros(series: pd.Series) -> np.ndarray:
    """A timestamp column (Arrow or numpy, any unit) as int64 microseconds since 1970, NaT as NAT.

    Arrow columns are converted by Arrow (pandas' own ``astype`` would go through Python objects);
    naive times are taken as UTC, as Zoom's are.
    """
    if isinstance(series.dtype, pd.ArrowDtype) and pa.types.is_timestamp(series.dtype.pyarrow_dtype):
        arrow = pa.chunked_array(series.array.__arrow_array__())
        kind = arrow.type
        values = arrow.cast(pa.timestamp("us", tz=kind.tz)).cast(pa.int64()).fill_null(NAT)
        return np.asarray(values.to_numpy(), dtype=np.int64)
    stamps = pd.to_datetime(series, utc=True).array
    return np.asarray(stamps.as_unit("us").asi8, dtype=np.int64)  # type: ignore[attr-defined]


def rows_of(frame: pd.DataFrame, by: str | Sequence[str] | None = None) -> Rows:
    """The arrays every attendance answer is computed from."""
    attrs: Mapping[str, Any] = {str(k): v for k, v in frame.attrs.items()}
    # pandas deep-copies attrs into every Series taken from a frame: read them once, then drop them.
    frame = frame.copy(deep=False)
    frame.attrs = {}
    keys = person_keys(frame, by)
    email = keys.emails if keys.emails is not None else clean_column(frame, "user_email", lower=True)
    meeting_codes, uuids = pd.factorize(frame["meeting_uuid"].astype("string[pyarrow]"), sort=False)
    meeting = np.asarray(meeting_codes, dtype=np.int64)
    if (meeting < 0).any():
        raise ValueError(
            f"{int((meeting < 0).sum())} row(s) have no meeting_uuid: every row must name its instance"
        )
    numbers = frame["meeting_id"]
    if not pd.api.types.is_integer_dtype(numbers.dtype):  # a frame's own are; others are checked
        numbers = pd.to_numeric(numbers, errors="coerce")
        as_float = np.asarray(numbers.astype("Float64").to_numpy(dtype=float, na_value=np.nan))
        unreadable = np.isnan(as_float) & frame["meeting_id"].notna().to_numpy(dtype=bool)
        if unreadable.any() or (as_float[~np.isnan(as_float)] % 1 != 0).any():
            raise ValueError("meeting_id must hold meeting numbers (integers)")
    join, leave = micros(frame["join_time"]), micros(frame["leave_time"])
    leave = np.where((join == NAT) | (leave == NAT), leave, np.maximum(leave, join))  # no negative length
    count = len(uuids)
    listed = _known(attrs)
    known = [listed.get(str(u), (NAT, NAT, None)) for u in uuids]
    seen_start = _per_code(meeting, np.where(join == NAT, _MAX, join), count, np.minimum, _MAX)
    seen_end = _per_code(meeting, leave, count, np.maximum, NAT)
    start = np.array([entry[0] for entry in known], dtype=np.int64)
    end = np.array([entry[1] for entry in known], dtype=np.int64)
    start = np.where(start == NAT, np.where(seen_start == _MAX, NAT, seen_start), start)
    end = np.where(end == NAT, seen_end, end)
    firsts = first_rows(meeting, count)
    meetings = pd.DataFrame(
        {
            "meeting_id": np.asarray(numbers.iloc[firsts].astype("Int64").astype(object)) if count else [],
            "meeting_uuid": [str(u) for u in uuids],
            "topic": [entry[2] for entry in known],
            "start": start,
            "end": end,
        }
    )
    meeting_end = end[meeting] if len(meeting) else np.array([], np.int64)
    leave = np.where(leave == NAT, np.where(meeting_end != NAT, meeting_end, join), leave)
    leave = np.where(join == NAT, leave, np.maximum(leave, join))  # never a negative length
    first = first_rows(keys.code, len(keys.persons))
    return Rows(
        meeting=meeting,
        meetings=meetings,
        person=keys.code,
        persons=pd.DataFrame(
            {
                "person": pd.arrays.ArrowExtensionArray(keys.persons),
                "person_source": source_names(
                    np.where(first >= 0, keys.source[np.maximum(first, 0)], -1), by
                ),
            }
        ),
        join=join,
        leave=leave,
        waiting=flags(frame, "status", "in_waiting_room"),
        breakout=flags(frame, "bo_mtg_id"),
        name=pa.chunked_array(
            [keys.names if keys.names is not None else clean_column(frame, "name", clean=False)]
        ),
        email=pa.chunked_array([email]),
    )


def first_rows(codes: np.ndarray, size: int) -> np.ndarray:
    """The first row of each code 0..size-1 (codes of -1, for NA, are ignored)."""
    first = np.full(size, -1, dtype=np.int64)
    valid = np.flatnonzero(codes >= 0)
    first[codes[valid][::-1]] = valid[::-1]
    return first


def _per_code(codes: np.ndarray, values: np.ndarray, size: int, how: np.ufunc, empty: int) -> np.ndarray:
    """``how`` (np.minimum or np.maximum) of ``values`` per code; ``empty`` where a code has none."""
    out = np.full(size, empty, dtype=np.int64)
    valid = codes >= 0
    how.at(out, codes[valid], values[valid])
    return out


def _known(attrs: Mapping[str, Any]) -> dict[str, tuple[int, int, str | None]]:
    """Start, end (micros) and topic of each instance ``attrs["meetings"]`` names, by UUID."""
    known = {}
    for entry in attrs.get("meetings", []) or []:
        if isinstance(entry, Mapping) and isinstance(entry.get("meeting_uuid"), str):
            topic = entry.get("topic")
            known[entry["meeting_uuid"]] = (
                when(entry.get("start_time")),
                when(entry.get("end_time")),
                topic if isinstance(topic, str) else None,
            )
    return known


def when(value: object) -> int:
    """An ``attrs`` time (ISO string, Timestamp or datetime; naive means UTC) as micros; NAT if unreadable."""
    if value is None or (isinstance(value, str) and not value):
        return NAT
    try:
        moment = pd.Timestamp(value)  # type: ignore[arg-type]
    except (ValueError, TypeError, OverflowError):
        return NAT
    if moment is pd.NaT:
        return NAT
    moment = moment.tz_localize("UTC") if moment.tzinfo is None else moment.tz_convert("UTC")
    return int(moment.value // 1000)  # .value is nanoseconds whatever the unit


@dataclasses.dataclass(frozen=True)
class Unions:
    """Merged intervals of the selected rows: one entry per session, in group then time order."""

    group: np.ndarray
    start: np.ndarray
    end: np.ndarray
    rows: np.ndarray  # report rows merged into each session
    covered: np.ndarray  # sum of those rows' own lengths

    @property
    def length(self) -> np.ndarray:
        """Each session's length (micros)."""
        return np.asarray(self.end - self.start, dtype=np.int64)


def union(group: np.ndarray, join: np.ndarray, leave: np.ndarray, gap: int = 0) -> Unions:
    """Merge each group's ``[join, leave)`` intervals that overlap, touch, or lie ``gap`` apart.

    Sort by group then join; a session starts where the group changes or the join is later than
    the running maximum of the group's leaves so far plus ``gap``.
    """
    keep = (join != NAT) & (group >= 0)
    group, join, leave = group[keep], join[keep], leave[keep]
    if not len(join):
        empty = np.array([], dtype=np.int64)
        return Unions(empty, empty, empty, empty, empty)
    order, running = _sorted_running_max(group, join, leave)
    group, join, leave = group[order], join[order], leave[order]
    new_group = np.r_[True, group[1:] != group[:-1]]
    previous = np.r_[NAT, running[:-1]]
    starts_session = new_group | (join > previous + gap)
    first = np.flatnonzero(starts_session)
    return Unions(
        group=group[first],
        start=join[first],
        end=np.maximum.reduceat(leave, first),
        rows=np.diff(np.r_[first, len(join)]),
        covered=np.add.reduceat(leave - join, first),
    )


def _sorted_running_max(
    group: np.ndarray, join: np.ndarray, leave: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The order by (group, join), and in that order each group's running maximum of leave.

    When every group's times fit in an int64 beside its code (the usual case: a meeting lasts
    hours), one integer sort and one ``maximum.accumulate`` do it; otherwise a two-key sort and
    a grouped cumulative maximum.
    """
    size = int(group.max()) + 1
    base = np.full(size, _MAX, dtype=np.int64)
    np.minimum.at(base, group, join)
    since = base[group]
    span = int((leave - since).max()) + 1
    if size * span < 2**62:
        order = np.argsort(group * span + (join - since), kind="stable")  # a radix sort
        ordered_group = group[order]
        offset = ordered_group * span
        running = np.maximum.accumulate(offset + (leave - since)[order]) - offset + since[order]
        return order, running
    order = np.lexsort((join, group))
    running = pd.Series(leave[order]).groupby(group[order]).cummax().to_numpy(dtype=np.int64)
    return order, running


def per_group(values: np.ndarray, group: np.ndarray, size: int) -> np.ndarray:
    """Sum int64 ``values`` per group code, exactly."""
    out = np.zeros(size, dtype=np.int64)
    np.add.at(out, group, values)
    return out
