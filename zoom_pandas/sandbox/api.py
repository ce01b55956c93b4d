"""The sandbox's REST routes: users, past meetings and webinars, instances, participants, reports.

Answers follow Zoom's spec (``ZoomMeetingAPISpec.json``): page sizes, opaque page tokens that
expire (:mod:`.pages`), Zoom's UUID decoding, its error bodies and scopes (:mod:`.apps`).
Meetings and webinars are separate namespaces, as on Zoom: a webinar number is "not found" on
the meeting routes and vice versa.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import urllib.parse
from typing import Any

from zoom_pandas.sandbox.apps import (
    MEETING_REPORT,
    PAST_INSTANCES,
    PAST_MEETING,
    PAST_PARTICIPANTS,
    USER,
    USER_REPORTS,
    USERS,
    WEBINAR_DETAIL,
    WEBINAR_REPORT,
    grant,
    missing_scope,
)
from zoom_pandas.sandbox.bodies import instance_entry, user_body, webinar_report
from zoom_pandas.sandbox.data import Instance
from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.instances import PAST_PARTICIPANT_FIELDS, select
from zoom_pandas.sandbox.listings import Listings
from zoom_pandas.sandbox.oauth import SandboxCredentials, SandboxError, zoom_error
from zoom_pandas.sandbox.pages import page_size

__all__ = ["REPORT_SCOPES", "USERS_SCOPES", "WEBINAR_DETAIL_SCOPES", "WEBINAR_REPORT_SCOPES", "ZoomApi"]

_ASCII_NUMBER = re.compile(r"[0-9]{1,19}")

#: Scopes accepted by ``/report/meetings/{id}/participants`` (classic, granular).
REPORT_SCOPES = MEETING_REPORT.accepted
#: Scopes accepted by ``/report/webinars/{id}/participants``.
WEBINAR_REPORT_SCOPES = WEBINAR_REPORT.accepted
#: Scopes accepted by ``GET /users`` (the spec's classic scope; the granular one Zoom names for it).
USERS_SCOPES = USERS.accepted
#: Scopes accepted by ``/report/webinars/{id}``.
WEBINAR_DETAIL_SCOPES = WEBINAR_DETAIL.accepted


@dataclasses.dataclass(frozen=True)
class _RowView:
    """How a participants route shows an instance's rows."""

    cursors: str  # page tokens of one view are refused by the other
    fields: tuple[str, ...] | None  # None: the report's fields as they are
    needs_two: bool  # "doesn't return results if there's only one participant in a meeting"


_REPORT_VIEW = _RowView("participants", None, needs_two=False)
_PAST_VIEW = _RowView("past_participants", PAST_PARTICIPANT_FIELDS, needs_two=True)


