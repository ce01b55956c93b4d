"""One web-portal export's participant table -> the read_participants columns, typed.

The table's text is read with Arrow's CSV reader, then Arrow compute and NumPy work over whole
columns, never a loop over rows. The rules, decided where DESIGN.md left room:

* **Lines**: errors name a row by its line in the file (from 1; ``\\n``, ``\\r\\n`` and ``\\r``
  end lines) where the row starts. Exact: Arrow reads blank lines as rows here, and a row's
  quoted values add their line breaks.
* **Names**: ``name`` is the text before the last parenthesised group closing the cell, that group
  (not blank, no parentheses inside) is ``original_name``: ``"Ana (she/her) (Ana Lima)"`` is
  ``Ana (she/her)`` renamed from ``Ana Lima``; a cell that is only a group is a name.
* **Flags**: Guest Yes/No (other values NA); ``Recording Consent`` kept as ``recording_consent``,
  Y/Yes true, empty/N/No false; ``In Waiting Room`` Yes gives ``status`` ``in_waiting_room``.
  Other columns are kept as text, named in snake_case; a name clash is left out with a warning.
* **Times**: read as :mod:`zoom_pandas.portal_times` says (formats, dates that do not exist, DST).
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv

from zoom_pandas.errors import ZoomPandasWarning, warn
from zoom_pandas.portal_times import Shifts, first_true, parse_times, time_format, to_utc, where
from zoom_pandas.schema import PARTICIPANTS

__all__ = ["COLUMNS", "KNOWN", "REQUIRED", "header_name", "text_columns", "typed_table"]

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
_BLOCK_HEADERS = ("Meeting ID", "Topic", "Start Time", "End Time", EMAIL, MINUTES, "Participants")
_HEADERS = {name.casefold(): name for name in (*KNOWN, *_BLOCK_HEADERS)}
#: The read_participants columns, then the two every CSV frame has.
COLUMNS = {**PARTICIPANTS.fields, "original_name": pa.string(), "guest": pa.bool_()}
_RENAMED = r"(?s)^(?P<name>.*\S)\s*\((?P<original>[^()]*[^()\s][^()]*)\)$"
_BLOCK = "the meeting block's "
_TEXT = re.compile(rb"\S")


def header_name(cell: str) -> str:
    """A header cell stripped, a known header (table or block) in Zoom's case whatever the file's."""
    name = cell.strip()
    return _HEADERS.get(name.casefold(), name)


def text_columns(
    file: str, data: bytes, headers: list[str], offset: int
) -> tuple[dict[str, pa.ChunkedArray], np.ndarray]:
    """The named columns as trimmed text without blank rows, and each row's line in the file."""
    names = [str(index) for index in range(len(headers))]
    body = pa.py_buffer(data).slice(offset)
    if not _TEXT.search(data, offset):
        table = pa.table({name: pa.array([], pa.string()) for name in names})
    else:
        try:
            table = pa_csv.read_csv(
                pa.BufferReader(body),
                read_options=pa_csv.ReadOptions(column_names=names),
                parse_options=pa_csv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
                convert_options=pa_csv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
                ),
            )
        except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
            raise ValueError(f"{file}: the participant table is not well-formed UTF-8 CSV: {exc}") from exc
    text = [pc.utf8_trim_whitespace(table.column(index)) for index in range(len(names))]
    blank = None
    for column in text:
        empty = pc.equal(column, "")
        blank = empty if blank is None else pc.and_(blank, empty)
    lines = _lines(data, offset, table)
    if blank is not None and pc.any(blank).as_py():  # blank lines, lines of commas
        keep = pc.invert(blank)
        text, lines = [pc.filter(column, keep) for column in text], lines[keep.to_numpy(zero_copy_only=False)]
    columns: dict[str, pa.ChunkedArray] = {}
    for header, column in zip(headers, text, strict=True):
        if header:
            columns[header] = column
        elif pc.any(pc.not_equal(column, "")).as_py():
            warn(f"{file}: a column without a header holds values; it is left out", ZoomPandasWarning)
    return columns, lines


def _lines(data: bytes, offset: int, table: pa.Table) -> np.ndarray:
    """Each row's first line in the file: with blank lines kept as rows, a row spans one line and
    the line breaks in its quoted values (counted only when the table has more lines than rows)."""
    spans = np.ones(table.num_rows, dtype=np.int64)
    if _breaks(data, offset, len(data)) + (not data.endswith((b"\n", b"\r"))) > table.num_rows:
        for column in table.columns:
            spans += np.asarray(pc.count_substring_regex(column, "\r\n|\r|\n").to_numpy(), dtype=np.int64)
    return np.asarray(1 + _breaks(data, 0, offset) + np.cumsum(spans) - spans, dtype=np.int64)


def _breaks(data: bytes, start: int, end: int) -> int:
    """The line breaks (\\n, \\r\\n or \\r) in ``data[start:end]`` (NumPy: bytes.count is slower)."""
    text = np.frombuffer(memoryview(data)[start:end], np.uint8)
    lf, cr = text == 10, text == 13
    return int(np.count_nonzero(lf) + np.count_nonzero(cr) - np.count_nonzero(cr[:-1] & lf[1:]))


def typed_table(
    file: str,
    columns: dict[str, pa.ChunkedArray],
    lines: np.ndarray,
    block: dict[str, str],
    *,
    tz: str,
    meeting_id: int | None,
    meeting_uuid: str,
) -> tuple[pa.Table, str | None, str | None]:
    """The typed table of one file's text columns (trimmed), and the block's start and end (ISO, UTC).

    ``lines`` holds each row's line in the file, for error messages.
    """
    count = len(lines)
    text = {what: _text(block.get(what, "")) for what in ("Start Time", "End Time", MINUTES)}
    fmt = time_format([columns[JOIN], columns[LEAVE], text["Start Time"], text["End Time"]])
    shifts = Shifts()
    minutes = _minutes(file, MINUTES, columns[MINUTES], lines)
    join, leave = to_utc(
        parse_times(file, JOIN, columns[JOIN], fmt, lines),
        parse_times(file, LEAVE, columns[LEAVE], fmt, lines),
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


def _minutes(file: str, what: str, values: pa.ChunkedArray, lines: np.ndarray | None) -> pa.ChunkedArray:
    """Whole minutes (text, "" for none) as int64."""
    at = first_true(pc.invert(pc.match_substring_regex(values, r"^[0-9]{0,9}$")))
    if at is not None:
        raise ValueError(f"{file}: {where(what, lines, at)} is {values[at].as_py()!r}, not a whole number")
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
