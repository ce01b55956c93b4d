"""``df.zoom`` on hand-made participants frames: every answer pinned to the exact value.

Times are clock times on 2024-03-04 (UTC) unless a row says otherwise. The cases are built as
Arrow frames, as ``read_participants`` gives them; ``test_numpy_frames_give_the_same_answers_as_arrow_frames``
runs all of them again in the numpy_nullable and numpy (``datetime64[ns]``, ``object``) flavours of
:mod:`tests.unit._frames`. Tests marked ``xfail(strict=True)`` show library bugs: they pass once the
bug is fixed (and then fail as XPASS until the mark is removed).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

import zoom_pandas as zp
from tests.unit._frames import at, frame, meeting, minutes, row

ARROW_TIME = "timestamp[us, tz=UTC][pyarrow]"
ARROW_DURATION = "duration[us][pyarrow]"
ARROW_INT = "int64[pyarrow]"
ARROW_TEXT = "string[pyarrow]"
ARROW_BOOL = "bool[pyarrow]"
ARROW_FLOAT = "double[pyarrow]"


def one(table: pd.DataFrame, person: str, meeting_uuid: str | None = None) -> pd.Series:
    """The single row of ``person`` (in ``meeting_uuid``) of an attendance-like table."""
    picked = table[table["person"] == person]
    if meeting_uuid is not None:
        picked = picked[picked["meeting_uuid"] == meeting_uuid]
    assert len(picked) == 1, f"{person!r} has {len(picked)} rows in\n{table}"
    found: pd.Series = picked.iloc[0]
    return found


def points(concurrency: pd.DataFrame) -> list[tuple[pd.Timestamp, int]]:
    """A concurrency frame as ``(time, present)`` pairs."""
    return [
        (pd.Timestamp(t), int(n)) for t, n in zip(concurrency["time"], concurrency["present"], strict=True)
    ]


def people_in_order(attendance: pd.DataFrame) -> list[str]:
    """The ``person`` column as a list."""
    return [str(p) for p in attendance["person"]]


def is_arrow_text(kind: object) -> bool:
    """An Arrow-backed string dtype: ``pd.ArrowDtype(pa.string())`` or ``StringDtype("pyarrow")``."""
    if isinstance(kind, pd.ArrowDtype):
        return bool(pa.types.is_string(kind.pyarrow_dtype) or pa.types.is_large_string(kind.pyarrow_dtype))
    return isinstance(kind, pd.StringDtype) and kind.storage == "pyarrow"


# -- 1. two devices at once -------------------------------------------------------------------


def two_devices(backend: str = "pyarrow") -> pd.DataFrame:
    """Ann on a laptop 10:00-10:30 and a phone 10:10-10:50: one person, two overlapping rows."""
    return frame(
        [
            row("10:00", "10:30", name="Ann", email="ann@example.org", puid="u-ann"),
            row("10:10", "10:50", name="Ann (phone)", email="ann@example.org", puid="u-ann"),
        ],
        backend=backend,
    )


def test_two_devices_at_once_count_the_union_once() -> None:
    attendance = two_devices().zoom.attendance()
    assert len(attendance) == 1
    ann = one(attendance, "u-ann")
    assert ann["person_source"] == "participant_user_id"
    assert ann["name"] == "Ann"  # the first name the person used
    assert ann["user_email"] == "ann@example.org"
    assert ann["time_present"] == minutes(50)  # the union, not 30 + 40
    assert ann["overlap"] == minutes(20)  # the double count a sum of durations makes
    assert ann["sessions"] == 1 and ann["rejoins"] == 0 and ann["rows"] == 2
    assert ann["first_join"] == at("10:00") and ann["last_leave"] == at("10:50")
    assert ann["share_of_meeting"] == 1.0  # window: first join to last leave (no attrs)


def test_two_devices_at_once_are_one_session_and_one_line_of_concurrency() -> None:
    df = two_devices()
    sessions = df.zoom.sessions()
    assert len(sessions) == 1
    assert sessions["join_time"].iloc[0] == at("10:00") and sessions["leave_time"].iloc[0] == at("10:50")
    assert sessions["duration"].iloc[0] == minutes(50) and sessions["rows"].iloc[0] == 2
    assert points(df.zoom.concurrency()) == [(at("10:00"), 1), (at("10:50"), 0)]
    assert df.zoom.summary()["peak_present"].iloc[0] == 1


# -- 2. touching breakout moves -------------------------------------------------------------------


def breakout_moves(backend: str = "pyarrow") -> pd.DataFrame:
    """Ann: main room, room-1 from 10:20:00 (touching), back at 10:40:00; Bob stays in the main room."""
    return frame(
        [
            row("10:00", "10:20", name="Ann", email="ann@example.org"),
            row("10:20", "10:40", name="Ann", email="ann@example.org", room="room-1"),
            row("10:40", "11:00", name="Ann", email="ann@example.org"),
            row("10:05", "10:50", name="Bob", email="bob@example.org"),
        ],
        meetings=[meeting("m1", "10:00", "11:00")],
        backend=backend,
    )


def test_touching_breakout_moves_are_one_session() -> None:
    attendance = breakout_moves().zoom.attendance()
    ann = one(attendance, "ann@example.org")
    assert ann["sessions"] == 1 and ann["rejoins"] == 0 and ann["rows"] == 3
    assert ann["time_present"] == minutes(60)  # breakout time is presence
    assert ann["time_in_breakout"] == minutes(20)
    assert ann["overlap"] == pd.Timedelta(0)
    assert ann["first_join"] == at("10:00") and ann["last_leave"] == at("11:00")
    bob = one(attendance, "bob@example.org")
    assert bob["time_in_breakout"] == pd.Timedelta(0) and bob["time_present"] == minutes(45)


def test_touching_breakout_moves_make_no_blip_in_concurrency() -> None:
    df = breakout_moves()
    assert points(df.zoom.concurrency()) == [
        (at("10:00"), 1),
        (at("10:05"), 2),
        (at("10:50"), 1),
        (at("11:00"), 0),
    ]
    sessions = df.zoom.sessions()
    ann = sessions[sessions["person"] == "ann@example.org"]
    assert list(ann["join_time"]) == [at("10:00")] and list(ann["leave_time"]) == [at("11:00")]
    assert list(ann["rows"]) == [3]


def test_one_leaving_as_another_joins_is_no_blip() -> None:
    df = frame(
        [
            row("10:00", "10:30", name="Cat"),
            row("10:30", "10:45", name="Dan"),
            row("10:00", "10:45", name="Eve"),
        ],
    )
    assert points(df.zoom.concurrency()) == [(at("10:00"), 2), (at("10:45"), 0)]


# -- 3. a rejoin after a gap -------------------------------------------------------------------


def rejoin(backend: str = "pyarrow") -> pd.DataFrame:
    """Ann drops at 10:20 and is back at 10:23 (a 3-minute gap); the meeting runs 10:00-11:00."""
    return frame(
        [
            row("10:00", "10:20", name="Ann", puid="u-ann"),
            row("10:23", "10:40", name="Ann", puid="u-ann"),
        ],
        meetings=[meeting("m1", "10:00", "11:00")],
        backend=backend,
    )


def test_a_rejoin_after_a_gap_is_a_second_session() -> None:
    ann = one(rejoin().zoom.attendance(), "u-ann")
    assert ann["sessions"] == 2 and ann["rejoins"] == 1 and ann["rows"] == 2
    assert ann["time_present"] == minutes(37)
    assert ann["overlap"] == pd.Timedelta(0)
    assert ann["share_of_meeting"] == 37 / 60
    sessions = rejoin().zoom.sessions()
    assert list(sessions["join_time"]) == [at("10:00"), at("10:23")]
    assert list(sessions["leave_time"]) == [at("10:20"), at("10:40")]
    assert list(sessions["duration"]) == [minutes(20), minutes(17)]


@pytest.mark.parametrize(
    ("gap", "sessions"),
    [
        ("5min", 1),
        ("3min", 1),  # a gap exactly as long merges ("gaps up to this long")
        ("2min", 2),
        (pd.Timedelta(minutes=5), 1),
        (300, 1),  # seconds
        (179, 2),
        ("0s", 2),
        (None, 2),
    ],
)
def test_gap_merges_shorter_gaps_into_one_session(gap: object, sessions: int) -> None:
    df = rejoin()
    ann = one(df.zoom.attendance(gap=gap), "u-ann")
    assert ann["sessions"] == sessions and ann["rejoins"] == sessions - 1
    assert ann["first_join"] == at("10:00") and ann["last_leave"] == at("10:40")
    assert len(df.zoom.sessions(gap=gap)) == sessions


def test_gap_merged_session_spans_the_gap() -> None:
    sessions = rejoin().zoom.sessions(gap="5min")
    assert list(sessions["join_time"]) == [at("10:00")] and list(sessions["leave_time"]) == [at("10:40")]
    assert list(sessions["rows"]) == [2]


def test_gap_does_not_count_the_gap_as_present() -> None:
    ann = one(rejoin().zoom.attendance(gap="5min"), "u-ann")
    assert ann["sessions"] == 1  # what gap= is for
    assert ann["time_present"] == minutes(37)  # actual: 40 minutes
    assert ann["overlap"] == pd.Timedelta(0)  # actual: -3 minutes
    assert ann["share_of_meeting"] == 37 / 60  # actual: 40 / 60


def test_negative_gap_is_refused() -> None:
    with pytest.raises(ValueError, match="gap must be a duration of zero or more"):
        rejoin().zoom.attendance(gap="-1min")


# -- 4. the waiting room ------------------------------------------------------------------------


def waiting_room(backend: str = "pyarrow") -> pd.DataFrame:
    """Ann waits 09:55-10:00 then attends 10:00-10:30; Wes waits 10:02-10:10 and is never admitted."""
    return frame(
        [
            row("09:55", "10:00", name="Ann", email="ann@example.org", status="in_waiting_room"),
            row("10:00", "10:30", name="Ann", email="ann@example.org"),
            row("10:02", "10:10", name="Wes", status="in_waiting_room"),
            row("10:10", "10:20", name="Nia", status=None),  # no status: present
        ],
        meetings=[meeting("m1", "10:00", "11:00")],
        backend=backend,
    )


def test_waiting_room_time_is_not_presence() -> None:
    attendance = waiting_room().zoom.attendance(late_after="5min", threshold="1min")
    ann = one(attendance, "ann@example.org")
    assert ann["time_waiting"] == minutes(5)
    assert ann["time_present"] == minutes(30)
    assert ann["first_join"] == at("10:00")  # admission, not arrival in the waiting room
    assert ann["late_by"] == pd.Timedelta(0) and ann["rows"] == 2 and ann["sessions"] == 1
    nia = one(attendance, "Nia")
    assert nia["time_present"] == minutes(10) and nia["time_waiting"] == pd.Timedelta(0)


def test_someone_only_in_the_waiting_room_has_a_row_with_no_presence() -> None:
    attendance = waiting_room().zoom.attendance(late_after="5min", threshold="1min")
    assert people_in_order(attendance) == ["ann@example.org", "Nia", "Wes"]  # never present: last
    wes = one(attendance, "Wes")
    assert wes["time_present"] == pd.Timedelta(0) and wes["time_waiting"] == minutes(8)
    assert wes["sessions"] == 0 and wes["rejoins"] == 0 and wes["rows"] == 1
    assert pd.isna(wes["first_join"]) and pd.isna(wes["last_leave"]) and pd.isna(wes["late_by"])
    assert wes["share_of_meeting"] == 0.0 and wes["overlap"] == pd.Timedelta(0)
    assert not wes["late"] and not wes["attended"]


def test_waiting_room_is_left_out_of_summary_and_concurrency() -> None:
    df = waiting_room()
    summary = df.zoom.summary()
    assert summary["people"].iloc[0] == 2 and summary["rows"].iloc[0] == 4
    assert summary["guests"].iloc[0] == 1  # Nia (Wes was never present)
    assert summary["peak_present"].iloc[0] == 2
    assert summary["median_time_present"].iloc[0] == minutes(20)
    assert points(df.zoom.concurrency()) == [
        (at("10:00"), 1),
        (at("10:10"), 2),
        (at("10:20"), 1),
        (at("10:30"), 0),
    ]


def test_summary_and_concurrency_of_a_frame_where_nobody_was_admitted() -> None:
    df = frame([row("10:02", "10:10", name="Wes", status="in_waiting_room")])
    concurrency = df.zoom.concurrency()
    assert concurrency.empty and list(concurrency.columns) == [
        "meeting_id",
        "meeting_uuid",
        "time",
        "present",
    ]
    summary = df.zoom.summary()
    assert len(summary) == 1
    assert summary["people"].iloc[0] == 0 and summary["peak_present"].iloc[0] == 0
    assert summary["rows"].iloc[0] == 1 and pd.isna(summary["median_time_present"].iloc[0])


def test_summary_and_concurrency_of_an_empty_frame() -> None:
    df = breakout_moves().iloc[:0]
    assert df.zoom.attendance().empty and df.zoom.sessions().empty
    assert df.zoom.concurrency().empty
    assert df.zoom.summary().empty


# -- 5. breakout rooms -------------------------------------------------------------------


def test_time_in_breakout_is_the_union_of_breakout_rows() -> None:
    df = frame(
        [
            row("10:00", "10:10", name="Ann", puid="u-ann"),
            row("10:10", "10:25", name="Ann", puid="u-ann", room="room-1"),
            row("10:15", "10:20", name="Ann", puid="u-ann", room="room-1"),  # a second device
            row("10:25", "10:35", name="Ann", puid="u-ann", room="room-2"),
            row("10:35", "10:50", name="Ann", puid="u-ann", room=""),  # "" is the main room
            row("10:00", "10:30", name="Bob", puid="u-bob", room="room-2"),
        ],
    )
    attendance = df.zoom.attendance()
    ann = one(attendance, "u-ann")
    assert ann["time_in_breakout"] == minutes(25)
    assert ann["time_present"] == minutes(50) and ann["overlap"] == minutes(5)
    assert ann["sessions"] == 1 and ann["rows"] == 5
    assert one(attendance, "u-bob")["time_in_breakout"] == minutes(30)


def test_a_webinar_frame_has_no_breakout_column() -> None:
    df = frame(
        [
            row("10:00", "10:40", name="Ann", registrant="reg-1", meeting="w1"),
            row("10:30", "10:50", name="Ann", registrant="reg-1", meeting="w1"),
            row("10:05", "10:10", name="Bo", status="in_waiting_room", meeting="w1"),
            row("10:10", None, name="Bo", meeting="w1"),
        ],
        meetings=[meeting("w1", "10:00", "11:00", topic="Webinar", meeting_id=95512345678)],
        webinar=True,
    )
    assert "bo_mtg_id" not in df.columns
    attendance = df.zoom.attendance()
    assert people_in_order(attendance) == ["reg-1", "Bo"]
    ann, bo = one(attendance, "reg-1"), one(attendance, "Bo")
    assert ann["person_source"] == "registrant_id" and bo["person_source"] == "name"
    assert ann["time_present"] == minutes(50) and ann["overlap"] == minutes(10)
    assert bo["time_present"] == minutes(50) and bo["time_waiting"] == minutes(5)  # until attrs end
    assert (attendance["time_in_breakout"] == pd.Timedelta(0)).all()
    assert list(attendance["meeting_id"]) == [95512345678, 95512345678]
    summary = df.zoom.summary()
    assert summary["topic"].iloc[0] == "Webinar" and summary["people"].iloc[0] == 2
    assert points(df.zoom.concurrency()) == [
        (at("10:00"), 1),
        (at("10:10"), 2),
        (at("10:50"), 1),
        (at("11:00"), 0),
    ]


# -- 6. missing leave_time -------------------------------------------------------------------


def missing_leave(backend: str = "pyarrow", *, window: bool) -> pd.DataFrame:
    """Bob's row has no leave_time; the meeting runs 10:00-11:00 when ``window``."""
    return frame(
        [row("10:00", "10:30", name="Ann"), row("10:10", None, name="Bob")],
        meetings=[meeting("m1", "10:00", "11:00")] if window else None,
        backend=backend,
    )


