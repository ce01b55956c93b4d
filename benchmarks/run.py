"""Benchmarks: ratios from one run, against a naive baseline and against the physical limit.

Run: ``.venv/bin/python benchmarks/run.py`` (add ``--quick`` for a smaller cache benchmark).
The sandbox runs in its own process so its work is not counted as the client's.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import requests

import zoom_pandas as zp
from zoom_pandas.cache import ReportCache
from zoom_pandas.page_table import pages_table
from zoom_pandas.paging import scan_page
from zoom_pandas.report import Instance as ReportInstance
from zoom_pandas.report import Report
from zoom_pandas.sandbox import SandboxData
from zoom_pandas.sandbox.data import Instance
from zoom_pandas.schema import PARTICIPANTS, to_frame

sys.path.insert(0, str(Path(__file__).parent))
from _sandbox import bearer_session, best_of, client_from, sandbox_process

ROWS = 100_000
PAGE = 300


def page_bodies(rows: int) -> list[bytes]:
    """Raw report page bodies as the sandbox (and Zoom) send them."""
    data = SandboxData(seed=1)
    template = data.latest_instance(SandboxData.CONFERENCE)
    assert template is not None
    instance = Instance(
        uuid="bench",
        meeting=template.meeting,
        start_time=template.start_time,
        minutes=template.minutes,
        people=rows,
        seed=7,
        exact_rows=rows,
    )
    table = instance.rows()
    bodies = []
    for start in range(0, rows, PAGE):
        page = table[start : start + PAGE]
        token = f"token{start}" if start + PAGE < rows else ""
        bodies.append(
            json.dumps(
                {
                    "page_count": -(-rows // PAGE),
                    "page_size": PAGE,
                    "total_records": rows,
                    "next_page_token": token,
                    "participants": page,
                },
                separators=(",", ":"),
            ).encode()
        )
    return bodies


def naive_frame(bodies: list[bytes]) -> pd.DataFrame:
    """What a notebook typically does: json.loads, json_normalize, to_datetime, to_timedelta."""
    rows: list[dict[str, Any]] = []
    for body in bodies:
        rows.extend(json.loads(body)["participants"])
    frame = pd.json_normalize(rows)
    frame["join_time"] = pd.to_datetime(frame["join_time"], utc=True)
    frame["leave_time"] = pd.to_datetime(frame["leave_time"], utc=True)
    frame["duration"] = pd.to_timedelta(frame["duration"], unit="s")
    return frame


def typed_frame(bodies: list[bytes]) -> pd.DataFrame:
    """zoom_pandas' conversion: page tokens by regex, one multithreaded Arrow JSON read, ArrowDtype frame."""
    pages = [scan_page(b) for b in bodies]
    stamp = {"meeting_id": 1, "meeting_uuid": "bench"}
    return to_frame(pages_table([page.body for page in pages], PARTICIPANTS, stamp)[0])


def bench_conversion(bodies: list[bytes]) -> dict[str, float]:
    rows = sum(len(json.loads(b)["participants"]) for b in bodies)
    bare = best_of(3, lambda: [json.loads(b) for b in bodies])
    naive = best_of(3, lambda: naive_frame(bodies))
    ours = best_of(3, lambda: typed_frame(bodies))
    return {
        "rows": rows,
        "json_loads_s": bare,
        "naive_s": naive,
        "ours_s": ours,
        "speedup_vs_naive": naive / ours,
        "ours_over_json_loads": ours / bare,
    }


def naive_fetch(settings: dict[str, str], meeting: int) -> pd.DataFrame:
    """The loop people write with a plain requests.Session (same page_size=300)."""
    session = bearer_session(settings)  # the token request is part of the naive loop, as it was
    api = settings["ZOOM_API_URL"]
    uuid = session.get(f"{api}/past_meetings/{meeting}", timeout=30).json()["uuid"]
    encoded = requests.utils.quote(uuid, safe="")
    rows: list[dict[str, Any]] = []
    params: dict[str, Any] = {"page_size": PAGE}
    while True:
        body = session.get(f"{api}/report/meetings/{encoded}/participants", params=params, timeout=30).json()
        rows.extend(body["participants"])
        if not body.get("next_page_token"):
            break
        params["next_page_token"] = body["next_page_token"]
    frame = pd.json_normalize(rows)
    frame["join_time"] = pd.to_datetime(frame["join_time"], utc=True)
    frame["leave_time"] = pd.to_datetime(frame["leave_time"], utc=True)
    frame["duration"] = pd.to_timedelta(frame["duration"], unit="s")
    return frame


def bench_end_to_end() -> dict[str, float]:
    with sandbox_process() as settings:
        client = client_from(settings)
        zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False)  # warm the sandbox's rows
        ours = best_of(
            3,
            lambda: zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False, progress=False),
            time.process_time,
        )
        naive = best_of(3, lambda: naive_fetch(settings, SandboxData.CONFERENCE), time.process_time)
    return {"ours_cpu_s": ours, "naive_cpu_s": naive, "cpu_speedup": naive / ours}


