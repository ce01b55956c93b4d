"""The participants schema as data, and raw report pages -> one typed Arrow table -> pandas.

Zoom sends JSON; Arrow's JSON reader parses each page once (no per-row Python), the client reads
the page token from the same parse, and the typed columns are derived with Arrow compute kernels.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
from collections.abc import Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

__all__ = [
    "PARTICIPANT_FIELDS",
    "SCHEMA_VERSION",
    "ParticipantPage",
    "count_people",
    "empty_participants_table",
    "participants_table",
    "read_page",
    "to_frame",
]

SCHEMA_VERSION = 1

TIMESTAMP = pa.timestamp("us", tz="UTC")

#: The frame's columns and their Arrow types, in order. Fields Zoom adds later are appended.
PARTICIPANT_FIELDS: dict[str, pa.DataType] = {
    "meeting_uuid": pa.string(),
    "customer_key": pa.string(),
    "duration": pa.duration("s"),
    "failover": pa.bool_(),
    "id": pa.string(),
    "join_time": TIMESTAMP,
    "leave_time": TIMESTAMP,
    "name": pa.string(),
    "registrant_id": pa.string(),
    "status": pa.string(),
    "user_email": pa.string(),
    "user_id": pa.string(),
    "bo_mtg_id": pa.string(),
    "participant_user_id": pa.string(),
}

# How each field travels in JSON; times stay text until "" has become null.
_WIRE_TYPES: dict[str, pa.DataType] = {
    name: (pa.string() if pa.types.is_timestamp(kind) else pa.int64() if pa.types.is_duration(kind) else kind)
    for name, kind in PARTICIPANT_FIELDS.items()
    if name != "meeting_uuid"
}

_PAGE_SCHEMA = pa.schema(
    [
        ("next_page_token", pa.string()),
        ("page_count", pa.int64()),
        ("page_size", pa.int64()),
        ("total_records", pa.int64()),
        ("participants", pa.list_(pa.struct(list(_WIRE_TYPES.items())))),
    ]
)
_PARSE_OPTIONS = pa_json.ParseOptions(explicit_schema=_PAGE_SCHEMA, unexpected_field_behavior="infer")
_MIN_BLOCK = 1 << 20


_TOKEN = re.compile(rb'"next_page_token"\s*:\s*"((?:[^"\\]|\\.)*)"')
_NUMBER = {key: re.compile(rb'"' + key + rb'"\s*:\s*(\d+)') for key in (b"total_records", b"page_size")}


@dataclasses.dataclass(frozen=True)
class ParticipantPage:
    """One raw page of ``GET /report/meetings/{id}/participants`` and what paging needs from it.

    Parameters
    ----------
    body : bytes
        The response body, parsed later together with the other pages.
    next_page_token : str
        Empty on the last page.
    total_records : int or None
        How many rows Zoom says the whole report has.
    page_size : int or None
        The page size Zoom applied.
    """

    body: bytes
    next_page_token: str
    total_records: int | None
    page_size: int | None

    @property
    def page_count(self) -> int | None:
        """Pages the whole report needs at this page size, derived from ``total_records``."""
        if self.total_records is None or not self.page_size:
            return None
        return max(1, math.ceil(self.total_records / self.page_size))


def read_page(body: bytes) -> ParticipantPage:
    """Read just the paging fields of a page body, without parsing its rows.

    A JSON string cannot hold an unescaped quote, so ``"next_page_token": "..."`` can only match
    a key; :func:`participants_table` checks the token against the full parse anyway.

    Parameters
    ----------
    body : bytes
        The response body.

    Returns
    -------
    ParticipantPage
    """
    token = _TOKEN.search(body)
    numbers = {key: _NUMBER[key].search(body) for key in _NUMBER}
    return ParticipantPage(
        body=body,
        next_page_token=json.loads(b'"' + token.group(1) + b'"') if token else "",
        total_records=int(numbers[b"total_records"].group(1)) if numbers[b"total_records"] else None,
        page_size=int(numbers[b"page_size"].group(1)) if numbers[b"page_size"] else None,
    )


def _parse_bodies(bodies: Sequence[bytes]) -> pa.Table:
    """Parse page bodies in one multithreaded Arrow read: one row per page."""
    try:
        if any(b"\n" in body.strip() for body in bodies):  # pretty-printed: one line per page
            bodies = [json.dumps(json.loads(body), separators=(",", ":")).encode() for body in bodies]
        data = b"\n".join(body.strip() for body in bodies)
        largest = max((len(body) for body in bodies), default=0)
        read_options = pa_json.ReadOptions(block_size=max(_MIN_BLOCK, 2 * largest + 2), use_threads=True)
        table = pa_json.read_json(io.BytesIO(data), read_options=read_options, parse_options=_PARSE_OPTIONS)
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError) as exc:
        raise ValueError(f"not a participants report page: {exc}") from exc
    if table.num_rows != len(bodies):
        raise ValueError(f"expected one JSON object per page, got {table.num_rows} for {len(bodies)} pages")
    return table


def _blank_to_null(column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Zoom writes "" for hidden or unknown text; pandas users expect NA."""
    return pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)


