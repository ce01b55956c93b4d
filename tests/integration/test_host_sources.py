"""A host without admin rights: source="auto" falls back to past meetings, listings too, caches kept apart."""

from __future__ import annotations

import warnings
from collections.abc import Iterator

import pandas as pd
import pytest

import zoom_pandas as zp
import zoom_pandas.reports
from tests.conftest import FAST_RETRY
from zoom_pandas.sandbox import Sandbox, SandboxData

COURSE = SandboxData.COURSE
#: The report's fields the past-meetings source lacks.
LACKING = ["customer_key", "bo_mtg_id", "participant_user_id"]


@pytest.fixture
def host() -> Iterator[Sandbox]:
    """The sandbox signed in as the course's teacher through a user-level app (no report scopes)."""
    with Sandbox(app="host") as running:
        yield running


@pytest.fixture
def host_client(host: Sandbox) -> Iterator[zp.ZoomClient]:
    with host.client(retry=FAST_RETRY) as connected:
        yield connected


def course_uuids(sandbox: Sandbox) -> list[str]:
    held = sorted(sandbox.data.meetings[COURSE].instances, key=lambda i: i.start_time)
    return [i.uuid for i in held]


def report_requests(sandbox: Sandbox) -> int:
    return sum(record.path.startswith("/v2/report/") for record in sandbox.requests)


def fallback_warnings(caught: list[warnings.WarningMessage]) -> list[str]:
    return [
        str(w.message)
        for w in caught
        if w.category is zp.ZoomPandasWarning and str(w.message).startswith("Zoom refused")
    ]


def test_auto_falls_back_once_and_then_goes_straight_to_past_meetings(
    host: Sandbox, host_client: zp.ZoomClient
) -> None:
    first, second = course_uuids(host)[:2]
    with pytest.warns(zp.ZoomPandasWarning, match="bo_mtg_id") as caught:
        frame = zp.read_participants(first, client=host_client, cache=False)
    assert len(fallback_warnings(caught.list)) == 1
    assert "participant_user_id" in fallback_warnings(caught.list)[0]
    assert (
        frame.attrs["endpoint"] == "past_meetings"
        and frame.attrs["meetings"][0]["endpoint"] == "past_meetings"
    )
    assert len(frame) > 0 and frame[LACKING].isna().all().all()
    refused = report_requests(host)
    assert refused == 1  # the one refusal
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second warning
        again = zp.read_participants(second, client=host_client, cache=False)
    assert report_requests(host) == refused  # remembered: no report request
    assert again.attrs["endpoint"] == "past_meetings"
    paged = [r.path for r in host.requests if r.path.endswith("/participants")]
    assert all(path.startswith("/v2/past_meetings/") for path in paged[1:])


def test_many_refs_fall_back_with_one_warning(host: Sandbox, host_client: zp.ZoomClient) -> None:
    uuids = course_uuids(host)[:6]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        frame = zp.read_participants(uuids, client=host_client, cache=False)
    assert len(fallback_warnings(caught)) == 1
    assert [m["meeting_uuid"] for m in frame.attrs["meetings"]] == uuids
    assert {m["endpoint"] for m in frame.attrs["meetings"]} == {"past_meetings"}
    assert frame["bo_mtg_id"].isna().all()


def test_source_report_keeps_the_error(host_client: zp.ZoomClient) -> None:
    with pytest.raises(zp.PermissionDenied, match="report:read") as caught:
        zp.read_participants(COURSE, client=host_client, cache=False, source="report")
    assert caught.value.code == 4711


def test_a_bad_source_is_refused_before_any_request(host: Sandbox, host_client: zp.ZoomClient) -> None:
    with pytest.raises(ValueError, match="source must be"):
        zp.read_participants(COURSE, client=host_client, source="reports")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="source must be"):
        zp.read_meetings(client=host_client, source="dashboard")  # type: ignore[arg-type]
    assert host.requests == []


