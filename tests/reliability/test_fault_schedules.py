"""Randomized fault schedules: any mix of network and server faults ends in the right frame or a typed error.

Each example picks a sandbox meeting (0 to 2,332 rows, 1 to 8 pages), sandbox fault switches, and a
schedule of proxy faults (one per request, token request included: every example uses a new
client), then reads the meeting through :class:`~tests.reliability.fault_proxy.FaultProxy` with
``cache=True`` into a fresh cache folder. It must end, within :data:`HANG_SECONDS`, in either

- a frame equal to the fault-free frame (attrs compared too, except ``fetched_at`` and ``source``;
  with an ``IncompleteReportWarning`` the rows alone must be equal), or
- a :class:`zoom_pandas.ZoomPandasError`;

and the cache afterwards must hold the fault-free frame (after a success) or nothing but it (after
an error: ``cache="offline"`` gives ``CacheMiss`` or the fault-free frame).

The sandbox has no meeting report of exactly 3,000 rows (its largest meeting below that is the
all-hands, 2,332 rows; the next is the 20,000-row conference), so the meetings below span 0..2,332.
The tally is printed at the end of the module (``pytest -s`` shows it). With
``ZOOM_PANDAS_FAULT_SURVEY=1`` every failure is counted and the run goes on to the end (the test
still fails), to see every kind of failure at once; the default stops at the first, unshrunk (a
hang costs HANG_SECONDS per shrinking step).
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import os
import re
import tempfile
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import zoom_pandas as zp
from tests.reliability.fault_proxy import KINDS, Fault, FaultProxy
from zoom_pandas.sandbox import Sandbox, SandboxData

pytestmark = [pytest.mark.reliability, pytest.mark.integration]

#: Examples in the default run (``ZOOM_PANDAS_FAULT_EXAMPLES`` overrides it) and with ``--soak``.
CI_EXAMPLES = int(os.environ.get("ZOOM_PANDAS_FAULT_EXAMPLES", "300"))
SOAK_EXAMPLES = 5_000
#: A read that has not ended after this long counts as a hang.
HANG_SECONDS = 20.0
#: Short waits so faults cost milliseconds; no fault is skipped to save time.
TIMEOUT = 0.5
RETRY = zp.RetryPolicy(
    max_attempts=4, backoff_base=0.002, backoff_cap=0.01, max_rate_limit_waits=4, max_retry_after=0.5
)
#: Sandbox counters whose use is tallied (initial value minus what is left after the read).
COUNTERS = (
    "qps_limited",
    "server_errors",
    "resets",
    "stalls",
    "invalid_tokens",
    "expired_page_tokens",
    "html_errors",
)

#: ``ZOOM_PANDAS_FAULT_SURVEY=1``: count every failure and go on (the test fails at the end), to see
#: every kind of failure in one run instead of the first one.
SURVEY = os.environ.get("ZOOM_PANDAS_FAULT_SURVEY") == "1"

#: Module-level tally, printed at the end of the module.
TALLY: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
#: What fails an example (each is counted in ``TALLY["failures"]``; all must stay 0).
FAILURE_KINDS = ("hangs", "untyped exceptions", "wrong frames", "unexpected warnings", "bad cache")
#: Survey mode: the first messages of each kind of failure.
FIRST_FAILURES: list[str] = []


@dataclasses.dataclass(frozen=True)
class Target:
    """A meeting to read: its number, and an instance index to read by UUID (None: by number)."""

    label: str
    number: int
    instance: int | None = None


TARGETS = [
    Target("empty room", SandboxData.EMPTY_ROOM),
    Target("1:1", SandboxData.ONE_ON_ONE),
    Target("just ended (provisional)", SandboxData.JUST_ENDED),
    Target("team sync", SandboxData.TEAM_SYNC),
    Target("team sync, uuid starting with '/'", SandboxData.TEAM_SYNC, 1),
    Target("team sync, uuid with '//'", SandboxData.TEAM_SYNC, 3),
    Target("lecture", SandboxData.LECTURE),
    Target("lecture, by uuid", SandboxData.LECTURE, 0),
    Target("all-hands (8 pages)", SandboxData.ALL_HANDS),
]

_fraction = st.floats(0.0, 1.0, exclude_max=True)
_status_line = st.one_of(
    st.integers(100, 999).map(lambda code: b"HTTP/1.1 %d Whatever" % code),
    st.sampled_from(
        [b"HTTP/1.1 200", b"HTTP/1.0 200 OK", b"HTTP/1.1 abc OK", b"HTTP/2 200", b"ICY 200 OK", b"", b"\x00"]
    ),
)
_pass = st.just(Fault())
#: One proxy fault; "pass" is drawn more often so that schedules also leave requests alone.
proxy_faults = st.one_of(
    _pass,
    _pass,
    _pass,
    _pass,
    st.builds(Fault, kind=st.just("delay"), seconds=st.floats(0.0, 0.3)),
    st.builds(Fault, kind=st.just("drip"), count=st.integers(2, 12), seconds=st.floats(0.0, 0.03)),
    st.builds(Fault, kind=st.just("cut"), fraction=_fraction),
    st.builds(Fault, kind=st.just("hold"), fraction=_fraction),
    st.builds(Fault, kind=st.just("short"), fraction=_fraction),
    st.builds(Fault, kind=st.just("garbage"), count=st.integers(1, 2_000)),
    st.just(Fault("html")),
    st.just(Fault("empty")),
    st.builds(
        Fault,
        kind=st.just("status"),
        status_line=_status_line,
        body=st.sampled_from([None, b"", b"{}", b"[]", b"null", b'{"code":124,"message":"Invalid"}']),
    ),
)
#: Sandbox fault switches (``Sandbox.inject`` keywords).
sandbox_switches = st.lists(
    st.one_of(
        st.tuples(st.just("qps_limited"), st.integers(1, 3)),
        st.tuples(st.just("retry_after"), st.sampled_from(["0", "0.01", "1970-01-01T00:00:00Z"])),
        st.tuples(st.just("server_errors"), st.integers(1, 5)),
        st.tuples(st.just("resets"), st.integers(1, 5)),
        st.tuples(st.just("stalls"), st.integers(1, 2)),
        st.tuples(st.just("stall_seconds"), st.sampled_from([0.05, 0.8])),
        st.tuples(st.just("invalid_tokens"), st.integers(1, 2)),
        st.tuples(st.just("expired_page_tokens"), st.integers(1, 2)),
        st.tuples(st.just("html_errors"), st.integers(1, 2)),
        st.tuples(st.just("total_records_delta"), st.integers(-400, 400)),
        st.tuples(st.just("repeat_page_token"), st.just(True)),
        st.tuples(st.just("daily_limited"), st.just(True)),
    ),
    max_size=4,
).map(dict)


@dataclasses.dataclass(frozen=True)
class Case:
    """One example: what to read, the sandbox's switches (for one meeting or all), the proxy's schedule."""

    target: Target
    scope: str
    switches: dict[str, Any]
    schedule: list[Fault]


cases = st.builds(
    Case,
    target=st.sampled_from(TARGETS),
    scope=st.sampled_from(["meeting", "all"]),
    switches=sandbox_switches,
    # 0 to 2 requests pass before the drawn faults start, so they land on later pages more often.
    schedule=st.tuples(st.integers(0, 2), st.lists(proxy_faults, max_size=12)).map(
        lambda drawn: [Fault()] * drawn[0] + drawn[1]
    ),
)


@dataclasses.dataclass
class Outcome:
    """How one bounded read ended."""

    frame: pd.DataFrame | None = None
    error: BaseException | None = None
    caught: list[warnings.WarningMessage] = dataclasses.field(default_factory=list)
    hung: bool = False
    thread: threading.Thread | None = None


class Rig:
    """One sandbox and one proxy for the whole module, and the fault-free frame of each target."""

    def __init__(self, sandbox: Sandbox, proxy: FaultProxy) -> None:
        self.sandbox, self.proxy = sandbox, proxy
        self._expected: dict[Target, pd.DataFrame] = {}

    def ref(self, target: Target) -> int | str:
        """The meeting number, or the instance UUID."""
        if target.instance is None:
            return target.number
        return self.sandbox.data.meetings[target.number].instances[target.instance].uuid

    def expected(self, target: Target) -> pd.DataFrame:
        """The fault-free frame, read once straight from the sandbox without the cache."""
        if target not in self._expected:
            self.sandbox.clear_faults()
            with self.sandbox.client(retry=RETRY) as direct:
                self._expected[target] = zp.read_participants(self.ref(target), client=direct, cache=False)
            TALLY["rows per target"][target.label] = len(self._expected[target])
        return self._expected[target]

    def client(self) -> zp.ZoomClient:
        """A new client (so each example fetches a token) that goes through the proxy."""
        credentials = self.sandbox.credentials
        return zp.ZoomClient(
            account_id=credentials.account_id,
            client_id=credentials.client_id,
            client_secret=credentials.client_secret,
            api_url=f"{self.proxy.url}/v2",
            oauth_url=f"{self.proxy.url}/oauth",
            retry=RETRY,
            timeout=TIMEOUT,
        )


@pytest.fixture(scope="module")
def rig() -> Iterator[Rig]:
    """The sandbox and the proxy in front of it; prints the tally when the module ends."""
    for kind in FAILURE_KINDS:
        TALLY["failures"][kind] += 0  # printed even when none happened
    with Sandbox() as sandbox, FaultProxy(sandbox.url) as proxy:
        yield Rig(sandbox, proxy)
    print_tally()


def print_tally() -> None:
    """Print the module's figures (shown with ``pytest -s``)."""
    print("\n== fault schedules ==")
    for name, counter in sorted(TALLY.items()):
        listed = ", ".join(f"{key}={value}" for key, value in sorted(counter.items()))
        print(f"{name}: {listed or '-'}")
    for message in FIRST_FAILURES:
        print(f"-- {message if len(message) < 4000 else message[:1500] + ' [...] ' + message[-2500:]}")


