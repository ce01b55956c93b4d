"""Benchmarks of many meetings at once (issue 9): rate-limit pacing, concurrency, client CPU, export.

How to run (about three minutes on two cores)::

    .venv/bin/python benchmarks/many.py
    ... benchmarks/many.py --only g,h       # some of the benchmarks
    ... benchmarks/many.py --old-subset 50  # the old sequential loop of (g) on 50 meetings only

Every ratio compares figures measured in the same run of this script. Each sandbox is
``python -m zoom_pandas.sandbox`` in its own process (so its CPU is not the client's), with
``--bulk 200x50``: 200 single-instance meetings of exactly 50 participant rows (one page each)
hosted by ``bulk@example.com``. Requests are counted on the client side by a ``requests.Session``
subclass (by Zoom rate-limit label of the path, and by status), 429 waits by a handler on the
``zoom_pandas`` logger. The listing (``read_meetings("bulk@example.com")``) is read before every
timer and is never timed.

What each ratio means:

(g) ``wall_over_floor``: wall time of ``read_participants(frame, cache=False)`` under
    ``rate_limit="pro"`` against a sandbox enforcing Zoom's Pro limits (``--plan pro``), divided by
    the floor Heavy requests / 10 per second (target <= 1.05, with zero 429s). Zoom's (and the
    sandbox's) bucket starts full and lets one second's worth through at once, so a client may go
    *under* that floor; ``wall_over_burst_floor`` divides by (Heavy - 10) / 10 instead, the
    strict physical limit. The run waits 1 s after the listing so both buckets start full.
    ``g_business``: the same at 40/s (target <= 1.10). ``old`` (under ``g_pro``): the pre-issue-9
    way, a loop ``read_participants(number)`` (one Light resolve + one Heavy page each) with
    ``rate_limit=10``, on the same sandbox. At zero latency that loop is bound by the same Heavy
    pacing, so ``g_pro_latency_100ms`` repeats both with ``--latency 0.1`` (the loop on the first
    ``--old-subset-latency`` meetings, 50 by default, and estimated for all 200).
(h) ``speedup_vs_loop``: at 30 ms latency and no limit, the sequential loop
    ``for n in numbers: read_participants(n, cache=False)`` (two requests per meeting: a resolve
    and the page; ours uses the frame's rows as they are, one request each) over ours, best of 3
    with a new client each (target >= 6). ``ours_cache_true_s``: ours writing the Parquet cache,
    like for like with dlt's load to Parquet files. Against dlt
    1.31's ``rest_api`` source (``peer_dlt.py``, run by dlt's own venv): ``ours_over_dlt_*`` is our
    wall over dlt's extract-only time and over its pipeline run (extract + normalize + load to
    Parquet files); below 1 means we are faster. Ours includes fetching the token; dlt's extract
    and run exclude it and the import of dlt (its ``total_s`` includes both).
(i) ``ours_over_naive_cpu``: client CPU (user + system time of every thread of this process, from
    ``getrusage``) of ``read_participants(frame, cache=False)`` over a naive loop
    (``requests.Session`` + Bearer, GET each instance's page(s) at page_size=300,
    ``pd.json_normalize`` each, ``pd.concat`` at the end), zero latency, best of 5 runs taken
    alternately (target <= 1.0; the ratio of the medians is shown too: the machine is shared).
    ``cache_true``: ours with the default cache (a fresh folder each run: Parquet writes with
    fsync) over the naive loop plus ``to_parquet`` of each meeting's frame.
(j) ``wall_over_floor``: ``zp.export`` of the last 91 days for ``user="all"`` on a
    ``--plan pro`` sandbox with a ``rate_limit="pro"`` client, over the floor Heavy requests / 10
    per second (Heavy: the ``/report/users/*/meetings`` listing windows and one page per instance);
    ``rows_per_s``; ``phases`` (from the client's request times: the listing, the gap before the
    first page, the pages, and the time after the last answer, when day files are written);
    and a rerun's requests, which must be the listing only (``/users`` and the
    listing windows) plus one participants request for the sandbox's "Stand-up that just ended"
    (less than an hour old, so not settled: fetched again, as it should be).
"""

from __future__ import annotations

