"""Every fault of the contract, injected at the sandbox and met by the real client over HTTP."""

from __future__ import annotations

import datetime as dt
import logging
import time

import pandas as pd
import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from zoom_pandas.sandbox import Sandbox, SandboxData

MEETING = SandboxData.ALL_HANDS  # 2,332 rows: 8 pages


def clean_frame(sandbox: Sandbox, client: zp.ZoomClient) -> pd.DataFrame:
    frame = zp.read_participants(MEETING, client=client, cache=False)
    sandbox.requests.clear()
    return frame


def report_requests(sandbox: Sandbox) -> int:
    return sandbox.count("/participants")


def test_qps_429_with_retry_after_seconds_is_waited_out(
    sandbox: Sandbox, client: zp.ZoomClient, caplog: pytest.LogCaptureFixture
) -> None:
    sandbox.inject(MEETING, qps_limited=2, retry_after="1")
    started = time.monotonic()
    with caplog.at_level(logging.INFO, logger="zoom_pandas"):
        frame = zp.read_participants(MEETING, client=client, cache=False)
    assert time.monotonic() - started >= 1.9
    assert len(frame) == frame.attrs["total_records"]
    assert sum("HTTP 429" in r.getMessage() for r in caplog.records) == 2
    assert all(r.levelno == logging.INFO for r in caplog.records if "429" in r.getMessage())


def test_qps_429_with_retry_after_datetime(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    soon = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1.2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    sandbox.inject(MEETING, qps_limited=1, retry_after=soon)
    frame = zp.read_participants(MEETING, client=client, cache=False)
    assert len(frame) == frame.attrs["total_records"]
    assert report_requests(sandbox) == 8 + 1


def test_qps_429_without_retry_after_backs_off(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, qps_limited=3)
    frame = zp.read_participants(MEETING, client=client, cache=False)
    assert len(frame) == frame.attrs["total_records"]
    assert report_requests(sandbox) == 8 + 3


def test_sandbox_token_bucket_is_respected() -> None:
    with Sandbox(rate_limit=20) as limited, limited.client(retry=FAST_RETRY) as client:
        frame = zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False)
        assert len(frame) == 20_000
        assert any(r.status == 429 for r in limited.requests)


def test_client_pacing_stays_under_the_limit() -> None:
    with Sandbox(rate_limit=25) as limited, limited.client(rate_limit=20) as client:
        frame = zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False)
        assert len(frame) == 20_000
        assert not any(r.status == 429 for r in limited.requests)


def test_daily_limit_raises_at_once_with_retry_after(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, daily_limited=True)
    with pytest.raises(zp.RateLimited) as caught:
        zp.read_participants(MEETING, client=client, cache=False)
    assert report_requests(sandbox) == 1
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
    assert caught.value.retry_after == dt.datetime.combine(tomorrow, dt.time(), tzinfo=dt.timezone.utc)
    assert caught.value.status_code == 429


def test_server_errors_resets_and_timeouts_are_retried(sandbox: Sandbox) -> None:
    with sandbox.client(retry=FAST_RETRY, timeout=(2.0, 0.5)) as client:
        expected = clean_frame(sandbox, client)
        sandbox.inject(MEETING, server_errors=1, resets=1, stalls=1, stall_seconds=1.0)
        frame = zp.read_participants(MEETING, client=client, cache=False)
    pd.testing.assert_frame_equal(frame, expected)
    assert report_requests(sandbox) == 8 + 3


def test_persistent_server_errors_end_in_an_error(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, server_errors=100)
    with pytest.raises(zp.ZoomAPIError) as caught:
        zp.read_participants(MEETING, client=client, cache=False)
    assert caught.value.status_code == 503
    assert report_requests(sandbox) == FAST_RETRY.max_attempts


def test_persistent_resets_end_in_an_error(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, resets=100)
    with pytest.raises(zp.ZoomAPIError, match="failed 4 times"):
        zp.read_participants(MEETING, client=client, cache=False)