def test_missing_leave_time_ends_at_the_meeting_end() -> None:
    bob = one(missing_leave(window=True).zoom.attendance(), "Bob")
    assert bob["last_leave"] == at("11:00") and bob["time_present"] == minutes(50)
    assert bob["late_by"] == minutes(10) and bob["share_of_meeting"] == 50 / 60


def test_missing_leave_time_without_attrs_ends_at_the_latest_leave() -> None:
    df = missing_leave(window=False)
    bob = one(df.zoom.attendance(), "Bob")
    assert bob["last_leave"] == at("10:30") and bob["time_present"] == minutes(20)
    summary = df.zoom.summary()
    assert summary["start"].iloc[0] == at("10:00") and summary["end"].iloc[0] == at("10:30")
    assert pd.isna(summary["topic"].iloc[0])


def test_missing_leave_time_with_nothing_to_end_it_has_no_length() -> None:
    df = frame([row("10:10", None, name="Bob")])
    bob = one(df.zoom.attendance(), "Bob")
    assert bob["time_present"] == pd.Timedelta(0)
    assert bob["first_join"] == at("10:10") and bob["last_leave"] == at("10:10")
    assert bob["sessions"] == 1  # a join of no length is still a session (and Bob is no absentee)


def test_a_leave_before_its_join_counts_as_the_join() -> None:
    df = frame([row("10:00", "09:50", name="Ann"), row("10:05", "10:30", name="Bob")])
    attendance = df.zoom.attendance()
    ann = one(attendance, "Ann")
    assert ann["time_present"] == pd.Timedelta(0) and ann["last_leave"] == at("10:00")
    assert ann["overlap"] == pd.Timedelta(0)
    assert one(attendance, "Bob")["time_present"] == minutes(25)


