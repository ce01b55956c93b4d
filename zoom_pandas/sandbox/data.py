"""Deterministic synthetic Zoom data: users, recurring meetings, instances and participant rows.

Everything derives from one seed and one anchor day, so the same sandbox answers the same way in
every test, notebook and benchmark. Participant rows are built on first use and kept.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import json
import random
from typing import Any

__all__ = ["Instance", "Meeting", "SandboxData", "User"]

_FIRST = [
    "Ada",
    "Grace",
    "Alan",
    "Edsger",
    "Barbara",
    "Donald",
    "Margaret",
    "Ken",
    "Frances",
    "John",
    "Radia",
    "Tim",
    "Hedy",
    "Claude",
    "Katherine",
    "Dennis",
    "Sophie",
    "Linus",
    "Anita",
    "Guido",
]
_LAST = [
    "Lovelace",
    "Hopper",
    "Turing",
    "Dijkstra",
    "Liskov",
    "Knuth",
    "Hamilton",
    "Thompson",
    "Allen",
    "McCarthy",
    "Perlman",
    "Berners-Lee",
    "Lamarr",
    "Shannon",
    "Johnson",
    "Ritchie",
    "Wilson",
    "Torvalds",
    "Borg",
    "van Rossum",
]


@dataclasses.dataclass(frozen=True)
class User:
    """A licensed user of the sandbox account."""

    id: str
    email: str
    first_name: str
    last_name: str
    timezone: str = "UTC"

    @property
    def display_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@dataclasses.dataclass
class Instance:
    """One held occurrence of a meeting: its UUID, times and how its participants behave."""

    uuid: str
    meeting: Meeting
    start_time: dt.datetime
    minutes: int
    people: int
    seed: int
    exact_rows: int | None = None
    _rows: list[dict[str, Any]] | None = dataclasses.field(default=None, repr=False)
    _json: dict[str, list[bytes]] = dataclasses.field(default_factory=dict, repr=False)
    _summary: dict[str, Any] | None = dataclasses.field(default=None, repr=False)

    @property
    def end_time(self) -> dt.datetime:
        return self.start_time + dt.timedelta(minutes=self.minutes)

    def row_json(self, with_registrant: bool) -> list[bytes]:
        """Each row serialized once (with or without ``registrant_id``), so pages are cheap to send."""
        key = "with" if with_registrant else "without"
        if key not in self._json:
            self._json[key] = [
                json.dumps(
                    {k: v for k, v in row.items() if with_registrant or k != "registrant_id"},
                    separators=(",", ":"),
                ).encode()
                for row in self.rows()
            ]
        return self._json[key]

    def rows(self) -> list[dict[str, Any]]:
        """The report's participant rows (join events), built once, registrant_id included."""
        if self._rows is None:
            self._rows = _participant_rows(self)
        return self._rows

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
            "start_time": _iso(self.start_time),
            "end_time": _iso(self.end_time),
            "duration": self.minutes,
            "total_minutes": sum(int(r["duration"]) for r in self.rows()) // 60,
            "participants_count": self.people,
            "dept": "",
            "source": "Zoom",
        }


@dataclasses.dataclass
class Meeting:
    """A meeting number with one or more instances (recurring meetings have several)."""

    id: int
    topic: str
    host: User
    type: int
    instances: list[Instance] = dataclasses.field(default_factory=list)


def _iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _uuid(rng: random.Random, shape: str = "plain") -> str:
    """A 24-character instance UUID like Zoom's; ``shape`` forces a leading "/" or a "//"."""
    while True:
        text = base64.b64encode(rng.randbytes(16)).decode()
        if shape == "slash-first":
            return "/" + text[1:]
        if shape == "double-slash":
            return text[:7] + "//" + text[9:]
        if not text.startswith("/") and "//" not in text:
            return text


