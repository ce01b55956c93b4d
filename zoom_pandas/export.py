"""Account-wide export: every instance of a date range into a Hive-partitioned Parquet dataset, resumable.

Layout (a file per day, not per meeting: Spark and Dask suffer from thousands of tiny files)::

    OUT/participants/date=YYYY-MM-DD/part-0.parquet          one file per UTC day of meeting start
    OUT/webinar_participants/date=YYYY-MM-DD/part-0.parquet  with webinars=True
    OUT/meetings/date=YYYY-MM-DD/part-0.parquet              the listing those came from

Each participants file records in its Parquet metadata which instances it holds complete and
settled; a rerun reads only the days with an instance missing (through the cache, so instances
already fetched cost no request) and rewrites those days. Files are written atomically, so a
killed export leaves whole files only.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import filelock
import pandas as pd

from zoom_pandas.cache_policy import CachePolicy
from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import default_client
from zoom_pandas.errors import PartialReadWarning, ZoomPandasError, failure_lines, warn
from zoom_pandas.export_files import FILE_NAME, LOCK_NAME, done_in, write_listing, write_participants
from zoom_pandas.files import make_private_dirs
from zoom_pandas.many import read_many
from zoom_pandas.meetings import listing_range, meetings_table
from zoom_pandas.ratelimit import RateLimit
from zoom_pandas.refs import WEBINAR_TYPES, Wanted, wanted_of
from zoom_pandas.reports import MEETING_REPORT, WEBINAR_REPORT, ReportFetcher, ReportSpec
from zoom_pandas.schema import to_frame

__all__ = ["ExportSummary", "export"]

#: Instances read per round: bounds memory on a large account (a round's rows are held at once).
ROUND = 500


@dataclasses.dataclass
class ExportSummary:
    """What an export did.

    Attributes
    ----------
    out : pathlib.Path
        The dataset folder.
    instances : int
        Instances the listing named in the range (of the kinds exported).
    read : int
        Instances read by this run (from Zoom, or from the cache when fetched before).
    already : int
        Instances a previous run had exported; not read again.
    rows : int
        Participant rows written by this run.
    days : int
        Day files written by this run.
    failures : dict
        ``{ref: exception}`` for every instance that could not be read; its day holds the rest,
        and a rerun tries it again.
    """

    out: Path
    instances: int = 0
    read: int = 0
    already: int = 0
    rows: int = 0
    days: int = 0
    failures: dict[int | str, ZoomPandasError] = dataclasses.field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when every instance in the range was exported."""
        return not self.failures

    def __str__(self) -> str:
        lines = [
            f"exported {self.read:,} instances ({self.rows:,} rows, {self.days} day files) to {self.out}; "
            f"{self.already:,} were already there; {self.instances:,} in the range; "
            f"{len(self.failures)} failed"
        ]
        lines += [f"  failed: {line}" for line in failure_lines(self.failures)]
        return "\n".join(lines)


def export(
    out: str | os.PathLike[str],
    *,
    start: dt.date | str,
    end: dt.date | str,
    user: str = "me",
    webinars: bool = False,
    rate_limit: RateLimit = None,
    client: ZoomClient | None = None,
    progress: bool | None = None,
) -> ExportSummary:
    """Export every meeting instance of a date range to a Hive-partitioned Parquet dataset.

    Parameters
    ----------
    out : path-like
        The dataset folder (created with mode 0700; files are 0600, as the cache's).
    start, end : date or "YYYY-MM-DD"
        Whole UTC days, inclusive, within Zoom's six-month reach.
    user : str, default "me"
        Whose meetings: a user id, an email, ``"me"``, or ``"all"`` (every active user).
    webinars : bool, default False
        Also export webinars, to ``OUT/webinar_participants/``.
    rate_limit : {"free", "pro", "business"} or float, optional
        Pace requests per Zoom label (see :class:`ZoomClient`); for the default client only
        (a client passed in keeps its own).
    client : ZoomClient, optional
        Default: the signed-in client, else one from ``ZOOM_*``.
    progress : bool, optional
        A progress bar over instances (default: in interactive sessions).

    Returns
    -------
    ExportSummary
        Counts and failures. Instances that failed are left out (their days hold the rest) and
        named in ``failures``; a rerun fetches only what is missing.

    Raises
    ------
    ValueError
        For a malformed date range, or both ``rate_limit`` and ``client`` (before any request).
    ZoomAPIError
        When the listing itself fails (nothing is written then).

    Warns
    -----
    PartialReadWarning
        When some instances failed.

    Examples
    --------
    >>> summary = zp.export("term", start="2026-09-01", end="2026-11-30", rate_limit="pro")  # doctest: +SKIP
    >>> import duckdb                                                                      # doctest: +SKIP
    >>> duckdb.sql("select count(*) from 'term/participants/*/*.parquet'")                  # doctest: +SKIP
    """
    if rate_limit is not None and client is not None:
        raise ValueError("pass rate_limit to the ZoomClient you give (ZoomClient(rate_limit=...))")
    folder = Path(out)
    if folder.exists() and not folder.is_dir():  # before any request, which counts against the limits
        raise ValueError(f"{folder} is a file; export writes a folder")
    if rate_limit is not None:
        client = _paced(default_client(), rate_limit)
    client = client or default_client()
    first, last = listing_range(start, end)
    table, unlisted = meetings_table(user, first, last, client)
    listing = to_frame(table)
    is_webinar = listing["type"].isin(list(WEBINAR_TYPES)).fillna(False).astype(bool)
    summary = ExportSummary(out=folder)
    summary.failures.update(unlisted)  # users whose meetings could not be listed (user="all")
    make_private_dirs(folder)
    try:
        lock = filelock.FileLock(str(folder / LOCK_NAME), mode=0o600, timeout=0)
        lock.acquire()
    except filelock.Timeout:
        raise ValueError(
            f"another export is writing to {folder}; run one export per folder at a time"
        ) from None
    try:
        write_listing(folder / "meetings", listing)
        kinds = [(MEETING_REPORT, listing[~is_webinar])] + (
            [(WEBINAR_REPORT, listing[is_webinar])] if webinars else []
        )
        for spec, rows in kinds:
            _export_kind(folder, spec, rows, client, progress, summary)
    finally:
        lock.release()
    if summary.failures:
        warn(str(summary), PartialReadWarning)
    return summary


