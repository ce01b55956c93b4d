"""``df.zoom`` on random participants frames, checked against an independent oracle.

Hypothesis draws frames of 1-3 meetings, up to 8 people and 40 rows: overlapping, touching and
gapped intervals at whole seconds, waiting-room rows, breakout rows, missing leave times (and leaves
before joins), people known by an account, an email (in any case, with spaces), a registration or
only a name (shared names included), with or without ``attrs["meetings"]``, meeting or webinar
reports, in each dtype flavour. The oracle re-implements the documented rules on plain Python rows
with the ``portion`` interval library (``[a, b) | [b, c)`` is ``[a, c)``: touching merges) and
never calls the library's helpers.
"""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Sequence
from typing import Any

import hypothesis
import pandas as pd
import portion
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

import zoom_pandas  # noqa: F401  (registers df.zoom)
from tests.unit._frames import BACKENDS, frame

#: The documented person key: the first of these a row has (email lower-cased, all trimmed).
PERSON_KEYS = ("participant_user_id", "user_email", "registrant_id", "name")
#: 2024-03-04 10:00 UTC in microseconds; meeting i is held i days later.
BASE = pd.Timestamp("2024-03-04 10:00", tz="UTC").value // 1000
SECOND = 1_000_000
DAY = 86_400 * SECOND


@dataclasses.dataclass(frozen=True)
class Case:
    """A drawn frame: its rows, its ``attrs["meetings"]`` and how to read it."""

    rows: tuple[dict[str, Any], ...]
    meetings: tuple[dict[str, Any], ...]
    webinar: bool
    backend: str
    by: str | None
    gap: int | None  # seconds

    def frame(self) -> pd.DataFrame:
        return frame(self.rows, meetings=self.meetings or None, webinar=self.webinar, backend=self.backend)


def moment(micros: int) -> pd.Timestamp:
    when: pd.Timestamp = pd.Timestamp(micros * 1000, tz="UTC")
    return when


def iso(micros: int) -> str:
    return moment(micros).strftime("%Y-%m-%dT%H:%M:%SZ")


# Strategies made once (a strategy built inside the draw loop costs more than the draw itself).
JOIN = st.one_of(st.integers(-5, 90).map(lambda m: 60 * m), st.integers(-300, 5400))  # seconds
LENGTH = st.one_of(st.integers(1, 45).map(lambda m: 60 * m), st.integers(1, 3000))
ENDING = st.sampled_from(["leave"] * 8 + ["missing", "before"])
STATUS = st.sampled_from(["in_meeting"] * 5 + ["in_waiting_room"] * 2 + [None])
ROOM = st.sampled_from([None, None, None, "", "room-1", "room-2"])
NAME = st.sampled_from(["Ann", "Bob", "Sam", "Guest", "Lee"])  # shared names
ABSENT = st.sampled_from([None, None, ""])
SPELLING = st.integers(0, 7)  # 0-3: as it is, 4-5: another spelling, 6: None, 7: ""
BACKEND = st.sampled_from(BACKENDS)
BY = st.sampled_from([None, None, "name"])
GAP = st.sampled_from([None, None, None, 0, 60, 180, 600])
NO_ONE = {"name": None, "puid": None, "email": None, "registrant": None}


def spelled(draw: st.DrawFn, value: str | None, variants: Sequence[str]) -> str | None:
    """``value`` as a row gives it: sometimes absent (None or ""), sometimes in another spelling."""
    if value is None:
        return draw(ABSENT)
    pick = draw(SPELLING)
    if pick < 4 or (pick < 6 and not variants):
        return value
    if pick < 6:
        return variants[draw(st.integers(0, len(variants) - 1))]
    return None if pick == 6 else ""


