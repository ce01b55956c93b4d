"""The frame in everyday pandas, Polars and DuckDB, on both dtype backends: the README's recipes run.

With ``dtype_backend="numpy_nullable"`` pandas' datetime tools take the frame as it is. With the
default Arrow dtypes, pandas (3.x) refuses to merge an Arrow timestamp with a ``datetime64`` key,
to resample inside a groupby and to ``convert_dtypes`` Arrow durations: each has a one-line recipe.
"""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import zoom_pandas as zp
from zoom_pandas.sandbox import Sandbox, SandboxData

BACKENDS = ["pyarrow", "numpy_nullable"]


@pytest.fixture(scope="module")
def frames() -> Iterator[dict[str, pd.DataFrame]]:
    with Sandbox() as sandbox, sandbox.client() as client:
        yield {
            backend: zp.read_participants(
                SandboxData.LECTURE, client=client, cache=False, dtype_backend=backend
            )
            for backend in BACKENDS
        }


def schedule(frame: pd.DataFrame) -> pd.DataFrame:
    """A plain-pandas frame of the kind users join to: numpy datetime64 keys."""
    times = pd.to_datetime(frame["join_time"].head(5).astype(str), utc=True).astype("datetime64[us, UTC]")
    return pd.DataFrame({"join_time": times, "slot": range(5)})


@pytest.mark.parametrize("backend", BACKENDS)
def test_merge_with_a_datetime64_key(frames: dict[str, pd.DataFrame], backend: str) -> None:
    df, other = frames[backend], schedule(frames[backend])
    if backend == "pyarrow":
        with pytest.raises((ValueError, TypeError)):
            pd.merge(df, other, on="join_time")  # pandas refuses to mix the two kinds of key
        other = other.astype({"join_time": df["join_time"].dtype})  # the recipe: one kind of key
    merged = pd.merge(df, other, on="join_time")
    assert len(merged) >= 5 and merged["slot"].notna().all()


@pytest.mark.parametrize("backend", BACKENDS)
def test_merge_asof(frames: dict[str, pd.DataFrame], backend: str) -> None:
    df, other = frames[backend], schedule(frames[backend])
    if backend == "pyarrow":
        other = other.astype({"join_time": df["join_time"].dtype})
    nearest = pd.merge_asof(df.sort_values("join_time"), other.sort_values("join_time"), on="join_time")
    assert len(nearest) == len(df) and nearest["slot"].notna().any()


@pytest.mark.parametrize("backend", BACKENDS)
def test_resample_per_status(frames: dict[str, pd.DataFrame], backend: str) -> None:
    df = frames[backend]
    expected = df.groupby(["status", pd.Grouper(key="join_time", freq="30min")]).size()
    assert expected.sum() == len(df)
    if backend == "numpy_nullable":
        direct = df.set_index("join_time").groupby("status").resample("30min").size()
        assert direct[direct > 0].sum() == len(df)
    assert df.set_index("join_time").resample("30min").size().sum() == len(df)


@pytest.mark.parametrize("backend", BACKENDS)
def test_convert_dtypes(frames: dict[str, pd.DataFrame], backend: str) -> None:
    df = frames[backend]
    assert df.convert_dtypes(dtype_backend="pyarrow")["duration"].sum() == df["duration"].sum()
    if backend == "numpy_nullable":
        assert df.convert_dtypes(dtype_backend="numpy_nullable").dtypes.equals(df.dtypes)
    # Either way the reader gives numpy-nullable dtypes directly (as pandas' own readers do).
    assert str(frames["numpy_nullable"]["join_time"].dtype) == "datetime64[us, UTC]"


@pytest.mark.parametrize("backend", BACKENDS)
def test_numpy_datetimes(frames: dict[str, pd.DataFrame], backend: str) -> None:
    values = frames[backend]["join_time"].dt.tz_convert(None).to_numpy()
    assert values.dtype == "datetime64[us]"


@pytest.mark.parametrize("backend", BACKENDS)
def test_polars_and_duckdb(frames: dict[str, pd.DataFrame], backend: str) -> None:
    df = frames[backend]
    polars_frame = pl.from_pandas(df)
    assert polars_frame.schema["join_time"] == pl.Datetime("us", "UTC") and polars_frame.height == len(df)
    per_person = duckdb.sql(
        "select user_email, sum(epoch(leave_time) - epoch(join_time)) as seconds from df group by 1"
    ).df()
    assert per_person["seconds"].sum() == pytest.approx(
        (df["leave_time"] - df["join_time"]).dt.total_seconds().sum()
    )
    assert pa.Table.from_pandas(df).schema.field("join_time").type == pa.timestamp("us", tz="UTC")


def test_an_invalid_dtype_backend_is_refused_before_any_request() -> None:
    with Sandbox() as sandbox, sandbox.client() as client:
        readers = [
            lambda: zp.read_participants(SandboxData.LECTURE, client=client, dtype_backend="numpy"),
            lambda: zp.read_webinar_participants(
                SandboxData.WEBINAR_SERIES, client=client, dtype_backend="numpy"
            ),
            lambda: zp.read_meetings(client=client, dtype_backend="numpy"),
            lambda: zp.read_instances(SandboxData.LECTURE, client=client, dtype_backend="numpy"),
            lambda: zp.read_cache(client=client, dtype_backend="numpy"),
        ]
        for read in readers:
            with pytest.raises(ValueError, match="dtype_backend"):
                read()
        assert sandbox.requests == []
