"""Web-portal participant CSV exports of sandbox meetings (zoom/FACTS.md §3.10, DESIGN.md).

Files are read back with Python's ``csv`` module and compared with the participant report's rows
they come from: layout, BOM, both date formats, minutes rounded up, renames, guests, waiting room.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.conftest import REPO
from zoom_pandas.sandbox import Sandbox, SandboxData, write_portal_csv
from zoom_pandas.sandbox.accounts import User
from zoom_pandas.sandbox.instances import Instance, Meeting
from zoom_pandas.sandbox.portal_csv import MEETING_HEADER, PARTICIPANT_HEADER, renames

BOM = b"\xef\xbb\xbf"
US = "%m/%d/%Y %I:%M:%S %p"
DAY_FIRST = "%d/%m/%Y %H:%M:%S"
#: The last parenthesized group closing a cell is the original name (zoomclass' rule, DESIGN.md).
KEN = 'Ken "K" Thompson'  # a name the csv module has to quote
RENAMED = re.compile(r"^(?P<name>.*) \((?P<original>[^()]*)\)$")


def read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.reader(handle))


def utc(text: str, tz: str, fmt: str) -> str:
    """A wall-clock cell back to Zoom's UTC text."""
    local = dt.datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(tz))
    return local.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclasses.dataclass
class HandMade(Instance):
    """An instance with rows written by hand (the sandbox's own are drawn from a seed)."""

    given: list[dict[str, Any]] = dataclasses.field(default_factory=list)

    def rows(self) -> list[dict[str, Any]]:
        return self.given


def row(
    name: str, email: str, account: str, join: str, leave: str, status: str = "in_meeting"
) -> dict[str, Any]:
    """A report row on 2021-11-19; ``join`` and ``leave`` as UTC ``HH:MM:SS``."""
    day = "2021-11-19T{}Z"
    seconds = dt.datetime.strptime(leave, "%H:%M:%S") - dt.datetime.strptime(join, "%H:%M:%S")
    return {
        "id": account,
        "name": name,
        "user_email": email,
        "join_time": day.format(join),
        "leave_time": day.format(leave),
        "duration": int(seconds.total_seconds()),
        "status": status,
    }


def heroes() -> HandMade:
    """The meeting of zoomclass' sample export, 11/19/2021 10:00 AM to 12:00 PM in Chicago (UTC-6)."""
    host = User("host-id", "green-goblin@example.com", "Norman", "Osborn", timezone="America/Chicago")
    meeting = Meeting(60245167821, "Heroes meeting", host, 2)
    start = dt.datetime(2021, 11, 19, 16, tzinfo=dt.timezone.utc)
    rows = [
        row("Norman Osborn", "green-goblin@example.com", "host-id", "15:54:15", "18:01:59"),
        row("Clea", "clea@example.com", "clea-id", "16:08:10", "16:17:18"),
        row("Lovelace, Ada", "", "", "16:09:00", "16:10:00", "in_waiting_room"),
        row("Lovelace, Ada", "", "", "16:10:00", "16:10:01"),
        row(KEN, "ken@example.com", "ken-id", "17:59:00", "18:00:00"),
    ]
    instance = HandMade("aGVyb2VzIG1lZXRpbmcgMQ==", meeting, start, 120, 4, seed=7, given=rows)
    meeting.instances.append(instance)
    return instance


def test_a_hand_made_meeting_is_written_exactly_as_zoom_writes_it(tmp_path: Path) -> None:
    instance = heroes()
    renamed = renames(instance)
    assert 1 <= len(renamed) <= 3 and "Norman Osborn" not in renamed  # the host keeps their name

    def name(text: str) -> str:
        """The name cell as the csv module quotes it: renamed ones as "Current (Original)"."""
        cell = f"{text} ({renamed[text]})" if text in renamed else text
        return '"' + cell.replace('"', '""') + '"' if "," in cell or '"' in cell else cell

    path = write_portal_csv(instance, tmp_path / "heroes.csv", tz="America/Chicago", recording_consent=True)
    assert path == tmp_path / "heroes.csv"
    lines = [
        ",".join(MEETING_HEADER),
        "60245167821,Heroes meeting,11/19/2021 10:00:00 AM,11/19/2021 12:00:00 PM,"
        "green-goblin@example.com,120,4",
        "",
        ",".join(PARTICIPANT_HEADER),
        "Norman Osborn,green-goblin@example.com,11/19/2021 09:54:15 AM,11/19/2021 12:01:59 PM,128,No,Y,No",
        f"{name('Clea')},clea@example.com,11/19/2021 10:08:10 AM,11/19/2021 10:17:18 AM,10,No,Y,No",
        f"{name('Lovelace, Ada')},,11/19/2021 10:09:00 AM,11/19/2021 10:10:00 AM,1,Yes,,Yes",
        f"{name('Lovelace, Ada')},,11/19/2021 10:10:00 AM,11/19/2021 10:10:01 AM,1,Yes,Y,No",
        f"{name(KEN)},ken@example.com,11/19/2021 11:59:00 AM,11/19/2021 12:00:00 PM,1,No,Y,No",
    ]
    assert path.read_bytes() == BOM + ("\r\n".join(lines) + "\r\n").encode()
    cells = [r[0] for r in read(path)[4:]]
    read_back = [m["name"] if (m := RENAMED.fullmatch(c)) else c for c in cells]
    assert read_back == [r["name"] for r in instance.rows()]  # the last parenthesized group is the original


