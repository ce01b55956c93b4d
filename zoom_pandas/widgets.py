"""Notebook widgets: ``LoginWidget`` (sign in) and ``MeetingPicker`` (find a meeting, load it).

Thin ipywidgets compositions over :mod:`zoom_pandas.auth`, :mod:`zoom_pandas.user_oauth` and the
readers; they never make HTTP requests themselves. Secrets typed into Password fields are cleared
as soon as they have been used, so they are not left in the widget state a notebook may save.
"""

from __future__ import annotations

import datetime as dt
import html
import threading
import zoneinfo
from collections.abc import Callable
from typing import Any

try:
    import ipywidgets as widgets
    from IPython.display import display
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError("zoom_pandas widgets need ipywidgets: pip install 'zoom-pandas[jupyter]'") from exc

import pandas as pd

from zoom_pandas.client import ZoomClient, default_client, set_default_client
from zoom_pandas.config import ZoomConfig
from zoom_pandas.meetings import read_instances, read_meetings, read_user
from zoom_pandas.people import count_people
from zoom_pandas.reader import read_participants
from zoom_pandas.user_oauth import LoopbackRedirect, UserOAuth

__all__ = ["LoginWidget", "MeetingPicker", "login"]


def _error_line(exc: BaseException) -> str:
    """One readable line, in red."""
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"<span style='color:#b00020'>{html.escape(text)}</span>"


def _run_busy(work: Callable[[], object], status: widgets.HTML, *buttons: widgets.Button) -> None:
    """Run a click's work with its buttons disabled; show any error in ``status`` in one line."""
    for button in buttons:
        button.disabled = True
    try:
        work()
    except Exception as exc:  # shown to the user in one line
        status.value = _error_line(exc)
    finally:
        for button in buttons:
            button.disabled = False


def _local(moment: Any, zone: dt.tzinfo, pattern: str = "%a %d %b %Y %H:%M") -> str:
    """A UTC timestamp as local wall-clock text."""
    return str(pd.Timestamp(moment).tz_convert(zone).strftime(pattern))


