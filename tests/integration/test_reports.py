"""Reports as values over the sandbox: the frame's meeting, the default client, whose cache it is."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import zoom_pandas as zp
import zoom_pandas.client as zclient
from tests.conftest import FAST_RETRY
from zoom_pandas.cache import ReportCache
from zoom_pandas.cli import main
from zoom_pandas.default_client import default_client
from zoom_pandas.report import Report
from zoom_pandas.reports import MEETING_REPORT, ReportFetcher
from zoom_pandas.sandbox import Sandbox, SandboxData

ATTR_KEYS = {
    "endpoint",
    "meeting_id",
    "meeting_uuid",
    "topic",
    "start_time",
    "end_time",
    "total_records",
    "fetched_at",
    "source",
}


def test_frames_carry_their_meeting(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.LECTURE, client=client)
    latest = sandbox.data.latest_instance(SandboxData.LECTURE)
    assert latest is not None
    assert list(frame.columns[:2]) == ["meeting_id", "meeting_uuid"]
    assert str(frame["meeting_id"].dtype) == "int64[pyarrow]"
    assert (frame["meeting_id"] == SandboxData.LECTURE).all() and (frame["meeting_uuid"] == latest.uuid).all()
    (meeting,) = frame.attrs["meetings"]
    assert set(meeting) == ATTR_KEYS
    assert meeting["topic"] == "Statistics 101 lecture"
    assert pd.Timestamp(meeting["start_time"]) == pd.Timestamp(latest.start_time)
    assert pd.Timestamp(meeting["end_time"]) == pd.Timestamp(latest.end_time)
    assert {key: frame.attrs[key] for key in ATTR_KEYS} == meeting  # one instance: also at the top
    cached = zp.read_participants(latest.uuid, client=client)
    assert cached.attrs["meetings"][0] == {**meeting, "source": "cache"}
    pd.testing.assert_frame_equal(cached, frame)


def test_a_report_is_a_value(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    fetcher = ReportFetcher(MEETING_REPORT, client)
    instance = fetcher.resolve(SandboxData.ONE_ON_ONE)
    report = fetcher.fetch(instance)
    assert isinstance(report, Report) and report.source == "api" and report.complete
    assert report.instance.meeting_id == SandboxData.ONE_ON_ONE and report.instance.topic == "Quick 1:1"
    assert report.table.num_rows == report.total_records
    assert report.table.column_names == list(MEETING_REPORT.fields.fields)
    assert (sandbox.count("/past_meetings/"), sandbox.count("/participants")) == (1, 1)


def test_default_client_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    with Sandbox() as first, Sandbox() as second:
        for name, value in first.env().items():
            monkeypatch.setenv(name, value)
        zp.read_participants(SandboxData.ONE_ON_ONE, cache=False)
        assert first.count("/participants") == 1
        monkeypatch.setenv("ZOOM_API_URL", second.api_url)
        monkeypatch.setenv("ZOOM_OAUTH_URL", second.oauth_url)
        zp.read_participants(SandboxData.ONE_ON_ONE, cache=False)
        assert (first.count("/participants"), second.count("/participants")) == (1, 1)
        # A chosen client still wins over the environment.
        with first.client() as chosen:
            zp.set_default_client(chosen)
            zp.read_participants(SandboxData.ONE_ON_ONE, cache=False)
        assert (first.count("/participants"), second.count("/participants")) == (2, 1)


def test_the_environment_client_is_reused_while_nothing_changes(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    assert default_client() is default_client()
    zp.read_participants(SandboxData.ONE_ON_ONE, cache=False)
    zp.read_participants(SandboxData.ALL_HANDS, cache=False)
    assert sandbox.count("/oauth/token") == 1


def test_offline_needs_no_credentials_and_builds_no_client(
    client: zp.ZoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A report in Zoom's own cache folder, as a colleague's copied cache would hold it.
    fetcher = ReportFetcher(MEETING_REPORT, client)
    report = fetcher.fetch(fetcher.resolve(SandboxData.LECTURE))
    ReportCache(MEETING_REPORT.dataset).save(report)
    zp.set_default_client(None)

    def no_client(*args: object, **kwargs: object) -> None:
        raise AssertionError("an offline read built a client")

    monkeypatch.setattr(zclient.ZoomClient, "__init__", no_client)
    by_uuid = zp.read_participants(report.instance.meeting_uuid, cache="offline")
    by_number = zp.read_participants(SandboxData.LECTURE, cache="offline")
    assert by_uuid.attrs["source"] == by_number.attrs["source"] == "cache"
    assert len(by_uuid) == report.table.num_rows
    assert len(zp.read_cache()) == report.table.num_rows


def test_sandbox_reads_never_land_in_the_real_cache(
    isolated_environment: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["participants", "857 4606 5432", "--sandbox"]) == 0
    capsys.readouterr()
    assert not list((isolated_environment / "participants").glob("**/*.parquet"))
    assert list((isolated_environment / "sandbox" / "participants").glob("**/*.parquet"))
    with pytest.raises(zp.CacheMiss):  # a later read of the real meeting is not served synthetic rows
        zp.read_participants(SandboxData.TEAM_SYNC, cache="offline")
    with pytest.raises(zp.CacheMiss):
        zp.read_cache()
    # The CLI cannot reach Zoom here (no credentials), so it says so instead of answering from the sandbox.
    assert main(["participants", "857 4606 5432"]) == 1
    assert "credentials" in capsys.readouterr().err


def test_an_incomplete_cached_report_is_fetched_again(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(SandboxData.LECTURE, total_records_delta=5)
    with pytest.warns(zp.IncompleteReportWarning):
        zp.read_participants(SandboxData.LECTURE, client=client)
    sandbox.clear_faults()
    sandbox.requests.clear()
    again = zp.read_participants(SandboxData.LECTURE, client=client)
    assert again.attrs["source"] == "api" and sandbox.count("/participants") == 1
    assert zp.read_participants(SandboxData.LECTURE, client=client).attrs["source"] == "cache"


def test_more_pages_than_total_records_allows_is_a_pagination_error(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    sandbox.inject(SandboxData.ALL_HANDS, total_records_delta=-700)  # 2332 rows announced as 1632
    with pytest.raises(zp.PaginationError, match="total_records"):
        zp.read_participants(SandboxData.ALL_HANDS, client=client)
    assert sandbox.count("/participants") == 6  # ceil(1632 / 300): no page past what was announced


def test_numpy_nullable_frames(client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.LECTURE, client=client, dtype_backend="numpy_nullable")
    assert str(frame["join_time"].dtype) == "datetime64[us, UTC]"
    assert str(frame["meeting_id"].dtype) == "Int64" and str(frame["failover"].dtype) == "boolean"
    cached = zp.read_participants(frame.attrs["meeting_uuid"], client=client, dtype_backend="numpy_nullable")
    pd.testing.assert_frame_equal(cached, frame)
    with pytest.raises(ValueError, match="dtype_backend"):
        zp.read_participants(SandboxData.LECTURE, client=client, dtype_backend="numpy")  # type: ignore[arg-type]


def test_a_stopped_sandbox_answers_nothing_even_on_an_open_connection() -> None:
    with Sandbox() as sandbox:
        client = sandbox.client(retry=FAST_RETRY)
        zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)  # keep-alive is open
    with pytest.raises(zp.ZoomAPIError, match="failed"):
        zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)