@pytest.mark.parametrize("page_size", [30, 7, 300])
def test_past_meetings_rows_equal_the_report_on_shared_columns(
    sandbox: Sandbox, client: zp.ZoomClient, page_size: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(zoom_pandas.reports, "PAGE_SIZE", page_size)
    uuid = course_uuids(sandbox)[3]
    report = zp.read_participants(uuid, client=client, cache=False, source="report")
    past = zp.read_participants(uuid, client=client, cache=False, source="past_meetings")
    assert report.attrs["endpoint"] == "report" and past.attrs["endpoint"] == "past_meetings"
    shared = [c for c in report.columns if c not in LACKING]
    pd.testing.assert_frame_equal(past[shared], report[shared])
    assert list(past.columns) == list(report.columns)
    assert (past.dtypes == report.dtypes).all()
    assert past[LACKING].isna().all().all() and report["participant_user_id"].notna().any()
    pages = [
        r for r in sandbox.requests if r.path.startswith("/v2/past_meetings/") and "participants" in r.path
    ]
    assert len(pages) == -(-len(report) // page_size)


def test_each_source_is_cached_apart(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    uuid = course_uuids(sandbox)[1]
    past = zp.read_participants(uuid, client=client, source="past_meetings")
    assert past.attrs["source"] == "api"
    # A report read never serves the past-meetings rows: it fetches.
    report = zp.read_participants(uuid, client=client, source="report")
    assert report.attrs["source"] == "api" and report["participant_user_id"].notna().any()
    # Each source is served from its own dataset afterwards.
    before = len(sandbox.requests)
    again_past = zp.read_participants(uuid, client=client, source="past_meetings")
    again_report = zp.read_participants(uuid, client=client, source="report")
    assert len(sandbox.requests) == before
    assert again_past.attrs["source"] == again_report.attrs["source"] == "cache"
    assert again_past.attrs["endpoint"] == "past_meetings" and again_report.attrs["endpoint"] == "report"
    assert again_past["bo_mtg_id"].isna().all()
    # Offline with auto: the report's copy first.
    offline = zp.read_participants(uuid, client=client, cache="offline")
    assert offline.attrs["endpoint"] == "report"
    both = zp.read_cache(client=client)
    assert [m["endpoint"] for m in both.attrs["meetings"]] == ["report"]
    only_past = zp.read_cache(client=client, source="past_meetings")
    assert [m["endpoint"] for m in only_past.attrs["meetings"]] == ["past_meetings"]


def test_a_host_reads_its_cache_offline_and_online(host: Sandbox, host_client: zp.ZoomClient) -> None:
    uuid = course_uuids(host)[2]
    with pytest.warns(zp.ZoomPandasWarning):
        zp.read_participants(uuid, client=host_client)
    offline = zp.read_participants(uuid, client=host_client, cache="offline")
    assert offline.attrs["source"] == "cache" and offline.attrs["endpoint"] == "past_meetings"
    before = len(host.requests)
    online = zp.read_participants(uuid, client=host_client)  # the client knows: past-meetings cache
    assert online.attrs["source"] == "cache" and len(host.requests) == before
    course = zp.read_participants(COURSE, client=host_client, cache="offline", instances="all")
    assert [m["meeting_uuid"] for m in course.attrs["meetings"]] == [uuid]


def test_read_meetings_falls_back_to_previous_meetings(
    host: Sandbox, host_client: zp.ZoomClient, sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    start = min(i.start_time for i in host.data.meetings[COURSE].instances).date()
    with pytest.warns(zp.ZoomPandasWarning, match="previous_meetings") as caught:
        listed = zp.read_meetings(start=start, client=host_client)
    assert len(fallback_warnings(caught.list)) == 1
    assert report_requests(host) == 1
    assert set(course_uuids(host)) <= set(listed["meeting_uuid"])
    assert listed["start_time"].is_monotonic_decreasing
    assert listed["end_time"].notna().all() and listed["participants_count"].notna().all()
    # The same columns and types as the admin's report listing of the same host.
    admin = zp.read_meetings(SandboxData.TEACHER, start=start, client=client)
    assert list(listed.columns) == list(admin.columns) and (listed.dtypes == admin.dtypes).all()
    assert set(listed["meeting_uuid"]) == set(admin["meeting_uuid"])
    pd.testing.assert_frame_equal(
        listed.drop(columns=["total_minutes"]).reset_index(drop=True),
        admin.drop(columns=["total_minutes"]).reset_index(drop=True),
    )
    # Remembered: the next listing goes straight to previous_meetings.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        zp.read_meetings(start=start, client=host_client)
    assert report_requests(host) == 1
    # The listing frame reads as it is, through the participants' own fallback (its own warning:
    # the two are separate scopes).
    with pytest.warns(zp.ZoomPandasWarning, match="past_meetings/"):
        frame = zp.read_participants(listed.head(3), client=host_client, cache=False)
    assert {m["endpoint"] for m in frame.attrs["meetings"]} == {"past_meetings"}


def test_previous_meetings_miss_instant_meetings(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    instant = sandbox.data.meetings[SandboxData.INSTANT_MEETING]
    host, start = instant.host.email, instant.instances[0].start_time.date()
    reported = zp.read_meetings(host, start=start, client=client, source="report")
    previous = zp.read_meetings(host, start=start, client=client, source="past_meetings")
    assert SandboxData.INSTANT_MEETING in set(reported["meeting_id"])
    assert SandboxData.INSTANT_MEETING not in set(previous["meeting_id"])
    scheduled = reported[reported["type"] != 1]
    assert set(previous["meeting_uuid"]) == set(scheduled["meeting_uuid"])


def test_past_meetings_listing_reaches_beyond_six_months_only_when_asked(host_client: zp.ZoomClient) -> None:
    with pytest.raises(ValueError, match="source='past_meetings'"):
        zp.read_meetings(start="2020-01-01", client=host_client)
    old = zp.read_meetings(start="2020-01-01", end="2020-01-31", client=host_client, source="past_meetings")
    assert len(old) == 0


def test_all_users_still_needs_the_reports(host_client: zp.ZoomClient) -> None:
    with pytest.raises(zp.PermissionDenied):
        zp.read_meetings("all", client=host_client)


def test_a_refused_resolve_names_the_past_meeting_scopes_not_the_report() -> None:
    with Sandbox(app="host", scopes="meeting:read:list_past_participants user:read:user") as narrow:
        with narrow.client(retry=FAST_RETRY) as client, pytest.raises(zp.PermissionDenied) as caught:
            zp.read_participants(COURSE, client=client, cache=False)
    assert caught.value.code == 4711
    assert "meeting:read:past_meeting" in str(caught.value) and "report:read:admin" not in str(caught.value)