def test_a_zero_length_first_session_adds_no_concurrency_point() -> None:
    df = frame([row("10:00", "09:50", name="Ann"), row("10:05", "10:30", name="Bob")])
    assert points(df.zoom.concurrency()) == [(at("10:05"), 1), (at("10:30"), 0)]


# -- 7, 8. guests, shared names -------------------------------------------------------------------


def shared_names(backend: str = "pyarrow") -> pd.DataFrame:
    """Two different Sams (an account, an email), two guests both called Guest, an email in two cases."""
    return frame(
        [
            row("10:00", "10:30", name="Sam", puid="u-sam"),
            row("10:05", "10:30", name="Sam", email="sam.two@example.org"),
            row("10:10", "10:20", name="Guest"),
            row("10:15", "10:40", name=" Guest "),  # trimmed: the same key
            row("10:20", "10:30", name="Lee", email="Lee@Example.org "),
            row("10:30", "10:50", name="Lee", email="lee@example.org"),
        ],
        backend=backend,
    )


def test_two_people_with_the_same_name_stay_two() -> None:
    attendance = shared_names().zoom.attendance()
    assert people_in_order(attendance) == ["u-sam", "sam.two@example.org", "Guest", "lee@example.org"]
    sam, sam_two = one(attendance, "u-sam"), one(attendance, "sam.two@example.org")
    assert sam["name"] == "Sam" and sam_two["name"] == "Sam"
    assert sam["person_source"] == "participant_user_id" and sam_two["person_source"] == "user_email"
    assert sam["time_present"] == minutes(30) and sam_two["time_present"] == minutes(25)


def test_two_guests_with_only_the_same_name_are_one_person() -> None:
    """The documented limitation: nothing tells them apart."""
    guest = one(shared_names().zoom.attendance(), "Guest")
    assert guest["person_source"] == "name" and guest["rows"] == 2
    assert guest["time_present"] == minutes(30) and guest["overlap"] == minutes(5)
    assert pd.isna(guest["user_email"])


def test_emails_are_one_person_whatever_their_case_and_spaces() -> None:
    lee = one(shared_names().zoom.attendance(), "lee@example.org")
    assert lee["rows"] == 2 and lee["sessions"] == 1 and lee["time_present"] == minutes(30)
    assert lee["user_email"] == "lee@example.org"


