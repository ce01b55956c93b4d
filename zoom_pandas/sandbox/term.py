"""A term of meetings for more hosts: teachers, a researcher, a team lead, a support lead.

Everything here draws from its own generator (``random.Random(f"term:{seed}")``), so adding the
term left every earlier user, meeting, instance UUID and row unchanged. The term spans the 13
weeks before the anchor day (inside Zoom's six-month report reach); every instance ended before
that day began. Recurring meetings have a roster: the same students or colleagues join week after
week (each with their own habit: steady, patchy, or fading away mid-term), so attendance over a
course means something; when and how each one joins (late, rejoining, waiting room, breakout
rooms) comes from the row generator as for every meeting.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.rows import FIRST_NAMES, LAST_NAMES, Person, random_id

if TYPE_CHECKING:
    from zoom_pandas.sandbox.data import SandboxData

__all__ = ["TERM_WEEKS", "add_term", "free_number"]

#: Weeks the term spans before the anchor day (the weekly course has TERM_WEEKS + 1 sessions).
TERM_WEEKS = 13

#: (email, first name, last name, time zone, department, status) of the term's users.
_USERS = (
    ("ds.teacher@example.com", "Dana", "Datta", "Europe/London", "Data Science", "active"),
    ("math.teacher@example.com", "Marco", "Rossi", "Europe/Rome", "Mathematics", "active"),
    ("writing.teacher@example.com", "Priya", "Nair", "Asia/Kolkata", "Languages", "active"),
    ("researcher@example.com", "Ren", "Tanaka", "Asia/Tokyo", "Research", "active"),
    ("team.lead@example.com", "Sam", "Okafor", "Africa/Lagos", "Engineering", "active"),
    ("support.lead@example.com", "Léa", "Martin", "Europe/Paris", "Customer Success", "active"),
    ("former.teacher@example.com", "Felix", "Bauer", "Europe/Vienna", "Computer Science", "inactive"),
    ("new.hire@example.com", "Nora", "Novak", "America/Chicago", "Engineering", "pending"),
)

#: A person's attendance habit: (chance before the week they fade, chance after, that week).
_Habit = tuple[float, float, int]


def _users(rng: random.Random, today: dt.date) -> list[User]:
    """The term's users; ``created`` says when each joined the account."""
    created = {"active": 120, "inactive": 400, "pending": 3}
    return [
        User(
            id=random_id(rng),
            email=email,
            first_name=first,
            last_name=last,
            timezone=tz,
            status=status,
            role="Member",
            dept=dept,
            created=f"{today - dt.timedelta(days=created[status])}T08:00:00Z",
        )
        for email, first, last, tz, dept, status in _USERS
    ]


def _people(rng: random.Random, students: int, staff: int) -> tuple[list[Person], list[Person]]:
    """A pool of students and one of staff: distinct names, one Zoom account each."""
    names = [(f, last) for f in FIRST_NAMES for last in LAST_NAMES]
    chosen = rng.sample(names, students + staff)

    def person(first: str, last: str, domain: str) -> Person:
        email = f"{first}.{last}@{domain}".lower().replace(" ", "")
        registrant = random_id(rng) if rng.random() < 0.5 else ""
        return Person(f"{first} {last}", email, random_id(rng), registrant)

    return (
        [person(f, last, "students.example.com") for f, last in chosen[:students]],
        [person(f, last, "example.com") for f, last in chosen[students:]],
    )


def _habits(rng: random.Random, count: int, steady: float) -> list[_Habit]:
    """Most people come steadily, some now and then, a few stop coming partway through."""
    habits: list[_Habit] = []
    for _ in range(count):
        kind = rng.random()
        if kind < 0.6:
            habits.append((steady, steady, 99))
        elif kind < 0.88:
            habits.append((steady * 0.75, steady * 0.75, 99))
        else:
            habits.append((steady, 0.15, rng.randrange(3, 10)))
    return habits


def _guest(rng: random.Random) -> Person:
    """Someone without a Zoom account (no email): a visitor, a prospective student."""
    return Person(f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)} (guest)", "", "")


def free_number(rng: random.Random, data: SandboxData) -> int:
    """A meeting number no meeting or webinar of the account has."""
    while True:
        number = rng.randrange(81_000_000_000, 90_000_000_000)
        if number not in data.meetings and number not in data.webinars:
            return number


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=dt.timezone.utc)


