"""Many meetings at once: expand refs into instances, fetch each once, concurrently, and report failures.

A read of many refs runs in two rounds over one thread pool and one client (so one rate limiter):

1. *expand*: a meeting number with ``instances="all"`` becomes its ended instances, oldest first
   (``GET /past_meetings/{id}/instances``; offline, the cached ones);
2. *read*: each distinct instance once, from the cache when usable, else resolved (a number or a
   bare UUID; a frame row is used as it is) and fetched.

One progress bar counts instances (pages as its postfix). A failure never stops the others and is
never skipped: it is collected per ref and reported by the reader (:class:`~zoom_pandas.ReadErrors`
or a :class:`~zoom_pandas.PartialReadWarning`). Once Zoom says its daily limit is used up, no new
request is sent: every unread instance is reported with that error.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow.compute as pc

from zoom_pandas.cache_policy import CachePolicy
from zoom_pandas.errors import RateLimited, ZoomAPIError, ZoomPandasError
from zoom_pandas.meeting_ids import MeetingRef
from zoom_pandas.paging import Page, parse_pages, read_pages
from zoom_pandas.progress import InstanceProgress
from zoom_pandas.report import Instance, Report
from zoom_pandas.reports import Fetched, ReportFetcher

__all__ = ["Outcome", "Wanted", "read_many"]


@dataclasses.dataclass(frozen=True)
class Wanted:
    """One thing to read: a number or UUID, or an instance a frame described (no resolve call)."""

    ref: MeetingRef
    instance: Instance | None = None
    #: The instance came from an instances listing (UUID and start only): resolve it on a cache
    #: miss for its topic and end time. A frame's rows are used as they are.
    listed: bool = False
    #: Why this row cannot be read at all (a listing row without a UUID); reported as its failure.
    problem: str | None = None


@dataclasses.dataclass
class Outcome:
    """What a read of many refs gave: reports in order, and the failures by ref."""

    reports: list[Report]
    failures: dict[MeetingRef, ZoomPandasError]


@dataclasses.dataclass
class _Run:
    """The state threads share during one read."""

    policy: CachePolicy
    fetcher: ReportFetcher
    bar: InstanceProgress
    stop: RateLimited | None = None
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    claims: dict[str, concurrent.futures.Future[Report | Fetched]] = dataclasses.field(default_factory=dict)

    def once(self, meeting_uuid: str, read: Callable[[], Report | Fetched]) -> Report | Fetched:
        """Read an instance once however many refs name it (a number and its latest UUID)."""
        with self.lock:
            claim = self.claims.get(meeting_uuid)
            mine = claim is None
            if claim is None:
                claim = self.claims[meeting_uuid] = concurrent.futures.Future()
        if not mine:
            return claim.result()  # the owner never waits on anyone: no deadlock
        try:
            report = read()
        except BaseException as exc:
            claim.set_exception(exc)
            raise
        claim.set_result(report)
        return report

    def halted(self, exc: ZoomPandasError) -> None:
        """Stop sending requests once Zoom says a daily limit is used up."""
        if isinstance(exc, RateLimited) and self.policy.online:
            label = self.fetcher.spec.labels["pages"]
            if self.fetcher.connection.limiter.blocked_until(label) is not None:
                with self.lock:
                    self.stop = self.stop or exc


def read_many(
    wanted: Sequence[Wanted],
    *,
    every_instance: bool,
    policy: CachePolicy,
    fetcher: ReportFetcher,
    progress: bool | None,
    workers: int | None = None,
) -> Outcome:
    """Read every instance ``wanted`` names, each once, in input order (expansions oldest first).

    Parameters
    ----------
    wanted : sequence of Wanted
        The refs, validated.
    every_instance : bool
        Expand each meeting number into all its ended instances (``instances="all"``).
    policy : CachePolicy
        The cache mode.
    fetcher : ReportFetcher
        The report spec and client.
    progress : bool, optional
        A bar over instances (``None``: in interactive sessions, for more than one instance).
    workers : int, optional
        Threads (default: what the client's rate limiter can keep busy, see
        :meth:`~zoom_pandas.ratelimit.RateLimiter.concurrency`).

    Returns
    -------
    Outcome
    """
    if workers is None:
        workers = fetcher.connection.limiter.concurrency() if policy.online else 4
    failures: dict[MeetingRef, ZoomPandasError] = {}
    bar = InstanceProgress(progress, fetcher.spec.kind)
    run = _Run(policy=policy, fetcher=fetcher, bar=bar)
    with concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, workers), thread_name_prefix="zoom-pandas"
    ) as pool:
        try:
            items = _expanded(wanted, every_instance, run, pool, failures)
            bar.start(len(items))
            results = _in_order(pool, items, lambda item: _counted(item, run), failures)
            parsed = _parsed(items, results, run, failures)
            if policy.writes:  # Parquet compression releases the GIL: files are written side by side
                list(pool.map(policy.save, [r for r in parsed.values() if r.source == "api"]))
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            bar.close()
    seen: set[str] = set()
    reports = []
    for result in results:  # a number and its latest instance's UUID name the same instance
        uuid = result.instance.meeting_uuid if result is not None else None
        if uuid is not None and uuid not in seen and uuid in parsed:
            seen.add(uuid)
            reports.append(parsed[uuid])
    return Outcome(reports=reports, failures=failures)


def _parsed(
    items: Sequence[Wanted],
    results: Sequence[Report | Fetched | None],
    run: _Run,
    failures: dict[MeetingRef, ZoomPandasError],
) -> dict[str, Report]:
    """Every fetched instance's pages parsed in one Arrow read (one by one if some page is bad)."""
    parsed = {r.instance.meeting_uuid: r for r in results if isinstance(r, Report)}
    fetched = list({r.instance.meeting_uuid: r for r in results if isinstance(r, Fetched)}.values())
    if not fetched:
        return parsed
    try:
        reports = run.fetcher.reports(fetched)
    except ZoomPandasError:
        reports = []
        for one in fetched:  # find which instance's pages are malformed: only it fails
            try:
                reports += run.fetcher.reports([one])
            except ZoomPandasError as exc:
                for item, result in zip(items, results, strict=True):
                    if result is one:
                        failures[_key(item)] = exc
    parsed.update((r.instance.meeting_uuid, r) for r in reports)
    return parsed


