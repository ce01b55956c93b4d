"""Field maps as data, and raw JSON pages -> one typed Arrow table -> pandas.

Every list Zoom answers with (participants, meetings, instances) is described by a
:class:`FieldMap`: the key of the list in each page, each column's Arrow type, the wire names it
renames and the columns filled from the request rather than the answer. One converter serves them
all: Arrow's JSON reader parses every page in one multithreaded read (no per-row Python), and the
typed columns are derived with Arrow compute kernels.
"""

from __future__ import annotations

import dataclasses
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pa_json

__all__ = [
    "INSTANCES",
    "MEETINGS",
    "PARTICIPANTS",
    "SCHEMA_VERSION",
    "WEBINAR_INSTANCES",
    "WEBINAR_PARTICIPANTS",
    "DtypeBackend",
    "FieldMap",
    "check_dtype_backend",
    "pages_table",
    "to_frame",
]

#: Bumped when the cached table layout changes.
SCHEMA_VERSION = 2

TIMESTAMP = pa.timestamp("us", tz="UTC")
DtypeBackend = Literal["pyarrow", "numpy_nullable"]
_MIN_BLOCK = 1 << 20


@dataclasses.dataclass(frozen=True)
class FieldMap:
    """How one list in Zoom's JSON pages becomes typed columns.

    Parameters
    ----------
    items : str
        The key of the list in each page (``"participants"``, ``"meetings"``, ``"webinars"``).
    fields : mapping of str to pyarrow.DataType
        The frame's columns and their Arrow types, in order.
    renames : mapping of str to str
        Wire name -> column name (Zoom's ``uuid`` is the frame's ``meeting_uuid``).
    stamped : tuple of str
        Columns filled from the request (one value for every row), never from the answer.
    minutes : frozenset of str
        Duration columns Zoom sends in whole minutes rather than seconds.
    keep_unknown : bool
        Keep fields Zoom adds later, after the known columns.
    """

    items: str
    fields: Mapping[str, pa.DataType]
    renames: Mapping[str, str] = dataclasses.field(default_factory=dict)
    stamped: tuple[str, ...] = ()
    minutes: frozenset[str] = frozenset()
    keep_unknown: bool = False

    def wire_name(self, column: str) -> str:
        """The JSON key a column comes from."""
        return next((wire for wire, name in self.renames.items() if name == column), column)

    @property
    def parse_options(self) -> pa_json.ParseOptions:
        """Arrow JSON parse options for whole pages (times stay text until "" has become null)."""
        row_fields = []
        for name, kind in self.fields.items():
            if name in self.stamped:
                continue
            if pa.types.is_timestamp(kind):
                kind = pa.string()
            elif pa.types.is_duration(kind):
                kind = pa.int64()
            row_fields.append((self.wire_name(name), kind))
        page = pa.schema(
            [
                ("next_page_token", pa.string()),
                ("total_records", pa.int64()),
                (self.items, pa.list_(pa.struct(row_fields))),
            ]
        )
        behaviour = "infer" if self.keep_unknown else "ignore"
        return pa_json.ParseOptions(explicit_schema=page, unexpected_field_behavior=behaviour)

    def empty_table(self) -> pa.Table:
        """A zero-row table with exactly the frame's columns and types."""
        return pa.schema(list(self.fields.items())).empty_table()


