"""The public participant readers: validate, pick the cache policy, delegate to the report spec."""

from __future__ import annotations

from typing import Literal

import pandas as pd

from zoom_pandas.cache_policy import CacheMode, CachePolicy
from zoom_pandas.client import ZoomClient
from zoom_pandas.errors import PartialReadWarning, ReadErrors, failure_lines, failure_records, warn
from zoom_pandas.many import read_many
from zoom_pandas.meeting_ids import parse_meeting_id
from zoom_pandas.refs import Wanted, wanted_of
from zoom_pandas.report import frame_of
from zoom_pandas.reports import MEETING_REPORT, PAST_MEETINGS, WEBINAR_REPORT, ReportFetcher, ReportSpec
from zoom_pandas.schema import DtypeBackend, check_dtype_backend
from zoom_pandas.sources import Source, check_source

__all__ = ["read_participants", "read_webinar_participants"]


#: What ``instances=`` and ``errors=`` accept.
Instances = Literal["latest", "all"]
Errors = Literal["raise", "warn"]


def _read(
    spec: ReportSpec,
    meetings: object,
    instances: Instances,
    include_registrant_id: bool,
    cache: CacheMode,
    client: ZoomClient | None,
    progress: bool | None,
    errors: Errors,
    dtype_backend: DtypeBackend,
    source: Source = "report",
) -> pd.DataFrame:
    if instances not in ("latest", "all"):
        raise ValueError(f"instances must be 'latest' or 'all', got {instances!r}")
    if errors not in ("raise", "warn"):
        raise ValueError(f"errors must be 'raise' or 'warn', got {errors!r}")
    check_dtype_backend(dtype_backend)
    spec, fallback = _sources(spec, check_source(source))
    wanted = wanted_of(meetings, webinar=spec is WEBINAR_REPORT)
    single = wanted is None
    if wanted is None:
        wanted = [Wanted(parse_meeting_id(meetings))]
    policy = CachePolicy.for_mode(cache, spec, client, fallback)
    fetcher = ReportFetcher(
        spec, client, include_registrant_id=include_registrant_id, progress=progress, fallback=fallback
    )
    if single and instances == "latest":
        return frame_of([policy.report(wanted[0].ref, fetcher)], spec.fields, dtype_backend)
    outcome = read_many(
        wanted, every_instance=instances == "all", policy=policy, fetcher=fetcher, progress=progress
    )
    if single and outcome.unlisted:
        raise outcome.failures[wanted[0].ref]  # one number whose instances could not be listed
    frame = frame_of(outcome.reports, spec.fields, dtype_backend)
    if outcome.failures:
        frame.attrs["failures"] = failure_records(outcome.failures)
        if errors == "raise":
            raise ReadErrors(outcome.failures, frame)
        listed = "; ".join(failure_lines(outcome.failures))
        warn(
            f"{len(outcome.failures)} could not be read and are not in the frame "
            f"(attrs['failures'] lists them): {listed}",
            PartialReadWarning,
        )
    return frame


def _sources(spec: ReportSpec, source: Source) -> tuple[ReportSpec, ReportSpec | None]:
    """The source a read starts with and the one it falls back to (webinars have one source)."""
    if spec is not MEETING_REPORT or source == "report":
        return spec, None
    if source == "past_meetings":
        return PAST_MEETINGS, None
    return MEETING_REPORT, PAST_MEETINGS