import argparse
import collections
import dataclasses
import datetime as dt
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
import requests

import zoom_pandas as zp
from zoom_pandas.sandbox.limits import route_label
from zoom_pandas.transport import mount_deadlines

sys.path.insert(0, str(Path(__file__).parent))
from _sandbox import RateLimitCounter, bearer_session, client_from, sandbox_process

BULK = "200x50"
BULK_USER = "bulk@example.com"
PAGE = 300
HEAVY_PER_S = {"pro": 10.0, "business": 40.0}
#: dlt's own venv (``python3 -m venv .venv-dlt && .venv-dlt/bin/pip install "dlt[parquet]"``), or
#: the interpreter named by ``ZOOM_PANDAS_DLT_PYTHON``; the dlt comparison is skipped without one.
DLT_PYTHON = Path(
    os.environ.get(
        "ZOOM_PANDAS_DLT_PYTHON", Path(__file__).resolve().parent.parent / ".venv-dlt" / "bin" / "python"
    )
)
PEER_DLT = Path(__file__).with_name("peer_dlt.py")
PARTICIPANTS_ROUTE = "/report/meetings/*/participants"
Figures = dict[str, Any]


class CountingSession(requests.Session):
    """A session that counts every exchange by Zoom label and route shape, and by status."""

    def __init__(self) -> None:
        super().__init__()
        self.trust_env = False  # as the library's own session: loopback needs no proxy
        self._guard = threading.Lock()
        self.by_label: collections.Counter[str] = collections.Counter()
        self.by_route: collections.Counter[str] = collections.Counter()
        self.by_status: collections.Counter[int] = collections.Counter()
        self.served: collections.Counter[str] = collections.Counter()
        #: Per route shape: when its first request started and its last answer ended (perf_counter).
        self.spans: dict[str, list[float]] = {}

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        started = time.perf_counter()
        response = super().send(request, **kwargs)
        ended = time.perf_counter()
        path = urllib.parse.urlsplit(request.url or "").path
        label = route_label(path) or "other"
        shape = _shape(path)
        with self._guard:
            span = self.spans.setdefault(shape, [started, ended])
            span[0], span[1] = min(span[0], started), max(span[1], ended)
            self.by_label[label] += 1
            self.by_route[shape] += 1
            self.by_status[response.status_code] += 1
            if 200 <= response.status_code < 300:
                self.served[label] += 1
        return response

    def reset(self) -> None:
        with self._guard:
            for counter in (self.by_label, self.by_route, self.by_status, self.served):
                counter.clear()
            self.spans.clear()


def _shape(path: str) -> str:
    """``/v2/report/meetings/<uuid>/participants`` as ``/report/meetings/*/participants``."""
    segments = path.split("/")[2:] if path.startswith("/v2/") else path.split("/")[1:]
    fixed = {"report", "users", "meetings", "participants", "past_meetings", "instances", "token", "oauth"}
    return "/" + "/".join(s if s in fixed else "*" for s in segments)


def counted_client(settings: dict[str, str], rate_limit: Any = None) -> tuple[zp.ZoomClient, CountingSession]:
    """A client over a counting session, with the library's own transport (deadlines, pool of 32)."""
    session = CountingSession()
    mount_deadlines(session)
    return client_from(settings, rate_limit=rate_limit, session=session), session


def bulk_listing(client: zp.ZoomClient) -> pd.DataFrame:
    """The bulk meetings (untimed): one Heavy listing request."""
    start = dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=30)
    return zp.read_meetings(BULK_USER, start=start, client=client)


