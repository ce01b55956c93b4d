"""Reports as values: a :class:`ReportSpec` says what an endpoint is, a fetch returns a :class:`Report`.

For any spec (:mod:`zoom_pandas.specs`): resolve an instance (``GET /past_meetings/{id}``,
``GET /report/webinars/{id}``), fetch every page of its participants at ``page_size=300``, restart
once on an expired page token, check that the rows match ``total_records``. Meetings, a host's past
meetings and webinars are constants, not copies of this code. With a ``fallback`` (``source="auto"``)
a missing-scope refusal of the report switches to the host's source (:mod:`zoom_pandas.sources`).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pyarrow as pa

from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import built_default_client, default_client
from zoom_pandas.errors import MeetingNotFound, PermissionDenied, RateLimited, ZoomAPIError
from zoom_pandas.meeting_ids import MeetingRef, encode_uuid, path_segment
from zoom_pandas.paging import PAGE_SIZE, Page, PageTokenExpired, parse_grouped, parse_pages, read_pages
from zoom_pandas.progress import PageProgress
from zoom_pandas.ratelimit import RateLabel
from zoom_pandas.report import Instance, Report, warn_incomplete
from zoom_pandas.sources import is_missing_scope, refused, switched
from zoom_pandas.specs import MEETING_REPORT, PAST_MEETINGS, WEBINAR_REPORT, ReportSpec

__all__ = [
    "MEETING_REPORT",
    "PAST_MEETINGS",
    "WEBINAR_REPORT",
    "Fetched",
    "OnPage",
    "ReportFetcher",
    "ReportSpec",
]

#: Called with each page as it arrives (a shared progress bar's page count).
OnPage = Callable[[Page], None]

logger = logging.getLogger("zoom_pandas")


@dataclasses.dataclass(frozen=True)
class Fetched:
    """One instance's raw pages, fetched and not parsed yet (many are parsed in one read)."""

    instance: Instance
    pages: list[Page]
    path: str
    fetched_at: dt.datetime
    endpoint: str = "report"
    fallback: bool = False