def read_participants(
    meetings: object,
    *,
    instances: Instances = "latest",
    source: Source = "auto",
    include_registrant_id: bool = False,
    cache: CacheMode = True,
    client: ZoomClient | None = None,
    progress: bool | None = None,
    errors: Errors = "raise",
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Read every participant record of past meeting instances into one typed DataFrame.

    Parameters
    ----------
    meetings : int, str, list-like or DataFrame
        A meeting number (``85746065432`` or ``"857 4606 5432"``, as copied from the Zoom app;
        its latest ended instance) or an instance UUID (``"4444AAAiAAAAAiAiAiiAii=="``); a list,
        tuple, Series or array of those; or a frame from :func:`read_meetings` or
        :func:`read_instances`, whose ``meeting_id``, ``meeting_uuid``, ``topic``, ``start_time``
        and ``end_time`` are used as they are (no request to resolve them). Each distinct
        instance is read once; several are read concurrently over one client, under its
        ``rate_limit``.
    instances : {"latest", "all"}, default "latest"
        For a meeting number: its latest ended instance (as Zoom does), or every ended instance,
        oldest first (``GET /past_meetings/{id}/instances``; offline: every cached one).
    source : {"auto", "report", "past_meetings"}, default "auto"
        ``"report"``: Zoom's participant report (``GET /report/meetings/{uuid}/participants``;
        an admin's scope ``report:read:admin`` or ``report:read:list_meeting_participants:admin``).
        ``"past_meetings"``: a host's own source (``GET /past_meetings/{uuid}/participants``;
        the user-level scope ``meeting:read:list_past_participants``), whose rows have no
        ``customer_key``, ``bo_mtg_id`` or ``participant_user_id`` (those columns are NA).
        ``"auto"``: the report, and when Zoom refuses it for a missing scope (code 4700 or
        4711), the past-meetings source, with one :class:`ZoomPandasWarning`; the client
        remembers it and later reads go there directly. Each source is cached apart;
        ``attrs["meetings"][i]["endpoint"]`` says which one gave the rows.
    include_registrant_id : bool, default False
        Also fetch ``registrant_id`` (``include_fields=registrant_id``).
    cache : {True, False, "refresh", "offline"}, default True
        ``True``: use the Parquet cache if it has the instance (settled and complete), else fetch
        and store. ``False``: neither read nor write the cache. ``"refresh"``: fetch and overwrite.
        ``"offline"``: never touch the network and build no client; a UUID gives its cached
        frame, a meeting number the newest cached instance.
    client : ZoomClient, optional
        The connection to use (default: the one ``zoom_pandas.login()`` made, else one from the
        ``ZOOM_*`` environment variables as they are now). The sandbox's reads are cached apart
        from Zoom's.
    progress : bool, optional
        Show a progress bar (``tqdm.auto``): over pages for one instance, over instances (pages
        as its postfix) for many. By default on in interactive sessions when there is more than
        one page or instance.
    errors : {"raise", "warn"}, default "raise"
        When some of many instances fail, every other one is still read; then ``"raise"`` raises
        :class:`ReadErrors` (its ``.frame`` holds the rows that arrived, ``.failures`` each
        failure), and ``"warn"`` returns that frame with a :class:`PartialReadWarning` and
        ``attrs["failures"]``. Never a silent skip. A single ref raises its own error.
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        ``"pyarrow"``: Arrow dtypes on every column. ``"numpy_nullable"``: ``datetime64[us, UTC]``,
        ``timedelta64``, ``boolean``, ``Int64`` and ``string``, as pandas' own readers offer.

    Returns
    -------
    pandas.DataFrame
        One row per join event: instances in input order (``instances="all"``: oldest first),
        rows in Zoom's order. Columns (``pyarrow`` dtypes): ``meeting_id``
        int64, ``meeting_uuid`` string, ``customer_key`` string, ``duration`` duration[s],
        ``failover`` bool, ``id`` string, ``join_time``/``leave_time`` timestamp[us, UTC],
        ``name``, ``registrant_id``, ``status``, ``user_email``, ``user_id``, ``bo_mtg_id``,
        ``participant_user_id`` strings, then any field Zoom adds later. Empty strings are NA.
        ``attrs["meetings"]`` holds one dict per instance (``meeting_id``, ``meeting_uuid``,
        ``topic``, ``start_time``, ``end_time``, ``total_records``, ``fetched_at``, ``source``:
        "api" or "cache", ``endpoint``: "report" or "past_meetings"); for one instance the same
        keys also sit at the top of ``attrs``.

    Raises
    ------
    ValueError
        If a ref, ``instances``, ``source``, ``cache``, ``errors`` or ``dtype_backend`` is
        malformed, or a listing frame holds webinars (before any request).
    ReadErrors
        With ``errors="raise"``, when some of many instances failed (after reading the rest).
    MeetingNotFound
        If Zoom does not know the meeting, or it has not ended.
    PermissionDenied, AuthError, RateLimited, ZoomAPIError
        For other refusals from Zoom.
    PaginationError
        If Zoom repeats a page token or sends more pages than its ``total_records`` allows.
    CacheMiss
        With ``cache="offline"`` when nothing usable is cached.

    Warns
    -----
    IncompleteReportWarning
        When the rows fetched differ from Zoom's ``total_records``.
    PartialReadWarning
        With ``errors="warn"``, when some of many instances failed.
    ZoomPandasWarning
        With ``source="auto"``, once per client, when Zoom refuses the report and the read
        switches to the past-meetings source (it names the fields then missing).

    Examples
    --------
    >>> import zoom_pandas as zp
    >>> df = zp.read_participants("857 4606 5432")                    # doctest: +SKIP
    >>> course = zp.read_participants(91234567890, instances="all")   # doctest: +SKIP
    >>> term = zp.read_participants(zp.read_meetings(start="2026-09-01"))  # doctest: +SKIP
    >>> df.groupby("meeting_uuid")["user_email"].nunique()             # doctest: +SKIP
    """
    return _read(
        MEETING_REPORT,
        meetings,
        instances,
        include_registrant_id,
        cache,
        client,
        progress,
        errors,
        dtype_backend,
        source,
    )


def read_webinar_participants(
    webinars: object,
    *,
    instances: Instances = "latest",
    include_registrant_id: bool = False,
    cache: CacheMode = True,
    client: ZoomClient | None = None,
    progress: bool | None = None,
    errors: Errors = "raise",
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Read every attendee record of a past webinar instance into a typed DataFrame.

    The same as :func:`read_participants`, over ``GET /report/webinars/{id}`` (resolve) and
    ``GET /report/webinars/{uuid}/participants`` (pages), cached apart from meetings.

    Parameters
    ----------
    webinars : int, str, list-like or DataFrame
        A webinar number (its latest ended instance) or an instance UUID, a list of those, or
        a frame of webinars from :func:`read_meetings` (``type`` 5, 6 or 9) or
        :func:`read_instances` with ``webinar=True``.
    instances : {"latest", "all"}, default "latest"
        As in :func:`read_participants` (``GET /past_webinars/{id}/instances``).
    include_registrant_id, cache, client, progress, errors, dtype_backend
        As in :func:`read_participants`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`read_participants` without ``bo_mtg_id`` (webinars have no breakout
        rooms); ``meeting_id`` and ``meeting_uuid`` hold the webinar's number and instance UUID.

    Raises
    ------
    ValueError, MeetingNotFound, PermissionDenied, AuthError, RateLimited, ZoomAPIError
        As in :func:`read_participants`; a missing scope names the webinar report's scopes
        (``report:read:admin`` or ``report:read:list_webinar_participants:admin``) and the
        Webinar add-on.
    PaginationError, CacheMiss, ReadErrors
        As in :func:`read_participants`.

    Examples
    --------
    >>> df = zp.read_webinar_participants(94455667788)                # doctest: +SKIP
    """
    return _read(
        WEBINAR_REPORT,
        webinars,
        instances,
        include_registrant_id,
        cache,
        client,
        progress,
        errors,
        dtype_backend,
    )