def timed(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = work()
    return time.perf_counter() - started, result


# -- (g) pacing at Zoom's plan limits -------------------------------------------------------------


def bench_g(plan: str, old_subset: int | None, latency: float = 0.0) -> Figures:
    rate = HEAVY_PER_S[plan]
    with sandbox_process(latency, plan=plan, bulk=BULK) as settings:
        client, session = counted_client(settings, rate_limit=plan)
        frame = bulk_listing(client)
        time.sleep(1.0)  # both buckets (the sandbox's and the client's) full again
        session.reset()
        with RateLimitCounter() as waits:
            wall, df = timed(lambda: zp.read_participants(frame, client=client, cache=False, progress=False))
        heavy = session.served["Heavy"]
        figures: Figures = {
            "instances": len(frame),
            "rows": len(df),
            "workers": client.limiter.concurrency(),
            "heavy_requests": heavy,
            "wall_s": wall,
            "floor_s": heavy / rate,
            "wall_over_floor": wall / (heavy / rate),
            "burst_floor_s": (heavy - rate) / rate,
            "wall_over_burst_floor": wall / ((heavy - rate) / rate),
            "http_429_answers": session.by_status[429],
            "http_429_waits_logged": waits.count,
        }
        if old_subset is not None:
            figures["old"] = bench_g_old(settings, frame, old_subset, rate)
    return figures


def bench_g_old(settings: dict[str, str], frame: pd.DataFrame, subset: int, rate: float) -> Figures:
    """The pre-issue-9 way: one ``read_participants(number)`` after another, ``rate_limit=10``."""
    client, session = counted_client(settings, rate_limit=10)
    numbers = [int(n) for n in frame["meeting_id"].tolist()[:subset]]
    client.get_json("/users/me")  # the token, before the timer (as for ours)
    time.sleep(1.0)
    session.reset()
    with RateLimitCounter() as waits:

        def loop() -> int:
            rows = 0
            for number in numbers:
                rows += len(zp.read_participants(number, client=client, cache=False, progress=False))
            return rows

        wall, rows = timed(loop)
    heavy = session.served["Heavy"]
    return {
        "instances": len(numbers),
        "rows": rows,
        "requests": dict(session.by_label),
        "wall_s": wall,
        "wall_per_instance_s": wall / len(numbers),
        "wall_for_all_estimated_s": wall / len(numbers) * len(frame),
        "wall_over_floor": wall / (heavy / rate),
        "http_429_answers": session.by_status[429],
        "http_429_waits_logged": waits.count,
    }


# -- (h) latency: concurrency against a loop and against dlt -------------------------------------


def bench_h(use_dlt: bool) -> Figures:
    latency = 0.03
    with sandbox_process(latency, bulk=BULK) as settings:
        frame = bulk_listing(client_from(settings))
        numbers = [int(n) for n in frame["meeting_id"].tolist()]
        walls: list[float] = []
        for _ in range(3):  # best of 3, each with a new client: its token request is timed too
            client, session = counted_client(settings)
            wall, df = timed(
                lambda c=client: zp.read_participants(frame, client=c, cache=False, progress=False)
            )
            walls.append(wall)
        ours = min(walls)
        ours_requests = sum(session.by_label.values()) + 1  # + the token POST (not a /v2 GET)
        cached_walls: list[float] = []
        with tempfile.TemporaryDirectory() as root:
            for k in range(3):
                os.environ["ZOOM_PANDAS_CACHE_DIR"] = os.path.join(root, str(k))
                cached_client = client_from(settings)
                wall, _ = timed(lambda c=cached_client: zp.read_participants(frame, client=c, progress=False))
                cached_walls.append(wall)
        ours_cache = min(cached_walls)
        loop_client, loop_session = counted_client(settings)

        def loop() -> int:
            return sum(
                len(zp.read_participants(n, client=loop_client, cache=False, progress=False)) for n in numbers
            )

        loop_wall, loop_rows = timed(loop)
        figures: Figures = {
            "instances": len(frame),
            "rows": len(df),
            "ours_s": ours,
            "ours_requests": ours_requests,
            "ours_over_latency_floor": ours / (ours_requests * latency / client.limiter.concurrency()),
            "ours_cache_true_s": ours_cache,
            "loop_s": loop_wall,
            "loop_rows": loop_rows,
            "loop_requests": sum(loop_session.by_label.values()) + 1,
            "speedup_vs_loop": loop_wall / ours,
        }
        if not use_dlt:
            figures["dlt"] = "skipped: --no-dlt"
        elif not DLT_PYTHON.exists():
            figures["dlt"] = "skipped: dlt not installed"
        else:
            for parallel in (False, True):
                name = "dlt_parallelized" if parallel else "dlt_default"
                peer = run_dlt(settings, frame["meeting_uuid"].tolist(), parallel)
                peer["ours_over_dlt_extract"] = ours / peer["extract_s"]
                peer["ours_over_dlt_run"] = ours / peer["run_s"]
                peer["ours_cache_true_over_dlt_run"] = ours_cache / peer["run_s"]
                figures[name] = peer
    return figures


def run_dlt(settings: dict[str, str], uuids: list[str], parallelized: bool) -> Figures:
    """dlt's rest_api over the same sandbox, in dlt's venv (see peer_dlt.py)."""
    with tempfile.TemporaryDirectory() as workdir:
        job = {
            "api_url": settings["ZOOM_API_URL"],
            "oauth_url": settings["ZOOM_OAUTH_URL"],
            "account_id": settings["ZOOM_ACCOUNT_ID"],
            "client_id": settings["ZOOM_CLIENT_ID"],
            "client_secret": settings["ZOOM_CLIENT_SECRET"],
            "uuids": uuids,
            "workdir": workdir,
            "parallelized": parallelized,
        }
        path = Path(workdir, "job.json")
        path.write_text(json.dumps(job))
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        started = time.perf_counter()
        done = subprocess.run(
            [str(DLT_PYTHON), str(PEER_DLT), str(path)],
            capture_output=True,
            text=True,
            timeout=180,
            env=env,
            check=False,
        )
        process_s = time.perf_counter() - started
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] or ["dlt failed"]}
    peer: Figures = json.loads(done.stdout.strip().splitlines()[-1])
    peer["process_s"] = process_s
    return peer


