"""``GET /past_meetings/{meetingId}/participants`` in the sandbox: the host's own participants route.

Plain ``requests`` over real HTTP: the report's rows minus three fields, Zoom's paging, its
one-participant rule, the Medium label, the scopes it accepts and the faults it shares with the
report. Every loop is bounded.
"""

from __future__ import annotations

import math
import time
from typing import Any

import pytest

from tests.integration._sandbox_http import bearer, every_page, get, spec_fields, validate
from zoom_pandas.meeting_ids import encode_uuid
from zoom_pandas.sandbox import Sandbox, SandboxData
from zoom_pandas.sandbox.instances import PAST_PARTICIPANT_FIELDS
from zoom_pandas.sandbox.limits import route_label

PATH = "/past_meetings/{meetingId}/participants"
DROPPED = ("customer_key", "bo_mtg_id", "participant_user_id")


def past(number: int | str) -> str:
    return f"/past_meetings/{number}/participants"


def report(number: int | str) -> str:
    return f"/report/meetings/{number}/participants"


def without_dropped(rows: list[dict[str, Any]], registrant: bool = False) -> list[dict[str, Any]]:
    """Report rows (from the report route or the sandbox's data) minus the three fields."""
    gone = DROPPED if registrant else (*DROPPED, "registrant_id")
    return [{k: v for k, v in row.items() if k not in gone} for row in rows]


