"""The export's day files: what a day file holds, and writing one atomically.

A day file is ``DATASET/date=YYYY-MM-DD/part-0.parquet``: every file of a dataset has the same
columns and types, and its Parquet metadata (``zoom_pandas_export``) lists the instances it holds
complete and settled, which is what makes an export resumable.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from zoom_pandas.files import make_private_dirs, temp_files, write_atomically
from zoom_pandas.report import Report
from zoom_pandas.reports import ReportSpec

__all__ = ["FILE_NAME", "LOCK_NAME", "METADATA_KEY", "done_in", "write_listing", "write_participants"]

#: The lock an export holds on its folder while it writes (hidden, so dataset readers skip it).
LOCK_NAME = ".zoom-pandas-export.lock"
#: The key of the Parquet metadata that lists the instances a day file holds complete.
METADATA_KEY = b"zoom_pandas_export"
FILE_NAME = "part-0.parquet"


def done_in(path: Path) -> set[str]:
    """The instances a day file holds complete and settled (none when it is missing or unreadable)."""
    try:
        return _day_file(path)[1]
    except _UNREADABLE:
        return set()


_UNREADABLE = (OSError, ValueError, pa.ArrowException, AttributeError)


def _day_file(path: Path, rows: bool = False) -> tuple[pa.Table | None, set[str]]:
    """A day file's rows (when asked) and the instances it lists as done."""
    if rows:
        table = pq.read_table(path)
        schema = table.schema
    else:
        table, schema = None, pq.read_schema(path)
    listed = json.loads((schema.metadata or {}).get(METADATA_KEY, b"{}")).get("instances", [])
    return table, {uuid for uuid in listed if isinstance(uuid, str)}


def write_participants(day: Path, spec: ReportSpec, reports: list[Report]) -> int:
    """Write one day's file: the rows it held for instances not read again, then the new reports.

    Rows a previous run exported are never dropped (another user's meetings of that day, or an
    instance that fails this time); an instance read again replaces its old rows. Returns the
    rows of the new reports.
    """
    schema = spec.fields.empty_table().schema
    target = day / FILE_NAME
    kept, kept_done = schema.empty_table(), set()
    if target.exists():
        try:
            old, old_done = _day_file(target, rows=True)
        except _UNREADABLE:
            old, old_done = None, set()  # unreadable: its instances were all read again
        if old is not None:
            fresh = pa.array([r.instance.meeting_uuid for r in reports], pa.string())
            keep = pc.invert(pc.is_in(old.column("meeting_uuid"), value_set=fresh))
            kept = _conformed(old.filter(keep), schema)
            kept_done = old_done - {r.instance.meeting_uuid for r in reports}
    new = [_conformed(report.table, schema) for report in reports]
    table = pa.concat_tables([kept, *new])
    done = sorted(kept_done) + [r.instance.meeting_uuid for r in reports if r.complete and not r.provisional]
    _write_file(day, table, {"instances": done})
    return sum(t.num_rows for t in new)


def _conformed(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The documented columns in their order and types (every file of the dataset alike)."""
    columns = [
        table.column(field.name).cast(field.type)
        if field.name in table.column_names
        else pa.nulls(table.num_rows, field.type)
        for field in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)


def write_listing(dataset: Path, listing: pd.DataFrame) -> None:
    """The listing, one file per UTC start day; rows an earlier run listed (another user's) are kept."""
    table = pa.Table.from_pandas(listing, preserve_index=False).replace_schema_metadata(None)
    days = pd.to_datetime(listing["start_time"], utc=True).dt.strftime("%Y-%m-%d").fillna("unknown")
    for day in sorted(set(days)):
        fresh = table.filter(pa.array((days == day).to_numpy(dtype=bool)))
        target = dataset / f"date={day}" / FILE_NAME
        try:
            old = pq.read_table(target) if target.exists() else None
        except _UNREADABLE:
            old = None
        if old is not None and "meeting_uuid" in old.column_names:
            listed_now = fresh.column("meeting_uuid").drop_null()
            keep = pc.and_(
                pc.is_valid(old.column("meeting_uuid")),
                pc.invert(pc.is_in(old.column("meeting_uuid"), listed_now)),
            )
            with contextlib.suppress(pa.ArrowTypeError, pa.ArrowInvalid):  # else this listing replaces it
                fresh = pa.concat_tables(
                    [old.filter(keep).replace_schema_metadata(None), fresh], promote_options="permissive"
                )
        _write_file(dataset / f"date={day}", fresh, None)


def _write_file(day: Path, table: pa.Table, meta: dict[str, Any] | None) -> None:
    """Write a day's file atomically; temp files of killed writers go first.

    The whole export holds the folder's lock (:data:`LOCK_NAME`), so no other export writes here.
    """
    make_private_dirs(day)
    for temp in temp_files(day):  # a killed export's: no one else writes here while we hold the lock
        temp.unlink(missing_ok=True)
    if meta is not None:
        table = table.replace_schema_metadata({METADATA_KEY: json.dumps(meta)})
    write_atomically(day / FILE_NAME, lambda handle: pq.write_table(table, handle, compression="zstd"))
