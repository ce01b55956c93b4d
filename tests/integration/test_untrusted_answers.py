"""Regression tests: what a hostile or broken server can send ends in a frame or a typed error.

Each test here failed before its fix (a crash, a hang, an exception outside the tree, or a wrong
frame); the bodies reach the real client over real HTTP through the sandbox's fault switches.
"""

from __future__ import annotations

import json
import logging
import time
import warnings

import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from zoom_pandas import paging, transport
from zoom_pandas.retry import RetryPolicy
from zoom_pandas.sandbox import Sandbox, SandboxData

pytestmark = pytest.mark.integration

MEETING = SandboxData.TEAM_SYNC


def uuid_of(sandbox: Sandbox, meeting: int = MEETING) -> str:
    instance = sandbox.data.latest_instance(meeting)
    assert instance is not None
    return instance.uuid


def page(participants: object = (), **fields: object) -> bytes:
    body = {"page_size": 300, "total_records": 1, "next_page_token": "", "participants": participants}
    body.update(fields)
    return json.dumps(body).encode()


def assert_nothing_cached(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    with pytest.raises(zp.CacheMiss):
        zp.read_participants(uuid_of(sandbox), cache="offline", client=client)


BROKEN_BODIES = {
    "null": b"null",
    "deep-compact": b'{"participants":' + b"[" * 5000 + b"]" * 5000 + b"}",
    "deep-pretty": b'{"participants":\n' + b"[\n" * 5000 + b"]\n" * 5000 + b"}",
    "deep-in-a-row": b'{"participants":[{"x":' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}]}",
    "invalid-utf8": b'{"participants":[{"name":"Ad\xff\xfea"}],"total_records":1}',
    "lone-surrogate": b'{"participants":[{"name":"Ad\\ud800a"}],"total_records":1}',
    "no-list": b"{}",
    "null-list": b'{"participants":null,"total_records":0}',
    "top-level-list": b"[]",
    "html": b"<html><body>Gateway</body></html>",
    "empty": b"",
    "cut-short": page([{"name": "Ada"}])[:-7],
    "negative-total": page([{"name": "Ada"}], total_records=-5),
}


