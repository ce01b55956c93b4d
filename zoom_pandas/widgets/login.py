"""``LoginWidget`` and ``login()``: sign in with Server-to-Server OAuth, user OAuth or the sandbox.

Secrets typed into Password fields are cleared as soon as they have been used, so they are not
left in the widget state a notebook may save.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from typing import Any

from zoom_pandas.client import ZoomClient
from zoom_pandas.config import ZoomConfig
from zoom_pandas.default_client import set_default_client
from zoom_pandas.meetings import read_user
from zoom_pandas.scopes import HOST_SCOPES
from zoom_pandas.user_oauth import LoopbackRedirect, UserOAuth
from zoom_pandas.widgets._common import error_line, run_busy, widgets

__all__ = ["LoginWidget", "login"]


#: Which scopes the user-OAuth app needs: an admin's report scope, or a host's own user-level ones.
SCOPES_HELP = (
    "<details><summary>Scopes to add to your app in the Zoom Marketplace</summary>"
    "<b>Admin</b> (every meeting of the account): <code>report:read:list_meeting_participants:admin</code> "
    "(classic apps: <code>report:read:admin</code>), <code>report:read:user:admin</code>, "
    "<code>meeting:read:past_meeting:admin</code>, <code>meeting:read:list_past_instances:admin</code>, "
    "<code>user:read:user:admin</code>.<br>"
    "<b>Host, no admin rights</b> (your own meetings): "
    + ", ".join(f"<code>{scope}</code>" for scope in HOST_SCOPES)
    + ". Reports are then read from your past meetings (no breakout rooms)."
    "</details>"
)


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
                    widgets.HTML(SCOPES_HELP),
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
        run_busy(work, self.status, button)

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
            self.status.value += f"<br>{error_line(ValueError(problem))}"

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
