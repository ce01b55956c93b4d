"""The sandbox's REST routes: users (one or a list), past meetings and webinars, instances, reports.

Answers follow Zoom's spec (``ZoomMeetingAPISpec.json``): page sizes, opaque page tokens that
expire, Zoom's UUID decoding, its error bodies and scopes. Meetings and webinars are separate
namespaces, as on Zoom: a webinar number is "not found" on the meeting routes and vice versa.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import re
import secrets
import threading
import time
import urllib.parse
from typing import Any

from zoom_pandas.sandbox.accounts import STATUSES
from zoom_pandas.sandbox.bodies import instance_entry, listed_user, meeting_report, user_body, webinar_report
from zoom_pandas.sandbox.data import Instance, SandboxData
from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.oauth import SandboxCredentials, SandboxError, zoom_error

__all__ = ["REPORT_SCOPES", "USERS_SCOPES", "WEBINAR_DETAIL_SCOPES", "WEBINAR_REPORT_SCOPES", "ZoomApi"]

_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")

#: Scopes accepted by ``/report/meetings/{id}/participants`` (classic, granular).
REPORT_SCOPES = ("report:read:admin", "report:read:list_meeting_participants:admin")
#: Scopes accepted by ``/report/webinars/{id}/participants``.
WEBINAR_REPORT_SCOPES = ("report:read:admin", "report:read:list_webinar_participants:admin")
#: Scopes accepted by ``GET /users`` (the spec's classic scope; the granular one Zoom names for it).
USERS_SCOPES = ("user:read:admin", "user:read:list_users:admin")
#: Scopes accepted by ``/report/webinars/{id}``.
WEBINAR_DETAIL_SCOPES = ("report:read:admin", "report:read:webinar:admin")


@dataclasses.dataclass
class _Cursor:
    instance: Instance | None
    offset: int
    created: float
    key: str


class ZoomApi:
    """Route handling for :class:`~zoom_pandas.sandbox.Sandbox` (which provides the state below)."""

    data: SandboxData
    credentials: SandboxCredentials
    faults: dict[str, Faults]
    page_token_ttl: float
    _cursors: dict[str, _Cursor]
    _lock: threading.Lock

    def _faults_for(self, instance: Instance | None) -> list[Faults]:
        keys = ["*"] + ([instance.uuid, str(instance.meeting.id)] if instance else [])
        with self._lock:
            return [self.faults[k] for k in keys if k in self.faults]

    def _api(self, segments: list[str], query: dict[str, str], scope: str) -> Any:
        if segments == ["users"]:
            _require_scope(scope, USERS_SCOPES)
            return self._users(query)
        if segments[:1] == ["users"] and len(segments) == 2:
            user = self.data.user(urllib.parse.unquote(segments[1]))
            if user is None:
                raise zoom_error(404, 1001, f"User does not exist: {segments[1]}.")
            return user_body(user, self.credentials.account_id)
        if segments[:1] == ["past_meetings"] and len(segments) in (2, 3):
            if len(segments) == 3 and segments[2] == "instances":
                if _number(segments[1]) not in self.data.meetings:
                    raise zoom_error(404, 3001, f"Meeting {segments[1]} not found or has expired.")
                held = self.data.meetings[int(segments[1])].instances
                return {"meetings": [instance_entry(i) for i in held]}
            if len(segments) == 2:
                return self._instance(segments[1]).summary()
        if segments[:1] == ["past_webinars"] and len(segments) == 3 and segments[2] == "instances":
            if _number(segments[1]) not in self.data.webinars:
                raise zoom_error(404, 3001, f'Webinar "{segments[1]}" not found or has expired.')
            return {"webinars": [instance_entry(i) for i in self.data.webinars[int(segments[1])].instances]}
        if segments[:2] == ["report", "webinars"] and len(segments) == 3:
            _require_scope(scope, WEBINAR_DETAIL_SCOPES)
            return webinar_report(self._instance(segments[2], webinar=True))
        if segments[:2] == ["report", "webinars"] and len(segments) == 4 and segments[3] == "participants":
            _require_scope(scope, WEBINAR_REPORT_SCOPES)
            return self._participants(segments[2], query, webinar=True)
        if segments[:2] == ["report", "users"] and len(segments) == 4 and segments[3] == "meetings":
            _require_scope(scope, ("report:read:admin", "report:read:user:admin"))
            return self._meeting_reports(urllib.parse.unquote(segments[2]), query)
        if segments[:2] == ["report", "meetings"] and len(segments) == 4 and segments[3] == "participants":
            _require_scope(scope, REPORT_SCOPES)
            return self._participants(segments[2], query)
        raise zoom_error(404, 404, "The requested resource was not found.")

    def _instance(self, raw_segment: str, webinar: bool = False) -> Instance:
        """Decode a path segment as Zoom does and find the meeting or webinar instance (latest for an id)."""
        once = urllib.parse.unquote(raw_segment)
        if once.startswith("/") or "//" in once:
            # Zoom's front end turns a single-encoded "/" back into a path separator.
            raise _not_found(once, webinar)
        value = urllib.parse.unquote(once) if "%" in once else once
        if webinar:
            latest, instances = self.data.latest_webinar_instance, self.data.webinar_instances
        else:
            latest, instances = self.data.latest_instance, self.data.instances
        number = _number(value)
        instance = latest(number) if number is not None else instances.get(value)
        if instance is None:
            raise _not_found(value, webinar)
        return instance

    def _page(
        self, rows: list[Any], query: dict[str, str], key: str, instance: Instance | None
    ) -> tuple[int, int, str]:
        """Apply page_size / next_page_token; return (start, stop, next token)."""
        try:
            page_size = int(query.get("page_size", "30"))
        except ValueError:
            raise zoom_error(400, 300, "Validation Failed.") from None
        page_size = min(max(page_size, 1), 300)
        start = 0
        token = query.get("next_page_token", "")
        if token:
            with self._lock:
                cursor = self._cursors.get(token)
            if cursor is None or cursor.key != key or time.time() - cursor.created > self.page_token_ttl:
                raise zoom_error(400, 300, "The next page token is invalid or expired.")
            start = cursor.offset
        stop = min(len(rows), start + page_size)
        next_token = ""
        if stop < len(rows):
            next_token = secrets.token_urlsafe(24)
            with self._lock:
                self._cursors[next_token] = _Cursor(instance, stop, time.time(), key)
        return start, stop, next_token

    def _participants(
        self, raw_segment: str, query: dict[str, str], webinar: bool = False
    ) -> dict[str, Any] | bytes:
        """One page of a meeting's or webinar's participant report (their rows differ, paging does not)."""
        instance = self._instance(raw_segment, webinar)
        faults = self._faults_for(instance)
        if query.get("next_page_token") and any(f.take("expired_page_tokens") for f in faults):
            raise zoom_error(400, 300, "The next page token is either invalid or has expired.")
        rows = instance.rows()
        start, stop, next_token = self._page(rows, query, f"participants:{instance.uuid}", instance)
        if next_token and any(f.repeat_page_token for f in faults):
            next_token = query.get("next_page_token") or next_token
        with_registrant = query.get("include_fields", "") == "registrant_id"
        extra: dict[str, Any] = {}
        for fault in faults:
            extra.update(fault.extra_fields)
        page_size = min(max(int(query.get("page_size", "30")), 1), 300)
        header = {
            "page_count": math.ceil(len(rows) / page_size) if rows else 0,
            "page_size": page_size,
            "total_records": len(rows) + sum(f.total_records_delta for f in faults),
            "next_page_token": next_token,
        }
        if extra:
            page = [
                {**{k: v for k, v in row.items() if with_registrant or k != "registrant_id"}, **extra}
                for row in rows[start:stop]
            ]
            return {**header, "participants": page}
        # Rows are serialized once per instance; a page is a join of bytes.
        head = json.dumps(header, separators=(",", ":")).encode()[:-1]
        return head + b',"participants":[' + b",".join(instance.row_json(with_registrant)[start:stop]) + b"]}"

    def _users(self, query: dict[str, str]) -> dict[str, Any]:
        """One page of ``GET /users``: the account's users with one status (default active)."""
        status = query.get("status", "active")
        if status not in STATUSES:
            raise zoom_error(400, 300, f"Validation Failed: status must be one of {', '.join(STATUSES)}.")
        users = [u for u in self.data.users if u.status == status]
        start, stop, next_token = self._page(users, query, f"users:{status}", None)
        page_size = min(max(int(query.get("page_size", "30")), 1), 300)
        return {
            "page_count": math.ceil(len(users) / page_size),
            "page_number": start // page_size + 1,
            "page_size": page_size,
            "total_records": len(users),
            "next_page_token": next_token,
            "users": [listed_user(u) for u in users[start:stop]],
        }

    def _meeting_reports(self, user_id: str, query: dict[str, str]) -> dict[str, Any]:
        user = self.data.user(user_id)
        if user is None:
            raise zoom_error(404, 1001, f"User {user_id} not exist or not belong to this account.")
        try:
            first = dt.date.fromisoformat(query["from"])
            last = dt.date.fromisoformat(query["to"])
        except (KeyError, ValueError):
            raise zoom_error(400, 300, "Validation Failed: from and to (yyyy-mm-dd) are required.") from None
        today = dt.datetime.now(dt.timezone.utc).date()
        if last < first:
            raise zoom_error(400, 300, "Validation Failed: 'to' is before 'from'.")
        if (last - first).days > 31:
            raise zoom_error(400, 300, "The date range for the report is limited to a month.")
        if first < today - dt.timedelta(days=183):
            raise zoom_error(400, 300, "The month must fall within the past six months.")
        held = sorted(
            (
                i
                for m in [*self.data.meetings.values(), *self.data.webinars.values()]  # Zoom lists both
                if m.host == user
                for i in m.instances
                if first <= i.start_time.date() <= last and i.people >= 2
            ),
            key=lambda i: i.start_time,
        )
        key = f"meetings:{user.id}:{first}:{last}"
        start, stop, next_token = self._page(held, query, key, None)
        page_size = min(max(int(query.get("page_size", "30")), 1), 300)
        return {
            "from": first.isoformat(),
            "to": last.isoformat(),
            "page_count": math.ceil(len(held) / page_size) if held else 0,
            "page_size": page_size,
            "total_records": len(held),
            "next_page_token": next_token,
            "meetings": [meeting_report(i) for i in held[start:stop]],
        }


def _require_scope(granted: str, accepted: tuple[str, ...]) -> None:
    if not set(granted.split()) & set(accepted):
        raise zoom_error(400, 4711, f"Invalid access token, does not contain scopes:[{', '.join(accepted)}].")


def _not_found(value: str, webinar: bool) -> SandboxError:
    """Zoom's 404 code 3001, worded for a meeting or a webinar."""
    if webinar:
        return zoom_error(404, 3001, f'Webinar "{value}" not found or has expired.')
    return zoom_error(404, 3001, f"Meeting {value} not found or has expired.")


def _number(segment: str) -> int | None:
    """A path segment as a meeting number: ASCII digits, at most 19 ("²" and "①" are not numbers)."""
    return int(segment) if _ASCII_NUMBER.fullmatch(segment) else None