@pytest.mark.parametrize("name", list(BROKEN_BODIES))
def test_a_broken_page_is_a_zoom_api_error_and_nothing_is_cached(
    name: str, sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    sandbox.inject(MEETING, bodies=[BROKEN_BODIES[name]] * FAST_RETRY.max_attempts)
    with pytest.raises(zp.ZoomAPIError):
        zp.read_participants(uuid_of(sandbox), client=client)
    assert_nothing_cached(sandbox, client)


def test_a_body_cut_once_is_retried_like_a_reset(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    expected = zp.read_participants(MEETING, client=client, cache=False)
    sandbox.inject(MEETING, bodies=[b"", b"<html>proxy</html>"])
    frame = zp.read_participants(MEETING, client=client, cache=False)
    assert frame.equals(expected)


def test_a_connection_closed_inside_the_headers_is_retried(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    expected = zp.read_participants(MEETING, client=client, cache=False)
    sandbox.inject(MEETING, cut_headers=2)
    frame = zp.read_participants(MEETING, client=client, cache=False)
    assert frame.equals(expected)
    assert sandbox.faults[str(MEETING)].cut_headers == 0


def test_a_dripping_server_is_cut_at_the_deadline(sandbox: Sandbox) -> None:
    retry = RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_cap=0.01)
    sandbox.inject(MEETING, drips=2, drip_seconds=0.02)  # one byte every 20 ms: a page takes minutes
    started = time.monotonic()
    with sandbox.client(retry=retry, timeout=1.0) as client, pytest.raises(zp.ZoomAPIError) as caught:
        zp.read_participants(uuid_of(sandbox), client=client, cache=False)
    assert time.monotonic() - started < 6
    assert "no complete answer within 1 s" in str(caught.value)


def test_an_answer_over_the_size_cap_is_refused(
    sandbox: Sandbox, client: zp.ZoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport, "MAX_ANSWER_BYTES", 10_000)
    with pytest.raises(zp.ZoomAPIError, match="larger than"):
        zp.read_participants(SandboxData.ALL_HANDS, client=client, cache=False)


def test_pages_without_total_records_end_at_the_page_cap(
    sandbox: Sandbox, client: zp.ZoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "MAX_PAGES", 5)
    endless = [
        json.dumps({"next_page_token": f"t{n}", "participants": [{"name": f"p{n}"}]}).encode()
        for n in range(10)
    ]
    sandbox.inject(MEETING, bodies=endless)
    with pytest.raises(zp.PaginationError, match="5 pages"):
        zp.read_participants(uuid_of(sandbox), client=client)
    assert sandbox.count("/participants") == 5
    assert_nothing_cached(sandbox, client)


def test_a_total_records_raised_page_after_page_ends_at_the_page_cap(
    sandbox: Sandbox, client: zp.ZoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "MAX_PAGES", 4)
    growing = [
        json.dumps(
            {"page_size": 1, "total_records": 2 + 10 * n, "next_page_token": f"t{n}", "participants": [{}]}
        ).encode()
        for n in range(10)
    ]
    sandbox.inject(MEETING, bodies=growing)
    with pytest.raises(zp.PaginationError, match="4 pages"):
        zp.read_participants(uuid_of(sandbox), client=client)
    assert sandbox.count("/participants") == 4


@pytest.mark.parametrize("value", ["inf", "1e12", "99999999999999"])
def test_huge_retry_after_values_are_rate_limited_not_overflows(
    sandbox: Sandbox, client: zp.ZoomClient, value: str
) -> None:
    sandbox.inject(MEETING, qps_limited=1, retry_after=value)
    with pytest.raises(zp.RateLimited) as caught:
        zp.read_participants(uuid_of(sandbox), client=client, cache=False)
    assert caught.value.retry_after is not None


@pytest.mark.parametrize("value", ["nan", "-1e400", "\x7f"])
def test_unreadable_retry_after_values_back_off(sandbox: Sandbox, client: zp.ZoomClient, value: str) -> None:
    sandbox.inject(MEETING, qps_limited=1, retry_after=value)
    assert len(zp.read_participants(uuid_of(sandbox), client=client, cache=False)) > 0


@pytest.mark.parametrize(
    "answer",
    [
        {"uuid": "abcdefghijklmnop=="},
        {"id": 123},
        {"id": "abc", "uuid": "abcdefghijklmnop=="},
        {"id": 123.9, "uuid": "abcdefghijklmnop=="},
        {"id": True, "uuid": "abcdefghijklmnop=="},
        {"id": 123, "uuid": 5},
        {"id": 10**30, "uuid": "abcdefghijklmnop=="},
    ],
    ids=["no-id", "no-uuid", "id-text", "id-float", "id-bool", "uuid-number", "id-huge"],
)
def test_a_resolve_answer_without_a_usable_id_or_uuid(
    answer: dict[str, object], sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    sandbox.inject(None, bodies=[json.dumps(answer).encode()])
    with pytest.raises(zp.ZoomAPIError, match="no usable id and uuid"):
        zp.read_participants(MEETING, client=client)


def test_an_unknown_field_of_empty_objects_still_caches(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, extra_fields={"settings": {}, "devices": [{}], "labels": {"a": 1}})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no CacheWriteWarning
        frame = zp.read_participants(uuid_of(sandbox), client=client)
    assert "settings" not in frame.columns and "devices" not in frame.columns  # they held nothing
    assert "labels" in frame.columns
    cached = zp.read_participants(uuid_of(sandbox), client=client, cache="offline")
    assert cached.equals(frame)


def test_an_incomplete_cached_report_warns_on_every_read(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(MEETING, total_records_delta=3)
    with pytest.warns(zp.IncompleteReportWarning):
        zp.read_participants(uuid_of(sandbox), client=client)
    for _ in range(2):
        with pytest.warns(zp.IncompleteReportWarning, match="when it was cached"):
            zp.read_participants(uuid_of(sandbox), client=client, cache="offline")
    with pytest.warns(zp.IncompleteReportWarning, match="when it was cached"):
        zp.read_cache(client=client)


def test_the_token_endpoint_is_retried_on_5xx(sandbox: Sandbox) -> None:
    sandbox.inject(None, token_errors=2)
    with sandbox.client(retry=FAST_RETRY) as client:
        frame = zp.read_participants(MEETING, client=client, cache=False)
    assert len(frame) > 0
    assert sandbox.count("/oauth/token") == 3


def test_a_token_endpoint_that_stays_down_is_a_typed_error(sandbox: Sandbox) -> None:
    sandbox.inject(None, token_errors=100)
    with sandbox.client(retry=FAST_RETRY) as client, pytest.raises(zp.ZoomAPIError, match="HTTP 503"):
        zp.read_participants(MEETING, client=client, cache=False)


@pytest.mark.parametrize(
    "answer",
    [b"{}", b'{"access_token": 5}', b'{"access_token": "x", "expires_in": "soon"}', b"[" * 5000],
    ids=["no-token", "token-number", "expiry-text", "deep"],
)
def test_a_malformed_token_answer_is_a_typed_error(answer: bytes, sandbox: Sandbox) -> None:
    from zoom_pandas.auth import raise_for_token_response

    response = zp.client.requests.Response()
    response.status_code, response._content = 200, answer
    with pytest.raises((zp.AuthError, zp.client.requests.ConnectionError)):
        raise_for_token_response(response)


def test_no_basic_or_bearer_credentials_in_any_debug_log(
    sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    import base64

    creds = sandbox.credentials
    basic = base64.b64encode(f"{creds.client_id}:{creds.client_secret}".encode()).decode()
    with caplog.at_level(logging.DEBUG), sandbox.client() as client:
        zp.read_participants(MEETING, client=client, cache=False)
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Basic" in logged or "Authorization" in logged or "token" in logged  # the library logged
    assert basic not in logged and creds.client_secret not in logged
    for token in sandbox.oauth.tokens:
        assert token not in logged


def test_a_transient_token_error_keeps_the_saved_user_sign_in(sandbox: Sandbox, tmp_path: object) -> None:
    import requests

    from zoom_pandas.tokens import TokenFile
    from zoom_pandas.user_oauth import UserOAuth

    store = TokenFile(f"{tmp_path}/tokens.json")
    auth = UserOAuth(
        client_id=sandbox.credentials.user_client_id,
        client_secret=sandbox.credentials.user_client_secret,
        oauth_url=sandbox.oauth_url,
        store=store,
    )
    approved = requests.get(auth.authorization_url(), allow_redirects=False, timeout=10)
    auth.complete(approved.headers["Location"])
    auth.invalidate()
    sandbox.inject(None, token_errors=1)
    with zp.ZoomClient(auth=auth, api_url=sandbox.api_url, retry=FAST_RETRY) as client:
        assert client.get_json("/users/me")["id"]
    assert store.load() is not None


@pytest.mark.parametrize("segment", ["²", "①", "9" * 5000, "١٢٣"])
def test_the_sandbox_answers_odd_path_ids_with_zoom_json(
    segment: str, sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    with pytest.raises(zp.MeetingNotFound):
        client.get(f"/past_meetings/{segment}/instances")


def test_the_sandbox_answers_unsupported_methods_with_zoom_json(sandbox: Sandbox) -> None:
    import requests

    answer = requests.delete(f"{sandbox.api_url}/past_meetings/1", timeout=10)
    assert answer.status_code == 501
    assert answer.headers["Content-Type"].startswith("application/json")
    assert answer.json()["code"] == 501