@contextlib.contextmanager
def cache_folder() -> Iterator[str]:
    """A fresh temporary cache folder as ``ZOOM_PANDAS_CACHE_DIR`` (restored afterwards)."""
    before = os.environ.get("ZOOM_PANDAS_CACHE_DIR")
    with tempfile.TemporaryDirectory(prefix="zp-faults-") as folder:
        os.environ["ZOOM_PANDAS_CACHE_DIR"] = folder
        try:
            yield folder
        finally:
            if before is None:
                os.environ.pop("ZOOM_PANDAS_CACHE_DIR", None)
            else:
                os.environ["ZOOM_PANDAS_CACHE_DIR"] = before


def bounded(read: Callable[[], pd.DataFrame]) -> Outcome:
    """Run ``read`` in a daemon thread, recording its warnings; give up waiting after HANG_SECONDS."""
    outcome = Outcome()

    def work() -> None:
        try:
            outcome.frame = read()
        except BaseException as exc:  # every exception is classified by the caller
            outcome.error = exc

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        thread = threading.Thread(target=work, name="fault-schedule-read", daemon=True)
        thread.start()
        thread.join(HANG_SECONDS)
    outcome.hung, outcome.thread = thread.is_alive(), thread
    outcome.caught = list(caught)
    return outcome


