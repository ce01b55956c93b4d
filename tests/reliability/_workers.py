"""Subprocess workers of the reliability tests, and the helpers the tests share about them.

``python -m tests.reliability._workers write REPORT.parquet MODE`` is a cache writer the crash test
kills: it loads the staged report, prints ``ready``, answers each stdin line ``rehearse`` with one
timed write to a scratch cache (``done``), and on ``go`` writes the real cache.
``python -m tests.reliability._workers read EXPECTED.pkl PLAN.json`` is a reader/writer of the
concurrency test: it prints ``ready``, waits for ``go``, runs its plan and prints a JSON summary.
Both take the sandbox's ``ZOOM_*`` variables and ``ZOOM_PANDAS_CACHE_DIR`` from the environment."""

from __future__ import annotations

import dataclasses
import json
import os
import pickle
import select
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import warnings
from pathlib import Path
from typing import IO, Any

REPO = Path(__file__).resolve().parents[2]

__all__ = ["Worker", "same_frame", "worker_env"]


def worker_env(sandbox_env: dict[str, str], cache_dir: Path) -> dict[str, str]:
    """The environment of a worker: the sandbox's ``ZOOM_*`` variables, the cache folder, this repo."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("ZOOM_")}
    env.update(sandbox_env)
    env["ZOOM_PANDAS_CACHE_DIR"] = str(cache_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def same_frame(frame: Any, expected: Any) -> bool:
    """Same rows, dtypes and instance (``fetched_at`` and ``source`` may differ)."""
    return bool(frame.equals(expected)) and frame.attrs.get("meeting_uuid") == expected.attrs.get(
        "meeting_uuid"
    )


class Worker:
    """One worker subprocess: started, waited for until ``ready``, released with ``go``, killed by pid."""

    def __init__(self, args: list[str], env: dict[str, str]) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.reliability._workers", *args],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )

    def _line(self, stream: IO[bytes], timeout: float) -> str:
        ready, _, _ = select.select([stream], [], [], timeout)
        if not ready:
            raise TimeoutError(f"worker {self.process.pid} said nothing for {timeout} s")
        return stream.readline().decode().strip()

    def wait_ready(self, timeout: float = 60.0) -> None:
        """Block until the worker has imported and loaded what it needs."""
        assert self.process.stdout is not None
        line = self._line(self.process.stdout, timeout)
        if line != "ready":
            self.process.wait(timeout)
            raise RuntimeError(f"worker failed to start: {line!r}\n{self.stderr()}")

    def go(self, word: str = "go") -> None:
        """Release the worker (one line on its stdin)."""
        assert self.process.stdin is not None
        self.process.stdin.write(f"{word}\n".encode())
        self.process.stdin.flush()

    def rehearse(self, times: int = 3) -> float:
        """The median time from ``rehearse`` to ``done``: one write to a scratch cache, as seen from here."""
        assert self.process.stdout is not None
        timings = []
        for _ in range(times):
            started = time.perf_counter()
            self.go("rehearse")
            line = self._line(self.process.stdout, 60.0)
            timings.append(time.perf_counter() - started)
            if line != "done":
                raise RuntimeError(f"rehearsal failed: {line!r}")
        return statistics.median(timings)

    def result(self, timeout: float = 120.0) -> str:
        """The worker's last stdout line once it has exited by itself."""
        out, err = self.process.communicate(timeout=timeout)
        if self.process.returncode != 0:
            raise RuntimeError(f"worker exited with {self.process.returncode}: {err.decode()[-2000:]}")
        lines = out.decode().strip().splitlines()
        return lines[-1] if lines else ""

    def kill(self) -> bool:
        """SIGKILL the worker (by its pid) and reap it; True when it had finished its write first."""
        self.process.kill()  # SIGKILL on POSIX
        out, _ = self.process.communicate(timeout=30)
        return b"done" in out

    def stderr(self) -> str:
        """What the worker wrote on stderr (after it exited)."""
        assert self.process.stderr is not None
        return self.process.stderr.read().decode()[-2000:]

    def close(self) -> None:
        """Kill and reap the worker if it still runs (test clean-up)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.communicate(timeout=30)


@dataclasses.dataclass
class _Replay:
    """A stand-in for ``ReportFetcher`` that "fetches" a report already in memory, instantly."""

    report: Any

    @property
    def include_registrant_id(self) -> bool:
        return bool(self.report.include_registrant_id)

    def resolve(self, ref: object) -> Any:
        return self.report.instance

    def fetch(self, instance: object, on_page: object = None) -> Any:
        return self.report

    def current(self) -> Any:
        from zoom_pandas.reports import MEETING_REPORT

        return MEETING_REPORT

    def sources(self) -> list[Any]:
        return [self.current()]

    @property
    def fallback(self) -> None:
        return None

    @property
    def spec(self) -> Any:
        return self.current()


def _write(report_path: str, mode: str) -> int:
    """Write one staged report through the cache policy of ``cache=True`` ("new") or ``"refresh"``.

    After ``ready`` each stdin line ``rehearse`` writes it to a scratch cache beside the real one
    (so the parent can time a write, pipe and wake-up included) and prints ``done``; the line
    ``go`` writes the real cache (the write the parent kills).
    """
    from zoom_pandas.cache import CachedReport, ReportCache
    from zoom_pandas.cache_policy import CachePolicy
    from zoom_pandas.client import ZoomClient
    from zoom_pandas.reports import MEETING_REPORT

    _, staged = CachedReport.load(Path(report_path))
    replay = _Replay(dataclasses.replace(staged, source="api"))
    uuid = replay.report.instance.meeting_uuid
    client = ZoomClient()
    policy = CachePolicy.for_mode(True if mode == "new" else "refresh", MEETING_REPORT, client)
    beside = Path(os.environ["ZOOM_PANDAS_CACHE_DIR"]).parent
    with tempfile.TemporaryDirectory(dir=beside, prefix="scratch-") as scratch:
        rehearsal = dataclasses.replace(policy, store=ReportCache(api_url=client.api_url, root=scratch))
        rehearsal.report(uuid, replay)  # type: ignore[arg-type]  # the lazy set-up, untimed
        print("ready", flush=True)
        while sys.stdin.readline().strip() == "rehearse":
            if mode == "new":
                rehearsal.store.clear(meeting_uuid=uuid)
            rehearsal.report(uuid, replay)  # type: ignore[arg-type]
            print("done", flush=True)
    policy.report(uuid, replay)  # type: ignore[arg-type]
    print("done", flush=True)
    return 0


def run_plan(plan: Any, client: Any, expected: dict[str, Any]) -> dict[str, Any]:
    """Read each (ref, cache mode) of ``plan``; count reads, frames unlike ``expected`` and errors."""
    import zoom_pandas as zp

    summary: dict[str, Any] = {"reads": 0, "mismatches": [], "errors": []}
    for ref, mode in plan:
        try:
            frame = zp.read_participants(ref, cache=mode, client=client)
        except BaseException:
            summary["errors"].append(f"{ref!r} cache={mode!r}: {traceback.format_exc(limit=3)}")
            continue
        summary["reads"] += 1
        if not same_frame(frame, expected[str(ref)]):
            summary["mismatches"].append(f"{ref!r} cache={mode!r}")
    return summary


def _read(expected_path: str, plan_path: str) -> int:
    """Run a plan of reads (ref, cache mode) against the sandbox; print a JSON summary."""
    import zoom_pandas as zp

    expected = pickle.loads(Path(expected_path).read_bytes())
    plan = json.loads(Path(plan_path).read_text())
    client = zp.ZoomClient()
    warnings.simplefilter("error")  # as pytest's filterwarnings = error
    print("ready", flush=True)
    sys.stdin.readline()
    summary = run_plan(plan, client, expected)
    client.close()
    print(json.dumps(summary), flush=True)
    return 0


def main(argv: list[str]) -> int:
    """Dispatch ``write`` or ``read``."""
    role, *args = argv
    if role == "write":
        return _write(*args)
    if role == "read":
        return _read(*args)
    raise SystemExit(f"unknown role {role!r}")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