# -- (i) client CPU ---------------------------------------------------------------------------------


def naive_loop(
    session: requests.Session, api: str, uuids: list[str], out: Path | None = None
) -> pd.DataFrame:
    """What people write: GET each instance's pages, json_normalize each, concat at the end."""
    frames = []
    for k, uuid in enumerate(uuids):
        once = urllib.parse.quote(uuid, safe="")
        segment = urllib.parse.quote(once, safe="") if uuid.startswith("/") or "//" in uuid else once
        rows: list[dict[str, Any]] = []
        params: dict[str, Any] = {"page_size": PAGE}
        for _ in range(1000):  # bounded: at most 1000 pages
            body = session.get(
                f"{api}/report/meetings/{segment}/participants", params=params, timeout=30
            ).json()
            rows.extend(body["participants"])
            if not body.get("next_page_token"):
                break
            params["next_page_token"] = body["next_page_token"]
        frame = pd.json_normalize(rows)
        frame["meeting_uuid"] = uuid
        if out is not None:
            frame.to_parquet(out / f"{k}.parquet")
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@dataclasses.dataclass
class Usage:
    """CPU (user, system: every thread of this process) and wall seconds of one run."""

    user: float
    system: float
    wall: float

    @property
    def cpu(self) -> float:
        return self.user + self.system


def usage_of(work: Callable[[], Any]) -> Usage:
    before, started = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
    work()
    after, wall = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter() - started
    return Usage(after.ru_utime - before.ru_utime, after.ru_stime - before.ru_stime, wall)


def paired(runs: int, ours: Callable[[], Any], theirs: Callable[[], Any]) -> Figures:
    """Run both ``runs`` times, alternating (so drifting machine load hits both alike)."""
    mine: list[Usage] = []
    other: list[Usage] = []
    for _ in range(runs):
        mine.append(usage_of(ours))
        other.append(usage_of(theirs))
    best_mine = min(mine, key=lambda u: u.cpu)
    best_other = min(other, key=lambda u: u.cpu)
    return {
        "ours_cpu_s": best_mine.cpu,
        "ours_user_s": best_mine.user,
        "ours_system_s": best_mine.system,
        "naive_cpu_s": best_other.cpu,
        "naive_user_s": best_other.user,
        "naive_system_s": best_other.system,
        "ours_over_naive_cpu": best_mine.cpu / best_other.cpu,
        "median_ours_over_naive_cpu": statistics.median(u.cpu for u in mine)
        / statistics.median(u.cpu for u in other),
        "ours_wall_s": min(u.wall for u in mine),
        "naive_wall_s": min(u.wall for u in other),
    }


