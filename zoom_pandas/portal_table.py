"""One web-portal export's participant table, as text, -> the read_participants columns, typed.

Arrow compute and NumPy over whole columns, never a loop over rows. The rules, decided where
DESIGN.md left room:

* **Names**: ``name`` is the text before the last parenthesised group closing the cell, that group
  (not blank, no parentheses inside) is ``original_name``: ``"Ana (she/her) (Ana Lima)"`` is
  ``Ana (she/her)`` renamed from ``Ana Lima``; a cell that is only a group is a name.
* **Flags**: Guest Yes/No (other values NA); ``Recording Consent`` kept as ``recording_consent``,
  Y/Yes true, empty/N/No false; ``In Waiting Room`` Yes gives ``status`` ``in_waiting_room``.
  Other columns are kept as text, named in snake_case; a name clash is left out with a warning.
* **Time format, per file**: US ``MM/DD/YYYY hh:mm:ss AM/PM`` when any time ends in AM or PM, else
  day-first ``DD/MM/YYYY HH:MM:SS``; a time that fits neither is a ``ValueError`` with its row.
* **Repeated hour** (clocks going back make a wall time happen twice): a row with only its Join or
  only its Leave Time in it takes the reading whose span best matches its ``Duration (Minutes)``;
  with both (same span either way) or no duration, the first occurrence.
* **Skipped hour** (clocks going forward: Zoom cannot write such a time, so ``tz`` is probably not
  the profile's zone): read with the offset before the change (02:30 in New York on the spring day
  -> 07:30 UTC). Either case warns once per file, naming it and how many rows.
"""

from __future__ import annotations

import dataclasses
import re
import zoneinfo
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.errors import ZoomPandasWarning, warn
from zoom_pandas.schema import PARTICIPANTS, TIMESTAMP

__all__ = ["COLUMNS", "KNOWN", "REQUIRED", "check_tz", "typed_table"]

NAME, EMAIL, JOIN, LEAVE, MINUTES = (
    "Name (Original Name)",
    "User Email",
    "Join Time",
    "Leave Time",
    "Duration (Minutes)",
)
GUEST, CONSENT, WAITING = "Guest", "Recording Consent", "In Waiting Room"
REQUIRED = (NAME, EMAIL, JOIN, LEAVE, MINUTES)
KNOWN = (*REQUIRED, GUEST, CONSENT, WAITING)
#: The read_participants columns, then the two every CSV frame has.
COLUMNS = {**PARTICIPANTS.fields, "original_name": pa.string(), "guest": pa.bool_()}
US, DAY_FIRST = "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S"
_FORMATS = {US: "US MM/DD/YYYY hh:mm:ss AM/PM", DAY_FIRST: "day-first DD/MM/YYYY HH:MM:SS"}
_RENAMED = r"(?s)^(?P<name>.*\S)\s*\((?P<original>[^()]*[^()\s][^()]*)\)$"
_BLOCK = "the meeting block's "


def check_tz(tz: object) -> str:
    """Validate ``tz`` (an IANA name, known to Arrow too) before any file is read."""
    if not isinstance(tz, str) or not tz:
        raise ValueError(
            "tz= is required: the IANA name of the time zone in the exporting user's Zoom profile "
            f"(e.g. 'Europe/Berlin'), since the exports' times carry no zone; got {tz!r}"
        )
    try:
        zoneinfo.ZoneInfo(tz)
        pc.assume_timezone(pa.array([0], pa.timestamp("s")), tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, pa.ArrowInvalid) as exc:
        raise ValueError(f"tz={tz!r} is not an IANA time zone name (e.g. 'America/New_York')") from exc
    return tz


