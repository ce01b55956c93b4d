"""``LoginWidget`` and ``login()``: sign in with Server-to-Server OAuth, user OAuth or the sandbox.

Secrets typed into Password fields do not stay in the widget state a notebook may save: the
Server-to-Server secret is cleared as soon as it has been sent, the user-OAuth secret once the
sign-in succeeded (a failed attempt keeps it for the next try).
"""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from zoom_pandas.client import ZoomClient
from zoom_pandas.config import ZoomConfig
from zoom_pandas.default_client import set_default_client
from zoom_pandas.user_oauth import UserOAuth
from zoom_pandas.users import read_user
from zoom_pandas.widgets._common import LABELS, error_line, run_busy, widgets
from zoom_pandas.widgets.oauth_panel import UserOAuthPanel

__all__ = ["LoginWidget", "login"]

_CREDENTIALS = "Zoom App Marketplace > Manage > your app > App Credentials"
#: How the status line says which way the current sign-in was made.
_HOW = {
    "s2s": " with Server-to-Server OAuth",
    "user": " with user OAuth",
    "env": " with the ZOOM_* credentials of this environment (Server-to-Server OAuth)",
    "sandbox": " to the <b>built-in sandbox</b>: a Zoom emulator on this machine with made-up meetings",
}


class LoginWidget(widgets.VBox):  # type: ignore[misc]
    """Sign in to Zoom: Server-to-Server, user OAuth (link + paste-back) or the built-in sandbox.

    The signed-in client becomes the default of ``read_participants`` and ``MeetingPicker``. A
    failed attempt changes nothing: a previous sign-in stays the default, and the status says so.

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
    user_oauth : UserOAuthPanel
        The user-OAuth tab (redirect URL to register, Client ID, the link to Zoom, the paste box).
    """

    def __init__(self, *, api_url: str | None = None, oauth_url: str | None = None) -> None:
        config = ZoomConfig.resolve(api_url=api_url, oauth_url=oauth_url)
        self._config = config
        self.client: ZoomClient | None = None
        self.user: dict[str, Any] | None = None
        self._signed_in_line = ""
        self._callbacks: list[Callable[[ZoomClient], object]] = []

        self.mode = widgets.ToggleButtons(
            options=[("Server-to-Server", "s2s"), ("User OAuth", "user"), ("Sandbox", "sandbox")],
            value="s2s" if config.has_server_to_server_credentials else "sandbox",
        )
        wide = widgets.Layout(width="34em")
        self.account_id = widgets.Text(
            value=config.account_id or "", description="Account ID", style=LABELS, layout=wide
        )
        self.client_id = widgets.Text(
            value=config.client_id or "", description="Client ID", style=LABELS, layout=wide
        )
        self.client_secret = widgets.Password(
            description="Client secret", placeholder="from the app's credentials", style=LABELS, layout=wide
        )
        self.sign_in_button = widgets.Button(description="Sign in", button_style="primary", icon="sign-in")
        self.user_oauth = UserOAuthPanel(
            oauth_url=config.oauth_url,
            client_id=config.client_id or "",
            finish=self._finish_user_oauth,
            run=self._busy,
        )
        self.sandbox_button = widgets.Button(description="Use the sandbox", button_style="info", icon="flask")
        self.status = widgets.HTML()
        self._panels = {
            "s2s": widgets.VBox([self.account_id, self.client_id, self.client_secret, self.sign_in_button]),
            "user": self.user_oauth,
            "sandbox": widgets.VBox(
                [
                    widgets.HTML(
                        "A Zoom emulator on this machine with made-up meetings, served over real HTTP: "
                        "no Zoom account needed."
                    ),
                    self.sandbox_button,
                ]
            ),
        }
        self.panel = widgets.Box([self._panels[self.mode.value]])
        self.mode.observe(self._switch, "value")
        self.sign_in_button.on_click(lambda _: self._busy(self.sign_in_button, self.sign_in_server_to_server))
        self.sandbox_button.on_click(lambda _: self._busy(self.sandbox_button, self.use_sandbox))
        super().__init__([widgets.HTML("<b>Sign in to Zoom</b>"), self.mode, self.panel, self.status])

    @property
    def signed_in(self) -> bool:
        """True once a sign-in succeeded."""
        return self.client is not None

    def on_sign_in(self, callback: Callable[[ZoomClient], object]) -> None:
        """Call ``callback(client)`` after each successful sign-in (e.g. to list meetings again)."""
        self._callbacks.append(callback)

    def _switch(self, change: dict[str, Any]) -> None:
        """Show the chosen tab; what an earlier attempt said goes, the current sign-in stays."""
        self.panel.children = [self._panels[change["new"]]]
        self.status.value = self._signed_in_line
        if change["new"] == "user" and self.user_oauth.url is None and self.user_oauth.auth is None:
            self.user_oauth.prepare()

    def _busy(self, button: widgets.Button, work: Callable[[], object]) -> None:
        run_busy(work, self.status, button, failed=self._failed)

    def _failed(self, exc: BaseException) -> str:
        """The error in one line; with a sign-in still in effect, that it is."""
        still = ""
        if self.signed_in:
            still = f"Still signed in as {self._who()}: that sign-in remains the default."
        return error_line(exc, api_url=self._config.api_url, after=still)

    def _who(self) -> str:
        user = self.user or {}
        name = user.get("display_name") or f"{user.get('first_name', '')} {user.get('last_name', '')}".strip()
        email = str(user.get("email", ""))
        return f"<b>{html.escape(name or email)}</b>" + (f" ({html.escape(email)})" if name and email else "")

    def _accept(self, client: ZoomClient, how: str, problem: str | None = None) -> None:
        """Check the client with ``/users/me``; make it the default. A failure leaves everything as it was."""
        self.status.value = "Checking…"
        try:
            user = read_user("me", client=client)
        except Exception:
            client.close()
            raise
        self.client, self.user = client, user
        set_default_client(client)
        self._signed_in_line = f"Signed in as {self._who()}{_HOW[how]}."
        if problem:
            self._signed_in_line += f"<br>{error_line(ValueError(problem))}"
        self.status.value = self._signed_in_line
        for callback in self._callbacks:
            callback(client)

    def sign_in_server_to_server(self) -> None:
        """Sign in with the Server-to-Server fields.

        Raises
        ------
        ValueError
            A field is empty (checked before anything is sent).
        AuthError
            Zoom refused the credentials.
        """
        fields = {
            "Account ID": self.account_id.value.strip(),
            "Client ID": self.client_id.value.strip(),
            "Client secret": self.client_secret.value,
        }
        missing = [label for label, value in fields.items() if not value]
        if missing:
            raise ValueError(f"Enter the {_and(missing)} of your Server-to-Server app ({_CREDENTIALS})")
        self.client_secret.value = ""  # sent now: it is not left in the widget state
        client = ZoomClient(
            account_id=fields["Account ID"],
            client_id=fields["Client ID"],
            client_secret=fields["Client secret"],
            api_url=self._config.api_url,
            oauth_url=self._config.oauth_url,
        )
        self._accept(client, "s2s")

    def use_environment(self) -> None:
        """Sign in with the ``ZOOM_*`` Server-to-Server credentials of the environment.

        Raises
        ------
        AuthError
            No ``ZOOM_*`` credentials are set, or Zoom refused them.
        """
        self.mode.value = "s2s"
        self._accept(ZoomClient(api_url=self._config.api_url, oauth_url=self._config.oauth_url), "env")

    def _finish_user_oauth(self, auth: UserOAuth) -> None:
        client = ZoomClient(auth=auth, api_url=self._config.api_url, oauth_url=self._config.oauth_url)
        self._accept(client, "user", problem=auth.scope_problem())

    def use_sandbox(self) -> None:
        """Sign in to the built-in sandbox (started on first use)."""
        from zoom_pandas.sandbox import shared_sandbox

        self.mode.value = "sandbox"
        self._accept(shared_sandbox().client(), "sandbox")

    def close(self) -> None:
        """Stop the user-OAuth listener and close the widgets."""
        self.user_oauth.close()
        super().close()


def _and(labels: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return labels[0] if len(labels) == 1 else f"{', '.join(labels[:-1])} and {labels[-1]}"


def login(*, sandbox: bool = False) -> LoginWidget:
    """Show the sign-in widget; the signed-in client becomes the default everywhere.

    Parameters
    ----------
    sandbox : bool, default False
        Sign in to the built-in sandbox at once (demos, Binder); the status line says so.

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