def bench_latency(latency: float = 0.03) -> dict[str, float]:
    with sandbox_process(latency) as settings:
        warm = client_from(settings)
        zp.read_participants(SandboxData.CONFERENCE, client=warm, cache=False)
        client = client_from(settings)  # a new client: the token request counts too
        started = time.perf_counter()
        frame = zp.read_participants(SandboxData.CONFERENCE, client=client, cache=False, progress=False)
        wall = time.perf_counter() - started
        started = time.perf_counter()
        naive_fetch(settings, SandboxData.CONFERENCE)
        naive_wall = time.perf_counter() - started
    requests_made = 1 + 1 + -(-len(frame) // PAGE)  # token, resolve, pages
    return {
        "rows": len(frame),
        "requests": requests_made,
        "wall_s": wall,
        "wall_over_latency_floor": wall / (requests_made * latency),
        "naive_wall_over_latency_floor": naive_wall / (requests_made * latency),
    }


MEMORY_CHILD = """
import pickle, sys, tracemalloc
import pyarrow as pa
sys.path.insert(0, {bench!r})
import run
bodies = pickle.load(open({path!r}, "rb"))
arrow_before = pa.total_allocated_bytes()
tracemalloc.start()
frame = getattr(run, {name!r})(bodies)
python_peak = tracemalloc.get_traced_memory()[1]
arrow_peak = pa.default_memory_pool().max_memory() - arrow_before
print(python_peak + max(arrow_peak, 0), len(frame))
"""


def bench_memory(bodies: list[bytes]) -> dict[str, float]:
    """Peak memory per row of each conversion (Python heap + Arrow pool peaks), each in a fresh process."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "bodies.pkl")
        with open(path, "wb") as handle:
            pickle.dump(bodies, handle)
        result: dict[str, float] = {}
        for name in ("naive_frame", "typed_frame"):
            code = MEMORY_CHILD.format(bench=str(Path(__file__).parent), path=path, name=name)
            out = subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
            grown, rows = (int(x) for x in out.split())
            result[f"{name}_bytes_per_row"] = grown / rows
    result["memory_ratio_naive_over_ours"] = (
        result["naive_frame_bytes_per_row"] / result["typed_frame_bytes_per_row"]
    )
    return result


def bench_cached_read(latency: float = 0.0) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder, sandbox_process(latency) as settings:
        os.environ["ZOOM_PANDAS_CACHE_DIR"] = folder
        client = client_from(settings)
        frame = zp.read_participants(SandboxData.CONFERENCE, client=client, cache="refresh")
        uuid = frame.attrs["meeting_uuid"]
        runs = 1 if latency else 3
        fetch = best_of(runs, lambda: zp.read_participants(uuid, client=client, cache=False, progress=False))
        cached = best_of(5, lambda: zp.read_participants(uuid, client=client))
        assert zp.read_participants(uuid, client=client).attrs["source"] == "cache"
        path = next(ReportCache(api_url=settings["ZOOM_API_URL"]).entries())
        floor = best_of(5, lambda: pq.read_table(path))
    return {
        "fetch_s": fetch,
        "cached_s": cached,
        "cache_speedup": fetch / cached,
        "bare_parquet_read_s": floor,
        "cached_over_bare_parquet_read": cached / floor,
    }


def bench_read_cache(meetings: int, rows_each: int) -> dict[str, float]:
    bodies = page_bodies(rows_each)
    end = dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        store = ReportCache(root=folder)
        for k in range(meetings):
            instance = ReportInstance(80000000000 + k // 4, f"bench{k:06d}AAAAAAAAAAAA==", end_time=end)
            stamp = {"meeting_id": instance.meeting_id, "meeting_uuid": instance.meeting_uuid}
            table = pages_table(bodies, PARTICIPANTS, stamp)[0]
            store.save(Report(table, instance, rows_each, end + dt.timedelta(days=1)))
        files = list(store.entries())

        def naive() -> pd.DataFrame:
            return pd.concat([pd.read_parquet(f) for f in files], ignore_index=True)

        ours = best_of(3, lambda: zp.read_cache(cache_dir=folder))
        baseline = best_of(3, naive)
        total = len(zp.read_cache(cache_dir=folder))
    return {
        "meetings": meetings,
        "rows": total,
        "read_cache_s": ours,
        "naive_concat_s": baseline,
        "read_cache_speedup": baseline / ours,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100 cached meetings instead of 1,000")
    args = parser.parse_args()
    bodies = page_bodies(ROWS)
    results = {
        "a_conversion_100k_rows": bench_conversion(bodies),
        "b_end_to_end_cpu_20k_rows": bench_end_to_end(),
        "c_latency_30ms_20k_rows": bench_latency(),
        "d_peak_memory_100k_rows": bench_memory(bodies),
        "e_cached_read_20k_rows": bench_cached_read(),
        "e2_cached_read_20k_rows_30ms_latency": bench_cached_read(0.03),
        "f_read_cache": bench_read_cache(100 if args.quick else 1000, 1000),
    }
    for name, figures in results.items():
        print(name)
        for key, value in figures.items():
            print(f"  {key:32s} {value:,.3f}" if isinstance(value, float) else f"  {key:32s} {value:,}")


if __name__ == "__main__":
    main()