class SandboxData:
    """The sandbox account's users and meetings.

    Parameters
    ----------
    seed : int
        Everything random derives from it.
    today : datetime.date, optional
        The anchor day; meetings lie in the weeks before it (default: today, UTC).
    """

    #: Stable meeting numbers that docs, notebooks and tests name.
    TEAM_SYNC = 85746065432
    LECTURE = 91234567890
    ALL_HANDS = 81122334455
    CONFERENCE = 86420086420
    ONE_ON_ONE = 83300000001
    EMPTY_ROOM = 83300000002
    JUST_ENDED = 83300000003

    def __init__(self, seed: int = 0, today: dt.date | None = None) -> None:
        self.seed = seed
        self.today = today or dt.datetime.now(dt.timezone.utc).date()
        rng = random.Random(seed)
        self.users = [
            User(
                id=base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22],
                email=email,
                first_name=first,
                last_name=last,
                timezone=tz,
            )
            for email, first, last, tz in [
                ("owner@example.com", "Olivia", "Owner", "America/New_York"),
                ("teacher@example.com", "Tariq", "Teacher", "Europe/Berlin"),
                ("events@example.com", "Eve", "Events", "UTC"),
                ("hr@example.com", "Hiro", "Resources", "Asia/Tokyo"),
            ]
        ]
        self.meetings: dict[int, Meeting] = {}
        self.instances: dict[str, Instance] = {}
        owner, teacher, events, hr = self.users
        anchor = dt.datetime.combine(self.today, dt.time(15, 0), tzinfo=dt.timezone.utc)
        # Weekly sync: 6 instances, one UUID starting with "/" and one containing "//".
        shapes = ["plain", "slash-first", "plain", "double-slash", "plain", "plain"]
        self._add(
            rng,
            self.TEAM_SYNC,
            "Weekly team sync",
            owner,
            8,
            [(anchor - dt.timedelta(days=7 * (6 - k)), 30, 12, shapes[k]) for k in range(6)],
        )
        self._add(
            rng,
            self.LECTURE,
            "Statistics 101 lecture",
            teacher,
            8,
            [(anchor - dt.timedelta(days=3 * (8 - k), hours=6), 90, 60, "plain") for k in range(8)],
        )
        self._add(
            rng,
            self.ALL_HANDS,
            "Company all-hands",
            events,
            2,
            [(anchor - dt.timedelta(days=10, hours=-2), 60, 1000, "plain")],
        )
        conference = self._add(
            rng,
            self.CONFERENCE,
            "Conference day",
            events,
            2,
            [(anchor - dt.timedelta(days=20, hours=7), 480, 12000, "plain")],
        )
        conference.instances[0].exact_rows = 20000
        self._add(rng, self.ONE_ON_ONE, "Quick 1:1", hr, 2, [(anchor - dt.timedelta(days=2), 20, 2, "plain")])
        # Everyone left before the report was taken: a report with zero rows.
        self._add(rng, self.EMPTY_ROOM, "Empty room", hr, 2, [(anchor - dt.timedelta(days=1), 5, 0, "plain")])
        # Ended ten minutes before the sandbox started: its report is still provisional.
        just_now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(minutes=40)
        self._add(rng, self.JUST_ENDED, "Stand-up that just ended", owner, 2, [(just_now, 30, 6, "plain")])
        topics = [
            "Budget review",
            "Design critique",
            "Office hours",
            "Sprint planning",
            "Reading group",
            "Customer call",
            "Onboarding",
            "Retrospective",
        ]
        for k in range(24):
            host = self.users[k % len(self.users)]
            number = 80000000000 + rng.randrange(10**10)
            start = anchor - dt.timedelta(days=rng.randrange(1, 150), hours=rng.randrange(0, 8))
            self._add(
                rng,
                number,
                topics[k % len(topics)],
                host,
                2,
                [(start, rng.choice([15, 30, 45, 60]), rng.randrange(2, 40), "plain")],
            )

    def _add(
        self,
        rng: random.Random,
        number: int,
        topic: str,
        host: User,
        kind: int,
        held: list[tuple[dt.datetime, int, int, str]],
    ) -> Meeting:
        meeting = Meeting(id=number, topic=topic, host=host, type=kind)
        for start, minutes, people, shape in held:
            instance = Instance(
                uuid=_uuid(rng, shape),
                meeting=meeting,
                start_time=start,
                minutes=minutes,
                people=people,
                seed=rng.randrange(2**32),
            )
            meeting.instances.append(instance)
            self.instances[instance.uuid] = instance
        self.meetings[number] = meeting
        return meeting

    def user(self, user_id: str) -> User | None:
        """Find a user by id, email, or ``me`` (the account owner)."""
        if user_id == "me":
            return self.users[0]
        return next((u for u in self.users if user_id in (u.id, u.email)), None)

    def latest_instance(self, number: int) -> Instance | None:
        """The most recent instance of a meeting number (what Zoom answers for a bare id)."""
        meeting = self.meetings.get(number)
        return max(meeting.instances, key=lambda i: i.start_time) if meeting else None


