"""``read_zoom_csv``: participant files exported from Zoom's web portal, as the read_participants frame.

For hosts without the admin scope the report API needs (zoom/FACTS.md §3.10). This module finds
the files and each one's layout (the first records, read with the ``csv`` module), and
concatenates the typed tables :mod:`zoom_pandas.portal_table` makes of their participant tables.
Decisions where DESIGN.md left room:

* ``meeting_uuid``: exports carry no instance UUID; each file gets a stand-in, ``"csv:"`` and 16
  hex digits of a hash of its bytes, the same wherever and whenever the file is read, so
  ``df.zoom`` tells the files apart (it needs every row's instance) and finds each one's topic,
  start and end in ``attrs``.
* ``fetched_at`` is None: nothing was fetched, and a file's modification time says when it was
  last copied, not when Zoom exported it. ``attrs`` name each file without its folders.
* A path holding ``*``, ``?`` or ``[`` that is not an existing file is a glob (``**`` too).
* The meeting block is known by its first header, ``Meeting ID``; its values are taken by header.
  Blank lines, lines of commas and a trailing comma on every line are skipped. Known headers match
  whatever their case and surrounding spaces (``recording consent`` is ``Recording Consent``).
* Each export is read once: a file with the same bytes as one read before (a second download,
  ``participants (1).csv``, caught by the same glob) is skipped with a warning naming both, as its
  rows would otherwise count twice under the same ``meeting_uuid``.
"""

from __future__ import annotations

import codecs
import csv
import dataclasses
import glob
import hashlib
import os
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from zoom_pandas.errors import ZoomPandasWarning, warn
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.portal_table import COLUMNS, REQUIRED, header_name, text_columns, typed_table
from zoom_pandas.portal_times import check_tz
from zoom_pandas.schema import DtypeBackend, check_dtype_backend, to_frame

__all__ = ["read_zoom_csv"]


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where a file's participant table starts and what its columns are."""

    block: dict[str, str]  # the meeting block's values by header ({} without a block)
    header: list[str]  # the table's column names, stripped ("" for an unnamed column)
    offset: int  # byte offset of the first data row