def _series(
    data: SandboxData,
    rng: random.Random,
    number: int,
    topic: str,
    host: User,
    held: list[tuple[dt.datetime, int]],
    roster: list[Person],
    habits: list[_Habit],
    guests: float = 0.0,
) -> None:
    """A recurring meeting (type 8) whose sessions the roster attends by habit, plus the odd guest."""
    present: list[tuple[Person, ...]] = []
    for week in range(len(held)):
        came = [
            p
            for p, (before, after, fade) in zip(roster, habits, strict=True)
            if rng.random() < (before if week < fade else after)
        ]
        while rng.random() < guests and len(came) < len(roster) + 3:
            came.append(_guest(rng))
        present.append(tuple(came))
    sessions = [
        (start, minutes, len(people) + 1, "plain")
        for (start, minutes), people in zip(held, present, strict=True)
    ]
    meeting = data.add(rng, number, topic, host, 8, sessions)
    for instance, people in zip(meeting.instances, present, strict=True):
        instance.roster = people


def add_term(data: SandboxData, course: int) -> None:
    """Add the term's users and meetings to ``data``; ``course`` is the weekly course's number.

    Parameters
    ----------
    data : SandboxData
        The account; its ``seed`` and ``today`` drive the term.
    course : int
        The stable number of the weekly course (14 sessions, the last one two days before today).
    """
    rng = random.Random(f"term:{data.seed}")
    users = _users(rng, data.today)
    data.users.extend(users)
    dana, marco, priya, ren, sam, lea, felix, _pending = users
    students, staff = _people(rng, 80, 20)
    last = data.today - dt.timedelta(days=2)  # the course's last session
    weeks = [last - dt.timedelta(weeks=TERM_WEEKS - k) for k in range(TERM_WEEKS + 1)]

    seminar = rng.sample(students, 38)
    held = [(_at(day, 9), 90) for day in weeks]
    _series(data, rng, course, "Data Science 201 seminar", dana, held, seminar, _habits(rng, 38, 0.93), 0.3)
    held = [(_at(day + dt.timedelta(days=1), 14), 60) for day in weeks]
    hours = _habits(rng, 38, 0.12)
    _series(data, rng, free_number(rng, data), "Data Science 201 office hours", dana, held, seminar, hours)

    algebra = rng.sample(students, 24)
    held = [(_at(day - dt.timedelta(days=d), 16), 60) for day in weeks[1:] for d in (3, 0)]
    _series(
        data,
        rng,
        free_number(rng, data),
        "Linear algebra tutorial",
        marco,
        held,
        algebra,
        _habits(rng, 24, 0.85),
    )

    writing = rng.sample(students, 16)
    held = [(_at(day - dt.timedelta(days=1), 13), 120) for day in weeks[1:]]
    _series(
        data,
        rng,
        free_number(rng, data),
        "Academic writing workshop",
        priya,
        held,
        writing,
        _habits(rng, 16, 0.88),
        0.1,
    )

    lab = staff[:9]
    held = [(_at(day - dt.timedelta(days=2), 7), 60) for day in weeks[1:]]
    _series(data, rng, free_number(rng, data), "Lab meeting", ren, held, lab, _habits(rng, 9, 0.9))
    for k in range(10):  # interviews: one number each; a no-show leaves the researcher alone
        day = weeks[1] + dt.timedelta(days=rng.randrange(0, 7 * (TERM_WEEKS - 1)))
        people = 1 if rng.random() < 0.2 else 2
        data.add(
            rng,
            free_number(rng, data),
            f"Interview study session {k + 1}",
            ren,
            2,
            [(_at(day, 11), 45, people, "plain")],
        )

    team = staff[9:17]
    days = [weeks[0] + dt.timedelta(days=d) for d in range(1, (data.today - weeks[0]).days)]
    held = [(_at(day, 8, 30), 15) for day in days if day.weekday() < 5]
    _series(data, rng, free_number(rng, data), "Daily stand-up", sam, held, team, _habits(rng, 8, 0.9))
    held = [(_at(weeks[k] + dt.timedelta(days=1), 15), 60) for k in range(1, TERM_WEEKS + 1, 2)]
    _series(data, rng, free_number(rng, data), "Sprint retrospective", sam, held, team, _habits(rng, 8, 0.95))

    clinics = [(_at(day, 12), 45, rng.randrange(4, 16), "plain") for day in weeks[1:]]  # new faces each week
    data.add(rng, free_number(rng, data), "Customer onboarding clinic", lea, 8, clinics)

    python = rng.sample(students, 20)
    held = [(_at(day + dt.timedelta(days=1), 10), 60) for day in weeks[:4]]
    _series(
        data,
        rng,
        free_number(rng, data),
        "Intro to Python (discontinued)",
        felix,
        held,
        python,
        _habits(rng, 20, 0.85),
    )
