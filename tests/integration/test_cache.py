"""The Parquet cache over the sandbox: modes, request counts, offline, safety, other readers."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

import zoom_pandas as zp
from zoom_pandas.cache import CachedReport, ReportCache, filename_to_uuid, uuid_to_filename
from zoom_pandas.cli import main
from zoom_pandas.sandbox import Sandbox, SandboxData

LECTURE = SandboxData.LECTURE
SANDBOX_API = "http://127.0.0.1/v2"  # any loopback URL: the sandbox's own cache folder


def store() -> ReportCache:
    return ReportCache("participants", api_url=SANDBOX_API)


def online(client: zp.ZoomClient, meeting: int | str = LECTURE, **kwargs: object) -> pd.DataFrame:
    return zp.read_participants(meeting, client=client, **kwargs)  # type: ignore[arg-type]


def assert_same_frame(cached: pd.DataFrame, fresh: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(cached, fresh)
    assert cached.attrs["source"] == "cache"
    for key in ("meeting_id", "meeting_uuid", "total_records"):
        assert cached.attrs[key] == fresh.attrs[key]


def test_default_mode_stores_then_serves_without_requests(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    fresh = online(client)
    assert fresh.attrs["source"] == "api"
    uuid = fresh.attrs["meeting_uuid"]
    sandbox.requests.clear()
    assert_same_frame(online(client, uuid), fresh)
    assert sandbox.requests == []  # a cached UUID needs no request at all
    assert_same_frame(online(client, LECTURE), fresh)
    assert [r.path for r in sandbox.requests] == [f"/v2/past_meetings/{LECTURE}"]  # only the resolve call


def test_false_neither_reads_nor_writes(
    sandbox: Sandbox, client: zp.ZoomClient, isolated_environment: Path
) -> None:
    online(client, cache=False)
    assert not list(isolated_environment.glob("**/*.parquet"))
    online(client)
    sandbox.requests.clear()
    assert online(client, cache=False).attrs["source"] == "api"
    assert sandbox.count("/participants") == 1


def test_refresh_fetches_and_overwrites(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    first = online(client)
    sandbox.requests.clear()
    again = online(client, cache="refresh")
    assert again.attrs["source"] == "api" and sandbox.count("/participants") == 1
    assert again.attrs["fetched_at"] > first.attrs["fetched_at"]
    assert online(client, again.attrs["meeting_uuid"]).attrs["fetched_at"] == again.attrs["fetched_at"]


def test_offline_works_after_the_sandbox_is_gone(isolated_environment: Path) -> None:
    with Sandbox() as sandbox, sandbox.client() as client:
        fresh = online(client)
        older = sandbox.data.meetings[LECTURE].instances[0].uuid
        online(client, older)
    # The sandbox is stopped: no network at all from here on. The client only says whose cache.
    assert_same_frame(
        zp.read_participants(fresh.attrs["meeting_uuid"], cache="offline", client=client), fresh
    )
    newest = zp.read_participants(LECTURE, cache="offline", client=client)
    assert newest.attrs["meeting_uuid"] == fresh.attrs["meeting_uuid"]
    assert zp.read_participants(older, cache="offline", client=client).attrs["meeting_uuid"] == older


def test_offline_miss_names_what_is_cached(client: zp.ZoomClient) -> None:
    with pytest.raises(zp.CacheMiss, match="empty"):
        zp.read_participants(LECTURE, cache="offline", client=client)
    online(client)
    with pytest.raises(zp.CacheMiss, match=str(LECTURE)):
        zp.read_participants(SandboxData.ALL_HANDS, cache="offline", client=client)
    with pytest.raises(zp.CacheMiss, match="registrant_id"):
        zp.read_participants(LECTURE, cache="offline", include_registrant_id=True, client=client)


def test_registrant_id_request_is_not_served_by_a_copy_without_it(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    online(client)
    sandbox.requests.clear()
    with_ids = online(client, include_registrant_id=True)
    assert with_ids.attrs["source"] == "api" and with_ids["registrant_id"].notna().any()


def test_files_and_folders_are_private(client: zp.ZoomClient, isolated_environment: Path) -> None:
    online(client)
    files = list(isolated_environment.glob("sandbox/participants/*/*.parquet"))
    assert len(files) == 1
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    for folder in (
        files[0].parent,
        files[0].parent.parent,
        files[0].parent.parent.parent,
        isolated_environment,
    ):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700


def test_layout_is_hive_and_uuid_names_are_reversible(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    for instance in sandbox.data.meetings[SandboxData.TEAM_SYNC].instances:
        online(client, instance.uuid)
        path = store().path_for(SandboxData.TEAM_SYNC, instance.uuid)
        assert path.exists() and path.parent.name == f"meeting_id={SandboxData.TEAM_SYNC}"
        assert "/" not in path.name and filename_to_uuid(path.name) == instance.uuid
        assert not path.name.startswith(("_", "."))
    # Every instance, the "/"-first one included, is part of the dataset for other readers.
    everything = pd.read_parquet(store().dataset_dir)
    assert len(everything) == sum(
        len(i.rows()) for i in sandbox.data.meetings[SandboxData.TEAM_SYNC].instances
    )
    meta = pq.read_schema(path).metadata[b"zoom_pandas"]
    for key in (
        b"meeting_uuid",
        b"meeting_id",
        b"total_records",
        b"fetched_at",
        b"end_time",
        b"schema_version",
        b"package_version",
    ):
        assert key in meta
    assert uuid_to_filename("/a+b//c==") == "~a-b__c==.parquet"
    assert filename_to_uuid("~a-b__c==.parquet") == "/a+b//c=="


def test_a_write_that_dies_part_way_leaves_the_previous_copy(
    client: zp.ZoomClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = online(client)
    path = store().path_for(LECTURE, fresh.attrs["meeting_uuid"])
    before = path.read_bytes()

    def dies_part_way(table: object, where: object, **kwargs: object) -> None:
        where.write(b"PAR1 half a file")  # type: ignore[attr-defined]
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", dies_part_way)
    with pytest.warns(zp.CacheWriteWarning, match="disk full"):
        again = online(client, cache="refresh")
    pd.testing.assert_frame_equal(again, fresh)  # the fetched rows are not lost
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if not p.name.startswith(".")] == [path.name]
    assert not [p for p in path.parent.iterdir() if p.suffix == ".tmp"]


def test_a_killed_writer_process_leaves_a_readable_cache(
    client: zp.ZoomClient, isolated_environment: Path
) -> None:
    import signal
    import subprocess
    import sys
    import time

    fresh = online(client)
    code = (
        "import zoom_pandas.cache as c\n"
        f"store = c.ReportCache('participants', api_url={SANDBOX_API!r})\n"
        f"path = store.path_for({LECTURE}, {fresh.attrs['meeting_uuid']!r})\n"
        "report = c.CachedReport.load(path)[1]\n"
        "print('ready', flush=True)\n"
        "while True: store.save(report)\n"
    )
    writer = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=dict(os.environ))
    assert writer.stdout is not None and writer.stdout.readline().strip() == b"ready"
    time.sleep(0.5)
    writer.send_signal(signal.SIGKILL)
    writer.wait(10)
    writer.stdout.close()
    cached = zp.read_participants(fresh.attrs["meeting_uuid"], cache="offline", client=client)
    pd.testing.assert_frame_equal(cached, fresh)


def test_corrupt_file_online_warns_and_refetches(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    fresh = online(client)
    path = store().path_for(LECTURE, fresh.attrs["meeting_uuid"])
    path.write_bytes(b"this is not parquet")
    with pytest.warns(zp.CacheCorruptWarning, match="damaged"):
        again = online(client, fresh.attrs["meeting_uuid"])
    assert again.attrs["source"] == "api"
    pd.testing.assert_frame_equal(again, fresh)
    assert online(client, fresh.attrs["meeting_uuid"]).attrs["source"] == "cache"  # repaired


def test_corrupt_file_offline_is_a_cache_miss_with_the_reason(client: zp.ZoomClient) -> None:
    fresh = online(client)
    store().path_for(LECTURE, fresh.attrs["meeting_uuid"]).write_bytes(b"garbage")
    with pytest.raises(zp.CacheMiss, match="unreadable"):
        zp.read_participants(fresh.attrs["meeting_uuid"], cache="offline", client=client)


def test_provisional_report_is_refetched(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    first = online(client, SandboxData.JUST_ENDED)
    report = CachedReport.from_file(store().path_for(SandboxData.JUST_ENDED, first.attrs["meeting_uuid"]))
    assert report.provisional
    sandbox.requests.clear()
    again = online(client, first.attrs["meeting_uuid"])
    assert again.attrs["source"] == "api" and sandbox.count("/participants") == 1
    # offline still serves it
    offline = zp.read_participants(first.attrs["meeting_uuid"], cache="offline", client=client)
    assert offline.attrs["source"] == "cache"
    settled = online(client, LECTURE)
    assert not CachedReport.from_file(store().path_for(LECTURE, settled.attrs["meeting_uuid"])).provisional


def test_read_cache_returns_everything_typed(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    frames = [online(client, m) for m in (LECTURE, SandboxData.ALL_HANDS, SandboxData.ONE_ON_ONE)]
    everything = zp.read_cache(client=client)
    assert len(everything) == sum(len(f) for f in frames)
    assert list(everything.columns[:2]) == ["meeting_id", "meeting_uuid"]
    assert set(everything["meeting_id"].unique()) == {LECTURE, SandboxData.ALL_HANDS, SandboxData.ONE_ON_ONE}
    assert str(everything["join_time"].dtype) == "timestamp[us, tz=UTC][pyarrow]"
    assert str(everything["meeting_id"].dtype) == "int64[pyarrow]"


def test_read_cache_on_an_empty_cache() -> None:
    with pytest.raises(zp.CacheMiss):
        zp.read_cache()


def test_duckdb_reads_the_folder(client: zp.ZoomClient, isolated_environment: Path) -> None:
    duckdb = pytest.importorskip("duckdb")
    lecture, all_hands = online(client, LECTURE), online(client, SandboxData.ALL_HANDS)
    pattern = str(isolated_environment / "sandbox" / "participants" / "**" / "*.parquet")
    rows = duckdb.sql(
        f"select meeting_id, count(*) from read_parquet('{pattern}', hive_partitioning = true) "
        "group by 1 order by 1"
    ).fetchall()
    assert rows == sorted([(LECTURE, len(lecture)), (SandboxData.ALL_HANDS, len(all_hands))])


# dask itself still calls reset_index(inplace=True), which pandas 3.1 deprecates
@pytest.mark.filterwarnings("ignore:The inplace keyword")
def test_dask_reads_the_folder(client: zp.ZoomClient, isolated_environment: Path) -> None:
    dd = pytest.importorskip("dask.dataframe")
    lecture, all_hands = online(client, LECTURE), online(client, SandboxData.ALL_HANDS)
    frame = dd.read_parquet(str(isolated_environment / "sandbox" / "participants")).compute()
    assert len(frame) == len(lecture) + len(all_hands)
    assert set(frame["meeting_id"].astype(int).unique()) == {LECTURE, SandboxData.ALL_HANDS}


def test_cache_commands(
    client: zp.ZoomClient, capsys: pytest.CaptureFixture[str], isolated_environment: Path
) -> None:
    online(client, LECTURE)
    online(client, SandboxData.JUST_ENDED)
    assert main(["cache", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(isolated_environment)
    assert main(["cache", "--sandbox", "path"]) == 0
    assert capsys.readouterr().out.strip() == str(isolated_environment / "sandbox")
    assert main(["cache", "list"]) == 0
    assert "empty" in capsys.readouterr().out  # the sandbox's reads are not Zoom's
    assert main(["cache", "list", "--sandbox"]) == 0
    flag_after = capsys.readouterr().out
    assert main(["cache", "--sandbox", "list"]) == 0
    listing = capsys.readouterr().out
    assert listing == flag_after
    assert str(LECTURE) in listing and "provisional" in listing and "rows" in listing
    assert main(["cache", "--sandbox", "clear", str(LECTURE)]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert main(["cache", "--sandbox", "clear"]) == 0
    assert "removed 1" in capsys.readouterr().out
    assert not list(isolated_environment.glob("sandbox/participants/*/*.parquet"))


def test_a_legacy_underscore_file_is_adopted_not_orphaned(
    sandbox: Sandbox, client: zp.ZoomClient, capsys: pytest.CaptureFixture[str]
) -> None:
    slash = next(i for i in sandbox.data.meetings[SandboxData.TEAM_SYNC].instances if i.uuid.startswith("/"))
    fresh = online(client, slash.uuid)
    path = store().path_for(SandboxData.TEAM_SYNC, slash.uuid)
    legacy = path.with_name("_" + path.name[1:])  # what 0.1 called it
    path.rename(legacy)
    pd.testing.assert_frame_equal(zp.read_participants(slash.uuid, cache="offline", client=client), fresh)
    assert path.exists() and not legacy.exists()
    assert len(pd.read_parquet(store().dataset_dir)) == len(fresh)
    path.rename(legacy)
    assert main(["cache", "--sandbox", "clear"]) == 0
    assert "removed 1" in capsys.readouterr().out and not legacy.exists()


def test_read_cache_skips_a_damaged_file_with_a_warning(client: zp.ZoomClient) -> None:
    lecture, one = online(client, LECTURE), online(client, SandboxData.ONE_ON_ONE)
    store().path_for(LECTURE, lecture.attrs["meeting_uuid"]).write_bytes(b"PAR1 garbage")
    with pytest.warns(zp.CacheCorruptWarning, match="damaged"):
        everything = zp.read_cache(client=client)
    assert len(everything) == len(one)
    assert [m["meeting_uuid"] for m in everything.attrs["meetings"]] == [one.attrs["meeting_uuid"]]


def test_read_cache_lists_every_instance_in_attrs(client: zp.ZoomClient) -> None:
    frames = [online(client, m) for m in (LECTURE, SandboxData.ONE_ON_ONE)]
    meetings = zp.read_cache(client=client).attrs["meetings"]
    assert sorted(m["meeting_uuid"] for m in meetings) == sorted(f.attrs["meeting_uuid"] for f in frames)
    assert {m["source"] for m in meetings} == {"cache"} and all(m["topic"] for m in meetings)


def test_offline_by_number_warns_when_a_file_is_damaged(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    first, second = sandbox.data.meetings[LECTURE].instances[-2:]
    online(client, first.uuid)
    online(client, second.uuid)
    store().path_for(LECTURE, second.uuid).write_bytes(b"garbage")
    with pytest.warns(zp.CacheCorruptWarning):
        older = zp.read_participants(LECTURE, cache="offline", client=client)
    assert older.attrs["meeting_uuid"] == first.uuid


def test_an_existing_cache_root_keeps_its_mode(
    client: zp.ZoomClient, isolated_environment: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    isolated_environment.mkdir(mode=0o755)
    os.chmod(isolated_environment, 0o755)
    online(client)
    assert stat.S_IMODE(isolated_environment.stat().st_mode) == 0o755
    assert stat.S_IMODE((isolated_environment / "sandbox").stat().st_mode) == 0o700


def test_a_copy_with_registrant_ids_serves_a_read_without_them(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    with_ids = online(client, include_registrant_id=True)
    sandbox.requests.clear()
    without = online(client, with_ids.attrs["meeting_uuid"])
    assert sandbox.requests == [] and without.attrs["source"] == "cache"
    assert without["registrant_id"].isna().all() and with_ids["registrant_id"].notna().any()
    fresh = online(client, with_ids.attrs["meeting_uuid"], cache=False)
    pd.testing.assert_frame_equal(without, fresh, check_like=False)
    assert online(client, include_registrant_id=True).attrs["source"] == "cache"  # the fuller copy stayed


def test_a_file_from_0_1_is_fetched_again_online(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    fresh = online(client)
    path = store().path_for(LECTURE, fresh.attrs["meeting_uuid"])
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"zoom_pandas"])
    meta["schema_version"] = 1
    meta["fetched_at"] = meta["fetched_at"].replace("+00:00", "Z")  # as 0.1 wrote Zoom's times
    pq.write_table(table.replace_schema_metadata({b"zoom_pandas": json.dumps(meta)}), path)
    assert zp.read_participants(LECTURE, cache="offline", client=client).attrs["source"] == "cache"
    sandbox.requests.clear()
    assert online(client).attrs["source"] == "api" and sandbox.count("/participants") == 1