def test_people_adds_the_person_and_its_source() -> None:
    df = shared_names()
    people = df.zoom.people()
    assert len(people) == len(df) and list(people.columns) == [*df.columns, "person", "person_source"]
    assert list(people["person"]) == [
        "u-sam",
        "sam.two@example.org",
        "Guest",
        "Guest",
        "lee@example.org",
        "lee@example.org",
    ]
    assert list(people["person_source"]) == [
        "participant_user_id",
        "user_email",
        "name",
        "name",
        "user_email",
        "user_email",
    ]
    assert str(people["person_source"].dtype) == ARROW_TEXT
    assert is_arrow_text(people["person"].dtype)
    assert len(df.columns) == 15  # the frame itself is left alone


def test_summary_counts_guests_known_by_name_only() -> None:
    summary = shared_names().zoom.summary()
    assert summary["people"].iloc[0] == 4 and summary["guests"].iloc[0] == 1
    assert summary["rows"].iloc[0] == 6 and summary["peak_present"].iloc[0] == 4


def test_a_row_without_any_person_key_is_left_out() -> None:
    df = frame([row("10:00", "10:30", name="Ann"), row("10:00", "10:45", name="  ")])
    assert people_in_order(df.zoom.attendance()) == ["Ann"]
    people = df.zoom.people()
    assert pd.isna(people["person"].iloc[1]) and pd.isna(people["person_source"].iloc[1])
    assert points(df.zoom.concurrency()) == [(at("10:00"), 1), (at("10:30"), 0)]
    assert df.zoom.summary()["rows"].iloc[0] == 2  # the row is still a row of the report


# -- 9. by= -------------------------------------------------------------------


def test_by_name_merges_people_with_the_same_name() -> None:
    attendance = shared_names().zoom.attendance(by="name")
    assert people_in_order(attendance) == ["Sam", "Guest", "Lee"]
    sam = one(attendance, "Sam")
    assert sam["person_source"] == "name" and sam["rows"] == 2
    assert sam["time_present"] == minutes(30) and sam["overlap"] == minutes(25)
    assert sam["user_email"] == "sam.two@example.org"  # the first email among its rows


def test_by_several_columns_takes_the_first_a_row_has() -> None:
    attendance = shared_names().zoom.attendance(by=["user_email", "name"])
    # Sam with an account but no email falls back to his name; the two guests share a name.
    assert people_in_order(attendance) == ["Sam", "sam.two@example.org", "Guest", "lee@example.org"]
    assert list(attendance["person_source"]) == ["name", "user_email", "name", "user_email"]
    assert one(attendance, "sam.two@example.org")["time_present"] == minutes(25)
    assert one(attendance, "Guest")["rows"] == 2


def test_by_user_email_case_folds_like_the_default_key() -> None:
    attendance = shared_names().zoom.attendance(by="user_email")
    assert attendance["user_email"].dropna().is_unique
    lee = one(attendance, "lee@example.org")
    assert lee["rows"] == 2 and lee["time_present"] == minutes(30)


@pytest.mark.parametrize("by", ["nickname", ["name", "nickname"], []])
def test_by_must_name_columns_of_the_frame(by: Any) -> None:
    with pytest.raises(KeyError, match="by= must name columns of the frame"):
        shared_names().zoom.attendance(by=by)


# -- 10. several meetings in one frame -------------------------------------------------------------------

LATER = "2024-03-11"
TWO_MEETINGS = [
    meeting("week-2", "09:00", "10:00", topic="Week 2", meeting_id=92000000002, day=LATER),
    meeting("week-1", "10:00", "11:00", topic="Week 1", meeting_id=92000000001),
]


def two_meetings(backend: str = "pyarrow") -> pd.DataFrame:
    """Week 2 (11 March) comes first in the frame, week 1 (4 March) second."""
    return frame(
        [
            row("09:10", "10:00", name="Dan", meeting="week-2", day=LATER),
            row("09:00", "09:30", name="Ann", email="ann@example.org", meeting="week-2", day=LATER),
            row("10:05", "10:50", name="Cat", email="cat@example.org", meeting="week-1"),
            row("10:00", "10:40", name="Ann", email="ann@example.org", meeting="week-1"),
            row("10:20", "10:50", name="Ann", email="ann@example.org", meeting="week-1"),
        ],
        meetings=TWO_MEETINGS,
        backend=backend,
    )


def test_several_meetings_keep_frame_order_and_people_by_first_join() -> None:
    attendance = two_meetings().zoom.attendance()
    assert list(attendance["meeting_uuid"]) == ["week-2", "week-2", "week-1", "week-1"]
    assert list(attendance["meeting_id"]) == [92000000002, 92000000002, 92000000001, 92000000001]
    assert people_in_order(attendance) == ["ann@example.org", "Dan", "ann@example.org", "cat@example.org"]
    assert one(attendance, "ann@example.org", "week-2")["time_present"] == minutes(30)
    ann = one(attendance, "ann@example.org", "week-1")
    assert ann["time_present"] == minutes(50) and ann["overlap"] == minutes(20)
    assert one(attendance, "Dan", "week-2")["late_by"] == minutes(10)
    assert one(attendance, "cat@example.org", "week-1")["late_by"] == minutes(5)


def test_summary_has_one_row_per_meeting() -> None:
    summary = two_meetings().zoom.summary()
    assert list(summary["meeting_uuid"]) == ["week-2", "week-1"]
    assert list(summary["meeting_id"]) == [92000000002, 92000000001]
    assert list(summary["topic"]) == ["Week 2", "Week 1"]
    assert list(summary["start"]) == [at("09:00", LATER), at("10:00")]
    assert list(summary["end"]) == [at("10:00", LATER), at("11:00")]
    assert list(summary["people"]) == [2, 2] and list(summary["guests"]) == [1, 0]
    assert list(summary["rows"]) == [2, 3] and list(summary["peak_present"]) == [2, 2]
    assert list(summary["median_time_present"]) == [minutes(40), minutes(47.5)]


def test_concurrency_is_per_meeting() -> None:
    concurrency = two_meetings().zoom.concurrency()
    assert list(concurrency["meeting_uuid"]) == ["week-2"] * 4 + ["week-1"] * 3
    assert list(concurrency["meeting_id"]) == [92000000002] * 4 + [92000000001] * 3
    assert points(concurrency) == [
        (at("09:00", LATER), 1),
        (at("09:10", LATER), 2),
        (at("09:30", LATER), 1),
        (at("10:00", LATER), 0),
        (at("10:00"), 1),
        (at("10:05"), 2),
        (at("10:50"), 0),
    ]


# -- 11. concurrency -------------------------------------------------------------------


def busy(backend: str = "pyarrow") -> pd.DataFrame:
    """Four people; no level drops exactly at a 10-minute mark."""
    return frame(
        [
            row("10:00", "11:17", name="Ann"),
            row("10:05", "10:25", name="Bob"),
            row("10:31", "10:47", name="Bob"),
            row("10:12", "10:14", name="Cat"),
            row("10:13", "10:16", name="Dan"),
        ],
        backend=backend,
    )


