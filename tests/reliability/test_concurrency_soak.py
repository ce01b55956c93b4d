"""Concurrency and soak: threads and processes sharing one cache folder, one client for many requests.

* 8 threads (sharing one client) and 4 processes (``_workers read``, each with its own client from
  the sandbox's ``ZOOM_*`` variables) read and write the same cache folder at once: the same and
  different meetings, ``cache=True`` and ``"refresh"``. Every frame must equal the one a plain
  ``cache=False`` read gave, nothing may raise or warn, and the cache must end readable with one
  file per instance.
* 8 threads sharing one fresh client fetch one access token between them.
* Soak: requests through one client while open sockets, threads and RSS are watched: 300 requests
  in the default run, 10,000 with ``--soak``.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import gc
import json
import os
import pickle
import random
import threading
import time
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.dataset as pa_ds
import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from tests.reliability._workers import Worker, run_plan, same_frame, worker_env
from zoom_pandas.cache import ReportCache, filename_to_uuid
from zoom_pandas.sandbox import Sandbox, SandboxData

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

THREADS = 8
PROCESSES = 4
SEED = 20_260_602
Ref = int | str
Plan = list[tuple[Ref, bool | str]]


def _refs(sandbox: Sandbox) -> tuple[list[Ref], list[Ref]]:
    """Refs every worker reads (the same files raced), and refs each worker samples from."""
    data = sandbox.data
    team = [instance.uuid for instance in data.meetings[SandboxData.TEAM_SYNC].instances]
    slash_first = next(uuid for uuid in team if uuid.startswith("/"))
    named = {
        SandboxData.TEAM_SYNC,
        SandboxData.LECTURE,
        SandboxData.ALL_HANDS,
        SandboxData.CONFERENCE,
        SandboxData.ONE_ON_ONE,
        SandboxData.EMPTY_ROOM,
        SandboxData.JUST_ENDED,
    }
    others = sorted(number for number in data.meetings if number not in named)[:2]
    # ALL_HANDS: 2,332 rows in 8 pages; JUST_ENDED is provisional, so even cache=True rewrites it.
    shared: list[Ref] = [SandboxData.ALL_HANDS, SandboxData.JUST_ENDED, slash_first]
    sampled: list[Ref] = [
        *[uuid for uuid in team if uuid != slash_first],
        SandboxData.LECTURE,
        SandboxData.ONE_ON_ONE,
        SandboxData.EMPTY_ROOM,
        *others,
    ]
    return shared, sampled


def _plan(worker: int, rounds: int, shared: list[Ref], sampled: list[Ref]) -> Plan:
    """A seeded order of reads: the shared refs and four sampled ones per round, modes alternating."""
    rng = random.Random(f"{SEED}:{worker}")
    plan: Plan = []
    for _ in range(rounds):
        refs = shared + rng.sample(sampled, 4)
        rng.shuffle(refs)
        plan += [(ref, True if (worker + k) % 2 else "refresh") for k, ref in enumerate(refs)]
    return plan


def _expected(client: zp.ZoomClient, refs: list[Ref]) -> dict[str, pd.DataFrame]:
    return {str(ref): zp.read_participants(ref, client=client, cache=False) for ref in refs}


def _run_plan(
    plan: Plan, client: zp.ZoomClient, expected: dict[str, pd.DataFrame], start: threading.Event
) -> dict[str, Any]:
    """One thread's reads (the same summary a process worker prints)."""
    start.wait(60)
    return run_plan(plan, client, expected)


