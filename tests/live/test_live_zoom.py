"""Against the real Zoom API: run only when ZOOM_* credentials (and a meeting) are given."""

from __future__ import annotations

import pytest

import zoom_pandas as zp
from tests.conftest import LIVE_ENV

pytestmark = [
    pytest.mark.live,
    pytest.mark.skipif(
        not all(LIVE_ENV.get(k) for k in ("ZOOM_ACCOUNT_ID", "ZOOM_CLIENT_ID", "ZOOM_CLIENT_SECRET")),
        reason="set ZOOM_ACCOUNT_ID, ZOOM_CLIENT_ID and ZOOM_CLIENT_SECRET to run live tests",
    ),
]


def live_client() -> zp.ZoomClient:
    return zp.ZoomClient(
        account_id=LIVE_ENV["ZOOM_ACCOUNT_ID"],
        client_id=LIVE_ENV["ZOOM_CLIENT_ID"],
        client_secret=LIVE_ENV["ZOOM_CLIENT_SECRET"],
        api_url=LIVE_ENV.get("ZOOM_API_URL"),
        oauth_url=LIVE_ENV.get("ZOOM_OAUTH_URL"),
    )


def test_token_and_user() -> None:
    with live_client() as client:
        assert client.get_json("/users/me")["id"]


@pytest.mark.skipif(not LIVE_ENV.get("ZOOM_LIVE_MEETING_ID"), reason="set ZOOM_LIVE_MEETING_ID")
def test_read_a_real_meeting() -> None:
    with live_client() as client:
        frame = zp.read_participants(LIVE_ENV["ZOOM_LIVE_MEETING_ID"], client=client, cache=False)
    assert frame.attrs["source"] == "api"
    assert len(frame) == frame.attrs["total_records"]
