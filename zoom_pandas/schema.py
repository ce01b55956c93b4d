"""The participants schema as data, and raw report pages -> one typed Arrow table -> pandas.

Zoom sends JSON; Arrow's JSON reader parses each page once (no per-row Python), the client reads
the page token from the same parse, and the typed columns are derived with Arrow compute kernels.
"""

from __future__ import annotations

import dataclasses
import io
import math
from collections.abc import Iterable

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

__all__ = [
    "PARTICIPANT_FIELDS",
    "SCHEMA_VERSION",
    "ParticipantPage",
    "empty_participants_table",
    "parse_page",
    "participants_table",
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


@dataclasses.dataclass(frozen=True)
class ParticipantPage:
    """One parsed page of ``GET /report/meetings/{id}/participants``.

    Parameters
    ----------
    rows : pyarrow.Table
        The page's participant rows, fields as they travel in JSON (times still text).
    next_page_token : str
        Empty on the last page.
    total_records : int or None
        How many rows Zoom says the whole report has.
    page_size : int or None
        The page size Zoom applied.
    """

    rows: pa.Table
    next_page_token: str
    total_records: int | None
    page_size: int | None

    @property
    def page_count(self) -> int | None:
        """Pages the whole report needs at this page size, derived from ``total_records``."""
        if self.total_records is None or not self.page_size:
            return None
        return max(1, math.ceil(self.total_records / self.page_size))


def parse_page(body: bytes) -> ParticipantPage:
    """Parse one report page body with Arrow's JSON reader.

    Parameters
    ----------
    body : bytes
        The response body, one JSON object.

    Returns
    -------
    ParticipantPage

    Raises
    ------
    ValueError
        If the body is not one JSON object of the report's shape.
    """
    read_options = pa_json.ReadOptions(block_size=max(_MIN_BLOCK, len(body) + 1), use_threads=False)
    options = _PARSE_OPTIONS
    if b"\n" in body.strip():
        options = pa_json.ParseOptions(
            explicit_schema=_PAGE_SCHEMA, unexpected_field_behavior="infer", newlines_in_values=True
        )
    try:
        table = pa_json.read_json(io.BytesIO(body), read_options=read_options, parse_options=options)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise ValueError(f"not a participants report page: {exc}") from exc
    if table.num_rows != 1:
        raise ValueError(f"expected one JSON object per page, got {table.num_rows}")
    header = table.select(["next_page_token", "page_size", "total_records"]).to_pylist()[0]
    # A missing or null "participants" flattens to zero rows with the declared fields.
    participants = table.column("participants").combine_chunks()
    rows = pa.Table.from_struct_array(participants.flatten())
    return ParticipantPage(
        rows=rows,
        next_page_token=header["next_page_token"] or "",
        total_records=header["total_records"],
        page_size=header["page_size"],
    )


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


def participants_table(pages: Iterable[ParticipantPage], meeting_uuid: str | None) -> pa.Table:
    """Join pages into one typed table in API row order.

    Parameters
    ----------
    pages : iterable of ParticipantPage
        Every page of one meeting instance, in order.
    meeting_uuid : str or None
        Written into the ``meeting_uuid`` column of every row.

    Returns
    -------
    pyarrow.Table
        The known columns first (see ``PARTICIPANT_FIELDS``), then any field Zoom added.
    """
    tables = [page.rows for page in pages]
    if not tables:
        return empty_participants_table()
    raw = pa.concat_tables(tables, promote_options="permissive")
    columns: dict[str, pa.ChunkedArray] = {
        "meeting_uuid": pa.chunked_array([pa.nulls(raw.num_rows, pa.string()).fill_null(meeting_uuid)])
        if meeting_uuid is not None
        else pa.chunked_array([pa.nulls(raw.num_rows, pa.string())])
    }
    for name, kind in PARTICIPANT_FIELDS.items():
        if name == "meeting_uuid":
            continue
        if name in raw.column_names:
            columns[name] = _typed(name, raw.column(name))
        else:
            columns[name] = pa.chunked_array([pa.nulls(raw.num_rows, kind)])
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