def test_concurrency_change_points_are_exact() -> None:
    assert points(busy().zoom.concurrency()) == [
        (at("10:00"), 1),
        (at("10:05"), 2),
        (at("10:12"), 3),
        (at("10:13"), 4),
        (at("10:14"), 3),
        (at("10:16"), 2),
        (at("10:25"), 1),
        (at("10:31"), 2),
        (at("10:47"), 1),
        (at("11:17"), 0),
    ]


def test_concurrency_bins_hold_the_most_present_including_the_level_carried_in() -> None:
    bins = busy().zoom.concurrency("10min")
    assert points(bins) == [
        (at("10:00"), 2),
        (at("10:10"), 4),
        (at("10:20"), 2),  # 2 carried in, down to 1 at 10:25
        (at("10:30"), 2),
        (at("10:40"), 2),
        (at("10:50"), 1),  # no change in the bin: the level carried in
        (at("11:00"), 1),
        (at("11:10"), 1),
    ]
    assert set(bins["meeting_uuid"]) == {"m1"}


def test_concurrency_bin_starting_with_a_leave_does_not_count_the_leaver() -> None:
    df = frame([row("10:00", "10:30", name="Ann"), row("10:05", "10:20", name="Bob")])
    assert points(df.zoom.concurrency("10min")) == [
        (at("10:00"), 2),
        (at("10:10"), 2),
        (at("10:20"), 1),
        (at("10:30"), 0),
    ]


# -- 12. against a roster -------------------------------------------------------------------


def test_against_an_email_roster_keeps_absentees_and_flags_strangers() -> None:
    df = two_meetings()
    roster = pd.DataFrame({"user_email": ["ANN@example.org ", "eve@example.org"], "group": ["A", "B"]})
    joined = df.zoom.against(roster, on="user_email", threshold=0.75)
    assert len(joined) == 2 * 2 + 2  # meetings x roster, then Dan and Cat
    on_list = joined[joined["on_roster"]]
    assert list(on_list["meeting_uuid"]) == ["week-2", "week-2", "week-1", "week-1"]
    assert list(on_list["group"]) == ["A", "B", "A", "B"]
    assert list(on_list["person"].fillna("-")) == ["ann@example.org", "-", "ann@example.org", "-"]
    assert list(on_list["time_present"]) == [minutes(30), pd.Timedelta(0), minutes(50), pd.Timedelta(0)]
    eve = on_list[on_list["group"] == "B"]
    assert (eve["time_present"] == pd.Timedelta(0)).all() and (eve["sessions"] == 0).all()
    assert (eve["rows"] == 0).all() and not eve["attended"].any()
    assert list(on_list["attended"]) == [False, False, True, False]  # 30/60 and 50/60
    strangers = joined[~joined["on_roster"]]
    assert sorted(strangers["person"]) == ["Dan", "cat@example.org"]
    assert list(strangers.sort_values("person")["attended"]) == [True, True]  # 50/60 and 45/60
    assert str(joined["on_roster"].dtype) == ARROW_BOOL


@pytest.mark.parametrize("roster", [["ann@example.org"], pd.Series(["Ann@Example.org"])])
def test_against_a_list_or_series_of_emails(roster: Any) -> None:
    joined = two_meetings().zoom.against(roster)
    on_list = joined[joined["on_roster"]]
    assert list(on_list["person"]) == ["ann@example.org", "ann@example.org"]
    assert sorted(joined.loc[~joined["on_roster"], "person"]) == ["Dan", "cat@example.org"]


def test_against_a_roster_of_names() -> None:
    roster = pd.DataFrame({"name": [" dan", "Zed"]})
    joined = two_meetings().zoom.against(roster, on="name")
    on_list = joined[joined["on_roster"]]
    assert list(on_list["meeting_uuid"]) == ["week-2", "week-2", "week-1", "week-1"]
    assert list(on_list["person"].fillna("-")) == ["Dan", "-", "-", "-"]
    assert list(on_list["time_present"]) == [minutes(50)] + [pd.Timedelta(0)] * 3
    assert list(on_list["sessions"]) == [1, 0, 0, 0]
    assert sorted(joined.loc[~joined["on_roster"], "person"]) == [
        "ann@example.org",
        "ann@example.org",
        "cat@example.org",
    ]


def test_against_refuses_a_roster_listing_someone_twice() -> None:
    with pytest.raises(ValueError, match="lists someone twice"):
        two_meetings().zoom.against(["ann@example.org", " ANN@example.org"])


def test_against_needs_the_column_in_the_roster() -> None:
    with pytest.raises(KeyError, match="must be a column of the roster"):
        two_meetings().zoom.against(pd.DataFrame({"email": ["ann@example.org"]}))


@pytest.mark.parametrize("flavour", ["numpy_nullable", "numpy"])
def test_against_keeps_arrow_meeting_columns_for_numpy_frames(flavour: str) -> None:
    joined = two_meetings(flavour).zoom.against(["ann@example.org"])
    assert str(joined["meeting_id"].dtype) == ARROW_INT
    assert str(joined["meeting_uuid"].dtype) == ARROW_TEXT


# -- 13. matrix -------------------------------------------------------------------


def test_matrix_is_person_by_instance_in_start_order_with_zero_for_absent() -> None:
    table = two_meetings().zoom.matrix()
    assert list(table.columns) == [at("10:00"), at("09:00", LATER)]  # by start, not frame order
    assert table.columns.name == "start_time" and list(table.index.names) == ["name", "person"]
    assert list(table.index) == [("Ann", "ann@example.org"), ("Cat", "cat@example.org"), ("Dan", "Dan")]
    assert table.loc[("Ann", "ann@example.org")].tolist() == [minutes(50), minutes(30)]
    assert table.loc[("Cat", "cat@example.org")].tolist() == [minutes(45), pd.Timedelta(0)]
    assert table.loc[("Dan", "Dan")].tolist() == [pd.Timedelta(0), minutes(50)]
    assert {str(kind) for kind in table.dtypes} == {ARROW_DURATION}


def test_matrix_of_other_columns() -> None:
    df = two_meetings()
    sessions = df.zoom.matrix("sessions")
    assert sessions.to_numpy().tolist() == [[1, 1], [1, 0], [0, 1]]
    assert {str(kind) for kind in sessions.dtypes} == {ARROW_INT}
    attended = df.zoom.matrix("attended", threshold=0.75)
    assert attended.to_numpy().tolist() == [[True, False], [True, False], [False, True]]
    assert {str(kind) for kind in attended.dtypes} == {ARROW_BOOL}
    with pytest.raises(KeyError, match="is not an attendance column"):
        df.zoom.matrix("attended")  # needs threshold=


def test_matrix_without_attrs_orders_instances_by_first_join() -> None:
    df = two_meetings()
    df.attrs.clear()
    table = df.zoom.matrix()
    assert list(table.columns) == [at("10:00"), at("09:00", LATER)]