@st.composite
def cases(draw: st.DrawFn) -> Case:
    meeting_count = draw(st.integers(1, 3))
    webinar = draw(st.booleans())
    people = []
    for i in range(draw(st.integers(1, 8))):
        people.append(
            {
                "name": draw(NAME),
                "puid": f"u-{i}" if draw(st.integers(0, 2)) == 0 else None,
                "email": f"p{i}@example.org" if draw(st.booleans()) else None,
                "registrant": f"reg-{i}" if draw(st.integers(0, 2)) == 0 else None,
            }
        )
    rows: list[dict[str, Any]] = []
    ends: dict[int, list[int]] = {m: [] for m in range(meeting_count)}
    for _ in range(draw(st.integers(1, 40))):
        number = draw(st.integers(0, meeting_count - 1))
        if ends[number] and draw(st.integers(0, 3)) == 0:
            join = ends[number][draw(st.integers(0, len(ends[number]) - 1))]  # touching an earlier row
        else:
            join = BASE + number * DAY + SECOND * draw(JOIN)
        ending = draw(ENDING)
        leave = {"leave": join + SECOND * draw(LENGTH), "missing": None, "before": join - 60 * SECOND}[ending]
        if leave is not None:
            ends[number].append(leave)
        keyless = draw(st.integers(0, 15)) == 0  # a row without any key: left out of the answers
        person = NO_ONE if keyless else people[draw(st.integers(0, len(people) - 1))]
        name, email = person["name"], person["email"]
        rows.append(
            {
                "meeting_uuid": f"mtg-{number}",
                "meeting_id": 91_000_000_000 + number,
                "join_time": moment(join),
                "leave_time": None if leave is None else moment(leave),
                "name": None if keyless else spelled(draw, name, [f" {name}", f"{name} "]),
                "participant_user_id": spelled(draw, person["puid"], []),
                "user_email": spelled(
                    draw, email, [email.upper(), f" {email} ", email.title()] if email else []
                ),
                "registrant_id": spelled(draw, person["registrant"], []),
                "status": draw(STATUS),
                "bo_mtg_id": None if webinar else draw(ROOM),
            }
        )
    meetings = []
    for number in range(meeting_count):
        if draw(st.booleans()):
            start = BASE + number * DAY + 60 * SECOND * draw(st.integers(-10, 10))
            end = BASE + number * DAY + 60 * SECOND * draw(st.integers(30, 120))
            meetings.append(
                {
                    "meeting_uuid": f"mtg-{number}",
                    "meeting_id": 91_000_000_000 + number,
                    "topic": f"Topic {number}",
                    "start_time": iso(start),
                    "end_time": iso(end),
                }
            )
    return Case(
        rows=tuple(rows),
        meetings=tuple(meetings),
        webinar=webinar,
        backend=draw(BACKEND),
        by=draw(BY),
        gap=draw(GAP),
    )


# -- the oracle -------------------------------------------------------------------


def clean(value: str | None, lower: bool = False) -> str | None:
    """Trimmed (and lower-cased) text; None for missing or blank."""
    if value is None:
        return None
    text = value.strip().lower() if lower else value.strip()
    return text or None


def person_of(given: dict[str, Any], by: str | None) -> tuple[str | None, str | None]:
    """The documented person key of a row, and the column it came from."""
    if by is not None:
        key = clean(given.get(by))
        return key, by if key is not None else None
    for column in PERSON_KEYS:
        key = clean(given.get(column), lower=column == "user_email")
        if key is not None:
            return key, column
    return None, None


