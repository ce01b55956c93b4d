"""One web-portal export's participant table, as text, -> the read_participants columns, typed.

Arrow compute and NumPy over whole columns, never a loop over rows. The rules, decided where
DESIGN.md left room:

* **Names**: ``name`` is the text before the last parenthesised group closing the cell, that group
  (not blank, no parentheses inside) is ``original_name``: ``"Ana (she/her) (Ana Lima)"`` is
  ``Ana (she/her)`` renamed from ``Ana Lima``; a cell that is only a group is a name.
* **Flags**: Guest Yes/No (other values NA); ``Recording Consent`` kept as ``recording_consent``,
  Y/Yes true, empty/N/No false; ``In Waiting Room`` Yes gives ``status`` ``in_waiting_room``.
  Other columns are kept as text, named in snake_case; a name clash is left out with a warning.
* **Times**: read as :mod:`zoom_pandas.portal_times` says (formats, DST).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.errors import ZoomPandasWarning, warn
from zoom_pandas.portal_times import Shifts, first_true, parse_times, time_format, to_utc, where
from zoom_pandas.schema import PARTICIPANTS

__all__ = ["COLUMNS", "KNOWN", "REQUIRED", "typed_table"]

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
_RENAMED = r"(?s)^(?P<name>.*\S)\s*\((?P<original>[^()]*[^()\s][^()]*)\)$"
_BLOCK = "the meeting block's "


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
    fmt = time_format([columns[JOIN], columns[LEAVE], text["Start Time"], text["End Time"]])
    shifts = Shifts()
    minutes = _minutes(file, MINUTES, columns[MINUTES], rows)
    join, leave = to_utc(
        parse_times(file, JOIN, columns[JOIN], fmt, rows),
        parse_times(file, LEAVE, columns[LEAVE], fmt, rows),
        minutes,
        tz,
        shifts,
    )
    start, end = to_utc(
        parse_times(file, _BLOCK + "Start Time", text["Start Time"], fmt, None),
        parse_times(file, _BLOCK + "End Time", text["End Time"], fmt, None),
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


def _minutes(file: str, what: str, values: pa.ChunkedArray, rows: np.ndarray | None) -> pa.ChunkedArray:
    """Whole minutes (text, "" for none) as int64."""
    at = first_true(pc.invert(pc.match_substring_regex(values, r"^[0-9]{0,9}$")))
    if at is not None:
        raise ValueError(f"{file}: {where(what, rows, at)} is {values[at].as_py()!r}, not a whole number")
    return pc.cast(_blank_as_null(values), pa.int64())


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