def bench_i(runs: int = 5) -> Figures:
    with sandbox_process(bulk=BULK) as settings, tempfile.TemporaryDirectory() as root:
        client = client_from(settings)
        frame = bulk_listing(client)
        uuids = frame["meeting_uuid"].tolist()
        api = settings["ZOOM_API_URL"]
        session = bearer_session(settings)
        rows = len(zp.read_participants(frame, client=client, cache=False, progress=False))  # warm-up
        assert len(naive_loop(session, api, uuids)) == rows
        folders = iter(range(1000))

        def ours_read() -> pd.DataFrame:
            return zp.read_participants(frame, client=client, cache=False, progress=False)

        def ours_cached() -> None:
            os.environ["ZOOM_PANDAS_CACHE_DIR"] = os.path.join(root, f"cache{next(folders)}")
            zp.read_participants(frame, client=client, progress=False)

        def naive_parquet() -> None:
            out = Path(root, f"naive{next(folders)}")
            out.mkdir()
            naive_loop(session, api, uuids, out)

        plain = paired(runs, ours_read, lambda: naive_loop(session, api, uuids))
        cached = paired(runs, ours_cached, naive_parquet)
    return {
        "instances": len(uuids),
        "rows": rows,
        "runs": runs,
        **plain,
        "cache_true": cached,
    }


# -- (j) export at the Pro limit -----------------------------------------------------------------


def bench_j() -> Figures:
    rate = HEAVY_PER_S["pro"]
    today = dt.datetime.now(dt.timezone.utc).date()
    start = today - dt.timedelta(days=90)
    with sandbox_process(plan="pro") as settings, tempfile.TemporaryDirectory() as root:
        os.environ["ZOOM_PANDAS_CACHE_DIR"] = os.path.join(root, "cache")
        out = Path(root, "export")
        client, session = counted_client(settings, rate_limit="pro")
        client.get_json("/users/me")  # the token, and one Light request, before the timer
        time.sleep(1.0)
        session.reset()

        def run() -> Any:
            return zp.export(out, start=start, end=today, user="all", client=client, progress=False)

        with RateLimitCounter() as waits:
            began = time.perf_counter()
            wall, summary = timed(run)
        heavy = session.served["Heavy"]
        listing = session.spans.get("/report/users/*/meetings", [began, began])
        pages = session.spans.get(PARTICIPANTS_ROUTE, [listing[1], listing[1]])
        pages_count = session.by_route[PARTICIPANTS_ROUTE]
        first = {
            "instances": summary.instances,
            "read": summary.read,
            "rows": summary.rows,
            "days": summary.days,
            "failures": len(summary.failures),
            "requests_by_label": dict(session.served),
            "requests_by_route": dict(session.by_route),
            "wall_s": wall,
            "floor_s": heavy / rate,
            "wall_over_floor": wall / (heavy / rate),
            "wall_over_burst_floor": wall / ((heavy - rate) / rate),
            "rows_per_s": summary.rows / wall,
            "http_429_answers": session.by_status[429],
            "http_429_waits_logged": waits.count,
            "phases": {
                "users_and_listing_s": listing[1] - began,
                "listing_to_first_page_s": pages[0] - listing[1],
                "pages_s": pages[1] - pages[0],
                "pages_per_s": pages_count / max(pages[1] - pages[0], 1e-9),
                "after_last_page_s": began + wall - pages[1],
            },
        }
        time.sleep(1.0)
        session.reset()
        again_wall, again = timed(run)
        routes = dict(session.by_route)
        participants = routes.get(PARTICIPANTS_ROUTE, 0)
        rerun = {
            "wall_s": again_wall,
            "read": again.read,
            "already": again.already,
            "requests_by_route": routes,
            "listing_requests": sum(n for r, n in routes.items() if r != PARTICIPANTS_ROUTE),
            "participants_requests": participants,
            "http_429_answers": session.by_status[429],
        }
    return {"first_run": first, "rerun": rerun}


# -- main -------------------------------------------------------------------------------------------