def test_day_first_times_are_24_hour_and_midnight_is_00(tmp_path: Path) -> None:
    instance = heroes()
    instance.given.append(row("Night Owl", "owl@example.com", "owl-id", "06:30:00", "06:31:30"))
    us = read(write_portal_csv(instance, tmp_path / "us.csv", tz="America/Chicago", meeting_block=False))
    day = read(
        write_portal_csv(instance, tmp_path / "day.csv", tz="America/Chicago", date_format="day_first")
    )
    assert us[-1][2:5] == ["11/19/2021 12:30:00 AM", "11/19/2021 12:31:30 AM", "2"]
    assert day[-1][2:5] == ["19/11/2021 00:30:00", "19/11/2021 00:31:30", "2"]
    assert day[1][2:4] == ["19/11/2021 10:00:00", "19/11/2021 12:00:00"]
    assert day[5][2:4] == ["19/11/2021 10:08:10", "19/11/2021 10:17:18"]
    with pytest.raises(ValueError, match="date_format"):
        write_portal_csv(instance, tmp_path / "x.csv", tz="UTC", date_format="iso")


def test_the_course_export_by_number_is_its_latest_session_in_the_teacher_s_zone(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    latest = sandbox.data.latest_instance(SandboxData.COURSE)
    assert latest is not None
    before = hashlib.sha256(json.dumps(latest.rows()).encode()).hexdigest()
    path = sandbox.write_csv(SandboxData.COURSE, tmp_path / "exports")
    assert path.parent == tmp_path / "exports"
    assert path.name == f"participants_{SandboxData.COURSE}_{latest.start_time:%Y-%m-%d_%H%M}Z.csv"
    raw = path.read_bytes()
    assert raw.startswith(BOM + b"Meeting ID,Topic,")
    lines = read(path)
    tz = "Europe/London"  # the teacher's Zoom time zone
    assert lines[0] == list(MEETING_HEADER)
    block = lines[1]
    assert block[:2] == [str(SandboxData.COURSE), "Data Science 201 seminar"]
    assert (
        utc(block[2], tz, US) == latest.summary()["start_time"]
        and utc(block[3], tz, US) == latest.summary()["end_time"]
    )
    assert block[4:] == [SandboxData.TEACHER, "90", str(latest.summary()["participants_count"])]
    assert lines[2] == []
    assert lines[3] == [c for c in PARTICIPANT_HEADER if c != "Recording Consent"]
    table = lines[4:]
    assert len(table) == len(latest.rows())  # every row, never "unique users"
    renamed = renames(latest)
    assert 1 <= len(renamed) <= 3
    for cells, source in zip(table, latest.rows(), strict=True):
        name, email, joined, left, minutes, guest, waiting = cells
        expected = (
            f"{source['name']} ({renamed[source['name']]})" if source["name"] in renamed else source["name"]
        )
        assert name == expected and email == source["user_email"]
        assert utc(joined, tz, US) == source["join_time"] and utc(left, tz, US) == source["leave_time"]
        assert int(minutes) == -(-source["duration"] // 60) and int(minutes) * 60 >= source["duration"]
        assert guest == ("Yes" if source["id"] == "" else "No")
        assert waiting == ("Yes" if source["status"] == "in_waiting_room" else "No")
    assert "Yes" in {c[6] for c in table}  # the waiting room
    assert any(
        int(c[4]) * 60 > s["duration"] for c, s in zip(table, latest.rows(), strict=True)
    )  # rounded up
    assert hashlib.sha256(json.dumps(latest.rows()).encode()).hexdigest() == before  # data untouched


def test_guests_are_rows_without_an_account_id(sandbox: Sandbox, tmp_path: Path) -> None:
    sessions = sandbox.data.meetings[SandboxData.COURSE].instances
    visited = next(i for i in sessions if any(r["id"] == "" for r in i.rows()))  # a session with a guest
    table = read(sandbox.write_csv(visited.uuid, tmp_path))[4:]
    guests = [cells for cells, r in zip(table, visited.rows(), strict=True) if r["id"] == ""]
    assert guests and all(cells[5] == "Yes" and cells[1] == "" for cells in guests)
    assert sum(cells[5] == "No" for cells in table) == sum(1 for r in visited.rows() if r["id"])
    # A guest's own name may end in parentheses ("Ada Lovelace (guest)"): written as it is, never renamed.
    assert all(cells[0] == r["name"] for cells, r in zip(table, visited.rows(), strict=True) if r["id"] == "")


def test_renames_read_back_as_the_api_s_name_and_stay_the_same(sandbox: Sandbox) -> None:
    again = SandboxData(sandbox.data.seed, sandbox.data.today)
    host = sandbox.data.meetings[SandboxData.COURSE].host.display_name
    for instance, twin in zip(
        sandbox.data.meetings[SandboxData.COURSE].instances,
        again.meetings[SandboxData.COURSE].instances,
        strict=True,
    ):
        renamed = renames(instance)
        assert renamed == renames(twin) and 1 <= len(renamed) <= 3
        names = {r["name"] for r in instance.rows()}
        for current, original in renamed.items():
            assert current in names and current != host and original != current
            match = RENAMED.fullmatch(f"{current} ({original})")
            assert match is not None and match["name"] == current and match["original"] == original


@pytest.mark.parametrize(
    ("options", "header"),
    [
        ({}, ["Guest", "In Waiting Room"]),
        ({"recording_consent": True}, ["Guest", "Recording Consent", "In Waiting Room"]),
        ({"guest": False, "waiting_room": False}, []),
        ({"guest": False, "recording_consent": True}, ["Recording Consent", "In Waiting Room"]),
    ],
)
def test_optional_columns_and_the_participants_only_layout(
    sandbox: Sandbox, tmp_path: Path, options: dict[str, bool], header: list[str]
) -> None:
    uuid = sandbox.data.meetings[SandboxData.TEAM_SYNC].instances[1].uuid  # an instance UUID, not the latest
    path = sandbox.write_csv(
        uuid, tmp_path, tz="Asia/Tokyo", meeting_block=False, date_format="day_first", bom=False, **options
    )
    raw = path.read_bytes()
    assert raw.startswith(b"Name (Original Name),User Email,Join Time,")
    lines = read(path)
    assert lines[0] == [*PARTICIPANT_HEADER[:5], *header]
    instance = sandbox.data.instances[uuid]
    assert len(lines) == 1 + len(instance.rows())
    assert [utc(r[2], "Asia/Tokyo", DAY_FIRST) for r in lines[1:]] == [
        r["join_time"] for r in instance.rows()
    ]
    assert all(len(r) == len(lines[0]) for r in lines)


def test_unknown_references_are_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    for ref in (12345678901, "no-such-uuid==", SandboxData.BIG_WEBINAR):
        with pytest.raises(ValueError, match="no meeting"):
            sandbox.write_csv(ref, tmp_path)
    assert list(tmp_path.iterdir()) == []


def run(*args: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "zoom_pandas.sandbox", *args]
    return subprocess.run(command, capture_output=True, text=True, env=environment, timeout=60, check=False)


def test_the_command_line_writes_every_course_session_and_exits(tmp_path: Path) -> None:
    done = run("--csv", str(tmp_path / "course"))
    assert done.returncode == 0, done.stderr
    paths = [Path(line) for line in done.stdout.splitlines()]
    data = SandboxData()
    sessions = data.meetings[SandboxData.COURSE].instances
    assert len(paths) == len(sessions) == 14 and len(set(paths)) == 14
    assert sorted(p.name for p in (tmp_path / "course").iterdir()) == sorted(p.name for p in paths)
    first = read(paths[0])
    assert first[0] == list(MEETING_HEADER) and utc(first[1][2], "Europe/London", US) == (
        sessions[0].start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    assert len(first) == 4 + len(sessions[0].rows())


def test_the_command_line_takes_meetings_a_zone_a_layout_and_a_date_format(tmp_path: Path) -> None:
    data = SandboxData()
    uuid = data.meetings[SandboxData.TEAM_SYNC].instances[0].uuid
    done = run(
        "--csv", str(tmp_path), "--meeting", str(SandboxData.INSTANT_MEETING), uuid,
        "--tz", "Asia/Tokyo", "--layout", "participants-only", "--date-format", "day-first",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    instant, sync = (Path(line) for line in done.stdout.splitlines())
    assert instant.name.startswith(f"participants_{SandboxData.INSTANT_MEETING}_")
    assert sync.name.startswith(f"participants_{SandboxData.TEAM_SYNC}_")
    rows = read(sync)
    assert rows[0][0] == "Name (Original Name)" and len(rows) == 1 + len(data.instances[uuid].rows())
    assert utc(rows[1][2], "Asia/Tokyo", DAY_FIRST) == data.instances[uuid].rows()[0]["join_time"]
    wrong = run("--csv", str(tmp_path), "--meeting", "12345678901")
    assert wrong.returncode == 2 and "no meeting" in wrong.stderr
    misplaced = run("--tz", "UTC")
    assert misplaced.returncode == 2 and "go with --csv" in misplaced.stderr
