"""Reports as values: a :class:`ReportSpec` says what an endpoint is, a fetch returns a :class:`Report`.

For any spec: resolve an instance (``GET /past_meetings/{id}``, ``GET /report/webinars/{id}``),
fetch every page of its participants at ``page_size=300``, restart once on an expired page token,
check that the rows match ``total_records``. Meetings and webinars are two constants, not two
copies of this code.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import pandas as pd
import pyarrow as pa

from zoom_pandas.client import RateLabel, ZoomClient, default_client
from zoom_pandas.errors import IncompleteReportWarning, MeetingNotFound, ZoomAPIError, user_stacklevel
from zoom_pandas.meeting_ids import MeetingRef, encode_uuid, path_segment
from zoom_pandas.paging import PAGE_SIZE, Page, PageTokenExpired, read_pages
from zoom_pandas.progress import PageProgress
from zoom_pandas.schema import (
    INSTANCES,
    PARTICIPANTS,
    WEBINAR_INSTANCES,
    WEBINAR_PARTICIPANTS,
    DtypeBackend,
    FieldMap,
    pages_table,
    to_frame,
)

__all__ = [
    "MEETING_REPORT",
    "WEBINAR_REPORT",
    "Instance",
    "Report",
    "ReportFetcher",
    "ReportSpec",
    "frame_of",
]

logger = logging.getLogger("zoom_pandas")

#: A report fetched sooner than this after the meeting ended may still grow (Zoom: up to 30 min).
SETTLING_TIME = dt.timedelta(hours=1)


@dataclasses.dataclass(frozen=True)
class ReportSpec:
    """What one participants report endpoint is: paths, fields, rate-limit labels, cache dataset.

    Parameters
    ----------
    kind : str
        What users call the thing the report is about ("meeting", "webinar").
    resolve_path : str
        Template with ``{ref}`` (a number, or an encoded UUID): the instance's id, uuid, topic, times.
    instances_path : str
        Template with ``{id}``: the ended instances of a number.
    pages_path : str
        Template with ``{uuid}`` (encoded): the participant pages of one instance.
    fields : FieldMap
        The participant rows.
    instances : FieldMap
        The rows of the instances listing.
    labels : mapping
        Zoom's rate-limit label of the ``"resolve"``, ``"instances"`` and ``"pages"`` calls.
    dataset : str
        The cache dataset (folder) this report's rows live in.
    not_found : str
        Added to a "not found" answer: where the number may belong instead.
    """

    kind: str
    resolve_path: str
    instances_path: str
    pages_path: str
    fields: FieldMap
    instances: FieldMap
    labels: Mapping[Literal["resolve", "instances", "pages"], RateLabel]
    dataset: str
    not_found: str = ""


MEETING_REPORT = ReportSpec(
    kind="meeting",
    resolve_path="/past_meetings/{ref}",
    instances_path="/past_meetings/{id}/instances",
    pages_path="/report/meetings/{uuid}/participants",
    fields=PARTICIPANTS,
    instances=INSTANCES,
    labels={"resolve": "Light", "instances": "Medium", "pages": "Heavy"},
    dataset="participants",
    not_found="A webinar? Use read_webinar_participants (zoom-pandas webinar).",
)

WEBINAR_REPORT = ReportSpec(
    kind="webinar",
    resolve_path="/report/webinars/{ref}",
    instances_path="/past_webinars/{id}/instances",
    pages_path="/report/webinars/{uuid}/participants",
    fields=WEBINAR_PARTICIPANTS,
    instances=WEBINAR_INSTANCES,
    labels={"resolve": "Heavy", "instances": "Medium", "pages": "Heavy"},
    dataset="webinar_participants",
    not_found="A meeting? Use read_participants (zoom-pandas participants).",
)


def _time(value: object) -> dt.datetime | None:
    """An ISO-8601 answer field as an aware UTC datetime (None when absent or unreadable)."""
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
        if type(number) is not int or number <= 0 or not isinstance(uuid, str) or not uuid:
            raise ZoomAPIError(200, None, f"{what}: the answer has no usable id and uuid")
        topic = body.get("topic")
        return cls(
            meeting_id=number,
            meeting_uuid=uuid,
            topic=topic if isinstance(topic, str) else None,
            start_time=_time(body.get("start_time")),
            end_time=_time(body.get("end_time")),
        )


def is_provisional(instance: Instance, fetched_at: dt.datetime) -> bool:
    """True when fetched less than an hour after the instance ended (Zoom may still add rows)."""
    return instance.end_time is None or fetched_at - instance.end_time < SETTLING_TIME


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
    """

    table: pa.Table
    instance: Instance
    total_records: int | None
    fetched_at: dt.datetime
    source: Literal["api", "cache"] = "api"
    include_registrant_id: bool = False

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
        return {
            "meeting_id": self.instance.meeting_id,
            "meeting_uuid": self.instance.meeting_uuid,
            "topic": self.instance.topic,
            "start_time": _iso(self.instance.start_time),
            "end_time": _iso(self.instance.end_time),
            "total_records": self.total_records,
            "fetched_at": self.fetched_at.isoformat(),
            "source": self.source,
        }