def plain_attrs(frame: pd.DataFrame) -> dict[str, Any]:
    """The attrs without ``fetched_at`` and ``source`` (at the top and in each ``meetings`` entry)."""
    drop = {"fetched_at", "source"}
    attrs = {k: v for k, v in frame.attrs.items() if k not in drop and k != "meetings"}
    meetings = frame.attrs.get("meetings", [])
    attrs["meetings"] = [{k: v for k, v in m.items() if k not in drop} for m in meetings]
    return attrs


def difference(frame: pd.DataFrame, expected: pd.DataFrame, *, rows_only: bool) -> str | None:
    """Why ``frame`` differs from ``expected`` (None when equal)."""
    try:
        pd.testing.assert_frame_equal(frame, expected, check_flags=True)
    except AssertionError as exc:
        return f"rows differ: {exc}"
    if not rows_only and plain_attrs(frame) != plain_attrs(expected):
        return f"attrs differ: {plain_attrs(frame)} != {plain_attrs(expected)}"
    return None


def describe(outcome: Outcome) -> str:
    """The error's traceback, or the frame's size."""
    if outcome.error is not None:
        return "".join(traceback.format_exception(outcome.error))
    return f"a frame of {len(outcome.frame) if outcome.frame is not None else '?'} rows"


def fail(kind: str, message: str) -> str:
    """Count a failure; fail the example, or (survey mode) keep its first messages and go on."""
    TALLY["failures"][kind] += 1
    if not SURVEY:
        pytest.fail(message)
    if TALLY["failures"][kind] <= 5:
        FIRST_FAILURES.append(message)
    return f"failure: {kind}"


def _gist(error: BaseException) -> str:
    """An error message without its numbers and quoted parts, to count errors by kind."""
    return re.sub(r"GET \S+|'[^']*'|\d+", "#", str(error))[:70]