def _check_cache_ends_readable(
    client: zp.ZoomClient, expected: dict[str, pd.DataFrame], refs: set[Ref]
) -> None:
    """One complete file per instance read, no temp file, every reader agrees."""
    store = ReportCache(api_url=client.api_url)
    sizes = {expected[str(ref)].attrs["meeting_uuid"]: len(expected[str(ref)]) for ref in refs}
    uuids, rows = set(sizes), sum(sizes.values())
    files = [path for path in store.dataset_dir.rglob("*") if path.is_file()]
    entries = [path for path in files if not path.name.startswith((".", "_"))]
    temp = [path.name for path in files if not path.name.endswith((".parquet", ".lock"))]
    assert not temp, f"temp files left: {temp}"
    assert sorted(filename_to_uuid(path.name) for path in entries) == sorted(uuids)
    everyone = zp.read_cache(client=client)
    assert len(everyone) == rows and len(everyone.attrs["meetings"]) == len(uuids)
    assert pa_ds.dataset(store.dataset_dir, format="parquet", partitioning="hive").count_rows() == rows
    with duckdb.connect() as con:
        query = (
            f"select count(*) from read_parquet('{store.dataset_dir}/**/*.parquet', hive_partitioning=true)"
        )
        assert con.execute(query).fetchone() == (rows,)
    for ref in refs:
        uuid = expected[str(ref)].attrs["meeting_uuid"]
        assert same_frame(zp.read_participants(uuid, cache="offline", client=client), expected[str(ref)])


def test_threads_and_processes_share_one_cache_folder(
    sandbox: Sandbox, client: zp.ZoomClient, soak: bool, isolated_environment: Path, tmp_path: Path
) -> None:
    rounds = 10 if soak else 2
    shared, sampled = _refs(sandbox)
    expected = _expected(client, shared + sampled)
    plans = [_plan(worker, rounds, shared, sampled) for worker in range(THREADS + PROCESSES)]
    (tmp_path / "expected.pkl").write_bytes(pickle.dumps(expected))
    env = worker_env(sandbox.env(), isolated_environment)
    workers = []
    for number, plan in enumerate(plans[THREADS:]):
        path = tmp_path / f"plan-{number}.json"
        path.write_text(json.dumps(plan))
        workers.append(Worker(["read", str(tmp_path / "expected.pkl"), str(path)], env))
    tokens = sandbox.count("/oauth/token")
    start = threading.Event()
    started = time.perf_counter()
    try:
        for worker in workers:
            worker.wait_ready()
        with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
            futures = [pool.submit(_run_plan, plan, client, expected, start) for plan in plans[:THREADS]]
            start.set()
            for worker in workers:
                worker.go()
            summaries = [future.result(timeout=120) for future in futures]
            summaries += [json.loads(worker.result(timeout=120)) for worker in workers]
    finally:
        start.set()
        for worker in workers:
            worker.close()
    elapsed = time.perf_counter() - started
    reads = sum(summary["reads"] for summary in summaries)
    errors = [error for summary in summaries for error in summary["errors"]]
    mismatches = [bad for summary in summaries for bad in summary["mismatches"]]
    print(
        f"\nconcurrency: {THREADS} threads + {PROCESSES} processes, {sum(map(len, plans))} reads planned, "
        f"{reads} done in {elapsed:.2f} s; mismatches {len(mismatches)}, errors {len(errors)}; "
        f"token requests by the processes {sandbox.count('/oauth/token') - tokens}"
    )
    assert not errors, "\n".join(errors[:5])
    assert not mismatches, mismatches[:20]
    assert reads == sum(map(len, plans))
    assert sandbox.count("/oauth/token") - tokens == PROCESSES  # the threads' shared client had one
    _check_cache_ends_readable(client, expected, {ref for plan in plans for ref, _ in plan})


