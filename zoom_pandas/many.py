"""Many meetings at once: expand refs into instances, fetch each once, concurrently, and report failures.

A read of many refs runs in two rounds over one thread pool and one client (so one rate limiter):

1. *expand*: a meeting number with ``instances="all"`` becomes its ended instances, oldest first
   (:mod:`zoom_pandas.expand`);
2. *read*: each distinct instance once, from the cache when usable, else resolved (a number or a
   bare UUID; a frame row is used as it is) and its raw pages fetched. As fetches complete, the
   main thread parses them in batches (one Arrow read each) and caches them, so an interrupted
   read keeps what arrived.

One progress bar counts instances (pages as its postfix). A failure never stops the others and is
never skipped: it is collected per ref and reported by the reader (:class:`~zoom_pandas.ReadErrors`
or a :class:`~zoom_pandas.PartialReadWarning`). Once Zoom says its daily limit is used up, the
client sends no more requests of that label: every unread instance is reported with that error.
Warnings raised in the workers are raised again in the caller's thread, at the caller's line.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

from zoom_pandas.cache_policy import CachePolicy
from zoom_pandas.errors import ZoomAPIError, ZoomPandasError, deferred_warnings, warn
from zoom_pandas.expand import expanded, instances_of, to_expand
from zoom_pandas.meeting_ids import MeetingRef
from zoom_pandas.paging import Page
from zoom_pandas.progress import InstanceProgress
from zoom_pandas.refs import Wanted
from zoom_pandas.report import Instance, Report
from zoom_pandas.reports import Fetched, ReportFetcher

__all__ = ["BATCH", "Outcome", "read_many"]

#: Fetched instances parsed (one Arrow read) and cached together as they arrive.
BATCH = 64
#: Seconds between the main thread's checks for an interrupt while it waits for fetches.
_TICK = 0.1


@dataclasses.dataclass
class Outcome:
    """What a read of many refs gave: reports in order, the failures by ref, the refs whose listing failed."""

    reports: list[Report]
    failures: dict[MeetingRef, ZoomPandasError]
    unlisted: set[MeetingRef] = dataclasses.field(default_factory=set)


class _Cancelled(Exception):
    """The read was interrupted: a worker stops at its next page."""


@dataclasses.dataclass
class _Run:
    """The state threads share during one read."""

    policy: CachePolicy
    fetcher: ReportFetcher
    bar: InstanceProgress
    cancelled: threading.Event = dataclasses.field(default_factory=threading.Event)
    lock: threading.Lock = dataclasses.field(default_factory=threading.Lock)
    claims: dict[str, concurrent.futures.Future[Report | Fetched]] = dataclasses.field(default_factory=dict)

    def page(self, page: Page) -> None:
        """Count a page; stop the worker when the read was interrupted."""
        if self.cancelled.is_set():
            raise _Cancelled
        self.bar.page(page)

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
            result = read()
        except BaseException as exc:
            claim.set_exception(exc)
            raise
        claim.set_result(result)
        return result


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
    run = _Run(policy=policy, fetcher=fetcher, bar=InstanceProgress(progress, fetcher.spec.kind))
    pool = concurrent.futures.ThreadPoolExecutor(
        max_workers=max(1, workers), thread_name_prefix="zoom-pandas"
    )
    try:
        numbers = to_expand(wanted, every_instance)
        listings = _Results(numbers)
        listings.run(pool, lambda w: instances_of(int(w.ref), policy, fetcher))
        found = dict(zip((w.ref for w in numbers), listings.values, strict=True))
        reads = _Results(expanded(wanted, found), run)
        run.bar.start(len(reads.items))
        reads.run(pool, lambda item: _counted(item, run))
    except BaseException:
        run.cancelled.set()
        pool.shutdown(wait=False, cancel_futures=True)  # running workers stop at their next page
        raise
    finally:
        run.bar.close()
    pool.shutdown(wait=True)
    failures = dict(listings.failures() + reads.failures())
    reports, seen = [], set()
    for result in reads.values:  # a number and its latest instance's UUID name the same instance
        uuid = result.instance.meeting_uuid if result is not None else None
        if uuid is not None and uuid not in seen and uuid in reads.parsed:
            seen.add(uuid)
            reports.append(reads.parsed[uuid])
    return Outcome(reports=reports, failures=failures, unlisted={numbers[i].ref for i in listings.failed})


@dataclasses.dataclass
class _Results:
    """The work on some items: results and failures by position; with a run, the parsed reports."""

    items: Sequence[Wanted]
    reading: _Run | None = None
    values: list[Any] = dataclasses.field(default_factory=list)
    failed: dict[int, tuple[MeetingRef, ZoomPandasError]] = dataclasses.field(default_factory=dict)
    parsed: dict[str, Report] = dataclasses.field(default_factory=dict)

    def failures(self) -> list[tuple[MeetingRef, ZoomPandasError]]:
        """The failures in input order."""
        return [self.failed[index] for index in sorted(self.failed)]

    def run(self, pool: concurrent.futures.Executor, work: Callable[[Wanted], Any]) -> None:
        """Run ``work`` on every item in the pool, collecting as they complete.

        When reading, fetched pages are parsed and cached in batches as they arrive, so an
        interrupt keeps every instance that had arrived whole.
        """
        futures = {pool.submit(_guarded, work, item): index for index, item in enumerate(self.items)}
        self.values = [None] * len(self.items)
        pending: list[int] = []
        try:
            for future in _as_completed(futures):
                index = futures[future]
                value, error, kept = future.result()
                for message, category in kept:
                    warn(message, category)  # again, from the caller's thread and at its line
                if error is not None:
                    self.failed[index] = (_key(self.items[index]), error)
                self.values[index] = value
                if isinstance(value, Report):
                    self.parsed[value.instance.meeting_uuid] = value
                elif isinstance(value, Fetched):
                    pending.append(index)
                    if len(pending) >= BATCH:
                        self._parse(pending)
        finally:  # also on an interrupt: what arrived whole is parsed and cached
            if pending:
                self._parse(pending)

    def _parse(self, pending: list[int]) -> None:
        """Parse a batch of fetched instances in one Arrow read (one by one if a page is bad); cache them."""
        assert self.reading is not None
        fetcher, batch = (
            self.reading.fetcher,
            list({self.values[i].instance.meeting_uuid: self.values[i] for i in pending}.values()),
        )
        pending.clear()
        try:
            reports = fetcher.reports(batch)
        except ZoomPandasError:
            reports = []
            for one in batch:  # find which instance's pages are malformed: only it fails
                try:
                    reports += fetcher.reports([one])
                except ZoomPandasError as exc:
                    for index, value in enumerate(self.values):
                        if value is one:
                            self.failed[index] = (_key(self.items[index]), exc)
        for report in reports:
            self.reading.policy.save(report)
            self.parsed[report.instance.meeting_uuid] = report


def _as_completed(
    futures: Iterable[concurrent.futures.Future[Any]],
) -> Iterator[concurrent.futures.Future[Any]]:
    """Futures as they complete, waking every tick so that Ctrl-C surfaces at once.

    The kernel may deliver SIGINT to any of the process's threads; Python then raises it in the
    main thread only when that thread next runs, which a blocked wait would delay until a fetch ends.
    """
    waiting = set(futures)
    while waiting:
        done, waiting = concurrent.futures.wait(waiting, timeout=_TICK, return_when="FIRST_COMPLETED")
        yield from done


def _counted(item: Wanted, run: _Run) -> Report | Fetched:
    """Read one instance and count it on the bar, read or failed."""
    try:
        return _read_one(item, run)
    finally:
        run.bar.done()


def _read_one(item: Wanted, run: _Run) -> Report | Fetched:
    """One instance: the cache if usable, else resolve (unless known) and fetch its pages."""
    if item.problem is not None:
        raise ZoomAPIError(None, None, item.problem)
    if run.cancelled.is_set():
        raise _Cancelled
    policy, fetcher = run.policy, run.fetcher
    if isinstance(item.ref, int) and policy.online:  # a number: its latest instance
        instance = fetcher.resolve(item.ref)  # Light: the cache may still have it after a daily stop
        return run.once(instance.meeting_uuid, lambda: _cached_or_fetched(instance, run))
    return run.once(str(item.ref), lambda: _read_uuid(item, run))


def _read_uuid(item: Wanted, run: _Run) -> Report | Fetched:
    """An instance named by its UUID: as a frame described it, else from the cache, else resolved."""
    policy, fetcher = run.policy, run.fetcher
    if not policy.online:
        return policy.report(item.ref, fetcher)
    if item.instance is not None and not item.listed:
        return _cached_or_fetched(item.instance, run)
    hit = policy.cached(str(item.ref), fetcher)
    if hit is not None:
        return hit
    blocked = fetcher.blocked()
    if blocked is not None:  # the resolve call would only lead to a fetch Zoom refuses
        raise blocked
    if item.instance is not None and fetcher.spec.labels["resolve"] == "Heavy":
        # A listed webinar instance: resolving it would cost a second Heavy request.
        return fetcher.fetch_pages(item.instance, run.page)
    return fetcher.fetch_pages(fetcher.resolve(item.ref), run.page)


def _cached_or_fetched(instance: Instance, run: _Run) -> Report | Fetched:
    hit = run.policy.known_cached(instance, run.fetcher)
    return hit if hit is not None else run.fetcher.fetch_pages(instance, run.page)


def _guarded(
    work: Callable[[Wanted], Any], item: Wanted
) -> tuple[Any, ZoomPandasError | None, list[tuple[str, type[Warning]]]]:
    with deferred_warnings() as kept:
        try:
            return work(item), None, kept
        except ZoomPandasError as exc:
            return None, exc, kept


def _key(item: Wanted) -> MeetingRef:
    """How a failure is named: the UUID of an instance, else the ref as given."""
    return item.instance.meeting_uuid if item.instance is not None else item.ref
