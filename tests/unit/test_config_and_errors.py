"""Configuration precedence, URL safety, retry timing and the exception tree."""

from __future__ import annotations

import datetime as dt
import pickle
import random

import pytest

import zoom_pandas as zp
from zoom_pandas.config import ZoomConfig
from zoom_pandas.retry import RetryPolicy, parse_retry_after

NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)


def test_keyword_arguments_win_over_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZOOM_ACCOUNT_ID", "env-account")
    monkeypatch.setenv("ZOOM_CLIENT_ID", "env-client")
    monkeypatch.setenv("ZOOM_CLIENT_SECRET", "env-secret")
    monkeypatch.setenv("ZOOM_API_URL", "https://api-eu.zoom.us/v2/")
    config = ZoomConfig.resolve(client_id="kwarg-client")
    assert config.account_id == "env-account"
    assert config.client_id == "kwarg-client"
    assert config.api_url == "https://api-eu.zoom.us/v2"
    assert config.oauth_url == "https://zoom.us/oauth"


def test_defaults_without_environment() -> None:
    config = ZoomConfig.resolve()
    assert (config.api_url, config.oauth_url) == ("https://api.zoom.us/v2", "https://zoom.us/oauth")
    assert not config.has_server_to_server_credentials


@pytest.mark.parametrize(
    "url", ["http://api.zoom.us/v2", "http://10.0.0.5/v2", "ftp://127.0.0.1/v2", "api.zoom.us", "https://"]
)
def test_plain_http_is_refused_unless_loopback(url: str) -> None:
    with pytest.raises(ValueError, match="https"):
        zp.ZoomClient(api_url=url)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8000/v2", "http://localhost:9/v2", "http://[::1]:80/v2"])
def test_loopback_http_is_allowed(url: str) -> None:
    assert zp.ZoomClient(api_url=url).api_url == url


def test_secrets_stay_out_of_reprs() -> None:
    client = zp.ZoomClient(account_id="acc", client_id="cid", client_secret="TOP-SECRET-VALUE")
    for text in (repr(client), repr(client.auth), repr(client.config), str(client.config)):
        assert "TOP-SECRET-VALUE" not in text


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("2026-11-24T00:00:00Z", dt.datetime(2026, 11, 24, tzinfo=dt.timezone.utc)),
        ("2026-11-23T13:00:00+01:00", NOW),
        ("30", NOW + dt.timedelta(seconds=30)),
        ("1.5", NOW + dt.timedelta(seconds=1.5)),
        ("Mon, 23 Nov 2026 12:00:00 GMT", NOW),
        ("", None),
        (None, None),
        ("soon", None),
    ],
)
def test_retry_after_forms(header: str | None, expected: dt.datetime | None) -> None:
    assert parse_retry_after(header, now=NOW) == expected


def test_backoff_grows_and_is_bounded() -> None:
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=8.0)
    rng = random.Random(1)
    waits = [policy.backoff(n, rng) for n in range(1, 8)]
    assert 0.5 <= waits[0] <= 1.0
    assert all(4.0 <= w <= 8.0 for w in waits[4:])


def test_exception_tree() -> None:
    for leaf in (zp.MeetingNotFound, zp.PermissionDenied, zp.RateLimited, zp.AuthError):
        assert issubclass(leaf, zp.ZoomAPIError)
    for branch in (zp.ZoomAPIError, zp.PaginationError, zp.CacheMiss):
        assert issubclass(branch, zp.ZoomPandasError)
    assert issubclass(zp.ZoomPandasWarning, UserWarning)
    assert issubclass(zp.IncompleteReportWarning, zp.ZoomPandasWarning)


def test_errors_carry_fields_and_pickle() -> None:
    error = zp.RateLimited(429, 429, "daily limit", retry_after=NOW)
    assert (error.status_code, error.code, error.retry_after) == (429, 429, NOW)
    assert "2026-11-23T12:00:00" in str(error)
    again = pickle.loads(pickle.dumps(error))
    assert (type(again), again.message, again.retry_after) == (zp.RateLimited, "daily limit", NOW)
    assert str(zp.MeetingNotFound(404, 3001, "gone")) == "HTTP 404, Zoom code 3001: gone"


def test_public_names_are_sorted() -> None:
    assert zp.__all__ == sorted(zp.__all__)


def test_token_values_are_redacted_from_oauth_debug_logs() -> None:
    import logging

    from zoom_pandas.redact import RedactSecrets

    record = logging.LogRecord(
        "requests_oauthlib.oauth2_session",
        logging.DEBUG,
        __file__,
        1,
        "Obtained token %s",
        ({"access_token": "AAA111", "refresh_token": "RRR222", "expires_in": 3599},),
        None,
    )
    RedactSecrets().filter(record)
    message = record.getMessage()
    assert "AAA111" not in message and "RRR222" not in message and "3599" in message
    body = logging.LogRecord(
        "x", logging.DEBUG, __file__, 1, 'Response text: {"access_token":"BBB333"}', None, None
    )
    RedactSecrets().filter(body)
    assert "BBB333" not in body.getMessage()
