"""Listing endpoints over a canned transport: the real client and readers, answers chosen by the test."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import requests
import requests.adapters

import zoom_pandas as zp


class CannedAnswers(requests.adapters.BaseAdapter):
    """A transport that answers each GET with the next canned JSON body and records the URLs."""

    def __init__(self, bodies: list[dict[str, Any]]) -> None:
        super().__init__()
        self.bodies = list(bodies)
        self.urls: list[str] = []

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.urls.append(str(request.url))
        response = requests.Response()
        response.status_code = 200
        response._content = json.dumps(self.bodies.pop(0)).encode()
        response.headers["Content-Type"] = "application/json"
        response.url = str(request.url)
        response.request = request
        return response

    def close(self) -> None:
        pass


def client_with(adapter: CannedAnswers) -> zp.ZoomClient:
    session = requests.Session()
    session.mount("https://", adapter)
    return zp.ZoomClient(auth=requests.auth.HTTPBasicAuth("unused", "unused"), session=session)


def test_meetings_without_uuid_are_never_merged() -> None:
    page = {
        "page_size": 300,
        "total_records": 4,
        "next_page_token": "",
        "meetings": [
            {"id": 111, "topic": "first without uuid", "start_time": "2026-11-03T10:00:00Z"},
            {"id": 222, "topic": "second without uuid", "start_time": "2026-11-02T10:00:00Z"},
            {"uuid": "same==", "id": 333, "topic": "listed twice", "start_time": "2026-11-01T10:00:00Z"},
            {"uuid": "same==", "id": 333, "topic": "listed twice", "start_time": "2026-11-01T10:00:00Z"},
        ],
    }
    adapter = CannedAnswers([page])
    today = dt.datetime.now(dt.timezone.utc).date()
    meetings = zp.read_meetings(start=today - dt.timedelta(days=20), end=today, client=client_with(adapter))
    assert meetings["topic"].tolist() == ["first without uuid", "second without uuid", "listed twice"]
    assert meetings["meeting_uuid"].isna().tolist() == [True, True, False]
    assert "/report/users/me/meetings?" in adapter.urls[0]
