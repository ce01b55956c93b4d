"""read_participants end to end: ids, instances, every page, dtypes, attrs."""

from __future__ import annotations

import pandas as pd
import pytest

import zoom_pandas as zp
from tests.unit.test_schema import EXPECTED_DTYPES
from zoom_pandas.sandbox import Sandbox, SandboxData


def test_every_page_of_a_20000_row_meeting(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False)
    assert len(frame) == 20_000 == frame.attrs["total_records"]
    pages = [r for r in sandbox.requests if r.path.endswith("/participants")]
    assert len(pages) == 67  # ceil(20000 / 300)
    assert all(r.query["page_size"] == ["300"] for r in pages)
    assert "next_page_token" not in pages[0].query
    assert all("next_page_token" in r.query for r in pages[1:])
    assert sandbox.count("/past_meetings/") == 1
    # API row order, nothing lost or repeated
    expected = sandbox.data.latest_instance(SandboxData.CONFERENCE).rows()  # type: ignore[union-attr]
    assert frame["user_id"].tolist() == [row["user_id"] for row in expected]


def test_dtypes_and_attrs(client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    assert {k: str(v) for k, v in frame.dtypes.items()} == EXPECTED_DTYPES
    attrs = frame.attrs
    assert attrs["meeting_id"] == SandboxData.LECTURE
    assert frame["meeting_uuid"].unique().tolist() == [attrs["meeting_uuid"]]
    assert attrs["total_records"] == len(frame)
    assert attrs["source"] == "api"
    fetched = pd.Timestamp(attrs["fetched_at"])
    assert str(fetched.tz) == "UTC" and abs(pd.Timestamp.now(tz="UTC") - fetched) < pd.Timedelta(minutes=1)
    # Guests come back with NA, not "", for their hidden ids and emails.
    guests = frame[frame["participant_user_id"].isna()]
    assert len(guests) > 0 and guests["user_email"].isna().all() and guests["id"].isna().all()
    # Rejoins, waiting-room rows and breakout rows are all kept.
    assert frame["name"].duplicated().any()
    assert (frame["status"] == "in_waiting_room").any()
    assert frame["bo_mtg_id"].notna().any()


@pytest.mark.parametrize("typed", ["857 4606 5432", "857-4606-5432", "85746065432", 85746065432])
def test_meeting_number_as_pasted_gives_the_latest_instance(
    sandbox: Sandbox, client: zp.ZoomClient, typed: object
) -> None:
    frame = zp.read_participants(typed, client=client, cache=False)  # type: ignore[arg-type]
    latest = sandbox.data.latest_instance(SandboxData.TEAM_SYNC)
    assert latest is not None and frame.attrs["meeting_uuid"] == latest.uuid
    assert len(frame) == len(latest.rows())


def test_every_instance_by_uuid_including_slashes(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    instances = sandbox.data.meetings[SandboxData.TEAM_SYNC].instances
    shapes = {i.uuid.startswith("/") for i in instances} | {"//" in i.uuid for i in instances}
    assert shapes == {True, False}
    for instance in instances:
        frame = zp.read_participants(instance.uuid, client=client, cache=False)
        assert frame.attrs["meeting_uuid"] == instance.uuid
        assert len(frame) == len(instance.rows())
    assert not any("//" in r.path for r in sandbox.requests)


def test_single_encoding_a_slash_uuid_fails_as_on_zoom(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    slash_first = next(
        i for i in sandbox.data.meetings[SandboxData.TEAM_SYNC].instances if i.uuid.startswith("/")
    )
    import urllib.parse

    with pytest.raises(zp.MeetingNotFound) as caught:
        client.get(f"/report/meetings/{urllib.parse.quote(slash_first.uuid, safe='')}/participants")
    assert caught.value.code == 3001


@pytest.mark.parametrize("bad", ["", "abc", "12 ab", 0, -1, "x" * 80, None])
def test_bad_ids_fail_before_any_request(sandbox: Sandbox, client: zp.ZoomClient, bad: object) -> None:
    with pytest.raises(ValueError, match="meeting"):
        zp.read_participants(bad, client=client)  # type: ignore[arg-type]
    assert sandbox.requests == []


def test_bad_cache_argument_fails_before_any_request(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    with pytest.raises(ValueError, match="cache"):
        zp.read_participants(SandboxData.LECTURE, client=client, cache="sometimes")  # type: ignore[arg-type]
    assert sandbox.requests == []


def test_zero_rows_keep_the_dtypes(client: zp.ZoomClient) -> None:
    frame = zp.read_participants(SandboxData.EMPTY_ROOM, client=client, cache=False)
    assert frame.empty and frame.attrs["total_records"] == 0
    assert {k: str(v) for k, v in frame.dtypes.items()} == EXPECTED_DTYPES


def test_registrant_id_only_when_asked(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    without = zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    with_ids = zp.read_participants(
        SandboxData.LECTURE, client=client, cache=False, include_registrant_id=True
    )
    assert without["registrant_id"].isna().all()
    assert with_ids["registrant_id"].notna().any()
    asked = [r.query.get("include_fields") for r in sandbox.requests if r.path.endswith("/participants")]
    assert asked == [None, ["registrant_id"]]


def test_fields_zoom_adds_later_are_kept(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    sandbox.inject(SandboxData.ONE_ON_ONE, extra_fields={"attentiveness_score": 87, "device": "Mac"})
    frame = zp.read_participants(SandboxData.ONE_ON_ONE, client=client, cache=False)
    assert list(frame.columns[-2:]) == ["attentiveness_score", "device"]
    assert frame["attentiveness_score"].tolist() == [87] * len(frame)


def test_default_client_comes_from_environment(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in sandbox.env().items():
        monkeypatch.setenv(name, value)
    frame = zp.read_participants(SandboxData.ONE_ON_ONE, cache=False)
    assert len(frame) == len(sandbox.data.latest_instance(SandboxData.ONE_ON_ONE).rows())  # type: ignore[union-attr]


def test_one_token_is_reused_across_reads(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    zp.read_participants(SandboxData.LECTURE, client=client, cache=False)
    zp.read_participants(SandboxData.ALL_HANDS, client=client, cache=False)
    assert sandbox.count("/oauth/token") == 1


def test_progress_bar_over_pages(client: zp.ZoomClient, capsys: pytest.CaptureFixture[str]) -> None:
    zp.read_participants(SandboxData.ALL_HANDS, client=client, cache=False, progress=True)
    assert "page" in capsys.readouterr().err
    zp.read_participants(SandboxData.ALL_HANDS, client=client, cache=False, progress=False)
    assert capsys.readouterr().err == ""
