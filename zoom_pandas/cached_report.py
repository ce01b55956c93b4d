"""One cached instance's file: its metadata checked against its folder, and its rows as a Report.

A cache folder may hold files from older versions, other tools or a damaged disk: everything read
here is checked, and any problem raises one of :data:`READ_ERRORS` so that callers can skip the
file with a warning instead of failing every read.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from zoom_pandas.report import Instance, Report, instance_attrs, is_provisional, parse_time

__all__ = ["METADATA_KEY", "PARTITION", "READ_ERRORS", "CachedReport"]

METADATA_KEY = b"zoom_pandas"
#: What reading a damaged or foreign cache file can raise.
READ_ERRORS = (OSError, ValueError, KeyError, TypeError, pa.ArrowException)
#: The partition column, taken from the folder name (``meeting_id=<number>``).
PARTITION = "meeting_id"


def _required_time(value: object) -> dt.datetime:
    moment = parse_time(value)
    if moment is None:
        raise ValueError(f"not an ISO-8601 time: {value!r}")
    return moment


@dataclasses.dataclass(frozen=True)
class CachedReport:
    """One cached instance: where its file is and what its metadata says (no open file handle)."""

    path: Path
    instance: Instance
    total_records: int | None
    fetched_at: dt.datetime
    include_registrant_id: bool
    rows: int
    schema_version: int
    schema: pa.Schema = dataclasses.field(repr=False, compare=False)
    endpoint: str = "report"
    fallback: bool = False

    @classmethod
    def from_file(cls, path: Path) -> CachedReport:
        """Read a file's metadata (raises one of ``READ_ERRORS`` for a damaged or foreign file)."""
        return cls._from_schema(path, pq.read_schema(path))

    @classmethod
    def _from_schema(cls, path: Path, schema: pa.Schema) -> CachedReport:
        raw = (schema.metadata or {}).get(METADATA_KEY)
        if raw is None:
            raise ValueError(f"{path.name} has no zoom_pandas metadata")
        meta = json.loads(raw)
        if not isinstance(meta, dict):
            raise ValueError(f"{path.name}: its zoom_pandas metadata is not an object")
        total = meta.get("total_records")
        number = meta.get("meeting_id")
        if type(number) is not int or not 0 < number < 2**63 or path.parent.name != f"{PARTITION}={number}":
            raise ValueError(f"{path.name}: its meeting_id does not match its folder {path.parent.name}")
        if PARTITION in schema.names:
            raise ValueError(f"{path.name} holds a {PARTITION!r} column of its own")
        if total is not None and (type(total) is not int or not 0 <= total < 2**63):
            raise ValueError(f"{path.name}: total_records {total!r} is not a count")
        return cls(
            path=path,
            instance=Instance(
                meeting_id=number,
                meeting_uuid=str(meta["meeting_uuid"]),
                topic=meta.get("topic") if isinstance(meta.get("topic"), str) else None,
                start_time=parse_time(meta.get("start_time")),
                end_time=parse_time(meta.get("end_time")),
            ),
            total_records=int(total) if total is not None else None,
            fetched_at=_required_time(meta.get("fetched_at")),
            include_registrant_id=bool(meta.get("include_registrant_id")),
            rows=int(meta.get("rows", 0)),
            schema_version=int(meta.get("schema_version", 1)),
            schema=schema.remove_metadata(),
            endpoint=str(meta.get("endpoint") or "report"),
            fallback=meta.get("fallback") is True,
        )

    @property
    def complete(self) -> bool:
        """False when the cached rows differ from the announced ``total_records``."""
        return self.total_records is None or self.total_records == self.rows

    @property
    def provisional(self) -> bool:
        """True when cached less than an hour after the instance ended (Zoom may still add rows)."""
        return is_provisional(self.instance, self.fetched_at)

    @property
    def meeting_id(self) -> int:
        """The meeting (or webinar) number."""
        return self.instance.meeting_id

    @property
    def meeting_uuid(self) -> str:
        """The instance UUID."""
        return self.instance.meeting_uuid

    @classmethod
    def load(cls, path: Path) -> tuple[CachedReport, Report]:
        """Metadata and rows of a file in one read (raises one of ``READ_ERRORS`` when damaged)."""
        table = pq.read_table(path, memory_map=True)
        cached = cls._from_schema(path, table.schema)
        return cached, cached._report(table)

    def attrs(self) -> dict[str, Any]:
        """The frame's ``attrs`` entry for this instance, as :meth:`Report.attrs` gives it."""
        return instance_attrs(self.instance, self.total_records, self.fetched_at, "cache", self.endpoint)

    def _report(self, table: pa.Table) -> Report:
        table = table.replace_schema_metadata(None)
        if PARTITION in table.column_names:
            raise ValueError(f"{self.path.name} holds a {PARTITION!r} column of its own")
        number = pa.repeat(pa.scalar(self.meeting_id, pa.int64()), table.num_rows)
        report = Report(
            table=table.add_column(0, PARTITION, number),
            instance=self.instance,
            total_records=self.total_records,
            fetched_at=self.fetched_at,
            source="cache",
            include_registrant_id=self.include_registrant_id,
            endpoint=self.endpoint,
            fallback=self.fallback,
        )
        if report.table.num_rows != self.rows:
            raise ValueError(f"{self.path.name} holds {report.table.num_rows} rows, its metadata {self.rows}")
        return report