def test_invalid_token_gets_one_new_token(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    expected = clean_frame(sandbox, client)
    tokens_before = sandbox.count("/oauth/token")
    sandbox.revoke_tokens()
    frame = zp.read_participants(MEETING, client=client, cache=False)
    pd.testing.assert_frame_equal(frame, expected)
    assert sandbox.count("/oauth/token") == tokens_before + 1


def test_token_refused_twice_is_an_auth_error(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, invalid_tokens=2)
    with pytest.raises(zp.AuthError) as caught:
        zp.read_participants(MEETING, client=client, cache=False)
    assert caught.value.code == 124


def test_token_renewed_before_expiry(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)
    assert client.auth is not None
    client.auth._token["expires_at"] = time.time() + 60  # type: ignore[attr-defined, index]
    zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)
    assert sandbox.count("/oauth/token") == 2


def test_expired_page_token_restarts_once_without_duplicates(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    expected = clean_frame(sandbox, client)
    sandbox.inject(MEETING, expired_page_tokens=1)
    frame = zp.read_participants(MEETING, client=client, cache=False)
    pd.testing.assert_frame_equal(frame.drop(columns=[]), expected, check_like=False)
    assert not frame.duplicated(subset=["user_id"]).any()
    assert report_requests(sandbox) == 2 + 8  # page 1, refused page 2, then all 8 again


def test_page_token_expiring_twice_is_an_error(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, expired_page_tokens=2)
    with pytest.raises(zp.ZoomAPIError) as caught:
        zp.read_participants(MEETING, client=client, cache=False)
    assert (caught.value.status_code, caught.value.code) == (400, 300)


def test_real_page_token_expiry_after_ttl() -> None:
    with Sandbox(page_token_ttl=0.0) as quick, quick.client(retry=FAST_RETRY) as client:
        with pytest.raises(zp.ZoomAPIError) as caught:
            zp.read_participants(MEETING, client=client, cache=False)
    assert caught.value.code == 300


def test_repeated_page_token_is_a_pagination_error(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, repeat_page_token=True)
    with pytest.raises(zp.PaginationError, match="second time"):
        zp.read_participants(MEETING, client=client, cache=False)
    assert report_requests(sandbox) == 2  # page 2 handed back the token of page 1


def test_row_count_mismatch_warns(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, total_records_delta=5)
    with pytest.warns(zp.IncompleteReportWarning, match="announced 2337 records but returned 2332"):
        frame = zp.read_participants(MEETING, client=client, cache=False)
    assert frame.attrs["total_records"] == len(frame) + 5


def test_non_json_error_body(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, html_errors=1)
    with pytest.raises(zp.ZoomAPIError) as caught:
        zp.read_participants(MEETING, client=client, cache=False)
    assert type(caught.value) is zp.ZoomAPIError
    assert caught.value.status_code == 403 and caught.value.code is None
    assert "non-JSON" in str(caught.value) and "text/html" in str(caught.value)


def test_unknown_meeting_is_meeting_not_found(client: zp.ZoomClient) -> None:
    with pytest.raises(zp.MeetingNotFound) as caught:
        zp.read_participants(12345678901, client=client, cache=False)
    assert caught.value.code == 3001
    with pytest.raises(zp.MeetingNotFound):
        zp.read_participants("AAAAAAAAAAAAAAAAAAAAAA==", client=client, cache=False)


def test_missing_report_scope_is_permission_denied_with_a_hint() -> None:
    with Sandbox(scopes="meeting:read:admin user:read:admin") as narrow, narrow.client() as client:
        with pytest.raises(zp.PermissionDenied, match=r"report:read:admin") as caught:
            zp.read_participants(SandboxData.LECTURE, client=client, cache=False, source="report")
    assert caught.value.code == 4711


def test_wrong_credentials_are_an_auth_error(sandbox: Sandbox) -> None:
    with sandbox.client(client_secret="wrong-secret-value") as client:
        with pytest.raises(zp.AuthError, match="invalid_client") as caught:
            zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    assert caught.value.status_code == 401
    assert "wrong-secret-value" not in str(caught.value)


def test_no_credentials_is_a_clear_auth_error(sandbox: Sandbox) -> None:
    client = zp.ZoomClient(api_url=sandbox.api_url, oauth_url=sandbox.oauth_url)
    with pytest.raises(zp.AuthError, match="ZOOM_ACCOUNT_ID"):
        zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    assert sandbox.requests == []


def test_a_failed_fetch_writes_nothing_to_the_cache(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, repeat_page_token=True)
    with pytest.raises(zp.PaginationError):
        zp.read_participants(MEETING, client=client)
    with pytest.raises(zp.CacheMiss):
        zp.read_participants(MEETING, cache="offline", client=client)
