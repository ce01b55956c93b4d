"""A report as a value: one instance's participant rows (an Arrow table) and what is known about it.

Fetches (:mod:`zoom_pandas.reports`) and the cache (:mod:`zoom_pandas.cache`) both give
:class:`Report` values; :func:`frame_of` turns any number of them into one frame.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from zoom_pandas.errors import IncompleteReportWarning, ZoomAPIError, ZoomPandasWarning, warn
from zoom_pandas.meeting_ids import is_uuid
from zoom_pandas.schema import DtypeBackend, FieldMap, to_frame

__all__ = ["Instance", "Report", "frame_of", "instance_attrs", "is_provisional", "parse_time"]

#: A report fetched sooner than this after the meeting ended may still grow (Zoom: up to 30 min).
SETTLING_TIME = dt.timedelta(hours=1)
#: Zoom ends every meeting after 30 hours: an instance whose end is not known (a frame from
#: read_instances) has surely ended and settled this long after its start.
LONGEST_MEETING = dt.timedelta(hours=30)


def parse_time(value: object) -> dt.datetime | None:
    """An ISO-8601 time (``Z`` or an offset) as an aware datetime (None when absent or unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.replace(tzinfo=dt.timezone.utc) if moment.tzinfo is None else moment


def _iso(moment: dt.datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


@dataclasses.dataclass(frozen=True)
class Instance:
    """One held instance of a meeting or webinar number."""

    meeting_id: int
    meeting_uuid: str
    topic: str | None = None
    start_time: dt.datetime | None = None
    end_time: dt.datetime | None = None

    @classmethod
    def from_answer(cls, body: Mapping[str, Any], what: str) -> Instance:
        """Read a resolve answer; a missing or mistyped id or uuid is a ZoomAPIError, not a guess."""
        number, uuid = body.get("id"), body.get("uuid")
        if (
            type(number) is not int
            or not 0 < number < 2**63
            or not isinstance(uuid, str)
            or not is_uuid(uuid)
        ):
            raise ZoomAPIError(200, None, f"{what}: the answer has no usable id and uuid")
        topic = body.get("topic")
        return cls(
            meeting_id=number,
            meeting_uuid=uuid,
            topic=topic if isinstance(topic, str) else None,
            start_time=parse_time(body.get("start_time")),
            end_time=parse_time(body.get("end_time")),
        )


def instance_attrs(
    instance: Instance,
    total_records: int | None,
    fetched_at: dt.datetime | None,
    source: str,
    endpoint: str = "report",
) -> dict[str, Any]:
    """One ``attrs["meetings"]`` entry: JSON-serialisable, as ``DataFrame.to_parquet`` needs.

    ``endpoint`` says which of Zoom's sources the rows come from: ``"report"`` (the participant
    report), ``"past_meetings"`` (a host's own past-meeting participants) or ``"csv"`` (a
    web-portal export).
    """
    return {
        "meeting_id": instance.meeting_id,
        "meeting_uuid": instance.meeting_uuid,
        "topic": instance.topic,
        "start_time": _iso(instance.start_time),
        "end_time": _iso(instance.end_time),
        "total_records": total_records,
        "fetched_at": _iso(fetched_at),
        "source": source,
        "endpoint": endpoint,
    }


def is_provisional(instance: Instance, fetched_at: dt.datetime) -> bool:
    """True when fetched less than an hour after the instance ended (Zoom may still add rows).

    Without an end time, an instance counts as settled once its start is more than 31 hours back
    (Zoom's longest meeting plus the hour); without either time it never does.
    """
    if instance.end_time is not None:
        return fetched_at - instance.end_time < SETTLING_TIME
    if instance.start_time is not None:
        return fetched_at - instance.start_time < LONGEST_MEETING + SETTLING_TIME
    return True


@dataclasses.dataclass(frozen=True)
class Report:
    """One instance's participant rows: an Arrow table and what is known about it.

    Attributes
    ----------
    table : pyarrow.Table
        Typed rows in API order (``meeting_id`` and ``meeting_uuid`` first).
    instance : Instance
        Meeting id, uuid, topic, start and end time.
    total_records : int or None
        How many rows Zoom announced.
    fetched_at : datetime.datetime
        When the rows were fetched (UTC).
    source : {"api", "cache"}
        Where these rows came from now.
    include_registrant_id : bool
        Whether ``registrant_id`` was asked for.
    endpoint : {"report", "past_meetings"}
        Which of Zoom's sources gave the rows (the past-meetings source lacks ``customer_key``,
        ``bo_mtg_id`` and ``participant_user_id``).
    fallback : bool
        Read from the past-meetings source because Zoom refused the report (``source="auto"``):
        a later ``"auto"`` read may use these cached rows in place of the report.
    """

    table: pa.Table
    instance: Instance
    total_records: int | None
    fetched_at: dt.datetime
    source: Literal["api", "cache"] = "api"
    include_registrant_id: bool = False
    endpoint: str = "report"
    fallback: bool = False

    @property
    def complete(self) -> bool:
        """False when the rows differ from the announced ``total_records``."""
        return self.total_records is None or self.total_records == self.table.num_rows

    @property
    def provisional(self) -> bool:
        """True when fetched less than an hour after the meeting ended (Zoom may still add rows)."""
        return is_provisional(self.instance, self.fetched_at)

    def attrs(self) -> dict[str, Any]:
        """The frame's ``attrs`` entry for this instance (JSON-serialisable, as ``to_parquet`` needs)."""
        return instance_attrs(self.instance, self.total_records, self.fetched_at, self.source, self.endpoint)

    def without_registrant_id(self) -> Report:
        """The same rows as a fetch without ``include_registrant_id`` gives them (registrant_id NA)."""
        if not self.include_registrant_id or "registrant_id" not in self.table.column_names:
            return self
        where = self.table.column_names.index("registrant_id")
        blank = pa.nulls(self.table.num_rows, self.table.schema.field(where).type)
        table = self.table.set_column(where, self.table.schema.field(where), blank)
        return dataclasses.replace(self, table=table, include_registrant_id=False)


def frame_of(reports: Sequence[Report], fields: FieldMap, dtype_backend: DtypeBackend) -> pd.DataFrame:
    """One frame of several reports: one Arrow concatenation, one conversion, ``attrs["meetings"]``.

    With exactly one instance its ``attrs`` keys also sit at the top level.
    """
    tables = [report.table for report in reports] or [fields.empty_table()]
    table = _concatenated(tables, fields) if len(tables) > 1 else tables[0]
    meetings = [report.attrs() for report in reports]
    attrs: dict[str, Any] = {"meetings": meetings}
    if len(meetings) == 1:
        attrs.update(meetings[0])
    return to_frame(table, attrs, dtype_backend)


def _concatenated(tables: Sequence[pa.Table], fields: FieldMap) -> pa.Table:
    """One table of several instances' tables; a field Zoom added with another type in each is read as text.

    A field that cannot be read as text (a struct in one instance, a number in another) is left
    out, with a warning naming it; the known fields always have their one type.
    """
    try:
        return pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    kinds: dict[str, set[pa.DataType]] = {}
    for table in tables:
        for field in table.schema:
            if field.name not in fields.fields:
                kinds.setdefault(field.name, set()).add(field.type)
    clashing = sorted(name for name, types in kinds.items() if len(types) > 1)
    as_text: list[str] = []
    left_out: list[str] = []
    for name in clashing:
        try:
            cast = [_as_text(table, name) for table in tables]
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            tables = [table.drop_columns([name]) if name in table.column_names else table for table in tables]
            left_out.append(name)
        else:
            tables = cast
            as_text.append(name)
    try:
        table = pa.concat_tables(tables, promote_options="permissive")
    except (pa.ArrowTypeError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
        added = [name for name in kinds if name not in left_out]
        tables = [table.drop_columns([n for n in added if n in table.column_names]) for table in tables]
        table, left_out = pa.concat_tables(tables, promote_options="permissive"), left_out + added
    warn(
        f"fields Zoom added hold different types in different instances: {as_text} read as text"
        + (f", {left_out} left out of the frame (each instance's own read has them)" if left_out else ""),
        ZoomPandasWarning,
    )
    return table


def _as_text(table: pa.Table, name: str) -> pa.Table:
    if name not in table.column_names:
        return table
    where = table.column_names.index(name)
    return table.set_column(where, pa.field(name, pa.string()), pc.cast(table.column(name), pa.string()))


def warn_incomplete(
    meeting_uuid: str, total_records: int | None, rows: int, *, kind: str = "meeting", cached: bool = False
) -> None:
    """Warn that a report's rows differ from Zoom's ``total_records`` (again on every cached read)."""
    when = " when it was cached" if cached else ""
    warn(
        f"{kind} {meeting_uuid}: Zoom announced {total_records} records but returned {rows}{when}; "
        "the report may be incomplete (Zoom completes reports up to 30 minutes after a meeting ends"
        + ("; an online read fetches it again)" if cached else ")"),
        IncompleteReportWarning,
    )