def test_threads_sharing_one_client_fetch_one_token(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    shared, sampled = _refs(sandbox)
    refs = (shared + sampled)[:THREADS]
    with sandbox.client(retry=FAST_RETRY) as other:
        expected = _expected(other, refs)
    tokens = sandbox.count("/oauth/token")
    barrier = threading.Barrier(THREADS, timeout=30)

    def read(ref: Ref) -> pd.DataFrame:
        barrier.wait()  # every thread asks at once, before the client has any token
        return zp.read_participants(ref, client=client)

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        frames = list(pool.map(read, refs, timeout=60))
    assert all(same_frame(frame, expected[str(ref)]) for frame, ref in zip(frames, refs, strict=True))
    assert sandbox.count("/oauth/token") - tokens == 1


# -- soak -------------------------------------------------------------------------------------------


def open_sockets() -> int:
    """This process's open sockets (the sandbox's and the client's: both live here)."""
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        with contextlib.suppress(OSError):  # closed since the listing
            count += os.readlink(f"/proc/self/fd/{fd}").startswith("socket:")
    return count


def rss_mb() -> float:
    """Resident set size, from /proc/self/status."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError("no VmRSS in /proc/self/status")


def _requests(sandbox: Sandbox, client: zp.ZoomClient, count: int, refs: list[Ref], deadline: float) -> int:
    """Small reads (cache=False) until ``count`` requests reached the sandbox; return how many did."""
    logged = 0  # requests counted and dropped from the sandbox's log, which would grow by itself
    for reads in range(count):
        made = logged + len(sandbox.requests)
        if made >= count:
            return made
        assert time.monotonic() < deadline, f"only {made} of {count} requests before the deadline"
        frame = zp.read_participants(refs[reads % len(refs)], client=client, cache=False)
        assert len(frame) == frame.attrs["total_records"]
        if len(sandbox.requests) >= 1000:
            logged += len(sandbox.requests)
            sandbox.requests.clear()
    raise AssertionError(f"{count} reads made fewer than {count} requests")


def _soak(sandbox: Sandbox, client: zp.ZoomClient, count: int, seconds: float) -> None:
    """``count`` requests through one client; sockets and threads back to baseline, RSS bounded."""
    data = sandbox.data
    refs: list[Ref] = [
        SandboxData.ONE_ON_ONE,
        SandboxData.EMPTY_ROOM,
        *[instance.uuid for instance in data.meetings[SandboxData.TEAM_SYNC].instances],
    ]
    deadline = time.monotonic() + seconds
    _requests(sandbox, client, 200, refs, deadline)  # warm-up: connection, token, lazy imports, caches
    sandbox.requests.clear()
    gc.collect()
    before = (open_sockets(), threading.active_count(), rss_mb(), len(os.listdir("/proc/self/fd")))
    started = time.perf_counter()
    made = _requests(sandbox, client, count, refs, deadline)
    elapsed = time.perf_counter() - started
    gc.collect()
    after = (open_sockets(), threading.active_count(), rss_mb(), len(os.listdir("/proc/self/fd")))
    print(
        f"\nsoak: {made} requests in {elapsed:.1f} s ({made / elapsed:.0f}/s); sockets {before[0]} -> "
        f"{after[0]}, threads {before[1]} -> {after[1]}, fds {before[3]} -> {after[3]}, RSS "
        f"{before[2]:.1f} -> {after[2]:.1f} MB ({after[2] - before[2]:+.1f} MB)"
    )
    assert made >= count
    assert after[0] <= before[0] + 2, "sockets leak"
    assert after[1] <= before[1] + 2, "threads leak"
    assert after[3] <= before[3] + 2, "file descriptors leak"
    # After the warm-up, RSS moves only with allocator caching (a few MB); a leak of 5 KB per
    # request (a response body or frame kept alive) would add 50 MB over the 10,000 requests.
    assert after[2] - before[2] < 50, "RSS grew by 50 MB or more"


def test_soak_short(sandbox: Sandbox, client: zp.ZoomClient) -> None:
    _soak(sandbox, client, 300, seconds=60)


def test_soak_10000_requests(sandbox: Sandbox, client: zp.ZoomClient, soak: bool) -> None:
    if not soak:
        pytest.skip("the 10,000-request soak runs only with --soak (test_soak_short covers 300 requests)")
    _soak(sandbox, client, 10_000, seconds=600)