def _typed(name: str, column: pa.ChunkedArray) -> pa.ChunkedArray:
    """Convert one wire column to its frame type."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = _blank_to_null(column)
    target = PARTICIPANT_FIELDS.get(name)
    if target is None or column.type == target:
        return column
    try:
        return pc.cast(column, target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise ValueError(f"column {name!r}: cannot convert {column.type} to {target}: {exc}") from exc


def empty_participants_table() -> pa.Table:
    """A zero-row table with exactly the frame's columns and types."""
    return pa.schema(list(PARTICIPANT_FIELDS.items())).empty_table()


def participants_table(pages: Sequence[ParticipantPage], meeting_uuid: str | None) -> pa.Table:
    """Parse pages into one typed table in API row order.

    Parameters
    ----------
    pages : sequence of ParticipantPage
        Every page of one meeting instance, in order.
    meeting_uuid : str or None
        Written into the ``meeting_uuid`` column of every row.

    Returns
    -------
    pyarrow.Table
        The known columns first (see ``PARTICIPANT_FIELDS``), then any field Zoom added.

    Raises
    ------
    ValueError
        If a page is not a report page, or a page token read while paging disagrees with the
        full parse.
    """
    if not pages:
        return empty_participants_table()
    parsed = _parse_bodies([page.body for page in pages])
    tokens = [token or "" for token in parsed.column("next_page_token").to_pylist()]
    if tokens != [page.next_page_token for page in pages]:
        raise ValueError("page tokens read while paging disagree with the parsed pages")
    participants = parsed.column("participants")
    raw = pa.Table.from_struct_array(pa.concat_arrays([chunk.flatten() for chunk in participants.chunks]))
    uuid_column = pa.nulls(raw.num_rows, pa.string())
    if meeting_uuid is not None:
        uuid_column = uuid_column.fill_null(meeting_uuid)
    columns: dict[str, pa.ChunkedArray | pa.Array] = {"meeting_uuid": uuid_column}
    for name, kind in PARTICIPANT_FIELDS.items():
        if name == "meeting_uuid":
            continue
        if name in raw.column_names:
            columns[name] = _typed(name, raw.column(name))
        else:
            columns[name] = pa.nulls(raw.num_rows, kind)
    for name in raw.column_names:
        if name not in columns:
            columns[name] = _typed(name, raw.column(name))
    return pa.table(columns)


def to_frame(table: pa.Table, attrs: dict[str, object] | None = None) -> pd.DataFrame:
    """Convert a typed table to pandas with Arrow-backed dtypes on every column.

    Parameters
    ----------
    table : pyarrow.Table
        From :func:`participants_table` or the cache.
    attrs : dict, optional
        Stored in ``DataFrame.attrs``.

    Returns
    -------
    pandas.DataFrame
    """
    frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype, self_destruct=False)
    if attrs:
        frame.attrs.update(attrs)
    return frame


def count_people(frame: pd.DataFrame) -> int:
    """Distinct people in a participants frame: by account id, else email, else display name.

    Guests have no account id and often no email, so two guests with one name count once.
    """
    who = frame["participant_user_id"].fillna(frame["user_email"]).fillna(frame["name"])
    return int(who.nunique())