def _expanded(
    wanted: Sequence[Wanted],
    every_instance: bool,
    run: _Run,
    pool: concurrent.futures.Executor,
    failures: dict[MeetingRef, ZoomPandasError],
) -> list[Wanted]:
    """Numbers become their instances (``instances="all"``); repeats of one instance are dropped."""
    expand = [w for w in wanted if every_instance and isinstance(w.ref, int) and w.instance is None]
    listed = _in_order(pool, expand, lambda w: _instances(int(w.ref), run), failures) if expand else []
    instances = {w.ref: uuids for w, uuids in zip(expand, listed, strict=True)}
    items: list[Wanted] = []
    seen: set[MeetingRef] = set()
    for w in wanted:
        refs = instances.get(w.ref) or [] if w.ref in instances else [w]
        for item in refs:
            key = item.instance.meeting_uuid if item.instance is not None else item.ref
            if key not in seen or item.problem is not None:
                seen.add(key)
                items.append(item)
    return items


def _instances(number: int, run: _Run) -> list[Wanted]:
    """The ended instances of a number, oldest first (offline: the cached ones)."""
    if not run.policy.online:
        return [Wanted(uuid) for uuid in run.policy.offline_instances(number)]
    spec = run.fetcher.spec
    path = spec.instances_path.format(id=number)
    pages: list[Page] = read_pages(run.fetcher.connection, path, {}, label=spec.labels["instances"])
    table = parse_pages(pages, spec.instances, path, {"meeting_id": number})
    table = table.filter(pc.is_valid(table.column("meeting_uuid")))
    table = table.sort_by([("start_time", "ascending")])
    return [
        Wanted(uuid, Instance(meeting_id=number, meeting_uuid=uuid, start_time=start), listed=True)
        for uuid, start in zip(
            table.column("meeting_uuid").to_pylist(), table.column("start_time").to_pylist(), strict=True
        )
    ]


def _counted(item: Wanted, run: _Run) -> Report | Fetched:
    """Read one instance; count it on the bar, and note a daily limit for the threads still to start."""
    try:
        return _read_one(item, run)
    except ZoomPandasError as exc:
        run.halted(exc)
        raise
    finally:
        run.bar.done()


def _read_one(item: Wanted, run: _Run) -> Report | Fetched:
    """One instance: the cache if usable, else resolve (unless a frame described it) and fetch its pages."""
    if item.problem is not None:
        raise ZoomAPIError(None, None, item.problem)
    policy, fetcher, on_page = run.policy, run.fetcher, run.bar.page
    if isinstance(item.ref, int) and policy.online:  # a number: its latest instance
        if run.stop is not None:  # no new request once Zoom's daily limit is used up
            raise run.stop
        instance = fetcher.resolve(item.ref)
        return run.once(
            instance.meeting_uuid,
            lambda: policy.known_cached(instance, fetcher) or fetcher.fetch_pages(instance, on_page),
        )
    return run.once(str(item.ref), lambda: _read_uuid(item, run))


def _read_uuid(item: Wanted, run: _Run) -> Report | Fetched:
    """An instance named by its UUID: as a frame described it, else from the cache, else resolved."""
    policy, fetcher, on_page = run.policy, run.fetcher, run.bar.page
    if item.instance is not None and not item.listed and policy.online:
        return policy.known_cached(item.instance, fetcher) or fetcher.fetch_pages(item.instance, on_page)
    if not policy.online:
        return policy.report(item.ref, fetcher)
    hit = policy.cached(str(item.ref), fetcher)
    if hit is not None:
        return hit
    if run.stop is not None:
        raise run.stop
    # Resolve by UUID for the topic and end time (Light), then fetch (Heavy).
    return fetcher.fetch_pages(fetcher.resolve(item.ref), on_page)


def _in_order(
    pool: concurrent.futures.Executor,
    items: Sequence[Wanted],
    work: Callable[[Wanted], Any],
    failures: dict[MeetingRef, ZoomPandasError],
) -> list[Any]:
    """Run ``work`` on every item in the pool; results in input order, None where it failed."""
    futures = [pool.submit(_guarded, work, item) for item in items]
    results: list[Any] = []
    for item, future in zip(items, futures, strict=True):
        result, error = future.result()
        if error is not None:
            failures[_key(item)] = error
        results.append(result)
    return results


def _key(item: Wanted) -> MeetingRef:
    """How a failure is named: the UUID of an instance, else the ref as given."""
    return item.instance.meeting_uuid if item.instance is not None else item.ref


def _guarded(work: Callable[[Wanted], Any], item: Wanted) -> tuple[Any, ZoomPandasError | None]:
    try:
        return work(item), None
    except ZoomPandasError as exc:
        return None, exc
