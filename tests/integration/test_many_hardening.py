"""Reads of many meetings when things go wrong: clashing added fields, interrupts, odd listings,
one user's failure, warnings from worker threads, exports that overlap. Real HTTP, the sandbox."""

from __future__ import annotations

import datetime as dt
import os
import signal
import threading
import time
import warnings
from pathlib import Path

import filelock
import pandas as pd
import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from zoom_pandas.cache import ReportCache
from zoom_pandas.export_files import LOCK_NAME
from zoom_pandas.sandbox import Sandbox, SandboxData

SYNC, LECTURE = SandboxData.TEAM_SYNC, SandboxData.LECTURE
TODAY = dt.datetime.now(dt.timezone.utc).date()


def test_added_fields_of_clashing_types_are_read_as_text_with_a_warning(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    sandbox.inject(LECTURE, extra_fields={"x": 7, "shape": {"a": 1}})
    sandbox.inject(SYNC, extra_fields={"x": "seven", "shape": 5})
    with pytest.warns(zp.ZoomPandasWarning, match=r"\['x'\] read as text, \['shape'\] left out") as caught:
        frame = zp.read_participants([LECTURE, SYNC], client=client)
    assert all(w.filename == __file__ for w in caught)
    assert set(frame["x"].unique()) == {"7", "seven"}
    assert "shape" not in frame.columns
    # Each instance alone keeps its own types.
    alone = zp.read_participants(LECTURE, client=client)
    assert str(alone["x"].dtype) == "int64[pyarrow]" and "shape" in alone.columns


def test_an_interrupt_stops_at_once_and_keeps_what_arrived() -> None:
    # 24 instances of 5 pages at 0.6 s a page, 8 at a time: 3 s a round, 9 s in all. The interrupt
    # comes after 3.5 s, early in the second round: the first round's 8 are whole by then, and the
    # second round's fetches would end at 6 s. "At once" leaves 1.5 s for parsing and caching the 8
    # on a loaded machine, still well before the running fetches would end.
    with Sandbox(bulk=(24, 1500), latency=0.6) as slow, slow.client() as client:
        listing = zp.read_meetings("bulk@example.com", start=TODAY - dt.timedelta(days=30), client=client)
        timer = threading.Timer(3.5, os.kill, (os.getpid(), signal.SIGINT))  # Ctrl-C
        started = time.monotonic()
        timer.start()
        try:
            with pytest.raises(KeyboardInterrupt):
                zp.read_participants(listing, client=client, progress=False)
        finally:
            timer.cancel()
        surfaced = time.monotonic() - started
        cached = ReportCache("participants", api_url=client.api_url).reports()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _workers():
            time.sleep(0.05)
        sent = slow.counts()["Heavy"] - 1  # the listing
    assert surfaced < 3.5 + 1.5  # at once, not when the running fetches end (6 s)
    assert len(cached) >= 8 and sent < 24 * 5  # what arrived whole before the interrupt was cached
    assert _workers() == []  # the workers stopped at their next page


def _workers() -> list[str]:
    return [t.name for t in threading.enumerate() if t.name.startswith("zoom-pandas_")]  # the pool's


def test_a_listing_row_without_uuid_is_reported_and_an_empty_listing_is_not_found(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    zp.read_user(client=client)  # the token is fetched: the next /v2 request takes the body below
    listed = sandbox.data.meetings[SYNC].instances[0]
    body = (
        '{"meetings":[{"uuid":"","start_time":"2026-01-01T10:00:00Z"},'
        f'{{"uuid":"{listed.uuid}","start_time":"2026-01-08T10:00:00Z"}}]}}'
    )
    sandbox.inject(None, bodies=[body.encode()])
    with pytest.warns(zp.PartialReadWarning, match="without a UUID"):
        frame = zp.read_participants(SYNC, instances="all", client=client, errors="warn")
    assert [m["meeting_uuid"] for m in frame.attrs["meetings"]] == [listed.uuid]
    sandbox.inject(None, bodies=[b'{"meetings":[]}'])
    with pytest.raises(zp.MeetingNotFound, match="no ended instance"):
        zp.read_participants(SYNC, instances="all", client=client)


def test_errors_warn_holds_for_one_number_with_every_instance(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    sandbox.inject(SYNC, server_errors=1000)
    with pytest.warns(zp.PartialReadWarning):
        frame = zp.read_participants([SYNC, SYNC], instances="all", client=client, errors="warn")
    assert len(frame) == 0 and len(frame.attrs["failures"]) == 6
    assert sum(r.path.endswith("/instances") for r in sandbox.requests) == 1  # listed once


def test_listed_webinar_instances_are_not_resolved_with_a_second_heavy_request(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    frame = zp.read_webinar_participants(SandboxData.WEBINAR_SERIES, instances="all", client=client)
    heavy = [r.path for r in sandbox.requests if r.label == "Heavy"]
    assert frame["meeting_uuid"].nunique() == 4
    assert all(path.endswith("/participants") for path in heavy)  # no /report/webinars/{uuid} resolve


def test_a_unique_of_the_frames_own_column_is_a_list_of_refs(client: zp.ZoomClient) -> None:
    numbers = zp.read_participants([SYNC, LECTURE], client=client)["meeting_id"].unique()
    again = zp.read_participants(numbers, client=client)
    assert [m["meeting_id"] for m in again.attrs["meetings"]] == [SYNC, LECTURE]


def test_warnings_from_worker_threads_point_at_the_callers_line(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    uuids = [i.uuid for i in sandbox.data.meetings[SYNC].instances]
    zp.read_participants(uuids, client=client)
    store = ReportCache("participants", api_url=client.api_url)
    damaged = store.path_for(SYNC, uuids[1])
    damaged.write_bytes(b"not parquet at all")
    with pytest.warns(zp.CacheCorruptWarning) as caught:
        zp.read_participants(uuids, client=client)
    assert [w.filename for w in caught] == [__file__]


def test_one_users_failure_leaves_the_others_listed_and_exported(
    sandbox: Sandbox, client: zp.ZoomClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    gone = next(u for u in sandbox.data.users if u.email == "teacher@example.com")
    lookup = sandbox.data.user
    monkeypatch.setattr(sandbox.data, "user", lambda user_id: None if user_id == gone.id else lookup(user_id))
    start = TODAY - dt.timedelta(days=40)
    with pytest.warns(zp.PartialReadWarning, match=gone.id):
        listing = zp.read_meetings("all", start=start, client=client)
    assert [f["ref"] for f in listing.attrs["failures"]] == [gone.id]
    assert "teacher@example.com" not in set(listing["user_email"]) and len(listing) > 10
    with pytest.warns(zp.PartialReadWarning):
        summary = zp.export(tmp_path / "out", start=start, end=TODAY, user="all", client=client)
    assert list(summary.failures) == [gone.id] and summary.read == summary.instances > 10


def test_a_second_export_into_the_same_folder_is_refused_while_one_runs(
    client: zp.ZoomClient, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir(mode=0o700)
    with (
        filelock.FileLock(str(out / LOCK_NAME), timeout=0),
        pytest.raises(ValueError, match="another export"),
    ):
        zp.export(out, start=TODAY - dt.timedelta(days=7), end=TODAY, client=client)


def test_exports_of_two_users_into_one_folder_keep_both_listings(
    client: zp.ZoomClient, tmp_path: Path
) -> None:
    out, start = tmp_path / "out", TODAY - dt.timedelta(days=60)
    for user in ("owner@example.com", "hr@example.com"):
        zp.export(out, start=start, end=TODAY, user=user, client=client)
    both = pd.concat(
        [zp.read_meetings(u, start=start, client=client) for u in ("owner@example.com", "hr@example.com")]
    )
    import pyarrow.dataset as ds

    listed = ds.dataset(out / "meetings", partitioning="hive").to_table().column("meeting_uuid").to_pylist()
    assert sorted(listed) == sorted(both["meeting_uuid"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rows = ds.dataset(out / "participants", partitioning="hive").count_rows()
    assert rows == len(zp.read_participants(both[~both["type"].isin([5, 6, 9])], client=client))


def test_bounded_retries_still_end_a_read_of_many(sandbox: Sandbox) -> None:
    with sandbox.client(retry=FAST_RETRY) as client:
        sandbox.inject(None, resets=3)
        frame = zp.read_participants([SYNC, LECTURE], client=client)
    assert frame["meeting_id"].nunique() == 2