class LoginWidget(widgets.VBox):  # type: ignore[misc]
    """Sign in to Zoom: Server-to-Server, user OAuth (link + paste-back) or the built-in sandbox.

    The signed-in client becomes the default of ``read_participants`` and ``MeetingPicker``.

    Parameters
    ----------
    api_url, oauth_url : str, optional
        Where Zoom is (default: ``ZOOM_API_URL`` / ``ZOOM_OAUTH_URL`` or Zoom's own URLs).

    Attributes
    ----------
    client : ZoomClient or None
        The signed-in client.
    user : dict or None
        ``GET /users/me`` of the signed-in user.
    """

    def __init__(self, *, api_url: str | None = None, oauth_url: str | None = None) -> None:
        config = ZoomConfig.resolve(api_url=api_url, oauth_url=oauth_url)
        self._config = config
        self.client: ZoomClient | None = None
        self.user: dict[str, Any] | None = None
        self._user_auth: UserOAuth | None = None
        self._listener: LoopbackRedirect | None = None

        self.mode = widgets.ToggleButtons(
            options=[("Server-to-Server", "s2s"), ("User OAuth", "user"), ("Sandbox", "sandbox")],
            value="s2s" if config.has_server_to_server_credentials else "sandbox",
        )
        self.account_id = widgets.Text(value=config.account_id or "", description="Account ID")
        self.client_id = widgets.Text(value=config.client_id or "", description="Client ID")
        self.client_secret = widgets.Password(
            description="Client secret", placeholder="from the app's credentials"
        )
        self.sign_in_button = widgets.Button(description="Sign in", button_style="primary", icon="sign-in")
        self.oauth_client_id = widgets.Text(value=config.client_id or "", description="Client ID")
        self.oauth_client_secret = widgets.Password(
            description="Secret", placeholder="empty for a public client"
        )
        self.link_button = widgets.Button(description="Open Zoom login", icon="external-link")
        self.login_link = widgets.HTML()
        self.pasted = widgets.Text(description="Address", placeholder="paste the address Zoom sent you to")
        self.finish_button = widgets.Button(description="Finish sign-in", button_style="primary")
        self.sandbox_button = widgets.Button(description="Use the sandbox", button_style="info", icon="flask")
        self.status = widgets.HTML()
        self._panels = {
            "s2s": widgets.VBox([self.account_id, self.client_id, self.client_secret, self.sign_in_button]),
            "user": widgets.VBox(
                [
                    self.oauth_client_id,
                    self.oauth_client_secret,
                    self.link_button,
                    self.login_link,
                    self.pasted,
                    self.finish_button,
                ]
            ),
            "sandbox": widgets.VBox(
                [
                    widgets.HTML("A local Zoom emulator with made-up meetings: no account needed."),
                    self.sandbox_button,
                ]
            ),
        }
        self.panel = widgets.Box([self._panels[self.mode.value]])
        self.mode.observe(
            lambda change: setattr(self.panel, "children", [self._panels[change["new"]]]), "value"
        )
        self.sign_in_button.on_click(lambda _: self._busy(self.sign_in_button, self.sign_in_server_to_server))
        self.link_button.on_click(lambda _: self._busy(self.link_button, self.start_user_login))
        self.finish_button.on_click(
            lambda _: self._busy(self.finish_button, lambda: self.finish_user_login(self.pasted.value))
        )
        self.sandbox_button.on_click(lambda _: self._busy(self.sandbox_button, self.use_sandbox))
        super().__init__([widgets.HTML("<b>Sign in to Zoom</b>"), self.mode, self.panel, self.status])

    @property
    def signed_in(self) -> bool:
        """True once a sign-in succeeded."""
        return self.client is not None

    def _busy(self, button: widgets.Button, work: Callable[[], object]) -> None:
        _run_busy(work, self.status, button)

    def _accept(self, client: ZoomClient) -> None:
        """Check the client with ``/users/me``; make it the default."""
        self.status.value = "Checking…"
        user = read_user("me", client=client)
        self.client, self.user = client, user
        set_default_client(client)
        name = user.get("display_name") or f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
        self.status.value = (
            f"Signed in as <b>{html.escape(name)}</b> ({html.escape(str(user.get('email', '')))})"
        )
        problem = (
            self._user_auth.scope_problem()
            if self._user_auth is not None and client.auth is self._user_auth
            else None
        )
        if problem:
            self.status.value += f"<br>{_error_line(ValueError(problem))}"

    def sign_in_server_to_server(self) -> None:
        """Sign in with the Server-to-Server fields."""
        secret = self.client_secret.value
        self.client_secret.value = ""
        client = ZoomClient(
            account_id=self.account_id.value.strip(),
            client_id=self.client_id.value.strip(),
            client_secret=secret,
            api_url=self._config.api_url,
            oauth_url=self._config.oauth_url,
        )
        self._accept(client)

    def start_user_login(self) -> str:
        """Show the Zoom consent link; catch the redirect on 127.0.0.1 when the browser is local."""
        secret = self.oauth_client_secret.value or None
        self.oauth_client_secret.value = ""
        if self._listener is not None:
            self._listener.close()
        self._listener = LoopbackRedirect()
        self._user_auth = UserOAuth(
            client_id=self.oauth_client_id.value.strip(),
            client_secret=secret,
            oauth_url=self._config.oauth_url,
            redirect_uri=self._listener.redirect_uri,
        )
        url = self._user_auth.authorization_url()
        self.login_link.value = (
            f"<a href='{html.escape(url)}' target='_blank' rel='noopener'>Open Zoom login</a>: approve, "
            "then come back. If the page you land on does not load (Binder, Colab, a remote server), "
            "copy its address into the box below."
        )
        listener, auth = self._listener, self._user_auth
        threading.Thread(target=self._wait_for_redirect, args=(listener, auth), daemon=True).start()
        return url

    def _wait_for_redirect(self, listener: LoopbackRedirect, auth: UserOAuth) -> None:
        try:
            address = listener.wait(300)
        except Exception:  # the paste box remains
            return
        if auth is self._user_auth and not self.signed_in:
            self._busy(self.finish_button, lambda: self.finish_user_login(address))

    def finish_user_login(self, address: str) -> None:
        """Complete user OAuth with the address Zoom redirected to."""
        if self._user_auth is None:
            raise ValueError("click 'Open Zoom login' first")
        self._user_auth.complete(address)
        self.pasted.value = ""
        self._accept(
            ZoomClient(auth=self._user_auth, api_url=self._config.api_url, oauth_url=self._config.oauth_url)
        )
        if self._listener is not None:
            self._listener.close()
            self._listener = None

    def use_sandbox(self) -> None:
        """Sign in to the built-in sandbox (started on first use)."""
        self.mode.value = "sandbox"
        from zoom_pandas.sandbox import shared_sandbox

        self._accept(shared_sandbox().client())


def login(*, sandbox: bool = False) -> LoginWidget:
    """Show the sign-in widget; the signed-in client becomes the default everywhere.

    Parameters
    ----------
    sandbox : bool, default False
        Sign in to the built-in sandbox at once (demos, Binder).

    Returns
    -------
    LoginWidget

    Examples
    --------
    >>> import zoom_pandas as zp
    >>> zp.login()                                                 # doctest: +SKIP
    """
    widget = LoginWidget()
    if sandbox:
        widget.use_sandbox()
    return widget


