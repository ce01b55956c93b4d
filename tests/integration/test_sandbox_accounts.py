"""The sandbox as a Zoom account under load: per-label rate limits, the daily cap, users, a term, bulk.

Plain ``requests`` over real HTTP, so these tests pin what the sandbox answers, not what the
client makes of it. Every loop is bounded in count and in time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

import pytest
import requests

import zoom_pandas as zp
from tests.conftest import REPO
from tests.integration._sandbox_http import bearer, get
from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.sandbox.limits import route_label

QPS_MESSAGE = "You have reached the maximum per-second rate limit for this API. Try again later."
DAILY_MESSAGE = (
    "You have reached the maximum daily rate limit for this API. Refer to the response header for "
    "details on when you can make another request."
)


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
        refused = first_refused(sandbox, HEAVY, auth, most=200)
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


def test_list_users_by_status(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    active, _ = list_users(sandbox, auth, page_size=4)
    emails = [u["email"] for u in active]
    assert emails[:4] == ["owner@example.com", "teacher@example.com", "events@example.com", "hr@example.com"]
    assert {"ds.teacher@example.com", "math.teacher@example.com", "researcher@example.com"} <= set(emails)
    assert {"team.lead@example.com", "support.lead@example.com"} <= set(emails)
    assert len(emails) == len(set(emails)) == 10 and all(u["status"] == "active" for u in active)
    assert "former.teacher@example.com" not in emails and "new.hire@example.com" not in emails
    inactive, _ = list_users(sandbox, auth, status="inactive")
    assert [(u["email"], u["status"]) for u in inactive] == [("former.teacher@example.com", "inactive")]
    pending, _ = list_users(sandbox, auth, status="pending")
    assert [(u["email"], u["status"]) for u in pending] == [("new.hire@example.com", "pending")]
    assert "id" not in pending[0]  # Zoom lists pending users without an id
    teacher = get(sandbox, f"/users/{inactive[0]['id']}", auth).json()
    assert teacher["email"] == "former.teacher@example.com" and teacher["status"] == "inactive"


def month_windows(count: int) -> list[tuple[dt.date, dt.date]]:
    """Adjacent windows of 31 days (within Zoom's one month), newest first, ending today."""
    today = dt.datetime.now(dt.timezone.utc).date()
    ends = [today - dt.timedelta(days=31 * k) for k in range(count)]
    return [(end - dt.timedelta(days=30), end) for end in ends]


def reported(sandbox: Sandbox, auth: dict[str, str], user: str, windows: int) -> list[dict[str, Any]]:
    """Every meeting ``/report/users/{user}/meetings`` lists over ``windows`` month windows (5 a page)."""
    meetings: list[dict[str, Any]] = []
    for first, last in month_windows(windows):
        token = ""
        for _ in range(50):
            params = {"from": first.isoformat(), "to": last.isoformat(), "page_size": 5}
            answer = get(sandbox, f"/report/users/{user}/meetings", auth, **params, next_page_token=token)
            assert answer.status_code == 200, answer.text
            meetings += answer.json()["meetings"]
            token = answer.json()["next_page_token"]
            if not token:
                break
        else:
            raise AssertionError("the report did not end within 50 pages")
    return meetings


def test_the_course_has_14_weekly_sessions_listed_by_instances_and_by_the_report(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    course = sandbox.data.meetings[SandboxData.COURSE]
    assert course.topic == "Data Science 201 seminar" and course.host.email == "ds.teacher@example.com"
    listed = get(sandbox, f"/past_meetings/{SandboxData.COURSE}/instances", auth).json()["meetings"]
    starts = [dt.datetime.fromisoformat(m["start_time"].replace("Z", "+00:00")) for m in listed]
    assert len(listed) == 14 and len({m["uuid"] for m in listed}) == 14
    assert {later - earlier for earlier, later in itertools.pairwise(starts)} == {dt.timedelta(weeks=1)}
    today = dt.datetime.combine(sandbox.data.today, dt.time(), tzinfo=dt.timezone.utc)
    assert max(i.end_time for i in course.instances) <= today - dt.timedelta(days=1)
    assert min(starts) >= today - dt.timedelta(days=182)  # inside Zoom's six-month report reach
    # 14 weeks do not fit in two one-month windows: four adjacent ones cover the term.
    meetings = reported(sandbox, auth, "ds.teacher@example.com", windows=4)
    sessions = [m for m in meetings if m["id"] == SandboxData.COURSE]
    assert sorted(m["uuid"] for m in sessions) == sorted(m["uuid"] for m in listed)
    assert {m["topic"] for m in meetings} == {"Data Science 201 seminar", "Data Science 201 office hours"}
    assert all(25 <= m["participants_count"] - 1 <= 40 for m in sessions)  # students, host aside


def test_the_course_is_the_same_students_week_after_week_late_and_rejoining(sandbox: Sandbox) -> None:
    course = sandbox.data.meetings[SandboxData.COURSE]
    host = course.host.email
    weeks = [[r for r in i.rows() if r["user_email"] != host] for i in course.instances]
    enrolled = {r["participant_user_id"] for rows in weeks for r in rows if r["participant_user_id"]}
    assert len(enrolled) <= 38  # one roster, not new faces every week
    for instance, rows in zip(course.instances, weeks, strict=True):
        present = {r["participant_user_id"] for r in rows if r["participant_user_id"]}
        assert len(present) >= 25
        late = [r for r in rows if r["join_time"] > iso_after(instance.start_time, minutes=5)]
        assert late  # someone always comes late
    joins = [
        sum(1 for r in rows if r["participant_user_id"] == person) for rows in weeks for person in enrolled
    ]
    assert max(joins) >= 2  # rejoins are rows of their own
    assert any(r["user_email"] == "" for rows in weeks for r in rows)  # the odd guest


def iso_after(moment: dt.datetime, minutes: int) -> str:
    return (moment + dt.timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def test_the_report_lists_only_meetings_two_or_more_people_attended(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    meetings = reported(sandbox, auth, "researcher@example.com", windows=4)
    held = [m for m in sandbox.data.meetings.values() if m.host.email == "researcher@example.com"]
    alone = {i.uuid for m in held for i in m.instances if i.people < 2}
    assert alone and not alone & {m["uuid"] for m in meetings}  # a no-show interview is not listed
    assert len(meetings) == sum(1 for m in held for i in m.instances if i.people >= 2)


def test_the_term_keeps_the_account_a_test_size(sandbox: Sandbox) -> None:
    data = sandbox.data
    instances = [*data.instances.values(), *data.webinar_instances.values()]
    assert len(instances) < 400
    started = time.monotonic()
    assert sum(len(i.rows()) for i in instances) < 60_000
    assert time.monotonic() - started < 10
    newcomers = {u.email for u in data.users[4:]}
    today = dt.datetime.combine(data.today, dt.time(), tzinfo=dt.timezone.utc)
    for meeting in data.meetings.values():
        if meeting.host.email in newcomers:
            assert all(
                today - dt.timedelta(weeks=14) < i.start_time and i.end_time < today
                for i in meeting.instances
            )


#: What every meeting, webinar and first user was before the term existed: a hash over numbers,
#: topics, hosts, instance UUIDs, starts, lengths, seeds and every participant row, for seed 0 and
#: 2026-01-15 (computed with the sandbox of commit 02ff9f8, before this file's features).
BEFORE_THE_TERM = "0204260963352c3fc651387f25b2ccc20deb8e4d995dbed23e7db1b9d78902d3"
TEAM_SYNC_UUIDS = [
    "BEICeq8fqVt/hliVeN9D5A==",
    "/igzgRpxpyNzhiZIL2HGIw==",
    "PG5NnqGlpcz3LiFAwwS9/A==",
    "2dRlT+y//Bn7QNa6ssjgEg==",
    "V1jeeB7zT4/0jccZhxGSWg==",
    "uRZjnL/J8qO8F7vpSKdYNA==",
]


def test_earlier_users_meetings_and_rows_are_unchanged() -> None:
    data = SandboxData(0, dt.date(2026, 1, 15))
    assert [i.uuid for i in data.meetings[SandboxData.TEAM_SYNC].instances] == TEAM_SYNC_UUIDS
    first_four = data.users[:4]
    digest = hashlib.sha256()
    for meetings in (data.meetings, data.webinars):
        for number, meeting in meetings.items():
            if meeting.host not in first_four or number == SandboxData.JUST_ENDED:
                continue  # the term's meetings; "just ended" follows the clock
            for i in meeting.instances:
                fields = [number, meeting.topic, meeting.host.email, i.uuid, str(i.start_time)]
                digest.update(json.dumps([*fields, i.minutes, i.people, i.seed, i.rows()]).encode())
    digest.update(json.dumps([(u.id, u.email) for u in first_four]).encode())
    assert digest.hexdigest() == BEFORE_THE_TERM


def test_bulk_mode_adds_exactly_n_meetings_of_m_rows_for_the_bulk_user() -> None:
    with Sandbox(bulk=(200, 50)) as sandbox, sandbox.client() as client:
        auth = bearer(sandbox)
        today = dt.datetime.now(dt.timezone.utc).date()
        window = {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
        body = get(sandbox, "/report/users/bulk@example.com/meetings", auth, **window, page_size=300).json()
        assert body["total_records"] == 200 and not body["next_page_token"]
        listed = body["meetings"]
        assert len({m["id"] for m in listed}) == 200 and {m["user_email"] for m in listed} == {
            "bulk@example.com"
        }
        for meeting in listed[:3]:
            page = get(sandbox, f"/report/meetings/{meeting['id']}/participants", auth, page_size=300).json()
            assert page["total_records"] == 50 and len(page["participants"]) == 50
        bulk = [m for m in sandbox.data.meetings.values() if m.host.email == "bulk@example.com"]
        assert len(bulk) == 200 and all(len(m.instances) == 1 for m in bulk)
        assert all(len(m.instances[0].rows()) == 50 for m in bulk)
        midnight = dt.datetime.combine(sandbox.data.today, dt.time(), tzinfo=dt.timezone.utc)
        for meeting in bulk:
            instance = meeting.instances[0]
            assert midnight - dt.timedelta(days=25) <= instance.start_time and instance.end_time < midnight
        meetings = zp.read_meetings("bulk@example.com", client=client)
        assert len(meetings) == 200 and set(meetings["meeting_id"]) == {m.id for m in bulk}
    with Sandbox() as plain:  # no bulk meetings, and no bulk user, unless asked for
        assert all(u.email != "bulk@example.com" for u in plain.data.users)
        missing = get(plain, "/report/users/bulk@example.com/meetings", bearer(plain), **window)
        assert missing.status_code == 404 and missing.json()["code"] == 1001


def test_bulk_meetings_leave_the_rest_of_the_account_unchanged() -> None:
    day = dt.date(2026, 1, 15)
    plain, bulky = SandboxData(0, day), SandboxData(0, day, bulk="7x3")
    assert bulky.users[: len(plain.users)] == plain.users and bulky.users[-1].email == "bulk@example.com"
    for number, meeting in plain.meetings.items():
        if number != SandboxData.JUST_ENDED:
            assert [i.uuid for i in bulky.meetings[number].instances] == [i.uuid for i in meeting.instances]
            assert bulky.meetings[number].instances[0].rows() == meeting.instances[0].rows()
    assert len(bulky.meetings) == len(plain.meetings) + 7
    for wrong in ((-1, 5), (3,), "12", "ax3", (2.5, 3)):
        with pytest.raises(ValueError, match="bulk"):
            SandboxData(0, day, bulk=wrong)  # type: ignore[arg-type]


def test_the_command_line_serves_a_plan_a_daily_cap_and_bulk_meetings() -> None:
    command = [sys.executable, "-m", "zoom_pandas.sandbox", "--plan", "free", "--daily-limit", "5"]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    with subprocess.Popen(
        [*command, "--bulk", "3x2"], stdout=subprocess.PIPE, text=True, env=environment
    ) as process:
        killer = threading.Timer(30, process.kill)  # a hung process ends the test, not the run
        killer.start()
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().strip() for _ in range(9)]
            url = lines[0].removeprefix("sandbox listening on ")
            assert lines[1] == "rate limits: Light 4/s, Medium 2/s, Heavy 1/s; Heavy 5/day"
            assert "bulk: 3 meetings of 2 rows, hosted by bulk@example.com" in lines
            stable = next(line for line in lines if line.startswith("stable meetings:"))
            assert f"{SandboxData.COURSE} (Data Science 201 seminar)" in stable
            assert requests.get(f"{url}/v2/users", timeout=10).status_code == 401  # it serves
        finally:
            killer.cancel()
            process.terminate()
            process.wait(10)
