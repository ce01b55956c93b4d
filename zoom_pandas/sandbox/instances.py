"""A sandbox meeting or webinar number and its held instances (split from :mod:`.data`).

An instance builds its participant rows on first use and keeps them, with each row serialized
once per field selection, so the report and past-meeting routes send big meetings as a join of
bytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.rows import Person, iso, participant_rows

__all__ = ["PAST_PARTICIPANT_FIELDS", "Instance", "Meeting", "latest", "select"]

#: The fields of ``GET /past_meetings/{id}/participants`` rows, in the spec's order: the report's
#: fields without ``customer_key``, ``bo_mtg_id`` and ``participant_user_id``.
PAST_PARTICIPANT_FIELDS = (
    "id",
    "name",
    "user_id",
    "registrant_id",
    "user_email",
    "join_time",
    "leave_time",
    "duration",
    "failover",
    "status",
)

#: A selection of row fields: (with registrant_id, the fields or None for the report's as they are).
_Selection = tuple[bool, tuple[str, ...] | None]


@dataclasses.dataclass
class Instance:
    """One held occurrence of a meeting or webinar: its UUID, times and how its participants behave."""

    uuid: str
    meeting: Meeting
    start_time: dt.datetime
    minutes: int
    people: int
    seed: int
    exact_rows: int | None = None
    roster: tuple[Person, ...] | None = None
    _rows: list[dict[str, Any]] | None = dataclasses.field(default=None, repr=False)
    _json: dict[_Selection, list[bytes]] = dataclasses.field(default_factory=dict, repr=False)
    _summary: dict[str, Any] | None = dataclasses.field(default=None, repr=False)
    _distinct: int | None = dataclasses.field(default=None, repr=False)

    @property
    def end_time(self) -> dt.datetime:
        return self.start_time + dt.timedelta(minutes=self.minutes)

    def row_json(self, with_registrant: bool, fields: tuple[str, ...] | None = None) -> list[bytes]:
        """Each row serialized once per selection, so pages are cheap to send.

        ``fields`` (in this order) instead of the report's; ``registrant_id`` only when
        ``with_registrant``.
        """
        key = (with_registrant, fields)
        if key not in self._json:
            self._json[key] = [
                json.dumps(select(row, with_registrant, fields), separators=(",", ":")).encode()
                for row in self.rows()
            ]
        return self._json[key]

    def rows(self) -> list[dict[str, Any]]:
        """The report's participant rows (join events), built once, registrant_id included."""
        if self._rows is None:
            self._rows = participant_rows(self)
        return self._rows

    def distinct_people(self) -> int:
        """How many people the rows are: by Zoom account, else email, else name (counted once)."""
        if self._distinct is None:
            self._distinct = len({row["id"] or row["user_email"] or row["name"] for row in self.rows()})
        return self._distinct

    def summary(self) -> dict[str, Any]:
        """The ``GET /past_meetings/{id}`` body for this instance (built once)."""
        if self._summary is None:
            self._summary = self._build_summary()
        return self._summary

    def _build_summary(self) -> dict[str, Any]:
        host = self.meeting.host
        return {
            "id": self.meeting.id,
            "uuid": self.uuid,
            "host_id": host.id,
            "type": self.meeting.type,
            "topic": self.meeting.topic,
            "user_name": host.display_name,
            "user_email": host.email,
            "start_time": iso(self.start_time),
            "end_time": iso(self.end_time),
            "duration": self.minutes,
            "total_minutes": sum(int(r["duration"]) for r in self.rows()) // 60,
            "participants_count": self.people,
            "dept": "",
            "source": "Zoom",
        }


@dataclasses.dataclass
class Meeting:
    """A meeting or webinar number with one or more instances (recurring ones have several)."""

    id: int
    topic: str
    host: User
    type: int
    instances: list[Instance] = dataclasses.field(default_factory=list)

    @property
    def is_webinar(self) -> bool:
        """Zoom's webinar types: 5 webinar, 6 recurring without fixed time, 9 recurring fixed time."""
        return self.type in (5, 6, 9)


def latest(meeting: Meeting | None) -> Instance | None:
    """The instance that started last, or None for an unknown number."""
    return max(meeting.instances, key=lambda i: i.start_time) if meeting else None


def select(
    row: dict[str, Any], with_registrant: bool, fields: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """A row as a new dict with ``fields`` (default: the report's), ``registrant_id`` only if asked."""
    if fields is None:
        return {k: v for k, v in row.items() if with_registrant or k != "registrant_id"}
    return {f: row[f] for f in fields if with_registrant or f != "registrant_id"}
