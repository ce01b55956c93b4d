"""Synthetic participant rows (join events) for the sandbox's meeting and webinar reports.

Split from :mod:`zoom_pandas.sandbox.data` so each module stays short; the draws here are the
same, in the same order, as before the split, so every seed still yields the same rows.
"""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import random
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoom_pandas.sandbox.data import Instance

__all__ = ["FIRST_NAMES", "LAST_NAMES", "Person", "instance_uuid", "iso", "participant_rows", "random_id"]

FIRST_NAMES = [
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
LAST_NAMES = [
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
class Person:
    """Someone on a meeting's roster: the same name, email and Zoom account every time they join.

    A guest (no Zoom account) has "" as ``email`` and ``account_id``.
    """

    name: str
    email: str
    account_id: str
    registrant_id: str = ""


def random_id(rng: random.Random) -> str:
    """A 22-character id like Zoom's user and registrant ids."""
    return base64.urlsafe_b64encode(rng.randbytes(16)).decode()[:22]


def instance_uuid(rng: random.Random, shape: str = "plain") -> str:
    """A 24-character instance UUID like Zoom's; ``shape`` forces a leading "/" or a "//"."""
    while True:
        text = base64.b64encode(rng.randbytes(16)).decode()
        if shape == "slash-first":
            return "/" + text[1:]
        if shape == "double-slash":
            return text[:7] + "//" + text[9:]
        if not text.startswith("/") and "//" not in text:
            return text


def iso(moment: dt.datetime) -> str:
    """A UTC time as Zoom writes it: ``2024-03-01T15:00:00Z``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def participant_rows(instance: Instance) -> list[dict[str, Any]]:
    """Join events like Zoom's report: rejoins, waiting room, breakout rooms, guests, failovers.

    Parameters
    ----------
    instance : Instance
        The meeting or webinar instance; its ``seed`` drives every draw. With a ``roster`` the
        host and exactly the people on it join (who they are is not drawn; when and how is).

    Returns
    -------
    list of dict
        One dict per join event with the report's fields (``registrant_id`` included). Webinar
        rows have no ``bo_mtg_id``: Zoom's webinar report has no breakout rooms.
    """
    rng = random.Random(instance.seed)
    webinar = instance.meeting.is_webinar
    start, end = instance.start_time, instance.end_time
    span = int((end - start).total_seconds())
    with_rooms = not webinar and instance.people >= 20
    rooms = [base64.b64encode(rng.randbytes(12)).decode() for _ in range(4)] if with_rooms else []
    roster = instance.roster
    rows: list[dict[str, Any]] = []
    next_user_id = 16778240 + rng.randrange(10**6)
    person = 0
    target = instance.exact_rows
    people = instance.people if roster is None else len(roster) + 1
    while (target is None and person < people) or (target is not None and len(rows) < target):
        if roster is not None and person > 0:  # the same people every week: no draw for who they are
            who = roster[person - 1]
            name, email, account_id, registrant = who.name, who.email, who.account_id, who.registrant_id
        else:
            guest = person > 0 and rng.random() < 0.2
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
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
            account_id = "" if guest else random_id(rng)
            registrant = "" if guest or rng.random() < 0.5 else random_id(rng)
            if roster is not None:  # the host of a recurring class is the same account every week
                account_id, registrant = instance.meeting.host.id, ""  # (the draws above still happen)
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
            row: dict[str, Any] = {
                "customer_key": "",
                "duration": int((left - joined).total_seconds()),
                "failover": rng.random() < 0.01,
                "id": account_id,
                "join_time": iso(joined),
                "leave_time": iso(left),
                "name": name,
                "registrant_id": registrant,
                "status": status,
                "user_email": email,
                "user_id": str(next_user_id),
            }
            if not webinar:  # the key order of Zoom's meeting report: bo_mtg_id before participant_user_id
                row["bo_mtg_id"] = room
            row["participant_user_id"] = account_id
            rows.append(row)
            next_user_id += 1
        person += 1
    if target is not None:
        del rows[target:]
    return rows
