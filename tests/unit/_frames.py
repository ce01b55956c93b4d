"""Hand-made participants frames for the ``df.zoom`` tests, typed as ``read_participants`` types them.

Rows are written as clock times on one day (``"10:20"`` or ``"10:20:30"``, UTC); a frame comes in
one of three dtype flavours: ``"pyarrow"`` (the library's default), ``"numpy_nullable"`` (what
``dtype_backend="numpy_nullable"`` gives) and ``"numpy"`` (``datetime64[ns, UTC]`` and ``object``
columns, as a frame from a CSV or an older pipeline would be).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from zoom_pandas.schema import PARTICIPANTS, WEBINAR_PARTICIPANTS, to_frame

DAY = "2024-03-04"
BACKENDS = ("pyarrow", "numpy_nullable", "numpy")


def at(clock: str, day: str = DAY) -> pd.Timestamp:
    """A clock time on ``day`` (UTC)."""
    moment: pd.Timestamp = pd.Timestamp(f"{day} {clock}", tz="UTC")
    return moment


def minutes(count: float) -> pd.Timedelta:
    """``count`` minutes."""
    length: pd.Timedelta = pd.Timedelta(minutes=count)
    return length


def row(
    join: str | None,
    leave: str | None,
    *,
    name: str | None = None,
    email: str | None = None,
    puid: str | None = None,
    registrant: str | None = None,
    status: str | None = "in_meeting",
    room: str | None = None,
    meeting: str = "m1",
    day: str = DAY,
) -> dict[str, Any]:
    """One report row: ``meeting`` is the instance's UUID, ``room`` its ``bo_mtg_id``."""
    join_time = at(join, day) if join is not None else None
    leave_time = at(leave, day) if leave is not None else None
    duration = None
    if join_time is not None and leave_time is not None:
        duration = pd.Timedelta(max((leave_time - join_time).total_seconds(), 0), unit="s")
    return {
        "meeting_uuid": meeting,
        "join_time": join_time,
        "leave_time": leave_time,
        "duration": duration,
        "name": name,
        "user_email": email,
        "participant_user_id": puid,
        "registrant_id": registrant,
        "status": status,
        "bo_mtg_id": room,
    }


def meeting(
    uuid: str,
    start: str,
    end: str,
    *,
    topic: str = "Lecture",
    meeting_id: int = 91234567890,
    day: str = DAY,
) -> dict[str, Any]:
    """An ``attrs["meetings"]`` entry as the reader writes it (ISO strings)."""
    return {
        "meeting_uuid": uuid,
        "meeting_id": meeting_id,
        "topic": topic,
        "start_time": at(start, day).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end_time": at(end, day).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


def frame(
    rows: Sequence[dict[str, Any]],
    *,
    meetings: Sequence[dict[str, Any]] | None = None,
    webinar: bool = False,
    backend: str = "pyarrow",
    meeting_id: int = 91234567890,
) -> pd.DataFrame:
    """A participants frame of ``rows`` (schema of the meeting or webinar report, then ``backend``).

    A row's instance gets the ``meeting_id`` the row names, else the one its ``meetings`` entry
    gives, else ``meeting_id``.
    """
    fields = (WEBINAR_PARTICIPANTS if webinar else PARTICIPANTS).fields
    ids = {entry["meeting_uuid"]: entry["meeting_id"] for entry in meetings or []}
    records = []
    for number, given in enumerate(rows):
        record: dict[str, Any] = {column: None for column in fields}
        record.update({k: v for k, v in given.items() if k in fields})
        record["meeting_id"] = given.get("meeting_id") or ids.get(given["meeting_uuid"], meeting_id)
        record["id"] = f"id-{number}"
        record["failover"] = False
        records.append(record)
    table = pa.Table.from_pylist(records, schema=pa.schema(list(fields.items())))
    attrs: dict[str, Any] = {"meetings": [dict(entry) for entry in meetings]} if meetings else {}
    result: pd.DataFrame
    if backend == "pyarrow":
        result = to_frame(table, attrs)
    elif backend == "numpy_nullable":
        result = to_frame(table, attrs, dtype_backend="numpy_nullable")
    elif backend == "numpy":
        result = _numpy(table.to_pandas(types_mapper=pd.ArrowDtype))
        result.attrs.update(attrs)
    else:
        raise ValueError(f"unknown backend {backend!r}")
    return result


def _numpy(arrow_frame: pd.DataFrame) -> pd.DataFrame:
    """``datetime64[ns, UTC]``, ``timedelta64[ns]``, ``int64`` and ``object`` columns (None for NA)."""
    out: pd.DataFrame = pd.DataFrame(index=arrow_frame.index)
    for column, values in arrow_frame.items():
        assert isinstance(values.dtype, pd.ArrowDtype)
        kind = values.dtype.pyarrow_dtype
        if pa.types.is_timestamp(kind):
            out[column] = values.astype("datetime64[ns, UTC]")
        elif pa.types.is_duration(kind):
            out[column] = values.astype("timedelta64[ns]")
        elif pa.types.is_integer(kind):
            out[column] = values.astype("int64")
        else:
            out[column] = pd.Series(
                [None if pd.isna(v) else v for v in values], index=values.index, dtype=object
            )
    return out
