"""Review of "attendance for hosts who are not Zoom admins": the fallbacks and the CSV reader, attacked.

Real HTTP only: the sandbox, or :class:`ScriptedZoom` (a tiny scripted Zoom on 127.0.0.1) where an
answer must be hostile in a way the sandbox cannot be. Every test states the contract it holds
(DESIGN.md "Without admin rights", "Cache", "Faults").
"""

from __future__ import annotations

import contextlib
import datetime as dt
import http.server
import json
import re
import threading
import warnings
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

import zoom_pandas as zp
from tests.conftest import FAST_RETRY
from zoom_pandas.cli import main
from zoom_pandas.retry import RetryPolicy
from zoom_pandas.sandbox import HOST_SCOPES, Sandbox, SandboxData

pytestmark = pytest.mark.integration

COURSE = SandboxData.COURSE
FELL_BACK = "Zoom refused"


# -- helpers -------------------------------------------------------------------------------------


def course_uuids(sandbox: Sandbox) -> list[str]:
    """The course's instances, oldest first."""
    return [i.uuid for i in sorted(sandbox.data.meetings[COURSE].instances, key=lambda i: i.start_time)]


def participant_requests(sandbox: Sandbox) -> int:
    """Page requests of either source (the report's and the past meetings')."""
    return sum(1 for r in sandbox.requests if r.path.split("?")[0].endswith("/participants"))


@contextlib.contextmanager
def quiet() -> Iterator[list[warnings.WarningMessage]]:
    """Record warnings instead of raising them (the fallback warns once; pytest makes warnings errors)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def reading(read: Callable[[], Any]) -> tuple[Any, list[str]]:
    """Run a read that may fall back; its value and every warning's text (warnings are errors here)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        value = read()
    return value, [str(w.message) for w in caught]


Answer = tuple[int, bytes]


def answer(body: object, status: int = 200) -> Answer:
    return status, json.dumps(body).encode()


#: Zoom's refusal of the meeting reports to a host's user-level app.
REFUSED = answer(
    {"code": 4711, "message": "Invalid access token, does not contain scopes:[report:read:user:admin]."}, 400
)
TOKEN = {
    "access_token": "scripted-token",
    "token_type": "bearer",
    "expires_in": 3599,
    "scope": "meeting:read",
}


class ScriptedZoom:
    """Zoom on 127.0.0.1 answering each GET by the first route (a regex over the raw path) it matches.

    A route's answers are used in turn, the last one repeating; anything else is 404 code 3001.
    """

    def __init__(self, routes: Mapping[str, Answer | list[Answer]]) -> None:
        self._routes = [(re.compile(p), list(a) if isinstance(a, list) else [a]) for p, a in routes.items()]
        self._lock = threading.Lock()
        self.requests: list[str] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _send(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 65536))
                self._send(200, json.dumps(TOKEN).encode())

            def do_GET(self) -> None:
                self._send(*outer._answer(self.path))

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="scripted-zoom", daemon=True)

    def _answer(self, path: str) -> Answer:
        with self._lock:
            self.requests.append(path)
            for pattern, answers in self._routes:
                if pattern.search(path):
                    return answers.pop(0) if len(answers) > 1 else answers[0]
        return answer({"code": 3001, "message": "Meeting does not exist."}, 404)

    def __enter__(self) -> ScriptedZoom:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def client(self) -> zp.ZoomClient:
        port = self._server.server_port
        return zp.ZoomClient(
            account_id="acc",
            client_id="cid",
            client_secret="not-a-real-secret",
            api_url=f"http://127.0.0.1:{port}/v2",
            oauth_url=f"http://127.0.0.1:{port}/oauth",
            retry=RetryPolicy(max_attempts=2, backoff_base=0.01, backoff_cap=0.02),
            timeout=10.0,
        )


