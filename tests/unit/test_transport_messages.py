"""What a failure that never reached Zoom says: no "no answer:" prefix, the host named, offline fails fast."""

from __future__ import annotations

import pytest
import requests
import urllib3.exceptions

import zoom_pandas as zp
from zoom_pandas.retry import RetryPolicy
from zoom_pandas.transport import UNRESOLVED, failure_reason


def unresolved() -> requests.ConnectionError:
    cause = urllib3.exceptions.NameResolutionError("api.zoom.us", None, OSError("Name or service not known"))  # type: ignore[arg-type]
    return requests.ConnectionError(urllib3.exceptions.MaxRetryError(None, "/v2/x", cause))  # type: ignore[arg-type]


def test_an_error_without_an_answer_is_its_message_alone() -> None:
    error = zp.AuthError(None, None, "no Zoom credentials: set ZOOM_ACCOUNT_ID, ...")
    assert str(error) == "no Zoom credentials: set ZOOM_ACCOUNT_ID, ..."
    assert str(zp.ZoomAPIError(404, 3001, "gone")) == "HTTP 404, Zoom code 3001: gone"


def test_a_failure_is_named_by_its_kind_never_its_url() -> None:
    assert failure_reason(unresolved()) == f"ConnectionError: {UNRESOLVED}"
    refused = requests.ConnectionError("HTTPConnectionPool(host='x'): Connection refused by peer")
    assert failure_reason(refused) == "ConnectionError: connection refused"
    odd = requests.ConnectionError("https://api.zoom.us/v2/report?next_page_token=SECRET reset")
    assert failure_reason(odd) == "ConnectionError"


def test_offline_fails_after_two_attempts_and_names_the_host(monkeypatch: pytest.MonkeyPatch) -> None:
    client = zp.ZoomClient(
        account_id="a",
        client_id="b",
        client_secret="c",
        api_url="https://api.zoom.us/v2",
        retry=RetryPolicy(max_attempts=5, backoff_base=0.001, backoff_cap=0.002),
    )
    calls: list[str] = []

    def offline(url: str, **_: object) -> requests.Response:
        calls.append(url)
        raise unresolved()

    monkeypatch.setattr(client.session, "get", offline)
    with pytest.raises(zp.ZoomAPIError) as caught:
        client.get_json("/users/me", label="Light")
    assert len(calls) == 2
    message = str(caught.value)
    assert message.startswith("could not reach api.zoom.us: GET /users/me failed 2 times")
    assert "offline?" in message and "no answer" not in message