def test_the_default_page_is_30_rows_and_the_pages_are_the_report_s_rows(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    course = sandbox.data.latest_instance(SandboxData.COURSE)
    assert course is not None and len(course.rows()) > 60  # three pages at least
    first = get(sandbox, past(SandboxData.COURSE), auth)
    assert first.status_code == 200
    body = first.json()
    assert body["page_size"] == 30 and len(body["participants"]) == 30
    assert body["total_records"] == len(course.rows())
    assert body["page_count"] == math.ceil(len(course.rows()) / 30) and body["next_page_token"]
    validate(body, PATH)
    rows, pages = every_page(sandbox, past(SandboxData.COURSE), auth, "participants")
    reported, _ = every_page(sandbox, report(SandboxData.COURSE), auth, "participants")
    assert len(pages) == body["page_count"] and pages[-1]["next_page_token"] == ""
    assert rows == without_dropped(reported) and len(rows) == len(course.rows())
    assert all(set(row) == set(PAST_PARTICIPANT_FIELDS) - {"registrant_id"} for row in rows)


@pytest.mark.parametrize(("asked", "served"), [(7, 7), (30, 30), (300, 300), (1000, 300), (0, 1)])
def test_every_page_size_gives_the_report_s_rows_in_its_order(
    sandbox: Sandbox, asked: int, served: int
) -> None:
    auth = bearer(sandbox)
    lecture = sandbox.data.latest_instance(SandboxData.LECTURE)
    assert lecture is not None
    most = 200 if served == 1 else 40
    if served == 1:  # one row a page: only the first pages, to keep the test fast
        answer = get(sandbox, past(SandboxData.LECTURE), auth, page_size=asked).json()
        assert answer["page_size"] == 1 and answer["page_count"] == len(lecture.rows())
        assert answer["participants"] == without_dropped(lecture.rows()[:1])
        return
    rows, pages = every_page(sandbox, past(SandboxData.LECTURE), auth, "participants", most, page_size=asked)
    reported, _ = every_page(
        sandbox, report(SandboxData.LECTURE), auth, "participants", most, page_size=asked
    )
    assert {p["page_size"] for p in pages} == {served}
    assert len(pages) == math.ceil(len(lecture.rows()) / served) == pages[0]["page_count"]
    assert [len(p["participants"]) for p in pages[:-1]] == [served] * (len(pages) - 1)
    assert rows == without_dropped(reported)
    assert [r["user_id"] for r in rows] == [r["user_id"] for r in lecture.rows()]


def test_the_largest_page_is_300_rows(sandbox: Sandbox) -> None:
    body = get(sandbox, past(SandboxData.CONFERENCE), bearer(sandbox), page_size=5000).json()
    assert body["page_size"] == 300 and len(body["participants"]) == 300
    assert body["total_records"] == 20000 and body["page_count"] == math.ceil(20000 / 300)


def test_rows_have_the_spec_s_fields_and_registrant_id_only_when_asked(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    fields = spec_fields(PATH, "participants")
    assert fields == set(PAST_PARTICIPANT_FIELDS)
    plain = get(sandbox, past(SandboxData.TEAM_SYNC), auth).json()
    asked = get(sandbox, past(SandboxData.TEAM_SYNC), auth, include_fields="registrant_id").json()
    validate(asked, PATH)
    assert all(set(row) == fields - {"registrant_id"} for row in plain["participants"])
    assert all(set(row) == fields for row in asked["participants"])
    latest = sandbox.data.latest_instance(SandboxData.TEAM_SYNC)
    assert latest is not None
    expected = [{k: row[k] for k in PAST_PARTICIPANT_FIELDS} for row in latest.rows()[:30]]
    assert asked["participants"] == expected
    assert list(asked["participants"][0]) == list(PAST_PARTICIPANT_FIELDS)  # the spec's order


@pytest.mark.parametrize("shape", ["plain", "slash-first", "double-slash"])
def test_an_instance_uuid_is_decoded_as_the_report_route_decodes_it(sandbox: Sandbox, shape: str) -> None:
    auth = bearer(sandbox)
    instances = sandbox.data.meetings[SandboxData.TEAM_SYNC].instances
    shapes = {
        "plain": lambda u: not u.startswith("/") and "//" not in u,
        "slash-first": lambda u: u.startswith("/"),
        "double-slash": lambda u: "//" in u,
    }
    instance = next(i for i in instances if shapes[shape](i.uuid))
    encoded = encode_uuid(instance.uuid)
    body = get(sandbox, past(encoded), auth, page_size=300).json()
    assert body["participants"] == without_dropped(instance.rows())
    single = get(sandbox, past(encoded.replace("%25", "%")), auth)  # single-encoded
    if shape == "plain":
        assert single.status_code == 200
    else:
        assert single.status_code == 404 and single.json()["code"] == 3001
    latest = get(sandbox, past(SandboxData.TEAM_SYNC), auth, page_size=300).json()
    newest = sandbox.data.latest_instance(SandboxData.TEAM_SYNC)
    assert newest is not None and latest["participants"] == without_dropped(newest.rows())


def test_unknown_meetings_and_webinars_are_not_found(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    for ref in (12345678901, SandboxData.BIG_WEBINAR, "bm90LWEtdXVpZA%3D%3D"):
        answer = get(sandbox, past(ref), auth)
        assert answer.status_code == 404 and answer.json()["code"] == 3001


def test_a_meeting_with_fewer_than_two_people_returns_no_rows(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    alone = [i for i in sandbox.data.instances.values() if i.distinct_people() < 2 and i.rows()]
    assert alone  # a researcher's interview nobody came to: only the host joined
    instance = alone[0]
    assert {r["user_email"] for r in instance.rows()} == {instance.meeting.host.email}
    body = get(sandbox, past(encode_uuid(instance.uuid)), auth).json()
    assert body["participants"] == [] and body["total_records"] == 0 and body["next_page_token"] == ""
    validate(body, PATH)
    assert get(sandbox, report(encode_uuid(instance.uuid)), auth).json()["total_records"] == len(
        instance.rows()
    )
    empty = get(sandbox, past(SandboxData.EMPTY_ROOM), auth).json()
    assert empty["participants"] == [] and empty["total_records"] == 0
    two = sandbox.data.latest_instance(SandboxData.ONE_ON_ONE)
    assert two is not None and two.distinct_people() == 2
    assert get(sandbox, past(SandboxData.ONE_ON_ONE), auth).json()["total_records"] == len(two.rows())


def test_page_tokens_belong_to_their_route_and_expire() -> None:
    with Sandbox(page_token_ttl=0.3) as sandbox:
        auth = bearer(sandbox)
        first = get(sandbox, past(SandboxData.COURSE), auth).json()
        from_report = get(sandbox, report(SandboxData.COURSE), auth).json()["next_page_token"]
        crossed = get(sandbox, past(SandboxData.COURSE), auth, next_page_token=from_report)
        assert crossed.status_code == 400 and crossed.json()["code"] == 300
        assert get(sandbox, past(SandboxData.COURSE), auth, next_page_token=first["next_page_token"]).ok
        time.sleep(0.4)
        expired = get(sandbox, past(SandboxData.COURSE), auth, next_page_token=first["next_page_token"])
        assert expired.status_code == 400
        assert expired.json() == {"code": 300, "message": "The next page token is invalid or expired."}


def test_the_route_is_medium_and_counts_in_the_medium_bucket() -> None:
    assert route_label("/v2/past_meetings/1/participants") == "Medium"
    with Sandbox(rate_limits="free") as sandbox:  # Medium on Free: 2 a second
        auth = bearer(sandbox)
        answers = [get(sandbox, past(SandboxData.TEAM_SYNC), auth) for _ in range(6)]
        refused = [a for a in answers if a.status_code == 429]
        assert refused and refused[0].headers["X-RateLimit-Category"] == "Medium"
        assert refused[0].headers["X-RateLimit-Limit"] == "2"
        assert {r.label for r in sandbox.requests if r.path.startswith("/v2/")} == {"Medium"}


@pytest.mark.parametrize(
    "scope",
    [
        "meeting:read:admin",
        "meeting:read",
        "meeting:read:list_past_participants",
        "meeting:read:list_past_participants:admin",
    ],
)
def test_each_accepted_scope_opens_the_route(scope: str) -> None:
    with Sandbox(scopes=scope) as sandbox:
        auth = bearer(sandbox)
        own = get(sandbox, past(SandboxData.TEAM_SYNC), auth)  # the owner's: ``me`` of the admin app
        assert own.status_code == 200 and own.json()["total_records"] > 0
        other = get(sandbox, past(SandboxData.COURSE), auth)  # ds.teacher's
        if scope.endswith(":admin"):
            assert other.status_code == 200
        else:  # a user-level scope opens its own user's meetings only
            assert other.status_code == 400
            assert other.json() == {"code": 300, "message": "Cannot access meeting information."}


def test_other_scopes_are_refused_with_4711_naming_the_route_s_scopes() -> None:
    with Sandbox(scopes="report:read:admin user:read:admin") as classic:
        answer = get(classic, past(SandboxData.TEAM_SYNC), bearer(classic))
        assert answer.status_code == 400
        assert answer.json() == {
            "code": 4711,
            "message": "Invalid access token, does not contain scopes:[meeting:read:admin, meeting:read, "
            "meeting:read:list_past_participants, meeting:read:list_past_participants:admin].",
        }
    with Sandbox(scopes="meeting:read:past_meeting meeting:read:list_past_instances") as granular:
        auth = bearer(granular)
        assert get(granular, f"/past_meetings/{SandboxData.TEAM_SYNC}", auth).status_code == 200
        assert get(granular, f"/past_meetings/{SandboxData.TEAM_SYNC}/instances", auth).status_code == 200
        answer = get(granular, past(SandboxData.TEAM_SYNC), auth)
        assert answer.status_code == 400
        assert answer.json()["message"] == (
            "Invalid access token, does not contain scopes:[meeting:read:list_past_participants, "
            "meeting:read:list_past_participants:admin]."
        )


@pytest.mark.parametrize(
    ("scopes", "details", "instances"),
    [
        ("report:read:admin meeting:read:admin user:read:admin", 200, 200),  # DEFAULT_SCOPES
        ("meeting:read", 200, 200),
        ("meeting:read:past_meeting:admin", 200, 400),
        ("meeting:read:list_past_instances:admin", 400, 200),
        ("report:read:admin", 400, 400),
    ],
)
def test_past_meeting_details_and_instances_now_check_scopes(
    scopes: str, details: int, instances: int
) -> None:
    with Sandbox(scopes=scopes) as sandbox:
        auth = bearer(sandbox)
        detail = get(sandbox, f"/past_meetings/{SandboxData.TEAM_SYNC}", auth)
        listed = get(sandbox, f"/past_meetings/{SandboxData.TEAM_SYNC}/instances", auth)
        assert (detail.status_code, listed.status_code) == (details, instances)
        for answer in (detail, listed):
            if answer.status_code == 400:
                assert answer.json()["code"] == 4711


def test_faults_for_a_meeting_apply_to_its_past_participants(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    sandbox.inject(SandboxData.COURSE, server_errors=1)
    assert get(sandbox, past(SandboxData.COURSE), auth).status_code == 503
    assert get(sandbox, past(SandboxData.COURSE), auth).status_code == 200
    assert get(sandbox, past(SandboxData.TEAM_SYNC), auth).status_code == 200  # other meetings untouched
    sandbox.inject(SandboxData.COURSE, qps_limited=1)
    limited = get(sandbox, past(SandboxData.COURSE), auth)
    assert limited.status_code == 429 and limited.headers["X-RateLimit-Category"] == "Medium"
    sandbox.inject(SandboxData.COURSE, extra_fields={"new_field": 1}, total_records_delta=2)
    body = get(sandbox, past(SandboxData.COURSE), auth).json()
    course = sandbox.data.latest_instance(SandboxData.COURSE)
    assert course is not None and body["total_records"] == len(course.rows()) + 2
    assert all(row["new_field"] == 1 and "bo_mtg_id" not in row for row in body["participants"])
    assert [{k: v for k, v in r.items() if k != "new_field"} for r in body["participants"]] == (
        without_dropped(course.rows()[:30])
    )
    first = body["next_page_token"]
    sandbox.inject(course.uuid, expired_page_tokens=1, repeat_page_token=True)  # by instance UUID
    refused = get(sandbox, past(SandboxData.COURSE), auth, next_page_token=first)
    assert refused.status_code == 400 and refused.json()["code"] == 300
    second = get(sandbox, past(SandboxData.COURSE), auth, next_page_token=first).json()
    assert second["next_page_token"] == first  # a broken paginator hands the same token back


def test_rows_are_serialized_once_per_instance_and_big_meetings_read_fast(sandbox: Sandbox) -> None:
    auth = bearer(sandbox)
    conference = sandbox.data.latest_instance(SandboxData.CONFERENCE)
    assert conference is not None
    started = time.monotonic()
    rows, pages = every_page(sandbox, past(SandboxData.CONFERENCE), auth, "participants", 80, page_size=300)
    assert len(rows) == 20000 and len(pages) == 67
    assert time.monotonic() - started < 20
    cached = conference.row_json(False, PAST_PARTICIPANT_FIELDS)
    assert cached is conference.row_json(False, PAST_PARTICIPANT_FIELDS) and len(cached) == 20000
    assert rows[-1] == without_dropped(conference.rows()[-1:])[0]
