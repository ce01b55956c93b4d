"""``read_cache``: every cached participant record as one frame, without any request."""

from __future__ import annotations

import os

import pandas as pd
import pyarrow as pa

from zoom_pandas.cache import ReportCache
from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import api_url_of
from zoom_pandas.errors import CacheMiss
from zoom_pandas.report import warn_incomplete
from zoom_pandas.schema import DtypeBackend, check_dtype_backend, to_frame
from zoom_pandas.sources import Source, check_source
from zoom_pandas.specs import MEETING_REPORT, PAST_MEETINGS, WEBINAR_REPORT

__all__ = ["read_cache"]


def read_cache(
    *,
    webinars: bool = False,
    source: Source = "auto",
    client: ZoomClient | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    dtype_backend: DtypeBackend = "pyarrow",
) -> pd.DataFrame:
    """Every cached participant record as one typed DataFrame, without any request.

    Parameters
    ----------
    webinars : bool, default False
        Read the webinar reports instead of the meeting reports (they are kept apart).
    source : {"auto", "report", "past_meetings"}, default "auto"
        Which meeting source's cache: the reports', the host's past meetings', or both (an
        instance cached from both comes once, from the report).
    client : ZoomClient, optional
        Only says whose cache: Zoom's (the default) or the built-in sandbox's (a sandbox client).
    cache_dir : path-like, optional
        The cache folder (default: ``ZOOM_PANDAS_CACHE_DIR`` or the user cache dir).
    dtype_backend : {"pyarrow", "numpy_nullable"}, default "pyarrow"
        As in :func:`~zoom_pandas.read_participants`.

    Returns
    -------
    pandas.DataFrame
        The participants columns, ``meeting_id`` and ``meeting_uuid`` first;
        ``attrs["meetings"]`` one entry per instance (its ``endpoint`` says which source).

    Raises
    ------
    CacheMiss
        When nothing is cached.

    Examples
    --------
    >>> everyone = zp.read_cache()                                 # doctest: +SKIP
    >>> everyone.groupby("meeting_id")["name"].nunique()            # doctest: +SKIP
    """
    check_dtype_backend(dtype_backend)
    check_source(source)
    specs = {"report": [MEETING_REPORT], "past_meetings": [PAST_MEETINGS]}.get(
        source, [MEETING_REPORT, PAST_MEETINGS]
    )
    fields = WEBINAR_REPORT.fields if webinars else MEETING_REPORT.fields
    stores = [
        ReportCache(spec.dataset, api_url=api_url_of(client), root=cache_dir)
        for spec in ([WEBINAR_REPORT] if webinars else specs)
    ]
    tables, kept, seen = [], [], set()
    for store in stores:
        reports = [r for r in store.reports(warn=True) if r.meeting_uuid not in seen]
        if not reports:
            continue
        dataset, reports = store.dataset(reports, known=fields.fields)
        names = dataset.schema.names
        known = [name for name in fields.fields if name in names]
        tables.append(dataset.to_table(columns=known + [name for name in names if name not in known]))
        kept += reports
        seen |= {report.meeting_uuid for report in reports}
    if not tables:
        where = " or ".join(str(store.dataset_dir) for store in stores)
        raise CacheMiss(f"no cached reports under {where}{stores[0].elsewhere()}")
    table = tables[0] if len(tables) == 1 else pa.concat_tables(tables, promote_options="permissive")
    for report in kept:
        if not report.complete:
            warn_incomplete(report.meeting_uuid, report.total_records, report.rows, cached=True)
    attrs = {"meetings": [report.attrs() for report in kept]}
    return to_frame(table.replace_schema_metadata(None), attrs, dtype_backend=dtype_backend)
