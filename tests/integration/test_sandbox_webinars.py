"""The sandbox serves webinars as Zoom does: their own routes, namespace, UUID rules, paging and faults."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import threading
import time
import urllib.parse
from typing import Any

import pytest

import zoom_pandas as zp
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.sandbox import Sandbox, SandboxData, shared_sandbox
from zoom_pandas.sandbox.catalog import stable_numbers
from zoom_pandas.sandbox.data import Instance

SERIES = SandboxData.WEBINAR_SERIES
BIG = SandboxData.BIG_WEBINAR

#: sha256 (first 16 hex digits) of every meeting instance's UUID, start and rows for seed 0 on
#: 2024-03-01, computed with the sandbox as it was before webinars existed (commit 096f893).
#: JUST_ENDED is anchored to the wall clock, so only its UUID is part of the snapshot.
MEETINGS_BEFORE_WEBINARS = "b935a7d9bee32cb7"


def series_instance(sandbox: Sandbox, shape: str) -> Instance:
    """The WEBINAR_SERIES instance whose UUID starts with "/" (``slash-first``) or holds "//"."""
    instances = sandbox.data.webinars[SERIES].instances
    if shape == "slash-first":
        return next(i for i in instances if i.uuid.startswith("/"))
    return next(i for i in instances if "//" in i.uuid)


def not_found(client: zp.ZoomClient, path: str) -> zp.ZoomAPIError:
    with pytest.raises(zp.ZoomAPIError) as info:
        client.get(path)
    assert (info.value.status_code, info.value.code) == (404, 3001)
    return info.value


def test_webinars_are_kept_apart_from_meetings(sandbox: Sandbox) -> None:
    data = sandbox.data
    assert set(data.webinars) == {SERIES, BIG} and not set(data.webinars) & set(data.meetings)
    assert not set(data.webinar_instances) & set(data.instances)
    assert data.webinars[SERIES].type == 9 and len(data.webinars[SERIES].instances) == 4
    assert data.webinars[BIG].type == 5 and len(data.webinars[BIG].instances[0].rows()) == 2500
    assert all(m.host.email == "events@example.com" for m in data.webinars.values())
    assert all("bo_mtg_id" not in row for i in data.webinar_instances.values() for row in i.rows())
    assert data.latest_webinar_instance(SandboxData.TEAM_SYNC) is None
    assert data.latest_instance(SERIES) is None


def test_meeting_data_did_not_change() -> None:
    data = SandboxData(seed=0, today=dt.date(2024, 3, 1))
    earlier = data.users[:4]  # the term's users and meetings came later, from their own generator
    snapshot = [
        [i.uuid] + ([] if number == SandboxData.JUST_ENDED else [i.start_time.isoformat(), i.rows()])
        for number in sorted(data.meetings)
        if data.meetings[number].host in earlier
        for i in data.meetings[number].instances
    ]
    digest = hashlib.sha256(json.dumps(snapshot, sort_keys=True).encode()).hexdigest()[:16]
    assert digest == MEETINGS_BEFORE_WEBINARS


def test_bare_number_is_the_latest_instance(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    latest = max(sandbox.data.webinars[SERIES].instances, key=lambda i: i.start_time)
    assert sandbox.data.latest_webinar_instance(SERIES) is latest
    assert client.get_json(f"/report/webinars/{SERIES}")["uuid"] == latest.uuid
    by_number = client.get_json(f"/report/webinars/{SERIES}/participants", {"page_size": 300})
    by_uuid = client.get_json(f"/report/webinars/{encode_uuid(latest.uuid)}/participants", {"page_size": 300})
    assert by_number["participants"] == by_uuid["participants"]
    assert by_number["total_records"] == len(latest.rows())


@pytest.mark.parametrize("shape", ["slash-first", "double-slash"])
@pytest.mark.parametrize("suffix", ["", "/participants"])
def test_slash_uuids_need_double_encoding(
    sandbox: Sandbox, client: zp.ZoomClient, shape: str, suffix: str
) -> None:
    instance = series_instance(sandbox, shape)
    error = not_found(client, f"/report/webinars/{urllib.parse.quote(instance.uuid, safe='')}{suffix}")
    assert error.message.startswith('Webinar "') and error.message.endswith('" not found or has expired.')
    body = client.get_json(f"/report/webinars/{encode_uuid(instance.uuid)}{suffix}")
    if suffix:
        assert body["total_records"] == len(instance.rows())
    else:
        assert body["uuid"] == instance.uuid


def test_big_webinar_pages_return_every_row_once(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    path = f"/report/webinars/{BIG}/participants"
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page_size": 300}
    pages = 0
    while True:
        body = client.get_json(path, params)
        pages += 1
        assert body["total_records"] == 2500 and body["page_count"] == 9
        rows += body["participants"]
        if not body["next_page_token"]:
            break
        params = {"page_size": 300, "next_page_token": body["next_page_token"]}
    assert pages == 9 and len(rows) == 2500
    assert len({r["user_id"] for r in rows}) == 2500
    expected = sandbox.data.webinars[BIG].instances[0].rows()
    assert rows == [{k: v for k, v in r.items() if k != "registrant_id"} for r in expected]


def test_webinar_and_meeting_numbers_are_separate_namespaces(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    webinar_uuid = encode_uuid(sandbox.data.latest_webinar_instance(SERIES).uuid)  # type: ignore[union-attr]
    meeting_uuid = encode_uuid(sandbox.data.latest_instance(SandboxData.TEAM_SYNC).uuid)  # type: ignore[union-attr]
    for path in (
        f"/past_meetings/{SERIES}",
        f"/past_meetings/{SERIES}/instances",
        f"/past_meetings/{webinar_uuid}",
        f"/report/meetings/{SERIES}/participants",
        f"/report/meetings/{webinar_uuid}/participants",
    ):
        assert "Meeting" in not_found(client, path).message
    for path in (
        f"/past_webinars/{SandboxData.TEAM_SYNC}/instances",
        f"/report/webinars/{SandboxData.TEAM_SYNC}",
        f"/report/webinars/{SandboxData.TEAM_SYNC}/participants",
        f"/report/webinars/{meeting_uuid}/participants",
    ):
        assert "Webinar" in not_found(client, path).message


@pytest.mark.parametrize("path", ["/report", "/report/webinars", "/past_webinars"])
def test_short_report_paths_are_plain_404s(client: zp.ZoomClient, path: str) -> None:
    with pytest.raises(zp.ZoomAPIError) as info:
        client.get(path)
    assert (info.value.status_code, info.value.code) == (404, 404)


def test_past_webinar_instances_list_every_instance(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    body = client.get_json(f"/past_webinars/{SERIES}/instances")
    assert [w["uuid"] for w in body["webinars"]] == [i.uuid for i in sandbox.data.webinars[SERIES].instances]
    assert len(client.get_json(f"/past_webinars/{BIG}/instances")["webinars"]) == 1


def test_server_error_fault_on_a_webinar_is_applied(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    for suffix in ("", "/participants"):  # the detail report and the participants report
        sandbox.inject(SERIES, server_errors=1)
        client.get_json(f"/report/webinars/{SERIES}{suffix}")  # the client retries the 503
    statuses = [r.status for r in sandbox.requests if r.path.startswith("/v2/report/webinars/")]
    assert statuses == [503, 200, 503, 200]
    client.get_json(f"/report/meetings/{SandboxData.TEAM_SYNC}/participants")  # other ids untouched
    assert sandbox.requests[-1].status == 200


def test_expired_page_token_fault_on_a_webinar_instance(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    uuid = sandbox.data.webinars[BIG].instances[0].uuid
    sandbox.inject(uuid, expired_page_tokens=1)
    path = f"/report/webinars/{encode_uuid(uuid)}/participants"
    first = client.get_json(path, {"page_size": 300})
    with pytest.raises(zp.ZoomAPIError) as info:
        client.get_json(path, {"page_size": 300, "next_page_token": first["next_page_token"]})
    assert (info.value.status_code, info.value.code) == (400, 300)
    second = client.get_json(path, {"page_size": 300, "next_page_token": first["next_page_token"]})
    assert len(second["participants"]) == 300


def test_extra_fields_and_total_records_faults_on_a_webinar(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(SERIES, extra_fields={"new_field": 1}, total_records_delta=3)
    body = client.get_json(f"/report/webinars/{SERIES}/participants")
    rows = len(sandbox.data.latest_webinar_instance(SERIES).rows())  # type: ignore[union-attr]
    assert body["total_records"] == rows + 3
    assert all(p["new_field"] == 1 and "bo_mtg_id" not in p for p in body["participants"])


@pytest.mark.parametrize("suffix", ["", "/participants"])
def test_webinar_reports_need_a_report_scope(suffix: str) -> None:
    with Sandbox(scopes="meeting:read:admin user:read:admin") as limited, limited.client() as client:
        with pytest.raises(zp.ZoomAPIError) as info:
            client.get_json(f"/report/webinars/{SERIES}{suffix}")
        assert (info.value.status_code, info.value.code) == (400, 4711)
        client.get_json(f"/past_webinars/{SERIES}/instances")  # not a report: no report scope needed


def test_granular_webinar_scopes_are_enough() -> None:
    granular = "report:read:webinar:admin report:read:list_webinar_participants:admin"
    with Sandbox(scopes=granular) as limited, limited.client() as client:
        client.get_json(f"/report/webinars/{SERIES}")
        client.get_json(f"/report/webinars/{SERIES}/participants")
        with pytest.raises(zp.ZoomAPIError) as info:
            client.get_json(f"/report/meetings/{SandboxData.TEAM_SYNC}/participants")
        assert info.value.code == 4711


def test_shared_sandbox_is_one_per_process() -> None:
    seen: list[Sandbox] = []
    threads = [threading.Thread(target=lambda: seen.append(shared_sandbox())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(seen) == 8 and all(s is seen[0] for s in seen) and shared_sandbox() is seen[0]
    with seen[0].client() as client:
        assert client.get_json(f"/report/webinars/{SERIES}")["id"] == SERIES


def test_stop_takes_milliseconds() -> None:
    sandbox = Sandbox().start()
    started = time.monotonic()
    sandbox.stop()
    assert time.monotonic() - started < 0.25


def test_banner_lists_stable_numbers_with_topics() -> None:
    data = SandboxData()
    line = stable_numbers(data)
    for number in (SandboxData.TEAM_SYNC, SandboxData.JUST_ENDED, SERIES, BIG):
        topic = (data.meetings.get(number) or data.webinars[number]).topic
        assert f"{number} ({topic})" in line
    assert "\n" not in line and line.index(str(SERIES)) > line.index("webinars:")