class MeetingPicker(widgets.VBox):  # type: ignore[misc]
    """Pick a past meeting and instance, then load its participants.

    Parameters
    ----------
    client : ZoomClient, optional
        Default: the signed-in client at the time of each click.
    user_id : str, default "me"
        Whose meetings to list (id or email).
    days : int, default 30
        The initial date range, ending today.

    Attributes
    ----------
    df : pandas.DataFrame or None
        The last loaded participants frame.
    meetings : pandas.DataFrame or None
        The meetings found.
    """

    def __init__(self, *, client: ZoomClient | None = None, user_id: str = "me", days: int = 30) -> None:
        self._client = client
        self.df: pd.DataFrame | None = None
        self.meetings: pd.DataFrame | None = None
        self._tz: dt.tzinfo = dt.timezone.utc  # the listed user's zone, for labels
        self._callbacks: list[Callable[[pd.DataFrame], object]] = []
        today = dt.datetime.now(dt.timezone.utc).date()
        self.user = widgets.Text(value=user_id, description="User")
        self.start = widgets.DatePicker(value=today - dt.timedelta(days=days), description="From")
        self.end = widgets.DatePicker(value=today, description="To")
        self.find_button = widgets.Button(description="Find meetings", icon="search")
        self.meeting = widgets.Dropdown(
            options=[], description="Meeting", disabled=True, layout=widgets.Layout(width="520px")
        )
        self.instance = widgets.Dropdown(
            options=[], description="Instance", disabled=True, layout=widgets.Layout(width="520px")
        )
        self.load_button = widgets.Button(
            description="Load participants", button_style="primary", disabled=True
        )
        self.status = widgets.HTML()
        self.output = widgets.Output()
        self.find_button.on_click(lambda _: self._busy(self.find_meetings))
        self.meeting.observe(
            lambda change: self._busy(self._pick_meeting) if change["new"] is not None else None, "value"
        )
        self.load_button.on_click(lambda _: self._busy(self.load))
        super().__init__(
            [
                widgets.HTML("<b>Pick a meeting</b>"),
                widgets.HBox([self.user, self.start, self.end, self.find_button]),
                self.meeting,
                self.instance,
                self.load_button,
                self.status,
                self.output,
            ]
        )

    @property
    def client(self) -> ZoomClient:
        """The client clicks use."""
        return self._client or default_client()

    def on_load(self, callback: Callable[[pd.DataFrame], object]) -> None:
        """Call ``callback(df)`` after each successful load."""
        self._callbacks.append(callback)

    def _busy(self, work: Callable[[], object]) -> None:
        _run_busy(work, self.status, self.find_button, self.load_button)
        self.load_button.disabled = self.instance.value is None  # nothing to load yet

    def _zone(self) -> dt.tzinfo:
        try:
            name = read_user(self.user.value.strip() or "me", client=self.client).get("timezone")
            return zoneinfo.ZoneInfo(name) if name else dt.timezone.utc
        except Exception:  # fall back to UTC labels
            return dt.timezone.utc

    def find_meetings(self) -> None:
        """List the user's meetings in the date range."""
        self.status.value = "Finding meetings…"
        meetings = read_meetings(
            self.user.value.strip() or "me", start=self.start.value, end=self.end.value, client=self.client
        )
        self.meetings = meetings
        self._tz = zone = self._zone()
        options = []
        for meeting_id, held in meetings.groupby("meeting_id", sort=False):
            latest = held.iloc[0]
            when = _local(latest["start_time"], zone)
            label = f"{latest['topic']} · {when} · {latest['participants_count']} people"
            if len(held) > 1:
                label += f" · {len(held)} sessions"
            options.append((label, int(str(meeting_id))))
        self.instance.options, self.instance.disabled = [], True
        self.meeting.options = options
        self.meeting.disabled = not options
        self.status.value = (
            f"{len(meetings)} meeting sessions found" if options else "No meetings in that range"
        )
        if options:
            self.meeting.value = options[0][1]

    def _pick_meeting(self) -> None:
        instances = read_instances(int(self.meeting.value), client=self.client)
        zone = self._tz
        self.instance.options = [
            (_local(row.start_time, zone, "%a %d %b %Y %H:%M %Z"), row.meeting_uuid)
            for row in instances.itertuples()
        ]
        self.instance.disabled = len(instances) < 2
        self.instance.value = instances["meeting_uuid"].iloc[0] if len(instances) else None

    def load(self) -> pd.DataFrame:
        """Read the chosen instance's participants; show a summary and the first rows."""
        if self.instance.value is None:
            raise ValueError("pick a meeting first")
        self.output.clear_output()
        self.status.value = "Loading…"
        with self.output:
            frame = read_participants(self.instance.value, client=self.client, progress=True)
        people = count_people(frame)
        self.df = frame
        self.status.value = (
            f"Loaded <b>{len(frame):,}</b> rows, <b>{people:,}</b> people "
            f"(source: {html.escape(str(frame.attrs['source']))})"
        )
        with self.output:
            display(frame.head(10))  # type: ignore[no-untyped-call]
        for callback in self._callbacks:
            callback(frame)
        return frame