def test_matrix_reads_attrs_times_without_an_offset_as_utc() -> None:
    df = two_meetings()
    df.attrs["meetings"] = [
        {**entry, "start_time": entry["start_time"].rstrip("Z"), "end_time": entry["end_time"].rstrip("Z")}
        for entry in df.attrs["meetings"]
    ]
    assert list(df.zoom.summary()["start"]) == [at("09:00", LATER), at("10:00")]
    assert list(df.zoom.matrix().columns) == [at("10:00"), at("09:00", LATER)]


# -- 14. lateness and thresholds -------------------------------------------------------------------


def punctuality(backend: str = "pyarrow") -> pd.DataFrame:
    """A 10:00-11:00 meeting: Ann on time, Bob 4 min late, Cat 6 min late, Dan early."""
    return frame(
        [
            row("10:00", "10:50", name="Ann"),
            row("10:04", "10:49", name="Bob"),
            row("10:06", "10:40", name="Cat"),
            row("09:55", "10:30", name="Dan"),
        ],
        meetings=[meeting("m1", "10:00", "11:00")],
        backend=backend,
    )


def test_late_by_is_the_first_join_after_the_start() -> None:
    attendance = punctuality().zoom.attendance()
    assert people_in_order(attendance) == ["Dan", "Ann", "Bob", "Cat"]
    assert list(attendance["late_by"]) == [pd.Timedelta(0), pd.Timedelta(0), minutes(4), minutes(6)]
    assert list(attendance["time_present"]) == [minutes(35), minutes(50), minutes(45), minutes(34)]
    assert "late" not in attendance.columns and "attended" not in attendance.columns


@pytest.mark.parametrize(
    ("late_after", "late"),
    [
        ("5min", [False, False, False, True]),
        ("4min", [False, False, False, True]),  # more than: 4 minutes late is not late after 4min
        (pd.Timedelta(minutes=3), [False, False, True, True]),
        ("0s", [False, False, True, True]),
    ],
)
def test_late_after(late_after: object, late: list[bool]) -> None:
    attendance = punctuality().zoom.attendance(late_after=late_after)
    assert list(attendance["late"]) == late


@pytest.mark.parametrize(
    ("threshold", "attended"),
    [
        (0.75, [False, True, True, False]),  # 35/60, 50/60, 45/60 exactly, 34/60
        (1, [False, False, False, False]),
        (0.5, [True, True, True, True]),
        ("45min", [False, True, True, False]),
        (pd.Timedelta(minutes=35), [True, True, True, False]),
        ("50min", [False, True, False, False]),
    ],
)
def test_threshold_as_share_or_duration(threshold: object, attended: list[bool]) -> None:
    attendance = punctuality().zoom.attendance(threshold=threshold)
    assert list(attendance["attended"]) == attended
    assert list(attendance["share_of_meeting"])[1:] == [50 / 60, 45 / 60, 34 / 60]


def test_bad_threshold_values_raise_value_error() -> None:
    df = punctuality()
    bad: tuple[object, ...] = (0, 0.0, 1.5, -0.5, 45, float("nan"), True, "abc", "lots", [])
    for threshold in bad:
        with pytest.raises(ValueError, match="threshold"):
            df.zoom.attendance(threshold=threshold)


@pytest.mark.parametrize("threshold", ["-5min", pd.Timedelta(minutes=-1)])
def test_a_negative_duration_threshold_raises_value_error(threshold: object) -> None:
    with pytest.raises(ValueError, match="threshold"):
        punctuality("pyarrow").zoom.attendance(threshold=threshold)


# -- 15. not a participants frame -------------------------------------------------------------------


def test_a_frame_without_the_report_columns_has_no_zoom_accessor() -> None:
    plain = pd.DataFrame({"name": ["Ann"], "join_time": [at("10:00")]})
    with pytest.raises(AttributeError, match=r"df\.zoom needs a participants frame") as raised:
        _ = plain.zoom
    message = str(raised.value)
    for column in ("meeting_id", "meeting_uuid", "leave_time"):
        assert column in message
    assert "'join_time'" not in message
    assert not hasattr(plain, "zoom")


# -- 16. output dtypes -------------------------------------------------------------------


def test_every_answer_is_arrow_typed() -> None:
    df = two_meetings()
    attendance = df.zoom.attendance(threshold=0.75, late_after="5min")
    assert {column: str(kind) for column, kind in attendance.dtypes.items()} == {
        "meeting_id": ARROW_INT,
        "meeting_uuid": ARROW_TEXT,
        "person": ARROW_TEXT,
        "person_source": ARROW_TEXT,
        "name": ARROW_TEXT,
        "user_email": ARROW_TEXT,
        "first_join": ARROW_TIME,
        "last_leave": ARROW_TIME,
        "time_present": ARROW_DURATION,
        "time_waiting": ARROW_DURATION,
        "time_in_breakout": ARROW_DURATION,
        "sessions": ARROW_INT,
        "rejoins": ARROW_INT,
        "rows": ARROW_INT,
        "overlap": ARROW_DURATION,
        "share_of_meeting": ARROW_FLOAT,
        "late_by": ARROW_DURATION,
        "late": ARROW_BOOL,
        "attended": ARROW_BOOL,
    }
    assert {column: str(kind) for column, kind in df.zoom.sessions().dtypes.items()} == {
        "meeting_id": ARROW_INT,
        "meeting_uuid": ARROW_TEXT,
        "person": ARROW_TEXT,
        "join_time": ARROW_TIME,
        "leave_time": ARROW_TIME,
        "duration": ARROW_DURATION,
        "rows": ARROW_INT,
    }
    assert {column: str(kind) for column, kind in df.zoom.summary().dtypes.items()} == {
        "meeting_id": ARROW_INT,
        "meeting_uuid": ARROW_TEXT,
        "topic": ARROW_TEXT,
        "start": ARROW_TIME,
        "end": ARROW_TIME,
        "people": ARROW_INT,
        "guests": ARROW_INT,
        "rows": ARROW_INT,
        "peak_present": ARROW_INT,
        "median_time_present": ARROW_DURATION,
    }
    assert {column: str(kind) for column, kind in df.zoom.concurrency().dtypes.items()} == {
        "meeting_id": ARROW_INT,
        "meeting_uuid": ARROW_TEXT,
        "time": ARROW_TIME,
        "present": ARROW_INT,
    }
    binned = df.zoom.concurrency("15min")
    assert [str(binned[c].dtype) for c in ("meeting_id", "time", "present")] == [
        ARROW_INT,
        ARROW_TIME,
        ARROW_INT,
    ]
    assert is_arrow_text(binned["meeting_uuid"].dtype)


def test_text_columns_have_one_arrow_dtype() -> None:
    df = two_meetings()
    assert df.zoom.concurrency("15min")["meeting_uuid"].dtype == df.zoom.concurrency()["meeting_uuid"].dtype
    people = df.zoom.people()
    assert people["person"].dtype == people["person_source"].dtype == df.zoom.attendance()["person"].dtype


