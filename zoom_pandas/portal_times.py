"""A web-portal export's wall-clock times (text, no zone) -> UTC timestamps.

Arrow compute and NumPy over whole columns, never a loop over rows. The rules, decided where
DESIGN.md left room:

* **Time format, per file**: US ``MM/DD/YYYY hh:mm:ss AM/PM`` when any time ends in AM or PM, else
  day-first ``DD/MM/YYYY HH:MM:SS``; a time that fits neither is a ``ValueError`` with its line.
* **Dates that do not exist**: Arrow's strptime rolls ``02/30/2021`` over to 2 March and second
  60 to the next minute; a time whose parsed fields are not the ones written (or whose year has
  other than four digits) is a ``ValueError`` with its line, never another moment.
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

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.errors import ZoomPandasWarning, warn
from zoom_pandas.schema import TIMESTAMP

__all__ = ["Shifts", "check_tz", "first_true", "parse_times", "time_format", "to_utc", "where"]

US, DAY_FIRST = "%m/%d/%Y %I:%M:%S %p", "%d/%m/%Y %H:%M:%S"
_FORMATS = {US: "US MM/DD/YYYY hh:mm:ss AM/PM", DAY_FIRST: "day-first DD/MM/YYYY HH:MM:SS"}
#: Times that cannot have rolled over (every field in range, the day one its month has; 29 February
#: is left to the field-by-field comparison, as leap years are): only the others are compared, so
#: Zoom's times cost one regex match.
_MONTH_DAY = r"((0?[1-9]|1[0-2])/(0?[1-9]|1\d|2[0-8])|(0?[13-9]|1[0-2])/(29|30)|(0?[13578]|1[02])/31)"
_DAY_MONTH = r"((0?[1-9]|1\d|2[0-8])/(0?[1-9]|1[0-2])|(29|30)/(0?[13-9]|1[0-2])|31/(0?[13578]|1[02]))"
_SAFE = {
    US: rf"^{_MONTH_DAY}/\d{{4}} (0?[1-9]|1[0-2]):[0-5]\d:[0-5]\d [AP]M$",
    DAY_FIRST: rf"^{_DAY_MONTH}/\d{{4}} ([01]?\d|2[0-3]):[0-5]\d:[0-5]\d$",
}
_FIELDS = r"^(?P<a>\d\d?)/(?P<b>\d\d?)/(?P<year>\d{4})\s*(?P<hour>\d\d?):(?P<minute>\d\d?):(?P<second>\d\d?)"
_NO_SECONDS = r"\d{1,2}/\d{1,2}/\d{2,4}\s+\d{1,2}:\d{2}(\s*[AaPp][Mm])?"
_EXCEL = (
    " (its time has no seconds, as when a spreadsheet program saves the file again: export it "
    "again from the Zoom web portal and read that file without opening it in Excel first)"
)


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


def first_true(bad: pa.ChunkedArray | pa.Array) -> int | None:
    """The index of the first true value, None when there is none."""
    if not pc.any(bad).as_py():
        return None
    return int(np.argmax(np.asarray(bad.to_numpy(zero_copy_only=False), dtype=bool)))


def where(what: str, lines: np.ndarray | None, at: int) -> str:
    """``what`` and, for a table's row, its line in the file."""
    return what if lines is None else f"{what} on line {lines[at]}"


def time_format(columns: list[pa.ChunkedArray]) -> str:
    """US when any of the file's times ends in AM or PM, else day-first."""
    endings = ("AM", "PM", "am", "pm")  # ends_with(ignore_case=True) is ten times slower
    am_pm = (pc.any(pc.ends_with(column, end)).as_py() for column in columns for end in endings)
    return US if any(am_pm) else DAY_FIRST


def parse_times(
    file: str, what: str, values: pa.ChunkedArray, fmt: str, lines: np.ndarray | None
) -> pa.ChunkedArray:
    """Wall-clock text ("" for none) as naive ``timestamp[s]``; a time that does not read, or does
    not exist, is a ``ValueError`` naming the file, the line and the text."""
    parsed = pc.strptime(values, format=fmt, unit="s", error_is_null=True)
    at = first_true(pc.and_(pc.is_null(parsed), pc.not_equal(values, "")))
    if at is None:
        at = first_true(_rolled_over(values, parsed, fmt))
        if at is None:
            return parsed
        raise ValueError(
            f"{file}: {where(what, lines, at)} is {values[at].as_py()!r}: no such date and time in the "
            f"{_FORMATS[fmt]} format (a lenient reader would make it {parsed[at].as_py()})"
        )
    value, place = values[at].as_py(), where(what, lines, at)
    hint = _EXCEL if re.fullmatch(_NO_SECONDS, value) else ""
    if fmt == US:
        raise ValueError(
            f"{file}: {place} is {value!r}, not a time in the {_FORMATS[US]} format of its other times{hint}"
        )
    raise ValueError(
        f"{file}: cannot tell the date format: {place} is {value!r}, neither {_FORMATS[US]} "
        f"nor {_FORMATS[DAY_FIRST]}{hint}"
    )


def _rolled_over(values: pa.ChunkedArray, parsed: pa.ChunkedArray, fmt: str) -> pa.ChunkedArray | pa.Array:
    """Where the parsed time's fields are not the written ones (30 February read as 2 March)."""
    doubtful = pc.and_(pc.is_valid(parsed), pc.invert(pc.match_substring_regex(values, _SAFE[fmt])))
    if not pc.any(doubtful).as_py():
        return doubtful
    at = np.flatnonzero(np.asarray(doubtful.to_numpy(zero_copy_only=False), dtype=bool))
    text, moments = pc.take(values, at), pc.take(parsed, at)
    written = pc.extract_regex(text, _FIELDS)  # null where the text is not written field by field
    month, day = ("a", "b") if fmt == US else ("b", "a")
    same = pc.is_valid(written)
    for part, field in zip(
        (pc.year, pc.month, pc.day, pc.hour, pc.minute, pc.second),
        ("year", month, day, "hour", "minute", "second"),
        strict=True,
    ):
        gap = pc.subtract(part(moments), pc.cast(pc.struct_field(written, field), pa.int64()))
        off_by = [-12, 0, 12] if fmt == US and field == "hour" else [0]  # 12 AM is hour 0, 1 PM 13
        same = pc.and_(same, pc.is_in(gap, pa.array(off_by, pa.int64())))
    bad = np.zeros(len(values), dtype=bool)
    bad[at] = ~np.asarray(same.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)
    return pa.array(bad)


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
