"""A local Zoom emulator: real HTTP on 127.0.0.1, OAuth and report endpoints, synthetic data, faults.

Start it in-process (``with Sandbox() as sandbox: ...``) or as a process
(``python -m zoom_pandas.sandbox --port 8765 [--app host] [--plan pro] [--daily-limit 30000]
[--bulk 200x50]``; ``--csv DIR`` writes web-portal CSV exports instead of serving).

What it serves, as Zoom's spec shapes it:

* users: ``GET /users`` (by status, paged) and ``GET /users/{userId}``;
* past meetings and webinars, their instances, the meeting reports of a user, a user's scheduled
  meetings (``GET /users/{userId}/meetings``), and the participants of past meetings (the admin
  report and ``GET /past_meetings/{id}/participants``), every page with a ``next_page_token``;
* an account of twelve users: the first four with a handful of meetings and webinars, a term of
  recurring meetings over the last 13 weeks for six more hosts (among them the weekly
  ``SandboxData.COURSE``, 14 sessions), one inactive and one pending user, and an instant
  meeting (``SandboxData.INSTANT_MEETING``); ``bulk=(N, M)`` adds N meetings of exactly M rows
  for ``bulk@example.com``;
* two apps (``Sandbox(app=...)``): ``"admin"`` (account-level, ``DEFAULT_SCOPES``) and ``"host"``
  (a teacher's user-level app, ``HOST_SCOPES``: no reports, only their own meetings);
* Zoom's rate limits: ``rate_limits="free" | "pro" | "business"`` (or a per-label mapping) and
  ``daily_limit=`` answer 429 with Zoom's bodies and headers; every request is recorded with its
  label (``sandbox.requests``, ``sandbox.counts()``);
* faults on demand (``sandbox.inject``): 429s, 5xx, resets, stalls, hostile bodies, and more;
* the web portal's participant CSV exports of any meeting instance (``sandbox.write_csv``,
  :func:`~zoom_pandas.sandbox.portal_csv.write_portal_csv`).
"""

from __future__ import annotations

from zoom_pandas.sandbox.apps import HOST_SCOPES
from zoom_pandas.sandbox.data import SandboxData
from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.oauth import DEFAULT_SCOPES, SandboxCredentials
from zoom_pandas.sandbox.portal_csv import write_portal_csv
from zoom_pandas.sandbox.server import Sandbox, shared_sandbox

__all__ = [
    "DEFAULT_SCOPES",
    "HOST_SCOPES",
    "Faults",
    "Sandbox",
    "SandboxCredentials",
    "SandboxData",
    "shared_sandbox",
    "write_portal_csv",
]