_PARTICIPANT_COLUMNS: dict[str, pa.DataType] = {
    "meeting_id": pa.int64(),
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

#: ``GET /report/meetings/{uuid}/participants``: one row per join event.
PARTICIPANTS = FieldMap(
    items="participants",
    fields=_PARTICIPANT_COLUMNS,
    stamped=("meeting_id", "meeting_uuid"),
    keep_unknown=True,
)

#: ``GET /report/webinars/{uuid}/participants``: the same, without breakout rooms.
WEBINAR_PARTICIPANTS = dataclasses.replace(
    PARTICIPANTS, fields={k: v for k, v in _PARTICIPANT_COLUMNS.items() if k != "bo_mtg_id"}
)

#: ``GET /report/users/{userId}/meetings``: one row per held instance.
MEETINGS = FieldMap(
    items="meetings",
    fields={
        "meeting_id": pa.int64(),
        "meeting_uuid": pa.string(),
        "topic": pa.string(),
        "start_time": TIMESTAMP,
        "end_time": TIMESTAMP,
        "duration": pa.duration("s"),
        "participants_count": pa.int64(),
        "total_minutes": pa.int64(),
        "type": pa.int64(),
        "user_name": pa.string(),
        "user_email": pa.string(),
        "source": pa.string(),
    },
    renames={"id": "meeting_id", "uuid": "meeting_uuid"},
    minutes=frozenset({"duration"}),
)

#: ``GET /past_meetings/{meetingId}/instances``: the ended instances of a meeting number.
INSTANCES = FieldMap(
    items="meetings",
    fields={"meeting_id": pa.int64(), "meeting_uuid": pa.string(), "start_time": TIMESTAMP},
    renames={"uuid": "meeting_uuid"},
    stamped=("meeting_id",),
)

#: ``GET /past_webinars/{webinarId}/instances``.
WEBINAR_INSTANCES = dataclasses.replace(INSTANCES, items="webinars")


def _one_line(body: bytes) -> bytes:
    """A page as one line of JSON (Arrow reads one object per line)."""
    body = body.strip()
    if b"\n" in body or b"\r" in body:  # pretty-printed
        value = json.loads(body, object_pairs_hook=_unique_keys)
        body = json.dumps(value, separators=(",", ":")).encode()
    return body


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Refuse duplicate keys, as Arrow's reader does for one-line pages (so both paths agree)."""
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("a key appears twice in one object")
    return value


def _parse(bodies: Sequence[bytes], field_map: FieldMap) -> pa.Table:
    """Parse page bodies in one multithreaded Arrow read: one row per page."""
    try:
        lines = [_one_line(body) for body in bodies]
        largest = max((len(line) for line in lines), default=0)
        read_options = pa_json.ReadOptions(block_size=max(_MIN_BLOCK, 2 * largest + 2), use_threads=True)
        table = pa_json.read_json(
            io.BytesIO(b"\n".join(lines)), read_options=read_options, parse_options=field_map.parse_options
        )
    except (pa.ArrowInvalid, pa.ArrowTypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"not a page of {field_map.items}: {exc}") from exc
    if table.num_rows != len(bodies):
        raise ValueError(f"expected one JSON object per page, got {table.num_rows} for {len(bodies)} pages")
    return table


def _typed(name: str, column: pa.ChunkedArray, field_map: FieldMap) -> pa.ChunkedArray:
    """Convert one wire column to its frame type ("" -> null; minutes -> seconds)."""
    if pa.types.is_string(column.type) or pa.types.is_large_string(column.type):
        column = pc.if_else(pc.equal(column, ""), pa.scalar(None, column.type), column)
    target = field_map.fields.get(name) or _stored_alike(column.type)
    if name in field_map.minutes:
        column = pc.multiply_checked(column, 60)
    if column.type != target:
        try:
            column = pc.cast(column, target)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise ValueError(f"column {name!r}: cannot convert {column.type} to {target}: {exc}") from exc
    _check_range(name, column)
    return column


#: The longest duration accepted (about 31 years): every cell then converts to a Python timedelta
#: and a pandas Timedelta (2**63 - 1 seconds does not).
_LIMIT_SECONDS = 10**9
_PER_SECOND = {"s": 1, "ms": 10**3, "us": 10**6, "ns": 10**9}
#: 0001-01-01T00:00:00 and 9999-12-31T23:59:59 in seconds since 1970.
_FIRST_SECOND, _LAST_SECOND = -62_135_596_800, 253_402_300_799


def _check_range(name: str, column: pa.ChunkedArray) -> None:
    """Refuse times and durations that Python and pandas could not hold in a cell.

    Times must fall in years 1 to 9999 (Python's datetime; "0000-01-01" parses in Arrow but no
    cell could show it); durations within about 31 years (2**63 - 1 seconds overflows).
    """
    if pa.types.is_timestamp(column.type):
        per_second = _PER_SECOND[column.type.unit]
        lowest, highest = _FIRST_SECOND * per_second, (_LAST_SECOND + 1) * per_second - 1
    elif pa.types.is_duration(column.type):
        limit = _LIMIT_SECONDS * _PER_SECOND[column.type.unit]
        lowest, highest = -limit, limit
    else:
        return
    if not len(column):
        return
    extremes = pc.min_max(pc.cast(column, pa.int64()))
    low, high = extremes["min"].as_py(), extremes["max"].as_py()
    if low is not None and (low < lowest or high > highest):
        raise ValueError(f"column {name!r} holds a value out of range ({low} .. {high} {column.type.unit})")


def _stored_alike(kind: pa.DataType) -> pa.DataType:
    """The type of an added field that Parquet gives back unchanged (it has no second timestamps)."""
    if pa.types.is_timestamp(kind) and kind.unit == "s":
        return pa.timestamp("ms", tz=kind.tz)
    if pa.types.is_struct(kind):
        return pa.struct([field.with_type(_stored_alike(field.type)) for field in kind])
    if pa.types.is_list(kind):
        return pa.list_(kind.value_field.with_type(_stored_alike(kind.value_type)))
    if pa.types.is_large_list(kind):
        return pa.large_list(kind.value_field.with_type(_stored_alike(kind.value_type)))
    return kind


def pages_table(
    bodies: Sequence[bytes], field_map: FieldMap, stamp: Mapping[str, Any] | None = None
) -> tuple[pa.Table, list[str]]:
    """Parse raw pages into one typed table in API row order.

    Parameters
    ----------
    bodies : sequence of bytes
        Every page's response body, in order.
    field_map : FieldMap
        What the pages hold.
    stamp : mapping, optional
        A value for each of ``field_map.stamped`` (e.g. the instance's meeting id and uuid).

    Returns
    -------
    table : pyarrow.Table
        The known columns in order, then (``keep_unknown``) any field Zoom added.
    next_page_tokens : list of str
        Each page's ``next_page_token`` from the full parse ("" when absent).

    Raises
    ------
    ValueError
        If a page is not a JSON object holding the list, or a value cannot take its type.
    """
    if not bodies:
        return field_map.empty_table(), []
    parsed = _parse(bodies, field_map)
    lists = parsed.column(field_map.items)
    if lists.null_count:
        missing = lists.is_null().to_pylist().index(True) + 1
        raise ValueError(f"page {missing} has no {field_map.items!r} list")
    tokens = [token or "" for token in parsed.column("next_page_token").to_pylist()]
    chunks = [chunk.flatten() for chunk in parsed.column(field_map.items).chunks]
    raw = pa.Table.from_struct_array(pa.concat_arrays(chunks))
    stamp = stamp or {}
    columns: dict[str, pa.ChunkedArray | pa.Array] = {}
    for name, kind in field_map.fields.items():
        wire = field_map.wire_name(name)
        if name in field_map.stamped:
            columns[name] = pa.repeat(pa.scalar(stamp.get(name), kind), raw.num_rows)
        elif wire in raw.column_names:
            columns[name] = _typed(name, raw.column(wire), field_map)
        else:
            columns[name] = pa.nulls(raw.num_rows, kind)
    wire_names = {field_map.wire_name(name) for name in field_map.fields}
    for name in raw.column_names:
        # A stamped name on the wire never wins; a field of only "{}" holds nothing Parquet can store.
        if name not in wire_names and name not in columns and _storable(raw.schema.field(name).type):
            columns[name] = _typed(name, raw.column(name), field_map)
    return pa.table(columns), tokens


def _storable(kind: pa.DataType) -> bool:
    """False for types holding an empty struct (only ever ``{}`` on the wire), which Parquet refuses."""
    if pa.types.is_struct(kind):
        return kind.num_fields > 0 and all(_storable(kind.field(i).type) for i in range(kind.num_fields))
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return _storable(kind.value_type)
    return True


def _numpy_nullable(kind: pa.DataType) -> Any:
    """pandas' nullable NumPy dtype for an Arrow type (None: pandas' own conversion)."""
    if pa.types.is_integer(kind):
        return pd.Int64Dtype()
    if pa.types.is_boolean(kind):
        return pd.BooleanDtype()
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return pd.StringDtype()
    if pa.types.is_floating(kind):
        return pd.Float64Dtype()
    return None


def to_frame(
    table: pa.Table, attrs: Mapping[str, object] | None = None, dtype_backend: DtypeBackend = "pyarrow"
) -> pd.DataFrame:
    """Convert a typed table to pandas.

    Parameters
    ----------
    table : pyarrow.Table
        From :func:`pages_table` or the cache.
    attrs : mapping, optional
        Stored in ``DataFrame.attrs``.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        ``"pyarrow"``: ``pd.ArrowDtype`` on every column. ``"numpy_nullable"``: ``Int64``,
        ``boolean``, ``string``, ``datetime64[us, UTC]`` and ``timedelta64``, as pandas' readers do.

    Returns
    -------
    pandas.DataFrame
    """
    if dtype_backend == "pyarrow":
        frame: pd.DataFrame = table.to_pandas(types_mapper=pd.ArrowDtype, self_destruct=False)
    elif dtype_backend == "numpy_nullable":
        frame = table.to_pandas(types_mapper=_numpy_nullable, coerce_temporal_nanoseconds=False)
    else:
        raise ValueError(f"dtype_backend must be 'pyarrow' or 'numpy_nullable', got {dtype_backend!r}")
    if attrs:
        frame.attrs.update(attrs)
    return frame


def check_dtype_backend(dtype_backend: object) -> DtypeBackend:
    """Validate ``dtype_backend`` before any request."""
    if dtype_backend not in ("pyarrow", "numpy_nullable"):
        raise ValueError(f"dtype_backend must be 'pyarrow' or 'numpy_nullable', got {dtype_backend!r}")
    return dtype_backend