def _participant_rows(instance: Instance) -> list[dict[str, Any]]:
    """Join events like Zoom's report: rejoins, waiting room, breakout rooms, guests, failovers."""
    rng = random.Random(instance.seed)
    start, end = instance.start_time, instance.end_time
    span = int((end - start).total_seconds())
    rooms = [base64.b64encode(rng.randbytes(12)).decode() for _ in range(4)] if instance.people >= 20 else []
    rows: list[dict[str, Any]] = []
    next_user_id = 16778240 + rng.randrange(10**6)
    person = 0
    target = instance.exact_rows
    while (target is None and person < instance.people) or (target is not None and len(rows) < target):
        guest = person > 0 and rng.random() < 0.2
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        name = f"{first} {last}" if person else instance.meeting.host.display_name
        email = (
            ""
            if guest
            else (
                instance.meeting.host.email
                if person == 0
                else f"{first}.{last}.{person}@example.com".lower().replace(" ", "")
            )
        )
        account_id = "" if guest else base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22]
        registrant = (
            "" if guest or rng.random() < 0.5 else base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22]
        )
        arrive = start + dt.timedelta(seconds=rng.randrange(-120, max(1, span // 6)))
        stints: list[tuple[dt.datetime, dt.datetime, str, str]] = []
        if person and rng.random() < 0.1:  # admitted from the waiting room after a short wait
            admitted = arrive + dt.timedelta(seconds=rng.randrange(10, 180))
            stints.append((arrive, admitted, "in_waiting_room", ""))
            arrive = admitted
        leave = min(end, arrive + dt.timedelta(seconds=rng.randrange(span // 3 + 60, span + 300)))
        if rng.random() < 0.25 and (leave - arrive).total_seconds() > 600:  # dropped and rejoined
            drop = arrive + (leave - arrive) * rng.uniform(0.2, 0.6)
            stints.append((arrive, drop, "in_meeting", ""))
            arrive = drop + dt.timedelta(seconds=rng.randrange(5, 120))
        if rooms and rng.random() < 0.5 and (leave - arrive).total_seconds() > 900:  # a breakout stint
            out = arrive + (leave - arrive) * 0.4
            back = out + (leave - out) * 0.5
            stints += [(arrive, out, "in_meeting", ""), (out, back, "in_meeting", rng.choice(rooms))]
            arrive = back
        stints.append((arrive, max(leave, arrive + dt.timedelta(seconds=1)), "in_meeting", ""))
        for joined, left, status, room in stints:
            rows.append(
                {
                    "customer_key": "",
                    "duration": int((left - joined).total_seconds()),
                    "failover": rng.random() < 0.01,
                    "id": account_id,
                    "join_time": _iso(joined),
                    "leave_time": _iso(left),
                    "name": name,
                    "registrant_id": registrant,
                    "status": status,
                    "user_email": email,
                    "user_id": str(next_user_id),
                    "bo_mtg_id": room,
                    "participant_user_id": account_id,
                }
            )
            next_user_id += 1
        person += 1
    if target is not None:
        del rows[target:]
    return rows