def show(name: str, figures: Any, indent: int = 0) -> None:
    pad = " " * indent
    if not isinstance(figures, dict):
        print(f"{pad}{name:36s} {figures}")
        return
    print(f"{pad}{name}")
    for key, value in figures.items():
        if isinstance(value, dict) and any(isinstance(v, (dict, float)) for v in value.values()):
            show(key, value, indent + 2)
        elif isinstance(value, float):
            print(f"{pad}  {key:36s} {value:,.3f}")
        elif isinstance(value, int):
            print(f"{pad}  {key:36s} {value:,}")
        else:
            print(f"{pad}  {key:36s} {value}")


def targets(results: dict[str, Figures]) -> list[tuple[str, float, str, bool]]:
    """(what, value, target, met) for every figure that has a target."""
    wanted: list[tuple[str, str, list[str], str, Callable[[float], bool]]] = [
        ("g pro wall/floor", "g_pro", ["wall_over_floor"], "<= 1.05", lambda v: v <= 1.05),
        ("g pro 429s", "g_pro", ["http_429_answers"], "== 0", lambda v: v == 0),
        ("g business wall/floor", "g_business", ["wall_over_floor"], "<= 1.10", lambda v: v <= 1.10),
        ("g business 429s", "g_business", ["http_429_answers"], "== 0", lambda v: v == 0),
        (
            "(extra) g pro 100ms wall/floor",
            "g_pro_latency_100ms",
            ["wall_over_floor"],
            "<= 1.05",
            lambda v: v <= 1.05,
        ),
        ("(extra) g pro 100ms 429s", "g_pro_latency_100ms", ["http_429_answers"], "== 0", lambda v: v == 0),
        ("h loop/ours", "h_latency_30ms", ["speedup_vs_loop"], ">= 6", lambda v: v >= 6),
        ("i ours/naive CPU", "i_cpu", ["ours_over_naive_cpu"], "<= 1.0", lambda v: v <= 1.0),
        (
            "i cache=True ours/naive CPU",
            "i_cpu",
            ["cache_true", "ours_over_naive_cpu"],
            "<= 1.0",
            lambda v: v <= 1.0,
        ),
        ("j 429s", "j_export_pro", ["first_run", "http_429_answers"], "== 0", lambda v: v == 0),
        (
            "j rerun participants requests",
            "j_export_pro",
            ["rerun", "participants_requests"],
            "== 1",
            lambda v: v == 1,
        ),
    ]
    checks = []
    for what, section, keys, target, test in wanted:
        if section not in results:
            continue
        value: Any = results[section]
        for key in keys:
            value = value[key]
        checks.append((what, float(value), target, test(float(value))))
    return checks


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--only", default="g,h,i,j", help="comma-separated benchmarks (default: g,h,i,j)")
    parser.add_argument(
        "--old-subset", type=int, default=200, help="meetings of (g)'s old sequential loop (0: skip)"
    )
    parser.add_argument(
        "--old-subset-latency",
        type=int,
        default=50,
        help="meetings of the old sequential loop at 100 ms latency (0: skip)",
    )
    parser.add_argument("--no-dlt", action="store_true", help="skip the dlt comparison of (h)")
    parser.add_argument("--json", type=Path, default=None, help="also write every figure to this file")
    args = parser.parse_args()
    chosen = {name.strip() for name in args.only.split(",")}
    started = time.perf_counter()
    results: dict[str, Figures] = {}
    benches: list[tuple[str, str, Callable[[], Figures]]] = [
        ("g", "g_pro", lambda: bench_g("pro", args.old_subset or None)),
        ("g", "g_business", lambda: bench_g("business", None)),
        ("g", "g_pro_latency_100ms", lambda: bench_g("pro", args.old_subset_latency or None, 0.1)),
        ("h", "h_latency_30ms", lambda: bench_h(not args.no_dlt)),
        ("i", "i_cpu", bench_i),
        ("j", "j_export_pro", bench_j),
    ]
    for letter, name, bench in benches:
        if letter in chosen:
            results[name] = bench()
            show(name, results[name])
            sys.stdout.flush()
    print("targets")
    for what, value, target, met in targets(results):
        print(f"  {what:36s} {value:,.3f}  target {target:8s} {'met' if met else 'MISSED'}")
    print(f"whole run {time.perf_counter() - started:.1f} s")
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, default=str))


if __name__ == "__main__":
    main()