class ZoomApi(Listings):
    """Route handling for :class:`~zoom_pandas.sandbox.Sandbox` (which provides the state below)."""

    credentials: SandboxCredentials
    faults: dict[str, Faults]

    def _faults_for(self, instance: Instance | None) -> list[Faults]:
        keys = ["*"] + ([instance.uuid, str(instance.meeting.id)] if instance else [])
        with self._lock:
            return [self.faults[k] for k in keys if k in self.faults]

    def _api(self, segments: list[str], query: dict[str, str], scope: str) -> Any:
        if segments == ["users"]:
            grant(scope, USERS)
            return self._users(query)
        if segments[:1] == ["users"] and len(segments) == 2:
            return self._user(urllib.parse.unquote(segments[1]), scope)
        if segments[:1] == ["users"] and len(segments) == 3 and segments[2] == "meetings":
            return self._user_meetings(urllib.parse.unquote(segments[1]), query, scope)
        if segments[:1] == ["past_meetings"] and len(segments) == 3 and segments[2] == "instances":
            every = grant(scope, PAST_INSTANCES)
            number = _number(segments[1])
            if number is None or number not in self.data.meetings:
                raise zoom_error(404, 3001, f"Meeting {segments[1]} not found or has expired.")
            self._may_see(self.data.meetings[number], every)
            return {"meetings": [instance_entry(i) for i in self.data.meetings[number].instances]}
        if segments[:1] == ["past_meetings"] and len(segments) == 3 and segments[2] == "participants":
            every = grant(scope, PAST_PARTICIPANTS)
            instance = self._instance(segments[1])
            self._may_see(instance.meeting, every)
            return self._participants(instance, query, _PAST_VIEW)
        if segments[:1] == ["past_meetings"] and len(segments) == 2:
            every = grant(scope, PAST_MEETING)
            instance = self._instance(segments[1])
            self._may_see(instance.meeting, every)
            return instance.summary()
        if segments[:1] == ["past_webinars"] and len(segments) == 3 and segments[2] == "instances":
            if _number(segments[1]) not in self.data.webinars:
                raise zoom_error(404, 3001, f'Webinar "{segments[1]}" not found or has expired.')
            return {"webinars": [instance_entry(i) for i in self.data.webinars[int(segments[1])].instances]}
        if segments[:2] == ["report", "webinars"] and len(segments) == 3:
            grant(scope, WEBINAR_DETAIL)
            return webinar_report(self._instance(segments[2], webinar=True))
        if segments[:2] == ["report", "webinars"] and len(segments) == 4 and segments[3] == "participants":
            grant(scope, WEBINAR_REPORT)
            return self._participants(self._instance(segments[2], webinar=True), query, _REPORT_VIEW)
        if segments[:2] == ["report", "users"] and len(segments) == 4 and segments[3] == "meetings":
            grant(scope, USER_REPORTS)
            return self._meeting_reports(urllib.parse.unquote(segments[2]), query)
        if segments[:2] == ["report", "meetings"] and len(segments) == 4 and segments[3] == "participants":
            grant(scope, MEETING_REPORT)
            return self._participants(self._instance(segments[2]), query, _REPORT_VIEW)
        raise zoom_error(404, 404, "The requested resource was not found.")

    def _user(self, user_id: str, scope: str) -> dict[str, Any]:
        """``GET /users/{userId}``; a user-level token gets its own user only (4711 for the others)."""
        if not grant(scope, USER):
            me = self.me
            if user_id not in ("me", me.id, me.email):
                raise missing_scope(scope, USER.admin)
        user = self._user_of(user_id)
        if user is None:
            raise zoom_error(404, 1001, f"User does not exist: {user_id}.")
        return user_body(user, self.credentials.account_id)

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

    def _participants(
        self, instance: Instance, query: dict[str, str], view: _RowView
    ) -> dict[str, Any] | bytes:
        """One page of an instance's participants as ``view`` shows them (paging and faults alike)."""
        faults = self._faults_for(instance)
        if query.get("next_page_token") and any(f.take("expired_page_tokens") for f in faults):
            raise zoom_error(400, 300, "The next page token is either invalid or has expired.")
        rows: list[Any] = instance.rows()
        if view.needs_two and instance.distinct_people() < 2:
            rows = []
        start, stop, next_token = self._page(rows, query, f"{view.cursors}:{instance.uuid}", instance)
        if next_token and any(f.repeat_page_token for f in faults):
            next_token = query.get("next_page_token") or next_token
        with_registrant = query.get("include_fields", "") == "registrant_id"
        extra: dict[str, Any] = {}
        for fault in faults:
            extra.update(fault.extra_fields)
        size = page_size(query)
        header = {
            "page_count": math.ceil(len(rows) / size) if rows else 0,
            "page_size": size,
            "total_records": len(rows) + sum(f.total_records_delta for f in faults),
            "next_page_token": next_token,
        }
        if extra:
            page = [{**select(row, with_registrant, view.fields), **extra} for row in rows[start:stop]]
            return {**header, "participants": page}
        # Rows are serialized once per instance and view; a page is a join of bytes.
        head = json.dumps(header, separators=(",", ":")).encode()[:-1]
        chosen = instance.row_json(with_registrant, view.fields)[start:stop]
        return head + b',"participants":[' + b",".join(chosen) + b"]}"


def _not_found(value: str, webinar: bool) -> SandboxError:
    """Zoom's 404 code 3001, worded for a meeting or a webinar."""
    if webinar:
        return zoom_error(404, 3001, f'Webinar "{value}" not found or has expired.')
    return zoom_error(404, 3001, f"Meeting {value} not found or has expired.")


def _number(segment: str) -> int | None:
    """A path segment as a meeting number: ASCII digits, at most 19 ("²" and "①" are not numbers)."""
    return int(segment) if _ASCII_NUMBER.fullmatch(segment) else None
