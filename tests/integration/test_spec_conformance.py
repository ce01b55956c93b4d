"""The sandbox's answers validate against the response schemas of Zoom's own OpenAPI spec."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from typing import Any

import jsonschema
import pytest

from tests.conftest import SHARED
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.sandbox import Sandbox, SandboxData

SPEC = SHARED / "zoom" / "ZoomMeetingAPISpec.json"


@cache
def spec() -> dict[str, Any]:
    if not SPEC.exists():
        pytest.fail(f"Zoom's spec is expected beside the project at {SPEC.relative_to(SHARED.parent)}")
    return json.loads(SPEC.read_text())


def response_schema(path: str, status: str = "200") -> dict[str, Any]:
    return spec()["paths"][path]["get"]["responses"][status]["content"]["application/json"]["schema"]


def validate(body: Any, schema: dict[str, Any]) -> None:
    jsonschema.validate(body, schema, format_checker=jsonschema.FormatChecker())


def test_participants_report_pages(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        uuid = sandbox.data.latest_instance(SandboxData.LECTURE).uuid  # type: ignore[union-attr]
        path = f"/report/meetings/{encode_uuid(uuid)}/participants"
        first = client.get_json(path, {"page_size": 30, "include_fields": "registrant_id"})
        second = client.get_json(path, {"page_size": 30, "next_page_token": first["next_page_token"]})
        default = client.get_json(path)
    schema = response_schema("/report/meetings/{meetingId}/participants")
    for body in (first, second, default):
        validate(body, schema)
    assert default["page_size"] == 30 and len(default["participants"]) == 30
    assert set(first["participants"][0]) == set(schema["properties"]["participants"]["items"]["properties"])


def test_webinar_participants_report_pages(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        uuid = sandbox.data.latest_webinar_instance(SandboxData.WEBINAR_SERIES).uuid  # type: ignore[union-attr]
        path = f"/report/webinars/{encode_uuid(uuid)}/participants"
        first = client.get_json(path, {"page_size": 30, "include_fields": "registrant_id"})
        second = client.get_json(path, {"page_size": 30, "next_page_token": first["next_page_token"]})
        default = client.get_json(f"/report/webinars/{SandboxData.WEBINAR_SERIES}/participants")
    schema = response_schema("/report/webinars/{webinarId}/participants")
    for body in (first, second, default):
        validate(body, schema)
    item_keys = set(schema["properties"]["participants"]["items"]["properties"])
    assert "bo_mtg_id" not in item_keys
    assert default["page_size"] == 30 and len(default["participants"]) == 30
    assert set(first["participants"][0]) == item_keys
    assert set(second["participants"][0]) == item_keys - {"registrant_id"}


def test_webinar_report_and_instances(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        report = client.get_json(f"/report/webinars/{SandboxData.BIG_WEBINAR}")
        instances = client.get_json(f"/past_webinars/{SandboxData.WEBINAR_SERIES}/instances")
    schema = response_schema("/report/webinars/{webinarId}")
    validate(report, schema)
    assert set(report) <= set(schema["properties"])
    assert report["id"] == SandboxData.BIG_WEBINAR and report["type"] == 5
    validate(instances, response_schema("/past_webinars/{webinarId}/instances"))
    assert len(instances["webinars"]) == 4


def test_page_size_is_capped_at_300(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        body = client.get_json(f"/report/meetings/{SandboxData.CONFERENCE}/participants", {"page_size": 1000})
    assert body["page_size"] == 300 and len(body["participants"]) == 300


def test_past_meeting_instances_user_and_meeting_reports(sandbox: Sandbox) -> None:
    today = dt.datetime.now(dt.timezone.utc).date()
    with sandbox.client() as client:
        validate(
            client.get_json(f"/past_meetings/{SandboxData.TEAM_SYNC}"),
            response_schema("/past_meetings/{meetingId}"),
        )
        instances = client.get_json(f"/past_meetings/{SandboxData.TEAM_SYNC}/instances")
        validate(instances, response_schema("/past_meetings/{meetingId}/instances"))
        assert len(instances["meetings"]) == 6
        validate(client.get_json("/users/me"), response_schema("/users/{userId}"))
        reports = client.get_json(
            "/report/users/me/meetings",
            {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()},
        )
        validate(reports, response_schema("/report/users/{userId}/meetings"))
        assert reports["total_records"] >= 5  # weekly sync instances within the month


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        ("/report/meetings/12345678901/participants", 404, 3001),
        ("/past_meetings/12345678901", 404, 3001),
        ("/users/nobody@example.com", 404, 1001),
        ("/report/webinars/12345678901", 404, 3001),
        ("/report/webinars/12345678901/participants", 404, 3001),
        ("/past_webinars/12345678901/instances", 404, 3001),
    ],
)
def test_error_bodies_are_zooms(sandbox: Sandbox, path: str, status: int, code: int) -> None:
    import requests

    with sandbox.client() as client:
        token = client.auth.access_token()  # type: ignore[union-attr]
    answer = requests.get(f"{sandbox.api_url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert answer.status_code == status
    assert answer.json()["code"] == code and isinstance(answer.json()["message"], str)


def test_meeting_reports_window_rules(sandbox: Sandbox) -> None:
    import zoom_pandas as zp

    today = dt.datetime.now(dt.timezone.utc).date()
    with sandbox.client() as client:
        with pytest.raises(zp.ZoomAPIError, match="month"):
            client.get_json(
                "/report/users/me/meetings",
                {"from": (today - dt.timedelta(days=60)).isoformat(), "to": today.isoformat()},
            )
        with pytest.raises(zp.ZoomAPIError, match="six months"):
            client.get_json(
                "/report/users/me/meetings",
                {
                    "from": (today - dt.timedelta(days=250)).isoformat(),
                    "to": (today - dt.timedelta(days=240)).isoformat(),
                },
            )


@pytest.mark.parametrize("status", ["active", "inactive", "pending"])
def test_list_users(sandbox: Sandbox, status: str) -> None:
    with sandbox.client() as client:
        body = client.get_json("/users", {"status": status, "page_size": 2})
    schema = response_schema("/users")
    validate(body, schema)
    assert set(body) == set(schema["properties"])
    for user in body["users"]:
        assert set(user) <= set(schema["properties"]["users"]["items"]["properties"])
        assert user["status"] == status and ("id" in user) == (status != "pending")