def rich(backend: str = "pyarrow") -> pd.DataFrame:
    """Two meetings with every kind of row: waiting room, breakout rooms, missing leaves, guests."""
    return frame(
        [
            row("09:05", "09:50", name="Dan", meeting="week-2", day=LATER),
            row(
                "08:55",
                "09:00",
                name="Ann",
                email="ann@example.org",
                status="in_waiting_room",
                meeting="week-2",
                day=LATER,
            ),
            row("09:00", "09:30", name="Ann", email="ann@example.org", meeting="week-2", day=LATER),
            row("09:30", None, name="Ann", email="ANN@example.org", room="r1", meeting="week-2", day=LATER),
            row("10:05", "10:50", name="Cat", puid="u-cat", meeting="week-1"),
            row("10:00", "10:40", name="Ann", email="ann@example.org", meeting="week-1"),
            row("10:20", "10:50", name="Ann", registrant="reg-ann", meeting="week-1"),
            row("10:10", "10:20", name="Guest", room="r2", meeting="week-1"),
            row("10:25", None, name="Guest", meeting="week-1"),
            row("10:02", "10:09", name="Wes", status="in_waiting_room", meeting="week-1"),
        ],
        meetings=TWO_MEETINGS[:1],  # week-1 has no attrs entry: its window is what was seen
        backend=backend,
    )


def everything(backend: str) -> pd.DataFrame:
    """Every hand-made frame of this module as the instances of one frame (UUIDs prefixed by case)."""
    builders: list[Callable[[str], pd.DataFrame]] = [
        two_devices,
        breakout_moves,
        rejoin,
        waiting_room,
        functools.partial(missing_leave, window=True),
        functools.partial(missing_leave, window=False),
        shared_names,
        two_meetings,
        busy,
        punctuality,
        rich,
    ]
    parts, meetings = [], []
    for case, build in enumerate(builders):
        part = build(backend)
        uuids = part["meeting_uuid"]
        part["meeting_uuid"] = pd.Series([f"{case}:{u}" for u in uuids], index=part.index, dtype=uuids.dtype)
        for entry in part.attrs.get("meetings", []):
            meetings.append({**entry, "meeting_uuid": f"{case}:{entry['meeting_uuid']}"})
        parts.append(part)
    combined: pd.DataFrame = pd.concat(parts, ignore_index=True)
    combined.attrs = {"meetings": meetings}
    return combined


@pytest.mark.parametrize("flavour", ["numpy_nullable", "numpy"])
def test_numpy_frames_give_the_same_answers_as_arrow_frames(flavour: str) -> None:
    """Every case above, in the numpy_nullable and numpy ``datetime64[ns]``/``object`` flavours."""
    arrow, other = everything("pyarrow"), everything(flavour)
    assert str(other["join_time"].dtype) == (
        "datetime64[ns, UTC]" if flavour == "numpy" else "datetime64[us, UTC]"
    )
    answers: list[tuple[str, Any]] = [
        ("attendance", lambda df: df.zoom.attendance(threshold=0.5, late_after="2min")),
        ("attendance by name", lambda df: df.zoom.attendance(by="name", gap="10min")),
        ("sessions", lambda df: df.zoom.sessions(gap="1min")),
        ("summary", lambda df: df.zoom.summary()),
        ("concurrency", lambda df: df.zoom.concurrency()),
        ("concurrency 5min", lambda df: df.zoom.concurrency("5min")),
        ("people", lambda df: df.zoom.people()[["person", "person_source"]]),
    ]
    for what, answer in answers:
        expected, got = answer(arrow), answer(other)
        assert len(expected) >= 13, what  # the 13 instances, or more rows
        pd.testing.assert_frame_equal(got, expected, obj=what)
    # the instances' start times come from the frame's own timestamps where attrs has none
    pd.testing.assert_frame_equal(other.zoom.matrix(), arrow.zoom.matrix(), check_column_type=False)
    roster = pd.DataFrame({"user_email": ["ann@example.org", "eve@example.org"]})
    pd.testing.assert_frame_equal(
        other.zoom.against(roster), arrow.zoom.against(roster), check_dtype=False, obj="against"
    )


def test_times_in_another_time_zone_give_the_same_answers() -> None:
    df = rich()
    berlin = df.copy()
    for column in ("join_time", "leave_time"):
        berlin[column] = berlin[column].dt.tz_convert("Europe/Berlin")
    pd.testing.assert_frame_equal(berlin.zoom.attendance(), df.zoom.attendance())
    pd.testing.assert_frame_equal(berlin.zoom.concurrency(), df.zoom.concurrency())


def test_a_frame_with_only_the_report_columns_and_names() -> None:
    """No status, no keys but the name, no breakout column, no attrs: everyone present, keyed by name."""
    df = two_meetings()[["meeting_id", "meeting_uuid", "join_time", "leave_time", "name"]]
    df.attrs = {}
    attendance = df.zoom.attendance()
    assert people_in_order(attendance) == ["Ann", "Dan", "Ann", "Cat"]
    assert set(attendance["person_source"]) == {"name"}
    assert list(attendance["time_present"]) == [minutes(30), minutes(50), minutes(50), minutes(45)]
    summary = df.zoom.summary()
    assert list(summary["guests"]) == [2, 2] and list(summary["end"]) == [at("10:00", LATER), at("10:50")]


def test_rich_frame_values() -> None:
    """The mixed frame above, pinned: it is also what the numpy flavours are compared on."""
    attendance = rich().zoom.attendance()
    week_2 = attendance[attendance["meeting_uuid"] == "week-2"]
    assert people_in_order(week_2) == ["ann@example.org", "Dan"]
    ann = one(week_2, "ann@example.org")
    assert ann["time_waiting"] == minutes(5) and ann["time_present"] == minutes(60)  # until 10:00
    assert ann["time_in_breakout"] == minutes(30) and ann["rows"] == 3 and ann["sessions"] == 1
    week_1 = attendance[attendance["meeting_uuid"] == "week-1"]
    assert people_in_order(week_1) == ["ann@example.org", "u-cat", "Guest", "reg-ann", "Wes"]
    guest = one(week_1, "Guest")
    assert guest["time_present"] == minutes(10 + 25) and guest["time_in_breakout"] == minutes(10)
    assert guest["sessions"] == 2 and guest["last_leave"] == at("10:50")  # seen window: 10:00-10:50
    assert one(week_1, "reg-ann")["person_source"] == "registrant_id"
    assert list(rich().zoom.summary()["guests"]) == [1, 1]


# -- 17. timeline -------------------------------------------------------------------


@pytest.fixture
def pyplot() -> Iterator[Any]:
    """matplotlib's pyplot on the Agg backend; every figure closed afterwards."""
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    yield plt
    plt.close("all")