def typed_table(
    file: str,
    columns: dict[str, pa.ChunkedArray],
    rows: np.ndarray,
    block: dict[str, str],
    *,
    tz: str,
    meeting_id: int | None,
    meeting_uuid: str,
) -> tuple[pa.Table, str | None, str | None]:
    """The typed table of one file's text columns (trimmed), and the block's start and end (ISO, UTC).

    ``rows`` numbers each row for error messages (rows of the file's table, from 1).
    """
    count = len(rows)
    text = {what: _text(block.get(what, "")) for what in ("Start Time", "End Time", MINUTES)}
    fmt = _time_format([columns[JOIN], columns[LEAVE], text["Start Time"], text["End Time"]])
    shifts = Shifts()
    minutes = _minutes(file, MINUTES, columns[MINUTES], rows)
    join, leave = to_utc(
        _parse_times(file, JOIN, columns[JOIN], fmt, rows),
        _parse_times(file, LEAVE, columns[LEAVE], fmt, rows),
        minutes,
        tz,
        shifts,
    )
    start, end = to_utc(
        _parse_times(file, _BLOCK + "Start Time", text["Start Time"], fmt, None),
        _parse_times(file, _BLOCK + "End Time", text["End Time"], fmt, None),
        _minutes(file, _BLOCK + MINUTES, text[MINUTES], None),
        tz,
        shifts,
    )
    shifts.warn(file, tz)
    name, original = _names(columns[NAME])
    waiting = pc.equal(pc.utf8_lower(columns[WAITING]), "yes") if WAITING in columns else None
    given: dict[str, Any] = {
        "meeting_id": pa.repeat(pa.scalar(meeting_id, pa.int64()), count),
        "meeting_uuid": pa.repeat(pa.scalar(meeting_uuid, pa.string()), count),
        "duration": pc.multiply(minutes, 60).cast(pa.duration("s")),
        "join_time": join,
        "leave_time": leave,
        "name": _blank_as_null(name),
        "status": pa.repeat(pa.scalar("in_meeting"), count)
        if waiting is None
        else pc.if_else(waiting, "in_waiting_room", "in_meeting"),
        "user_email": _blank_as_null(columns[EMAIL]),
        "original_name": original,
        "guest": _flag(columns[GUEST], ["yes"], ["no"]) if GUEST in columns else None,
    }
    table = {
        name: pa.nulls(count, kind) if given.get(name) is None else given[name]
        for name, kind in COLUMNS.items()
    }
    if CONSENT in columns:
        table["recording_consent"] = _flag(columns[CONSENT], ["y", "yes"], ["", "n", "no"])
    for header, values in columns.items():
        if header in KNOWN:
            continue
        column = re.sub(r"[^0-9a-z]+", "_", header.lower()).strip("_")
        if column in table or not column:
            warn(
                f"{file}: column {header!r} left out: as a column name it is empty or taken",
                ZoomPandasWarning,
            )
            continue
        table[column] = _blank_as_null(values)
    return pa.table(table), _iso(start), _iso(end)


def _text(value: str) -> pa.ChunkedArray:
    return pa.chunked_array([pa.array([value], pa.string())])


def _first(bad: pa.ChunkedArray) -> int | None:
    """The index of the first true value, None when there is none."""
    if not pc.any(bad).as_py():
        return None
    return int(np.argmax(np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool)))


def _where(what: str, rows: np.ndarray | None, at: int) -> str:
    return what if rows is None else f"{what} in row {rows[at]}"


def _minutes(file: str, what: str, values: pa.ChunkedArray, rows: np.ndarray | None) -> pa.ChunkedArray:
    """Whole minutes (text, "" for none) as int64."""
    at = _first(pc.invert(pc.match_substring_regex(values, r"^[0-9]{0,9}$")))
    if at is not None:
        raise ValueError(f"{file}: {_where(what, rows, at)} is {values[at].as_py()!r}, not a whole number")
    return pc.cast(_blank_as_null(values), pa.int64())


def _time_format(columns: list[pa.ChunkedArray]) -> str:
    """US when any of the file's times ends in AM or PM, else day-first."""
    endings = ("AM", "PM", "am", "pm")  # ends_with(ignore_case=True) is ten times slower
    am_pm = (pc.any(pc.ends_with(column, end)).as_py() for column in columns for end in endings)
    return US if any(am_pm) else DAY_FIRST


def _parse_times(
    file: str, what: str, values: pa.ChunkedArray, fmt: str, rows: np.ndarray | None
) -> pa.ChunkedArray:
    """Wall-clock text ("" for none) as naive ``timestamp[s]``."""
    parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
    at = _first(pc.and_(pc.is_null(parsed), pc.not_equal(values, "")))
    if at is None:
        return parsed
    value, where = values[at].as_py(), _where(what, rows, at)
    if fmt == US:
        raise ValueError(
            f"{file}: {where} is {value!r}, not a time in the {_FORMATS[US]} format of its other times"
        )
    raise ValueError(
        f"{file}: cannot tell the date format: {where} is {value!r}, neither {_FORMATS[US]} "
        f"nor {_FORMATS[DAY_FIRST]}"
    )


@dataclasses.dataclass
class Shifts:
    """Rows of one file with a time in a repeated or skipped hour (for one warning)."""

    repeated: int = 0
    guessed: int = 0
    skipped: int = 0

    def warn(self, file: str, tz: str) -> None:
        """One ``ZoomPandasWarning`` naming the file and how many rows each rule decided."""
        parts = []
        if self.repeated:
            parts.append(
                f"{self.repeated} row(s) have a time in an hour {tz} repeats when clocks go back: "
                f"{self.repeated - self.guessed} placed by their Duration (Minutes), {self.guessed} "
                "taken as its first occurrence (the offset before the change)"
            )
        if self.skipped:
            parts.append(
                f"{self.skipped} row(s) have a time in an hour {tz} skips when clocks go forward, read "
                f"with the offset before the change (Zoom writes no such time: is {tz} the time zone of "
                "the Zoom profile that exported the file?)"
            )
        if parts:
            warn(f"{file}: " + "; ".join(parts), ZoomPandasWarning)


