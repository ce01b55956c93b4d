"""read_webinar_participants end to end over the sandbox: the same path as meetings, its own cache."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import zoom_pandas as zp
from tests.unit.test_schema import EXPECTED_DTYPES
from zoom_pandas.cli import main
from zoom_pandas.sandbox import Sandbox, SandboxData

SERIES = SandboxData.WEBINAR_SERIES
BIG = SandboxData.BIG_WEBINAR
WEBINAR_DTYPES = {k: v for k, v in EXPECTED_DTYPES.items() if k != "bo_mtg_id"}


def test_latest_instance_of_a_webinar_number(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frame = zp.read_webinar_participants("944 5566 7788", client=client)
    latest = sandbox.data.latest_webinar_instance(SERIES)
    assert latest is not None and frame.attrs["meeting_uuid"] == latest.uuid
    assert {k: str(v) for k, v in frame.dtypes.items()} == WEBINAR_DTYPES
    assert (frame["meeting_id"] == SERIES).all() and (frame["meeting_uuid"] == latest.uuid).all()
    assert len(frame) == len(latest.rows()) == frame.attrs["total_records"]
    assert frame.attrs["topic"] == "Weekly product webinar" and frame.attrs["source"] == "api"
    first = next(r.path for r in sandbox.requests if r.path.startswith("/v2/"))
    assert first == f"/v2/report/webinars/{SERIES}"
    assert sandbox.count("/past_meetings") == 0 and sandbox.count("/report/meetings") == 0


def test_every_page_of_a_big_webinar(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frame = zp.read_webinar_participants(BIG, client=client, cache=False)
    pages = [r for r in sandbox.requests if r.path.endswith("/participants")]
    assert len(frame) == 2500 and len(pages) == 9
    assert all(r.query["page_size"] == ["300"] for r in pages)
    expected = sandbox.data.latest_webinar_instance(BIG).rows()  # type: ignore[union-attr]
    assert frame["user_id"].tolist() == [row["user_id"] for row in expected]


def test_every_instance_by_uuid_including_slashes(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    instances = sandbox.data.webinars[SERIES].instances
    assert any(i.uuid.startswith("/") for i in instances) and any("//" in i.uuid for i in instances)
    for instance in instances:
        frame = zp.read_webinar_participants(instance.uuid, client=client)
        assert frame.attrs["meeting_uuid"] == instance.uuid and len(frame) == len(instance.rows())
    assert not any("//" in r.path for r in sandbox.requests)
    listed = zp.read_instances(SERIES, webinar=True, client=client)
    assert set(listed["meeting_uuid"]) == {i.uuid for i in instances}
    assert (listed["meeting_id"] == SERIES).all()


def test_cached_then_offline(sandbox: Sandbox, client: zp.ZoomClient, isolated_environment: Path) -> None:
    slash = next(i for i in sandbox.data.webinars[SERIES].instances if i.uuid.startswith("/"))
    fresh = zp.read_webinar_participants(slash.uuid, client=client)
    sandbox.requests.clear()
    cached = zp.read_webinar_participants(slash.uuid, client=client)
    assert sandbox.requests == [] and cached.attrs["source"] == "cache"
    pd.testing.assert_frame_equal(cached, fresh)
    offline = zp.read_webinar_participants(SERIES, cache="offline", client=client)
    pd.testing.assert_frame_equal(offline, fresh)
    files = list((isolated_environment / "sandbox" / "webinar_participants").glob("*/*.parquet"))
    assert [f.parent.name for f in files] == [f"meeting_id={SERIES}"] and not files[0].name.startswith("_")
    everything = zp.read_cache(webinars=True, client=client)
    assert len(everything) == len(fresh) and "bo_mtg_id" not in everything.columns


def test_meeting_and_webinar_caches_never_mix(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    webinar = zp.read_webinar_participants(SERIES, client=client)
    meeting = zp.read_participants(SandboxData.TEAM_SYNC, client=client)
    with pytest.raises(zp.CacheMiss):
        zp.read_participants(webinar.attrs["meeting_uuid"], cache="offline", client=client)
    with pytest.raises(zp.CacheMiss):
        zp.read_webinar_participants(meeting.attrs["meeting_uuid"], cache="offline", client=client)
    assert set(zp.read_cache(client=client)["meeting_id"]) == {SandboxData.TEAM_SYNC}
    assert set(zp.read_cache(webinars=True, client=client)["meeting_id"]) == {SERIES}
    # A webinar number is not a meeting (separate namespaces on Zoom too); the error says where to look.
    with pytest.raises(zp.MeetingNotFound, match="read_webinar_participants"):
        zp.read_participants(SERIES, client=client, cache=False)
    with pytest.raises(zp.MeetingNotFound, match="read_participants"):
        zp.read_webinar_participants(SandboxData.TEAM_SYNC, client=client, cache=False)


def test_missing_webinar_scope_names_it() -> None:
    with Sandbox(scopes="meeting:read:admin user:read:admin") as sandbox, sandbox.client() as client:
        with pytest.raises(zp.PermissionDenied, match="report:read:list_webinar_participants:admin"):
            zp.read_webinar_participants(SERIES, client=client)


def test_webinar_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "webinar.parquet"
    assert main(["webinar", str(SERIES), "--sandbox", "--out", str(out)]) == 0
    frame = pd.read_parquet(out)
    assert len(frame) > 0 and "bo_mtg_id" not in frame.columns and (frame["meeting_id"] == SERIES).all()
    err = capsys.readouterr().err
    assert f"webinar {SERIES}" in err and "people" in err