def is_png(path: Path) -> bool:
    """A non-empty file that starts with the PNG signature."""
    data = path.read_bytes()
    return len(data) > 100 and data.startswith(b"\x89PNG\r\n\x1a\n")


def test_timeline_has_one_line_per_person_by_first_join(pyplot: Any, tmp_path: Path) -> None:
    df = frame(
        [
            row("09:55", "10:00", name="Wes", status="in_waiting_room"),
            row("10:01", "10:50", name="Wes"),
            row("10:00", "10:20", name="Ann", puid="u-ann"),
            row("10:20", "10:40", name="Ann", puid="u-ann", room="room-1"),
            row("10:05", "10:30", name="Bob"),
            row("10:10", "10:20", name="Ida", status="in_waiting_room"),
        ],
        meetings=[meeting("m1", "10:00", "11:00")],
    )
    ax = df.zoom.timeline()
    assert isinstance(ax, pyplot.Axes)
    assert list(ax.get_yticks()) == [0, 1, 2, 3]
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Ann", "Wes", "Bob", "Ida"]
    path = tmp_path / "timeline.png"
    ax.get_figure().savefig(path)
    assert is_png(path)


def test_timeline_draws_on_a_given_axes(pyplot: Any) -> None:
    _, ax = pyplot.subplots()
    assert two_devices("pyarrow").zoom.timeline(ax=ax) is ax
    assert [label.get_text() for label in ax.get_yticklabels()] == ["Ann"]


def test_timeline_of_a_webinar(pyplot: Any) -> None:
    df = frame([row("10:00", "10:30", name="Ann"), row("10:10", "10:20", name="Bo")], webinar=True)
    assert len(df.zoom.timeline().get_yticks()) == 2


@pytest.mark.integration
def test_timeline_of_the_sandbox_course_first_session(
    pyplot: Any, tmp_path: Path, client: zp.ZoomClient
) -> None:
    from zoom_pandas.sandbox import SandboxData

    course = zp.read_participants(SandboxData.COURSE, instances="all", client=client)
    first = min(course.attrs["meetings"], key=lambda entry: pd.Timestamp(entry["start_time"]))
    session = course[course["meeting_uuid"] == first["meeting_uuid"]]
    session.attrs = {**course.attrs, "meetings": [first]}
    people = len(session.zoom.attendance())
    assert people > 10
    ax = session.zoom.timeline()
    assert len(ax.get_yticks()) == people
    path = tmp_path / "timeline.png"
    ax.get_figure().savefig(path)
    assert is_png(path)


def test_timeline_without_matplotlib_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)
    monkeypatch.setitem(sys.modules, "matplotlib.pyplot", None)
    df = two_devices("pyarrow")
    with pytest.raises(ImportError, match=r'pip install "zoom-pandas\[plot\]"'):
        df.zoom.timeline()
    assert len(df.zoom.attendance()) == 1  # everything else works without matplotlib


# -- review regressions: arguments, odd dtypes, edges ------------------------------------------------


def test_late_after_and_freq_as_numbers_are_seconds_and_negatives_are_refused() -> None:
    five_late = frame([row("10:05", "10:30", name="Ann")], meetings=[meeting("m1", "10:00", "11:00")])
    assert not bool(five_late.zoom.attendance(late_after=600)["late"].iloc[0])  # 600 s, not 600 ns
    assert bool(five_late.zoom.attendance(late_after=60)["late"].iloc[0])
    with pytest.raises(ValueError, match="late_after"):
        five_late.zoom.attendance(late_after="-5min")
    with pytest.raises(ValueError, match="gap"):
        five_late.zoom.attendance(gap=True)
    assert len(five_late.zoom.concurrency(60)) == len(five_late.zoom.concurrency("1min"))
    with pytest.raises(ValueError, match="too fine"):
        five_late.zoom.concurrency("1us")


def test_a_numpy_integer_threshold_is_a_share() -> None:
    import numpy as np

    half = frame([row("10:00", "10:30", name="Ann")], meetings=[meeting("m1", "10:00", "11:00")])
    assert not bool(half.zoom.attendance(threshold=np.int64(1))["attended"].iloc[0])  # 50% < 100%
    assert bool(half.zoom.attendance(threshold=np.float64(0.5))["attended"].iloc[0])


def test_a_breakout_row_without_a_join_time_does_not_break_the_timeline() -> None:
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    odd = frame([row("10:00", "10:30", name="A"), row(None, "10:40", name="A", room="r1")])
    assert len(odd.zoom.timeline().get_yticks()) == 1


def test_rows_without_an_instance_and_text_meeting_numbers_are_clear_errors() -> None:
    rows = frame([row("10:00", "10:30", name="A"), row("10:00", "10:30", name="B")])
    no_uuid = rows.astype({"meeting_uuid": "object"})
    no_uuid.loc[1, "meeting_uuid"] = None
    with pytest.raises(ValueError, match="no meeting_uuid"):
        no_uuid.zoom.attendance()
    with pytest.raises(ValueError, match="meeting_id must hold meeting numbers"):
        rows.assign(meeting_id=["912 3456 7890"] * 2).zoom.attendance()


def test_key_columns_of_mixed_python_types_are_read_as_text() -> None:
    rows = frame([row("10:00", "10:30", name="A"), row("10:00", "10:20", name="B")])
    mixed = rows.astype({"participant_user_id": "object"})
    mixed["participant_user_id"] = [1, "u2"]
    assert sorted(mixed.zoom.attendance()["person"]) == ["1", "u2"]


def test_attrs_times_as_timestamps_count_like_iso_strings() -> None:
    rows = [row("10:05", "10:30", name="Ann")]
    stamps = frame(rows, meetings=[meeting("m1", "10:00", "11:00")])
    stamps.attrs["meetings"][0]["start_time"] = pd.Timestamp(stamps.attrs["meetings"][0]["start_time"])
    assert one(stamps.zoom.attendance(), "Ann")["late_by"] == minutes(5)
    assert list(stamps.zoom.matrix().columns) == [pd.Timestamp(stamps.attrs["meetings"][0]["start_time"])]


def test_without_attrs_the_window_ends_at_the_latest_leave_after_clamping() -> None:
    rows = frame([row("10:00", "10:30", name="A"), row("10:45", "10:40", name="B")])
    summary = rows.zoom.summary().iloc[0]
    assert summary["end"] == at("10:45")  # B's leave before join counts as the join
    assert rows.zoom.attendance()["share_of_meeting"].max() == pytest.approx(30 / 45)


def test_against_by_name_keeps_every_match_and_ignores_blank_entries() -> None:
    rows = frame([row("10:00", "10:30", name="Bob", puid="u1"), row("10:00", "10:20", name="Bob", puid="u2")])
    checked = rows.zoom.against(["bob", None, ""], on="name")
    assert int(checked["on_roster"].sum()) == 4  # both Bobs, and the two blank entries as absentees
    assert len(checked[checked["name"] == "Bob"]) == 2
