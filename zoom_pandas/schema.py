"""Field maps as data, and typed Arrow tables -> pandas.

Every list Zoom answers with (participants, meetings, instances) is described by a
:class:`FieldMap`: the key of the list in each page, each column's Arrow type, the wire names it
renames and the columns filled from the request rather than the answer. One converter serves them
all (:func:`zoom_pandas.page_table.pages_table`); :func:`to_frame` turns its tables into pandas.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.json as pa_json

__all__ = [
    "INSTANCES",
    "MEETINGS",
    "PARTICIPANTS",
    "SCHEMA_VERSION",
    "USERS",
    "WEBINAR_INSTANCES",
    "WEBINAR_PARTICIPANTS",
    "DtypeBackend",
    "FieldMap",
    "check_dtype_backend",
    "to_frame",
]

#: Bumped when the cached table layout changes.
SCHEMA_VERSION = 2

TIMESTAMP = pa.timestamp("us", tz="UTC")
DtypeBackend = Literal["pyarrow", "numpy_nullable"]


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

#: ``GET /users``: the account's users (``user:read:admin``).
USERS = FieldMap(
    items="users",
    fields={
        "user_id": pa.string(),
        "email": pa.string(),
        "display_name": pa.string(),
        "type": pa.int64(),
        "status": pa.string(),
        "timezone": pa.string(),
    },
    renames={"id": "user_id"},
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