@pytest.fixture
def scripted() -> Iterator[Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient]]:
    """Start a :class:`ScriptedZoom` with some routes and return a client signed in to it."""
    servers: list[ScriptedZoom] = []
    clients: list[zp.ZoomClient] = []

    def start(routes: Mapping[str, Answer | list[Answer]]) -> zp.ZoomClient:
        server = ScriptedZoom(routes).__enter__()
        servers.append(server)
        clients.append(server.client())
        return clients[-1]

    yield start
    for client in clients:
        client.close()
    for server in servers:
        server.__exit__(None, None, None)


NUMBER = 85746065432
RECENT_UUID = "rEcEnTiNsTaNcE0000000001"
OLD_UUID = "oLdInStAnCe0000000000002"


def _z(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
RECENT = NOW - dt.timedelta(days=2)
OLD = NOW - dt.timedelta(days=400)


def listing(meetings: object, token: str = "") -> Answer:
    """One page of ``GET /users/me/meetings?type=previous_meetings``."""
    total = len(meetings) if isinstance(meetings, list) else 0
    return answer({"page_size": 300, "total_records": total, "next_page_token": token, "meetings": meetings})


def instances(*rows: Mapping[str, object]) -> Answer:
    return answer({"meetings": list(rows)})


def described(uuid: str, start: dt.datetime, **changes: object) -> Answer:
    body = {
        "uuid": uuid,
        "id": NUMBER,
        "topic": "Seminar",
        "start_time": _z(start),
        "end_time": _z(start + dt.timedelta(hours=1)),
        "duration": 60,
        "participants_count": 3,
    }
    return answer({**body, **changes})


def host_routes(
    users_meetings: Answer | list[Answer],
    instances_answer: Answer | list[Answer] | None = None,
    details: Mapping[str, Answer] | None = None,
) -> dict[str, Answer | list[Answer]]:
    routes: dict[str, Answer | list[Answer]] = {
        r"^/v2/report/": REFUSED,
        r"^/v2/users/me/meetings": users_meetings,
    }
    if instances_answer is not None:
        routes[r"^/v2/past_meetings/\d+/instances"] = instances_answer
    for uuid, detail in (details or {}).items():
        routes[rf"^/v2/past_meetings/{re.escape(uuid)}$"] = detail
    return routes


# == 1. read_participants(source="auto"): caches ==================================================


def test_offline_latest_is_the_newest_cached_instance_of_either_source(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    """DESIGN "Cache": offline, a number is its newest cached instance; instances="all" agrees."""
    older, newest = course_uuids(sandbox)[-2:]
    zp.read_participants(older, client=client, source="report")
    zp.read_participants(newest, client=client, source="past_meetings")
    every = zp.read_participants(COURSE, client=client, cache="offline", instances="all")
    assert [m["meeting_uuid"] for m in every.attrs["meetings"]] == [older, newest]
    latest = zp.read_participants(COURSE, client=client, cache="offline")
    assert latest.attrs["meeting_uuid"] == newest


def test_a_new_session_of_a_host_reads_its_cached_past_meetings_rows(tmp_path: Path) -> None:
    """cache=True reads what is cached: a host's second session must not fetch the same instance again."""
    with Sandbox(app="host") as sandbox:
        uuid = course_uuids(sandbox)[0]
        with sandbox.client(retry=FAST_RETRY) as first:
            reading(lambda: zp.read_participants(uuid, client=first))
        before = participant_requests(sandbox)
        with sandbox.client(retry=FAST_RETRY) as second:  # a new kernel, a new client
            frame, _ = reading(lambda: zp.read_participants(uuid, client=second))
        assert frame.attrs["endpoint"] == "past_meetings"
        assert participant_requests(sandbox) == before, "fetched again although cached"
        assert frame.attrs["source"] == "cache"


def test_a_new_session_reading_every_instance_uses_the_cache_for_each(tmp_path: Path) -> None:
    with Sandbox(app="host") as sandbox:
        with sandbox.client(retry=FAST_RETRY) as first:
            reading(lambda: zp.read_participants(COURSE, client=first, instances="all"))
        before = participant_requests(sandbox)
        with sandbox.client(retry=FAST_RETRY) as second:
            frame, _ = reading(lambda: zp.read_participants(COURSE, client=second, instances="all"))
        assert {m["source"] for m in frame.attrs["meetings"]} == {"cache"}
        assert participant_requests(sandbox) == before


def test_source_report_offline_never_serves_past_meetings_rows(
    sandbox: Sandbox, client: zp.ZoomClient
) -> None:
    uuid = course_uuids(sandbox)[-1]
    zp.read_participants(uuid, client=client, source="past_meetings")
    with pytest.raises(zp.CacheMiss):
        zp.read_participants(uuid, client=client, cache="offline", source="report")
    with pytest.raises(zp.CacheMiss):
        zp.read_participants(COURSE, client=client, cache="offline", source="report", instances="all")
    with pytest.raises(zp.CacheMiss):
        zp.read_cache(client=client, source="report")
    past = zp.read_cache(client=client, source="past_meetings")
    assert {m["endpoint"] for m in past.attrs["meetings"]} == {"past_meetings"}


# == 2. read_participants(source="auto"): refusals ================================================


def test_many_threads_refused_at_once_give_one_warning_and_every_instance() -> None:
    with Sandbox(app="host", latency=0.03) as sandbox, sandbox.client(retry=FAST_RETRY) as client:
        frame, messages = reading(
            lambda: zp.read_participants(COURSE, client=client, instances="all", cache=False)
        )
        assert [m["meeting_uuid"] for m in frame.attrs["meetings"]] == course_uuids(sandbox)
        assert {m["endpoint"] for m in frame.attrs["meetings"]} == {"past_meetings"}
        assert "failures" not in frame.attrs
        assert sum(m.startswith(FELL_BACK) for m in messages) == 1
        assert len(messages) == 1


def test_the_default_client_from_the_environment_remembers_the_refusal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with Sandbox(app="host") as sandbox:
        creds = sandbox.credentials
        for name, value in {
            "ZOOM_ACCOUNT_ID": creds.account_id,
            "ZOOM_CLIENT_ID": creds.client_id,
            "ZOOM_CLIENT_SECRET": creds.client_secret,
            "ZOOM_API_URL": sandbox.api_url,
            "ZOOM_OAUTH_URL": sandbox.oauth_url,
        }.items():
            monkeypatch.setenv(name, value)
        first, second = course_uuids(sandbox)[:2]
        _, messages = reading(lambda: zp.read_participants(first, cache=False))
        assert sum(m.startswith(FELL_BACK) for m in messages) == 1
        refused = sum(r.path.startswith("/v2/report/") for r in sandbox.requests)
        frame, messages = reading(lambda: zp.read_participants(second, cache="refresh"))
        assert messages == [] and frame.attrs["endpoint"] == "past_meetings"
        assert sum(r.path.startswith("/v2/report/") for r in sandbox.requests) == refused


def test_a_refused_fallback_names_the_past_meetings_scope() -> None:
    scopes = HOST_SCOPES.replace("meeting:read:list_past_participants ", "")
    with Sandbox(app="host", scopes=scopes) as sandbox, sandbox.client(retry=FAST_RETRY) as client:
        with quiet(), pytest.raises(zp.PermissionDenied) as caught:
            zp.read_participants(COURSE, client=client, cache=False)
        assert "meeting:read:list_past_participants" in str(caught.value)


def test_a_refused_resolve_call_does_not_tell_a_host_to_get_an_admins_report_scope() -> None:
    """``GET /past_meetings/{id}`` refused (4711: no meeting:read:past_meeting): the hint must fit it."""
    scopes = HOST_SCOPES.replace("meeting:read:past_meeting ", "")
    with Sandbox(app="host", scopes=scopes) as sandbox, sandbox.client(retry=FAST_RETRY) as client:
        with pytest.raises(zp.PermissionDenied) as caught:
            zp.read_participants(COURSE, client=client, cache=False)
        message = str(caught.value)
        assert "meeting:read:past_meeting" in message
        assert "needs the scope report:read" not in message


def test_a_missing_scope_answered_as_401_code_4700_falls_back(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    page = {
        "page_size": 300,
        "total_records": 1,
        "next_page_token": "",
        "participants": [{"name": "Ada", "join_time": _z(RECENT), "leave_time": _z(RECENT), "duration": 0}],
    }
    client = scripted(
        {
            r"^/v2/report/meetings/": answer(
                {
                    "code": 4700,
                    "message": "Invalid access token, does not contain scopes:[report:read:admin].",
                },
                401,
            ),
            rf"^/v2/past_meetings/{RECENT_UUID}/participants": answer(page),
            rf"^/v2/past_meetings/{RECENT_UUID}$": described(RECENT_UUID, RECENT),
        }
    )
    frame, messages = reading(lambda: zp.read_participants(RECENT_UUID, client=client, cache=False))
    assert frame.attrs["endpoint"] == "past_meetings" and list(frame["name"]) == ["Ada"]
    assert sum(m.startswith(FELL_BACK) for m in messages) == 1


# == 3. read_meetings(source="auto"): a host's previous meetings, hostile answers ===================


def test_previous_meetings_fallback_lists_the_instance(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    client = scripted(
        host_routes(
            listing([{"id": NUMBER, "topic": "Seminar", "type": 8}]),
            instances({"uuid": RECENT_UUID, "start_time": _z(RECENT)}),
            {RECENT_UUID: described(RECENT_UUID, RECENT)},
        )
    )
    frame, messages = reading(lambda: zp.read_meetings(client=client))
    assert list(frame["meeting_uuid"]) == [RECENT_UUID]
    assert sum(m.startswith(FELL_BACK) for m in messages) == 1


@pytest.mark.parametrize(
    "body",
    [b"<html>proxy</html>", b"[]", b"null", b'{"meetings":[{"id":1,"topic":"\xff"}]}'],
    ids=["html", "list", "null", "bad-utf8"],
)
def test_a_non_json_previous_meetings_page_is_a_zoom_api_error(
    body: bytes, scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient]
) -> None:
    client = scripted(host_routes((200, body)))
    with quiet(), pytest.raises(zp.ZoomAPIError):
        zp.read_meetings(client=client)


def test_a_repeated_previous_meetings_page_token_is_a_pagination_error(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    page = answer(
        {"page_size": 1, "total_records": 50, "next_page_token": "again", "meetings": [{"id": NUMBER}]}
    )
    client = scripted(
        host_routes(
            page,
            instances({"uuid": RECENT_UUID, "start_time": _z(RECENT)}),
            {RECENT_UUID: described(RECENT_UUID, RECENT)},
        )
    )
    with quiet(), pytest.raises(zp.PaginationError):
        zp.read_meetings(client=client)


def test_a_meeting_number_beyond_int64_is_a_zoom_api_error(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    """Any bytes Zoom sends end in a frame or an error of the tree, never a crash."""
    client = scripted(
        host_routes(
            listing([{"id": 2**70}]),
            instances({"uuid": RECENT_UUID, "start_time": _z(RECENT)}),
            {RECENT_UUID: described(RECENT_UUID, RECENT)},
        )
    )
    with quiet(), pytest.raises(zp.ZoomAPIError):
        zp.read_meetings(client=client)


def test_an_instance_listed_twice_is_one_row(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    """The reports' listing keeps one row per uuid; the host's listing must too."""
    twice = instances(
        {"uuid": RECENT_UUID, "start_time": _z(RECENT)}, {"uuid": RECENT_UUID, "start_time": _z(RECENT)}
    )
    client = scripted(
        host_routes(listing([{"id": NUMBER}]), twice, {RECENT_UUID: described(RECENT_UUID, RECENT)})
    )
    frame, _ = reading(lambda: zp.read_meetings(client=client))
    assert list(frame["meeting_uuid"]) == [RECENT_UUID]


def test_an_instance_without_a_uuid_is_not_dropped_silently(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    """DESIGN: "A meeting without a uuid is an error or kept as its own row, never merged"."""
    client = scripted(host_routes(listing([{"id": NUMBER}]), instances({"start_time": _z(RECENT)})))
    with quiet() as caught:
        try:
            frame = zp.read_meetings(client=client)
        except zp.ZoomPandasError:
            return  # an error is fine
    kept = len(frame) == 1 and frame["meeting_uuid"].isna().all()
    warned = any(issubclass(w.category, zp.PartialReadWarning) for w in caught) or "failures" in frame.attrs
    assert kept or warned, "the listed instance vanished without a word"


def test_a_page_that_is_not_a_meetings_page_is_not_an_empty_listing(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    """A 200 answer whose ``meetings`` is not a list is malformed, not "no meetings"."""
    client = scripted(host_routes(listing("this is not a list")))
    with quiet(), pytest.raises(zp.ZoomAPIError):
        zp.read_meetings(client=client)


def test_an_instance_zoom_will_not_describe_does_not_sink_the_listing(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    """source='past_meetings' reaches past six months (as the reach error invites); Zoom refuses to
    describe an instance older than a year (400 code 12702, FACTS §3.3). The other instances still list."""
    client = scripted(
        host_routes(
            listing([{"id": NUMBER, "topic": "Seminar"}]),
            instances(
                {"uuid": OLD_UUID, "start_time": _z(OLD)}, {"uuid": RECENT_UUID, "start_time": _z(RECENT)}
            ),
            {
                OLD_UUID: answer({"code": 12702, "message": "Can not access a meeting a year ago."}, 400),
                RECENT_UUID: described(RECENT_UUID, RECENT),
            },
        )
    )
    start = (OLD - dt.timedelta(days=5)).date()
    frame, _ = reading(lambda: zp.read_meetings(client=client, start=start, source="past_meetings"))
    assert RECENT_UUID in set(frame["meeting_uuid"])


def test_a_malformed_description_names_the_call_that_sent_it(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    client = scripted(
        host_routes(
            listing([{"id": NUMBER}]),
            instances({"uuid": RECENT_UUID, "start_time": _z(RECENT)}),
            {RECENT_UUID: described(RECENT_UUID, RECENT, start_time=["not", "a", "time"])},
        )
    )
    with quiet(), pytest.raises(zp.ZoomAPIError) as caught:
        zp.read_meetings(client=client)
    assert "/past_meetings/" in str(caught.value)


def test_previous_meetings_keep_utc_day_edges_and_come_newest_first(
    scripted: Callable[[Mapping[str, Answer | list[Answer]]], zp.ZoomClient],
) -> None:
    day = (NOW - dt.timedelta(days=3)).date()
    midnight = dt.datetime.combine(day, dt.time(), dt.timezone.utc)
    times = {
        "bEfOrEmIdNiGhT000000001": midnight - dt.timedelta(seconds=1),
        "aTmIdNiGhT0000000000002": midnight,
        "lAsTsEcOnD0000000000003": midnight + dt.timedelta(days=1, seconds=-1),
        "nExTdAy00000000000000004": midnight + dt.timedelta(days=1),
    }
    client = scripted(
        host_routes(
            listing([{"id": NUMBER}]),
            instances(*({"uuid": u, "start_time": _z(t)} for u, t in times.items())),
            {u: described(u, t) for u, t in times.items()},
        )
    )
    frame, _ = reading(lambda: zp.read_meetings(client=client, start=day, end=day))
    assert list(frame["meeting_uuid"]) == ["lAsTsEcOnD0000000000003", "aTmIdNiGhT0000000000002"]


# == 4. read_zoom_csv: hostile files ============================================================

HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest\n"
ROW = "Ada (Ada L),ada@example.org,11/19/2021 10:08:10 AM,11/19/2021 10:17:18 AM,10,No\n"


def write(tmp_path: Path, data: bytes, name: str = "export.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [b",,,,\n,,,\n", b'""\n', b"  ,  \n\n"],
    ids=["only-commas", "only-an-empty-quoted-cell", "blank-cells"],
)
def test_a_file_of_empty_cells_is_a_value_error_naming_it(tmp_path: Path, data: bytes) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ValueError, match=re.escape(str(path))):
        zp.read_zoom_csv(path, tz="UTC")


def test_the_cli_reports_a_file_of_empty_cells_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, b",,,,\n")
    assert main(["csv", str(path), "--tz", "UTC"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("zoom-pandas: error:") and path.name in err[0]


@pytest.mark.parametrize(
    ("join", "leave"),
    [
        ("02/30/2021 10:30:00 AM", "02/30/2021 10:40:00 AM"),  # read as 2 March
        ("02/29/2021 10:30:00 AM", "02/29/2021 10:40:00 AM"),  # 2021 is no leap year: 1 March
        ("31/04/2021 10:30:00", "31/04/2021 10:40:00"),  # day-first: read as 1 May
    ],
    ids=["us-30-february", "us-29-february-2021", "day-first-31-april"],
)
def test_a_date_that_does_not_exist_is_a_value_error_not_another_day(
    tmp_path: Path, join: str, leave: str
) -> None:
    path = write(tmp_path, f"{HEADER}A,,{join},{leave},10,No\n".encode())
    with pytest.raises(ValueError, match=re.escape(str(path))):
        zp.read_zoom_csv(path, tz="America/New_York")


HOSTILE_FILES = {
    "binary": bytes(range(256)) * 8,
    "latin-1": (HEADER + "José,,11/19/2021 10:30:00 AM,11/19/2021 10:40:00 AM,10,No\n").encode("latin-1"),
    "utf-16": (HEADER + ROW).encode("utf-16"),
    "huge-header-cell": (HEADER.strip() + "," + "x" * 300_000 + "\n" + ROW).encode(),
    "mixed-formats": (HEADER + ROW + "B,,19/11/2021 10:30:00,19/11/2021 10:40:00,10,No\n").encode(),
    "no-seconds": (HEADER + "A,,11/19/2021 10:30 AM,11/19/2021 10:40 AM,10,No\n").encode(),
    "excel-resaved": (HEADER + "A,,11/19/2021 10:30,11/19/2021 10:40,10,No\n").replace("\n", "\r\n").encode(),
    "year-first": (HEADER + "A,,2021-11-19 10:30:00,2021-11-19 10:40:00,10,No\n").encode(),
    "hour-13-pm": (HEADER + "A,,11/19/2021 13:30:00 PM,11/19/2021 13:40:00 PM,10,No\n").encode(),
    "repeated-header": (HEADER.strip() + ",Guest\n" + ROW.strip() + ",No\n").encode(),
    "bom-before-the-table": (
        "Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        "85746065432,T,11/19/2021 10:00:00 AM,11/19/2021 11:00:00 AM,h@x.org,60,3\n\n\ufeff" + HEADER + ROW
    ).encode(),
    "block-without-table": (
        b"Meeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
        b"85746065432,T,11/19/2021 10:00:00 AM,11/19/2021 11:00:00 AM,h@x.org,60,3\n"
    ),
    "more-cells-later": (
        HEADER + ROW + "A,,11/19/2021 10:30:00 AM,11/19/2021 10:40:00 AM,10,No,x,y\n"
    ).encode(),
    "fewer-cells-later": (HEADER + ROW + "A,,11/19/2021 10:30:00 AM\n").encode(),
    "negative-minutes": (HEADER + "A,,11/19/2021 10:30:00 AM,11/19/2021 10:40:00 AM,-5,No\n").encode(),
    "semicolons": (HEADER + ROW).replace(",", ";").encode(),
    "bad-utf8-deep-in-the-table": (HEADER + ROW * 3).encode() + b"\xff\xfe,,,,,\n",
}


@pytest.mark.parametrize("name", list(HOSTILE_FILES))
def test_a_hostile_file_is_a_value_error_naming_it(tmp_path: Path, name: str) -> None:
    path = write(tmp_path, HOSTILE_FILES[name])
    with pytest.raises(ValueError, match=re.escape(str(path))):
        zp.read_zoom_csv(path, tz="America/New_York")


def test_quotes_and_newlines_in_names_and_twelve_o_clock(tmp_path: Path) -> None:
    data = HEADER + '"Ada ""the"" \nLovelace (Ada L)",,11/19/2021 12:30:00 AM,11/19/2021 12:40:00 PM,10,No\n'
    frame = zp.read_zoom_csv(write(tmp_path, data.encode()), tz="UTC")
    assert frame["name"].tolist() == ['Ada "the" \nLovelace'] and frame["original_name"].tolist() == ["Ada L"]
    assert str(frame["join_time"].iloc[0]) == "2021-11-19 00:30:00+00:00"
    assert str(frame["leave_time"].iloc[0]) == "2021-11-19 12:40:00+00:00"


def test_a_repeated_hour_is_placed_by_duration_with_one_warning(tmp_path: Path) -> None:
    data = (
        "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes)\n"
        "A,,11/07/2021 12:50:00 AM,11/07/2021 01:20:00 AM,90\n"
        "B,,11/07/2021 12:50:00 AM,11/07/2021 01:20:00 AM,30\n"
    )
    path = write(tmp_path, data.encode())
    frame, messages = reading(lambda: zp.read_zoom_csv(path, tz="America/New_York"))
    assert [str(t) for t in frame["leave_time"]] == ["2021-11-07 06:20:00+00:00", "2021-11-07 05:20:00+00:00"]
    assert len(messages) == 1 and str(path) in messages[0]


def test_attrs_hold_no_folders(tmp_path: Path) -> None:
    folder = tmp_path / "private-home-folder"
    folder.mkdir()
    frame = zp.read_zoom_csv(write(folder, (HEADER + ROW).encode()), tz="UTC")
    assert "private-home-folder" not in json.dumps(frame.attrs, default=str)


def test_the_same_export_twice_is_not_counted_twice(tmp_path: Path) -> None:
    """A glob catching "x.csv" and a browser's second download "x (1).csv": one instance, read once
    (as read_participants reads each distinct instance once), or an error, or at least a warning."""
    first = write(tmp_path, (HEADER + ROW).encode(), "participants.csv")
    write(tmp_path, (HEADER + ROW).encode(), "participants (1).csv")
    with quiet() as caught:
        try:
            both = zp.read_zoom_csv(str(tmp_path / "*.csv"), tz="UTC")
        except ValueError:
            return
    one = zp.read_zoom_csv(first, tz="UTC")
    assert len(both) == len(one) or caught, "every row counted twice, silently"


def test_files_whose_columns_disagree_are_a_value_error_not_an_arrow_error(tmp_path: Path) -> None:
    """ "recording consent" (other case) becomes a text column that clashes with another file's bool one."""
    row = "Ada,,11/19/2021 10:08:10 AM,11/19/2021 10:17:18 AM,10,Y\n"
    header = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),"
    first = write(tmp_path, (header + "Recording Consent\n" + row).encode(), "a.csv")
    second = write(tmp_path, (header + "recording consent\n" + row).encode(), "b.csv")
    try:
        frame = zp.read_zoom_csv([first, second], tz="UTC")
    except ValueError:
        return
    assert str(frame["recording_consent"].dtype) == "bool[pyarrow]"
