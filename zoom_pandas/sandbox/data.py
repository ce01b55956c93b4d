"""Deterministic synthetic Zoom data: users, recurring meetings and webinars, their instances.

The term's users and meetings (:mod:`zoom_pandas.sandbox.term`), then the bulk meetings
(:mod:`.bulk`) and an instant meeting (:mod:`.instant`) are added last, each from its own generator.

Everything derives from one seed and one anchor day, so the same sandbox answers the same way in
every test, notebook and benchmark. Participant rows (:mod:`zoom_pandas.sandbox.rows`) are built
on first use and kept.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import random

from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.bulk import add_bulk, parse_bulk
from zoom_pandas.sandbox.instances import Instance, Meeting, latest
from zoom_pandas.sandbox.instant import add_instant
from zoom_pandas.sandbox.rows import instance_uuid
from zoom_pandas.sandbox.term import add_term

__all__ = ["Instance", "Meeting", "SandboxData", "User"]


class SandboxData:
    """The sandbox account's users, meetings and webinars.

    Meetings and webinars live in separate dicts, as Zoom keeps them in separate namespaces:
    a webinar number is unknown to the meeting routes and vice versa.

    Parameters
    ----------
    seed : int
        Everything random derives from it.
    today : datetime.date, optional
        The anchor day; meetings lie in the weeks before it (default: today, UTC).
    bulk : (int, int), optional
        Add this many single-instance meetings of exactly this many rows each, hosted by
        ``bulk@example.com`` (:mod:`zoom_pandas.sandbox.bulk`). Default: none.
    """

    #: Stable meeting numbers that docs, notebooks and tests name.
    TEAM_SYNC = 85746065432
    LECTURE = 91234567890
    ALL_HANDS = 81122334455
    CONFERENCE = 86420086420
    ONE_ON_ONE = 83300000001
    EMPTY_ROOM = 83300000002
    JUST_ENDED = 83300000003
    #: The term's weekly course (14 sessions, held by TEACHER; see :mod:`.term`).
    COURSE = 92014201400
    #: An instant meeting (type 1) math.teacher@example.com started (see :mod:`.instant`).
    INSTANT_MEETING = 83300000004
    #: The course's teacher: ``me`` of ``Sandbox(app="host")``.
    TEACHER = "ds.teacher@example.com"
    #: Stable webinar numbers (held by events@example.com).
    WEBINAR_SERIES = 94455667788
    BIG_WEBINAR = 96677889900

    def __init__(
        self, seed: int = 0, today: dt.date | None = None, bulk: tuple[int, int] | str | None = None
    ) -> None:
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
        self.users[0] = dataclasses.replace(self.users[0], role="Owner")
        self.meetings: dict[int, Meeting] = {}
        self.instances: dict[str, Instance] = {}
        self.webinars: dict[int, Meeting] = {}
        self.webinar_instances: dict[str, Instance] = {}
        owner, teacher, events, hr = self.users
        anchor = dt.datetime.combine(self.today, dt.time(15, 0), tzinfo=dt.timezone.utc)
        # Weekly sync: 6 instances, one UUID starting with "/" and one containing "//".
        shapes = ["plain", "slash-first", "plain", "double-slash", "plain", "plain"]
        self.add(
            rng,
            self.TEAM_SYNC,
            "Weekly team sync",
            owner,
            8,
            [(anchor - dt.timedelta(days=7 * (6 - k)), 30, 12, shapes[k]) for k in range(6)],
        )
        self.add(
            rng,
            self.LECTURE,
            "Statistics 101 lecture",
            teacher,
            8,
            [(anchor - dt.timedelta(days=3 * (8 - k), hours=6), 90, 60, "plain") for k in range(8)],
        )
        self.add(
            rng,
            self.ALL_HANDS,
            "Company all-hands",
            events,
            2,
            [(anchor - dt.timedelta(days=10, hours=-2), 60, 1000, "plain")],
        )
        conference = self.add(
            rng,
            self.CONFERENCE,
            "Conference day",
            events,
            2,
            [(anchor - dt.timedelta(days=20, hours=7), 480, 12000, "plain")],
        )
        conference.instances[0].exact_rows = 20000
        self.add(rng, self.ONE_ON_ONE, "Quick 1:1", hr, 2, [(anchor - dt.timedelta(days=2), 20, 2, "plain")])
        # Everyone left before the report was taken: a report with zero rows.
        self.add(rng, self.EMPTY_ROOM, "Empty room", hr, 2, [(anchor - dt.timedelta(days=1), 5, 0, "plain")])
        # Ended ten minutes before the sandbox started: its report is still provisional.
        just_now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0) - dt.timedelta(minutes=40)
        self.add(rng, self.JUST_ENDED, "Stand-up that just ended", owner, 2, [(just_now, 30, 6, "plain")])
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
            self.add(
                rng,
                number,
                topics[k % len(topics)],
                host,
                2,
                [(start, rng.choice([15, 30, 45, 60]), rng.randrange(2, 40), "plain")],
            )
        self._add_webinars(anchor, events)
        add_term(self, self.COURSE)
        if bulk is not None:
            add_bulk(self, *parse_bulk(bulk))
        add_instant(self, self.INSTANT_MEETING)

    def _add_webinars(self, anchor: dt.datetime, host: User) -> None:
        """Webinars draw from their own generator, so adding them left every meeting unchanged."""
        rng = random.Random(f"webinars:{self.seed}")
        # Weekly webinar: 4 instances, one UUID starting with "/" and one containing "//".
        shapes = ["plain", "slash-first", "double-slash", "plain"]
        held = [(anchor - dt.timedelta(days=7 * (4 - k), hours=-2), 60, 40, shapes[k]) for k in range(4)]
        self.add(rng, self.WEBINAR_SERIES, "Weekly product webinar", host, 9, held)
        big = [(anchor - dt.timedelta(days=5), 90, 1100, "plain")]
        self.add(rng, self.BIG_WEBINAR, "Annual keynote webinar", host, 5, big).instances[0].exact_rows = 2500

    def add(
        self,
        rng: random.Random,
        number: int,
        topic: str,
        host: User,
        kind: int,
        held: list[tuple[dt.datetime, int, int, str]],
    ) -> Meeting:
        """Add a meeting or webinar (by ``kind``) with one instance per ``(start, minutes, people, shape)``.

        ``rng`` draws each instance's UUID (``shape``: "plain", "slash-first", "double-slash")
        and row seed, in order, so one generator per part of the account keeps the others stable.
        """
        meeting = Meeting(id=number, topic=topic, host=host, type=kind)
        meetings, instances = (
            (self.webinars, self.webinar_instances) if meeting.is_webinar else (self.meetings, self.instances)
        )
        for start, minutes, people, shape in held:
            instance = Instance(
                uuid=instance_uuid(rng, shape),
                meeting=meeting,
                start_time=start,
                minutes=minutes,
                people=people,
                seed=rng.randrange(2**32),
            )
            meeting.instances.append(instance)
            instances[instance.uuid] = instance
        meetings[number] = meeting
        return meeting

    def user(self, user_id: str) -> User | None:
        """Find a user by id, email, or ``me`` (the account owner)."""
        if user_id == "me":
            return self.users[0]
        return next((u for u in self.users if user_id in (u.id, u.email)), None)

    def latest_instance(self, number: int) -> Instance | None:
        """The most recent instance of a meeting number (what Zoom answers for a bare id)."""
        return latest(self.meetings.get(number))

    def latest_webinar_instance(self, number: int) -> Instance | None:
        """The most recent instance of a webinar number (what Zoom answers for a bare id)."""
        return latest(self.webinars.get(number))