def _paced(base: ZoomClient, rate_limit: RateLimit) -> ZoomClient:
    """A client like ``base`` (its session and sign-in) with its own rate limiter."""
    return ZoomClient(
        api_url=base.api_url,
        oauth_url=base.config.oauth_url,
        auth=base.auth,
        session=base.session,
        timeout=base.timeout,
        retry=base.retry,
        rate_limit=rate_limit,
    )


def _export_kind(
    folder: Path,
    spec: ReportSpec,
    listing: pd.DataFrame,
    client: ZoomClient,
    progress: bool | None,
    summary: ExportSummary,
) -> None:
    """Read the instances a day file lacks and rewrite those days, keeping the rows they hold."""
    dataset = folder / spec.dataset
    make_private_dirs(dataset)
    days = _day_of(listing)
    wanted = wanted_of(listing, webinar=spec is WEBINAR_REPORT) or []
    summary.instances += len(wanted)
    todo: list[tuple[str, Wanted]] = []
    for day, group in _by_day(days, wanted).items():
        done = done_in(dataset / f"date={day}" / FILE_NAME)
        missing = [w for w in group if w.problem is not None or w.ref not in done]
        summary.already += len(group) - len(missing)
        todo += [(day, w) for w in missing]
    policy = CachePolicy.for_mode(True, spec, client)
    fetcher = ReportFetcher(spec, client)
    for chunk in _rounds(todo):
        wanted_now = [w for _, w in chunk]
        outcome = read_many(
            wanted_now, every_instance=False, policy=policy, fetcher=fetcher, progress=progress
        )
        summary.failures.update(outcome.failures)
        summary.read += len(outcome.reports)
        by_uuid = {report.instance.meeting_uuid: report for report in outcome.reports}
        for day, group in _by_day({w.ref: d for d, w in chunk}, wanted_now).items():
            reports = [by_uuid[str(w.ref)] for w in group if str(w.ref) in by_uuid]
            summary.rows += write_participants(dataset / f"date={day}", spec, reports)
            summary.days += 1


def _day_of(listing: pd.DataFrame) -> dict[Any, str]:
    """Each listed instance's UTC start day (``YYYY-MM-DD``), by UUID (or number, without one)."""
    keys = (
        listing["meeting_uuid"].astype(object).where(listing["meeting_uuid"].notna(), listing["meeting_id"])
    )
    days = pd.to_datetime(listing["start_time"], utc=True).dt.strftime("%Y-%m-%d")
    return dict(zip(keys.tolist(), days.fillna("unknown").tolist(), strict=True))


def _by_day(days: dict[Any, str], wanted: Iterable[Wanted]) -> dict[str, list[Wanted]]:
    grouped: dict[str, list[Wanted]] = {}
    for w in wanted:
        grouped.setdefault(days.get(w.ref, "unknown"), []).append(w)
    return grouped


def _rounds(todo: list[tuple[str, Wanted]]) -> Iterable[list[tuple[str, Wanted]]]:
    """Whole days, about ``ROUND`` instances at a time."""
    chunk: list[tuple[str, Wanted]] = []
    for index, item in enumerate(todo):
        chunk.append(item)
        last_of_day = index + 1 == len(todo) or todo[index + 1][0] != item[0]
        if len(chunk) >= ROUND and last_of_day:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