@dataclasses.dataclass
class ReportFetcher:
    """Resolves and fetches one spec's reports over a client built only when first needed.

    Parameters
    ----------
    spec : ReportSpec
        Which report.
    client : ZoomClient, optional
        Default: :func:`~zoom_pandas.default_client.default_client`, looked up at the first request, so an
        offline read never builds one.
    include_registrant_id : bool
        Ask for ``registrant_id`` (``include_fields=registrant_id``).
    progress : bool, optional
        A progress bar over pages (see :class:`~zoom_pandas.progress.PageProgress`).
    fallback : ReportSpec, optional
        Read this source instead once Zoom refuses ``spec`` for a missing scope
        (``source="auto"``, see :mod:`zoom_pandas.sources`); remembered per client.
    """

    spec: ReportSpec
    client: ZoomClient | None = None
    include_registrant_id: bool = False
    progress: bool | None = None
    fallback: ReportSpec | None = None

    @property
    def connection(self) -> ZoomClient:
        """The client requests go through."""
        if self.client is None:
            self.client = default_client()
        return self.client

    def current(self) -> ReportSpec:
        """The source reads use now: ``spec``, or ``fallback`` once Zoom refused ``spec`` to the client.

        Builds no client: one not built yet has been refused nothing.
        """
        if self.fallback is None:
            return self.spec
        client = self.client if self.client is not None else built_default_client()
        return self.fallback if client is not None and refused(client, "participants") else self.spec

    def sources(self) -> list[ReportSpec]:
        """Every source this fetcher may read, in the order it tries them (offline: the cache order)."""
        return [self.spec] if self.fallback is None else [self.spec, self.fallback]

    def resolve(self, ref: MeetingRef) -> Instance:
        """The instance a number (its latest ended one) or a UUID names: one request."""
        path = self.spec.resolve_path.format(ref=path_segment(ref))
        with self._explained():
            body = self.connection.get_json(path, label=self.spec.labels["resolve"])
        return Instance.from_answer(body, f"GET {path}")

    def instances_table(self, number: int) -> pa.Table:
        """The ended instances of a number as listed (``meeting_id``, ``meeting_uuid``, ``start_time``)."""
        path = self.spec.instances_path.format(id=number)
        with self._explained():
            pages = read_pages(self.connection, path, {}, label=self.spec.labels["instances"])
        return parse_pages(pages, self.spec.instances, path, {"meeting_id": number})

    def blocked(self) -> RateLimited | None:
        """The error to report, without a request, once Zoom's daily cap of the pages' label is used up."""
        label = self.current().labels["pages"]
        until = self.connection.limiter.blocked_until(label)
        if until is None:
            return None
        message = f"not requested: Zoom's daily limit for {label} requests is used up"
        return RateLimited(429, 429, message, retry_after=until)

    @contextlib.contextmanager
    def _explained(self, spec: ReportSpec | None = None) -> Iterator[None]:
        """Add what the call needs to a refusal, and where a number may belong to a miss.

        With ``spec``, the call is that source's pages; without, a resolve or instances call.
        """
        needs = spec.needs if spec is not None else self.spec.lists_need
        try:
            yield
        except (MeetingNotFound, PermissionDenied) as exc:
            hint = self.spec.not_found if isinstance(exc, MeetingNotFound) else needs
            raise type(exc)(exc.status_code, exc.code, f"{exc.message} {hint}".strip()) from exc

    def fetch(self, instance: Instance, on_page: OnPage | None = None) -> Report:
        """Every page of one instance's participants as a :class:`Report`.

        ``on_page`` is called with each page (default: this fetcher's own progress bar).

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
        return self.reports([self.fetch_pages(instance, on_page)])[0]

    def fetch_pages(self, instance: Instance, on_page: OnPage | None = None) -> Fetched:
        """Every raw page of one instance, not parsed yet (see :meth:`reports`).

        Raises
        ------
        ZoomAPIError, PaginationError
            As :meth:`fetch`.
        """
        bar = None
        if on_page is None:
            bar = PageProgress(enabled=self.progress, description=f"{self.spec.kind} {instance.meeting_id}")
            on_page = bar.update
        try:
            spec = self.current()
            try:
                return self._fetched(spec, instance, on_page)
            except ZoomAPIError as exc:
                fallback = self.fallback
                if spec is not self.spec or fallback is None or not is_missing_scope(exc):
                    raise
                return switched(
                    self.connection, "participants", lambda: self._fetched(fallback, instance, on_page)
                )
        finally:
            if bar is not None:
                bar.close()

    def _fetched(self, spec: ReportSpec, instance: Instance, on_page: OnPage) -> Fetched:
        path = spec.pages_path.format(uuid=encode_uuid(instance.meeting_uuid))
        params: dict[str, Any] = {"page_size": PAGE_SIZE}
        if self.include_registrant_id:
            params["include_fields"] = "registrant_id"
        with self._explained(spec):
            pages = self._every_page(path, params, on_page, spec.labels["pages"])
        fetched_at = dt.datetime.now(dt.timezone.utc)
        return Fetched(instance, pages, path, fetched_at, spec.endpoint, fallback=spec is not self.spec)

    def reports(self, fetched: Sequence[Fetched]) -> list[Report]:
        """Parse fetched pages into reports; several instances' pages in one Arrow read.

        Raises
        ------
        ZoomAPIError
            For a page that is not a participants report (of one instance: it is named; of
            several: parse them one by one to tell which).

        Warns
        -----
        IncompleteReportWarning
            For each report whose rows differ from Zoom's ``total_records``.
        """
        if len(fetched) == 1:
            one = fetched[0]
            tables = [parse_pages(one.pages, self.spec.fields, one.path, self._stamp(one.instance))]
        else:
            stamps = [self._stamp(f.instance) for f in fetched]
            tables = parse_grouped([f.pages for f in fetched], self.spec.fields, stamps)
        reports = []
        for one, table in zip(fetched, tables, strict=True):
            report = Report(
                table=table,
                instance=one.instance,
                total_records=one.pages[0].total_records,
                fetched_at=one.fetched_at,
                include_registrant_id=self.include_registrant_id,
                endpoint=one.endpoint,
                fallback=one.fallback,
            )
            if not report.complete:
                warn_incomplete(
                    one.instance.meeting_uuid, report.total_records, table.num_rows, kind=self.spec.kind
                )
            reports.append(report)
        return reports

    def _every_page(self, path: str, params: dict[str, Any], on_page: OnPage, label: RateLabel) -> list[Page]:
        """Read every page; an expired page token restarts from the first page once (no duplicates)."""
        try:
            return read_pages(self.connection, path, params, label=label, on_page=on_page)
        except PageTokenExpired as expired:
            logger.info("page token expired on GET %s; restarting from the first page", path)
            try:
                return read_pages(self.connection, path, params, label=label, on_page=on_page)
            except PageTokenExpired as again:
                raise again.error from expired.error

    @staticmethod
    def _stamp(instance: Instance) -> dict[str, Any]:
        """The columns every row of the instance's table carries."""
        return {"meeting_id": instance.meeting_id, "meeting_uuid": instance.meeting_uuid}
