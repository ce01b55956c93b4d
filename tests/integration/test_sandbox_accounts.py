"""The sandbox as a Zoom account under load: per-label rate limits, the daily cap, users, a term, bulk.

Plain ``requests`` over real HTTP, so these tests pin what the sandbox answers, not what the
client makes of it. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
import requests

from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.sandbox.limits import route_label

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. Refer to the response header for "
    "details on when you can make another request."
)


def bearer(sandbox: Sandbox) -> dict[str, str]:
    """A fresh Server-to-Server access token as an Authorization header."""
    creds = sandbox.credentials
    answer = requests.post(
        f"{sandbox.oauth_url}/token",
        data={"grant_type": "account_credentials", "account_id": creds.account_id},
        auth=(creds.client_id, creds.client_secret),
        timeout=10,
    )
    answer.raise_for_status()
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def get(sandbox: Sandbox, path: str, auth: dict[str, str], **params: Any) -> requests.Response:
    return requests.get(f"{sandbox.api_url}{path}", headers=auth, params=params, timeout=10)


HEAVY = f"/report/meetings/{SandboxData.TEAM_SYNC}/participants"
LIGHT = "/users/me"
MEDIUM = f"/past_meetings/{SandboxData.TEAM_SYNC}/instances"


def first_refused(sandbox: Sandbox, path: str, auth: dict[str, str], most: int = 10) -> requests.Response:
    """Send ``path`` until a 429 (at most ``most`` times, within 5 s); return that answer."""
    deadline = time.monotonic() + 5
    for _ in range(most):
        answer = get(sandbox, path, auth)
        if answer.status_code == 429 or time.monotonic() > deadline:
            return answer
        assert answer.status_code == 200
    raise AssertionError(f"no 429 after {most} requests to {path}")


def test_an_empty_label_bucket_answers_zoom_s_qps_429_while_other_labels_pass() -> None:
    with Sandbox(rate_limits="free") as sandbox:
        auth = bearer(sandbox)
        assert get(sandbox, HEAVY, auth).status_code == 200
        refused = get(sandbox, HEAVY, auth)  # Heavy on Free: 1 a second, the bucket holds one
        assert refused.status_code == 429
        assert refused.json() == {"code": 429, "message": QPS_MESSAGE}
        assert refused.headers["X-RateLimit-Category"] == "Heavy"
        assert refused.headers["X-RateLimit-Type"] == "QPS"
        assert refused.headers["X-RateLimit-Limit"] == "1"
        assert refused.headers["X-RateLimit-Remaining"] == "0"
        assert refused.headers["Retry-After"] == "1"
        assert get(sandbox, LIGHT, auth).status_code == 200  # Light and Medium have their own buckets
        assert get(sandbox, MEDIUM, auth).status_code == 200
        medium = first_refused(sandbox, MEDIUM, auth)  # Medium on Free: 2 a second
        assert medium.status_code == 429 and medium.headers["X-RateLimit-Category"] == "Medium"
        assert medium.headers["X-RateLimit-Limit"] == "2"
        time.sleep(float(refused.headers["Retry-After"]) + 0.05)
        assert get(sandbox, HEAVY, auth).status_code == 200  # Retry-After was long enough
        counts = sandbox.counts()
        assert counts["Heavy"] == 3 and counts["Light"] == 1 and counts["Medium"] >= 3
        assert counts["429"] == 2
        refusals = [r for r in sandbox.requests if r.throttled]
        assert [(r.label, r.limit_type) for r in refusals] == [("Heavy", "QPS"), ("Medium", "QPS")]


def test_limits_are_counted_account_wide_over_every_token() -> None:
    with Sandbox(rate_limits={"Heavy": 2}) as sandbox:
        first, second = bearer(sandbox), bearer(sandbox)
        assert get(sandbox, HEAVY, first).status_code == 200
        today = dt.datetime.now(dt.timezone.utc).date()
        window = {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
        assert get(sandbox, "/report/users/me/meetings", second, **window).status_code == 200
        refused = get(sandbox, f"/report/webinars/{SandboxData.BIG_WEBINAR}", first)
        assert refused.status_code == 429 and refused.headers["X-RateLimit-Limit"] == "2"
        for _ in range(20):  # Light and Medium are not limited in this mapping
            assert get(sandbox, LIGHT, second).status_code == 200


def test_plans_follow_zoom_s_table() -> None:
    with Sandbox(rate_limits="business") as sandbox:
        assert {label: b.rate for label, b in sandbox.limits.buckets.items()} == {
            "Light": 80,
            "Medium": 60,
            "Heavy": 40,
        }
        auth = bearer(sandbox)
        refused = first_refused(sandbox, HEAVY, auth, most=60)
        assert refused.status_code == 429 and refused.headers["X-RateLimit-Limit"] == "40"
        assert sum(1 for r in sandbox.requests if r.label == "Heavy" and r.status == 200) >= 40
    with Sandbox(rate_limits="pro") as sandbox:
        assert sandbox.limits.describe() == "Light 30/s, Medium 20/s, Heavy 10/s"
    for wrong in ("enterprise-plus", {"Huge": 3}, {"Heavy": 0}, {"Heavy": "10"}):
        with pytest.raises(ValueError, match=r"plan|label|Heavy"):
            Sandbox(rate_limits=wrong)  # type: ignore[arg-type]


def next_midnights() -> set[str]:
    """Tomorrow 00:00 UTC as Zoom writes it (both sides of a midnight the test may straddle)."""
    now = dt.datetime.now(dt.timezone.utc)
    days = {(now + dt.timedelta(days=1)).date(), (now + dt.timedelta(days=1, minutes=1)).date()}
    return {f"{day.isoformat()}T00:00:00Z" for day in days}


def test_the_daily_heavy_cap_answers_daily_limit_429_until_midnight_utc() -> None:
    with Sandbox(daily_limit=3) as sandbox:
        auth = bearer(sandbox)
        heavy = [
            HEAVY,
            f"/report/webinars/{SandboxData.BIG_WEBINAR}",
            f"/report/webinars/{SandboxData.WEBINAR_SERIES}/participants",
        ]
        assert [get(sandbox, path, auth).status_code for path in heavy] == [200, 200, 200]
        for path in (HEAVY, "/report/users/me/meetings"):
            refused = get(sandbox, path, auth)
            assert refused.status_code == 429
            assert refused.json() == {"code": 429, "message": DAILY_MESSAGE}
            assert refused.headers["X-RateLimit-Category"] == "Heavy"
            assert refused.headers["X-RateLimit-Type"] == "Daily-limit"
            assert refused.headers["X-RateLimit-Limit"] == "3"
            assert refused.headers["X-RateLimit-Remaining"] == "0"
            assert refused.headers["Retry-After"] in next_midnights()
        assert get(sandbox, LIGHT, auth).status_code == 200  # the daily cap is the Heavy label's
        assert get(sandbox, MEDIUM, auth).status_code == 200
        assert sandbox.limits.daily_used == 3
        assert [r.limit_type for r in sandbox.requests if r.throttled] == ["Daily-limit"] * 2


def test_a_qps_refusal_does_not_count_against_the_daily_cap() -> None:
    with Sandbox(rate_limits={"Heavy": 1}, daily_limit=2) as sandbox:
        auth = bearer(sandbox)
        assert get(sandbox, HEAVY, auth).status_code == 200
        refused = get(sandbox, HEAVY, auth)
        assert refused.headers["X-RateLimit-Type"] == "QPS"
        time.sleep(float(refused.headers["Retry-After"]) + 0.05)
        assert get(sandbox, HEAVY, auth).status_code == 200  # the QPS refusal was not counted
        last = get(sandbox, HEAVY, auth)  # the cap is checked first: no per-second token needed
        assert last.status_code == 429 and last.headers["X-RateLimit-Type"] == "Daily-limit"
        assert sandbox.limits.daily_used == 2


def test_requests_without_a_valid_token_count_against_no_limit() -> None:
    with Sandbox(rate_limits="free", daily_limit=1) as sandbox:
        for _ in range(3):
            assert get(sandbox, HEAVY, {"Authorization": "Bearer nope"}).status_code == 401
        assert get(sandbox, HEAVY, bearer(sandbox)).status_code == 200
        assert sandbox.counts()["Heavy"] == 4 and sandbox.limits.daily_used == 1


def test_the_overall_rate_limit_still_limits_every_route_together() -> None:
    with Sandbox(rate_limit=3) as sandbox:
        auth = bearer(sandbox)
        answers = [get(sandbox, path, auth) for path in (LIGHT, MEDIUM, HEAVY, LIGHT)]
        assert [a.status_code for a in answers[:3]] == [200, 200, 200]
        assert answers[3].status_code == 429 and answers[3].headers["X-RateLimit-Type"] == "QPS"
        assert "Retry-After" not in answers[3].headers


def test_every_served_route_has_zoom_s_label() -> None:
    labels = {
        "/v2/users": "Medium",
        "/v2/users/me": "Light",
        "/v2/past_meetings/1": "Light",
        "/v2/past_meetings/1/instances": "Medium",
        "/v2/past_meetings/1/participants": "Medium",
        "/v2/past_webinars/1/instances": "Light",
        "/v2/report/users/me/meetings": "Heavy",
        "/v2/report/meetings/1/participants": "Heavy",
        "/v2/report/webinars/1": "Heavy",
        "/v2/report/webinars/1/participants": "Heavy",
        "/oauth/token": None,
        "/v2/report": None,
        "/v2/users//meetings": None,
    }
    assert {path: route_label(path) for path in labels} == labels


def list_users(sandbox: Sandbox, auth: dict[str, str], **params: Any) -> tuple[list[dict[str, Any]], int]:
    """Every page of ``GET /users`` (at most 20 pages); the users and the number of pages."""
    users: list[dict[str, Any]] = []
    token = ""
    for pages in range(1, 21):
        answer = get(sandbox, "/users", auth, **params, **({"next_page_token": token} if token else {}))
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["total_records"] >= len(users) + len(body["users"])
        users += body["users"]
        token = body["next_page_token"]
        if not token:
            return users, pages
    raise AssertionError("GET /users did not end within 20 pages")


def test_list_users_pages_with_next_page_tokens(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    active = [u for u in sandbox.data.users if u.status == "active"]
    everyone, pages = list_users(sandbox, auth, page_size=3)
    assert pages == -(-len(active) // 3) and pages >= 2
    assert [u["email"] for u in everyone] == [u.email for u in active]
    assert [u["id"] for u in everyone] == [u.id for u in active]
    default = get(sandbox, "/users", auth).json()
    assert default["page_size"] == 30 and default["page_number"] == 1
    assert default["total_records"] == len(active) and default["page_count"] == 1
    assert get(sandbox, "/users", auth, page_size=1000).json()["page_size"] == 300
    first = get(sandbox, "/users", auth, page_size=1).json()
    assert first["page_count"] == len(active) and first["next_page_token"]
    second = get(sandbox, "/users", auth, page_size=1, next_page_token=first["next_page_token"]).json()
    assert second["page_number"] == 2 and second["users"][0]["email"] == active[1].email
    other = get(sandbox, "/users", auth, status="inactive", next_page_token=first["next_page_token"])
    assert other.status_code == 400 and other.json()["code"] == 300  # a token belongs to its listing
    wrong = get(sandbox, "/users", auth, status="everyone")
    assert wrong.status_code == 400 and wrong.json()["code"] == 300


def test_list_users_needs_a_user_read_scope() -> None:
    with Sandbox(scopes="report:read:admin meeting:read:admin") as narrow:
        refused = get(narrow, "/users", bearer(narrow))
        assert refused.status_code == 400 and refused.json()["code"] == 4711
    with Sandbox(scopes="user:read:list_users:admin") as granular:
        assert get(granular, "/users", bearer(granular)).status_code == 200
