"""The per-label rate limiter (on a fake clock) and what readers accept as many refs (no network)."""

from __future__ import annotations

import datetime as dt
import threading

import numpy as np
import pandas as pd
import pytest

import zoom_pandas as zp
from zoom_pandas.ratelimit import HEADROOM, PLANS, DailyLimitReached, RateLimiter, limits_for
from zoom_pandas.refs import wanted_of


class FakeClock:
    """A monotonic clock that only moves when someone sleeps on it."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.lock = threading.Lock()

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0


def limiter_on(clock: FakeClock, plan: str = "pro") -> tuple[RateLimiter, list[float]]:
    """A limiter whose sleeps are recorded as the start times they wait for."""
    limiter = RateLimiter(limits_for(plan))
    starts: list[float] = []
    limiter.clock = clock
    limiter.sleep = lambda seconds: starts.append(clock.now + seconds)
    return limiter, starts


def test_plans_match_zoom_table() -> None:
    assert limits_for("pro") == {"Light": 30.0, "Medium": 20.0, "Heavy": 10.0}
    assert limits_for("BUSINESS") == PLANS["business"]
    assert limits_for(40) == {"Light": 120.0, "Medium": 80.0, "Heavy": 40.0}
    assert limits_for(None) is None


@pytest.mark.parametrize("bad", ["enterprise", 0, -1, float("nan"), float("inf"), True, "10", 1e9])
def test_bad_rate_limits_are_refused(bad: object) -> None:
    with pytest.raises(ValueError, match="rate_limit"):
        limits_for(bad)
    with pytest.raises(ValueError, match="rate_limit"):
        zp.ZoomClient(account_id="a", client_id="b", client_secret="c", rate_limit=bad)  # type: ignore[arg-type]


def test_requests_per_second_is_deprecated_and_still_paces_every_request_alike() -> None:
    with pytest.warns(FutureWarning, match="rate_limit"):
        client = zp.ZoomClient(account_id="a", client_id="b", client_secret="c", requests_per_second=10)
    clock = FakeClock()
    limiter, starts = client.limiter, []
    limiter.clock = clock
    limiter.sleep = lambda seconds: starts.append(clock.now + seconds)
    for label in ["Heavy", "Light", "Medium", "Light"]:
        limiter.acquire(label)
    assert limiter.shared and len(starts) == 3  # one pace over every label, as before
    with pytest.raises(ValueError, match="rate_limit"), pytest.warns(FutureWarning):
        zp.ZoomClient(account_id="a", client_id="b", client_secret="c", requests_per_second=0)


def in_any_second(times: list[float]) -> int:
    """The most request starts inside any window of one second."""
    ordered = np.sort(np.array(times))
    return int(max(np.searchsorted(ordered, t + 1.0 - 1e-12) - k for k, t in enumerate(ordered)))


def test_heavy_requests_are_paced_evenly_below_the_limit() -> None:
    clock = FakeClock()
    limiter, starts = limiter_on(clock)
    for _ in range(40):
        limiter.acquire("Heavy")
    assert len(starts) == 39  # the first starts at once, each other one waits its turn
    gaps = np.diff([clock.now, *starts])
    assert gaps == pytest.approx([1 / (10 * HEADROOM)] * len(gaps))
    arrivals = [clock.now, *starts]
    # Under Zoom's 10 a second however it counts: no second holds more than 10 starts (a sliding
    # window, or whole seconds) ...
    assert in_any_second(arrivals) <= 10
    # ... and a bucket of 10 (refilled 10 a second) never runs dry, even when every other request
    # arrives 50 ms late or early.
    for jitter in (0.0, 0.05, -0.05):
        tokens, last = 10.0, arrivals[0]
        for index, arrival in enumerate(arrivals):
            at = arrival + (jitter if index % 2 else 0.0)
            tokens = min(10.0, tokens + max(0.0, at - last) * 10)
            last = max(last, at)
            assert tokens >= 1.0 - 1e-9, f"request {index} would be refused"
            tokens -= 1


def test_labels_are_paced_on_their_own() -> None:
    clock = FakeClock()
    limiter, starts = limiter_on(clock)
    limiter.acquire("Heavy")
    limiter.acquire("Light")  # a Light call never waits for the Heavy budget
    limiter.acquire("Medium")
    assert starts == []
    limiter.acquire("Heavy")
    assert starts == [pytest.approx(clock.now + 1 / (10 * HEADROOM))]


def test_threads_share_one_pace() -> None:
    clock = FakeClock()
    limiter, starts = limiter_on(clock, "free")
    threads = [
        threading.Thread(target=lambda: [limiter.acquire("Heavy") for _ in range(5)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    # 20 requests at Free's 1 Heavy/s: one at once, then 19 distinct slots about a second apart.
    assert len(starts) == 19 and len(set(starts)) == 19
    assert min(np.diff(sorted(starts))) == pytest.approx(1 / HEADROOM)


def next_reset() -> dt.datetime:
    tomorrow = dt.datetime.now(dt.timezone.utc).date() + dt.timedelta(days=1)
    return dt.datetime.combine(tomorrow, dt.time(0), tzinfo=dt.timezone.utc)


def test_a_daily_limit_stops_the_requests_label_and_zooms_category_until_reset() -> None:
    limiter = RateLimiter()
    now = dt.datetime.now(dt.timezone.utc)
    later = now + (next_reset() - now) / 2
    assert limiter.block(["Heavy", "light"], later) == later  # Zoom's header may come lower-case
    with pytest.raises(DailyLimitReached) as caught:
        limiter.acquire("Heavy")
    assert caught.value.until == later
    with pytest.raises(DailyLimitReached):
        limiter.acquire("Light")
    limiter.acquire("Medium")  # other labels go on
    limiter.block(["Heavy"], now + (later - now) / 2)
    assert limiter.blocked_until("Heavy") == later  # an earlier time never shortens a block


@pytest.mark.parametrize(
    "retry_after",
    [
        None,
        dt.datetime(9999, 12, 31, tzinfo=dt.timezone.utc),
        dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc),
    ],
    ids=["none", "year-9999", "past"],
)
def test_a_daily_block_ends_at_zooms_reset_whatever_retry_after_says(retry_after: dt.datetime | None) -> None:
    limiter = RateLimiter()
    assert limiter.block(["Heavy", ""], retry_after) == next_reset()
    assert limiter.blocked_until("Heavy") == next_reset()


def test_pool_size_keeps_the_heavy_budget_busy() -> None:
    assert RateLimiter().concurrency() == 8
    assert RateLimiter(limits_for("pro")).concurrency() == 8  # 10/s x 0.75 s
    assert RateLimiter(limits_for("business")).concurrency() == 30
    assert RateLimiter(limits_for("free")).concurrency() == 2


# -- refs -----------------------------------------------------------------------------------------


def test_one_ref_is_not_many() -> None:
    assert wanted_of(85746065432, webinar=False) is None
    assert wanted_of("857 4606 5432", webinar=False) is None


@pytest.mark.parametrize(
    "many",
    [
        [85746065432, "857 4606 5432", "4444AAAiAAAAAiAiAiiAii=="],
        (85746065432, "857 4606 5432", "4444AAAiAAAAAiAiAiiAii=="),
        pd.Series([85746065432, "857 4606 5432", "4444AAAiAAAAAiAiAiiAii=="]),
    ],
)
def test_list_likes_keep_their_order(many: object) -> None:
    wanted = wanted_of(many, webinar=False)
    assert wanted is not None
    assert [w.ref for w in wanted] == [85746065432, 85746065432, "4444AAAiAAAAAiAiAiiAii=="]


def test_numpy_and_arrow_integers_are_numbers() -> None:
    wanted = wanted_of(pd.Series([85746065432], dtype="int64[pyarrow]"), webinar=False)
    assert wanted is not None and wanted[0].ref == 85746065432
    wanted = wanted_of(np.array([85746065432]), webinar=False)
    assert wanted is not None and wanted[0].ref == 85746065432


def test_bad_refs_name_their_position() -> None:
    with pytest.raises(ValueError, match=r"meetings\[1\]"):
        wanted_of([85746065432, "not a meeting"], webinar=False)
    with pytest.raises(ValueError, match="no order"):
        wanted_of({85746065432}, webinar=False)
    with pytest.raises(ValueError, match=r"meetings\[0\]"):
        zp.read_participants([-5])  # before any client is built


def test_a_frame_gives_its_instances_as_they_are() -> None:
    frame = pd.DataFrame(
        {
            "meeting_id": pd.array([85746065432, 91234567890], dtype="int64[pyarrow]"),
            "meeting_uuid": ["4444AAAiAAAAAiAiAiiAii==", None],
            "topic": ["Weekly team sync", "Lecture"],
            "start_time": pd.to_datetime(["2026-11-01T15:00:00Z", "2026-11-02T09:00:00Z"]),
            "end_time": [pd.Timestamp("2026-11-01T15:30:00Z"), pd.NaT],
            "type": [8, 8],
        }
    )
    wanted = wanted_of(frame, webinar=False)
    assert wanted is not None
    first, second = wanted
    assert first.ref == "4444AAAiAAAAAiAiAiiAii==" and first.instance is not None
    assert first.instance.topic == "Weekly team sync"
    assert first.instance.end_time == dt.datetime(2026, 11, 1, 15, 30, tzinfo=dt.timezone.utc)
    assert (
        second.problem is not None and "without an instance UUID" in second.problem
    )  # reported, not skipped


def test_frames_of_the_other_kind_are_refused() -> None:
    webinars = pd.DataFrame(
        {"meeting_id": [94455667788], "meeting_uuid": ["4444AAAiAAAAAiAiAiiAii=="], "type": [9]}
    )
    with pytest.raises(ValueError, match="read_webinar_participants"):
        wanted_of(webinars, webinar=False)
    assert wanted_of(webinars, webinar=True) is not None
    with pytest.raises(ValueError, match="meeting_id column"):
        wanted_of(pd.DataFrame({"id": [1]}), webinar=False)


@pytest.mark.parametrize("option", [{"instances": "every"}, {"errors": "ignore"}])
def test_bad_options_fail_before_any_request(option: dict[str, str]) -> None:
    with pytest.raises(ValueError, match=next(iter(option))):
        zp.read_participants([85746065432], **option)  # type: ignore[arg-type]
