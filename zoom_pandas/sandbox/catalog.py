"""The sandbox's meetings and webinars as people look them up: numbers, names, topics, instances.

Used by the sandbox's banner and ``--help`` (``python -m zoom_pandas.sandbox``) and by
``zoom-pandas sandbox``. Nothing here serves or starts anything.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from zoom_pandas.sandbox.data import Meeting, SandboxData

__all__ = ["Listed", "listing", "named_numbers", "render_listing", "stable_numbers"]


@dataclasses.dataclass(frozen=True)
class Listed:
    """One meeting or webinar number of the sandbox account.

    Parameters
    ----------
    kind : {"meeting", "webinar"}
        Which reader and command read it (``participants`` or ``webinar``).
    number : int
        The meeting or webinar number.
    name : str or None
        The ``SandboxData`` constant that names it (``"LECTURE"``), if any: those numbers are the
        same for every seed.
    topic, host : str
        Its topic and its host's email.
    instances : int
        How many ended instances (sessions) it has.
    latest_start : datetime.datetime
        When its latest instance started (UTC): what a read of the bare number gives.
    """

    kind: str
    number: int
    name: str | None
    topic: str
    host: str
    instances: int
    latest_start: dt.datetime


def named_numbers() -> dict[int, str]:
    """``{number: constant name}`` for the ``SandboxData`` constants (the same for every seed)."""
    return {v: k for k, v in vars(SandboxData).items() if k.isupper() and isinstance(v, int)}


def listing(data: SandboxData, *, everything: bool = False) -> list[Listed]:
    """The account's named meetings and webinars, meetings first, in the order the account holds them.

    Parameters
    ----------
    data : SandboxData
        The sandbox's account.
    everything : bool
        Every meeting and webinar, not only those a ``SandboxData`` constant names.

    Returns
    -------
    list of Listed
    """
    names = named_numbers()

    def listed(kind: str, meetings: dict[int, Meeting]) -> list[Listed]:
        return [
            Listed(
                kind=kind,
                number=number,
                name=names.get(number),
                topic=meeting.topic,
                host=meeting.host.email,
                instances=len(meeting.instances),
                latest_start=max(i.start_time for i in meeting.instances),
            )
            for number, meeting in meetings.items()
            if meeting.instances and (everything or number in names)
        ]

    return listed("meeting", data.meetings) + listed("webinar", data.webinars)


def render_listing(entries: list[Listed], *, width: int | None = None) -> list[str]:
    """Aligned lines with a header: number, kind, topic, instances, latest start, name, host.

    Parameters
    ----------
    entries : list of Listed
        What :func:`listing` returned.
    width : int, optional
        Lines longer than this are cut, ending in "…" (the name and host come last).

    Returns
    -------
    list of str
    """
    rows = [("number", "kind", "topic", "instances", "latest (UTC)", "SandboxData", "host")]
    rows += [
        (
            str(one.number),
            one.kind,
            one.topic,
            str(one.instances),
            f"{one.latest_start.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M}",
            one.name or "",
            one.host,
        )
        for one in entries
    ]
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [
            cell.rjust(w) if k == 3 else cell.ljust(w)
            for k, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        line = "  ".join(cells).rstrip()
        lines.append(line if width is None or len(line) <= width else line[: max(width - 1, 1)] + "…")
    return lines


def stable_numbers(data: SandboxData) -> str:
    """One line naming the meeting and webinar numbers that stay the same for every seed."""
    names = named_numbers()

    def listed(numbers: dict[int, Meeting]) -> str:
        return ", ".join(f"{n} ({m.topic})" for n, m in numbers.items() if n in names)

    return f"stable meetings: {listed(data.meetings)}; webinars: {listed(data.webinars)}"