def read_zoom_csv(
    paths: object,
    *,
    tz: str | None = None,
    meeting_id: int | str | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Read participant files exported from Zoom's web portal into the read_participants frame.

    Works without admin rights: a host exports each meeting's participants from the web portal
    (Reports > Usage > the meeting's participant count > Export). Nothing is sent anywhere.

    Parameters
    ----------
    paths : str, path-like, or list or tuple of those
        One file; several, read in the order given; or a glob (a path with ``*``, ``?`` or
        ``[`` that is not an existing file), its matches read in sorted order. A file with the
        same bytes as one read before is skipped, with a warning. A file may start
        with the meeting block ("Export with meeting data") or directly with the participant
        table (``Name (Original Name)``, ``User Email``, ``Join Time``, ``Leave Time``,
        ``Duration (Minutes)``, optionally ``Guest``, ``Recording Consent``, ``In Waiting
        Room``; any case); UTF-8 with or without BOM; English headers only.
    tz : str
        The IANA time zone of the exporting user's Zoom profile (``"Europe/Berlin"``): the
        files' times are wall clock there. Required. US (``MM/DD/YYYY hh:mm:ss AM/PM``) or
        day-first (``DD/MM/YYYY HH:MM:SS``) dates are told apart per file. A time in the hour
        clocks repeat when they go back takes the reading that fits the row's
        ``Duration (Minutes)``, else the first; a time in the hour they skip is read with the
        offset before the change (both with a warning).
    meeting_id : int or str, optional
        The meeting number (``"857 4606 5432"``) for every file, for files without a meeting
        block; it must agree with a block's Meeting ID. Without either, ``meeting_id`` is NA.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        As in :func:`read_participants`.

    Returns
    -------
    pandas.DataFrame
        The columns and dtypes of :func:`read_participants`, one row per join, files in order:
        ``meeting_id``; ``meeting_uuid`` (``"csv:"`` and a hash of the file, as exports have no
        UUID); ``name`` (the current name); ``user_email`` ("" as NA); ``join_time`` and
        ``leave_time`` in UTC; ``duration`` (the file's whole minutes); ``status``
        (``in_waiting_room`` where ``In Waiting Room`` is Yes, else ``in_meeting``); the other API
        fields NA. Then ``original_name`` (the text in the last parentheses closing the name
        cell, else NA: ``"Ana (she/her) (Ana Lima)"`` is Ana (she/her), renamed from Ana Lima),
        ``guest`` (bool, NA without a Guest column), ``recording_consent`` (bool) when any file
        has that column, and any other column as text, named in snake_case.
        ``attrs["meetings"]``: one dict per file with ``meeting_id``, ``meeting_uuid``, ``topic``,
        ``start_time``, ``end_time`` (ISO-8601 UTC, from the block, else None), ``total_records``
        (its rows), ``fetched_at`` (None), ``source`` and ``endpoint`` ("csv") and ``file`` (its
        name, without folders); for one file the same keys also sit at the top of ``attrs``.

    Raises
    ------
    ValueError
        Before any file is read: ``tz`` missing or unknown, ``meeting_id`` or ``dtype_backend``
        malformed, ``paths`` not paths, or a folder. Then, naming the file: empty or only empty
        cells, not UTF-8 CSV, not a participant export (the missing headers), a date format it
        cannot tell, a time or duration that does not read or a date that does not exist
        (``02/30/2021``; each with its line in the file), a Meeting ID other than ``meeting_id``.
        Last, files whose columns of one name do not agree in type (naming the files and column).
    FileNotFoundError
        A file that does not exist, or a glob that matches none (before any file is read).

    Warns
    -----
    ZoomPandasWarning
        Rows with a time in a repeated or skipped hour (how many, per file); a column left out; a
        file skipped as a copy of one read before (naming both).

    Examples
    --------
    >>> import zoom_pandas as zp
    >>> df = zp.read_zoom_csv("participants_85746065432.csv", tz="America/New_York")  # doctest: +SKIP
    >>> term = zp.read_zoom_csv("exports/*.csv", tz="Europe/Berlin")  # doctest: +SKIP
    >>> term.zoom.attendance(threshold=0.75)                            # doctest: +SKIP
    """
    zone = check_tz(tz)
    check_dtype_backend(dtype_backend)
    number = _meeting_number(meeting_id) if meeting_id is not None else None
    tables, meetings, read = [], [], dict[str, Path]()  # read: each file by its meeting_uuid
    for path in _files(paths):
        data = path.read_bytes()
        key = "csv:" + hashlib.sha256(data).hexdigest()[:16]
        if key in read:  # a second download of one export: read again, every row would count twice
            warn(f"{path} skipped: it has the same bytes as {read[key]}, read already", ZoomPandasWarning)
            continue
        read[key] = path
        table, entry = _read_file(path, data, key, zone, number)
        tables.append(table)
        meetings.append(entry)
    table = _concat(tables, list(read.values())) if len(tables) > 1 else tables[0]
    extra = [name for name in table.column_names if name not in COLUMNS and name != "recording_consent"]
    consent = ["recording_consent"] if "recording_consent" in table.column_names else []
    attrs: dict[str, Any] = {"meetings": meetings, **(meetings[0] if len(meetings) == 1 else {})}
    return to_frame(table.select([*COLUMNS, *consent, *extra]), attrs, dtype_backend)


def _meeting_number(meeting_id: object) -> int:
    number = parse_meeting_id(meeting_id)
    if not isinstance(number, int):
        raise ValueError(f"meeting_id must be a meeting number (exports have no UUID), got {meeting_id!r}")
    return number


def _concat(tables: list[pa.Table], files: list[Path]) -> pa.Table:
    """The files' tables as one; a column whose type differs between files is a ValueError naming them."""
    try:
        return pa.concat_tables(tables, promote_options="default")
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        kinds: dict[str, dict[str, list[str]]] = {}
        for file, table in zip(files, tables, strict=True):
            for field in table.schema:
                kinds.setdefault(field.name, {}).setdefault(str(field.type), []).append(str(file))
        for name, found in kinds.items():
            if len(found) > 1:
                types = "; ".join(f"{kind} in {', '.join(names)}" for kind, names in found.items())
                raise ValueError(f"the files disagree on column {name!r}: {types}") from exc
        raise ValueError(f"cannot make one table of {', '.join(map(str, files))}: {exc}") from exc


def _files(paths: object) -> list[Path]:
    """The files to read, in order: globs expanded (sorted), every one checked to exist."""
    if isinstance(paths, (list, tuple)):
        items: Sequence[object] = paths
    elif isinstance(paths, (str, os.PathLike)):
        items = [paths]
    else:
        raise ValueError(f"paths must be a path, a glob or a list of paths, not {type(paths).__name__}")
    if not items:
        raise ValueError("paths names no file")
    files: list[Path] = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise ValueError(f"paths must hold paths (str or path-like), not {type(item).__name__}")
        path = Path(os.path.expanduser(os.fspath(item)))
        if not path.is_file() and re.search(r"[*?[]", os.fspath(item)):
            matches = sorted(found for found in glob.glob(str(path), recursive=True) if os.path.isfile(found))
            if not matches:
                raise FileNotFoundError(2, "No file matches the pattern", item)
            files += [Path(found) for found in matches]
        elif path.is_dir():
            raise ValueError(f"{item} is a folder; pass a glob such as {os.path.join(item, '*.csv')!r}")
        elif not path.is_file():
            raise FileNotFoundError(2, "No such file", os.fspath(item))
        else:
            files.append(path)
    return files


def _read_file(
    path: Path, data: bytes, key: str, tz: str, meeting_id: int | None
) -> tuple[pa.Table, dict[str, Any]]:
    """One export (its bytes, its stand-in UUID) as a typed table and its ``attrs["meetings"]`` entry."""
    file = str(path)
    layout = _layout(file, data)
    columns, lines = text_columns(file, data, layout.header, layout.offset)
    number, text = None, layout.block.get("Meeting ID", "")
    if text:
        try:
            number = _meeting_number(text)
        except ValueError as exc:
            raise ValueError(
                f"{file}: its meeting block's Meeting ID {text!r} is not a meeting number"
            ) from exc
    if meeting_id is not None and number is not None and number != meeting_id:
        raise ValueError(f"{file}: its meeting block says Meeting ID {number}, but meeting_id={meeting_id}")
    number = meeting_id if meeting_id is not None else number
    table, start, end = typed_table(
        file, columns, lines, layout.block, tz=tz, meeting_id=number, meeting_uuid=key
    )
    return table, {
        "meeting_id": number,
        "meeting_uuid": key,
        "topic": layout.block.get("Topic") or None,
        "start_time": start,
        "end_time": end,
        "total_records": len(lines),
        "fetched_at": None,
        "source": "csv",
        "endpoint": "csv",
        "file": path.name,
    }


def _records(file: str, data: bytes, start: int) -> Iterator[tuple[list[str], int]]:
    """The file's non-blank CSV records from ``start``, each with the byte offset just after it."""
    position = start

    def lines() -> Iterator[str]:
        nonlocal position
        while position < len(data):
            end = data.find(b"\n", position)
            end = len(data) if end < 0 else end + 1
            line, position = data[position:end], end
            yield line.decode("utf-8")

    try:
        for record in csv.reader(lines()):
            if any(cell.strip() for cell in record):
                yield record, position
    except (UnicodeDecodeError, csv.Error) as exc:
        raise ValueError(f"{file} is not a UTF-8 CSV file ({exc})") from exc


def _layout(file: str, data: bytes) -> Layout:
    """The meeting block (if any), the participant table's header and where its rows start."""
    start = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    records = _records(file, data, start)
    header, offset = next(records, ([], start))
    if not header:  # blank lines, lines of commas, empty quoted cells
        raise ValueError(f"{file} is empty: none of its cells holds text, so it has no participant table")
    block: dict[str, str] = {}
    if header_name(header[0]) == "Meeting ID":
        values, offset = next(records, ([], offset))
        if REQUIRED[0] in map(header_name, values):  # a block header without values
            header = values
        else:
            block = {header_name(name): value.strip() for name, value in zip(header, values, strict=False)}
            header, offset = next(records, ([], offset))
        if not header:
            raise ValueError(f"{file} has a meeting block but no participant table after it")
    names = [header_name(cell) for cell in header]
    missing = [name for name in REQUIRED if name not in names]
    if missing:
        found = ", ".join(repr(name[:40]) for name in names[:12] if name)
        raise ValueError(
            f"{file} is not a Zoom participant export: no {', '.join(map(repr, missing))} column "
            f"(found {found}; exports with headers in other languages are not supported)"
        )
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if repeated:
        raise ValueError(f"{file}: the participant table repeats the column(s) {repeated}")
    row, _ = next(records, ([], offset))  # a trailing comma on the data rows but not the header, or back
    if len(row) > len(names):
        names += [""] * (len(row) - len(names))
    elif row and not any(names[len(row) :]):
        names = names[: len(row)]
    return Layout(block, names, offset)
