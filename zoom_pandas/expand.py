"""``instances="all"``: meeting numbers become their ended instances, oldest first, each once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from zoom_pandas.cache_policy import CachePolicy
from zoom_pandas.errors import MeetingNotFound
from zoom_pandas.meeting_ids import MeetingRef
from zoom_pandas.refs import Wanted
from zoom_pandas.report import Instance
from zoom_pandas.reports import ReportFetcher

__all__ = ["expanded", "to_expand"]


def to_expand(wanted: Sequence[Wanted], every_instance: bool) -> list[Wanted]:
    """The distinct meeting numbers whose instances must be listed first (``instances="all"``)."""
    if not every_instance:
        return []
    numbers = {
        w.ref: w for w in wanted if isinstance(w.ref, int) and w.instance is None and w.problem is None
    }
    return list(numbers.values())


def instances_of(number: int, policy: CachePolicy, fetcher: ReportFetcher) -> list[Wanted]:
    """The ended instances of a number, oldest first (offline: the cached ones).

    A listed instance without a UUID is kept as a failure to report, never dropped.

    Raises
    ------
    MeetingNotFound
        When the number has no ended instance.
    """
    if not policy.online:
        return [Wanted(uuid) for uuid in policy.offline_instances(number, fetcher)]
    table = fetcher.instances_table(number)
    never = dt.datetime.max.replace(tzinfo=dt.timezone.utc)
    rows = sorted(
        zip(table.column("meeting_uuid").to_pylist(), table.column("start_time").to_pylist(), strict=True),
        key=lambda row: row[1] or never,
    )
    if not rows:
        raise MeetingNotFound(404, 3001, f"{fetcher.spec.kind} {number} has no ended instance")
    return [
        Wanted(uuid, Instance(meeting_id=number, meeting_uuid=uuid, start_time=start), listed=True)
        if uuid
        else Wanted(
            number, problem=f"{fetcher.spec.kind} {number} listed an instance without a UUID: not read"
        )
        for uuid, start in rows
    ]


def expanded(wanted: Sequence[Wanted], instances: Mapping[MeetingRef, list[Wanted] | None]) -> list[Wanted]:
    """Every item in input order, each listed number replaced by its instances; repeats dropped.

    ``instances`` maps each number to its instances (``None`` when its listing failed: the failure
    is already recorded, and the number then reads nothing).
    """
    items: list[Wanted] = []
    seen: set[object] = set()
    for w in wanted:
        expand = w.ref in instances and w.instance is None and w.problem is None
        for item in (instances[w.ref] or []) if expand else [w]:
            key = item.instance.meeting_uuid if item.instance is not None else item.ref
            if item.problem is not None or key not in seen:
                seen.add(key)
                items.append(item)
    return items
