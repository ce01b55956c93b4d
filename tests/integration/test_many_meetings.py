"""Many meetings in one read: lists, listing frames, every instance, failures reported, the daily limit."""

from __future__ import annotations

import datetime as dt
import json
import time
import warnings

import pandas as pd
import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from zoom_pandas.sandbox import Sandbox, SandboxData

SYNC = SandboxData.TEAM_SYNC
LECTURE = SandboxData.LECTURE
MISSING = 81234567899


def instance_uuids(sandbox: Sandbox, number: int) -> list[str]:
    """The sandbox's instances of a number, oldest first."""
    held = sorted(sandbox.data.meetings[number].instances, key=lambda i: i.start_time)
    return [i.uuid for i in held]


def paths(sandbox: Sandbox, since: int = 0) -> list[str]:
    return [record.path for record in sandbox.requests[since:]]


def test_a_list_reads_each_instance_once_in_input_order(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    lecture_latest = instance_uuids(sandbox, LECTURE)[-1]
    sync_first = instance_uuids(sandbox, SYNC)[0]
    refs = [LECTURE, sync_first, lecture_latest, "8574 6065 432", sync_first]
    frame = zp.read_participants(refs, client=client, cache=False)
    uuids = [m["meeting_uuid"] for m in frame.attrs["meetings"]]
    assert uuids == [lecture_latest, sync_first, instance_uuids(sandbox, SYNC)[-1]]
    # Each distinct instance fetched once: three instances, three reports, one page each.
    assert sum("/report/meetings/" in p for p in paths(sandbox)) == 3
    assert list(pd.unique(frame["meeting_uuid"])) == uuids
    for uuid in uuids:  # the same rows as a read of that instance alone
        alone = zp.read_participants(uuid, client=client, cache=False)
        pd.testing.assert_frame_equal(
            frame[frame["meeting_uuid"] == uuid].reset_index(drop=True), alone, check_like=False
        )
    assert "meeting_uuid" not in frame.attrs  # several instances: no top-level instance keys


def test_a_series_of_numbers_and_an_empty_list(client: zp.ZoomClient) -> None:
    frame = zp.read_participants(pd.Series([SYNC, LECTURE], dtype="int64[pyarrow]"), client=client)
    assert [m["meeting_id"] for m in frame.attrs["meetings"]] == [SYNC, LECTURE]
    empty = zp.read_participants([], client=client)
    assert len(empty) == 0 and empty.attrs["meetings"] == []
    assert str(empty["join_time"].dtype) == "timestamp[us, tz=UTC][pyarrow]"


def test_every_instance_oldest_first_then_from_the_cache(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SYNC, instances="all", client=client)
    meetings = frame.attrs["meetings"]
    assert [m["meeting_uuid"] for m in meetings] == instance_uuids(sandbox, SYNC)
    starts = [m["start_time"] for m in meetings]
    assert starts == sorted(starts)
    assert all(m["topic"] == "Weekly team sync" and m["end_time"] for m in meetings)
    # UUIDs starting with "/" and holding "//" are among them (double-encoded on the way).
    assert any(u.startswith("/") for u in frame["meeting_uuid"].unique())
    before = len(sandbox.requests)
    again = zp.read_participants(SYNC, instances="all", client=client)
    assert paths(sandbox, before) == [f"/v2/past_meetings/{SYNC}/instances"]
    assert {m["source"] for m in again.attrs["meetings"]} == {"cache"}
    pd.testing.assert_frame_equal(again, frame)
    offline = zp.read_participants(SYNC, instances="all", cache="offline", client=client)
    assert [m["meeting_uuid"] for m in offline.attrs["meetings"]] == instance_uuids(sandbox, SYNC)


def test_a_listing_frame_is_used_as_it_is(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    listing = zp.read_meetings("teacher@example.com", start=today - dt.timedelta(days=60), client=client)
    listing = listing[~listing["type"].isin([5, 6, 9])]
    assert len(listing) >= 4
    before = len(sandbox.requests)
    frame = zp.read_participants(listing, client=client, cache=False)
    sent = paths(sandbox, before)
    assert not any(p.startswith("/v2/past_meetings") for p in sent)  # no resolve call per instance
    assert len(sent) == len(listing)  # one page each
    meetings = frame.attrs["meetings"]
    assert [m["meeting_uuid"] for m in meetings] == listing["meeting_uuid"].tolist()
    assert [m["topic"] for m in meetings] == listing["topic"].tolist()


def test_a_read_instances_frame_is_used_as_it_is(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    instances = zp.read_instances(LECTURE, client=client)
    before = len(sandbox.requests)
    frame = zp.read_participants(instances, client=client)
    assert not any(p.startswith("/v2/past_meetings") for p in paths(sandbox, before))
    assert frame["meeting_uuid"].nunique() == len(instances)
    # Settled by its start time (Zoom ends meetings after 30 hours): the second read is cached.
    before = len(sandbox.requests)
    zp.read_participants(instances, client=client)
    assert paths(sandbox, before) == []


def test_webinars_in_a_meeting_read_are_refused_before_any_request(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    listing = zp.read_meetings("events@example.com", start=today - dt.timedelta(days=60), client=client)
    assert listing["type"].isin([5, 6, 9]).any()
    before = len(sandbox.requests)
    with pytest.raises(ValueError, match="read_webinar_participants"):
        zp.read_participants(listing, client=client)
    assert paths(sandbox, before) == []
    webinars = zp.read_webinar_participants(listing[listing["type"].isin([5, 6, 9])], client=client)
    assert webinars["meeting_id"].isin([SandboxData.WEBINAR_SERIES, SandboxData.BIG_WEBINAR]).all()
    assert "bo_mtg_id" not in webinars.columns


def test_failures_raise_after_every_other_instance_is_read(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(LECTURE, server_errors=100)
    with pytest.raises(zp.ReadErrors) as caught:
        zp.read_participants([SYNC, MISSING, LECTURE, SandboxData.ALL_HANDS], client=client)
    error = caught.value
    assert set(error.failures) == {MISSING, LECTURE}  # keyed by the refs given
    assert isinstance(error.failures[MISSING], zp.MeetingNotFound)
    assert isinstance(error.failures[LECTURE], zp.ZoomAPIError)
    read = [m["meeting_id"] for m in error.frame.attrs["meetings"]]
    assert read == [SYNC, SandboxData.ALL_HANDS]  # nothing that arrived is lost
    assert len(error.frame) == len(
        zp.read_participants([SYNC, SandboxData.ALL_HANDS], cache="offline", client=client)
    )
    assert "2 could not be read" in str(error) and str(MISSING) in str(error)
    assert [f["ref"] for f in error.frame.attrs["failures"]] == [MISSING, LECTURE]


def test_errors_warn_returns_the_rest_with_the_failures(client: zp.ZoomClient) -> None:
    with pytest.warns(zp.PartialReadWarning, match=str(MISSING)):
        frame = zp.read_participants([SYNC, MISSING], client=client, errors="warn")
    assert [m["meeting_id"] for m in frame.attrs["meetings"]] == [SYNC]
    (failure,) = frame.attrs["failures"]
    assert failure["ref"] == MISSING and failure["error"] == "MeetingNotFound"
    assert json.loads(json.dumps(frame.attrs)) == frame.attrs  # to_parquet stores attrs as JSON


def test_one_ref_with_every_instance_raises_its_own_error(client: zp.ZoomClient) -> None:
    with pytest.raises(zp.MeetingNotFound):
        zp.read_participants(MISSING, instances="all", client=client)


def test_a_daily_limit_stops_every_request_and_reports_every_unread_instance(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    listing = zp.read_instances(LECTURE, client=client)
    sandbox.inject(LECTURE, daily_limited=True)
    before = len(sandbox.requests)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(zp.ReadErrors) as caught:
            zp.read_participants(listing, client=client)
    failures = caught.value.failures
    assert set(failures) == set(listing["meeting_uuid"])
    assert all(isinstance(exc, zp.RateLimited) and exc.retry_after for exc in failures.values())
    # Only the requests already in flight when the first 429 came back were sent.
    sent = paths(sandbox, before)
    assert len(sent) <= client.limiter.concurrency()
    assert client.limiter.blocked_until("Heavy") is not None
    with pytest.raises(zp.RateLimited, match="not sent"):  # and later reads stop at once too
        zp.read_participants(SYNC, client=client, cache=False)


COURSE = SandboxData.COURSE


def test_pacing_per_label_meets_zooms_pro_limits_without_a_429() -> None:
    # Zoom's Pro buckets in the sandbox (Light 30/s, Medium 20/s, Heavy 10/s); the client paces
    # each label with its own bucket, so the Light resolve calls never spend the Heavy budget.
    with Sandbox(rate_limits="pro") as limited, limited.client(rate_limit="pro") as client:
        started = time.monotonic()
        frame = zp.read_participants([COURSE, SYNC, LECTURE], instances="all", client=client, cache=False)
        elapsed = time.monotonic() - started
        counts = limited.counts()
    assert counts["429"] == 0
    assert frame["meeting_uuid"].nunique() == 14 + 6 + 8
    heavy = counts["Heavy"]
    assert heavy >= 28
    # Not slower than Zoom's Heavy budget needs: 9.7 a second (and slack for CI).
    assert elapsed < heavy / 9.7 + 5.0


def test_without_pacing_the_same_read_meets_429s_and_waits_them_out() -> None:
    with Sandbox(rate_limits="free") as limited, limited.client(retry=FAST_RETRY) as client:
        frame = zp.read_participants(SYNC, instances="all", client=client, cache=False)
        counts = limited.counts()
    assert counts["429"] > 0  # Free: Heavy 1/s; eight threads at once overflow it
    assert frame["meeting_uuid"].nunique() == 6  # every instance read all the same


def test_zooms_daily_cap_stops_the_read_and_keeps_what_arrived() -> None:
    with Sandbox(daily_limit=5) as capped, capped.client(retry=FAST_RETRY) as client:
        with pytest.raises(zp.ReadErrors) as caught:
            zp.read_participants(COURSE, instances="all", client=client)
        records = [r for r in capped.requests if r.label == "Heavy"]
    error = caught.value
    read = [m["meeting_uuid"] for m in error.frame.attrs["meetings"]]
    assert len(read) == 5 and len(error.failures) == 14 - 5
    assert all(isinstance(exc, zp.RateLimited) and exc.retry_after for exc in error.failures.values())
    first_refusal = next(k for k, r in enumerate(records) if r.status == 429)
    # After the first Daily-limit 429 only requests already in flight reached Zoom.
    assert len(records) - first_refusal <= client.limiter.concurrency()
    again = zp.read_participants(read, client=client)  # what arrived was cached: no request needed
    assert len(again) == len(error.frame)


def test_a_malformed_report_fails_only_its_own_instance(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    # Pages of many instances are parsed in one Arrow read; one bad page must not sink the rest.
    bad = instance_uuids(sandbox, SYNC)[2]
    sandbox.inject(bad, bodies=[b'{"page_size":300,"total_records":12,"next_page_token":""}'])
    refs = instance_uuids(sandbox, SYNC)
    with pytest.raises(zp.ReadErrors) as caught:
        zp.read_participants(refs, client=client)
    assert list(caught.value.failures) == [bad]
    assert "participants" in str(caught.value.failures[bad])
    read = [m["meeting_uuid"] for m in caught.value.frame.attrs["meetings"]]
    assert read == [uuid for uuid in refs if uuid != bad]
    cached = zp.read_participants([u for u in refs if u != bad], cache="offline", client=client)
    pd.testing.assert_frame_equal(cached, caught.value.frame)  # what arrived was cached whole


def test_one_progress_bar_over_instances_with_pages(
    client: zp.ZoomClient, capsys: pytest.CaptureFixture[str]
) -> None:
    zp.read_participants(SYNC, instances="all", client=client, progress=True)
    err = capsys.readouterr().err
    assert "meeting instances" in err and "6/6" in err and "pages=6" in err
    assert err.count("meeting instances") >= 1 and "page/s" not in err  # no bar per instance


def test_read_meetings_of_every_active_user(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    start = today - dt.timedelta(days=60)
    everyone = zp.read_meetings("all", start=start, client=client)
    active = [u for u in sandbox.data.users if getattr(u, "status", "active") == "active"]
    assert len(active) < len(sandbox.data.users)  # an inactive and a pending user are left out
    one_by_one = pd.concat([zp.read_meetings(u.email, start=start, client=client) for u in active])
    assert set(everyone["meeting_uuid"]) == set(one_by_one["meeting_uuid"])
    assert len(everyone) == everyone["meeting_uuid"].nunique()
    inactive = {u.email for u in sandbox.data.users if getattr(u, "status", "active") != "active"}
    assert not set(everyone["user_email"]) & inactive
    assert sum(r.path == "/v2/users" for r in sandbox.requests) == 1