def to_utc(
    join: pa.ChunkedArray, leave: pa.ChunkedArray, minutes: pa.ChunkedArray, tz: str, shifts: Shifts
) -> tuple[pa.ChunkedArray, pa.ChunkedArray]:
    """Join and leave wall times (naive) in ``tz`` as UTC ``timestamp[us]``; DST rows go in ``shifts``."""
    try:
        return pc.assume_timezone(join, tz).cast(TIMESTAMP), pc.assume_timezone(leave, tz).cast(TIMESTAMP)
    except pa.ArrowInvalid:  # a repeated or skipped wall time: decide row by row, below
        pass
    join_first, join_last, join_repeated, join_skipped = _readings(join, tz)
    leave_first, leave_last, leave_repeated, leave_skipped = _readings(leave, tz)
    spans = np.stack(  # first-first, last-last, first-last, last-first: ties go to the earlier
        [leave_first - join_first, leave_last - join_last, leave_last - join_first, leave_first - join_last]
    )
    known = pc.and_(pc.and_(pc.is_valid(join), pc.is_valid(leave)), pc.is_valid(minutes))
    known_rows = np.asarray(known.to_numpy(zero_copy_only=False), dtype=bool)
    target = np.asarray(minutes.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64) * 60
    best = np.where(known_rows, np.abs(spans - target), 0).argmin(axis=0)
    repeated = join_repeated | leave_repeated
    shifts.repeated += int(repeated.sum())
    shifts.guessed += int((repeated & (~known_rows | (join_repeated & leave_repeated & (best < 2)))).sum())
    shifts.skipped += int((join_skipped | leave_skipped).sum())
    join_at = np.where((best == 0) | (best == 2), join_first, join_last)
    leave_at = np.where((best == 0) | (best == 3), leave_first, leave_last)
    return _from_seconds(join_at, join), _from_seconds(leave_at, leave)


def _readings(naive: pa.ChunkedArray, tz: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each time's first and last UTC reading (seconds), and whether it is repeated or skipped."""
    first_at = pc.assume_timezone(naive, tz, ambiguous="earliest", nonexistent="earliest")
    last_at = pc.assume_timezone(naive, tz, ambiguous="latest", nonexistent="latest")
    wall, first, last = _seconds(naive), _seconds(first_at), _seconds(last_at)
    back = _seconds(pc.local_timestamp(first_at))
    differ = first != last
    skipped = differ & (back != wall)  # Arrow's "earliest" for a skipped time: the second before the gap
    before_change = wall - (back - first)  # the wall time read with the offset before the gap
    first, last = np.where(skipped, before_change, first), np.where(skipped, before_change, last)
    return first, last, differ & ~skipped, skipped


def _seconds(times: pa.ChunkedArray) -> np.ndarray:
    return np.asarray(times.cast(pa.int64()).fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)


def _from_seconds(seconds: np.ndarray, naive: pa.ChunkedArray) -> pa.Array:
    missing = np.asarray(pc.is_null(naive).to_numpy(zero_copy_only=False), dtype=bool)
    return pa.array(seconds, pa.int64(), mask=missing).cast(pa.timestamp("s", tz="UTC")).cast(TIMESTAMP)


def _iso(times: pa.ChunkedArray) -> str | None:
    moment = times[0].as_py()
    return moment.isoformat() if moment is not None else None


def _blank_as_null(values: pa.ChunkedArray | pa.Array) -> Any:
    return pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)


def _flag(values: pa.ChunkedArray, true: list[str], false: list[str]) -> Any:
    """True for ``true`` values, False for ``false`` ones (any case), else NA."""
    lower = pc.utf8_lower(values)
    no = pc.if_else(pc.is_in(lower, pa.array(false, pa.string())), False, pa.scalar(None, pa.bool_()))
    return pc.if_else(pc.is_in(lower, pa.array(true, pa.string())), True, no)


def _names(cells: pa.ChunkedArray) -> tuple[Any, Any]:
    """The current name and the original (NA when the cell closes with no parenthesised group)."""
    renamed = pc.ends_with(cells, ")")  # only these can hold a group: the regex runs on them alone
    nothing = pa.nulls(len(cells), pa.string())
    if not pc.any(renamed).as_py():
        return cells, nothing
    cells, renamed = cells.combine_chunks(), renamed.combine_chunks()
    candidates = pc.filter(cells, renamed)
    parts = pc.extract_regex(candidates, _RENAMED)
    matched = pc.is_valid(parts)
    name = pc.if_else(matched, pc.struct_field(parts, [0]), candidates)
    original = pc.if_else(
        matched, pc.utf8_trim_whitespace(pc.struct_field(parts, [1])), pa.scalar(None, pa.string())
    )
    return pc.replace_with_mask(cells, renamed, name), pc.replace_with_mask(nothing, renamed, original)