def judge(outcome: Outcome, expected: pd.DataFrame, what: str, *, rows_only: bool = False) -> str:
    """Classify a read: "equal...", a typed error's class name, or a failure (see :func:`fail`).

    ``rows_only``: compare the rows but not the attrs (a copy cached after an IncompleteReportWarning).
    """
    for caught in outcome.caught:
        TALLY["warnings"][caught.category.__name__] += 1
    if outcome.hung:
        return fail("hangs", f"{what}: no answer after {HANG_SECONDS} s (a hang)")
    if outcome.error is not None:
        if not isinstance(outcome.error, zp.ZoomPandasError):
            TALLY["untyped exceptions by class"][type(outcome.error).__name__] += 1
            return fail("untyped exceptions", f"{what}: an exception outside the tree:\n{describe(outcome)}")
        TALLY["typed error messages"][f"{type(outcome.error).__name__}: {_gist(outcome.error)}"] += 1
        return type(outcome.error).__name__
    assert outcome.frame is not None
    incomplete = any(issubclass(w.category, zp.IncompleteReportWarning) for w in outcome.caught)
    others = [w for w in outcome.caught if not issubclass(w.category, zp.IncompleteReportWarning)]
    if others:
        return fail("unexpected warnings", f"{what}: unexpected warnings {[str(w.message) for w in others]}")
    wrong = difference(outcome.frame, expected, rows_only=rows_only or incomplete)
    if wrong:
        return fail("wrong frames", f"{what}: a frame that is not the fault-free frame ({wrong})")
    return "equal (incomplete warned)" if incomplete else "equal"


def run_case(rig: Rig, case: Case) -> None:
    """Read once through the faults, then check what the cache holds."""
    expected = rig.expected(case.target)
    ref = rig.ref(case.target)
    switches = {"stall_seconds": 0.8, **case.switches}
    if "total_records_delta" in switches:  # Zoom never announces a negative total
        switches["total_records_delta"] = max(switches["total_records_delta"], -len(expected))
    live = rig.sandbox.inject(case.target.number if case.scope == "meeting" else None, **switches)
    rig.proxy.schedule(case.schedule)
    applied_before = collections.Counter(rig.proxy.applied)
    TALLY["outcomes"]["examples"] += 1
    TALLY["examples per target"][case.target.label] += 1
    client = rig.client()
    try:
        with cache_folder():
            online = bounded(lambda: zp.read_participants(ref, client=client, cache=True))
            rig.proxy.schedule([])
            rig.sandbox.clear_faults()
            for name in COUNTERS:
                TALLY["sandbox faults fired"][name] += int(switches.get(name, 0)) - int(getattr(live, name))
            for name in ("daily_limited", "repeat_page_token", "total_records_delta"):
                TALLY["sandbox faults armed"][name] += bool(switches.get(name))
            applied = rig.proxy.applied - applied_before
            for kind in KINDS:
                TALLY["proxy faults applied"][kind] += applied[kind]
            verdict = judge(online, expected, f"read of {ref!r} in {case}")
            if verdict.startswith("equal"):
                TALLY["outcomes"][f"frames {verdict}"] += 1
            elif not verdict.startswith("failure"):
                TALLY["typed errors by class"][verdict] += 1
            if online.hung and online.thread is not None:
                online.thread.join(HANG_SECONDS * 6)  # survey mode: let it end before the next example
            offline = bounded(lambda: zp.read_participants(ref, client=client, cache="offline"))
            if online.error is not None and isinstance(offline.error, zp.CacheMiss):
                return
            online_incomplete = any(issubclass(w.category, zp.IncompleteReportWarning) for w in online.caught)
            what = f"offline read of {ref!r} after {verdict} in {case}"
            cached = judge(offline, expected, what, rows_only=online_incomplete)
            if not cached.startswith(("equal", "failure")):
                fail("bad cache", f"{what}: {describe(offline)}")
    finally:
        client.close()


def test_fault_schedules_end_in_the_fault_free_frame_or_a_typed_error(rig: Rig, soak: bool) -> None:
    """Hypothesis draws meetings, sandbox switches and proxy schedules (300 in CI, 5,000 with --soak)."""

    @settings(
        max_examples=SOAK_EXAMPLES if soak else CI_EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        phases=[Phase.explicit, Phase.generate],  # no shrinking: a hang costs HANG_SECONDS a try
    )
    @given(case=cases)
    def example(case: Case) -> None:
        run_case(rig, case)

    started = time.monotonic()
    try:
        example()
    finally:
        TALLY["seconds"]["examples"] += round(time.monotonic() - started)
    assert sum(TALLY["failures"].values()) == 0, "\n\n".join(FIRST_FAILURES)
