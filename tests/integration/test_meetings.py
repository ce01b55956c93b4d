"""Finding meetings over the sandbox: meeting reports in one-month windows, and instances."""

from __future__ import annotations

import datetime as dt

import pytest

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData

TODAY = dt.datetime.now(dt.timezone.utc).date()


def test_read_meetings_splits_long_ranges_into_month_windows(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    meetings = zp.read_meetings("me", start=TODAY - dt.timedelta(days=150), end=TODAY, client=client)
    windows = [r for r in sandbox.requests if r.path.endswith("/meetings")]
    assert len(windows) == 6
    for record in windows:
        first, last = (dt.date.fromisoformat(record.query[k][0]) for k in ("from", "to"))
        assert (last - first).days <= 30
    owner = sandbox.data.users[0]
    expected = {
        i.uuid
        for m in sandbox.data.meetings.values()
        if m.host == owner
        for i in m.instances
        if i.people >= 2 and i.start_time.date() >= TODAY - dt.timedelta(days=150)
    }
    assert set(meetings["meeting_uuid"]) == expected
    assert meetings["start_time"].is_monotonic_decreasing
    assert str(meetings["start_time"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert str(meetings["duration"].dtype) == "duration[s][pyarrow]"
    assert str(meetings["meeting_id"].dtype) == "int64[pyarrow]"
    assert list(meetings.columns[:2]) == ["meeting_id", "meeting_uuid"]


def test_read_meetings_default_is_the_last_30_days(client: zp.ZoomClient) -> None:
    meetings = zp.read_meetings(client=client)
    assert SandboxData.TEAM_SYNC in set(meetings["meeting_id"])
    assert (meetings["start_time"] >= zp_timestamp(TODAY - dt.timedelta(days=31))).all()


def zp_timestamp(day: dt.date) -> object:
    import pandas as pd

    return pd.Timestamp(day, tz="UTC")


def test_read_meetings_beyond_six_months_fails_before_any_request(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    with pytest.raises(ValueError, match="six months"):
        zp.read_meetings(start=TODAY - dt.timedelta(days=200), client=client)
    with pytest.raises(ValueError, match="after end"):
        zp.read_meetings(start=TODAY, end=TODAY - dt.timedelta(days=1), client=client)
    assert sandbox.requests == []


def test_read_meetings_of_another_user_by_email(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    meetings = zp.read_meetings("teacher@example.com", client=client)
    assert sandbox.requests[-1].path == "/v2/report/users/teacher@example.com/meetings"
    assert "Statistics 101 lecture" in set(meetings["topic"])
    assert (meetings["user_email"] == "teacher@example.com").all()


def test_read_instances_newest_first(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    instances = zp.read_instances("857 4606 5432", client=client)
    assert len(instances) == 6
    assert instances["start_time"].is_monotonic_decreasing
    latest = sandbox.data.latest_instance(SandboxData.TEAM_SYNC)
    assert latest is not None and instances["meeting_uuid"].iloc[0] == latest.uuid
    assert list(instances.columns) == ["meeting_id", "meeting_uuid", "start_time"]
    assert (instances["meeting_id"] == SandboxData.TEAM_SYNC).all()
    with pytest.raises(ValueError, match="meeting number"):
        zp.read_instances(latest.uuid, client=client)


def test_user_ids_are_encoded_in_paths(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    with pytest.raises(zp.ZoomAPIError):
        zp.read_meetings("x/../../users/me?y=", client=client)
    assert sandbox.requests[-1].path.startswith("/v2/report/users/x%2F..%2F..%2Fusers%2Fme%3Fy%3D/")


def test_participants_frame_joins_the_meetings_frame(client: zp.ZoomClient) -> None:
    meetings = zp.read_meetings(client=client)
    frame = zp.read_participants(SandboxData.TEAM_SYNC, client=client, cache=False)
    joined = frame.merge(meetings, on=["meeting_id", "meeting_uuid"], suffixes=("", "_meeting"))
    assert len(joined) == len(frame) and (joined["topic"] == "Weekly team sync").all()
