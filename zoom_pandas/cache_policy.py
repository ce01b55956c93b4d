"""Cache policies: what ``cache=True | False | "refresh" | "offline"`` means, as one small object.

A reader picks a policy and asks it for a report; the policy consults the Parquet cache and, on a
miss, the :class:`~zoom_pandas.reports.ReportFetcher`. Readers never see cache paths, metadata
keys or cache read errors.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

from zoom_pandas.cache import READ_ERRORS, CachedReport, ReportCache
from zoom_pandas.client import ZoomClient
from zoom_pandas.default_client import api_url_of
from zoom_pandas.errors import CacheCorruptWarning, CacheMiss, CacheWriteWarning, warn
from zoom_pandas.meeting_ids import MeetingRef
from zoom_pandas.report import Instance, Report, warn_incomplete
from zoom_pandas.reports import (
    OnPage,
    ReportFetcher,
    ReportSpec,
)
from zoom_pandas.schema import SCHEMA_VERSION

__all__ = ["CacheMode", "CachePolicy"]

#: What ``cache=`` accepts.
CacheMode = bool | Literal["refresh", "offline"]


@dataclasses.dataclass(frozen=True)
class CachePolicy:
    """One cache mode: whether it reads the cache, writes it, and may use the network.

    Build one with :meth:`for_mode`; readers call :meth:`report`.
    """

    store: ReportCache
    reads: bool
    writes: bool
    online: bool
    stores: Mapping[str, ReportCache] = dataclasses.field(default_factory=dict)

    @classmethod
    def for_mode(
        cls, mode: object, spec: ReportSpec, client: ZoomClient | None, fallback: ReportSpec | None = None
    ) -> CachePolicy:
        """The policy for ``cache=mode`` (``ValueError`` for anything else, before any request).

        ``client`` only says whose cache it is (Zoom's, or the sandbox's); none is built here.
        Each source's rows live in their own dataset (``spec``'s, and ``fallback``'s with
        ``source="auto"``): a report read never serves past-meetings rows.
        """
        flags = {
            True: (True, True, True),
            False: (False, False, True),
            "refresh": (False, True, True),
            "offline": (True, False, False),
        }
        key = mode if isinstance(mode, (bool, str)) else None
        if key not in flags:
            raise ValueError(f"cache must be True, False, 'refresh' or 'offline', got {mode!r}")
        reads, writes, online = flags[key]
        api_url = api_url_of(client)
        stores = {one.endpoint: ReportCache(one.dataset, api_url=api_url) for one in (spec, fallback) if one}
        return cls(store=stores[spec.endpoint], reads=reads, writes=writes, online=online, stores=stores)

    def _dataset(self, endpoint: str) -> ReportCache:
        """The dataset one source's rows live in."""
        return self.stores.get(endpoint, self.store)

    def _offline_stores(self, fetcher: ReportFetcher) -> list[ReportCache]:
        """Offline, every source's dataset in the fetcher's order (the report's first)."""
        return [self._dataset(spec.endpoint) for spec in fetcher.sources()]

    def report(self, ref: MeetingRef, fetcher: ReportFetcher, on_page: OnPage | None = None) -> Report:
        """The report of ``ref`` (a number: its latest instance; a UUID: that instance).

        Raises
        ------
        CacheMiss
            Offline, when nothing usable is cached.
        """
        if not self.online:
            return self._offline(ref, fetcher)
        if isinstance(ref, str):
            hit = self.cached(ref, fetcher)
            if hit is not None:
                return hit
        return self.instance_report(fetcher.resolve(ref), fetcher, on_page, look=isinstance(ref, int))

    def cached(self, meeting_uuid: str, fetcher: ReportFetcher) -> Report | None:
        """The usable cached report of an instance UUID, without any request (None: fetch it)."""
        if not self.reads:
            return None
        for store, fallback_only in self._lookups(fetcher):
            hit = self._usable(
                store.find(meeting_uuid), meeting_uuid, fetcher.include_registrant_id, fallback_only
            )
            if hit is not None:
                return hit
        return None

    def _lookups(self, fetcher: ReportFetcher) -> list[tuple[ReportCache, bool]]:
        """Where an online read may find its rows: (dataset, only rows a refusal led to).

        With ``source="auto"`` before this client was refused, the past-meetings dataset also
        serves rows an earlier ``"auto"`` read took from it after a refusal (a new session of the
        same host), never rows read there on purpose.
        """
        current = fetcher.current()
        lookups = [(self._dataset(current.endpoint), False)]
        if fetcher.fallback is not None and current is fetcher.spec:
            lookups.append((self._dataset(fetcher.fallback.endpoint), True))
        return lookups

    def instance_report(
        self, instance: Instance, fetcher: ReportFetcher, on_page: OnPage | None = None, *, look: bool = True
    ) -> Report:
        """The report of a known instance: from the cache when usable (``look``), else fetched and stored.

        Raises
        ------
        CacheMiss
            Offline, when nothing usable is cached.
        """
        if not self.online:
            return self._offline(instance.meeting_uuid, fetcher)
        hit = self.known_cached(instance, fetcher) if look else None
        if hit is not None:
            return hit
        report = fetcher.fetch(instance, on_page)
        self.save(report)
        return report

    def known_cached(self, instance: Instance, fetcher: ReportFetcher) -> Report | None:
        """The usable cached report of a known instance, without any request (None: fetch it)."""
        if not self.reads:
            return None
        for store, fallback_only in self._lookups(fetcher):
            path = store.path_for(instance.meeting_id, instance.meeting_uuid)
            hit = self._usable(path, instance.meeting_uuid, fetcher.include_registrant_id, fallback_only)
            if hit is not None:
                return hit
        return None

    def save(self, report: Report) -> None:
        """Store a fetched report when this mode writes (a failed write warns; the rows stay good)."""
        if self.writes:
            self._save(report)

    def offline_instances(self, meeting_id: int, fetcher: ReportFetcher) -> list[str]:
        """The UUIDs of every cached instance of a number, oldest first (``instances="all"`` offline).

        With several sources, an instance cached from both counts once.
        """
        never = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
        found = {}
        for store in reversed(self._offline_stores(fetcher)):  # the first source's copy wins
            found.update({report.meeting_uuid: report for report in store.reports(meeting_id)})
        reports = sorted(found.values(), key=lambda r: r.instance.start_time or never)
        if not reports:
            raise CacheMiss(f"{meeting_id} has no cached instance. {self._what_is_cached(fetcher)}")
        return [report.meeting_uuid for report in reports]

    def _usable(
        self, path: Path | None, meeting_uuid: str, include_registrant_id: bool, fallback_only: bool = False
    ) -> Report | None:
        """A cached report an online read may use: this uuid, settled, complete, the fields asked for.

        Files written before schema version 2 are fetched again: 0.1 cached the sandbox's rows beside
        Zoom's, so their source is not known.
        """
        if path is None or not os.path.exists(path):
            return None
        try:
            cached, report = CachedReport.load(path)
        except READ_ERRORS as exc:
            warn(
                f"ignoring the damaged cache file {os.path.basename(path)} ({type(exc).__name__}); "
                "fetching again",
                CacheCorruptWarning,
            )
            return None
        if report.instance.meeting_uuid != meeting_uuid or cached.schema_version < SCHEMA_VERSION:
            return None  # a case-insensitive file system may hold another uuid's file under this name
        if include_registrant_id and not cached.include_registrant_id:
            return None
        if not report.complete or report.provisional or (fallback_only and not report.fallback):
            return None
        return report if include_registrant_id else report.without_registrant_id()

    def _save(self, report: Report) -> None:
        store = self._dataset(report.endpoint)
        try:
            store.save(report)
        except OSError as exc:  # the fetched rows are still good: do not lose them
            warn(
                f"could not cache {report.instance.meeting_uuid} in {store.dataset_dir} "
                f"({exc.strerror or exc or type(exc).__name__}); "
                "returning it uncached",
                CacheWriteWarning,
            )

    def _offline(self, ref: MeetingRef, fetcher: ReportFetcher) -> Report:
        include_registrant_id = fetcher.include_registrant_id
        path = None
        if isinstance(ref, str):
            path = next(filter(None, (store.find(ref) for store in self._offline_stores(fetcher))), None)
        else:  # the newest instance of any source (of one instance, the first source's copy)
            epoch = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
            newest = [store.newest(ref) for store in self._offline_stores(fetcher)]
            found = [(one.instance.end_time or epoch, -rank, one) for rank, one in enumerate(newest) if one]
            path = max(found, key=lambda item: item[:2])[2].path if found else None
        if path is None:
            what = (
                f"instance {ref!r} is not cached" if isinstance(ref, str) else f"{ref} has no cached instance"
            )
            raise CacheMiss(f"{what}. {self._what_is_cached(fetcher)}")
        try:
            cached, report = CachedReport.load(path)
        except READ_ERRORS as exc:
            raise CacheMiss(f"the cached file for {ref!r} is unreadable: {exc}") from exc
        if isinstance(ref, str) and cached.meeting_uuid != ref:
            raise CacheMiss(f"instance {ref!r} is not cached. {self._what_is_cached(fetcher)}")
        if include_registrant_id and not cached.include_registrant_id:
            raise CacheMiss(
                f"the cached copy of {cached.meeting_uuid!r} was fetched without registrant_id; "
                "read it online once with include_registrant_id=True"
            )
        if not report.complete:
            warn_incomplete(cached.meeting_uuid, report.total_records, report.table.num_rows, cached=True)
        return report if include_registrant_id else report.without_registrant_id()

    def _what_is_cached(self, fetcher: ReportFetcher) -> str:
        stores = self._offline_stores(fetcher)
        reports = [report for store in stores for report in store.reports()]
        if not reports:
            where = " and ".join(str(store.dataset_dir) for store in stores)
            return f"The cache at {where} is empty{self.store.elsewhere()}."
        listed = ", ".join(f"{r.meeting_id} ({r.meeting_uuid})" for r in reports[:10])
        more = f" and {len(reports) - 10} more" if len(reports) > 10 else ""
        return f"Cached: {listed}{more}."