def frame_of(reports: Sequence[Report], fields: FieldMap, dtype_backend: DtypeBackend) -> pd.DataFrame:
    """One frame of several reports: one Arrow concatenation, one conversion, ``attrs["meetings"]``.

    With exactly one instance its ``attrs`` keys also sit at the top level.
    """
    tables = [report.table for report in reports] or [fields.empty_table()]
    table = pa.concat_tables(tables, promote_options="permissive") if len(tables) > 1 else tables[0]
    meetings = [report.attrs() for report in reports]
    attrs: dict[str, Any] = {"meetings": meetings}
    if len(meetings) == 1:
        attrs.update(meetings[0])
    return to_frame(table, attrs, dtype_backend)


@dataclasses.dataclass
class ReportFetcher:
    """Resolves and fetches one spec's reports over a client built only when first needed.

    Parameters
    ----------
    spec : ReportSpec
        Which report.
    client : ZoomClient, optional
        Default: :func:`~zoom_pandas.client.default_client`, looked up at the first request, so an
        offline read never builds one.
    include_registrant_id : bool
        Ask for ``registrant_id`` (``include_fields=registrant_id``).
    progress : bool, optional
        A progress bar over pages (see :class:`~zoom_pandas.progress.PageProgress`).
    """

    spec: ReportSpec
    client: ZoomClient | None = None
    include_registrant_id: bool = False
    progress: bool | None = None

    @property
    def connection(self) -> ZoomClient:
        """The client requests go through."""
        if self.client is None:
            self.client = default_client()
        return self.client

    def resolve(self, ref: MeetingRef) -> Instance:
        """The instance a number (its latest ended one) or a UUID names: one request."""
        path = self.spec.resolve_path.format(ref=path_segment(ref))
        try:
            body = self.connection.get_json(path, label=self.spec.labels["resolve"])
        except MeetingNotFound as exc:
            hint = f"{exc.message} {self.spec.not_found}".strip()
            raise MeetingNotFound(exc.status_code, exc.code, hint) from exc
        return Instance.from_answer(body, f"GET {path}")

    def fetch(self, instance: Instance) -> Report:
        """Every page of one instance's participants as a :class:`Report`.

        Raises
        ------
        ZoomAPIError
            For refusals, and for a 200 answer that is not a participants report.
        PaginationError
            When Zoom repeats a page token or sends more pages than ``total_records`` allows.

        Warns
        -----
        IncompleteReportWarning
            When the rows differ from Zoom's ``total_records``.
        """
        path = self.spec.pages_path.format(uuid=encode_uuid(instance.meeting_uuid))
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        if self.include_registrant_id:
            params["include_fields"] = "registrant_id"
        bar = PageProgress(enabled=self.progress, description=f"{self.spec.kind} {instance.meeting_id}")
        try:
            pages = self._every_page(path, params, bar.update)
        finally:
            bar.close()
        report = Report(
            table=self._table(pages, instance, path),
            instance=instance,
            total_records=pages[0].total_records if pages else None,
            fetched_at=dt.datetime.now(dt.timezone.utc),
            include_registrant_id=self.include_registrant_id,
        )
        if not report.complete:
            warnings.warn(
                f"{self.spec.kind} {instance.meeting_uuid}: Zoom announced {report.total_records} records "
                f"but returned {report.table.num_rows}; the report may be incomplete (Zoom completes "
                "reports up to 30 minutes after a meeting ends)",
                IncompleteReportWarning,
                stacklevel=user_stacklevel(),
            )
        return report

    def _every_page(self, path: str, params: dict[str, Any], on_page: Callable[[Page], None]) -> list[Page]:
        """Read every page; an expired page token restarts from the first page once (no duplicates)."""
        label = self.spec.labels["pages"]
        try:
            return read_pages(self.connection, path, params, label=label, on_page=on_page)
        except PageTokenExpired as expired:
            logger.info("page token expired on GET %s; restarting from the first page", path)
            try:
                return read_pages(self.connection, path, params, label=label, on_page=on_page)
            except PageTokenExpired as again:
                raise again.error from expired.error

    def _table(self, pages: list[Page], instance: Instance, path: str) -> pa.Table:
        """Parse the pages together; the tokens read while paging must match the full parse."""
        stamp = {"meeting_id": instance.meeting_id, "meeting_uuid": instance.meeting_uuid}
        try:
            table, tokens = pages_table([page.body for page in pages], self.spec.fields, stamp)
        except ValueError as exc:
            raise ZoomAPIError(200, None, f"GET {path}: malformed participants report: {exc}") from exc
        if tokens != [page.next_page_token for page in pages]:
            raise ZoomAPIError(200, None, f"GET {path}: page tokens disagree with the parsed pages")
        return table
