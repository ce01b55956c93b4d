"""A host without admin rights: ``Sandbox(app="host")``, and "List meetings" (``/users/{userId}/meetings``).

Plain ``requests`` over real HTTP. The host app's tokens carry user-level scopes only: every
report route and the user list answer 400 code 4711, its own user and meetings answer, other
hosts' meetings answer 400 code 300. Every loop is bounded.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator

import pytest
import requests

from tests.conftest import REPO
from tests.integration._sandbox_http import bearer, every_page, get, token_answer, validate
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.sandbox import DEFAULT_SCOPES, HOST_SCOPES, Sandbox, SandboxData
from zoom_pandas.sandbox.limits import route_label

TEACHER = SandboxData.TEACHER
CANNOT = {"code": 300, "message": "Cannot access meeting information."}


def missing(scope: str) -> dict[str, object]:
    return {"code": 4711, "message": f"Invalid access token, does not contain scopes:[{scope}]."}


@pytest.fixture
def host() -> Iterator[Sandbox]:
    with Sandbox(app="host") as running:
        yield running


def test_the_host_app_hands_out_user_level_scopes_and_me_is_the_teacher(host: Sandbox) -> None:
    assert HOST_SCOPES == (
        "meeting:read:list_past_participants meeting:read:past_meeting meeting:read:list_past_instances "
        "meeting:read:list_meetings user:read:user"
    )
    assert TEACHER == "ds.teacher@example.com" and host.app == "host"
    assert token_answer(host)["scope"] == HOST_SCOPES
    auth = bearer(host)
    teacher = host.data.user(TEACHER)
    assert teacher is not None
    for ref in ("me", teacher.id, TEACHER):
        answer = get(host, f"/users/{urllib.parse.quote(ref, safe='')}", auth)
        assert answer.status_code == 200 and answer.json()["email"] == TEACHER
    assert answer.json()["timezone"] == "Europe/London"
    assert host.data.meetings[SandboxData.COURSE].host == teacher  # the weekly course is theirs


def test_the_user_oauth_flow_gets_the_host_app_s_scopes_too(host: Sandbox) -> None:
    creds = host.credentials
    redirect = "http://127.0.0.1:9/callback"
    params = {"response_type": "code", "client_id": creds.user_client_id, "redirect_uri": redirect}
    approved = requests.get(f"{host.oauth_url}/authorize", params=params, allow_redirects=False, timeout=10)
    code = urllib.parse.parse_qs(urllib.parse.urlsplit(approved.headers["Location"]).query)["code"][0]
    answer = requests.post(
        f"{host.oauth_url}/token",
        data={"grant_type": "authorization_code", "code": code, "redirect_uri": redirect},
        auth=(creds.user_client_id, creds.user_client_secret),
        timeout=10,
    ).json()
    assert answer["scope"] == HOST_SCOPES and answer["refresh_token"]
    auth = {"Authorization": f"Bearer {answer['access_token']}"}
    assert get(host, "/users/me", auth).json()["email"] == TEACHER
    refused = get(host, f"/report/meetings/{SandboxData.COURSE}/participants", auth)
    assert (refused.status_code, refused.json()) == (
        400,
        missing("report:read:list_meeting_participants:admin"),
    )


def test_the_server_to_server_client_signs_in_with_the_host_app_s_scopes(host: Sandbox) -> None:
    with host.client() as client:
        assert client.get_json("/users/me")["email"] == TEACHER
        assert client.get_json(f"/past_meetings/{SandboxData.COURSE}")["user_email"] == TEACHER


@pytest.mark.parametrize(
    ("path", "scope"),
    [
        (
            f"/report/meetings/{SandboxData.COURSE}/participants",
            "report:read:list_meeting_participants:admin",
        ),
        (
            f"/report/webinars/{SandboxData.WEBINAR_SERIES}/participants",
            "report:read:list_webinar_participants:admin",
        ),
        (f"/report/webinars/{SandboxData.BIG_WEBINAR}", "report:read:webinar:admin"),
        ("/report/users/me/meetings?from=2026-01-01&to=2026-01-31", "report:read:user:admin"),
        (f"/report/users/{TEACHER}/meetings?from=2026-01-01&to=2026-01-31", "report:read:user:admin"),
        ("/users", "user:read:list_users:admin"),
        ("/users?status=inactive", "user:read:list_users:admin"),
    ],
)
def test_report_routes_and_the_user_list_answer_4711_naming_the_admin_scope(
    host: Sandbox, path: str, scope: str
) -> None:
    answer = requests.get(f"{host.api_url}{path}", headers=bearer(host), timeout=10)
    assert answer.status_code == 400 and answer.json() == missing(scope)


def test_other_users_are_refused_with_4711(host: Sandbox) -> None:
    auth = bearer(host)
    owner = host.data.users[0]
    for ref in (owner.id, owner.email, "math.teacher@example.com", "nobody@example.com"):
        answer = get(host, f"/users/{ref}", auth)
        assert answer.status_code == 400 and answer.json() == missing("user:read:user:admin")


def test_the_teacher_s_own_meetings_answer(host: Sandbox) -> None:
    auth = bearer(host)
    course = host.data.meetings[SandboxData.COURSE]
    detail = get(host, f"/past_meetings/{SandboxData.COURSE}", auth).json()
    assert detail["uuid"] == course.instances[-1].uuid and detail["user_email"] == TEACHER
    listed = get(host, f"/past_meetings/{SandboxData.COURSE}/instances", auth).json()["meetings"]
    assert [m["uuid"] for m in listed] == [i.uuid for i in course.instances]
    first = course.instances[0]
    rows, _ = every_page(host, f"/past_meetings/{encode_uuid(first.uuid)}/participants", auth, "participants")
    assert [r["user_id"] for r in rows] == [r["user_id"] for r in first.rows()]
    meetings = get(host, "/users/me/meetings", auth, type="previous_meetings").json()["meetings"]
    assert {m["id"] for m in meetings} == {
        m.id for m in host.data.meetings.values() if m.host.email == TEACHER
    }
    assert SandboxData.COURSE in {m["id"] for m in meetings}
    assert get(host, f"/users/{TEACHER}/meetings", auth).json()["meetings"] == meetings


@pytest.mark.parametrize(
    "path",
    [
        f"/past_meetings/{SandboxData.TEAM_SYNC}",
        f"/past_meetings/{SandboxData.TEAM_SYNC}/instances",
        f"/past_meetings/{SandboxData.TEAM_SYNC}/participants",
        f"/past_meetings/{SandboxData.INSTANT_MEETING}/participants",
        f"/past_meetings/{SandboxData.LECTURE}",
        "/users/owner@example.com/meetings",
        "/users/math.teacher@example.com/meetings?type=previous_meetings",
    ],
)
def test_other_hosts_meetings_answer_300(host: Sandbox, path: str) -> None:
    answer = requests.get(f"{host.api_url}{path}", headers=bearer(host), timeout=10)
    assert answer.status_code == 400 and answer.json() == CANNOT


def test_another_host_s_instance_uuid_answers_300_and_unknown_ones_404(host: Sandbox) -> None:
    auth = bearer(host)
    sync = host.data.meetings[SandboxData.TEAM_SYNC].instances[0]
    for suffix in ("", "/participants"):
        assert get(host, f"/past_meetings/{encode_uuid(sync.uuid)}{suffix}", auth).json() == CANNOT
        unknown = get(host, f"/past_meetings/12345678901{suffix}", auth)
        assert unknown.status_code == 404 and unknown.json()["code"] == 3001


def test_explicit_scopes_win_over_the_app_s_and_the_app_still_names_me() -> None:
    with Sandbox(app="host", scopes="meeting:read:past_meeting") as narrow:
        assert token_answer(narrow)["scope"] == "meeting:read:past_meeting"
        auth = bearer(narrow)
        assert get(narrow, f"/past_meetings/{SandboxData.COURSE}", auth).status_code == 200
        assert get(narrow, f"/past_meetings/{SandboxData.TEAM_SYNC}", auth).json() == CANNOT
        refused = get(narrow, f"/past_meetings/{SandboxData.COURSE}/participants", auth)
        assert refused.json() == missing(
            "meeting:read:list_past_participants, meeting:read:list_past_participants:admin"
        )
    with Sandbox(app="host", scopes=DEFAULT_SCOPES) as admin_scoped:  # admin scopes see everything
        auth = bearer(admin_scoped)
        assert get(admin_scoped, "/users/me", auth).json()["email"] == TEACHER
        assert get(admin_scoped, f"/past_meetings/{SandboxData.TEAM_SYNC}", auth).status_code == 200
    with pytest.raises(ValueError, match="unknown app"):
        Sandbox(app="student")


def test_the_admin_app_is_today_s_default(sandbox: Sandbox) -> None:
    assert sandbox.app == "admin" and token_answer(sandbox)["scope"] == DEFAULT_SCOPES
    auth = bearer(sandbox)
    assert get(sandbox, "/users/me", auth).json()["email"] == "owner@example.com"
    for number in (SandboxData.TEAM_SYNC, SandboxData.COURSE, SandboxData.INSTANT_MEETING):
        for suffix in ("", "/instances", "/participants"):
            assert get(sandbox, f"/past_meetings/{number}{suffix}", auth).status_code == 200
    assert get(sandbox, f"/users/{TEACHER}", auth).status_code == 200


# -- List meetings -------------------------------------------------------------------------------


def test_list_meetings_is_medium_and_matches_the_spec(sandbox: Sandbox) -> None:
    assert route_label("/v2/users/me/meetings") == "Medium"
    auth = bearer(sandbox)
    body = get(sandbox, "/users/researcher@example.com/meetings", auth, type="previous_meetings").json()
    validate(body, "/users/{userId}/meetings")
    assert [r.label for r in sandbox.requests if r.path.endswith("/meetings")] == ["Medium"]
    assert body["page_size"] == 30 and body["page_number"] == 1
    researcher = sandbox.data.user("researcher@example.com")
    assert researcher is not None
    for listed in body["meetings"]:
        meeting = sandbox.data.meetings[listed["id"]]
        newest = max(meeting.instances, key=lambda i: i.start_time)
        assert listed["uuid"] == newest.uuid and listed["topic"] == meeting.topic
        assert listed["start_time"] == newest.start_time.strftime("%Y-%m-%dT%H:%M:%SZ")
        assert listed["duration"] == newest.minutes and listed["type"] == meeting.type
        assert listed["timezone"] == "Asia/Tokyo" and listed["host_id"] == researcher.id
        assert listed["join_url"] == f"https://example.com/j/{meeting.id}"
        assert listed["created_at"] < listed["start_time"]


def test_previous_meetings_pages_through_every_scheduled_meeting(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    held = {m.id for m in sandbox.data.meetings.values() if m.host.email == "researcher@example.com"}
    assert len(held) > 10
    listed, pages = every_page(
        sandbox,
        "/users/researcher@example.com/meetings",
        auth,
        "meetings",
        20,
        type="previous_meetings",
        page_size=4,
    )
    assert [m["id"] for m in listed] and {m["id"] for m in listed} == held and len(listed) == len(held)
    assert len(pages) == -(-len(held) // 4) == pages[0]["page_count"]
    assert [p["page_number"] for p in pages] == list(range(1, len(pages) + 1))
    assert {p["total_records"] for p in pages} == {len(held)}
    starts = [m["start_time"] for m in listed]
    assert starts == sorted(starts)
    scheduled, _ = every_page(
        sandbox, "/users/researcher@example.com/meetings", auth, "meetings", 20, page_size=4
    )
    assert scheduled == listed  # the default type, "scheduled", lists the same meetings
    big = get(sandbox, "/users/researcher@example.com/meetings", auth, page_size=1000).json()
    assert big["page_size"] == 300 and len(big["meetings"]) == len(held)


def test_previous_meetings_misses_instant_meetings_and_webinars(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    instant = sandbox.data.meetings[SandboxData.INSTANT_MEETING]
    assert instant.type == 1 and instant.host.email == "math.teacher@example.com"
    listed = get(sandbox, "/users/math.teacher@example.com/meetings", auth, type="previous_meetings").json()
    ids = {m["id"] for m in listed["meetings"]}
    assert (
        ids
        and SandboxData.INSTANT_MEETING not in ids
        and {m["type"] for m in listed["meetings"]} <= {2, 3, 8}
    )
    today = sandbox.data.today
    window = {"from": (today - dt.timedelta(days=30)).isoformat(), "to": today.isoformat()}
    reported = get(sandbox, "/report/users/math.teacher@example.com/meetings", auth, **window).json()
    assert SandboxData.INSTANT_MEETING in {m["id"] for m in reported["meetings"]}  # the report has it
    detail = get(sandbox, f"/past_meetings/{SandboxData.INSTANT_MEETING}", auth).json()
    assert detail["type"] == 1 and detail["topic"] == "Marco Rossi's Zoom Meeting"
    events = get(sandbox, "/users/events@example.com/meetings", auth, type="previous_meetings").json()
    event_ids = {m["id"] for m in events["meetings"]}
    assert {SandboxData.ALL_HANDS, SandboxData.CONFERENCE} <= event_ids
    assert not event_ids & set(sandbox.data.webinars)


@pytest.mark.parametrize("kind", ["live", "upcoming", "upcoming_meetings"])
def test_other_meeting_list_types_are_empty(sandbox: Sandbox, kind: str) -> None:
    body = get(sandbox, "/users/me/meetings", bearer(sandbox), type=kind).json()
    assert body["meetings"] == [] and body["total_records"] == 0 and body["next_page_token"] == ""


def test_list_meetings_errors(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    wrong = get(sandbox, "/users/me/meetings", auth, type="past")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == 300 and wrong.json()["message"] == "Validation Failed."
    assert wrong.json()["errors"][0]["field"] == "type"
    unknown = get(sandbox, "/users/nobody@example.com/meetings", auth)
    assert unknown.status_code == 404 and unknown.json()["code"] == 1001
    first = get(sandbox, "/users/researcher@example.com/meetings", auth, page_size=2).json()
    other = get(sandbox, "/users/me/meetings", auth, page_size=2, next_page_token=first["next_page_token"])
    assert other.status_code == 400 and other.json()["code"] == 300  # a token belongs to its listing


@pytest.mark.parametrize(
    ("scope", "own", "other"),
    [
        ("meeting:read", 200, 400),
        ("meeting:read:admin", 200, 200),
        ("meeting:read:list_meetings", 200, 400),
        ("meeting:read:list_meetings:admin", 200, 200),
        ("meeting:read:past_meeting:admin", 400, 400),
    ],
)
def test_list_meetings_scopes(scope: str, own: int, other: int) -> None:
    with Sandbox(scopes=scope) as sandbox:
        auth = bearer(sandbox)
        mine = get(sandbox, "/users/me/meetings", auth)
        theirs = get(sandbox, f"/users/{TEACHER}/meetings", auth)
        assert (mine.status_code, theirs.status_code) == (own, other)
        if own == 400:
            assert mine.json()["code"] == 4711
        elif other == 400:
            assert theirs.json() == CANNOT


# -- data and the command line ---------------------------------------------------------------------

#: Every meeting, webinar, instance UUID and participant row, and every user, of seed 0 on
#: 2026-01-15, as the sandbox answered before the instant meeting existed (commit 96cf15c);
#: JUST_ENDED follows the clock, INSTANT_MEETING is the new one.
BEFORE_THE_INSTANT_MEETING = "e424b79acda5631e3409db2083f83a30b6306c0417e87c388a76f452c0a442c1"


def test_adding_the_instant_meeting_changed_nothing_else() -> None:
    data = SandboxData(0, dt.date(2026, 1, 15))
    digest = hashlib.sha256()
    for meetings in (data.meetings, data.webinars):
        for number, meeting in sorted(meetings.items()):
            if number in (SandboxData.JUST_ENDED, SandboxData.INSTANT_MEETING):
                continue
            for i in meeting.instances:
                fields = [number, meeting.type, meeting.topic, meeting.host.email, i.uuid, str(i.start_time)]
                digest.update(json.dumps([*fields, i.minutes, i.people, i.seed, i.rows()]).encode())
    digest.update(json.dumps([(u.id, u.email, u.timezone, u.status) for u in data.users]).encode())
    assert digest.hexdigest() == BEFORE_THE_INSTANT_MEETING
    instant = data.meetings[SandboxData.INSTANT_MEETING]
    assert len(instant.instances) == 1 and instant.instances[0].distinct_people() >= 2
    assert instant.instances[0].end_time < dt.datetime(2026, 1, 15, tzinfo=dt.timezone.utc)


def test_the_command_line_serves_the_host_app_and_says_so() -> None:
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    command = [sys.executable, "-m", "zoom_pandas.sandbox", "--app", "host"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=environment) as process:
        killer = threading.Timer(30, process.kill)  # a hung process ends the test, not the run
        killer.start()
        try:
            assert process.stdout is not None
            lines = [process.stdout.readline().strip() for _ in range(9)]
            url = lines[0].removeprefix("sandbox listening on ")
            settings = dict(
                line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
            )
            assert lines[-1].startswith("app: host, a host's user-level app") and TEACHER in lines[-1]
            assert lines[-1].endswith(f"scopes: {HOST_SCOPES}")
            answer = requests.post(
                f"{settings['ZOOM_OAUTH_URL']}/token",
                data={"grant_type": "account_credentials", "account_id": settings["ZOOM_ACCOUNT_ID"]},
                auth=(settings["ZOOM_CLIENT_ID"], settings["ZOOM_CLIENT_SECRET"]),
                timeout=10,
            ).json()
            assert answer["scope"] == HOST_SCOPES
            auth = {"Authorization": f"Bearer {answer['access_token']}"}
            me = requests.get(f"{url}/v2/users/me", headers=auth, timeout=10)
            assert me.json()["email"] == TEACHER
        finally:
            killer.cancel()
            process.terminate()
            process.wait(10)
