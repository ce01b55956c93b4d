"""Regressions: one bad cache file never spoils the rest; killed writers' temp files go away."""

from __future__ import annotations

import json

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pa_ds
import pyarrow.parquet as pq
import pytest

import zoom_pandas as zp
from zoom_pandas.cache import METADATA_KEY, ReportCache
from zoom_pandas.cli import main
from zoom_pandas.sandbox import Sandbox, SandboxData

pytestmark = pytest.mark.integration

LECTURE, ONE = SandboxData.LECTURE, SandboxData.ONE_ON_ONE


def store() -> ReportCache:
    return ReportCache("participants", api_url="http://127.0.0.1/v2")


def rewrite(path: object, change: object) -> None:
    """Rewrite a cached file through ``change(table, meta) -> (table, meta)``."""
    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[METADATA_KEY])
    table, meta = change(table, meta)  # type: ignore[operator]
    pq.write_table(table.replace_schema_metadata({METADATA_KEY: json.dumps(meta)}), path)


@pytest.mark.parametrize(
    "damage",
    ["meeting_id-column", "huge-id", "id-of-another-folder", "odd-total", "known-column-retyped"],
)
def test_read_cache_skips_one_bad_file_and_reads_the_rest(client: zp.ZoomClient, damage: str) -> None:
    lecture = zp.read_participants(LECTURE, client=client)
    one = zp.read_participants(ONE, client=client)
    path = store().path_for(LECTURE, lecture.attrs["meeting_uuid"])
    if damage == "meeting_id-column":
        rewrite(path, lambda t, m: (t.append_column("meeting_id", pa.repeat(pa.scalar("x"), t.num_rows)), m))
    elif damage == "huge-id":
        rewrite(path, lambda t, m: (t, {**m, "meeting_id": 10**30}))
    elif damage == "id-of-another-folder":
        rewrite(path, lambda t, m: (t, {**m, "meeting_id": ONE}))
    elif damage == "odd-total":
        rewrite(path, lambda t, m: (t, {**m, "total_records": "many"}))
    else:  # a known column of a type no other file has
        rewrite(
            path,
            lambda t, m: (
                t.set_column(t.column_names.index("name"), "name", pa.repeat(pa.scalar([1]), t.num_rows)),
                m,
            ),
        )
    with pytest.warns(zp.CacheCorruptWarning):
        everything = zp.read_cache(client=client)
    assert len(everything) in (len(one), len(lecture))
    assert len(everything.attrs["meetings"]) == 1


def test_an_added_field_typed_apart_is_left_out_and_every_row_read(client: zp.ZoomClient) -> None:
    lecture = zp.read_participants(LECTURE, client=client)
    one = zp.read_participants(ONE, client=client)
    first = store().path_for(LECTURE, lecture.attrs["meeting_uuid"])
    rewrite(first, lambda t, m: (t.append_column("extra", pa.repeat(pa.scalar("a"), t.num_rows)), m))
    other = store().path_for(ONE, one.attrs["meeting_uuid"])
    rewrite(other, lambda t, m: (t.append_column("extra", pa.repeat(pa.scalar([1]), t.num_rows)), m))
    with pytest.warns(zp.CacheCorruptWarning, match="left out"):
        everything = zp.read_cache(client=client)
    assert len(everything) == len(lecture) + len(one)
    assert "extra" not in everything.columns and len(everything.attrs["meetings"]) == 2


def killed_writer_leftover(path: object) -> object:
    from pathlib import Path

    target = Path(str(path))
    leftover = target.parent / f".{target.name}.k1ll3d00.tmp"
    leftover.write_bytes(b"PAR1 half a file")
    return leftover


def test_the_next_write_removes_a_killed_writers_temp_file(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    lecture = zp.read_participants(LECTURE, client=client)
    path = store().path_for(LECTURE, lecture.attrs["meeting_uuid"])
    leftover = killed_writer_leftover(path)
    zp.read_participants(LECTURE, client=client, cache="refresh")
    assert not leftover.exists()  # type: ignore[attr-defined]
    assert [p.name for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_cache_clear_removes_temp_files_and_dataset_readers_never_see_them(
    client: zp.ZoomClient, capsys: pytest.CaptureFixture[str]
) -> None:
    lecture = zp.read_participants(LECTURE, client=client)
    path = store().path_for(LECTURE, lecture.attrs["meeting_uuid"])
    leftover = killed_writer_leftover(path)
    assert len(pa_ds.dataset(store().dataset_dir, partitioning="hive").to_table()) == len(lecture)
    assert len(pd.read_parquet(store().dataset_dir)) == len(lecture)
    assert main(["cache", "--sandbox", "clear"]) == 0
    assert not leftover.exists()  # type: ignore[attr-defined]
    assert not store().dataset_dir.exists() or not any(store().dataset_dir.iterdir())


def test_a_temp_file_being_written_is_left_alone(client: zp.ZoomClient) -> None:
    import filelock

    lecture = zp.read_participants(LECTURE, client=client)
    one = zp.read_participants(ONE, client=client)
    path = store().path_for(LECTURE, lecture.attrs["meeting_uuid"])
    busy = killed_writer_leftover(path)
    with filelock.FileLock(str(path.parent / f".{path.stem}.lock")):
        store().clear(meeting_uuid=one.attrs["meeting_uuid"])
        zp.read_participants(ONE, client=client)
        assert busy.exists()  # type: ignore[attr-defined]