def micros(value: pd.Timestamp | None) -> int | None:
    return None if value is None else int(value.value // 1000)


def length(interval: portion.Interval) -> int:
    """The total length of a union of closed-open intervals."""
    return sum(atomic.upper - atomic.lower for atomic in interval)


@dataclasses.dataclass
class Row:
    meeting: str
    person: str | None
    source: str | None
    join: int
    leave: int  # after the missing-leave and leave-before-join rules
    waiting: bool
    breakout: bool
    name: str | None
    email: str | None


def oracle_rows(case: Case, by: str | None) -> tuple[list[Row], dict[str, tuple[int | None, int | None]]]:
    """Every row with its person and its fixed interval; each meeting's window (start, end)."""
    known = {
        entry["meeting_uuid"]: (
            micros(pd.Timestamp(entry["start_time"])),
            micros(pd.Timestamp(entry["end_time"])),
        )
        for entry in case.meetings
    }
    windows: dict[str, tuple[int | None, int | None]] = {}
    for uuid in dict.fromkeys(given["meeting_uuid"] for given in case.rows):
        mine = [given for given in case.rows if given["meeting_uuid"] == uuid]
        # a leave before its join counts as the join (no negative lengths), also for the window's end
        leaves = [
            max(micros(g["leave_time"]), micros(g["join_time"])) for g in mine if g["leave_time"] is not None
        ]
        seen = (min(micros(g["join_time"]) for g in mine), max(leaves) if leaves else None)  # type: ignore[type-var]
        windows[uuid] = known.get(uuid, seen)
    rows = []
    for given in case.rows:
        join = micros(given["join_time"])
        assert join is not None
        end = windows[given["meeting_uuid"]][1]
        leave = micros(given["leave_time"])
        if leave is None:
            leave = end if end is not None else join
        person, source = person_of(given, by)
        waiting = clean(given["status"]) == "in_waiting_room"
        rows.append(
            Row(
                meeting=given["meeting_uuid"],
                person=person,
                source=source,
                join=join,
                leave=max(leave, join),
                waiting=waiting,
                breakout=not waiting and clean(given.get("bo_mtg_id")) is not None,
                name=given["name"],
                email=clean(given["user_email"], lower=True),
            )
        )
    return rows, windows


def union(rows: Sequence[Row]) -> portion.Interval:
    """The union of the rows' ``[join, leave)``."""
    result = portion.empty()
    for each in rows:
        result |= portion.closedopen(each.join, each.leave)
    return result


def expected_attendance(case: Case, by: str | None, gap: int | None) -> dict[tuple[str, str], dict[str, Any]]:
    """One entry per (meeting, person), as attendance() should give it."""
    rows, windows = oracle_rows(case, by)
    sources: dict[str, str | None] = {}
    groups: dict[tuple[str, str], list[Row]] = {}
    for each in rows:
        if each.person is not None:
            sources.setdefault(each.person, each.source)
            groups.setdefault((each.meeting, each.person), []).append(each)
    bridge = SECOND * (gap or 0)
    expected = {}
    for (uuid, person), mine in groups.items():
        present = [each for each in mine if not each.waiting]
        time_present = length(union(present))
        stretches = portion.empty()
        for each in present:
            stretches |= portion.closed(each.join, each.leave + bridge)  # touching (or gap apart) merges
        sessions = len(stretches)
        start, end = windows[uuid]
        first_join = min((each.join for each in present), default=None)
        meeting_length = end - start if start is not None and end is not None else 0
        expected[(uuid, person)] = {
            "person_source": sources[person],
            "name": next((each.name for each in mine if each.name is not None), None),
            "user_email": next((each.email for each in mine if each.email is not None), None),
            "first_join": first_join,
            "last_leave": max((each.leave for each in present), default=None),
            "time_present": time_present,
            "time_waiting": length(union([each for each in mine if each.waiting])),
            "time_in_breakout": length(union([each for each in present if each.breakout])),
            "sessions": sessions,
            "rejoins": max(sessions - 1, 0),
            "rows": len(mine),
            "overlap": sum(each.leave - each.join for each in present) - time_present,
            # the share counts presence inside the meeting's window only
            "share_of_meeting": length(union(present) & portion.closedopen(start, end)) / meeting_length
            if meeting_length > 0
            else math.nan,
            "late_by": None if first_join is None or start is None else max(first_join - start, 0),
        }
    return expected


def expected_concurrency(case: Case, by: str | None) -> dict[str, list[tuple[int, int]]]:
    """Per meeting, brute force: the people present just after every join or leave, where it changes."""
    rows, _ = oracle_rows(case, by)
    present = [each for each in rows if each.person is not None and not each.waiting]
    result = {}
    for uuid in dict.fromkeys(each.meeting for each in present):
        mine = [each for each in present if each.meeting == uuid]
        people = {each.person for each in mine}
        unions = [union([each for each in mine if each.person == person]) for person in people]
        level, points = 0, []
        for instant in sorted({each.join for each in mine} | {each.leave for each in mine}):
            now = sum(1 for spans in unions if instant in spans)  # [a, b): in at a, out at b
            if now != level:
                points.append((instant, now))
                level = now
        result[uuid] = points
    return result


# -- comparing -------------------------------------------------------------------


def plain(value: Any) -> Any:
    """A library cell as the oracle writes it: micros for times and lengths, None for NA."""
    if value is None or value is pd.NA or (not isinstance(value, str) and pd.isna(value)):
        return None
    if isinstance(value, pd.Timestamp):
        return int(value.value // 1000)
    if isinstance(value, pd.Timedelta):
        return int(value.value // 1000)
    return value


def check_attendance(case: Case, df: pd.DataFrame) -> None:
    attendance = df.zoom.attendance(by=case.by, gap=None if case.gap is None else f"{case.gap}s")
    expected = expected_attendance(case, case.by, case.gap)
    got = {}
    for record in attendance.to_dict("records"):
        key = (record["meeting_uuid"], record["person"])
        assert key not in got, f"two rows for {key}"
        got[key] = record
    assert set(got) == set(expected), f"people differ: {set(got) ^ set(expected)}"
    compared = list(next(iter(expected.values())).keys()) if expected else []
    for key, values in expected.items():
        for column in compared:
            want, have = values[column], plain(got[key][column])
            if column == "share_of_meeting":
                assert (want is None or math.isnan(want)) == (have is None), (
                    f"{key} {column}: {have} != {want}"
                )
                assert have is None or math.isclose(have, want, rel_tol=1e-12), (
                    f"{key} {column}: {have} != {want}"
                )
            else:
                assert have == want, f"{key} {column}: {have!r} != {want!r}"
    # meetings in frame order, people by first join (never present: last)
    order = list(dict.fromkeys(given["meeting_uuid"] for given in case.rows))
    listed = list(dict.fromkeys(attendance["meeting_uuid"]))
    assert listed == [uuid for uuid in order if uuid in listed]
    for _, mine in attendance.groupby("meeting_uuid", sort=False):
        joins = [plain(v) for v in mine["first_join"]]
        known = [j for j in joins if j is not None]
        assert known == sorted(known) and joins == known + [None] * (len(joins) - len(known))


def check_concurrency(case: Case, df: pd.DataFrame) -> None:
    concurrency = df.zoom.concurrency(by=case.by)
    got: dict[str, list[tuple[int, int]]] = {}
    for uuid, time, present in zip(
        concurrency["meeting_uuid"], concurrency["time"], concurrency["present"], strict=True
    ):
        got.setdefault(uuid, []).append((plain(time), int(present)))
    expected = expected_concurrency(case, case.by)
    assert {k: v for k, v in got.items() if v} == {k: v for k, v in expected.items() if v}


def check_summary(case: Case, df: pd.DataFrame) -> None:
    summary = df.zoom.summary()
    attendance = expected_attendance(case, None, None)
    levels = expected_concurrency(case, None)
    _, windows = oracle_rows(case, None)
    topics = {entry["meeting_uuid"]: entry["topic"] for entry in case.meetings}
    order = list(dict.fromkeys(given["meeting_uuid"] for given in case.rows))
    assert list(summary["meeting_uuid"]) == order
    for record in summary.to_dict("records"):
        uuid = record["meeting_uuid"]
        times = [v["time_present"] for (m, _), v in attendance.items() if m == uuid and v["time_present"] > 0]
        guests = [
            v
            for (m, _), v in attendance.items()
            if m == uuid and v["time_present"] > 0 and v["person_source"] == "name"
        ]
        assert plain(record["topic"]) == topics.get(uuid)
        assert (plain(record["start"]), plain(record["end"])) == windows[uuid]
        assert record["people"] == len(times) and record["guests"] == len(guests)
        assert record["rows"] == sum(1 for given in case.rows if given["meeting_uuid"] == uuid)
        assert record["peak_present"] == max((n for _, n in levels.get(uuid, [])), default=0)
        assert plain(record["median_time_present"]) == (int(statistics.median(times)) if times else None)


@settings(
    max_examples=200,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@hypothesis.given(case=cases())
def test_attendance_concurrency_and_summary_match_the_oracle(case: Case) -> None:
    df = case.frame()
    check_attendance(case, df)
    check_concurrency(case, df)  # also when nobody was present: no change points
    if case.by is None:  # summary() has no by=: once per frame kind is enough
        check_summary(case, df)
