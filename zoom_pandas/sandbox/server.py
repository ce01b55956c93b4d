"""The sandbox: a real HTTP server on 127.0.0.1 that answers like Zoom's API and OAuth endpoints."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from zoom_pandas.sandbox.api import ZoomApi
from zoom_pandas.sandbox.apps import app_scopes
from zoom_pandas.sandbox.data import SandboxData
from zoom_pandas.sandbox.faults import Faults
from zoom_pandas.sandbox.handler import RequestRecord, SandboxHandler, SandboxHTTPServer
from zoom_pandas.sandbox.limits import LABELS, RateLimits
from zoom_pandas.sandbox.oauth import SandboxCredentials, SandboxOAuth
from zoom_pandas.sandbox.portal_csv import export_csv

__all__ = ["Sandbox", "SandboxCredentials", "shared_sandbox"]

#: How often the serving thread checks for shutdown: ``stop()`` waits for at most one poll
#: (socketserver's default of 0.5 s made every stopped sandbox cost half a second).
_POLL_SECONDS = 0.02


class Sandbox(ZoomApi):
    """A local Zoom emulator over real HTTP, started in a background thread.

    Parameters
    ----------
    seed : int
        Seed of the synthetic account's data.
    host : str
        Loopback address to bind.
    port : int
        0 picks a free port.
    latency : float
        Seconds added before every answer (simulates the network and Zoom's servers).
    rate_limit : float, optional
        Requests per second accepted on ``/v2`` over every route together before answering 429
        (one token bucket; its 429s carry no ``Retry-After``).
    rate_limits : {"free", "pro", "business"} or mapping, optional
        Zoom's per-label limits (zoom/FACTS.md §4.2), counted account-wide over every token and
        client: a plan name, or requests per second per label such as
        ``{"Light": 30, "Medium": 20, "Heavy": 10}``. One token bucket per label, holding one
        second's worth (capacity = rate) and starting full. Over it: 429 with Zoom's body and
        ``X-RateLimit-Category``, ``X-RateLimit-Type: QPS``, ``X-RateLimit-Limit``,
        ``X-RateLimit-Remaining: 0`` and ``Retry-After`` in whole seconds. See
        :mod:`zoom_pandas.sandbox.limits`.
    daily_limit : int, optional
        Heavy requests served per UTC day (Zoom: 30,000 on Pro, 60,000 on Business+); then every
        Heavy request answers 429 ``X-RateLimit-Type: Daily-limit`` with ``Retry-After`` at the
        next 00:00 UTC. A request refused by a per-second 429 does not count. Default: no cap.
    page_token_ttl : float
        Seconds a ``next_page_token`` stays valid (Zoom: 15 minutes).
    app : {"admin", "host"}
        Which app's tokens the sandbox hands out (:mod:`zoom_pandas.sandbox.apps`). ``"admin"``:
        an account-level app with ``DEFAULT_SCOPES``; ``me`` is the account owner. ``"host"``: a
        host's user-level app without admin rights, with ``HOST_SCOPES``; ``me`` is the course's
        teacher (``SandboxData.TEACHER``), report routes and ``GET /users`` answer 400 code 4711,
        and only the teacher's own user and meetings are visible (other hosts' meetings: 400 code
        300). Server-to-Server and user-OAuth tokens alike carry the app's scopes.
    scopes : str, optional
        Scopes granted to every token instead of the app's (drop the report scopes to test a
        missing scope). Given with ``app=``, these scopes win; the app still decides who ``me``
        is.
    today : datetime.date, optional
        Anchor day of the synthetic meetings.
    bulk : (int, int) or str, optional
        ``(N, M)`` or ``"NxM"``: add N single-instance meetings of exactly M participant rows
        each, hosted by ``bulk@example.com`` and started in the last 25 days (for benchmarks).
        Default: none.

    Attributes
    ----------
    data : SandboxData
        The account's users, meetings and webinars.
    requests : list of RequestRecord
        Every request so far, in arrival order: status, rate-limit label, 429 type
        (:meth:`counts` sums them up).
    limits : RateLimits
        The account's rate limits; ``limits.daily_used`` counts today's Heavy requests.

    Examples
    --------
    >>> with Sandbox() as sandbox:                                   # doctest: +SKIP
    ...     df = zoom_pandas.read_participants(SandboxData.TEAM_SYNC, client=sandbox.client())
    """

    def __init__(
        self,
        *,
        seed: int = 0,
        host: str = "127.0.0.1",
        port: int = 0,
        latency: float = 0.0,
        rate_limit: float | None = None,
        rate_limits: str | Mapping[str, float] | None = None,
        daily_limit: int | None = None,
        page_token_ttl: float = 900.0,
        app: str = "admin",
        scopes: str | None = None,
        today: dt.date | None = None,
        credentials: SandboxCredentials | None = None,
        bulk: tuple[int, int] | str | None = None,
    ) -> None:
        granted = app_scopes(app, scopes)
        self.app = app
        self.data = SandboxData(seed, today, bulk=bulk)
        self.credentials = credentials or SandboxCredentials()
        self.latency = latency
        self.limits = RateLimits(rate_limits, daily_limit, overall=rate_limit)
        self.page_token_ttl = page_token_ttl
        self.oauth = SandboxOAuth(self.credentials, granted, lambda: self.url)
        self.faults: dict[str, Faults] = {}
        self.requests: list[RequestRecord] = []
        self._cursors = {}
        self._lock = threading.Lock()
        self._server = SandboxHTTPServer((host, port), SandboxHandler)
        self._server.sandbox = self
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:41234``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def api_url(self) -> str:
        """REST base URL (``ZOOM_API_URL``)."""
        return f"{self.url}/v2"

    @property
    def oauth_url(self) -> str:
        """OAuth base URL (``ZOOM_OAUTH_URL``)."""
        return f"{self.url}/oauth"

    def start(self) -> Sandbox:
        """Serve in a daemon thread; return self."""
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": _POLL_SECONDS},
                name="zoom-sandbox",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(10)
            self._thread = None
        self._server.close_connections()
        self._server.server_close()

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"Sandbox(url={self.url!r}, seed={self.data.seed}, app={self.app!r})"

    # -- what clients and tests use -------------------------------------------------------------

    def env(self) -> dict[str, str]:
        """The ``ZOOM_*`` variables that point a client at this sandbox."""
        return {
            "ZOOM_ACCOUNT_ID": self.credentials.account_id,
            "ZOOM_CLIENT_ID": self.credentials.client_id,
            "ZOOM_CLIENT_SECRET": self.credentials.client_secret,
            "ZOOM_API_URL": self.api_url,
            "ZOOM_OAUTH_URL": self.oauth_url,
        }

    def client(self, **kwargs: Any) -> Any:
        """A :class:`~zoom_pandas.ZoomClient` signed in to this sandbox with Server-to-Server OAuth."""
        from zoom_pandas.client import ZoomClient

        settings: dict[str, Any] = {
            "account_id": self.credentials.account_id,
            "client_id": self.credentials.client_id,
            "client_secret": self.credentials.client_secret,
            "api_url": self.api_url,
            "oauth_url": self.oauth_url,
        }
        settings.update(kwargs)
        return ZoomClient(**settings)

    def inject(self, meeting: int | str | None = None, **faults: Any) -> Faults:
        """Switch faults on for one meeting or webinar (number or instance UUID) or, with ``None``, for all.

        Parameters
        ----------
        meeting : int or str, optional
            The meeting or webinar number (all its instances) or one instance UUID; the faults
            apply to its report requests and its pages of past-meeting participants.
        **faults
            Fields of :class:`Faults`.

        Returns
        -------
        Faults
            The live fault switches (counters go down as faults fire).
        """
        key = "*" if meeting is None else str(meeting)
        with self._lock:
            self.faults[key] = Faults(**faults)
            return self.faults[key]

    def write_csv(self, ref: int | str, folder: str | Path, *, tz: str | None = None, **options: Any) -> Path:
        """Write a meeting instance's participants as Zoom's web portal exports them (a CSV file).

        Parameters
        ----------
        ref : int or str
            A meeting number (its latest instance) or an instance UUID.
        folder : str or Path
            Where to write (created if missing); the file is named
            ``participants_<meeting id>_<start, UTC>.csv``.
        tz : str, optional
            IANA time zone of the wall-clock times; default: the host's Zoom time zone.
        **options
            Keywords of :func:`~zoom_pandas.sandbox.portal_csv.write_portal_csv` (layout, date
            format, optional columns, BOM).

        Returns
        -------
        Path
            The written file.
        """
        return export_csv(self.data, ref, folder, tz=tz, **options)

    def clear_faults(self) -> None:
        """Switch every fault off."""
        with self._lock:
            self.faults.clear()

    def count(self, path_part: str = "", method: str | None = None) -> int:
        """How many requests so far had ``path_part`` in their (raw) path."""
        with self._lock:
            return sum(
                1 for r in self.requests if path_part in r.path and (method is None or r.method == method)
            )

    def counts(self) -> dict[str, int]:
        """Requests so far per rate-limit label, and the 429 answers among them.

        Returns
        -------
        dict
            ``{"Light": n, "Medium": n, "Heavy": n, "429": n}``: a label counts every request to
            a route with that label, served or refused; ``"429"`` counts every 429 answer (the
            sandbox's limits and injected faults alike).
        """
        with self._lock:
            records = list(self.requests)
        counted = {label: sum(1 for r in records if r.label == label) for label in LABELS}
        counted["429"] = sum(1 for r in records if r.status == 429)
        return counted

    def revoke_tokens(self) -> None:
        """Invalidate every access token, as Zoom does when an app is deactivated or rotated."""
        self.oauth.revoke_tokens()


_shared: Sandbox | None = None
_shared_lock = threading.Lock()


def shared_sandbox() -> Sandbox:
    """The process's one sandbox, started on first use and reused afterwards (thread-safe).

    Notebook widgets and demos share it, so a kernel runs one server however often a cell
    asks for it. It serves until the process exits (its thread is a daemon).

    Returns
    -------
    Sandbox
        The running sandbox (default seed, scopes and settings).

    Examples
    --------
    >>> sandbox = shared_sandbox()                                  # doctest: +SKIP
    >>> sandbox is shared_sandbox()                                 # doctest: +SKIP
    True
    """
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = Sandbox().start()
        return _shared
